//! Fans stored events out to the event streams open on this node.

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
}

impl Default for Hub {
    fn default() -> Self {
        Hub {
            tx: broadcast::channel(CAPACITY).0,
            closing: Arc::new(watch::channel(false).0),
        }
    }
}

impl Hub {
    pub fn publish(&self, events: Vec<UserEvent>) {
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
