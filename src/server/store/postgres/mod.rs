//! The PostgreSQL store: several `wardround serve` nodes share one database.
//!
//! What one SQLite writer gave for free is made explicit here: events are appended under a
//! transaction-scoped advisory lock, so their cursors become visible in order (a stream
//! that has read cursor 11 can never later find a 10 committed behind it), and the audit
//! chain is appended under another. Each append also NOTIFYs the other nodes (see
//! `watch_events`), and re-notifications are claimed by compare-and-set, as in SQLite.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions, PgRow};
use sqlx::{PgConnection, PgPool, Row};
use uuid::Uuid;

mod admin;
mod audit;
mod group_commit;
mod logins;
mod policies;
mod presentations;
mod urgent;

use super::{
    kind_from, kind_str, ConversationRecord, Inserted, NewConversation, RawEvent, Store,
    StoreError, StoreResult, StoredUser, UrgentSchedule, UserEvent,
};
use crate::model::{
    Event, EventKind, ListView, Member, Message, PatientList, Priority, Receipt, ReceiptState,
    Team, User,
};
use crate::server::audit_key::AuditKeys;

const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        include_str!("../../../../migrations/postgres/0001_schema.sql"),
    ),
    (
        2,
        include_str!("../../../../migrations/postgres/0002_append_functions.sql"),
    ),
    (
        3,
        include_str!("../../../../migrations/postgres/0003_commit_sends.sql"),
    ),
    (
        4,
        include_str!("../../../../migrations/postgres/0004_escalation_unique.sql"),
    ),
    (
        5,
        include_str!("../../../../migrations/postgres/0005_audit_key.sql"),
    ),
    (
        6,
        include_str!("../../../../migrations/postgres/0006_username_nocase.sql"),
    ),
    (
        7,
        include_str!("../../../../migrations/postgres/0007_one_time_passwords.sql"),
    ),
];

/// Advisory lock keys (an arbitrary prefix, then the purpose), held to commit.
const EVENTS_LOCK: i64 = 0x5741_5244_0001;
const AUDIT_LOCK: i64 = 0x5741_5244_0002;
const MIGRATE_LOCK: i64 = 0x5741_5244_0003;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections per node: request handlers, the scheduler and group commit share them.
const POOL_SIZE: u32 = 16;

pub struct PgStore {
    pool: PgPool,
    /// The NOTIFY channel of this schema: deployments in other schemas of the same
    /// database do not wake each other.
    channel: String,
    sends: super::group_commit::Sends,
    /// What audit rows are MACed with.
    audit_keys: AuditKeys,
}

impl PgStore {
    /// Connects to `url` (`postgres://user:password@host/db`, with `?options=-c
    /// search_path=…` for a schema of its own) and brings the schema up to date.
    pub async fn connect(url: &str, audit_keys: AuditKeys) -> StoreResult<Self> {
        let open_err = |e: &dyn std::fmt::Display| StoreError::Open {
            path: redact(url),
            reason: e.to_string(),
        };
        let options: PgConnectOptions = url.parse().map_err(|e| open_err(&e))?;
        // One connection first: the pool would retry until its timeout and then report
        // only that it timed out, where this says why (refused, no such database, …).
        use sqlx::Connection as _;
        let probe = tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&options))
            .await
            .map_err(|_| open_err(&"no answer within 10 s"))?
            .map_err(|e| open_err(&e))?;
        let _ = probe.close().await;
        let pool = PgPoolOptions::new()
            .max_connections(POOL_SIZE)
            .acquire_timeout(CONNECT_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(|e| open_err(&e))?;
        migrate(&pool).await?;
        let schema: String = sqlx::query_scalar("SELECT current_schema()")
            .fetch_one(&pool)
            .await?;
        let channel = format!("wardround_events_{schema}");
        Ok(PgStore {
            sends: super::group_commit::start(group_commit::PgBatches {
                pool: pool.clone(),
                channel: channel.clone(),
                audit_keys: audit_keys.clone(),
            }),
            channel,
            pool,
            audit_keys,
        })
    }
}

