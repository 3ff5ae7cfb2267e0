use std::collections::HashMap;

use async_trait::async_trait;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use uuid::Uuid;

use super::{user_from, uuid, SqliteStore};
use crate::model::Team;
use crate::server::store::{AdminStore, NewPassword, StoreResult, StoredUser, SYSTEM_USER};

fn stored_user(row: &SqliteRow) -> StoreResult<StoredUser> {
    Ok(StoredUser {
        user: user_from(row)?,
        password_hash: row.try_get("password_hash")?,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
        password_change_due: row.try_get::<i64, _>("must_change_password")? != 0,
    })
}

/// Conversations that team membership carries with it.
const TEAM_CONVERSATIONS: &str =
    "SELECT id FROM conversations WHERE team_id = ? AND kind IN ('channel', 'patient')";
/// What a member leaves with the team: those, and the team's own groups (a group is a
/// chosen few, so joining the team does not put anyone in one; leaving it takes them out).
const TEAM_CONVERSATIONS_LEFT: &str =
    "SELECT id FROM conversations WHERE team_id = ? AND kind IN ('channel', 'patient', 'group')";

#[async_trait]
impl AdminStore for SqliteStore {
    async fn users(&self) -> StoreResult<Vec<StoredUser>> {
        let rows = sqlx::query("SELECT * FROM users WHERE id != ? ORDER BY username")
            .bind(SYSTEM_USER.to_string())
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(stored_user).collect()
    }

    async fn user_by_id(&self, id: Uuid) -> StoreResult<Option<StoredUser>> {
        let row = sqlx::query("SELECT * FROM users WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(stored_user).transpose()
    }

    async fn set_disabled(&self, user: Uuid, disabled: bool) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE users SET disabled = ? WHERE id = ?")
            .bind(disabled)
            .bind(user.to_string())
            .execute(&mut *tx)
            .await?;
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE user_id = ?")
                .bind(user.to_string())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn set_password(&self, user: Uuid, new: &NewPassword<'_>) -> StoreResult<bool> {
        let mut tx = self.write_tx().await?;
        let changed = sqlx::query(
            "UPDATE users SET password_hash = ?1, must_change_password = ?2
             WHERE id = ?3 AND (?4 IS NULL OR password_hash = ?4)",
        )
        .bind(new.hash)
        .bind(new.one_time)
        .bind(user.to_string())
        .bind(new.replacing)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = ? AND token_hash IS NOT ?")
            .bind(user.to_string())
            .bind(new.keep_session)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn any_admin(&self) -> StoreResult<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE admin = 1")
            .fetch_one(&self.reader)
            .await?;
        Ok(n > 0)
    }

    async fn teams(&self) -> StoreResult<Vec<(Team, Vec<Uuid>)>> {
        let rows = sqlx::query("SELECT id, name FROM teams ORDER BY name")
            .fetch_all(&self.reader)
            .await?;
        let member_rows = sqlx::query("SELECT team_id, user_id FROM team_members")
            .fetch_all(&self.reader)
            .await?;
        let mut members: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        for r in &member_rows {
            members
                .entry(uuid(r, "team_id")?)
                .or_default()
                .push(uuid(r, "user_id")?);
        }
        rows.iter()
            .map(|r| {
                let id = uuid(r, "id")?;
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
        let row = sqlx::query("SELECT id, name FROM teams WHERE name = ?")
            .bind(name)
            .fetch_optional(&self.reader)
            .await?;
        row.map(|r| {
            Ok(Team {
                id: uuid(&r, "id")?,
                name: r.try_get("name")?,
            })
        })
        .transpose()
    }

    async fn add_team_member(&self, team: Uuid, user: Uuid) -> StoreResult<bool> {
        let mut tx = self.write_tx().await?;
        let added = sqlx::query(
            "INSERT INTO team_members (team_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(team.to_string())
        .bind(user.to_string())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let sql = format!(
            "INSERT INTO conversation_members (conversation_id, user_id)
             SELECT id, ? FROM ({TEAM_CONVERSATIONS}) WHERE true ON CONFLICT DO NOTHING"
        );
        sqlx::query(&sql)
            .bind(user.to_string())
            .bind(team.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(added > 0)
    }

    async fn remove_team_member(&self, team: Uuid, user: Uuid) -> StoreResult<bool> {
        let mut tx = self.write_tx().await?;
        let removed = sqlx::query("DELETE FROM team_members WHERE team_id = ? AND user_id = ?")
            .bind(team.to_string())
            .bind(user.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        // Nothing more chases them about the team's conversations they have left.
        let sql = format!(
            "DELETE FROM renotify WHERE user_id = ? AND message_id IN
               (SELECT id FROM messages WHERE conversation_id IN ({TEAM_CONVERSATIONS_LEFT}))"
        );
        sqlx::query(&sql)
            .bind(user.to_string())
            .bind(team.to_string())
            .execute(&mut *tx)
            .await?;
        let sql = format!(
            "DELETE FROM conversation_members WHERE user_id = ? AND conversation_id IN ({TEAM_CONVERSATIONS_LEFT})"
        );
        sqlx::query(&sql)
            .bind(user.to_string())
            .bind(team.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(removed > 0)
    }

    async fn team_channel(&self, team: Uuid) -> StoreResult<Option<Uuid>> {
        let id: Option<String> = sqlx::query_scalar(
            "SELECT id FROM conversations WHERE team_id = ? AND kind = 'channel' ORDER BY created_at LIMIT 1",
        )
        .bind(team.to_string())
        .fetch_optional(&self.reader)
        .await?;
        parse(id)
    }

    async fn direct_between(&self, a: Uuid, b: Uuid) -> StoreResult<Option<Uuid>> {
        let id: Option<String> = sqlx::query_scalar(
            "SELECT c.id FROM conversations c
             WHERE c.kind = 'direct'
               AND EXISTS (SELECT 1 FROM conversation_members WHERE conversation_id = c.id AND user_id = ?)
               AND EXISTS (SELECT 1 FROM conversation_members WHERE conversation_id = c.id AND user_id = ?)
             LIMIT 1",
        )
        .bind(a.to_string())
        .bind(b.to_string())
        .fetch_optional(&self.reader)
        .await?;
        parse(id)
    }

    async fn patient_conversation(&self, team: Uuid, patient: &str) -> StoreResult<Option<Uuid>> {
        let id: Option<String> =
            sqlx::query_scalar("SELECT id FROM conversations WHERE team_id = ? AND subject = ?")
                .bind(team.to_string())
                .bind(patient)
                .fetch_optional(&self.reader)
                .await?;
        parse(id)
    }
}

fn parse(id: Option<String>) -> StoreResult<Option<Uuid>> {
    id.map(|s| {
        Uuid::parse_str(&s).map_err(|e| crate::server::store::StoreError::Corrupt(e.to_string()))
    })
    .transpose()
}
