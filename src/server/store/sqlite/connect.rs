//! Opening the SQLite file (private to the server's user, WAL, one writer), and the
//! checkpointer that keeps its WAL small.

use std::path::Path;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

use super::{group_commit, migrate, SqliteStore};
use crate::server::audit_key::AuditKeys;
use crate::server::store::{create_private_dir, create_private_file};
use crate::server::store::{StoreError, StoreResult, Synchronous};
/// Events written since the last checkpoint that call for the next: under load about one
/// checkpoint every second or two (the WAL stays a few MiB), and a ward's ordinary traffic
/// is not interrupted every second. Each checkpoint syncs the database file, and on a
/// small machine that stalled the sends beside it (paced p99 4.7–6.8 ms with one every
/// second, 2.5–3.0 ms without; BENCHMARKS.md).
const CHECKPOINT_AFTER_EVENTS: i64 = 2_000;
/// A quiet ward's WAL is still copied back within this long of a write.
const CHECKPOINT_AT_MOST_EVERY: Duration = Duration::from_secs(30);
/// Writes that append no events (logins, the audit log, accounts) are copied back too.
const CHECKPOINT_AT_LEAST_EVERY: Duration = Duration::from_secs(300);

/// Copies the WAL back into the database, on the writer's connection between two commits;
/// looks every second whether enough was written to be worth it. A checkpoint beside the
/// writer (on a reader) never caught up under steady load, because commits kept landing
/// while it ran: the WAL then never started over and grew to a gigabyte in a minute of
/// the standard load, and every commit wrote (and, with synchronous = FULL, synced) new
/// pages at its end. Between commits it catches up, and the next commit starts the WAL
/// over from its beginning.
async fn checkpoints(pool: SqlitePool) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let (mut events_then, mut then) = (None, tokio::time::Instant::now());
    loop {
        tick.tick().await;
        if pool.is_closed() {
            return;
        }
        let events: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM events")
            .fetch_one(&pool)
            .await
            .unwrap_or(None);
        let written = events.unwrap_or(0) - events_then.unwrap_or(0);
        let due = written >= CHECKPOINT_AFTER_EVENTS
            || (written > 0 && then.elapsed() >= CHECKPOINT_AT_MOST_EVERY)
            || then.elapsed() >= CHECKPOINT_AT_LEAST_EVERY;
        if !due {
            continue;
        }
        match sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&pool)
            .await
        {
            Ok(_) => (events_then, then) = (events, tokio::time::Instant::now()),
            Err(e) => {
                if pool.is_closed() {
                    return;
                }
                tracing::warn!(error = %e, "WAL checkpoint");
            }
        }
    }
}

impl SqliteStore {
    /// A write transaction that takes the write lock at once (BEGIN IMMEDIATE). A deferred
    /// one that read first fails with SQLITE_BUSY, past any busy timeout, when another
    /// process (another node on the same file) committed in between.
    pub(super) async fn write_tx(&self) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        self.writer.begin_with("BEGIN IMMEDIATE").await
    }

    pub async fn open(
        path: &Path,
        audit_keys: AuditKeys,
        synchronous: Synchronous,
    ) -> StoreResult<Self> {
        let open_err = |e: &dyn std::fmt::Display| StoreError::Open {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        // Messages and the audit log are in it: for the server's user alone. SQLite gives
        // its WAL and shared-memory files the database file's mode.
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir).map_err(|e| open_err(&e))?;
        }
        create_private_file(path).map_err(|e| open_err(&e))?;
        let options = crate::server::store::logged(SqliteConnectOptions::new())
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(match synchronous {
                Synchronous::Full => SqliteSynchronous::Full,
                Synchronous::Normal => SqliteSynchronous::Normal,
            })
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true)
            // Checkpoints run beside the writer (below), not inside whichever commit
            // happens to cross the threshold: that commit's sender would wait for it.
            .pragma("wal_autocheckpoint", "0")
            // A multi-row insert keeps a statement journal (the pages it changed, to undo
            // it alone). Past 64 KiB SQLite spills it to a temporary file, which a group
            // commit did every time: 30 page writes a commit, and a file opened and closed.
            .pragma("temp_store", "memory")
            // For a new file (an existing one keeps its own). A group commit rewrites
            // every page it touches, and a send touches a page in each of several indexes
            // for a few bytes in each: smaller pages are fewer bytes to the WAL and to
            // sync (BENCHMARKS.md, issue 16).
            .page_size(2048);
        let mut tries = 0;
        let writer = loop {
            match SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(options.clone())
                .await
            {
                Ok(writer) => break writer,
                // Nodes opening a new file at once: switching it to WAL needs the file to
                // itself, and SQLite answers busy at once there rather than waiting out the
                // busy timeout. Another try a moment later finds it switched.
                Err(sqlx::Error::Database(d))
                    if tries < 50 && matches!(d.code().as_deref(), Some("5" | "6")) =>
                {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => return Err(open_err(&e)),
            }
        };
        let mut store = SqliteStore {
            reader: SqlitePoolOptions::new()
                .max_connections(4)
                .connect_lazy_with(options.read_only(false)),
            sends: crate::server::store::group_commit::start(group_commit::SqliteBatches {
                writer: writer.clone(),
                audit_keys: audit_keys.clone(),
                audit_head: std::sync::Mutex::default(),
            }),
            writer,
            checkpointer: None,
            audit_keys,
        };
        migrate::migrate(&store).await?;
        store.checkpointer = Some(tokio::spawn(checkpoints(store.writer.clone())).abort_handle());
        Ok(store)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn synchronous_of(setting: Synchronous) -> i64 {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("w.sqlite"), AuditKeys::generate(), setting)
            .await
            .unwrap();
        sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&store.writer)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn an_acknowledged_commit_is_synced_to_disk_unless_relaxed() {
        // SQLite's numbers: 1 NORMAL, 2 FULL.
        assert_eq!(synchronous_of(Synchronous::default()).await, 2);
        assert_eq!(synchronous_of(Synchronous::Normal).await, 1);
    }
}
