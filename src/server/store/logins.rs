//! Failed logins, for backoff and lockout.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failures {
    pub count: u32,
    pub last: DateTime<Utc>,
    pub locked: bool,
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
