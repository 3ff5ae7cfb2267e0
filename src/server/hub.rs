//! Fans stored events out to the event streams open on this node.

use std::sync::Arc;

use tokio::sync::broadcast;

use super::store::UserEvent;

/// Streams that fall this far behind resume from the store instead (see `routes::events`).
const CAPACITY: usize = 4096;

#[derive(Clone)]
pub struct Hub {
    tx: broadcast::Sender<Arc<UserEvent>>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub { tx: broadcast::channel(CAPACITY).0 }
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
}
