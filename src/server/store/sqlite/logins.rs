use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;

use super::SqliteStore;
use crate::server::store::{Failures, LoginStore, StoreResult, Throttle};

fn failures_from(row: &sqlx::sqlite::SqliteRow) -> StoreResult<Failures> {
    Failures::stored(
        row.try_get("failures")?,
        row.try_get("last_failure_at")?,
        row.try_get::<i64, _>("locked")? != 0,
    )
}

/// The wait (ms) after `failures` counted attempts, as `Throttle::wait_secs`: ?4 is
/// `backoff_after`, ?5 `max_backoff_secs`.
const WAIT_MS: &str = "CASE WHEN failures < ?4 THEN 0
     ELSE min(?5, 1 << min(failures - ?4, 32)) * 1000 END";

#[async_trait]
impl LoginStore for SqliteStore {
    async fn begin_attempt(
        &self,
        username: &str,
        at: DateTime<Utc>,
        throttle: &Throttle,
    ) -> StoreResult<Result<Failures, Failures>> {
        let sql = format!(
            "INSERT INTO login_failures (username, failures, last_failure_at, locked)
             VALUES (?1, 1, ?2, 0)
             ON CONFLICT(username) DO UPDATE SET
                failures = failures + 1,
                last_failure_at = excluded.last_failure_at
             WHERE locked = 0 AND failures < ?3 AND ?2 >= last_failure_at + {WAIT_MS}
             RETURNING *"
        );
        let admitted = sqlx::query(&sql)
            .bind(username)
            .bind(at.timestamp_millis())
            .bind(i64::from(throttle.lock_after))
            .bind(i64::from(throttle.backoff_after))
            .bind(i64::from(throttle.max_backoff_secs))
            .fetch_optional(&self.writer)
            .await?;
        if let Some(row) = admitted {
            return Ok(Ok(failures_from(&row)?));
        }
        let row = sqlx::query("SELECT * FROM login_failures WHERE username = ?")
            .bind(username)
            .fetch_optional(&self.writer)
            .await?;
        // Gone already: a success or IT cleared it between the two statements.
        let Some(row) = row else {
            return Ok(Err(Failures::stored(0, at.timestamp_millis(), false)?));
        };
        let mut standing = failures_from(&row)?;
        standing.locked |= standing.count >= throttle.lock_after;
        Ok(Err(standing))
    }

    async fn attempt_failed(&self, username: &str, lock_after: u32) -> StoreResult<Failures> {
        let row = sqlx::query(
            "UPDATE login_failures SET locked = locked OR failures >= ?2
             WHERE username = ?1 RETURNING *",
        )
        .bind(username)
        .bind(i64::from(lock_after))
        .fetch_optional(&self.writer)
        .await?;
        match row {
            Some(row) => failures_from(&row),
            // A success or IT cleared the count meanwhile.
            None => Failures::stored(0, 0, false),
        }
    }

    async fn attempt_succeeded(&self, username: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM login_failures WHERE username = ? AND locked = 0")
            .bind(username)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn clear_failures(&self, username: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM login_failures WHERE username = ?")
            .bind(username)
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}
