//! Hands the store's events to the event streams open on this node, in cursor order. One
//! tail per node (`server::tail`) broadcasts them here, from what this node committed or
//! read back from the store; each stream forwards its user's.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

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
    /// Events this node committed and the tail has not broadcast yet.
    committed: Arc<Mutex<Vec<UserEvent>>>,
    /// The highest cursor the tail has broadcast.
    read: Arc<AtomicI64>,
    /// The highest cursor the store was seen to hold (another node's, perhaps).
    seen: Arc<AtomicI64>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub {
            tx: broadcast::channel(CAPACITY).0,
            closing: Arc::new(watch::channel(false).0),
            unread: Arc::default(),
            committed: Arc::default(),
            read: Arc::default(),
            seen: Arc::default(),
        }
    }
}

impl Hub {
    /// This node committed `events`: the tail broadcasts them.
    pub fn wrote(&self, events: &[UserEvent]) {
        if let Ok(mut committed) = self.committed.lock() {
            committed.extend_from_slice(events);
        }
        self.unread.notify_one();
    }

    /// The store's newest event is `latest` (another node may have written it): the tail
    /// reads it, unless it has already.
    pub fn saw_latest(&self, latest: i64) {
        self.seen.fetch_max(latest, Ordering::SeqCst);
        if self.read.load(Ordering::SeqCst) < latest {
            self.unread.notify_one();
        }
    }

    /// Whether the store holds events the tail has not broadcast.
    pub(super) fn saw_unread(&self) -> bool {
        self.seen.load(Ordering::SeqCst) > self.read.load(Ordering::SeqCst)
    }

    /// Resolves once something was written since the tail last looked.
    pub(super) async fn unread(&self) {
        self.unread.notified().await;
    }

    /// What this node committed since the tail last took it.
    pub(super) fn take_committed(&self) -> Vec<UserEvent> {
        self.committed
            .lock()
            .map(|mut c| std::mem::take(&mut *c))
            .unwrap_or_default()
    }

    /// `events` follow every event the tail broadcast before.
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

    pub(super) fn read_up_to(&self) -> i64 {
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
