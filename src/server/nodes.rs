//! Several `wardround serve` nodes on one store: each node's hub only hears its own
//! writes, so each node also watches the store for events other nodes wrote and wakes its
//! streams (they then read their users' events from the store, by cursor, as always).
//! PostgreSQL tells the nodes with NOTIFY; SQLite is looked at every 50 ms. Re-notifications
//! need nothing here: each is claimed in the store, so every node may run the scheduler.

use super::Domain;

pub async fn watch_other_nodes(domain: Domain) {
    let hub = domain.hub().clone();
    let seen = move |latest| hub.saw_latest(latest);
    tokio::select! {
        () = domain.store().watch_events(&seen) => {}
        () = domain.hub().closed() => {}
    }
}
