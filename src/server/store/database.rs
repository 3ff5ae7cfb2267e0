//! Which store a server opens: a SQLite file, or a PostgreSQL database for several nodes.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::Digest as _;

use super::{PgStore, SqliteStore, Store, StoreResult};
use crate::server::audit_key::{AuditKeyError, AuditKeys, AuditSetup, Checkpoints, KeyFile};

/// How hard SQLite works to keep a commit: `[serve] sqlite_synchronous`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Synchronous {
    /// Each commit is on the disk before it is acknowledged: a message the sender saw `✓`
    /// for survives the machine losing power. One sync per group commit.
    #[default]
    Full,
    /// Commits reach the disk at the next checkpoint: they survive the server crashing,
    /// not the machine. Fewer syncs, for disks where a sync is slow.
    Normal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    Sqlite(PathBuf),
    /// A `postgres://` URL (it may carry a password: see `Display`).
    Postgres(String),
}

impl Database {
    /// `postgres://…` or `postgresql://…` is PostgreSQL; anything else is a SQLite file.
    pub fn parse(s: &str) -> Self {
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            Database::Postgres(s.to_string())
        } else {
            Database::Sqlite(PathBuf::from(s))
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Database::Sqlite(_) => "sqlite",
            Database::Postgres(_) => "postgresql",
        }
    }

    /// As given to `wardround serve` (with any password: for a child process's
    /// environment, never for a log).
    pub fn arg(&self) -> std::ffi::OsString {
        match self {
            Database::Sqlite(path) => path.clone().into_os_string(),
            Database::Postgres(url) => url.into(),
        }
    }

    /// Whether a server could open it, without changing it: a SQLite file's directory is
    /// writable (or can be made); PostgreSQL answers within five seconds.
    pub async fn check(&self) -> Result<String, String> {
        match self {
            Database::Sqlite(path) => {
                let dir = path
                    .parent()
                    .filter(|d| !d.as_os_str().is_empty())
                    .unwrap_or(Path::new("."));
                match std::fs::metadata(dir) {
                    Ok(m) if m.is_dir() && !m.permissions().readonly() => {
                        Ok(format!("{self} (in a writable directory)"))
                    }
                    Ok(_) => Err(format!("{} is not a writable directory", dir.display())),
                    // It is created at start, as long as it can be.
                    Err(_) => Ok(format!("{self} (its directory is created at start)")),
                }
            }
            Database::Postgres(url) => {
                let answer = tokio::time::timeout(
                    std::time::Duration::from_secs(5),
                    super::postgres::server_version(url),
                )
                .await;
                match answer {
                    Ok(Ok(version)) => Ok(format!("{self} (PostgreSQL {version})")),
                    Ok(Err(e)) => Err(format!("{self}: {e}")),
                    Err(_) => Err(format!("{self}: no answer in 5 s")),
                }
            }
        }
    }

    pub async fn open(
        &self,
        audit_keys: AuditKeys,
        synchronous: Synchronous,
    ) -> StoreResult<Arc<dyn Store>> {
        Ok(match self {
            Database::Sqlite(path) => {
                Arc::new(SqliteStore::open(path, audit_keys, synchronous).await?)
            }
            Database::Postgres(url) => Arc::new(PgStore::connect(url, audit_keys).await?),
        })
    }

    /// Where this database's audit key and checkpoints live: `state_dir` when given, else
    /// beside a SQLite file, or the platform data dir for PostgreSQL. The key file
    /// (`audit.key`) serves the directory; the checkpoint file is this database's own.
    pub fn audit_setup(
        &self,
        state_dir: Option<&Path>,
        key_file: KeyFile,
    ) -> Result<AuditSetup, AuditKeyError> {
        let (dir, checkpoints) = match self {
            Database::Sqlite(path) => {
                let dir = state_dir.map(Path::to_path_buf).unwrap_or_else(|| {
                    path.parent()
                        .filter(|d| !d.as_os_str().is_empty())
                        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
                });
                let name = path
                    .file_name()
                    .map_or_else(|| "wardround".into(), |n| n.to_string_lossy().to_string());
                let checkpoints = dir.join(format!("{name}.audit-checkpoints"));
                (dir, checkpoints)
            }
            Database::Postgres(url) => {
                let dir =
                    state_dir.map_or_else(crate::config::default_state_dir, Path::to_path_buf);
                // Deployments in other databases or schemas keep checkpoints of their own.
                let digest = sha2::Sha256::digest(url.as_bytes());
                let tag: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
                let checkpoints = dir.join(format!("postgresql-{tag}.audit-checkpoints"));
                (dir, checkpoints)
            }
        };
        Ok(AuditSetup {
            keys: AuditKeys::load(&dir.join("audit.key"), key_file)?,
            checkpoints: Checkpoints::new(checkpoints),
        })
    }
}

/// Where, without a password: fit for logs and `--check-config`.
impl fmt::Display for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Database::Sqlite(path) => write!(f, "{}", path.display()),
            Database::Postgres(url) => f.write_str(&super::postgres::redact(url)),
        }
    }
}

impl From<&Path> for Database {
    fn from(path: &Path) -> Self {
        Database::Sqlite(path.to_path_buf())
    }
}

impl From<&PathBuf> for Database {
    fn from(path: &PathBuf) -> Self {
        Database::Sqlite(path.clone())
    }
}

impl From<PathBuf> for Database {
    fn from(path: PathBuf) -> Self {
        Database::Sqlite(path)
    }
}

impl From<&Database> for Database {
    fn from(db: &Database) -> Self {
        db.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_postgres_url_is_postgres_and_anything_else_a_file() {
        assert!(matches!(
            Database::parse("postgres://u@db/wardround"),
            Database::Postgres(_)
        ));
        assert!(matches!(
            Database::parse("postgresql://u@db/wardround"),
            Database::Postgres(_)
        ));
        assert_eq!(
            Database::parse("/var/lib/wardround/postgres.sqlite"),
            Database::Sqlite("/var/lib/wardround/postgres.sqlite".into())
        );
    }

    #[test]
    fn a_database_shown_in_a_log_hides_its_password() {
        let shown = Database::parse("postgres://wardround:s3cret@db.example:5432/ward").to_string();
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("db.example:5432/ward"), "{shown}");
    }
}
