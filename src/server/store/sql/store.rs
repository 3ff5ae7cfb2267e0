//! The `Store` trait on either engine: accounts and sessions, teams, lists and their views,
//! conversations, messages and receipts, and reading events back. Appending events,
//! watching for them and the bulk inserts are the engine's (see [`super::Engine`]).

/// Stamps `impl Store for $engine`.
macro_rules! store_impl {
    ($engine:ty) => {
        // A block of its own, so that these imports stay out of the engine's module.
        const _: () = {
            use std::collections::HashMap;

            use chrono::{DateTime, Utc};
            use sqlx::Row as _;
            use uuid::Uuid;

            use $crate::model::{
                AuditAct, EventKind, ListView, Member, Message, PatientList, ReceiptState, Team,
                User,
            };
            use $crate::server::store::sql::{
                is_unique_violation, state_i16, uuids, Conn, Engine, Id, MESSAGE_COLUMNS,
            };
            use $crate::server::store::{
                group_commit, kind_from, kind_str, ConversationRecord, Inserted, NewConversation,
                ListChange, ListChanged, ListEvents, RawEvent, Store, StoreError, StoreResult, StoredEvent, StoredUser, UrgentSchedule,
                UserEvent,
            };

            impl $engine {
                /// A list as stored: its row, then its entries in order with their marks.
                async fn load_list(
                    conn: &mut Conn<$engine>,
                    id: Uuid,
                ) -> StoreResult<Option<PatientList>> {
                    let Some(row) = sqlx::query("SELECT team_id, name, source FROM patient_lists WHERE id = $1")
                        .bind(Id(id))
                        .fetch_optional(&mut *conn)
                        .await?
                    else {
                        return Ok(None);
                    };
                    let source = row
                        .try_get::<Option<String>, _>("source")?
                        .map(|s| serde_json::from_str(&s))
                        .transpose()
                        .map_err(|e| StoreError::Corrupt(format!("list source: {e}")))?;
                    let entries = sqlx::query(
                        "SELECT patient_id, arrived, gone_at FROM patient_list_entries WHERE list_id = $1 ORDER BY position",
                    )
                    .bind(Id(id))
                    .fetch_all(&mut *conn)
                    .await?;
                    let mut list = PatientList {
                        id,
                        team_id: row.try_get::<Id, _>("team_id")?.0,
                        name: row.try_get("name")?,
                        source,
                        ..PatientList::default()
                    };
                    for e in entries {
                        let patient: String = e.try_get("patient_id")?;
                        let mark = $crate::model::EntryMark {
                            new: e.try_get("arrived")?,
                            gone_at: e.try_get("gone_at")?,
                        };
                        if mark != $crate::model::EntryMark::default() {
                            list.marks.insert(patient.clone(), mark);
                        }
                        list.patient_ids.push(patient);
                    }
                    Ok(Some(list))
                }

                /// Inserts a message, its receipts and (for urgent) its re-notify schedule;
                /// `false` when a message with this id exists already.
                pub(super) async fn insert_message_tx(
                    tx: &mut Conn<$engine>,
                    message: &Message,
                    schedule: Option<&UrgentSchedule>,
                ) -> StoreResult<bool> {
                    let inserted = sqlx::query(
                        "INSERT INTO messages (id, conversation_id, sender_id, body, priority, sent_at, ack_required, escalation_of)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING",
                    )
                    .bind(Id(message.id))
                    .bind(Id(message.conversation_id))
                    .bind(Id(message.sender_id))
                    .bind(&message.body)
                    .bind(message.priority.as_str())
                    .bind(message.sent_at)
                    .bind(message.ack_required)
                    .bind(message.escalation_of.map(Id))
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
                        .bind(Id(message.id))
                        .bind(Id(r.user_id))
                        .bind(state_i16(r.state))
                        .bind(r.at)
                        .execute(&mut *tx)
                        .await?;
                    }
                    if let Some(schedule) = schedule {
                        <$engine as Engine>::schedule_urgent(tx, message, schedule).await?;
                    }
                    Ok(true)
                }
            }

            #[async_trait::async_trait]
            impl Store for $engine {
                // Accounts and sessions.

                async fn create_user(
                    &self,
                    user: &User,
                    password_hash: &str,
                    one_time: bool,
                ) -> StoreResult<()> {
                    let r = sqlx::query(
                        "INSERT INTO users (id, username, display_name, role, password_hash, created_at, admin, must_change_password)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(Id(user.id))
                    .bind(&user.username)
                    .bind(&user.display_name)
                    .bind(&user.role)
                    .bind(password_hash)
                    .bind(Utc::now())
                    .bind(user.admin)
                    .bind(one_time)
                    .execute(self.writes())
                    .await;
                    match r {
                        Err(e) if is_unique_violation(&e) => Err(
                            StoreError::Duplicate(format!("user {}", user.username)),
                        ),
                        other => other.map(|_| ()).map_err(Into::into),
                    }
                }

                async fn user_by_username(
                    &self,
                    username: &str,
                ) -> StoreResult<Option<StoredUser>> {
                    let row = sqlx::query("SELECT * FROM users WHERE username = $1")
                        .bind(username)
                        .fetch_optional(self.reads())
                        .await?;
                    row.as_ref().map(Self::stored_user).transpose()
                }

                async fn create_session(
                    &self,
                    token_hash: &str,
                    user: Uuid,
                    expires_at: DateTime<Utc>,
                ) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(token_hash)
                    .bind(Id(user))
                    .bind(Utc::now())
                    .bind(expires_at)
                    .execute(self.writes())
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
                    .fetch_optional(self.reads())
                    .await?;
                    row.as_ref()
                        .map(|r| Ok((Self::user_from(r)?, r.try_get("must_change_password")?)))
                        .transpose()
                }

                async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
                    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                        .bind(token_hash)
                        .execute(self.writes())
                        .await?;
                    Ok(())
                }

                // Teams.

                async fn create_team(
                    &self,
                    team: &Team,
                    members: &[Uuid],
                ) -> StoreResult<()> {
                    let mut tx = self.begin_write().await?;
                    sqlx::query("INSERT INTO teams (id, name) VALUES ($1, $2)")
                        .bind(Id(team.id))
                        .bind(&team.name)
                        .execute(&mut *tx)
                        .await?;
                    <Self as Engine>::add_team_members(&mut tx, team.id, members).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn teams_of(
                    &self,
                    user: Uuid,
                ) -> StoreResult<Vec<Team>> {
                    let rows = sqlx::query(
                        "SELECT t.id, t.name FROM teams t JOIN team_members m ON m.team_id = t.id
                         WHERE m.user_id = $1 ORDER BY t.name",
                    )
                    .bind(Id(user))
                    .fetch_all(self.reads())
                    .await?;
                    rows.iter().map(Self::team_from).collect()
                }

                async fn team_members(
                    &self,
                    team: Uuid,
                ) -> StoreResult<Vec<Uuid>> {
                    let ids = sqlx::query_scalar("SELECT user_id FROM team_members WHERE team_id = $1")
                        .bind(Id(team))
                        .fetch_all(self.reads())
                        .await?;
                    Ok(uuids(ids))
                }

                // Lists and how they are arranged.

                async fn change_list(
                    &self,
                    id: Uuid,
                    change: ListChange<'_>,
                    events: &ListEvents,
                ) -> StoreResult<Option<ListChanged>> {
                    let mut tx = self.begin_write().await?;
                    if let ListChange::Create(list) = change {
                        let source = list
                            .source
                            .as_ref()
                            .map(serde_json::to_string)
                            .transpose()
                            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                        sqlx::query("INSERT INTO patient_lists (id, team_id, name, source) VALUES ($1, $2, $3, $4)")
                            .bind(Id(id))
                            .bind(Id(list.team_id))
                            .bind(&list.name)
                            .bind(source)
                            .execute(&mut *tx)
                            .await?;
                    }
                    // Takes the list's row (PostgreSQL locks it; SQLite has one writer):
                    // changes to one list, and its deletion, happen one after another.
                    let take = match change {
                        ListChange::Rename(name) => {
                            sqlx::query("UPDATE patient_lists SET name = $2 WHERE id = $1")
                                .bind(Id(id))
                                .bind(name)
                        }
                        _ => sqlx::query("UPDATE patient_lists SET name = name WHERE id = $1")
                            .bind(Id(id)),
                    };
                    if take.execute(&mut *tx).await?.rows_affected() == 0 {
                        tx.rollback().await?;
                        return Ok(None);
                    }
                    let changed = match change {
                        ListChange::Create(list) => {
                            <Self as Engine>::add_list_entries(&mut tx, id, &list.patient_ids, 0).await?;
                            true
                        }
                        ListChange::Rename(_) => true,
                        ListChange::Add(patients) => {
                            let on_list: Vec<String> = sqlx::query_scalar(
                                "SELECT patient_id FROM patient_list_entries WHERE list_id = $1",
                            )
                            .bind(Id(id))
                            .fetch_all(&mut *tx)
                            .await?;
                            let mut new: Vec<String> = Vec::new();
                            for p in patients {
                                if !on_list.contains(p) && !new.contains(p) {
                                    new.push(p.clone());
                                }
                            }
                            let next: i64 = sqlx::query_scalar(
                                "SELECT COALESCE(MAX(position) + 1, 0) FROM patient_list_entries WHERE list_id = $1",
                            )
                            .bind(Id(id))
                            .fetch_one(&mut *tx)
                            .await?;
                            <Self as Engine>::add_list_entries(&mut tx, id, &new, next).await?;
                            !new.is_empty()
                        }
                        ListChange::Remove(patient) => {
                            sqlx::query("DELETE FROM patient_list_entries WHERE list_id = $1 AND patient_id = $2")
                                .bind(Id(id))
                                .bind(patient)
                                .execute(&mut *tx)
                                .await?
                                .rows_affected()
                                > 0
                        }
                        ListChange::Seen(patient) => {
                            sqlx::query("UPDATE patient_list_entries SET arrived = $3 WHERE list_id = $1 AND patient_id = $2 AND arrived = $4")
                                .bind(Id(id))
                                .bind(patient)
                                .bind(false)
                                .bind(true)
                                .execute(&mut *tx)
                                .await?
                                .rows_affected()
                                > 0
                        }
                        ListChange::Follow(moves) => {
                            let mut changed = 0;
                            for p in &moves.arrived {
                                // Back after a discharge today: the row comes back to life.
                                changed += sqlx::query("UPDATE patient_list_entries SET arrived = $3, gone_at = NULL WHERE list_id = $1 AND patient_id = $2 AND gone_at IS NOT NULL")
                                    .bind(Id(id))
                                    .bind(p)
                                    .bind(true)
                                    .execute(&mut *tx)
                                    .await?
                                    .rows_affected();
                            }
                            let on_list: Vec<String> = sqlx::query_scalar(
                                "SELECT patient_id FROM patient_list_entries WHERE list_id = $1",
                            )
                            .bind(Id(id))
                            .fetch_all(&mut *tx)
                            .await?;
                            let mut next: i64 = sqlx::query_scalar(
                                "SELECT COALESCE(MAX(position) + 1, 0) FROM patient_list_entries WHERE list_id = $1",
                            )
                            .bind(Id(id))
                            .fetch_one(&mut *tx)
                            .await?;
                            for p in moves.arrived.iter().filter(|p| !on_list.contains(p)) {
                                changed += sqlx::query(
                                    "INSERT INTO patient_list_entries (list_id, patient_id, position, arrived) VALUES ($1, $2, $3, $4)",
                                )
                                .bind(Id(id))
                                .bind(p)
                                .bind(next)
                                .bind(true)
                                .execute(&mut *tx)
                                .await?
                                .rows_affected();
                                next += 1;
                            }
                            for p in &moves.gone {
                                changed += sqlx::query("UPDATE patient_list_entries SET arrived = $3, gone_at = $4 WHERE list_id = $1 AND patient_id = $2 AND gone_at IS NULL")
                                    .bind(Id(id))
                                    .bind(p)
                                    .bind(false)
                                    .bind(moves.at)
                                    .execute(&mut *tx)
                                    .await?
                                    .rows_affected();
                            }
                            for p in &moves.dropped {
                                changed += sqlx::query("DELETE FROM patient_list_entries WHERE list_id = $1 AND patient_id = $2 AND gone_at IS NOT NULL")
                                    .bind(Id(id))
                                    .bind(p)
                                    .execute(&mut *tx)
                                    .await?
                                    .rows_affected();
                            }
                            changed > 0 || moves.moved
                        }
                    };
                    let list = Self::load_list(&mut tx, id)
                        .await?
                        .ok_or_else(|| StoreError::Corrupt(format!("list {id} went in its own change")))?;
                    let written = if changed {
                        self.append_events_in(&mut tx, events(&list), Utc::now()).await?
                    } else {
                        Vec::new()
                    };
                    tx.commit().await?;
                    Ok(Some(ListChanged { list, written, changed }))
                }

                async fn delete_list(
                    &self,
                    id: Uuid,
                    events: Vec<(Uuid, EventKind)>,
                ) -> StoreResult<Option<Vec<UserEvent>>> {
                    let mut tx = self.begin_write().await?;
                    // The list's row first, as a change takes it: a change waiting on it
                    // then finds no list, and adds nothing to one being deleted.
                    sqlx::query("UPDATE patient_lists SET name = name WHERE id = $1")
                        .bind(Id(id))
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query("DELETE FROM patient_list_entries WHERE list_id = $1")
                        .bind(Id(id))
                        .execute(&mut *tx)
                        .await?;
                    let gone = sqlx::query("DELETE FROM patient_lists WHERE id = $1")
                        .bind(Id(id))
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    if gone == 0 {
                        tx.rollback().await?;
                        return Ok(None);
                    }
                    let written = self.append_events_in(&mut tx, events, Utc::now()).await?;
                    tx.commit().await?;
                    Ok(Some(written))
                }

                async fn list_view(
                    &self,
                    user: Uuid,
                    list: Uuid,
                ) -> StoreResult<Option<ListView>> {
                    let view: Option<String> = sqlx::query_scalar(
                        "SELECT COALESCE(
                            (SELECT view FROM list_views WHERE user_id = $1 AND list_id = $2),
                            (SELECT default_view FROM patient_lists WHERE id = $2))",
                    )
                    .bind(Id(user))
                    .bind(Id(list))
                    .fetch_one(self.reads())
                    .await?;
                    view.map(|v| {
                        serde_json::from_str(&v).map_err(|e| {
                            StoreError::Corrupt(format!("list view: {e}"))
                        })
                    })
                    .transpose()
                }

                async fn save_list_view(
                    &self,
                    user: Option<Uuid>,
                    list: Uuid,
                    view: &ListView,
                ) -> StoreResult<()> {
                    let json = serde_json::to_string(view)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    match user {
                        Some(user) => {
                            sqlx::query(
                                "INSERT INTO list_views (user_id, list_id, view) VALUES ($1, $2, $3)
                                 ON CONFLICT (user_id, list_id) DO UPDATE SET view = excluded.view",
                            )
                            .bind(Id(user))
                            .bind(Id(list))
                            .bind(json)
                            .execute(self.writes())
                            .await?;
                        }
                        None => {
                            sqlx::query("UPDATE patient_lists SET default_view = $1 WHERE id = $2")
                                .bind(json)
                                .bind(Id(list))
                                .execute(self.writes())
                                .await?;
                        }
                    }
                    Ok(())
                }

                async fn list(
                    &self,
                    id: Uuid,
                ) -> StoreResult<Option<PatientList>> {
                    let mut conn = self.reads().acquire().await?;
                    Self::load_list(&mut conn, id).await
                }

                async fn sourced_lists(&self) -> StoreResult<Vec<PatientList>> {
                    let ids = sqlx::query_scalar("SELECT id FROM patient_lists WHERE source IS NOT NULL")
                        .fetch_all(self.reads())
                        .await?;
                    let mut lists = Vec::with_capacity(ids.len());
                    for id in uuids(ids) {
                        lists.extend(self.list(id).await?);
                    }
                    Ok(lists)
                }

                async fn lists_for(
                    &self,
                    user: Uuid,
                ) -> StoreResult<Vec<PatientList>> {
                    let ids = sqlx::query_scalar(
                        "SELECT l.id FROM patient_lists l JOIN team_members m ON m.team_id = l.team_id
                         WHERE m.user_id = $1 ORDER BY l.name",
                    )
                    .bind(Id(user))
                    .fetch_all(self.reads())
                    .await?;
                    let mut lists = Vec::with_capacity(ids.len());
                    for id in uuids(ids) {
                        lists.extend(self.list(id).await?);
                    }
                    Ok(lists)
                }

                // Conversations.

                async fn create_conversation(
                    &self,
                    c: &NewConversation,
                ) -> StoreResult<()> {
                    let mut tx = self.begin_write().await?;
                    let r = sqlx::query(
                        "INSERT INTO conversations (id, kind, title, team_id, created_at, subject, created_by, pair, role_id)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    )
                    .bind(Id(c.id))
                    .bind(kind_str(c.kind))
                    .bind(&c.title)
                    .bind(c.team_id.map(Id))
                    .bind(Utc::now())
                    .bind(&c.subject)
                    .bind(c.created_by.map(Id))
                    .bind(&c.pair)
                    .bind(c.role_id.map(Id))
                    .execute(&mut *tx)
                    .await;
                    if let Err(e) = &r {
                        if is_unique_violation(e) {
                            return Err(StoreError::Duplicate(
                                "that conversation".into(),
                            ));
                        }
                    }
                    r?;
                    <Self as Engine>::add_conversation_members(&mut tx, c.id, &c.members).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn conversations_for(
                    &self,
                    user: Uuid,
                ) -> StoreResult<Vec<ConversationRecord>> {
                    let rows = sqlx::query(
                        "SELECT c.id, c.kind, c.title, c.subject, c.created_by, c.role_id FROM conversations c
                         JOIN conversation_members cm ON cm.conversation_id = c.id
                         WHERE cm.user_id = $1 ORDER BY c.created_at, c.id",
                    )
                    .bind(Id(user))
                    .fetch_all(self.reads())
                    .await?;
                    let member_rows = sqlx::query(
                        "SELECT cm.conversation_id, cm.admin, u.id, u.display_name, u.role FROM conversation_members cm
                         JOIN users u ON u.id = cm.user_id
                         WHERE cm.conversation_id IN (SELECT conversation_id FROM conversation_members WHERE user_id = $1)
                         ORDER BY u.display_name",
                    )
                    .bind(Id(user))
                    .fetch_all(self.reads())
                    .await?;
                    let mut members: HashMap<Uuid, Vec<Member>> = HashMap::new();
                    let mut admins: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
                    for r in &member_rows {
                        let conversation = r.try_get::<Id, _>("conversation_id")?.0;
                        let member = Self::member_from(r)?;
                        if r.try_get::<bool, _>("admin")? {
                            admins.entry(conversation).or_default().push(member.id);
                        }
                        members.entry(conversation).or_default().push(member);
                    }
                    let unread_rows = sqlx::query(
                        "SELECT m.conversation_id, COUNT(*) AS n FROM receipts r JOIN messages m ON m.id = r.message_id
                         WHERE r.user_id = $1 AND r.state < 2 GROUP BY m.conversation_id",
                    )
                    .bind(Id(user))
                    .fetch_all(self.reads())
                    .await?;
                    let mut unread: HashMap<Uuid, u32> = HashMap::new();
                    for r in &unread_rows {
                        unread.insert(
                            r.try_get::<Id, _>("conversation_id")?.0,
                            r.try_get::<i64, _>("n")?.try_into().unwrap_or(u32::MAX),
                        );
                    }
                    rows.iter()
                        .map(|r| {
                            let id = r.try_get::<Id, _>("id")?.0;
                            Ok(ConversationRecord {
                                id,
                                kind: kind_from(&r.try_get::<String, _>("kind")?)?,
                                title: r.try_get("title")?,
                                subject: r.try_get("subject")?,
                                created_by: r.try_get::<Option<Id>, _>("created_by")?.map(Uuid::from),
                                role_id: r.try_get::<Option<Id>, _>("role_id")?.map(Uuid::from),
                                members: members.remove(&id).unwrap_or_default(),
                                admins: admins.remove(&id).unwrap_or_default(),
                                unread: unread.get(&id).copied().unwrap_or(0),
                            })
                        })
                        .collect()
                }

                async fn conversation_members(
                    &self,
                    conversation: Uuid,
                ) -> StoreResult<Option<Vec<Uuid>>> {
                    let exists: Option<Id> = sqlx::query_scalar("SELECT id FROM conversations WHERE id = $1")
                        .bind(Id(conversation))
                        .fetch_optional(self.reads())
                        .await?;
                    if exists.is_none() {
                        return Ok(None);
                    }
                    let ids = sqlx::query_scalar(
                        "SELECT user_id FROM conversation_members WHERE conversation_id = $1",
                    )
                    .bind(Id(conversation))
                    .fetch_all(self.reads())
                    .await?;
                    Ok(Some(uuids(ids)))
                }

                // Messages and receipts.

                async fn messages_before(
                    &self,
                    conversation: Uuid,
                    before: Option<Uuid>,
                    limit: u32,
                ) -> StoreResult<Vec<Message>> {
                    let seq = <Self as Engine>::MESSAGE_SEQ;
                    // The cursor is looked up within the conversation: another
                    // conversation's message id makes the comparison NULL, and finds nothing.
                    let older = if before.is_some() {
                        format!(
                            "AND (m.sent_at, {seq}) < (SELECT m.sent_at, {seq} FROM messages m
                                 WHERE m.id = $3 AND m.conversation_id = $1)"
                        )
                    } else {
                        String::new()
                    };
                    let sql = format!(
                        "SELECT {MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id
                         WHERE m.conversation_id = $1 {older}
                         ORDER BY m.sent_at DESC, {seq} DESC LIMIT $2",
                    );
                    let mut query = sqlx::query(&sql)
                        .bind(Id(conversation))
                        .bind(i64::from(limit));
                    if let Some(before) = before {
                        query = query.bind(Id(before));
                    }
                    let rows = query.fetch_all(self.reads()).await?;
                    let mut messages = rows
                        .iter()
                        .rev()
                        .map(Self::message_from)
                        .collect::<StoreResult<Vec<_>>>()?;
                    self.attach_receipts(&mut messages).await?;
                    Ok(messages)
                }

                async fn message(
                    &self,
                    id: Uuid,
                ) -> StoreResult<Option<Message>> {
                    let sql = format!(
                        "SELECT {MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id WHERE m.id = $1"
                    );
                    let Some(row) = sqlx::query(&sql)
                        .bind(Id(id))
                        .fetch_optional(self.reads())
                        .await?
                    else {
                        return Ok(None);
                    };
                    let mut messages = vec![Self::message_from(&row)?];
                    self.attach_receipts(&mut messages).await?;
                    Ok(messages.pop())
                }

                async fn insert_message(
                    &self,
                    message: &Message,
                    events: Vec<(Uuid, EventKind)>,
                    schedule: Option<&UrgentSchedule>,
                    audit: Option<&AuditAct<'_>>,
                ) -> StoreResult<Inserted> {
                    let written = group_commit::submit(
                        self.sends(),
                        message,
                        events,
                        schedule,
                        audit,
                    );
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
                    let mut tx = self.begin_write().await?;
                    let changed = sqlx::query(
                        "UPDATE receipts SET state = $1, at = $2
                         WHERE message_id = $3 AND user_id = $4 AND state < $1",
                    )
                    .bind(state_i16(state))
                    .bind(at)
                    .bind(Id(message))
                    .bind(Id(user))
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if changed == 0 {
                        tx.rollback().await?;
                        return Ok(None);
                    }
                    if state == ReceiptState::Read {
                        <Self as Engine>::stop_on_read(&mut tx, message, user).await?;
                    }
                    let written = self.append_events_in(&mut tx, events, at).await?;
                    tx.commit().await?;
                    Ok(Some(written))
                }

                // Events, read back (appending them is the engine's).

                async fn raw_events_after(
                    &self,
                    user: Uuid,
                    cursor: i64,
                    limit: u32,
                ) -> StoreResult<Vec<RawEvent>> {
                    let rows = sqlx::query(
                        "SELECT seq, payload FROM events WHERE user_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
                    )
                    .bind(Id(user))
                    .bind(cursor)
                    .bind(i64::from(limit))
                    .fetch_all(self.reads())
                    .await?;
                    rows.iter().map(RawEvent::from_row).collect()
                }

                async fn all_events_after(
                    &self,
                    cursor: i64,
                    limit: u32,
                ) -> StoreResult<Vec<StoredEvent>> {
                    let rows = sqlx::query(
                        "SELECT seq, user_id, payload FROM events WHERE seq > $1 ORDER BY seq LIMIT $2",
                    )
                    .bind(cursor)
                    .bind(i64::from(limit))
                    .fetch_all(self.reads())
                    .await?;
                    rows.iter()
                        .map(|r| {
                            Ok(StoredEvent {
                                user_id: r.try_get::<Id, _>("user_id")?.0,
                                raw: RawEvent::from_row(r)?,
                            })
                        })
                        .collect()
                }

                async fn latest_event(&self) -> StoreResult<i64> {
                    let seq: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM events")
                        .fetch_one(self.reads())
                        .await?;
                    Ok(seq.unwrap_or(0))
                }

                async fn latest_cursor(&self, user: Uuid) -> StoreResult<i64> {
                    let seq: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM events WHERE user_id = $1")
                        .bind(Id(user))
                        .fetch_one(self.reads())
                        .await?;
                    Ok(seq.unwrap_or(0))
                }

                async fn watch_events(&self, seen: &(dyn Fn(i64) + Send + Sync)) {
                    self.watch_latest_event(seen).await
                }
            }
        };
    };
}
pub(crate) use store_impl;
