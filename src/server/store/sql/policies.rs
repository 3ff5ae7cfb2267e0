//! The `PolicyStore` trait on either engine: messaging policies, who they are assigned
//! to, and each user's own settings.

use uuid::Uuid;

use super::Id;
use crate::model::{MessagingPolicy, PolicySettings};
use crate::server::store::{StoreError, StoreResult, Subject};

/// How an assignment's subject is stored: its kind, and its id.
pub(in crate::server::store) fn subject_parts(subject: Subject) -> (&'static str, Id) {
    match subject {
        Subject::User(id) => ("user", Id(id)),
        Subject::Team(id) => ("team", Id(id)),
    }
}

pub(in crate::server::store) fn subject_from(kind: &str, id: Uuid) -> Subject {
    match kind {
        "user" => Subject::User(id),
        _ => Subject::Team(id),
    }
}

pub(in crate::server::store) fn settings_from(
    name: String,
    json: &str,
) -> StoreResult<MessagingPolicy> {
    let settings: PolicySettings = serde_json::from_str(json)
        .map_err(|e| StoreError::Corrupt(format!("policy {name}: {e}")))?;
    Ok(MessagingPolicy { name, settings })
}

/// Stamps `impl PolicyStore for $engine`.
macro_rules! policies_impl {
    ($engine:ty) => {
        const _: () = {
            use chrono::Utc;
            use sqlx::Row as _;
            use uuid::Uuid;

            use $crate::model::{MessagingPolicy, UserSettings};
            use $crate::server::store::sql::policies::{settings_from, subject_from, subject_parts};
            use $crate::server::store::sql::{Engine as _, Id};
            use $crate::server::store::{PolicyStore, StoreError, StoreResult, Subject};

            #[async_trait::async_trait]
            impl PolicyStore for $engine {
                async fn policies(&self) -> StoreResult<Vec<MessagingPolicy>> {
                    let rows = sqlx::query("SELECT name, settings FROM policies ORDER BY name")
                        .fetch_all(self.reads())
                        .await?;
                    rows.iter()
                        .map(|r| settings_from(r.try_get("name")?, &r.try_get::<String, _>("settings")?))
                        .collect()
                }

                async fn policy(&self, name: &str) -> StoreResult<Option<MessagingPolicy>> {
                    let row = sqlx::query("SELECT name, settings FROM policies WHERE name = $1")
                        .bind(name)
                        .fetch_optional(self.reads())
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
                    .execute(self.writes())
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
                        .execute(self.writes())
                        .await?
                        .rows_affected(),
                        None => sqlx::query(
                            "DELETE FROM policy_assignments WHERE subject_kind = $1 AND subject_id = $2",
                        )
                        .bind(kind)
                        .bind(id)
                        .execute(self.writes())
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
                    .fetch_optional(self.reads())
                    .await?)
                }

                async fn assignments(&self) -> StoreResult<Vec<(Subject, String)>> {
                    let rows = sqlx::query(
                        "SELECT subject_kind, subject_id, policy FROM policy_assignments ORDER BY policy",
                    )
                    .fetch_all(self.reads())
                    .await?;
                    rows.iter()
                        .map(|r| {
                            let kind: String = r.try_get("subject_kind")?;
                            let id: Uuid = r.try_get::<Id, _>("subject_id")?.into();
                            Ok((subject_from(&kind, id), r.try_get("policy")?))
                        })
                        .collect()
                }

                async fn user_settings(&self, user: Uuid) -> StoreResult<Option<UserSettings>> {
                    let v: Option<bool> =
                        sqlx::query_scalar("SELECT read_receipts FROM user_settings WHERE user_id = $1")
                            .bind(Id(user))
                            .fetch_optional(self.reads())
                            .await?;
                    Ok(v.map(|read_receipts| UserSettings { read_receipts }))
                }

                async fn save_user_settings(&self, user: Uuid, settings: &UserSettings) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO user_settings (user_id, read_receipts) VALUES ($1, $2)
                         ON CONFLICT (user_id) DO UPDATE SET read_receipts = excluded.read_receipts",
                    )
                    .bind(Id(user))
                    .bind(settings.read_receipts)
                    .execute(self.writes())
                    .await?;
                    Ok(())
                }
            }
        };
    };
}
pub(crate) use policies_impl;
