//! The `AdminStore` trait on either engine: accounts, teams and who is in them, and the
//! conversations IT looks up.

/// Conversations that team membership carries with it (`$2`: the team).
pub(in crate::server::store) const TEAM_CONVERSATIONS: &str =
    "SELECT id FROM conversations WHERE team_id = $2 AND kind IN ('channel', 'patient')";
/// What a member leaves with the team: those, and the team's own groups (a group is a
/// chosen few, so joining the team does not put anyone in one; leaving it takes them out).
pub(in crate::server::store) const TEAM_CONVERSATIONS_LEFT: &str =
    "SELECT id FROM conversations WHERE team_id = $2 AND kind IN ('channel', 'patient', 'group')";

/// Stamps `impl AdminStore for $engine`.
macro_rules! admin_impl {
    ($engine:ty) => {
        const _: () = {
            use std::collections::HashMap;

            use sqlx::Row as _;
            use uuid::Uuid;

            use $crate::model::Team;
            use $crate::server::store::sql::admin::{TEAM_CONVERSATIONS, TEAM_CONVERSATIONS_LEFT};
            use $crate::server::store::sql::{Engine as _, Id};
            use $crate::server::store::{AdminStore, NewPassword, StoreResult, StoredUser, SYSTEM_USER};

            #[async_trait::async_trait]
            impl AdminStore for $engine {
                async fn users(&self) -> StoreResult<Vec<StoredUser>> {
                    let rows = sqlx::query("SELECT * FROM users WHERE id <> $1 ORDER BY username")
                        .bind(Id(SYSTEM_USER))
                        .fetch_all(self.reads())
                        .await?;
                    rows.iter().map(Self::stored_user).collect()
                }

                async fn user_by_id(&self, id: Uuid) -> StoreResult<Option<StoredUser>> {
                    let row = sqlx::query("SELECT * FROM users WHERE id = $1")
                        .bind(Id(id))
                        .fetch_optional(self.reads())
                        .await?;
                    row.as_ref().map(Self::stored_user).transpose()
                }

                async fn set_disabled(&self, user: Uuid, disabled: bool) -> StoreResult<()> {
                    let mut tx = self.begin_write().await?;
                    sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
                        .bind(disabled)
                        .bind(Id(user))
                        .execute(&mut *tx)
                        .await?;
                    if disabled {
                        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                            .bind(Id(user))
                            .execute(&mut *tx)
                            .await?;
                    }
                    tx.commit().await?;
                    Ok(())
                }

                async fn set_password(&self, user: Uuid, new: &NewPassword<'_>) -> StoreResult<bool> {
                    let mut tx = self.begin_write().await?;
                    let changed = sqlx::query(
                        "UPDATE users SET password_hash = $1, must_change_password = $2
                         WHERE id = $3 AND (CAST($4 AS TEXT) IS NULL OR password_hash = $4)",
                    )
                    .bind(new.hash)
                    .bind(new.one_time)
                    .bind(Id(user))
                    .bind(new.replacing)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if changed == 0 {
                        tx.rollback().await?;
                        return Ok(false);
                    }
                    sqlx::query(
                        "DELETE FROM sessions WHERE user_id = $1 AND token_hash IS DISTINCT FROM $2",
                    )
                    .bind(Id(user))
                    .bind(new.keep_session)
                    .execute(&mut *tx)
                    .await?;
                    tx.commit().await?;
                    Ok(true)
                }

                async fn any_admin(&self) -> StoreResult<bool> {
                    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE admin")
                        .fetch_one(self.reads())
                        .await?;
                    Ok(n > 0)
                }

                async fn teams(&self) -> StoreResult<Vec<(Team, Vec<Uuid>)>> {
                    let rows = sqlx::query("SELECT id, name FROM teams ORDER BY name")
                        .fetch_all(self.reads())
                        .await?;
                    let member_rows = sqlx::query("SELECT team_id, user_id FROM team_members")
                        .fetch_all(self.reads())
                        .await?;
                    let mut members: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
                    for r in &member_rows {
                        members
                            .entry(r.try_get::<Id, _>("team_id")?.0)
                            .or_default()
                            .push(r.try_get::<Id, _>("user_id")?.0);
                    }
                    rows.iter()
                        .map(|r| {
                            let team = Self::team_from(r)?;
                            let members = members.remove(&team.id).unwrap_or_default();
                            Ok((team, members))
                        })
                        .collect()
                }

                async fn team_by_name(&self, name: &str) -> StoreResult<Option<Team>> {
                    let row = sqlx::query("SELECT id, name FROM teams WHERE name = $1")
                        .bind(name)
                        .fetch_optional(self.reads())
                        .await?;
                    row.as_ref().map(Self::team_from).transpose()
                }

                async fn add_team_member(&self, team: Uuid, user: Uuid) -> StoreResult<bool> {
                    let mut tx = self.begin_write().await?;
                    let added = sqlx::query(
                        "INSERT INTO team_members (team_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    )
                    .bind(Id(team))
                    .bind(Id(user))
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    // `WHERE true`: SQLite would read the ON CONFLICT as a join's constraint.
                    let sql = format!(
                        "INSERT INTO conversation_members (conversation_id, user_id)
                         SELECT id, $1 FROM ({TEAM_CONVERSATIONS}) AS c WHERE true ON CONFLICT DO NOTHING"
                    );
                    sqlx::query(&sql)
                        .bind(Id(user))
                        .bind(Id(team))
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Ok(added > 0)
                }

                async fn remove_team_member(&self, team: Uuid, user: Uuid) -> StoreResult<bool> {
                    let mut tx = self.begin_write().await?;
                    let removed =
                        sqlx::query("DELETE FROM team_members WHERE team_id = $1 AND user_id = $2")
                            .bind(Id(team))
                            .bind(Id(user))
                            .execute(&mut *tx)
                            .await?
                            .rows_affected();
                    // Nothing more chases them about the team's conversations they have left.
                    let sql = format!(
                        "DELETE FROM renotify WHERE user_id = $1 AND message_id IN
                           (SELECT id FROM messages WHERE conversation_id IN ({TEAM_CONVERSATIONS_LEFT}))"
                    );
                    sqlx::query(&sql)
                        .bind(Id(user))
                        .bind(Id(team))
                        .execute(&mut *tx)
                        .await?;
                    let sql = format!(
                        "DELETE FROM conversation_members WHERE user_id = $1 AND conversation_id IN ({TEAM_CONVERSATIONS_LEFT})"
                    );
                    sqlx::query(&sql)
                        .bind(Id(user))
                        .bind(Id(team))
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Ok(removed > 0)
                }

                async fn team_channel(&self, team: Uuid) -> StoreResult<Option<Uuid>> {
                    let id: Option<Id> = sqlx::query_scalar(
                        "SELECT id FROM conversations WHERE team_id = $1 AND kind = 'channel'
                         ORDER BY created_at LIMIT 1",
                    )
                    .bind(Id(team))
                    .fetch_optional(self.reads())
                    .await?;
                    Ok(id.map(Into::into))
                }

                async fn direct_between(&self, a: Uuid, b: Uuid) -> StoreResult<Option<Uuid>> {
                    let id: Option<Id> = sqlx::query_scalar(
                        "SELECT c.id FROM conversations c
                         WHERE c.kind = 'direct'
                           AND EXISTS (SELECT 1 FROM conversation_members WHERE conversation_id = c.id AND user_id = $1)
                           AND EXISTS (SELECT 1 FROM conversation_members WHERE conversation_id = c.id AND user_id = $2)
                         LIMIT 1",
                    )
                    .bind(Id(a))
                    .bind(Id(b))
                    .fetch_optional(self.reads())
                    .await?;
                    Ok(id.map(Into::into))
                }

                async fn patient_conversation(
                    &self,
                    team: Uuid,
                    patient: &str,
                ) -> StoreResult<Option<Uuid>> {
                    let id: Option<Id> = sqlx::query_scalar(
                        "SELECT id FROM conversations WHERE team_id = $1 AND subject = $2",
                    )
                    .bind(Id(team))
                    .bind(patient)
                    .fetch_optional(self.reads())
                    .await?;
                    Ok(id.map(Into::into))
                }
            }
        };
    };
}
pub(crate) use admin_impl;
