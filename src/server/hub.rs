//! Hands the store's events to the event streams open on this node, in cursor order. One
//! reader per node (`server::tail`) reads what was written, by this node or another
//! sharing the store, and broadcasts it here; each stream forwards its user's.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use tokio::sync::{broadcast, watch, Notify};

use super::store::{StoredEvent, UserEvent};

/// Streams that fall this far behind resume from the store instead (see `routes::events`).
const CAPACITY: usize = 4096;

#[derive(Clone)]
pub struct Hub {
    tx: broadcast::Sender<Arc<StoredEvent>>,
    /// Set when the server stops, so open streams end and shutdown need not wait on them.
    closing: Arc<watch::Sender<bool>>,
    /// Something was written that the tail has not read.
    unread: Arc<Notify>,
    /// The highest cursor the tail has read and broadcast.
    read: Arc<AtomicI64>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub {
            tx: broadcast::channel(CAPACITY).0,
            closing: Arc::new(watch::channel(false).0),
            unread: Arc::default(),
            read: Arc::default(),
        }
    }
}

impl Hub {
    /// This node committed `events`: the tail reads them.
    pub fn wrote(&self, events: &[UserEvent]) {
        if let Some(max) = events.iter().map(|e| e.event.cursor).max() {
            self.saw_latest(max);
        }
    }

    /// The store's newest event is `latest` (another node may have written it): the tail
    /// reads it, unless it has already.
    pub fn saw_latest(&self, latest: i64) {
        if self.read.load(Ordering::SeqCst) < latest {
            self.unread.notify_one();
        }
    }

    /// Resolves once something was written since the tail last looked.
    pub(super) async fn unread(&self) {
        self.unread.notified().await;
    }

    /// The tail read `events`, which follow every event it broadcast before.
    pub(super) fn broadcast(&self, events: Vec<StoredEvent>) {
        for e in events {
            self.read.fetch_max(e.raw.cursor, Ordering::SeqCst);
            // No subscriber is not an error: the event is in the store for later replay.
            let _ = self.tx.send(Arc::new(e));
        }
    }

    /// Where the tail starts: events up to `cursor` are not broadcast.
    pub(super) fn start_after(&self, cursor: i64) {
        self.read.fetch_max(cursor, Ordering::SeqCst);
    }

    pub fn read_up_to(&self) -> i64 {
        self.read.load(Ordering::SeqCst)
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<StoredEvent>> {
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
