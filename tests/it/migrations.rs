//! The schema's migrations, run by sqlx's migrator on each store: a fresh database gets
//! them all, recorded with their checksums; a database made before the migrator (with its
//! `schema_migrations` table) carries over without running anything again and keeps its
//! data; a migration edited after it was applied is refused, naming its file, by the store
//! and by `wardround serve`.

use crate::common;

use std::path::PathBuf;
use std::time::Duration;

use common::TestStore;
use sha2::Digest as _;
use wardround::model::{NewMessage, Priority};
use wardround::server::audit_key::AuditKeys;
use wardround::server::store::{Database, StoreError};

const ADMIN_PASSWORD: &str = "admin password for the migration tests";

fn engine(store: &TestStore) -> &'static str {
    match store.database {
        Database::Sqlite(_) => "sqlite",
        Database::Postgres(_) => "postgres",
    }
}

/// The store's migration files in order: (version, file name, SQL).
fn files(store: &TestStore) -> Vec<(i64, String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(engine(store));
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            let version = name.split('_').next().unwrap().parse().unwrap();
            (version, name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    files.sort();
    assert!(files.len() >= 2, "{}", dir.display());
    files
}

/// What `_sqlx_migrations` says was applied: (version, checksum, execution_time).
async fn applied(store: &TestStore) -> Vec<(i64, Vec<u8>, i64)> {
    const SQL: &str =
        "SELECT version, checksum, execution_time FROM _sqlx_migrations WHERE success ORDER BY version";
    match &store.database {
        Database::Sqlite(path) => {
            let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
                .await
                .unwrap();
            let rows = sqlx::query_as(SQL).fetch_all(&pool).await.unwrap();
            pool.close().await;
            rows
        }
        Database::Postgres(url) => {
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            let rows = sqlx::query_as(SQL).fetch_all(&pool).await.unwrap();
            pool.close().await;
            rows
        }
    }
}

async fn has_table(store: &TestStore, table: &str) -> bool {
    let sql = match store.database {
        Database::Sqlite(_) => {
            format!("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'")
        }
        Database::Postgres(_) => format!(
            "SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = '{table}'"
        ),
    };
    store.scalar(&sql).await == 1
}

fn sha384(sql: &str) -> Vec<u8> {
    sha2::Sha384::digest(sql.as_bytes()).to_vec()
}

/// The old table as the code before the migrator made it.
fn old_table(store: &TestStore) -> &'static str {
    match store.database {
        Database::Sqlite(_) => "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);",
        Database::Postgres(_) => "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL);",
    }
}

/// An applied time as the old code wrote it (sqlx's encoding of a `DateTime<Utc>`).
fn old_time(store: &TestStore) -> &'static str {
    match store.database {
        Database::Sqlite(_) => "'2025-03-04 05:06:07.123456789+00:00'",
        Database::Postgres(_) => "'2025-03-04 05:06:07.123456+00'",
    }
}

async fn open(store: &TestStore) -> Result<(), StoreError> {
    store
        .database
        .open(AuditKeys::generate(), Default::default())
        .await
        .map(drop)
}

async fn a_fresh_database_gets_every_migration_with_its_checksum(store: TestStore) {
    open(&store).await.unwrap();
    let expected: Vec<_> = files(&store)
        .iter()
        .map(|(v, _, sql)| (*v, sha384(sql)))
        .collect();
    let first = applied(&store).await;
    let seen: Vec<_> = first.iter().map(|(v, c, _)| (*v, c.clone())).collect();
    assert_eq!(seen, expected);
    assert!(first.iter().all(|(_, _, took)| *took >= 0));
    assert!(!has_table(&store, "schema_migrations").await);
    // Opening again applies nothing.
    open(&store).await.unwrap();
    assert_eq!(applied(&store).await, first);
}

async fn nodes_starting_together_migrate_once(store: TestStore) {
    let (a, b, c) = tokio::join!(open(&store), open(&store), open(&store));
    a.unwrap();
    b.unwrap();
    c.unwrap();
    assert_eq!(applied(&store).await.len(), files(&store).len());
}