/// The server's version, over a connection of its own (nothing is changed).
pub async fn server_version(url: &str) -> sqlx::Result<String> {
    use sqlx::Connection as _;
    let options: PgConnectOptions = url.parse()?;
    let mut conn = PgConnection::connect_with(&options).await?;
    let version = sqlx::query_scalar("SHOW server_version")
        .fetch_one(&mut conn)
        .await?;
    conn.close().await?;
    Ok(version)
}

/// `url` without its password, for messages.
pub fn redact(url: &str) -> String {
    match url.parse::<reqwest::Url>() {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "(an unreadable PostgreSQL URL)".into(),
    }
}

/// Applies the migrations not yet applied; nodes starting together take turns.
async fn migrate(pool: &PgPool) -> StoreResult<()> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(MIGRATE_LOCK)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)",
    )
    .execute(&mut *tx)
    .await?;
    let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations")
        .fetch_all(&mut *tx)
        .await?;
    for (version, sql) in MIGRATIONS {
        if applied.contains(version) {
            continue;
        }
        sqlx::raw_sql(sql).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
            .bind(version)
            .bind(Utc::now())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

fn user_from(row: &PgRow) -> StoreResult<User> {
    Ok(User {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        role: row.try_get("role")?,
        admin: row.try_get("admin")?,
    })
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

fn state_i16(state: ReceiptState) -> i16 {
    i16::try_from(state.as_i64()).unwrap_or(i16::MAX)
}

/// Appends events in the caller's transaction, after taking the events lock (held to
/// commit, so a later cursor is never visible before an earlier one), and tells the
/// other nodes at commit: one call of `wardround_append_events` (migration 0002).
async fn append_events(
    tx: &mut PgConnection,
    channel: &str,
    events: Vec<(Uuid, EventKind)>,
    now: DateTime<Utc>,
) -> StoreResult<Vec<UserEvent>> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let users: Vec<Uuid> = events.iter().map(|(user, _)| *user).collect();
    let payloads = events
        .iter()
        .map(|(_, kind)| serde_json::to_string(kind))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let cursors: Vec<i64> =
        sqlx::query_scalar("SELECT * FROM wardround_append_events($1, $2, $3, $4, $5)")
            .bind(EVENTS_LOCK)
            .bind(users)
            .bind(payloads)
            .bind(now)
            .bind(channel)
            .fetch_all(&mut *tx)
            .await?;
    if cursors.len() != events.len() {
        return Err(StoreError::Corrupt("an event was not stored".into()));
    }
    Ok(events
        .into_iter()
        .zip(cursors)
        .map(|((user_id, kind), cursor)| UserEvent {
            user_id,
            event: Event { cursor, kind },
        })
        .collect())
}

const MESSAGE_COLUMNS: &str = "m.id, m.conversation_id, m.sender_id, u.display_name AS sender_name, m.body, m.priority, m.sent_at, m.ack_required, m.escalation_of";

fn message_from(row: &PgRow) -> StoreResult<Message> {
    let priority: String = row.try_get("priority")?;
    Ok(Message {
        id: row.try_get("id")?,
        conversation_id: row.try_get("conversation_id")?,
        sender_id: row.try_get("sender_id")?,
        sender_name: row.try_get("sender_name")?,
        body: row.try_get("body")?,
        priority: Priority::parse(&priority)
            .ok_or_else(|| StoreError::Corrupt(format!("priority {priority:?}")))?,
        sent_at: row.try_get("sent_at")?,
        receipts: Vec::new(),
        ack_required: row.try_get("ack_required")?,
        escalation_of: row.try_get("escalation_of")?,
    })
}

/// Inserts a message, its receipts and (for urgent) its re-notify schedule; `false` when a
/// message with this id exists already.
async fn insert_message_tx(
    tx: &mut PgConnection,
    message: &Message,
    schedule: Option<&UrgentSchedule>,
) -> StoreResult<bool> {
    let inserted = sqlx::query(
        "INSERT INTO messages (id, conversation_id, sender_id, body, priority, sent_at, ack_required, escalation_of)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING",
    )
    .bind(message.id)
    .bind(message.conversation_id)
    .bind(message.sender_id)
    .bind(&message.body)
    .bind(message.priority.as_str())
    .bind(message.sent_at)
    .bind(message.ack_required)
    .bind(message.escalation_of)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Ok(false);
    }
    for r in &message.receipts {
        sqlx::query(
            "INSERT INTO receipts (message_id, user_id, state, at) VALUES ($1, $2, $3, $4)",
        )
        .bind(message.id)
        .bind(r.user_id)
        .bind(state_i16(r.state))
        .bind(r.at)
        .execute(&mut *tx)
        .await?;
    }
    if let Some(schedule) = schedule {
        urgent::schedule(tx, message, schedule).await?;
    }
    Ok(true)
}

