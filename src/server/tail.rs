//! One reader per node follows the store's events in cursor order and broadcasts them to
//! the node's event streams (see `hub`, `routes::events`): a write costs one read per
//! node rather than one per open stream. Both stores append events under a lock held to
//! commit, so events become visible in cursor order and reading after the last cursor
//! read never skips one.

use std::time::Duration;

use super::Domain;

/// Events read at once; a longer backlog is read in pages.
const PAGE: u32 = 1000;

/// How long to wait before reading again after the store failed.
const RETRY: Duration = Duration::from_millis(250);

pub async fn follow(domain: Domain) {
    let hub = domain.hub().clone();
    tokio::select! {
        () = read_as_written(&domain) => {}
        () = hub.closed() => {}
    }
}

async fn read_as_written(domain: &Domain) {
    let (store, hub) = (domain.store(), domain.hub());
    // Streams replay what was written before they opened from the store themselves.
    loop {
        match store.latest_event().await {
            Ok(latest) => {
                hub.start_after(latest);
                break;
            }
            Err(e) => {
                crate::server::log::report(&format!("event tail: {e}"));
                tokio::time::sleep(RETRY).await;
            }
        }
    }
    loop {
        match store.all_events_after(hub.read_up_to(), PAGE).await {
            Ok(events) => {
                let full = events.len() == PAGE as usize;
                hub.broadcast(events);
                if full {
                    continue;
                }
            }
            Err(e) => {
                // The streams wait; they receive everything once the store answers again.
                crate::server::log::report(&format!("event tail: {e}"));
                tokio::time::sleep(RETRY).await;
                continue;
            }
        }
        hub.unread().await;
    }
}
