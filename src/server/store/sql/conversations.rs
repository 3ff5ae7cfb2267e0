//! The `ConversationStore` trait on either engine: 1:1s by pair, role threads, and
//! changes to a conversation with the line its members see.

/// Stamps `impl ConversationStore for $engine`.
macro_rules! conversations_impl {
    ($engine:ty) => {
        const _: () = {
            use sqlx::Row as _;
            use uuid::Uuid;

            use $crate::model::{EventKind, Message};
            use $crate::server::store::sql::{uuids, Engine as _, Id};
            use $crate::server::store::{
                kind_from, ConversationChange, ConversationInfo, ConversationStore, StoreError,
                StoreResult, UserEvent,
            };

            #[async_trait::async_trait]
            impl ConversationStore for $engine {
                async fn conversation_info(
                    &self,
                    id: Uuid,
                ) -> StoreResult<Option<ConversationInfo>> {
                    let Some(row) = sqlx::query(
                        "SELECT kind, title, team_id, created_by, role_id FROM conversations WHERE id = $1",
                    )
                    .bind(Id(id))
                    .fetch_optional(self.reads())
                    .await?
                    else {
                        return Ok(None);
                    };
                    let members = sqlx::query(
                        "SELECT user_id, admin FROM conversation_members WHERE conversation_id = $1",
                    )
                    .bind(Id(id))
                    .fetch_all(self.reads())
                    .await?;
                    let mut ids = Vec::with_capacity(members.len());
                    let mut admins = Vec::new();
                    for m in &members {
                        let user: Id = m.try_get("user_id")?;
                        if m.try_get::<bool, _>("admin")? {
                            admins.push(user.0);
                        }
                        ids.push(user.0);
                    }
                    Ok(Some(ConversationInfo {
                        id,
                        kind: kind_from(&row.try_get::<String, _>("kind")?)?,
                        title: row.try_get("title")?,
                        team_id: row.try_get::<Option<Id>, _>("team_id")?.map(Uuid::from),
                        created_by: row.try_get::<Option<Id>, _>("created_by")?.map(Uuid::from),
                        role_id: row.try_get::<Option<Id>, _>("role_id")?.map(Uuid::from),
                        members: ids,
                        admins,
                    }))
                }

                async fn direct_by_pair(&self, pair: &str) -> StoreResult<Option<Uuid>> {
                    let id: Option<Id> =
                        sqlx::query_scalar("SELECT id FROM conversations WHERE pair = $1")
                            .bind(pair)
                            .fetch_optional(self.reads())
                            .await?;
                    Ok(id.map(Uuid::from))
                }

                async fn role_thread(&self, role: Uuid, user: Uuid) -> StoreResult<Option<Uuid>> {
                    let id: Option<Id> = sqlx::query_scalar(
                        "SELECT id FROM conversations WHERE role_id = $1 AND created_by = $2",
                    )
                    .bind(Id(role))
                    .bind(Id(user))
                    .fetch_optional(self.reads())
                    .await?;
                    Ok(id.map(Uuid::from))
                }

                async fn join_conversation(&self, id: Uuid, users: &[Uuid]) -> StoreResult<()> {
                    let mut tx = self.begin_write().await?;
                    for &u in users {
                        sqlx::query(
                            "INSERT INTO conversation_members (conversation_id, user_id) VALUES ($1, $2)
                             ON CONFLICT DO NOTHING",
                        )
                        .bind(Id(id))
                        .bind(Id(u))
                        .execute(&mut *tx)
                        .await?;
                    }
                    tx.commit().await?;
                    Ok(())
                }

                async fn change_conversation(
                    &self,
                    id: Uuid,
                    change: ConversationChange<'_>,
                    notice: &Message,
                    events: &(dyn Fn(Vec<Uuid>) -> Vec<(Uuid, EventKind)> + Send + Sync),
                ) -> StoreResult<Option<Vec<UserEvent>>> {
                    let mut tx = self.begin_write().await?;
                    // The row first: changes to one conversation queue here, one at a time.
                    let touched = sqlx::query("UPDATE conversations SET title = title WHERE id = $1")
                        .bind(Id(id))
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    if touched == 0 {
                        return Ok(None);
                    }
                    let before: Vec<Uuid> = uuids(
                        sqlx::query_scalar(
                            "SELECT user_id FROM conversation_members WHERE conversation_id = $1",
                        )
                        .bind(Id(id))
                        .fetch_all(&mut *tx)
                        .await?,
                    );
                    let changed = match change {
                        ConversationChange::Rename(title) => sqlx::query(
                            "UPDATE conversations SET title = $2 WHERE id = $1 AND title <> $2",
                        )
                        .bind(Id(id))
                        .bind(title)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected(),
                        ConversationChange::Add { user, max } => {
                            let added = sqlx::query(
                                "INSERT INTO conversation_members (conversation_id, user_id) VALUES ($1, $2)
                                 ON CONFLICT DO NOTHING",
                            )
                            .bind(Id(id))
                            .bind(Id(user))
                            .execute(&mut *tx)
                            .await?
                            .rows_affected();
                            if added > 0 && before.len() + 1 > max {
                                tx.rollback().await?;
                                return Err(StoreError::Full(max));
                            }
                            added
                        }
                        ConversationChange::Admin { user, admin } => sqlx::query(
                            "UPDATE conversation_members SET admin = $3
                             WHERE conversation_id = $1 AND user_id = $2 AND admin <> $3",
                        )
                        .bind(Id(id))
                        .bind(Id(user))
                        .bind(admin)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected(),
                        ConversationChange::Remove(user) => {
                            sqlx::query(
                                "DELETE FROM renotify WHERE user_id = $2 AND message_id IN
                                   (SELECT id FROM messages WHERE conversation_id = $1)",
                            )
                            .bind(Id(id))
                            .bind(Id(user))
                            .execute(&mut *tx)
                            .await?;
                            sqlx::query(
                                "DELETE FROM conversation_members WHERE conversation_id = $1 AND user_id = $2",
                            )
                            .bind(Id(id))
                            .bind(Id(user))
                            .execute(&mut *tx)
                            .await?
                            .rows_affected()
                        }
                    };
                    if changed == 0 {
                        tx.rollback().await?;
                        return Ok(None);
                    }
                    Self::insert_message_tx(&mut tx, notice, None).await?;
                    // Those who were members and those who are: the one removed hears of it.
                    let mut told = before;
                    if let ConversationChange::Add { user, .. } = change {
                        told.push(user);
                    }
                    let written = self
                        .append_events_in(&mut tx, events(told), notice.sent_at)
                        .await?;
                    tx.commit().await?;
                    Ok(Some(written))
                }
            }
        };
    };
}

pub(crate) use conversations_impl;
