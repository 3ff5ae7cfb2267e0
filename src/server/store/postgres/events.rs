//! PostgreSQL's events: appended under the events lock (so cursors become visible in
//! order) with a NOTIFY at commit, and watched for by LISTEN.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::postgres::PgListener;
use sqlx::PgConnection;
use uuid::Uuid;

use super::{Channel, PgStore, EVENTS_LOCK};
use crate::model::{Event, EventKind};
use crate::server::store::{Store, StoreError, StoreResult, UserEvent};

/// Appends events in the caller's transaction, after taking the events lock (held to
/// commit, so a later cursor is never visible before an earlier one), and tells the
/// other nodes at commit: one call of `wardround_append_events` (migration 0002).
pub(super) async fn append(
    tx: &mut PgConnection,
    channel: &Channel,
    events: Vec<(Uuid, EventKind)>,
    now: DateTime<Utc>,
) -> StoreResult<Vec<UserEvent>> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let users: Vec<Uuid> = events.iter().map(|(user, _)| *user).collect();
    let payloads = events
        .iter()
        .map(|(_, kind)| serde_json::to_string(kind))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let cursors: Vec<i64> =
        sqlx::query_scalar("SELECT * FROM wardround_append_events($1, $2, $3, $4, $5, $6)")
            .bind(EVENTS_LOCK)
            .bind(users)
            .bind(payloads)
            .bind(now)
            .bind(&channel.name)
            .bind(&channel.node)
            .fetch_all(&mut *tx)
            .await?;
    if cursors.len() != events.len() {
        return Err(StoreError::Corrupt("an event was not stored".into()));
    }
    Ok(events
        .into_iter()
        .zip(cursors)
        .map(|((user_id, kind), cursor)| UserEvent {
            user_id,
            event: Event { cursor, kind },
        })
        .collect())
}

/// The cursor a NOTIFY (`cursor node`, migration 0009) announces, unless this node sent
/// it: its own events it hands out as it commits them (see `server::tail`).
fn others(payload: &str, me: &str) -> Option<i64> {
    let (cursor, node) = payload.split_once(' ').unwrap_or((payload, ""));
    (node != me).then(|| cursor.parse().ok()).flatten()
}

/// Listens for other nodes' events; a lost connection is made again after a second.
pub(super) async fn watch(store: &PgStore, seen: &(dyn Fn(i64) + Send + Sync)) {
    loop {
        if let Err(e) = listen(store, seen).await {
            tracing::warn!(error = %e, "listening for other nodes' events; again in 1 s");
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// The newest event's cursor, then every cursor another node (or this one) commits,
/// as NOTIFY brings them. A lost connection is made again, and what was missed while
/// it was down is caught up by reading the newest cursor once more.
async fn listen(store: &PgStore, seen: &(dyn Fn(i64) + Send + Sync)) -> sqlx::Result<()> {
    let mut listener = PgListener::connect_with(&store.pool).await?;
    listener.listen(&store.channel.name).await?;
    loop {
        if let Ok(latest) = store.latest_event().await {
            seen(latest);
        }
        // `None`: the connection dropped; the next call connects again.
        while let Some(note) = listener.try_recv().await? {
            if let Some(seq) = others(note.payload(), &store.channel.node) {
                seen(seq);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::others;

    #[test]
    fn a_node_hears_the_others_commits_and_not_its_own() {
        assert_eq!(others("42 b7", "a1"), Some(42));
        assert_eq!(others("42 a1", "a1"), None);
        assert_eq!(
            others("42", "a1"),
            Some(42),
            "a payload without a node is heard"
        );
        assert_eq!(others("x a1", "b7"), None);
    }
}
