use async_trait::async_trait;
use chrono::Utc;
use sqlx::Row;
use uuid::Uuid;

use super::PgStore;
use crate::model::{MessagingPolicy, PolicySettings, UserSettings};
use crate::server::store::{PolicyStore, StoreError, StoreResult, Subject};

fn subject_parts(subject: Subject) -> (&'static str, Uuid) {
    match subject {
        Subject::User(id) => ("user", id),
        Subject::Team(id) => ("team", id),
    }
}

fn settings_from(name: String, json: &str) -> StoreResult<MessagingPolicy> {
    let settings: PolicySettings = serde_json::from_str(json)
        .map_err(|e| StoreError::Corrupt(format!("policy {name}: {e}")))?;
    Ok(MessagingPolicy { name, settings })
}

#[async_trait]
impl PolicyStore for PgStore {
    async fn policies(&self) -> StoreResult<Vec<MessagingPolicy>> {
        let rows = sqlx::query("SELECT name, settings FROM policies ORDER BY name")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| settings_from(r.try_get("name")?, &r.try_get::<String, _>("settings")?))
            .collect()
    }

    async fn policy(&self, name: &str) -> StoreResult<Option<MessagingPolicy>> {
        let row = sqlx::query("SELECT name, settings FROM policies WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| settings_from(r.try_get("name")?, &r.try_get::<String, _>("settings")?))
            .transpose()
    }

    async fn save_policy(&self, policy: &MessagingPolicy) -> StoreResult<()> {
        let json = serde_json::to_string(&policy.settings)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        sqlx::query(
            "INSERT INTO policies (name, settings, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at",
        )
        .bind(&policy.name)
        .bind(json)
        .bind(Utc::now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn assign_policy(&self, subject: Subject, policy: Option<&str>) -> StoreResult<bool> {
        let (kind, id) = subject_parts(subject);
        let changed = match policy {
            Some(name) => sqlx::query(
                "INSERT INTO policy_assignments (subject_kind, subject_id, policy) VALUES ($1, $2, $3)
                 ON CONFLICT (subject_kind, subject_id) DO UPDATE SET policy = excluded.policy",
            )
            .bind(kind)
            .bind(id)
            .bind(name)
            .execute(&self.pool)
            .await?
            .rows_affected(),
            None => sqlx::query(
                "DELETE FROM policy_assignments WHERE subject_kind = $1 AND subject_id = $2",
            )
            .bind(kind)
            .bind(id)
            .execute(&self.pool)
            .await?
            .rows_affected(),
        };
        Ok(changed > 0)
    }

    async fn assigned_policy(&self, subject: Subject) -> StoreResult<Option<String>> {
        let (kind, id) = subject_parts(subject);
        Ok(sqlx::query_scalar(
            "SELECT policy FROM policy_assignments WHERE subject_kind = $1 AND subject_id = $2",
        )
        .bind(kind)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn assignments(&self) -> StoreResult<Vec<(Subject, String)>> {
        let rows = sqlx::query(
            "SELECT subject_kind, subject_id, policy FROM policy_assignments ORDER BY policy",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let id: Uuid = r.try_get("subject_id")?;
                let subject = match r.try_get::<String, _>("subject_kind")?.as_str() {
                    "user" => Subject::User(id),
                    _ => Subject::Team(id),
                };
                Ok((subject, r.try_get("policy")?))
            })
            .collect()
    }

    async fn user_settings(&self, user: Uuid) -> StoreResult<Option<UserSettings>> {
        let v: Option<bool> =
            sqlx::query_scalar("SELECT read_receipts FROM user_settings WHERE user_id = $1")
                .bind(user)
                .fetch_optional(&self.pool)
                .await?;
        Ok(v.map(|read_receipts| UserSettings { read_receipts }))
    }

    async fn save_user_settings(&self, user: Uuid, settings: &UserSettings) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO user_settings (user_id, read_receipts) VALUES ($1, $2)
             ON CONFLICT (user_id) DO UPDATE SET read_receipts = excluded.read_receipts",
        )
        .bind(user)
        .bind(settings.read_receipts)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
