//! `wardround backup`: a consistent copy of a SQLite database while its server runs.
//!
//! The copy is made with `VACUUM INTO` rather than SQLite's online-backup API
//! (`sqlite3_backup_*`). Both copy from one read transaction, so the copy is the database
//! as of one commit, and in WAL mode neither holds up the server's writer. `VACUUM INTO` is
//! one SQL statement over the connection sqlx already gives us: no `unsafe` FFI, no direct
//! dependency on `libsqlite3-sys` to keep in step with sqlx's. The backup API, stepped a
//! few pages at a time, starts over whenever another connection writes between steps (a
//! busy ward may never let it finish); stepped in one go it is what `VACUUM INTO` does,
//! page for page instead of row by row. The price of `VACUUM INTO` is rebuilding the
//! indexes, which for a ward's messages is seconds at most, and its copy comes out compact.
//! SQLite does not sync the file it writes: this does, before the copy takes its name.
//!
//! The copy is written beside OUT under a temporary name, checked (`PRAGMA
//! integrity_check`), synced, and only then given OUT's name, so OUT is never a partial
//! copy; an existing OUT is replaced only when asked.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection as _, SqliteConnection};

use super::create_private_file;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("there is no database at {0}")]
    NoDatabase(PathBuf),
    #[error("{0} is not a wardround database (it has no users or messages tables)")]
    NotWardround(PathBuf),
    #[error("{0} already exists: give --force to replace it")]
    Exists(PathBuf),
    #[error("{0} is the database itself")]
    SameFile(PathBuf),
    #[error(
        "{0} is one of the server's own files beside the database (its WAL, shared memory, \
         journal, audit key or checkpoints): replacing it would lose what they hold"
    )]
    ServerFile(PathBuf),
    #[error("{0} is not a directory: the copy is written there")]
    NoDirectory(PathBuf),
    #[error("{0} is a directory: name the file to write")]
    IsDirectory(PathBuf),
    #[error("{path}: {source}")]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}: SQLite needs a path that is valid UTF-8")]
    NotUtf8(PathBuf),
    #[error("the copy failed its integrity check: {0}")]
    Integrity(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// What was copied: nothing in it is patient data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub bytes: u64,
    /// The last migration applied to the copy's schema.
    pub schema_version: Option<i64>,
    /// How many rows of each kind: (what, count).
    pub counts: Vec<(&'static str, i64)>,
}

/// What the copy's summary counts: (what, table, which rows).
const COUNTS: &[(&str, &str, &str)] = &[
    // The system sender of escalations is no one's account.
    ("users", "users", "WHERE id <> ?"),
    ("teams", "teams", ""),
    ("patient lists", "patient_lists", ""),
    ("conversations", "conversations", ""),
    ("messages", "messages", ""),
    ("events", "events", ""),
    ("audit rows", "audit_log", ""),
];

/// Whether `out` names one of the files SQLite and the server keep beside the database
/// (whether it exists now or not): a copy written there is read back as a WAL, or stands
/// in for the audit key.
fn beside_the_database(source: &Path, out: &Path) -> bool {
    let split = |p: &Path| -> Option<(PathBuf, String)> {
        let dir = p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        Some((
            std::fs::canonicalize(dir).ok()?,
            p.file_name()?.to_string_lossy().into_owned(),
        ))
    };
    let Some((out_dir, out_name)) = split(out) else {
        return false;
    };
    let real = std::fs::canonicalize(source).unwrap_or_else(|_| source.to_path_buf());
    let found = [source, real.as_path()]
        .into_iter()
        .filter_map(split)
        .any(|(dir, name)| {
            dir == out_dir
                && (out_name == "audit.key"
                    || ["-wal", "-shm", "-journal", ".audit-checkpoints"]
                        .iter()
                        .any(|side| out_name == format!("{name}{side}")))
        });
    found
}

/// Copies the SQLite database at `source` to `out` (replacing it only with `force`).
pub async fn sqlite(source: &Path, out: &Path, force: bool) -> Result<Copied, BackupError> {
    let file_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| BackupError::File { path, source }
    };
    if !source.is_file() {
        return Err(BackupError::NoDatabase(source.to_path_buf()));
    }
    if out.is_dir() {
        return Err(BackupError::IsDirectory(out.to_path_buf()));
    }
    if beside_the_database(source, out) {
        return Err(BackupError::ServerFile(out.to_path_buf()));
    }
    if out.exists() {
        let same = std::fs::canonicalize(out).map_err(file_err(out))?
            == std::fs::canonicalize(source).map_err(file_err(source))?;
        if same {
            return Err(BackupError::SameFile(out.to_path_buf()));
        }
        if !force {
            return Err(BackupError::Exists(out.to_path_buf()));
        }
    }
    let dir = out
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.is_dir() {
        return Err(BackupError::NoDirectory(dir.to_path_buf()));
    }
    let name = out
        .file_name()
        .ok_or_else(|| BackupError::IsDirectory(out.to_path_buf()))?
        .to_string_lossy();
    let partial = Partial(dir.join(format!(".{name}.{}.partial", uuid::Uuid::new_v4().simple())));
    // It holds messages: for this user alone, from the start. (VACUUM INTO writes into an
    // empty file.)
    create_private_file(&partial.0).map_err(file_err(&partial.0))?;
    let into = partial
        .0
        .to_str()
        .ok_or_else(|| BackupError::NotUtf8(partial.0.clone()))?;

    // The live database: opened as it is (no journal mode set, nothing created, no
    // migration), waiting out the writer's commits.
    let mut live = SqliteConnection::connect_with(
        &SqliteConnectOptions::new()
            .filename(source)
            .create_if_missing(false)
            .busy_timeout(Duration::from_secs(10)),
    )
    .await?;
    let tables: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('users', 'messages')",
    )
    .fetch_one(&mut live)
    .await?;
    if tables != 2 {
        let _ = live.close().await;
        return Err(BackupError::NotWardround(source.to_path_buf()));
    }
    let copied = sqlx::query("VACUUM INTO ?")
        .bind(into)
        .execute(&mut live)
        .await;
    let _ = live.close().await;
    copied?;

    let copied = check(&partial.0).await?;
    let file = std::fs::File::open(&partial.0).map_err(file_err(&partial.0))?;
    file.sync_all().map_err(file_err(&partial.0))?;
    let bytes = file.metadata().map_err(file_err(&partial.0))?.len();
    drop(file);

    if force {
        std::fs::rename(&partial.0, out).map_err(file_err(out))?;
    } else {
        // A link fails if OUT appeared meanwhile, where a rename would replace it.
        match std::fs::hard_link(&partial.0, out) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(BackupError::Exists(out.to_path_buf()))
            }
            // A file system without links.
            Err(_) if out.exists() => return Err(BackupError::Exists(out.to_path_buf())),
            Err(_) => std::fs::rename(&partial.0, out).map_err(file_err(out))?,
        }
    }
    drop(partial);
    sync_dir(dir).map_err(file_err(dir))?;
    Ok(Copied { bytes, ..copied })
}

