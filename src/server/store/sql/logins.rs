//! The `LoginStore` trait on either engine: failed logins counted per username, with
//! back-off and lock-out. Admitting an attempt is one upsert in each engine's own dialect
//! (`Engine::ADMIT_ATTEMPT`); the rest is shared.

/// Stamps `impl LoginStore for $engine`, whose rows are `$db`'s.
macro_rules! logins_impl {
    ($engine:ty, $db:ty) => {
        const _: () = {
            use chrono::{DateTime, Utc};
            use sqlx::Row as _;

            use $crate::server::store::sql::Engine;
            use $crate::server::store::{Failures, LoginStore, StoreResult, Throttle};

            fn failures_from(row: &<$db as sqlx::Database>::Row) -> StoreResult<Failures> {
                Failures::stored(
                    row.try_get("failures")?,
                    row.try_get("last_failure_at")?,
                    row.try_get("locked")?,
                )
            }

            #[async_trait::async_trait]
            impl LoginStore for $engine {
                async fn begin_attempt(
                    &self,
                    username: &str,
                    at: DateTime<Utc>,
                    throttle: &Throttle,
                ) -> StoreResult<Result<Failures, Failures>> {
                    let admitted = sqlx::query(<Self as Engine>::ADMIT_ATTEMPT)
                        .bind(username)
                        .bind(at.timestamp_millis())
                        .bind(i64::from(throttle.lock_after))
                        .bind(i64::from(throttle.backoff_after))
                        .bind(i64::from(throttle.max_backoff_secs))
                        .fetch_optional(self.writes())
                        .await?;
                    if let Some(row) = admitted {
                        return Ok(Ok(failures_from(&row)?));
                    }
                    let row = sqlx::query("SELECT * FROM login_failures WHERE username = $1")
                        .bind(username)
                        .fetch_optional(self.writes())
                        .await?;
                    // Gone already: a success or IT cleared it between the two statements.
                    let Some(row) = row else {
                        return Ok(Err(Failures::stored(0, at.timestamp_millis(), false)?));
                    };
                    let mut standing = failures_from(&row)?;
                    standing.locked |= standing.count >= throttle.lock_after;
                    Ok(Err(standing))
                }

                async fn attempt_failed(
                    &self,
                    username: &str,
                    lock_after: u32,
                ) -> StoreResult<Failures> {
                    let row = sqlx::query(
                        "UPDATE login_failures SET locked = locked OR failures >= $2
                         WHERE username = $1 RETURNING *",
                    )
                    .bind(username)
                    .bind(i64::from(lock_after))
                    .fetch_optional(self.writes())
                    .await?;
                    match row {
                        Some(row) => failures_from(&row),
                        // A success or IT cleared the count meanwhile.
                        None => Failures::stored(0, 0, false),
                    }
                }

                async fn attempt_succeeded(&self, username: &str) -> StoreResult<()> {
                    sqlx::query("DELETE FROM login_failures WHERE username = $1 AND NOT locked")
                        .bind(username)
                        .execute(self.writes())
                        .await?;
                    Ok(())
                }

                async fn clear_failures(&self, username: &str) -> StoreResult<()> {
                    sqlx::query("DELETE FROM login_failures WHERE username = $1")
                        .bind(username)
                        .execute(self.writes())
                        .await?;
                    Ok(())
                }
            }
        };
    };
}
pub(crate) use logins_impl;
