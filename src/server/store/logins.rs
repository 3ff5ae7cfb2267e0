//! Failed logins, for backoff and lockout.

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};

use super::{StoreError, StoreResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failures {
    pub count: u32,
    pub last: DateTime<Utc>,
    pub locked: bool,
}

impl Failures {
    /// From the stored columns: the count, the last failure in unix ms, the lock.
    pub(super) fn stored(count: i64, last_ms: i64, locked: bool) -> StoreResult<Failures> {
        Ok(Failures {
            count: u32::try_from(count).unwrap_or(u32::MAX),
            last: Utc
                .timestamp_millis_opt(last_ms)
                .single()
                .ok_or_else(|| StoreError::Corrupt(format!("login failure time {last_ms}")))?,
            locked,
        })
    }
}

#[async_trait]
pub trait LoginStore: Send + Sync {
    async fn failures(&self, username: &str) -> StoreResult<Option<Failures>>;
    /// Counts one more failure at `at`; locks the name once there are `lock_after`.
    async fn record_failure(
        &self,
        username: &str,
        at: DateTime<Utc>,
        lock_after: u32,
    ) -> StoreResult<Failures>;
    /// A success, or IT unlocking the name.
    async fn clear_failures(&self, username: &str) -> StoreResult<()>;
}
