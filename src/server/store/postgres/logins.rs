use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;

use super::PgStore;
use crate::server::store::{Failures, LoginStore, StoreResult};

fn failures_from(row: &sqlx::postgres::PgRow) -> StoreResult<Failures> {
    Failures::stored(
        row.try_get("failures")?,
        row.try_get("last_failure_at")?,
        row.try_get("locked")?,
    )
}

#[async_trait]
impl LoginStore for PgStore {
    async fn failures(&self, username: &str) -> StoreResult<Option<Failures>> {
        let row = sqlx::query("SELECT * FROM login_failures WHERE username = $1")
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(failures_from).transpose()
    }

    async fn record_failure(
        &self,
        username: &str,
        at: DateTime<Utc>,
        lock_after: u32,
    ) -> StoreResult<Failures> {
        let row = sqlx::query(
            "INSERT INTO login_failures AS f (username, failures, last_failure_at, locked)
             VALUES ($1, 1, $2, $3 <= 1)
             ON CONFLICT (username) DO UPDATE SET
                failures = f.failures + 1,
                last_failure_at = excluded.last_failure_at,
                locked = f.locked OR f.failures + 1 >= $3
             RETURNING *",
        )
        .bind(username)
        .bind(at.timestamp_millis())
        .bind(i64::from(lock_after))
        .fetch_one(&self.pool)
        .await?;
        failures_from(&row)
    }

    async fn clear_failures(&self, username: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM login_failures WHERE username = $1")
            .bind(username)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
