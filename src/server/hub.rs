//! Fans stored events out to the event streams open on this node, and wakes them all
//! when another node sharing the store has written (see `server::nodes`).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use tokio::sync::{broadcast, watch};

use super::store::UserEvent;

/// Streams that fall this far behind resume from the store instead (see `routes::events`).
const CAPACITY: usize = 4096;

#[derive(Clone)]
pub struct Hub {
    tx: broadcast::Sender<Arc<UserEvent>>,
    /// Set when the server stops, so open streams end and shutdown need not wait on them.
    closing: Arc<watch::Sender<bool>>,
    /// Bumped when another node wrote events: every stream looks in the store again.
    elsewhere: Arc<watch::Sender<u64>>,
    /// The highest event cursor known to this node (published here or seen written).
    known: Arc<AtomicI64>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub {
            tx: broadcast::channel(CAPACITY).0,
            closing: Arc::new(watch::channel(false).0),
            elsewhere: Arc::new(watch::channel(0).0),
            known: Arc::default(),
        }
    }
}

impl Hub {
    /// The store's newest event is `latest`: if this node did not write it, wake every
    /// stream (another node sharing the store did).
    pub fn saw_latest(&self, latest: i64) {
        if self.known.fetch_max(latest, Ordering::SeqCst) < latest {
            self.elsewhere.send_modify(|n| *n += 1);
        }
    }

    pub fn elsewhere(&self) -> watch::Receiver<u64> {
        self.elsewhere.subscribe()
    }

    pub fn publish(&self, events: Vec<UserEvent>) {
        if let Some(max) = events.iter().map(|e| e.event.cursor).max() {
            self.known.fetch_max(max, Ordering::SeqCst);
        }
        for e in events {
            // No subscriber is not an error: the event is in the store for later replay.
            let _ = self.tx.send(Arc::new(e));
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<UserEvent>> {
        self.tx.subscribe()
    }

    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Resolves once the server is stopping.
    pub async fn closed(&self) {
        let mut rx = self.closing.subscribe();
        let _ = rx.wait_for(|closing| *closing).await;
    }
}
