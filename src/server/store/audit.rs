//! The append-only, hash-chained audit log.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{StoreError, StoreResult};
use crate::model::{AuditAct, AuditEntry};
use crate::server::audit_key::AuditKeys;

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
    /// The newest row's sequence number and hash: what a checkpoint writes down.
    async fn audit_head(&self) -> StoreResult<Option<(i64, String)>>;
}

/// How the audit log stores a time: RFC 3339 text to the microsecond, which is also what
/// each row's hash covers, so every store keeps the same text.
pub(super) fn at_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// An audit row as read back, from either store (they keep the same columns and text).
pub(super) fn entry_from<R>(r: &R) -> StoreResult<AuditEntry>
where
    R: sqlx::Row,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let action: String = r.try_get("action")?;
    let at: String = r.try_get("at")?;
    Ok(AuditEntry {
        seq: r.try_get("seq")?,
        at: DateTime::parse_from_rfc3339(&at)
            .map_err(|e| StoreError::Corrupt(format!("audit time {at:?}: {e}")))?
            .with_timezone(&Utc),
        actor: r.try_get("actor")?,
        workstation: r.try_get("workstation")?,
        action: serde_json::from_value(serde_json::Value::String(action.clone()))
            .map_err(|_| StoreError::Corrupt(format!("audit action {action:?}")))?,
        patient: r.try_get("patient")?,
        detail: r.try_get("detail")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
        key_id: r.try_get("key_id")?,
    })
}

/// Each act's predecessor MAC and its own under the current key, chained from `prev`, in
/// order.
pub(super) fn chain(keys: &AuditKeys, prev: &str, acts: &[AuditAct<'_>]) -> Vec<(String, String)> {
    let (_, key) = keys.current();
    let mut prev = prev.to_string();
    acts.iter()
        .map(|act| {
            let hash = act.mac(key, &prev);
            (std::mem::replace(&mut prev, hash.clone()), hash)
        })
        .collect()
}
