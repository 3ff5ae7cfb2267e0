//! The `RoleStore` trait on either engine: the directory's people, roles and who holds
//! them, urgent messages following a role to its new holder, and presence.

/// Stamps `impl RoleStore for $engine`.
macro_rules! roles_impl {
    ($engine:ty) => {
        const _: () = {
            use std::collections::HashMap;

            use chrono::{DateTime, Utc};
            use sqlx::Row as _;
            use uuid::Uuid;

            use $crate::model::{EventKind, User};
            use $crate::server::store::sql::{is_unique_violation, state_i16, uuids, Engine as _, Id};
            use $crate::server::store::{
                Holding, HoldingSource, OpenUrgent, RoleRecord, RoleStore, StatusRecord, StoreError,
                StoreResult, UrgentHandover, UserEvent, SYSTEM_USER,
            };
            use $crate::model::ReceiptState;

            const ROLE_COLUMNS: &str =
                "SELECT r.id, r.name, r.team_id, t.name AS team, r.fallback FROM roles r JOIN teams t ON t.id = r.team_id";

            fn role_from(row: &<<$engine as $crate::server::store::sql::Engine>::Db as sqlx::Database>::Row) -> StoreResult<RoleRecord> {
                Ok(RoleRecord {
                    id: row.try_get::<Id, _>("id")?.0,
                    name: row.try_get("name")?,
                    team_id: row.try_get::<Id, _>("team_id")?.0,
                    team: row.try_get("team")?,
                    fallback: row.try_get("fallback")?,
                })
            }

            fn holding_from(row: &<<$engine as $crate::server::store::sql::Engine>::Db as sqlx::Database>::Row) -> StoreResult<Holding> {
                let source: String = row.try_get("source")?;
                Ok(Holding {
                    role_id: row.try_get::<Id, _>("role_id")?.0,
                    user_id: row.try_get::<Id, _>("user_id")?.0,
                    starts_at: row.try_get("starts_at")?,
                    ends_at: row.try_get("ends_at")?,
                    source: if source == "rota" { HoldingSource::Rota } else { HoldingSource::App },
                })
            }

            /// `q` as a LIKE pattern that matches it anywhere, its own `%` and `_` literal.
            fn contains(q: &str) -> String {
                let mut p = String::from("%");
                for c in q.to_lowercase().chars() {
                    if matches!(c, '%' | '_' | '\\') {
                        p.push('\\');
                    }
                    p.push(c);
                }
                p.push('%');
                p
            }

            #[async_trait::async_trait]
            impl RoleStore for $engine {
                async fn search_people(
                    &self,
                    q: &str,
                    limit: u32,
                ) -> StoreResult<Vec<(User, Vec<String>)>> {
                    let rows = sqlx::query(
                        "SELECT u.id, u.username, u.display_name, u.role, u.admin FROM users u
                         WHERE u.id <> $1 AND NOT u.disabled AND (
                               lower(u.display_name) LIKE $2 ESCAPE '\\'
                            OR lower(u.username) LIKE $2 ESCAPE '\\'
                            OR lower(u.role) LIKE $2 ESCAPE '\\'
                            OR EXISTS (SELECT 1 FROM team_members tm JOIN teams t ON t.id = tm.team_id
                                       WHERE tm.user_id = u.id AND lower(t.name) LIKE $2 ESCAPE '\\'))
                         ORDER BY u.display_name, u.username LIMIT $3",
                    )
                    .bind(Id(SYSTEM_USER))
                    .bind(contains(q))
                    .bind(i64::from(limit))
                    .fetch_all(self.reads())
                    .await?;
                    let users = rows.iter().map(Self::user_from).collect::<StoreResult<Vec<_>>>()?;
                    let ids: Vec<Uuid> = users.iter().map(|u| u.id).collect();
                    let mut teams = self.teams_named(&ids).await?;
                    Ok(users
                        .into_iter()
                        .map(|u| {
                            let t = teams.remove(&u.id).unwrap_or_default();
                            (u, t)
                        })
                        .collect())
                }

                async fn teams_named(&self, users: &[Uuid]) -> StoreResult<HashMap<Uuid, Vec<String>>> {
                    let mut teams: HashMap<Uuid, Vec<String>> = HashMap::new();
                    for chunk in users.chunks(200) {
                        for &u in chunk {
                            let names: Vec<String> = sqlx::query_scalar(
                                "SELECT t.name FROM team_members tm JOIN teams t ON t.id = tm.team_id
                                 WHERE tm.user_id = $1 ORDER BY t.name",
                            )
                            .bind(Id(u))
                            .fetch_all(self.reads())
                            .await?;
                            teams.insert(u, names);
                        }
                    }
                    Ok(teams)
                }

                async fn create_role(&self, role: &RoleRecord) -> StoreResult<()> {
                    let r = sqlx::query(
                        "INSERT INTO roles (id, name, team_id, fallback, created_at) VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(Id(role.id))
                    .bind(&role.name)
                    .bind(Id(role.team_id))
                    .bind(&role.fallback)
                    .bind(Utc::now())
                    .execute(self.writes())
                    .await;
                    match r {
                        Err(e) if is_unique_violation(&e) => {
                            Err(StoreError::Duplicate(format!("a role called `{}`", role.name)))
                        }
                        r => r.map(|_| ()).map_err(Into::into),
                    }
                }

                async fn roles(&self) -> StoreResult<Vec<RoleRecord>> {
                    let sql = format!("{ROLE_COLUMNS} ORDER BY t.name, r.name");
                    let rows = sqlx::query(&sql).fetch_all(self.reads()).await?;
                    rows.iter().map(role_from).collect()
                }

                async fn role(&self, id: Uuid) -> StoreResult<Option<RoleRecord>> {
                    let sql = format!("{ROLE_COLUMNS} WHERE r.id = $1");
                    let row = sqlx::query(&sql).bind(Id(id)).fetch_optional(self.reads()).await?;
                    row.as_ref().map(role_from).transpose()
                }

                async fn role_by_name(&self, name: &str) -> StoreResult<Option<RoleRecord>> {
                    let sql = format!("{ROLE_COLUMNS} WHERE lower(r.name) = lower($1)");
                    let row = sqlx::query(&sql).bind(name.trim()).fetch_optional(self.reads()).await?;
                    row.as_ref().map(role_from).transpose()
                }

                async fn delete_role(&self, id: Uuid) -> StoreResult<bool> {
                    let mut tx = self.begin_write().await?;
                    sqlx::query("DELETE FROM role_holders WHERE role_id = $1")
                        .bind(Id(id))
                        .execute(&mut *tx)
                        .await?;
                    let gone = sqlx::query("DELETE FROM roles WHERE id = $1")
                        .bind(Id(id))
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    tx.commit().await?;
                    Ok(gone > 0)
                }

                async fn holdings(
                    &self,
                    role: Option<Uuid>,
                    user: Option<Uuid>,
                    from: i64,
                    to: i64,
                ) -> StoreResult<Vec<Holding>> {
                    let rows = sqlx::query(
                        "SELECT role_id, user_id, starts_at, ends_at, source FROM role_holders
                         WHERE ($1 IS NULL OR role_id = $1) AND ($2 IS NULL OR user_id = $2)
                           AND starts_at < $4 AND (ends_at IS NULL OR ends_at > $3)
                         ORDER BY starts_at, user_id",
                    )
                    .bind(role.map(Id))
                    .bind(user.map(Id))
                    .bind(from)
                    .bind(to)
                    .fetch_all(self.reads())
                    .await?;
                    rows.iter().map(holding_from).collect()
                }

                async fn add_holdings(&self, holdings: &[Holding]) -> StoreResult<()> {
                    let mut tx = self.begin_write().await?;
                    for h in holdings {
                        sqlx::query(
                            "INSERT INTO role_holders (id, role_id, user_id, starts_at, ends_at, source)
                             VALUES ($1, $2, $3, $4, $5, $6)",
                        )
                        .bind(Id(Uuid::new_v4()))
                        .bind(Id(h.role_id))
                        .bind(Id(h.user_id))
                        .bind(h.starts_at)
                        .bind(h.ends_at)
                        .bind(h.source.as_str())
                        .execute(&mut *tx)
                        .await?;
                    }
                    tx.commit().await?;
                    Ok(())
                }

                async fn hand_role(
                    &self,
                    role: Uuid,
                    ending: Option<Uuid>,
                    to: Option<Uuid>,
                    at: i64,
                    events: Vec<(Uuid, EventKind)>,
                ) -> StoreResult<Option<Vec<UserEvent>>> {
                    let mut tx = self.begin_write().await?;
                    // The role's row first: hand-overs of one role queue here, each seeing
                    // the holders the one before it left.
                    sqlx::query("UPDATE roles SET name = name WHERE id = $1")
                        .bind(Id(role))
                        .execute(&mut *tx)
                        .await?;
                    let ended = sqlx::query(
                        "UPDATE role_holders SET ends_at = $3
                         WHERE role_id = $1 AND ($2 IS NULL OR user_id = $2) AND starts_at <= $3
                           AND (ends_at IS NULL OR ends_at > $3)",
                    )
                    .bind(Id(role))
                    .bind(ending.map(Id))
                    .bind(at)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if ending.is_some() && ended == 0 {
                        tx.rollback().await?;
                        return Ok(None);
                    }
                    if let Some(to) = to {
                        sqlx::query(
                            "INSERT INTO role_holders (id, role_id, user_id, starts_at, ends_at, source)
                             VALUES ($1, $2, $3, $4, NULL, 'app')",
                        )
                        .bind(Id(Uuid::new_v4()))
                        .bind(Id(role))
                        .bind(Id(to))
                        .bind(at)
                        .execute(&mut *tx)
                        .await?;
                        // `WHERE true`: SQLite would read the ON CONFLICT as a join's constraint.
                        sqlx::query(
                            "INSERT INTO conversation_members (conversation_id, user_id)
                             SELECT id, $2 FROM conversations WHERE role_id = $1 AND true
                             ON CONFLICT DO NOTHING",
                        )
                        .bind(Id(role))
                        .bind(Id(to))
                        .execute(&mut *tx)
                        .await?;
                    }
                    let now = DateTime::<Utc>::from_timestamp_millis(at).unwrap_or_else(Utc::now);
                    let written = self.append_events_in(&mut tx, events, now).await?;
                    tx.commit().await?;
                    Ok(Some(written))
                }

                async fn end_holdings(
                    &self,
                    user: Uuid,
                    team: Option<Uuid>,
                    at: i64,
                ) -> StoreResult<Vec<Uuid>> {
                    let mut tx = self.begin_write().await?;
                    let roles: Vec<Id> = sqlx::query_scalar(
                        "SELECT DISTINCT h.role_id FROM role_holders h JOIN roles r ON r.id = h.role_id
                         WHERE h.user_id = $1 AND ($2 IS NULL OR r.team_id = $2)
                           AND (h.ends_at IS NULL OR h.ends_at > $3)",
                    )
                    .bind(Id(user))
                    .bind(team.map(Id))
                    .bind(at)
                    .fetch_all(&mut *tx)
                    .await?;
                    for &role in &roles {
                        sqlx::query(
                            "DELETE FROM role_holders WHERE role_id = $1 AND user_id = $2 AND starts_at > $3",
                        )
                        .bind(role)
                        .bind(Id(user))
                        .bind(at)
                        .execute(&mut *tx)
                        .await?;
                        sqlx::query(
                            "UPDATE role_holders SET ends_at = $3
                             WHERE role_id = $1 AND user_id = $2 AND (ends_at IS NULL OR ends_at > $3)",
                        )
                        .bind(role)
                        .bind(Id(user))
                        .bind(at)
                        .execute(&mut *tx)
                        .await?;
                    }
                    tx.commit().await?;
                    Ok(uuids(roles))
                }

                async fn open_role_urgents(&self, role: Uuid) -> StoreResult<Vec<OpenUrgent>> {
                    let rows = sqlx::query(
                        "SELECT m.id, m.conversation_id, w.interval_ms, w.slots, w.until_ack FROM urgent_windows w
                         JOIN messages m ON m.id = w.message_id
                         JOIN conversations c ON c.id = m.conversation_id
                         WHERE c.role_id = $1 AND NOT w.closed
                         ORDER BY m.sent_at",
                    )
                    .bind(Id(role))
                    .fetch_all(self.reads())
                    .await?;
                    rows.iter()
                        .map(|r| {
                            Ok(OpenUrgent {
                                message_id: r.try_get::<Id, _>("id")?.0,
                                conversation_id: r.try_get::<Id, _>("conversation_id")?.0,
                                interval_ms: r.try_get("interval_ms")?,
                                slots: u32::try_from(r.try_get::<i64, _>("slots")?).unwrap_or(0),
                                until_ack: r.try_get("until_ack")?,
                            })
                        })
                        .collect()
                }

                async fn roles_with_open_urgents(&self) -> StoreResult<Vec<Uuid>> {
                    let ids = sqlx::query_scalar(
                        "SELECT DISTINCT c.role_id FROM urgent_windows w
                         JOIN messages m ON m.id = w.message_id
                         JOIN conversations c ON c.id = m.conversation_id
                         WHERE c.role_id IS NOT NULL AND NOT w.closed",
                    )
                    .fetch_all(self.reads())
                    .await?;
                    Ok(uuids(ids))
                }

                async fn hand_urgent(
                    &self,
                    h: &UrgentHandover,
                    at: DateTime<Utc>,
                    events: Vec<(Uuid, EventKind)>,
                ) -> StoreResult<Option<Vec<UserEvent>>> {
                    let mut tx = self.begin_write().await?;
                    let mut moved = 0;
                    for &from in &h.from {
                        // Only a receipt still waiting moves: read (or acknowledged, where
                        // that is asked) stays with who read it.
                        moved += sqlx::query(
                            "DELETE FROM receipts WHERE message_id = $1 AND user_id = $2
                               AND (state < $3 OR ($4 AND acknowledged_at IS NULL))",
                        )
                        .bind(Id(h.message_id))
                        .bind(Id(from))
                        .bind(state_i16(ReceiptState::Read))
                        .bind(h.until_ack)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                        sqlx::query("DELETE FROM renotify WHERE message_id = $1 AND user_id = $2")
                            .bind(Id(h.message_id))
                            .bind(Id(from))
                            .execute(&mut *tx)
                            .await?;
                    }
                    if moved == 0 {
                        tx.rollback().await?;
                        return Ok(None);
                    }
                    for &to in &h.to {
                        sqlx::query(
                            "INSERT INTO receipts (message_id, user_id, state, at) VALUES ($1, $2, $3, $4)
                             ON CONFLICT DO NOTHING",
                        )
                        .bind(Id(h.message_id))
                        .bind(Id(to))
                        .bind(state_i16(ReceiptState::Sent))
                        .bind(at)
                        .execute(&mut *tx)
                        .await?;
                        sqlx::query(
                            "INSERT INTO conversation_members (conversation_id, user_id) VALUES ($1, $2)
                             ON CONFLICT DO NOTHING",
                        )
                        .bind(Id(h.conversation_id))
                        .bind(Id(to))
                        .execute(&mut *tx)
                        .await?;
                        if let Some((slot, due_at)) = h.next {
                            sqlx::query(
                                "INSERT INTO renotify (message_id, user_id, slot, due_at) VALUES ($1, $2, $3, $4)
                                 ON CONFLICT DO NOTHING",
                            )
                            .bind(Id(h.message_id))
                            .bind(Id(to))
                            .bind(i64::from(slot))
                            .bind(due_at)
                            .execute(&mut *tx)
                            .await?;
                        }
                    }
                    let written = self.append_events_in(&mut tx, events, at).await?;
                    tx.commit().await?;
                    Ok(Some(written))
                }

                async fn set_status(&self, user: Uuid, status: Option<&StatusRecord>) -> StoreResult<()> {
                    match status {
                        Some(s) => {
                            sqlx::query(
                                "INSERT INTO user_status (user_id, status, until) VALUES ($1, $2, $3)
                                 ON CONFLICT (user_id) DO UPDATE SET status = excluded.status, until = excluded.until",
                            )
                            .bind(Id(user))
                            .bind(&s.status)
                            .bind(s.until)
                            .execute(self.writes())
                            .await?;
                        }
                        None => {
                            sqlx::query("DELETE FROM user_status WHERE user_id = $1")
                                .bind(Id(user))
                                .execute(self.writes())
                                .await?;
                        }
                    }
                    Ok(())
                }

                async fn statuses(&self, users: &[Uuid]) -> StoreResult<HashMap<Uuid, StatusRecord>> {
                    let mut found = HashMap::new();
                    for &u in users {
                        if let Some(row) = sqlx::query("SELECT status, until FROM user_status WHERE user_id = $1")
                            .bind(Id(u))
                            .fetch_optional(self.reads())
                            .await?
                        {
                            found.insert(
                                u,
                                StatusRecord {
                                    status: row.try_get("status")?,
                                    until: row.try_get("until")?,
                                },
                            );
                        }
                    }
                    Ok(found)
                }
            }
        };
    };
}

pub(crate) use roles_impl;
