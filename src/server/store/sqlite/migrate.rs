//! The SQLite schema's migrations (`migrations/sqlite`), run by sqlx's migrator at open in
//! one write transaction on the writer connection: BEGIN IMMEDIATE, so another node
//! opening the same file waits (busy timeout) and then finds them applied, and a failure
//! leaves the schema as it was. See `store::migrations` for checksums and the carry-over
//! from `schema_migrations`.

use sqlx::migrate::Migrate as _;
use sqlx::SqliteConnection;

use super::SqliteStore;
use crate::server::store::migrations::{self, embed, File};
use crate::server::store::StoreResult;

/// Append-only: add new files at the end.
pub(in crate::server::store) const MIGRATIONS: &[File] = embed!(
    "sqlite",
    "0001_initial.sql",
    "0002_list_views.sql",
    "0003_secure_messaging.sql",
    "0004_login_failures.sql",
    "0005_audit_log.sql",
    "0006_presentations.sql",
    "0007_audit_workstation.sql",
    "0008_escalation_unique.sql",
    "0009_audit_key.sql",
    "0010_username_nocase.sql",
    "0011_one_time_passwords.sql",
    "0012_directory_roles.sql",
    "0013_list_sources.sql",
    "0014_jobs.sql",
);

/// Applies the migrations not yet applied, after checking the applied ones are unchanged.
pub(super) async fn migrate(store: &SqliteStore) -> StoreResult<()> {
    let migrator = migrations::migrator(MIGRATIONS).await?;
    let mut tx = store.write_tx().await?;
    carry_over(&mut tx).await?;
    // Each migration runs in a savepoint of this transaction (sqlx begins one per
    // migration; on a connection already in a transaction that is a savepoint).
    migrator
        .run(&mut *tx)
        .await
        .map_err(|e| migrations::refused(MIGRATIONS, e))?;
    tx.commit().await?;
    Ok(())
}

/// A database made before the migrator: its `schema_migrations` versions go into
/// `_sqlx_migrations` with the embedded files' checksums (and their applied times), and
/// the old table goes.
async fn carry_over(tx: &mut SqliteConnection) -> StoreResult<()> {
    let old: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations')",
    )
    .fetch_one(&mut *tx)
    .await?;
    if !old {
        return Ok(());
    }
    let applied: Vec<(i64, String)> =
        sqlx::query_as("SELECT version, applied_at FROM schema_migrations ORDER BY version")
            .fetch_all(&mut *tx)
            .await?;
    tx.ensure_migrations_table()
        .await
        .map_err(|e| migrations::refused(MIGRATIONS, e))?;
    for (version, applied_at) in applied {
        let (_, m) =
            migrations::find(MIGRATIONS, version).ok_or_else(|| migrations::newer(version))?;
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time)
             VALUES (?, ?, COALESCE(datetime(?), CURRENT_TIMESTAMP), TRUE, ?, -1)
             ON CONFLICT (version) DO NOTHING",
        )
        .bind(version)
        .bind(&*m.description)
        .bind(applied_at)
        .bind(&*m.checksum)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("DROP TABLE schema_migrations")
        .execute(&mut *tx)
        .await?;
    Ok(())
}
