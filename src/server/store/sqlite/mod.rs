//! The SQLite store: one file, WAL, one writer connection (SQLite has one writer anyway;
//! funnelling writes through one connection avoids lock-upgrade failures under load).

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Row, SqlitePool};
use uuid::Uuid;

mod admin;
mod audit;
mod group_commit;
mod logins;
mod policies;
mod presentations;
mod urgent;

use super::{
    kind_from, kind_str, ConversationRecord, Inserted, NewConversation, Store, StoreError,
    StoreResult, StoredUser, UrgentSchedule, UserEvent,
};
use crate::model::{
    Event, EventKind, ListView, Member, Message, PatientList, Priority, Receipt, ReceiptState,
    Team, User,
};
use crate::server::audit_key::AuditKeys;

const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        include_str!("../../../../migrations/sqlite/0001_initial.sql"),
    ),
    (
        2,
        include_str!("../../../../migrations/sqlite/0002_list_views.sql"),
    ),
    (
        3,
        include_str!("../../../../migrations/sqlite/0003_secure_messaging.sql"),
    ),
    (
        4,
        include_str!("../../../../migrations/sqlite/0004_login_failures.sql"),
    ),
    (
        5,
        include_str!("../../../../migrations/sqlite/0005_audit_log.sql"),
    ),
    (
        6,
        include_str!("../../../../migrations/sqlite/0006_presentations.sql"),
    ),
    (
        7,
        include_str!("../../../../migrations/sqlite/0007_audit_workstation.sql"),
    ),
    (
        8,
        include_str!("../../../../migrations/sqlite/0008_escalation_unique.sql"),
    ),
    (
        9,
        include_str!("../../../../migrations/sqlite/0009_audit_key.sql"),
    ),
    (
        10,
        include_str!("../../../../migrations/sqlite/0010_username_nocase.sql"),
    ),
    (
        11,
        include_str!("../../../../migrations/sqlite/0011_one_time_passwords.sql"),
    ),
];

pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
    /// Sends go through group commit (see `group_commit`).
    sends: super::group_commit::Sends,
    /// The background checkpointer, stopped with the store.
    checkpointer: Option<tokio::task::AbortHandle>,
    /// What audit rows are MACed with.
    audit_keys: AuditKeys,
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        if let Some(task) = self.checkpointer.take() {
            task.abort();
        }
    }
}

/// Events written since the last checkpoint that call for the next: under load about one
/// checkpoint every second or two (the WAL stays a few MiB), and a ward's ordinary traffic
/// is not interrupted every second. Each checkpoint syncs the database file, and on a
/// small machine that stalled the sends beside it (paced p99 4.7–6.8 ms with one every
/// second, 2.5–3.0 ms without; BENCHMARKS.md).
const CHECKPOINT_AFTER_EVENTS: i64 = 2_000;
/// A quiet ward's WAL is still copied back within this long of a write.
const CHECKPOINT_AT_MOST_EVERY: Duration = Duration::from_secs(30);
/// Writes that append no events (logins, the audit log, accounts) are copied back too.
const CHECKPOINT_AT_LEAST_EVERY: Duration = Duration::from_secs(300);

/// Copies the WAL back into the database beside the writer without blocking it (PASSIVE),
/// so the WAL stays small and no commit pays for a checkpoint; looks every second whether
/// enough was written to be worth one.
async fn checkpoints(pool: SqlitePool) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let (mut events_then, mut then) = (None, tokio::time::Instant::now());
    loop {
        tick.tick().await;
        if pool.is_closed() {
            return;
        }
        let events: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM events")
            .fetch_one(&pool)
            .await
            .unwrap_or(None);
        let written = events.unwrap_or(0) - events_then.unwrap_or(0);
        let due = written >= CHECKPOINT_AFTER_EVENTS
            || (written > 0 && then.elapsed() >= CHECKPOINT_AT_MOST_EVERY)
            || then.elapsed() >= CHECKPOINT_AT_LEAST_EVERY;
        if !due {
            continue;
        }
        match sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&pool)
            .await
        {
            Ok(_) => (events_then, then) = (events, tokio::time::Instant::now()),
            Err(e) => {
                if pool.is_closed() {
                    return;
                }
                crate::server::log::report(&format!("WAL checkpoint: {e}"));
            }
        }
    }
}