impl PgStore {
    async fn attach_receipts(&self, messages: &mut [Message]) -> StoreResult<()> {
        if messages.is_empty() {
            return Ok(());
        }
        let ids: Vec<Uuid> = messages.iter().map(|m| m.id).collect();
        let rows = sqlx::query(
            "SELECT message_id, user_id, state, at, acknowledged_at FROM receipts WHERE message_id = ANY($1)",
        )
        .bind(ids)
        .fetch_all(&self.pool)
        .await?;
        let mut by_message: HashMap<Uuid, Vec<Receipt>> = HashMap::new();
        for row in rows {
            by_message
                .entry(row.try_get("message_id")?)
                .or_default()
                .push(Receipt {
                    user_id: row.try_get("user_id")?,
                    state: ReceiptState::from_i64(i64::from(row.try_get::<i16, _>("state")?)),
                    at: row.try_get("at")?,
                    acknowledged_at: row.try_get("acknowledged_at")?,
                });
        }
        for m in messages.iter_mut() {
            m.receipts = by_message.remove(&m.id).unwrap_or_default();
        }
        Ok(())
    }

    /// The newest event's cursor, then every cursor another node (or this one) commits,
    /// as NOTIFY brings them. A lost connection is made again, and what was missed while
    /// it was down is caught up by reading the newest cursor once more.
    async fn listen_for_events(&self, seen: &(dyn Fn(i64) + Send + Sync)) -> sqlx::Result<()> {
        let mut listener = PgListener::connect_with(&self.pool).await?;
        listener.listen(&self.channel).await?;
        loop {
            if let Ok(latest) = self.latest_event().await {
                seen(latest);
            }
            // `None`: the connection dropped; the next call connects again.
            while let Some(note) = listener.try_recv().await? {
                if let Ok(seq) = note.payload().parse() {
                    seen(seq);
                }
            }
        }
    }
}