/// A database made by the code before the migrator, by hand: every migration file but
/// the last applied and listed in `schema_migrations`, and a row of data.
async fn a_database_of_the_old_scheme_carries_over_and_runs_only_what_is_new(store: TestStore) {
    let files = files(&store);
    let (older, newest) = files.split_at(files.len() - 1);
    let mut sql = old_table(&store).to_string();
    for (version, _, text) in older {
        sql.push_str(text);
        sql.push_str(&format!(
            "\n;INSERT INTO schema_migrations (version, applied_at) VALUES ({version}, {});\n",
            old_time(&store)
        ));
    }
    sql.push_str(match store.database {
        Database::Sqlite(_) => "INSERT INTO users (id, username, display_name, role, password_hash, disabled, created_at) VALUES ('6f9619ff-8b86-d011-b42d-00c04fc964ff', 'kept', 'Kept Carer', 'RN', 'x', 0, '2025-03-04 05:06:07+00:00');",
        Database::Postgres(_) => "INSERT INTO users (id, username, display_name, role, password_hash, disabled, created_at) VALUES ('6f9619ff-8b86-d011-b42d-00c04fc964ff', 'kept', 'Kept Carer', 'RN', 'x', false, '2025-03-04 05:06:07+00');",
    });
    if let Database::Sqlite(path) = &store.database {
        // An empty file is an empty SQLite database (the helper opens, never creates).
        std::fs::File::create(path).unwrap();
    }
    store.execute(&sql).await;

    // Running any of the old migrations again would fail (their tables exist).
    open(&store).await.unwrap();
    let applied = applied(&store).await;
    let expected: Vec<_> = files.iter().map(|(v, _, sql)| (*v, sha384(sql))).collect();
    assert_eq!(
        applied
            .iter()
            .map(|(v, c, _)| (*v, c.clone()))
            .collect::<Vec<_>>(),
        expected
    );
    // Carried over (not run: no time taken recorded), then the new one run.
    for (version, _, took) in &applied {
        if *version == newest[0].0 {
            assert!(*took >= 0, "migration {version} ran");
        } else {
            assert_eq!(*took, -1, "migration {version} was carried over, not run");
        }
    }
    let carried_at = match store.database {
        Database::Sqlite(_) => "SELECT COUNT(*) FROM _sqlx_migrations WHERE installed_on = '2025-03-04 05:06:07'",
        Database::Postgres(_) => "SELECT COUNT(*) FROM _sqlx_migrations WHERE installed_on = '2025-03-04 05:06:07.123456+00'",
    };
    assert_eq!(
        store.scalar(carried_at).await,
        i64::try_from(older.len()).unwrap(),
        "each keeps the time it was applied"
    );
    assert!(!has_table(&store, "schema_migrations").await);
    assert_eq!(
        store
            .scalar("SELECT COUNT(*) FROM users WHERE username = 'kept'")
            .await,
        1
    );
    // And from then on it is a database like any other.
    open(&store).await.unwrap();
}

/// The old table naming a migration this build does not have: a newer version made it.
async fn a_database_of_the_old_scheme_from_a_newer_version_is_refused(store: TestStore) {
    if let Database::Sqlite(path) = &store.database {
        std::fs::File::create(path).unwrap();
    }
    let (version, _, text) = &files(&store)[0];
    store
        .execute(&format!(
            "{} {text}\n; INSERT INTO schema_migrations (version, applied_at) VALUES ({version}, {at}), (9999, {at});",
            old_table(&store),
            at = old_time(&store)
        ))
        .await;
    let err = open(&store).await.unwrap_err();
    let shown = err.to_string();
    assert!(
        matches!(err, StoreError::Schema(_)) && shown.contains("9999") && shown.contains("newer"),
        "{shown}"
    );
    // Nothing was changed.
    assert!(has_table(&store, "schema_migrations").await);
    assert!(!has_table(&store, "_sqlx_migrations").await);
}