impl SqliteStore {
    /// A write transaction that takes the write lock at once (BEGIN IMMEDIATE). A deferred
    /// one that read first fails with SQLITE_BUSY, past any busy timeout, when another
    /// process (another node on the same file) committed in between.
    async fn write_tx(&self) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        self.writer.begin_with("BEGIN IMMEDIATE").await
    }

    pub async fn open(path: &Path, audit_keys: AuditKeys) -> StoreResult<Self> {
        let open_err = |e: &dyn std::fmt::Display| StoreError::Open {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        // Messages and the audit log are in it: for the server's user alone. SQLite gives
        // its WAL and shared-memory files the database file's mode.
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            super::create_private_dir(dir).map_err(|e| open_err(&e))?;
        }
        super::create_private_file(path).map_err(|e| open_err(&e))?;
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true)
            // Checkpoints run beside the writer (below), not inside whichever commit
            // happens to cross the threshold: that commit's sender would wait for it.
            .pragma("wal_autocheckpoint", "0");
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await
            .map_err(|e| open_err(&e))?;
        let mut store = SqliteStore {
            reader: SqlitePoolOptions::new()
                .max_connections(4)
                .connect_lazy_with(options.read_only(false)),
            sends: super::group_commit::start(group_commit::SqliteBatches {
                writer: writer.clone(),
                audit_keys: audit_keys.clone(),
            }),
            writer,
            checkpointer: None,
            audit_keys,
        };
        store.migrate().await?;
        store.checkpointer = Some(tokio::spawn(checkpoints(store.reader.clone())).abort_handle());
        Ok(store)
    }

    async fn migrate(&self) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
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
            sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)")
                .bind(version)
                .bind(Utc::now())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

fn uuid(row: &SqliteRow, col: &str) -> StoreResult<Uuid> {
    let s: String = row.try_get(col)?;
    Uuid::parse_str(&s).map_err(|e| StoreError::Corrupt(format!("{col} {s:?}: {e}")))
}

