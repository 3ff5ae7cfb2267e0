use async_trait::async_trait;
use sqlx::PgConnection;

use super::{PgStore, AUDIT_LOCK};
use crate::model::{AuditAct, AuditEntry, AUDIT_GENESIS};
use crate::server::store::{audit, AuditFilter, AuditStore, StoreResult};

/// Takes the audit lock (to commit: nodes append one at a time, so the chain has no
/// forks) and returns the hash the next row chains to.
pub(super) async fn lock_and_last_hash(tx: &mut PgConnection) -> StoreResult<String> {
    let prev: Option<String> = sqlx::query_scalar("SELECT wardround_audit_last_hash($1)")
        .bind(AUDIT_LOCK)
        .fetch_one(&mut *tx)
        .await?;
    Ok(prev.unwrap_or_else(|| AUDIT_GENESIS.to_string()))
}

/// Appends `acts` after the row whose hash is `prev`, as one statement; the last one's
/// hash.
pub(super) async fn append_tx(
    tx: &mut PgConnection,
    prev: &str,
    acts: &[AuditAct<'_>],
) -> StoreResult<String> {
    let chained = audit::chain(prev, acts);
    let Some((_, last)) = chained.last() else {
        return Ok(prev.to_string());
    };
    let last = last.clone();
    let mut insert = sqlx::QueryBuilder::new(
        "INSERT INTO audit_log (at, actor, workstation, action, patient, detail, prev_hash, hash) ",
    );
    insert.push_values(acts.iter().zip(chained), |mut row, (act, (prev, hash))| {
        row.push_bind(audit::at_text(act.at))
            .push_bind(act.actor.to_string())
            .push_bind(act.workstation.to_string())
            .push_bind(act.action.as_str())
            .push_bind(act.patient.map(str::to_string))
            .push_bind(act.detail.to_string())
            .push_bind(prev)
            .push_bind(hash);
    });
    insert.build().execute(&mut *tx).await?;
    Ok(last)
}

#[async_trait]
impl AuditStore for PgStore {
    async fn append_audit(&self, act: &AuditAct<'_>) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        let prev = lock_and_last_hash(&mut tx).await?;
        append_tx(&mut tx, &prev, std::slice::from_ref(act)).await?;
        tx.commit().await?;
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
