//! One tail per node follows the store's events in cursor order and broadcasts them to
//! the node's event streams (see `hub`, `routes::events`), so streams never query the
//! store for new events. Both stores append events under a lock held to commit, so
//! events become visible in cursor order: reading after the last cursor broadcast never
//! skips one, and events this node committed right after it (no cursor between) need not
//! be read back at all. Anything else (another node's, or cursors out of turn) is read.

use std::future::Future;
use std::time::Duration;

use super::hub::Hub;
use super::store::{RawEvent, Store, StoreResult, StoredEvent};
use super::Domain;

/// Events read at once; a longer backlog is read in pages.
const PAGE: u32 = 1000;

/// How long to wait before reading again after the store failed.
const RETRY: Duration = Duration::from_millis(250);

/// Starts following after the store's newest event (streams replay anything earlier from
/// the store themselves); the future to spawn, which runs until the server stops.
pub async fn start(domain: &Domain) -> StoreResult<impl Future<Output = ()> + Send + 'static> {
    domain
        .hub()
        .start_after(domain.store().latest_event().await?);
    let domain = domain.clone();
    Ok(async move {
        tokio::select! {
            () = follow(&domain) => {}
            () = domain.hub().closed() => {}
        }
    })
}

async fn follow(domain: &Domain) {
    let (store, hub) = (domain.store(), domain.hub());
    loop {
        let all_broadcast = broadcast_committed(hub);
        if !all_broadcast || hub.saw_unread() {
            let read = read_to_the_end(store.as_ref(), hub).await;
            domain.metrics().events_read_back.inc_by(read);
        }
        hub.unread().await;
    }
}

/// Reads and broadcasts every event after the last one broadcast, until none is left;
/// while the store fails, tries again (the streams wait, and then receive everything).
/// How many it read.
async fn read_to_the_end(store: &dyn Store, hub: &Hub) -> u64 {
    let mut read = 0;
    loop {
        match store.all_events_after(hub.read_up_to(), PAGE).await {
            Ok(events) => {
                let full = events.len() == PAGE as usize;
                read += events.len() as u64;
                hub.broadcast(events);
                if !full {
                    return read;
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "event tail; again in 250 ms");
                tokio::time::sleep(RETRY).await;
            }
        }
    }
}

/// Broadcasts what this node committed, as far as it follows on from the last cursor
/// broadcast with no cursor between; whether that was everything (nothing to read).
fn broadcast_committed(hub: &Hub) -> bool {
    let mut committed = hub.take_committed();
    committed.sort_by_key(|e| e.event.cursor);
    let after = hub.read_up_to();
    committed.retain(|e| e.event.cursor > after);
    let run: Vec<StoredEvent> = (after + 1..)
        .zip(&committed)
        .take_while(|(next, e)| e.event.cursor == *next)
        .map_while(|(_, e)| {
            // One that does not serialise is read back from the store instead.
            let payload = serde_json::to_string(&e.event.kind).ok()?;
            Some(StoredEvent {
                user_id: e.user_id,
                raw: RawEvent {
                    cursor: e.event.cursor,
                    payload,
                },
            })
        })
        .collect();
    let all = run.len() == committed.len();
    hub.broadcast(run);
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Event, EventKind};
    use crate::server::store::UserEvent;
    use uuid::Uuid;

    fn committed(cursor: i64) -> UserEvent {
        UserEvent {
            user_id: Uuid::from_u128(1),
            event: Event {
                cursor,
                kind: EventKind::ListDeleted {
                    list_id: Uuid::from_u128(cursor as u128),
                },
            },
        }
    }

    fn cursors(rx: &mut crate::server::hub::Subscription) -> Vec<i64> {
        std::iter::from_fn(|| rx.events.try_recv().ok().map(|e| e.raw.cursor)).collect()
    }

    #[test]
    fn events_committed_right_after_the_last_broadcast_go_out_without_a_read() {
        let hub = Hub::default();
        let mut rx = hub.subscribe(Uuid::from_u128(1));
        hub.start_after(10);
        hub.wrote(&[committed(12), committed(11)]);
        assert!(broadcast_committed(&hub), "nothing left to read");
        assert_eq!(cursors(&mut rx), [11, 12]);
        assert_eq!(hub.read_up_to(), 12);
        // The payload is what the store holds, so streams send the same bytes either way.
        hub.wrote(&[committed(13)]);
        broadcast_committed(&hub);
        let stored = serde_json::to_string(&committed(13).event.kind).unwrap();
        assert_eq!(rx.events.try_recv().unwrap().raw.payload, stored);
    }

    #[test]
    fn a_cursor_missing_before_committed_events_sends_the_tail_to_the_store() {
        let hub = Hub::default();
        let mut rx = hub.subscribe(Uuid::from_u128(1));
        hub.start_after(10);
        hub.wrote(&[committed(11), committed(13)]);
        assert!(!broadcast_committed(&hub), "12 is someone else's: read");
        assert_eq!(cursors(&mut rx), [11], "only what follows on, in order");
        hub.wrote(&[committed(9)]);
        assert!(
            broadcast_committed(&hub),
            "already broadcast: nothing to do"
        );
        assert_eq!(cursors(&mut rx), Vec::<i64>::new());
    }

    #[test]
    fn another_nodes_write_is_read_even_when_this_nodes_follow_on() {
        let hub = Hub::default();
        hub.start_after(10);
        hub.saw_latest(14);
        hub.wrote(&[committed(11)]);
        assert!(broadcast_committed(&hub));
        assert!(hub.saw_unread(), "12 to 14 are still to be read");
        hub.saw_latest(11);
        hub.start_after(14);
        assert!(!hub.saw_unread());
    }
}
