//! The SQLite schema's migrations, applied in order at open; append-only (an applied one
//! is never edited: existing databases must keep working).

use chrono::Utc;

use super::SqliteStore;
use crate::server::store::StoreResult;

const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        include_str!("../../../../migrations/sqlite/0001_initial.sql"),
    ),
    (
        2,
        include_str!("../../../../migrations/sqlite/0002_list_views.sql"),
    ),
    (
        3,
        include_str!("../../../../migrations/sqlite/0003_secure_messaging.sql"),
    ),
    (
        4,
        include_str!("../../../../migrations/sqlite/0004_login_failures.sql"),
    ),
    (
        5,
        include_str!("../../../../migrations/sqlite/0005_audit_log.sql"),
    ),
    (
        6,
        include_str!("../../../../migrations/sqlite/0006_presentations.sql"),
    ),
    (
        7,
        include_str!("../../../../migrations/sqlite/0007_audit_workstation.sql"),
    ),
    (
        8,
        include_str!("../../../../migrations/sqlite/0008_escalation_unique.sql"),
    ),
    (
        9,
        include_str!("../../../../migrations/sqlite/0009_audit_key.sql"),
    ),
    (
        10,
        include_str!("../../../../migrations/sqlite/0010_username_nocase.sql"),
    ),
    (
        11,
        include_str!("../../../../migrations/sqlite/0011_one_time_passwords.sql"),
    ),
    (
        12,
        include_str!("../../../../migrations/sqlite/0012_directory_roles.sql"),
    ),
];

/// Applies the migrations not yet applied, in one write transaction.
pub(super) async fn migrate(store: &SqliteStore) -> StoreResult<()> {
    let mut tx = store.write_tx().await?;
    sqlx::query("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
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
        sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)")
            .bind(version)
            .bind(Utc::now())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}
