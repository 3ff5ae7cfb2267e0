//! Several `wardround serve` nodes on one store: each node's hub only hears its own
//! writes, so each node also watches the store's newest event and wakes its streams when
//! another node wrote (they then read their users' events from the store, by cursor, as
//! always). Re-notifications need nothing here: each is claimed by compare-and-set in
//! the store, so every node may run the scheduler.

use std::time::Duration;

use super::Domain;

/// How stale a stream on one node may be about another node's write.
const WATCH_EVERY: Duration = Duration::from_millis(50);

pub async fn watch_other_nodes(domain: Domain) {
    let mut tick = tokio::time::interval(WATCH_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = domain.hub().closed() => return,
        }
        // A failed look is tried again at the next tick.
        if let Ok(latest) = domain.store().latest_event().await {
            domain.hub().saw_latest(latest);
        }
    }
}
