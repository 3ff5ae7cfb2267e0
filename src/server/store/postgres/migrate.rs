//! The PostgreSQL schema's migrations, applied in order at start; append-only (an applied
//! one is never edited: existing databases must keep working).

use chrono::Utc;
use sqlx::PgPool;

use super::MIGRATE_LOCK;
use crate::server::store::StoreResult;

const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        include_str!("../../../../migrations/postgres/0001_schema.sql"),
    ),
    (
        2,
        include_str!("../../../../migrations/postgres/0002_append_functions.sql"),
    ),
    (
        3,
        include_str!("../../../../migrations/postgres/0003_commit_sends.sql"),
    ),
    (
        4,
        include_str!("../../../../migrations/postgres/0004_escalation_unique.sql"),
    ),
    (
        5,
        include_str!("../../../../migrations/postgres/0005_audit_key.sql"),
    ),
    (
        6,
        include_str!("../../../../migrations/postgres/0006_username_nocase.sql"),
    ),
    (
        7,
        include_str!("../../../../migrations/postgres/0007_one_time_passwords.sql"),
    ),
    (
        8,
        include_str!("../../../../migrations/postgres/0008_directory_roles.sql"),
    ),
];

/// Applies the migrations not yet applied; nodes starting together take turns.
pub(super) async fn migrate(pool: &PgPool) -> StoreResult<()> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(MIGRATE_LOCK)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)",
    )
    .execute(&mut *tx)
    .await?;
    let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations")
        .fetch_all(&mut *tx)
        .await?;
    for (version, sql) in MIGRATIONS {
        if applied.contains(version) {
            continue;
        }
        sqlx::raw_sql(sql).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
            .bind(version)
            .bind(Utc::now())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}