/// A database the old code made and used, converted back to the old scheme's bookkeeping
/// (same files, same data), opens with its accounts and messages.
async fn a_database_in_use_under_the_old_scheme_keeps_its_data(store: TestStore) {
    let ward = std::sync::Arc::new(wardround::fhir::BundleSource::default());
    let server = wardround::server::start(
        "127.0.0.1:0".parse().unwrap(),
        &store.database,
        ward.clone(),
    )
    .await
    .unwrap();
    server
        .domain
        .bootstrap_admin_with(ADMIN_PASSWORD, false)
        .await
        .unwrap();
    common::sender_and_recipient_on_a_ward(&server.url(), ADMIN_PASSWORD).await;
    let sender = wardround::client::ApiClient::new(&server.url())
        .unwrap()
        .login("sender", common::PASSWORD)
        .await
        .unwrap()
        .0;
    let channel = sender.conversations().await.unwrap()[0].id;
    let sent = sender
        .send(
            channel,
            &NewMessage {
                id: uuid::Uuid::new_v4(),
                body: "Bed 4 obs due at 14:00".into(),
                priority: Priority::Important,
            },
        )
        .await
        .unwrap();
    server.stop().await;

    store
        .execute(&format!(
            "{} INSERT INTO schema_migrations (version, applied_at) SELECT version, {} FROM _sqlx_migrations; DROP TABLE _sqlx_migrations;",
            old_table(&store),
            old_time(&store)
        ))
        .await;
    assert!(!has_table(&store, "_sqlx_migrations").await);

    let server = wardround::server::start("127.0.0.1:0".parse().unwrap(), &store.database, ward)
        .await
        .unwrap();
    let recipient = wardround::client::ApiClient::new(&server.url())
        .unwrap()
        .login("recipient", common::PASSWORD)
        .await
        .unwrap()
        .0;
    let messages = recipient.messages(channel).await.unwrap();
    assert!(
        messages
            .iter()
            .any(|m| m.id == sent.id && m.body == "Bed 4 obs due at 14:00"),
        "{messages:?}"
    );
    assert_eq!(applied(&store).await.len(), files(&store).len());
    assert!(!has_table(&store, "schema_migrations").await);
    server.stop().await;
}

/// Edits what `_sqlx_migrations` holds for `version`, as an edit of its file would look.
async fn tamper(store: &TestStore, version: i64) {
    store
        .execute(&match store.database {
            Database::Sqlite(_) => {
                format!("UPDATE _sqlx_migrations SET checksum = X'00' WHERE version = {version}")
            }
            Database::Postgres(_) => format!(
                "UPDATE _sqlx_migrations SET checksum = decode('00', 'hex') WHERE version = {version}"
            ),
        })
        .await;
}

async fn an_edited_applied_migration_is_refused_naming_it(store: TestStore) {
    open(&store).await.unwrap();
    let files = files(&store);
    let (version, name, _) = &files[2];
    tamper(&store, *version).await;
    let err = open(&store).await.unwrap_err();
    let StoreError::MigrationEdited {
        version: refused,
        file,
        ..
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!(refused, version);
    assert_eq!(file, &format!("migrations/{}/{name}", engine(&store)));
    let shown = err.to_string();
    assert!(
        shown.contains(&format!("migrations/{}/{name}", engine(&store)))
            && shown.contains(&format!("version {version}")),
        "{shown}"
    );
    // Refused again (and nothing left locked: PostgreSQL's migration lock went with the
    // refused start's connection).
    let again = tokio::time::timeout(Duration::from_secs(30), open(&store))
        .await
        .expect("no migration lock left held");
    assert!(matches!(again, Err(StoreError::MigrationEdited { .. })));

    // The server says so and exits non-zero.
    let (code, stderr) = {
        let database = store.database.arg();
        let dir = store.dir().to_path_buf();
        tokio::task::spawn_blocking(move || serve_until_it_exits(&database, &dir))
            .await
            .unwrap()
    };
    assert_ne!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!("migrations/{}/{name}", engine(&store)))
            && stderr.contains("edited after it was applied"),
        "{stderr}"
    );
    assert!(!stderr.contains("listening on"), "{stderr}");
}

/// Runs `wardround serve` on `database`; its exit code and stderr (it must exit by itself
/// within a minute).
fn serve_until_it_exits(
    database: &std::ffi::OsStr,
    dir: &std::path::Path,
) -> (Option<i32>, String) {
    use std::io::Read as _;
    use std::process::{Command, Stdio};
    let (ehr, home) = (dir.join("ehr"), dir.join("home"));
    std::fs::create_dir_all(&ehr).unwrap();
    std::fs::create_dir_all(&home).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_wardround"))
        .args(["serve", "--listen", "127.0.0.1:0", "--ehr-bundles"])
        .arg(&ehr)
        .env("WARDROUND_DATABASE", database)
        .env("WARDROUND_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", &home)
        .env("XDG_DATA_HOME", &home)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("wardround serve did not exit on a refused database");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (status.code(), stderr)
}

on_each_store!(
    a_fresh_database_gets_every_migration_with_its_checksum,
    nodes_starting_together_migrate_once,
    a_database_of_the_old_scheme_carries_over_and_runs_only_what_is_new,
    a_database_of_the_old_scheme_from_a_newer_version_is_refused,
    a_database_in_use_under_the_old_scheme_keeps_its_data,
    an_edited_applied_migration_is_refused_naming_it,
);
