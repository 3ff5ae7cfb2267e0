//! The audit log on PostgreSQL. Rows are MACed in SQL (`wardround_audit_mac`, migration
//! 0005, byte for byte as `AuditAct::mac`, from the padded keys this node passes) and
//! numbered under the audit lock, held to commit, so nodes append one at a time and the
//! chain has no forks or gaps; one statement a row, as `wardround_commit_sends` does for a
//! batch of sends.

use async_trait::async_trait;

use super::{PgStore, AUDIT_LOCK};
use crate::model::{AuditAct, AuditEntry, AUDIT_GENESIS};
use crate::server::store::{audit, AuditFilter, AuditStore, StoreResult};

#[async_trait]
impl AuditStore for PgStore {
    async fn append_audit(&self, act: &AuditAct<'_>) -> StoreResult<()> {
        let (inner, outer) = self.audit_keys.pads();
        let (key_id, _) = self.audit_keys.current();
        sqlx::query("SELECT wardround_append_audit($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
            .bind(AUDIT_LOCK)
            .bind(AUDIT_GENESIS)
            .bind(inner)
            .bind(outer)
            .bind(key_id)
            .bind(audit::at_text(act.at))
            .bind(act.actor)
            .bind(act.workstation)
            .bind(act.action.as_str())
            .bind(act.patient)
            .bind(act.detail)
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

    async fn audit_head(&self) -> StoreResult<Option<(i64, String)>> {
        Ok(
            sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                .fetch_optional(&self.pool)
                .await?,
        )
    }
}