#[async_trait]
impl Store for PgStore {
    async fn create_user(
        &self,
        user: &User,
        password_hash: &str,
        one_time: bool,
    ) -> StoreResult<()> {
        let r = sqlx::query(
            "INSERT INTO users (id, username, display_name, role, password_hash, created_at, admin, must_change_password) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(user.id)
        .bind(&user.username)
        .bind(&user.display_name)
        .bind(&user.role)
        .bind(password_hash)
        .bind(Utc::now())
        .bind(user.admin)
        .bind(one_time)
        .execute(&self.pool)
        .await;
        match r {
            Err(e) if is_unique_violation(&e) => {
                Err(StoreError::Duplicate(format!("user {}", user.username)))
            }
            other => other.map(|_| ()).map_err(Into::into),
        }
    }

    async fn user_by_username(&self, username: &str) -> StoreResult<Option<StoredUser>> {
        let row = sqlx::query("SELECT * FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(admin::stored_user).transpose()
    }

    async fn create_session(
        &self,
        token_hash: &str,
        user: Uuid,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(user)
            .bind(Utc::now())
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn session_user(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<(User, bool)>> {
        let row = sqlx::query(
            "SELECT u.* FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT u.disabled",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref()
            .map(|r| Ok((user_from(r)?, r.try_get("must_change_password")?)))
            .transpose()
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn create_team(&self, team: &Team, members: &[Uuid]) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO teams (id, name) VALUES ($1, $2)")
            .bind(team.id)
            .bind(&team.name)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO team_members (team_id, user_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING",
        )
        .bind(team.id)
        .bind(members)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn teams_of(&self, user: Uuid) -> StoreResult<Vec<Team>> {
        let rows = sqlx::query(
            "SELECT t.id, t.name FROM teams t JOIN team_members m ON m.team_id = t.id WHERE m.user_id = $1 ORDER BY t.name",
        )
        .bind(user)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Team {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                })
            })
            .collect()
    }

    async fn save_list(
        &self,
        list: &PatientList,
        events: Vec<(Uuid, EventKind)>,
    ) -> StoreResult<Vec<UserEvent>> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO patient_lists (id, team_id, name) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name",
        )
        .bind(list.id)
        .bind(list.team_id)
        .bind(&list.name)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM patient_list_entries WHERE list_id = $1")
            .bind(list.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO patient_list_entries (list_id, patient_id, position)
             SELECT $1, p, n - 1 FROM unnest($2::text[]) WITH ORDINALITY AS e(p, n)",
        )
        .bind(list.id)
        .bind(&list.patient_ids)
        .execute(&mut *tx)
        .await?;
        let written = append_events(&mut tx, &self.channel, events, Utc::now()).await?;
        tx.commit().await?;
        Ok(written)
    }

    async fn delete_list(
        &self,
        id: Uuid,
        events: Vec<(Uuid, EventKind)>,
    ) -> StoreResult<Option<Vec<UserEvent>>> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM patient_list_entries WHERE list_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let gone = sqlx::query("DELETE FROM patient_lists WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if gone == 0 {
            tx.rollback().await?;
            return Ok(None);
        }
        let written = append_events(&mut tx, &self.channel, events, Utc::now()).await?;
        tx.commit().await?;
        Ok(Some(written))
    }

