//! The append-only, hash-chained audit log.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;
use crate::model::{AuditAct, AuditEntry};

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub patient: Option<String>,
    pub since: Option<DateTime<Utc>>,
    /// Rows after this sequence number (paging).
    pub after: i64,
    pub limit: u32,
}

#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Appends a row chained to the last one.
    async fn append_audit(&self, act: &AuditAct<'_>) -> StoreResult<()>;
    /// Rows in order, as filtered.
    async fn audit_entries(&self, filter: &AuditFilter) -> StoreResult<Vec<AuditEntry>>;
}
