//! The PostgreSQL schema's migrations (`migrations/postgres`), run by sqlx's migrator at
//! start in one transaction: a failure leaves the schema as it was. See
//! `store::migrations` for checksums and the carry-over from `schema_migrations`.
//!
//! Nodes starting together take turns under two advisory locks, always in this order:
//! - ours (`MIGRATE_LOCK`), transaction-scoped, taken first and held to commit: the lock
//!   nodes of earlier versions take, so a node of this version and an older one starting
//!   together during an upgrade do not both migrate;
//! - sqlx's, session-scoped (keyed on the database's name), taken and released by the
//!   migrator. A refusal returns before sqlx releases it, so the migrations run on a
//!   connection of their own that is closed afterwards, never on one the pool hands on.
//!
//! Both are per database, not per schema: deployments in schemas of one database start
//! one at a time, as before.

use chrono::{DateTime, Utc};
use sqlx::migrate::{Migrate as _, Migrator};
use sqlx::{Connection as _, PgConnection, PgPool};

use super::MIGRATE_LOCK;
use crate::server::store::migrations::{self, embed, File};
use crate::server::store::StoreResult;

/// Append-only: add new files at the end.
pub(in crate::server::store) const MIGRATIONS: &[File] = embed!(
    "postgres",
    "0001_schema.sql",
    "0002_append_functions.sql",
    "0003_commit_sends.sql",
    "0004_escalation_unique.sql",
    "0005_audit_key.sql",
    "0006_username_nocase.sql",
    "0007_one_time_passwords.sql",
    "0008_directory_roles.sql",
    "0009_notify_sender.sql",
    "0010_list_sources.sql",
    "0011_jobs.sql",
);

/// Applies the migrations not yet applied, after checking the applied ones are unchanged.
pub(super) async fn migrate(pool: &PgPool) -> StoreResult<()> {
    let migrator = migrations::migrator(MIGRATIONS).await?;
    let mut conn = pool.acquire().await?.detach();
    let outcome = run(&mut conn, &migrator).await;
    // Ends the session, and with it any lock a refusal left held.
    let _ = conn.close().await;
    outcome
}

async fn run(conn: &mut PgConnection, migrator: &Migrator) -> StoreResult<()> {
    let mut tx = conn.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(MIGRATE_LOCK)
        .execute(&mut *tx)
        .await?;
    carry_over(&mut tx).await?;
    // Each migration runs in a savepoint of this transaction.
    migrator
        .run(&mut *tx)
        .await
        .map_err(|e| migrations::refused(MIGRATIONS, e))?;
    tx.commit().await?;
    Ok(())
}

/// A database made before the migrator: its `schema_migrations` versions go into
/// `_sqlx_migrations` with the embedded files' checksums (and their applied times), and
/// the old table goes. Both tables are the first of the search path's schemas, as every
/// other table.
async fn carry_over(tx: &mut PgConnection) -> StoreResult<()> {
    let old: bool = sqlx::query_scalar("SELECT to_regclass('schema_migrations') IS NOT NULL")
        .fetch_one(&mut *tx)
        .await?;
    if !old {
        return Ok(());
    }
    let applied: Vec<(i64, DateTime<Utc>)> =
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
             VALUES ($1, $2, $3, TRUE, $4, -1)
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