    async fn list_view(&self, user: Uuid, list: Uuid) -> StoreResult<Option<ListView>> {
        let view: Option<String> = sqlx::query_scalar(
            "SELECT COALESCE(
                (SELECT view FROM list_views WHERE user_id = $1 AND list_id = $2),
                (SELECT default_view FROM patient_lists WHERE id = $2))",
        )
        .bind(user)
        .bind(list)
        .fetch_one(&self.pool)
        .await?;
        view.map(|v| {
            serde_json::from_str(&v).map_err(|e| StoreError::Corrupt(format!("list view: {e}")))
        })
        .transpose()
    }

    async fn save_list_view(
        &self,
        user: Option<Uuid>,
        list: Uuid,
        view: &ListView,
    ) -> StoreResult<()> {
        let json = serde_json::to_string(view).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        match user {
            Some(user) => {
                sqlx::query(
                    "INSERT INTO list_views (user_id, list_id, view) VALUES ($1, $2, $3)
                     ON CONFLICT (user_id, list_id) DO UPDATE SET view = excluded.view",
                )
                .bind(user)
                .bind(list)
                .bind(json)
                .execute(&self.pool)
                .await?;
            }
            None => {
                sqlx::query("UPDATE patient_lists SET default_view = $1 WHERE id = $2")
                    .bind(json)
                    .bind(list)
                    .execute(&self.pool)
                    .await?;
            }
        }
        Ok(())
    }

    async fn team_members(&self, team: Uuid) -> StoreResult<Vec<Uuid>> {
        Ok(
            sqlx::query_scalar("SELECT user_id FROM team_members WHERE team_id = $1")
                .bind(team)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    async fn list(&self, id: Uuid) -> StoreResult<Option<PatientList>> {
        let Some(row) = sqlx::query("SELECT id, team_id, name FROM patient_lists WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let patient_ids = sqlx::query_scalar(
            "SELECT patient_id FROM patient_list_entries WHERE list_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(Some(PatientList {
            id: row.try_get("id")?,
            team_id: row.try_get("team_id")?,
            name: row.try_get("name")?,
            patient_ids,
        }))
    }

    async fn lists_for(&self, user: Uuid) -> StoreResult<Vec<PatientList>> {
        let ids: Vec<Uuid> = sqlx::query_scalar(
            "SELECT l.id FROM patient_lists l JOIN team_members m ON m.team_id = l.team_id
             WHERE m.user_id = $1 ORDER BY l.name",
        )
        .bind(user)
        .fetch_all(&self.pool)
        .await?;
        let mut lists = Vec::with_capacity(ids.len());
        for id in ids {
            lists.extend(self.list(id).await?);
        }
        Ok(lists)
    }

    async fn create_conversation(&self, c: &NewConversation) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        let r = sqlx::query("INSERT INTO conversations (id, kind, title, team_id, created_at, subject) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(c.id)
            .bind(kind_str(c.kind))
            .bind(&c.title)
            .bind(c.team_id)
            .bind(Utc::now())
            .bind(&c.subject)
            .execute(&mut *tx)
            .await;
        if let Err(e) = &r {
            if is_unique_violation(e) {
                return Err(StoreError::Duplicate(
                    "a conversation about this patient".into(),
                ));
            }
        }
        r?;
        sqlx::query(
            "INSERT INTO conversation_members (conversation_id, user_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING",
        )
        .bind(c.id)
        .bind(&c.members)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn conversations_for(&self, user: Uuid) -> StoreResult<Vec<ConversationRecord>> {
        let rows = sqlx::query(
            "SELECT c.id, c.kind, c.title, c.subject FROM conversations c
             JOIN conversation_members cm ON cm.conversation_id = c.id
             WHERE cm.user_id = $1 ORDER BY c.created_at, c.id",
        )
        .bind(user)
        .fetch_all(&self.pool)
        .await?;
        let member_rows = sqlx::query(
            "SELECT cm.conversation_id, u.id, u.display_name, u.role FROM conversation_members cm
             JOIN users u ON u.id = cm.user_id
             WHERE cm.conversation_id IN (SELECT conversation_id FROM conversation_members WHERE user_id = $1)
             ORDER BY u.display_name",
        )
        .bind(user)
        .fetch_all(&self.pool)
        .await?;
        let mut members: HashMap<Uuid, Vec<Member>> = HashMap::new();
        for r in &member_rows {
            members
                .entry(r.try_get("conversation_id")?)
                .or_default()
                .push(Member {
                    id: r.try_get("id")?,
                    display_name: r.try_get("display_name")?,
                    role: r.try_get("role")?,
                });
        }
        let unread_rows = sqlx::query(
            "SELECT m.conversation_id, COUNT(*) AS n FROM receipts r JOIN messages m ON m.id = r.message_id
             WHERE r.user_id = $1 AND r.state < 2 GROUP BY m.conversation_id",
        )
        .bind(user)
        .fetch_all(&self.pool)
        .await?;
        let mut unread: HashMap<Uuid, u32> = HashMap::new();
        for r in &unread_rows {
            unread.insert(
                r.try_get("conversation_id")?,
                r.try_get::<i64, _>("n")?.try_into().unwrap_or(u32::MAX),
            );
        }
        rows.iter()
            .map(|r| {
                let id: Uuid = r.try_get("id")?;
                Ok(ConversationRecord {
                    id,
                    kind: kind_from(&r.try_get::<String, _>("kind")?)?,
                    title: r.try_get("title")?,
                    subject: r.try_get("subject")?,
                    members: members.remove(&id).unwrap_or_default(),
                    unread: unread.get(&id).copied().unwrap_or(0),
                })
            })
            .collect()
    }

    async fn conversation_members(&self, conversation: Uuid) -> StoreResult<Option<Vec<Uuid>>> {
        let exists: Option<Uuid> = sqlx::query_scalar("SELECT id FROM conversations WHERE id = $1")
            .bind(conversation)
            .fetch_optional(&self.pool)
            .await?;
        if exists.is_none() {
            return Ok(None);
        }
        Ok(Some(
            sqlx::query_scalar(
                "SELECT user_id FROM conversation_members WHERE conversation_id = $1",
            )
            .bind(conversation)
            .fetch_all(&self.pool)
            .await?,
        ))
    }

    async fn messages(&self, conversation: Uuid, limit: u32) -> StoreResult<Vec<Message>> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id
             WHERE m.conversation_id = $1 ORDER BY m.sent_at DESC, m.seq DESC LIMIT $2"
        );
        let rows = sqlx::query(&sql)
            .bind(conversation)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        let mut messages = rows
            .iter()
            .rev()
            .map(message_from)
            .collect::<StoreResult<Vec<_>>>()?;
        self.attach_receipts(&mut messages).await?;
        Ok(messages)
    }

    async fn message(&self, id: Uuid) -> StoreResult<Option<Message>> {
        let sql = format!("SELECT {MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id WHERE m.id = $1");
        let Some(row) = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let mut messages = vec![message_from(&row)?];
        self.attach_receipts(&mut messages).await?;
        Ok(messages.pop())
    }

    async fn insert_message(
        &self,
        message: &Message,
        events: Vec<(Uuid, EventKind)>,
        schedule: Option<&UrgentSchedule>,
        audit: Option<&crate::model::AuditAct<'_>>,
    ) -> StoreResult<Inserted> {
        let written = super::group_commit::submit(&self.sends, message, events, schedule, audit);
        match written.await? {
            Some(events) => Ok(Inserted::New(events)),
            None => {
                let existing = self.message(message.id).await?.ok_or_else(|| {
                    StoreError::Corrupt(format!("message {} vanished", message.id))
                })?;
                Ok(Inserted::Existing(existing))
            }
        }
    }

    async fn advance_receipt(
        &self,
        message: Uuid,
        user: Uuid,
        state: ReceiptState,
        at: DateTime<Utc>,
        events: Vec<(Uuid, EventKind)>,
    ) -> StoreResult<Option<Vec<UserEvent>>> {
        let mut tx = self.pool.begin().await?;
        let changed = sqlx::query(
            "UPDATE receipts SET state = $1, at = $2 WHERE message_id = $3 AND user_id = $4 AND state < $1",
        )
        .bind(state_i16(state))
        .bind(at)
        .bind(message)
        .bind(user)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            tx.rollback().await?;
            return Ok(None);
        }
        if state == ReceiptState::Read {
            urgent::stop_on_read(&mut tx, message, user).await?;
        }
        let written = append_events(&mut tx, &self.channel, events, at).await?;
        tx.commit().await?;
        Ok(Some(written))
    }

    async fn raw_events_after(
        &self,
        user: Uuid,
        cursor: i64,
        limit: u32,
    ) -> StoreResult<Vec<RawEvent>> {
        let rows = sqlx::query(
            "SELECT seq, payload FROM events WHERE user_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        )
        .bind(user)
        .bind(cursor)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(RawEvent::from_row).collect()
    }

    async fn all_events_after(
        &self,
        cursor: i64,
        limit: u32,
    ) -> StoreResult<Vec<super::StoredEvent>> {
        let rows = sqlx::query(
            "SELECT seq, user_id, payload FROM events WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(cursor)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(super::StoredEvent {
                    user_id: r.try_get("user_id")?,
                    raw: super::RawEvent::from_row(r)?,
                })
            })
            .collect()
    }

    async fn latest_event(&self) -> StoreResult<i64> {
        let seq: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM events")
            .fetch_one(&self.pool)
            .await?;
        Ok(seq.unwrap_or(0))
    }

    async fn latest_cursor(&self, user: Uuid) -> StoreResult<i64> {
        let seq: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM events WHERE user_id = $1")
            .bind(user)
            .fetch_one(&self.pool)
            .await?;
        Ok(seq.unwrap_or(0))
    }

    async fn watch_events(&self, seen: &(dyn Fn(i64) + Send + Sync)) {
        loop {
            if let Err(e) = self.listen_for_events(seen).await {
                crate::server::log::report(&format!("listening for other nodes: {e}"));
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}
