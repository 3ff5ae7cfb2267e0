//! The audit log on PostgreSQL. Rows are chained in SQL (`wardround_audit_hash`,
//! migration 0003, byte for byte as `AuditAct::hash`) under the audit lock, held to
//! commit, so nodes append one at a time and the chain has no forks; one statement a row,
//! as `wardround_commit_sends` does for a batch of sends.

use async_trait::async_trait;

use super::{PgStore, AUDIT_LOCK};
use crate::model::{AuditAct, AuditEntry, AUDIT_GENESIS};
use crate::server::store::{audit, AuditFilter, AuditStore, StoreResult};

#[async_trait]
impl AuditStore for PgStore {
    async fn append_audit(&self, act: &AuditAct<'_>) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO audit_log (at, actor, workstation, action, patient, detail, prev_hash, hash)
             SELECT $1, $2, $3, $4, $5, $6, prev,
                    wardround_audit_hash(prev, $1, $2, $4, $5, $6, $3)
             FROM (SELECT coalesce(wardround_audit_last_hash($7), $8) AS prev) AS newest",
        )
        .bind(audit::at_text(act.at))
        .bind(act.actor)
        .bind(act.workstation)
        .bind(act.action.as_str())
        .bind(act.patient)
        .bind(act.detail)
        .bind(AUDIT_LOCK)
        .bind(AUDIT_GENESIS)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn audit_entries(&self, filter: &AuditFilter) -> StoreResult<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT * FROM audit_log
             WHERE seq > $1
               AND ($2::text IS NULL OR actor = $2)
               AND ($3::text IS NULL OR patient = $3)
               AND ($4::text IS NULL OR at >= $4)
             ORDER BY seq LIMIT $5",
        )
        .bind(filter.after)
        .bind(&filter.actor)
        .bind(&filter.patient)
        .bind(filter.since.map(audit::at_text))
        .bind(i64::from(filter.limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(audit::entry_from).collect()
    }
}
