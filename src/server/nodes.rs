//! Several `wardround serve` nodes on one store: each node's tail (see `server::tail`)
//! hears of its own node's writes directly, so each node also watches the store for events
//! other nodes wrote and wakes its tail to read them. PostgreSQL tells the nodes with
//! NOTIFY; SQLite is looked at every 50 ms. Re-notifications need nothing here: each is
//! claimed in the store, so every node may run the scheduler.

use super::Domain;

pub async fn watch_other_nodes(domain: Domain) {
    let hub = domain.hub().clone();
    let seen = move |latest| hub.saw_latest(latest);
    tokio::select! {
        () = domain.store().watch_events(&seen) => {}
        () = domain.hub().closed() => {}
    }
}
