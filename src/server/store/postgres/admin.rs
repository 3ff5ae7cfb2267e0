use std::collections::HashMap;

use async_trait::async_trait;
use sqlx::postgres::PgRow;
use sqlx::Row;
use uuid::Uuid;

use super::{user_from, PgStore};
use crate::model::Team;
use crate::server::store::{AdminStore, NewPassword, StoreResult, StoredUser, SYSTEM_USER};

pub(super) fn stored_user(row: &PgRow) -> StoreResult<StoredUser> {
    Ok(StoredUser {
        user: user_from(row)?,
        password_hash: row.try_get("password_hash")?,
        disabled: row.try_get("disabled")?,
        password_change_due: row.try_get("must_change_password")?,
    })
}

/// Conversations that team membership carries with it.
const TEAM_CONVERSATIONS: &str =
    "SELECT id FROM conversations WHERE team_id = $2 AND kind IN ('channel', 'patient')";
/// What a member leaves with the team: those, and the team's own groups (a group is a
/// chosen few, so joining the team does not put anyone in one; leaving it takes them out).
const TEAM_CONVERSATIONS_LEFT: &str =
    "SELECT id FROM conversations WHERE team_id = $2 AND kind IN ('channel', 'patient', 'group')";

#[async_trait]
impl AdminStore for PgStore {
    async fn users(&self) -> StoreResult<Vec<StoredUser>> {
        let rows = sqlx::query("SELECT * FROM users WHERE id <> $1 ORDER BY username")
            .bind(SYSTEM_USER)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(stored_user).collect()
    }

    async fn user_by_id(&self, id: Uuid) -> StoreResult<Option<StoredUser>> {
        let row = sqlx::query("SELECT * FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(stored_user).transpose()
    }

    async fn set_disabled(&self, user: Uuid, disabled: bool) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
            .bind(disabled)
            .bind(user)
            .execute(&mut *tx)
            .await?;
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn set_password(&self, user: Uuid, new: &NewPassword<'_>) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        let changed = sqlx::query(
            "UPDATE users SET password_hash = $1, must_change_password = $2
             WHERE id = $3 AND ($4::text IS NULL OR password_hash = $4)",
        )
        .bind(new.hash)
        .bind(new.one_time)
        .bind(user)
        .bind(new.replacing)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash IS DISTINCT FROM $2")
            .bind(user)
            .bind(new.keep_session)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn any_admin(&self) -> StoreResult<bool> {
        Ok(
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE admin)")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    async fn teams(&self) -> StoreResult<Vec<(Team, Vec<Uuid>)>> {
        let rows = sqlx::query("SELECT id, name FROM teams ORDER BY name")
            .fetch_all(&self.pool)
            .await?;
        let member_rows = sqlx::query("SELECT team_id, user_id FROM team_members")
            .fetch_all(&self.pool)
            .await?;
        let mut members: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        for r in &member_rows {
            members
                .entry(r.try_get("team_id")?)
                .or_default()
                .push(r.try_get("user_id")?);
        }
        rows.iter()
            .map(|r| {
                let id: Uuid = r.try_get("id")?;
                Ok((
                    Team {
                        id,
                        name: r.try_get("name")?,
                    },
                    members.remove(&id).unwrap_or_default(),
                ))
            })
            .collect()
    }

    async fn team_by_name(&self, name: &str) -> StoreResult<Option<Team>> {
        let row = sqlx::query("SELECT id, name FROM teams WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(Team {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
            })
        })
        .transpose()
    }

    async fn add_team_member(&self, team: Uuid, user: Uuid) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        let added = sqlx::query(
            "INSERT INTO team_members (team_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(team)
        .bind(user)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let sql = format!(
            "INSERT INTO conversation_members (conversation_id, user_id)
             SELECT id, $1 FROM ({TEAM_CONVERSATIONS}) AS c ON CONFLICT DO NOTHING"
        );
        sqlx::query(&sql)
            .bind(user)
            .bind(team)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(added > 0)
    }

    async fn remove_team_member(&self, team: Uuid, user: Uuid) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        let removed = sqlx::query("DELETE FROM team_members WHERE team_id = $1 AND user_id = $2")
            .bind(team)
            .bind(user)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        // Nothing more chases them about the team's conversations they have left.
        let sql = format!(
            "DELETE FROM renotify WHERE user_id = $1 AND message_id IN
               (SELECT id FROM messages WHERE conversation_id IN ({TEAM_CONVERSATIONS_LEFT}))"
        );
        sqlx::query(&sql)
            .bind(user)
            .bind(team)
            .execute(&mut *tx)
            .await?;
        let sql = format!(
            "DELETE FROM conversation_members WHERE user_id = $1 AND conversation_id IN ({TEAM_CONVERSATIONS_LEFT})"
        );
        sqlx::query(&sql)
            .bind(user)
            .bind(team)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(removed > 0)
    }

    async fn team_channel(&self, team: Uuid) -> StoreResult<Option<Uuid>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM conversations WHERE team_id = $1 AND kind = 'channel' ORDER BY created_at LIMIT 1",
        )
        .bind(team)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn direct_between(&self, a: Uuid, b: Uuid) -> StoreResult<Option<Uuid>> {
        Ok(sqlx::query_scalar(
            "SELECT c.id FROM conversations c
             WHERE c.kind = 'direct'
               AND EXISTS (SELECT 1 FROM conversation_members WHERE conversation_id = c.id AND user_id = $1)
               AND EXISTS (SELECT 1 FROM conversation_members WHERE conversation_id = c.id AND user_id = $2)
             LIMIT 1",
        )
        .bind(a)
        .bind(b)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn patient_conversation(&self, team: Uuid, patient: &str) -> StoreResult<Option<Uuid>> {
        Ok(
            sqlx::query_scalar("SELECT id FROM conversations WHERE team_id = $1 AND subject = $2")
                .bind(team)
                .bind(patient)
                .fetch_optional(&self.pool)
                .await?,
        )
    }
}
