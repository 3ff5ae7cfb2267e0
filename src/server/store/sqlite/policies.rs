use async_trait::async_trait;
use chrono::Utc;
use sqlx::Row;
use uuid::Uuid;

use super::SqliteStore;
use crate::model::{MessagingPolicy, PolicySettings, UserSettings};
use crate::server::store::{PolicyStore, StoreError, StoreResult, Subject};

fn subject_parts(subject: Subject) -> (&'static str, String) {
    match subject {
        Subject::User(id) => ("user", id.to_string()),
        Subject::Team(id) => ("team", id.to_string()),
    }
}

fn settings_from(name: String, json: &str) -> StoreResult<MessagingPolicy> {
    let settings: PolicySettings = serde_json::from_str(json)
        .map_err(|e| StoreError::Corrupt(format!("policy {name}: {e}")))?;
    Ok(MessagingPolicy { name, settings })
}

#[async_trait]
impl PolicyStore for SqliteStore {
    async fn policies(&self) -> StoreResult<Vec<MessagingPolicy>> {
        let rows = sqlx::query("SELECT name, settings FROM policies ORDER BY name")
            .fetch_all(&self.reader)
            .await?;
        rows.iter()
            .map(|r| settings_from(r.try_get("name")?, &r.try_get::<String, _>("settings")?))
            .collect()
    }

    async fn policy(&self, name: &str) -> StoreResult<Option<MessagingPolicy>> {
        let row = sqlx::query("SELECT name, settings FROM policies WHERE name = ?")
            .bind(name)
            .fetch_optional(&self.reader)
            .await?;
        row.map(|r| settings_from(r.try_get("name")?, &r.try_get::<String, _>("settings")?))
            .transpose()
    }

    async fn save_policy(&self, policy: &MessagingPolicy) -> StoreResult<()> {
        let json = serde_json::to_string(&policy.settings)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        sqlx::query(
            "INSERT INTO policies (name, settings, updated_at) VALUES (?, ?, ?)
             ON CONFLICT(name) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at",
        )
        .bind(&policy.name)
        .bind(json)
        .bind(Utc::now())
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn assign_policy(&self, subject: Subject, policy: Option<&str>) -> StoreResult<bool> {
        let (kind, id) = subject_parts(subject);
        let changed = match policy {
            Some(name) => sqlx::query(
                "INSERT INTO policy_assignments (subject_kind, subject_id, policy) VALUES (?, ?, ?)
                 ON CONFLICT(subject_kind, subject_id) DO UPDATE SET policy = excluded.policy",
            )
            .bind(kind)
            .bind(id)
            .bind(name)
            .execute(&self.writer)
            .await?
            .rows_affected(),
            None => sqlx::query(
                "DELETE FROM policy_assignments WHERE subject_kind = ? AND subject_id = ?",
            )
            .bind(kind)
            .bind(id)
            .execute(&self.writer)
            .await?
            .rows_affected(),
        };
        Ok(changed > 0)
    }

    async fn assigned_policy(&self, subject: Subject) -> StoreResult<Option<String>> {
        let (kind, id) = subject_parts(subject);
        Ok(sqlx::query_scalar(
            "SELECT policy FROM policy_assignments WHERE subject_kind = ? AND subject_id = ?",
        )
        .bind(kind)
        .bind(id)
        .fetch_optional(&self.reader)
        .await?)
    }

    async fn assignments(&self) -> StoreResult<Vec<(Subject, String)>> {
        let rows = sqlx::query(
            "SELECT subject_kind, subject_id, policy FROM policy_assignments ORDER BY policy",
        )
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| {
                let id: String = r.try_get("subject_id")?;
                let id = Uuid::parse_str(&id).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let subject = match r.try_get::<String, _>("subject_kind")?.as_str() {
                    "user" => Subject::User(id),
                    _ => Subject::Team(id),
                };
                Ok((subject, r.try_get("policy")?))
            })
            .collect()
    }

    async fn user_settings(&self, user: Uuid) -> StoreResult<Option<UserSettings>> {
        let v: Option<i64> =
            sqlx::query_scalar("SELECT read_receipts FROM user_settings WHERE user_id = ?")
                .bind(user.to_string())
                .fetch_optional(&self.reader)
                .await?;
        Ok(v.map(|v| UserSettings {
            read_receipts: v != 0,
        }))
    }

    async fn save_user_settings(&self, user: Uuid, settings: &UserSettings) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO user_settings (user_id, read_receipts) VALUES (?, ?)
             ON CONFLICT(user_id) DO UPDATE SET read_receipts = excluded.read_receipts",
        )
        .bind(user.to_string())
        .bind(settings.read_receipts)
        .execute(&self.writer)
        .await?;
        Ok(())
    }
}