/// The copy's integrity, schema version and counts. Opened immutable: nothing else has
/// it, and SQLite then makes no journal beside it.
async fn check(copy: &Path) -> Result<Copied, BackupError> {
    let mut conn = SqliteConnection::connect_with(
        &SqliteConnectOptions::new()
            .filename(copy)
            .read_only(true)
            .immutable(true),
    )
    .await?;
    let outcome = check_on(&mut conn).await;
    let _ = conn.close().await;
    outcome
}

async fn check_on(conn: &mut SqliteConnection) -> Result<Copied, BackupError> {
    let problems: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut *conn)
        .await?;
    if problems != ["ok"] {
        return Err(BackupError::Integrity(problems.join("; ")));
    }
    let schema_version = if has(conn, "_sqlx_migrations").await? {
        sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut *conn)
            .await?
    } else if has(conn, "schema_migrations").await? {
        sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations")
            .fetch_one(&mut *conn)
            .await?
    } else {
        None
    };
    let mut counts = Vec::new();
    for (what, table, filter) in COUNTS {
        // A database made by an older version may not have them all.
        if !has(conn, table).await? {
            continue;
        }
        let sql = format!("SELECT COUNT(*) FROM {table} {filter}");
        let mut query = sqlx::query_scalar(&sql);
        if !filter.is_empty() {
            query = query.bind(super::SYSTEM_USER.hyphenated().to_string());
        }
        counts.push((*what, query.fetch_one(&mut *conn).await?));
    }
    Ok(Copied {
        bytes: 0,
        schema_version,
        counts,
    })
}

async fn has(conn: &mut SqliteConnection, table: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?)",
    )
    .bind(table)
    .fetch_one(conn)
    .await
}

/// The temporary copy, removed unless it was given its name.
struct Partial(PathBuf);

impl Drop for Partial {
    fn drop(&mut self) {
        // Gone already once renamed; a link leaves it to remove.
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Makes the rename itself durable.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}
