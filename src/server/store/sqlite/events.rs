//! SQLite's events: appended in the writer's transaction (one writer, so cursors become
//! visible in order), and watched for by polling, as SQLite has no notifications.

use std::time::Duration;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::SqliteStore;
use crate::model::{Event, EventKind};
use crate::server::store::sql::Id;
use crate::server::store::{Store, StoreError, StoreResult, UserEvent};

/// How stale a stream on one node may be about another node's write.
const WATCH_EVERY: Duration = Duration::from_millis(50);

/// Appends `events` in the caller's transaction; the events with their cursors.
pub(super) async fn append(
    tx: &mut sqlx::SqliteConnection,
    events: Vec<(Uuid, EventKind)>,
    now: DateTime<Utc>,
) -> StoreResult<Vec<UserEvent>> {
    // One statement per batch of rows: a message to a team is one event per member.
    const ROWS_PER_STATEMENT: usize = 200;
    let mut out = Vec::with_capacity(events.len());
    let mut events = events.into_iter().peekable();
    while events.peek().is_some() {
        let chunk: Vec<(Uuid, EventKind)> = events.by_ref().take(ROWS_PER_STATEMENT).collect();
        let mut insert =
            sqlx::QueryBuilder::new("INSERT INTO events (user_id, payload, created_at) ");
        let mut payloads = Vec::with_capacity(chunk.len());
        for (_, kind) in &chunk {
            payloads
                .push(serde_json::to_string(kind).map_err(|e| StoreError::Corrupt(e.to_string()))?);
        }
        insert.push_values(
            chunk.iter().zip(&payloads),
            |mut row, ((user, _), payload)| {
                row.push_bind(Id(*user)).push_bind(payload).push_bind(now);
            },
        );
        // Not `RETURNING seq`: each returned row is a message between the SQLite worker
        // thread and this task. One writer at a time (the write lock is held) gives the
        // rows of one statement consecutive seqs, in the order given, ending at the last.
        let done = insert.build().execute(&mut *tx).await?;
        let n = i64::try_from(chunk.len()).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        if done.rows_affected() != chunk.len() as u64 {
            return Err(StoreError::Corrupt("an event was not stored".into()));
        }
        let first = done.last_insert_rowid() - n + 1;
        for ((user_id, kind), cursor) in chunk.into_iter().zip(first..) {
            out.push(UserEvent {
                user_id,
                event: Event { cursor, kind },
            });
        }
    }
    Ok(out)
}

/// Each node looks at the newest event every [`WATCH_EVERY`].
pub(super) async fn watch(store: &SqliteStore, seen: &(dyn Fn(i64) + Send + Sync)) {
    let mut tick = tokio::time::interval(WATCH_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        // A failed look is tried again at the next tick.
        if let Ok(latest) = store.latest_event().await {
            seen(latest);
        }
    }
}
