//! The audit log on SQLite: rows are chained and MACed here, in Rust, and appended in the
//! writer's transaction, which makes reading the last hash and appending after it atomic.

use async_trait::async_trait;

use super::SqliteStore;
use crate::model::{AuditAct, AuditEntry};
use crate::server::audit_key::AuditKeys;
use crate::server::store::{audit, AuditFilter, AuditStore, StoreError, StoreResult};

/// The hash the first row chains to.
use crate::model::AUDIT_GENESIS as GENESIS;

/// The hash the next row chains to.
pub(super) async fn last_hash(tx: &mut sqlx::SqliteConnection) -> StoreResult<String> {
    let prev: Option<String> =
        sqlx::query_scalar("SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?;
    Ok(prev.unwrap_or_else(|| GENESIS.to_string()))
}

/// Appends `acts` after the row whose hash is `prev`, as one statement; the last one's
/// hash.
pub(super) async fn append_tx(
    tx: &mut sqlx::SqliteConnection,
    keys: &AuditKeys,
    prev: &str,
    acts: &[AuditAct<'_>],
) -> StoreResult<String> {
    append(tx, keys, prev, acts, false)
        .await?
        .ok_or_else(|| StoreError::Corrupt("an audit row was not stored".into()))
}

/// As [`append_tx`] where `prev` is only believed to be the last hash (the group commit
/// remembers the one it wrote): nothing is appended, and `None` returned, unless it is.
/// Checked in the statement itself, which saves reading the head first on every commit.
pub(super) async fn append_if_last(
    tx: &mut sqlx::SqliteConnection,
    keys: &AuditKeys,
    prev: &str,
    acts: &[AuditAct<'_>],
) -> StoreResult<Option<String>> {
    append(tx, keys, prev, acts, true).await
}

async fn append(
    tx: &mut sqlx::SqliteConnection,
    keys: &AuditKeys,
    prev: &str,
    acts: &[AuditAct<'_>],
    only_if_last: bool,
) -> StoreResult<Option<String>> {
    let chained = audit::chain(keys, prev, acts);
    let (key_id, _) = keys.current();
    let Some((_, last)) = chained.last() else {
        return Ok(Some(prev.to_string()));
    };
    let last = last.clone();
    let mut insert = sqlx::QueryBuilder::new(
        "INSERT INTO audit_log (at, actor, workstation, action, patient, detail, prev_hash, hash, key_id) SELECT * FROM (",
    );
    insert.push_values(acts.iter().zip(chained), |mut row, (act, (prev, hash))| {
        row.push_bind(audit::at_text(act.at))
            .push_bind(act.actor.to_string())
            .push_bind(act.workstation.to_string())
            .push_bind(act.action.as_str())
            .push_bind(act.patient.map(str::to_string))
            .push_bind(act.detail.to_string())
            .push_bind(prev)
            .push_bind(hash)
            .push_bind(key_id.to_string());
    });
    insert.push(")");
    if only_if_last {
        insert
            .push(" WHERE COALESCE((SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1), ")
            .push_bind(GENESIS)
            .push(") = ")
            .push_bind(prev.to_string());
    }
    let done = insert.build().execute(&mut *tx).await?;
    Ok((done.rows_affected() == acts.len() as u64).then_some(last))
}

#[async_trait]
impl AuditStore for SqliteStore {
    async fn append_audit(&self, act: &AuditAct<'_>) -> StoreResult<()> {
        // The one writer connection makes read-last-then-append atomic.
        let mut tx = self.write_tx().await?;
        let prev = last_hash(&mut tx).await?;
        append_tx(&mut tx, &self.audit_keys, &prev, std::slice::from_ref(act)).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn audit_entries(&self, filter: &AuditFilter) -> StoreResult<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT * FROM audit_log
             WHERE seq > ?1
               AND (?2 IS NULL OR actor = ?2)
               AND (?3 IS NULL OR patient = ?3)
               AND (?4 IS NULL OR at >= ?4)
             ORDER BY seq LIMIT ?5",
        )
        .bind(filter.after)
        .bind(&filter.actor)
        .bind(&filter.patient)
        .bind(filter.since.map(audit::at_text))
        .bind(i64::from(filter.limit))
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(audit::entry_from).collect()
    }

    async fn audit_head(&self) -> StoreResult<Option<(i64, String)>> {
        Ok(
            sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                .fetch_optional(&self.reader)
                .await?,
        )
    }
}
