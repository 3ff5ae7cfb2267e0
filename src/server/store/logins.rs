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

/// How a login attempt is throttled, as the store applies it in one statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    /// Attempts (since the last success) after which each must wait.
    pub backoff_after: u32,
    /// The longest wait, in seconds; waits double from one second up to it.
    pub max_backoff_secs: u32,
    /// Failed attempts that lock the name.
    pub lock_after: u32,
}

impl Throttle {
    /// How long an attempt must wait after `count` counted ones, in seconds, if at all.
    pub fn wait_secs(&self, count: u32) -> Option<u64> {
        let over = count.checked_sub(self.backoff_after)?;
        let max = u64::from(self.max_backoff_secs);
        Some(1u64.checked_shl(over).unwrap_or(max).min(max))
    }
}

#[async_trait]
pub trait LoginStore: Send + Sync {
    /// Counts an attempt for `username` as a failure *before* its password is checked, in
    /// one statement, so that concurrent attempts can neither read a stale count nor get
    /// round the waits or the lock: `Ok` with the count when it may be checked now; `Err`
    /// with the standing failures when the name is locked, has had `lock_after` attempts
    /// in flight or counted, or must wait.
    async fn begin_attempt(
        &self,
        username: &str,
        at: DateTime<Utc>,
        throttle: &Throttle,
    ) -> StoreResult<Result<Failures, Failures>>;
    /// The attempt's password was wrong: locks the name once `lock_after` have failed.
    async fn attempt_failed(&self, username: &str, lock_after: u32) -> StoreResult<Failures>;
    /// The attempt's password was right: the count starts again, unless the name was
    /// locked meanwhile (a lock is lifted only by IT).
    async fn attempt_succeeded(&self, username: &str) -> StoreResult<()>;
    /// IT unlocking the name.
    async fn clear_failures(&self, username: &str) -> StoreResult<()>;
}
