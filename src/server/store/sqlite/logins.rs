use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;

use super::SqliteStore;
use crate::server::store::{Failures, LoginStore, StoreResult};

fn failures_from(row: &sqlx::sqlite::SqliteRow) -> StoreResult<Failures> {
    Failures::stored(
        row.try_get("failures")?,
        row.try_get("last_failure_at")?,
        row.try_get::<i64, _>("locked")? != 0,
    )
}

#[async_trait]
impl LoginStore for SqliteStore {
    async fn failures(&self, username: &str) -> StoreResult<Option<Failures>> {
        let row = sqlx::query("SELECT * FROM login_failures WHERE username = ?")
            .bind(username)
            .fetch_optional(&self.reader)
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
            "INSERT INTO login_failures (username, failures, last_failure_at, locked)
             VALUES (?1, 1, ?2, ?3 <= 1)
             ON CONFLICT(username) DO UPDATE SET
                failures = failures + 1,
                last_failure_at = excluded.last_failure_at,
                locked = locked OR failures + 1 >= ?3
             RETURNING *",
        )
        .bind(username)
        .bind(at.timestamp_millis())
        .bind(i64::from(lock_after))
        .fetch_one(&self.writer)
        .await?;
        failures_from(&row)
    }

    async fn clear_failures(&self, username: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM login_failures WHERE username = ?")
            .bind(username)
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}