fn user_from(row: &SqliteRow) -> StoreResult<User> {
    Ok(User {
        id: uuid(row, "id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        role: row.try_get("role")?,
        admin: row.try_get::<i64, _>("admin")? != 0,
    })
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

async fn append_events(
    tx: &mut sqlx::SqliteConnection,
    events: Vec<(Uuid, EventKind)>,
    now: DateTime<Utc>,
) -> StoreResult<Vec<UserEvent>> {
    // One statement per batch of rows: a message to a team is one event per member.
    const ROWS_PER_STATEMENT: usize = 200;
    let mut out = Vec::with_capacity(events.len());
    let mut events = events.into_iter().peekable();
    while events.peek().is_some() {
        let chunk: Vec<(Uuid, EventKind)> = events.by_ref().take(ROWS_PER_STATEMENT).collect();
        let mut insert =
            sqlx::QueryBuilder::new("INSERT INTO events (user_id, payload, created_at) ");
        let mut payloads = Vec::with_capacity(chunk.len());
        for (_, kind) in &chunk {
            payloads
                .push(serde_json::to_string(kind).map_err(|e| StoreError::Corrupt(e.to_string()))?);
        }
        insert.push_values(
            chunk.iter().zip(&payloads),
            |mut row, ((user, _), payload)| {
                row.push_bind(user.to_string())
                    .push_bind(payload)
                    .push_bind(now);
            },
        );
        insert.push(" RETURNING seq");
        let mut seqs: Vec<i64> = insert.build_query_scalar().fetch_all(&mut *tx).await?;
        // RETURNING promises no order; rows take increasing seqs in the order given.
        seqs.sort_unstable();
        if seqs.len() != chunk.len() {
            return Err(StoreError::Corrupt("an event was not stored".into()));
        }
        for ((user_id, kind), cursor) in chunk.into_iter().zip(seqs) {
            out.push(UserEvent {
                user_id,
                event: Event { cursor, kind },
            });
        }
    }
    Ok(out)
}

const MESSAGE_COLUMNS: &str = "m.id, m.conversation_id, m.sender_id, u.display_name AS sender_name, m.body, m.priority, m.sent_at, m.ack_required, m.escalation_of";

fn message_from(row: &SqliteRow) -> StoreResult<Message> {
    let priority: String = row.try_get("priority")?;
    Ok(Message {
        id: uuid(row, "id")?,
        conversation_id: uuid(row, "conversation_id")?,
        sender_id: uuid(row, "sender_id")?,
        sender_name: row.try_get("sender_name")?,
        body: row.try_get("body")?,
        priority: Priority::parse(&priority)
            .ok_or_else(|| StoreError::Corrupt(format!("priority {priority:?}")))?,
        sent_at: row.try_get("sent_at")?,
        receipts: Vec::new(),
        ack_required: row.try_get::<i64, _>("ack_required")? != 0,
        escalation_of: row
            .try_get::<Option<String>, _>("escalation_of")?
            .map(|s| Uuid::parse_str(&s).map_err(|e| StoreError::Corrupt(e.to_string())))
            .transpose()?,
    })
}

/// Inserts a message, its receipts and (for urgent) its re-notify schedule; `false` when a
/// message with this id exists already.
async fn insert_message_tx(
    tx: &mut sqlx::SqliteConnection,
    message: &Message,
    schedule: Option<&UrgentSchedule>,
) -> StoreResult<bool> {
    let inserted = sqlx::query(
        "INSERT INTO messages (id, conversation_id, sender_id, body, priority, sent_at, ack_required, escalation_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO NOTHING",
    )
    .bind(message.id.to_string())
    .bind(message.conversation_id.to_string())
    .bind(message.sender_id.to_string())
    .bind(&message.body)
    .bind(message.priority.as_str())
    .bind(message.sent_at)
    .bind(message.ack_required)
    .bind(message.escalation_of.map(|id| id.to_string()))
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Ok(false);
    }
    for r in &message.receipts {
        sqlx::query("INSERT INTO receipts (message_id, user_id, state, at) VALUES (?, ?, ?, ?)")
            .bind(message.id.to_string())
            .bind(r.user_id.to_string())
            .bind(r.state.as_i64())
            .bind(r.at)
            .execute(&mut *tx)
            .await?;
    }
    if let Some(schedule) = schedule {
        urgent::schedule(tx, message, schedule).await?;
    }
    Ok(true)
}

impl SqliteStore {
    async fn attach_receipts(&self, messages: &mut [Message]) -> StoreResult<()> {
        if messages.is_empty() {
            return Ok(());
        }
        let placeholders = vec!["?"; messages.len()].join(",");
        let sql = format!("SELECT message_id, user_id, state, at, acknowledged_at FROM receipts WHERE message_id IN ({placeholders})");
        let mut q = sqlx::query(&sql);
        for m in messages.iter() {
            q = q.bind(m.id.to_string());
        }
        let mut by_message: HashMap<Uuid, Vec<Receipt>> = HashMap::new();
        for row in q.fetch_all(&self.reader).await? {
            by_message
                .entry(uuid(&row, "message_id")?)
                .or_default()
                .push(Receipt {
                    user_id: uuid(&row, "user_id")?,
                    state: ReceiptState::from_i64(row.try_get("state")?),
                    at: row.try_get("at")?,
                    acknowledged_at: row.try_get("acknowledged_at")?,
                });
        }
        for m in messages.iter_mut() {
            m.receipts = by_message.remove(&m.id).unwrap_or_default();
        }
        Ok(())
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn create_user(
        &self,
        user: &User,
        password_hash: &str,
        one_time: bool,
    ) -> StoreResult<()> {
        let r = sqlx::query(
            "INSERT INTO users (id, username, display_name, role, password_hash, created_at, admin, must_change_password) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(user.id.to_string())
        .bind(&user.username)
        .bind(&user.display_name)
        .bind(&user.role)
        .bind(password_hash)
        .bind(Utc::now())
        .bind(user.admin)
        .bind(one_time)
        .execute(&self.writer)
        .await;
        match r {
            Err(e) if is_unique_violation(&e) => {
                Err(StoreError::Duplicate(format!("user {}", user.username)))
            }
            other => other.map(|_| ()).map_err(Into::into),
        }
    }

    async fn user_by_username(&self, username: &str) -> StoreResult<Option<StoredUser>> {
        let row = sqlx::query("SELECT * FROM users WHERE username = ?")
            .bind(username)
            .fetch_optional(&self.reader)
            .await?;
        row.map(|row| {
            Ok(StoredUser {
                user: user_from(&row)?,
                password_hash: row.try_get("password_hash")?,
                disabled: row.try_get::<i64, _>("disabled")? != 0,
                password_change_due: row.try_get::<i64, _>("must_change_password")? != 0,
            })
        })
        .transpose()
    }

    async fn create_session(
        &self,
        token_hash: &str,
        user: Uuid,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
            .bind(token_hash)
            .bind(user.to_string())
            .bind(Utc::now())
            .bind(expires_at)
            .execute(&self.writer)
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
             WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = 0",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.reader)
        .await?;
        row.as_ref()
            .map(|r| {
                Ok((
                    user_from(r)?,
                    r.try_get::<i64, _>("must_change_password")? != 0,
                ))
            })
            .transpose()
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
            .bind(token_hash)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn create_team(&self, team: &Team, members: &[Uuid]) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query("INSERT INTO teams (id, name) VALUES (?, ?)")
            .bind(team.id.to_string())
            .bind(&team.name)
            .execute(&mut *tx)
            .await?;
        for m in members {
            sqlx::query("INSERT INTO team_members (team_id, user_id) VALUES (?, ?)")
                .bind(team.id.to_string())
                .bind(m.to_string())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn teams_of(&self, user: Uuid) -> StoreResult<Vec<Team>> {
        let rows = sqlx::query(
            "SELECT t.id, t.name FROM teams t JOIN team_members m ON m.team_id = t.id WHERE m.user_id = ? ORDER BY t.name",
        )
        .bind(user.to_string())
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Team {
                    id: uuid(r, "id")?,
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
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO patient_lists (id, team_id, name) VALUES (?, ?, ?)
             ON CONFLICT(id) DO UPDATE SET name = excluded.name",
        )
        .bind(list.id.to_string())
        .bind(list.team_id.to_string())
        .bind(&list.name)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM patient_list_entries WHERE list_id = ?")
            .bind(list.id.to_string())
            .execute(&mut *tx)
            .await?;
        for (position, patient) in list.patient_ids.iter().enumerate() {
            sqlx::query(
                "INSERT INTO patient_list_entries (list_id, patient_id, position) VALUES (?, ?, ?)",
            )
            .bind(list.id.to_string())
            .bind(patient)
            .bind(position as i64)
            .execute(&mut *tx)
            .await?;
        }
        let written = append_events(&mut tx, events, Utc::now()).await?;
        tx.commit().await?;
        Ok(written)
    }

    async fn delete_list(
        &self,
        id: Uuid,
        events: Vec<(Uuid, EventKind)>,
    ) -> StoreResult<Option<Vec<UserEvent>>> {
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM patient_list_entries WHERE list_id = ?")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        let gone = sqlx::query("DELETE FROM patient_lists WHERE id = ?")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if gone == 0 {
            tx.rollback().await?;
            return Ok(None);
        }
        let written = append_events(&mut tx, events, Utc::now()).await?;
        tx.commit().await?;
        Ok(Some(written))
    }

    async fn list_view(&self, user: Uuid, list: Uuid) -> StoreResult<Option<ListView>> {
        let mine: Option<String> =
            sqlx::query_scalar("SELECT view FROM list_views WHERE user_id = ? AND list_id = ?")
                .bind(user.to_string())
                .bind(list.to_string())
                .fetch_optional(&self.reader)
                .await?;
        let view = match mine {
            Some(v) => Some(v),
            None => sqlx::query_scalar::<_, Option<String>>(
                "SELECT default_view FROM patient_lists WHERE id = ?",
            )
            .bind(list.to_string())
            .fetch_optional(&self.reader)
            .await?
            .flatten(),
        };
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
                    "INSERT INTO list_views (user_id, list_id, view) VALUES (?, ?, ?)
                     ON CONFLICT(user_id, list_id) DO UPDATE SET view = excluded.view",
                )
                .bind(user.to_string())
                .bind(list.to_string())
                .bind(json)
                .execute(&self.writer)
                .await?;
            }
            None => {
                sqlx::query("UPDATE patient_lists SET default_view = ? WHERE id = ?")
                    .bind(json)
                    .bind(list.to_string())
                    .execute(&self.writer)
                    .await?;
            }
        }
        Ok(())
    }

    async fn team_members(&self, team: Uuid) -> StoreResult<Vec<Uuid>> {
        let ids: Vec<String> =
            sqlx::query_scalar("SELECT user_id FROM team_members WHERE team_id = ?")
                .bind(team.to_string())
                .fetch_all(&self.reader)
                .await?;
        ids.iter()
            .map(|s| Uuid::parse_str(s).map_err(|e| StoreError::Corrupt(e.to_string())))
            .collect()
    }

    async fn list(&self, id: Uuid) -> StoreResult<Option<PatientList>> {
        let Some(row) = sqlx::query("SELECT id, team_id, name FROM patient_lists WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(&self.reader)
            .await?
        else {
            return Ok(None);
        };
        let patient_ids = sqlx::query_scalar(
            "SELECT patient_id FROM patient_list_entries WHERE list_id = ? ORDER BY position",
        )
        .bind(id.to_string())
        .fetch_all(&self.reader)
        .await?;
        Ok(Some(PatientList {
            id: uuid(&row, "id")?,
            team_id: uuid(&row, "team_id")?,
            name: row.try_get("name")?,
            patient_ids,
        }))
    }

    async fn lists_for(&self, user: Uuid) -> StoreResult<Vec<PatientList>> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT l.id FROM patient_lists l JOIN team_members m ON m.team_id = l.team_id
             WHERE m.user_id = ? ORDER BY l.name",
        )
        .bind(user.to_string())
        .fetch_all(&self.reader)
        .await?;
        let mut lists = Vec::with_capacity(ids.len());
        for id in ids {
            let id = Uuid::parse_str(&id).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            lists.extend(self.list(id).await?);
        }
        Ok(lists)
    }

    async fn create_conversation(&self, c: &NewConversation) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let r = sqlx::query("INSERT INTO conversations (id, kind, title, team_id, created_at, subject) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(c.id.to_string())
            .bind(kind_str(c.kind))
            .bind(&c.title)
            .bind(c.team_id.map(|t| t.to_string()))
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
        for m in &c.members {
            sqlx::query(
                "INSERT INTO conversation_members (conversation_id, user_id) VALUES (?, ?)",
            )
            .bind(c.id.to_string())
            .bind(m.to_string())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn conversations_for(&self, user: Uuid) -> StoreResult<Vec<ConversationRecord>> {
        let me = user.to_string();
        let rows = sqlx::query(
            "SELECT c.id, c.kind, c.title, c.subject FROM conversations c
             JOIN conversation_members cm ON cm.conversation_id = c.id
             WHERE cm.user_id = ? ORDER BY c.created_at, c.id",
        )
        .bind(&me)
        .fetch_all(&self.reader)
        .await?;
        let member_rows = sqlx::query(
            "SELECT cm.conversation_id, u.id, u.display_name, u.role FROM conversation_members cm
             JOIN users u ON u.id = cm.user_id
             WHERE cm.conversation_id IN (SELECT conversation_id FROM conversation_members WHERE user_id = ?)
             ORDER BY u.display_name",
        )
        .bind(&me)
        .fetch_all(&self.reader)
        .await?;
        let mut members: HashMap<Uuid, Vec<Member>> = HashMap::new();
        for r in &member_rows {
            members
                .entry(uuid(r, "conversation_id")?)
                .or_default()
                .push(Member {
                    id: uuid(r, "id")?,
                    display_name: r.try_get("display_name")?,
                    role: r.try_get("role")?,
                });
        }
        let unread_rows = sqlx::query(
            "SELECT m.conversation_id, COUNT(*) AS n FROM receipts r JOIN messages m ON m.id = r.message_id
             WHERE r.user_id = ? AND r.state < 2 GROUP BY m.conversation_id",
        )
        .bind(&me)
        .fetch_all(&self.reader)
        .await?;
        let mut unread: HashMap<Uuid, u32> = HashMap::new();
        for r in &unread_rows {
            unread.insert(
                uuid(r, "conversation_id")?,
                r.try_get::<i64, _>("n")?.try_into().unwrap_or(u32::MAX),
            );
        }
        rows.iter()
            .map(|r| {
                let id = uuid(r, "id")?;
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
        let exists: Option<String> =
            sqlx::query_scalar("SELECT id FROM conversations WHERE id = ?")
                .bind(conversation.to_string())
                .fetch_optional(&self.reader)
                .await?;
        if exists.is_none() {
            return Ok(None);
        }
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT user_id FROM conversation_members WHERE conversation_id = ?",
        )
        .bind(conversation.to_string())
        .fetch_all(&self.reader)
        .await?;
        ids.iter()
            .map(|s| Uuid::parse_str(s).map_err(|e| StoreError::Corrupt(e.to_string())))
            .collect::<StoreResult<Vec<_>>>()
            .map(Some)
    }

    async fn messages(&self, conversation: Uuid, limit: u32) -> StoreResult<Vec<Message>> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id
             WHERE m.conversation_id = ? ORDER BY m.sent_at DESC, m.rowid DESC LIMIT ?"
        );
        let rows = sqlx::query(&sql)
            .bind(conversation.to_string())
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
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
        let sql = format!("SELECT {MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id WHERE m.id = ?");
        let Some(row) = sqlx::query(&sql)
            .bind(id.to_string())
            .fetch_optional(&self.reader)
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
        let mut tx = self.write_tx().await?;
        let changed = sqlx::query("UPDATE receipts SET state = ?, at = ? WHERE message_id = ? AND user_id = ? AND state < ?")
            .bind(state.as_i64())
            .bind(at)
            .bind(message.to_string())
            .bind(user.to_string())
            .bind(state.as_i64())
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
        let written = append_events(&mut tx, events, at).await?;
        tx.commit().await?;
        Ok(Some(written))
    }

    async fn raw_events_after(
        &self,
        user: Uuid,
        cursor: i64,
        limit: u32,
    ) -> StoreResult<Vec<super::RawEvent>> {
        let rows = sqlx::query(
            "SELECT seq, payload FROM events WHERE user_id = ? AND seq > ? ORDER BY seq LIMIT ?",
        )
        .bind(user.to_string())
        .bind(cursor)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(super::RawEvent::from_row).collect()
    }

    async fn all_events_after(
        &self,
        cursor: i64,
        limit: u32,
    ) -> StoreResult<Vec<super::StoredEvent>> {
        let rows = sqlx::query(
            "SELECT seq, user_id, payload FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
        )
        .bind(cursor)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(super::StoredEvent {
                    user_id: uuid(r, "user_id")?,
                    raw: super::RawEvent::from_row(r)?,
                })
            })
            .collect()
    }

    async fn latest_event(&self) -> StoreResult<i64> {
        let seq: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM events")
            .fetch_one(&self.reader)
            .await?;
        Ok(seq.unwrap_or(0))
    }

    async fn latest_cursor(&self, user: Uuid) -> StoreResult<i64> {
        let seq: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM events WHERE user_id = ?")
            .bind(user.to_string())
            .fetch_one(&self.reader)
            .await?;
        Ok(seq.unwrap_or(0))
    }

    /// SQLite has no notifications between processes: each node looks at the newest
    /// event every [`WATCH_EVERY`].
    async fn watch_events(&self, seen: &(dyn Fn(i64) + Send + Sync)) {
        let mut tick = tokio::time::interval(WATCH_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            // A failed look is tried again at the next tick.
            if let Ok(latest) = self.latest_event().await {
                seen(latest);
            }
        }
    }
}

/// How stale a stream on one node may be about another node's write (SQLite).
const WATCH_EVERY: Duration = Duration::from_millis(50);
