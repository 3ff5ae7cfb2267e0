//! Hands the store's events to the event streams open on this node, in cursor order. One
//! tail per node (`server::tail`) hands them here, from what this node committed or read
//! back from the store. Each user with a stream open has a channel of their own, shared by
//! their streams: an event wakes only the streams of the user it concerns, so an idle
//! workstation costs nothing while messages flow, and a user whose streams fall behind
//! resumes from the store alone.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::{broadcast, watch, Notify};
use uuid::Uuid;

use super::store::{StoredEvent, UserEvent};

/// Events a user's streams may fall behind before they resume from the store (see
/// `routes::events`). Each connected user's channel holds this many slots.
const CAPACITY: usize = 128;

type Channels = HashMap<Uuid, broadcast::Sender<Arc<StoredEvent>>>;

#[derive(Clone)]
pub struct Hub {
    channels: Arc<Mutex<Channels>>,
    /// Set when the server stops, so open streams end and shutdown need not wait on them.
    closing: Arc<watch::Sender<bool>>,
    /// Something was written that the tail has not read.
    unread: Arc<Notify>,
    /// Events this node committed and the tail has not handed out yet.
    committed: Arc<Mutex<Vec<UserEvent>>>,
    /// The highest cursor the tail has handed out.
    read: Arc<AtomicI64>,
    /// The highest cursor the store was seen to hold (another node's, perhaps).
    seen: Arc<AtomicI64>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub {
            channels: Arc::default(),
            closing: Arc::new(watch::channel(false).0),
            unread: Arc::default(),
            committed: Arc::default(),
            read: Arc::default(),
            seen: Arc::default(),
        }
    }
}

/// One stream's share of its user's channel; the channel goes when its last stream does.
pub struct Subscription {
    user: Uuid,
    pub events: broadcast::Receiver<Arc<StoredEvent>>,
    channels: Arc<Mutex<Channels>>,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut channels = lock(&self.channels);
        // Ours is still counted: it is dropped after this.
        if channels
            .get(&self.user)
            .is_some_and(|tx| tx.receiver_count() <= 1)
        {
            channels.remove(&self.user);
        }
    }
}

/// A panic elsewhere while holding the lock leaves the map as it was: still usable.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Hub {
    /// This node committed `events`: the tail hands them out.
    pub fn wrote(&self, events: &[UserEvent]) {
        lock(&self.committed).extend_from_slice(events);
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

    /// Whether the store holds events the tail has not handed out.
    pub(super) fn saw_unread(&self) -> bool {
        self.seen.load(Ordering::SeqCst) > self.read.load(Ordering::SeqCst)
    }

    /// Resolves once something was written since the tail last looked.
    pub(super) async fn unread(&self) {
        self.unread.notified().await;
    }

    /// What this node committed since the tail last took it.
    pub(super) fn take_committed(&self) -> Vec<UserEvent> {
        std::mem::take(&mut *lock(&self.committed))
    }

    /// `events` follow every event the tail handed out before. Each goes to its user's
    /// streams, if any is open here; the rest are in the store for when one opens.
    pub(super) fn broadcast(&self, events: Vec<StoredEvent>) {
        let Some(newest) = events.last().map(|e| e.raw.cursor) else {
            return;
        };
        {
            let channels = lock(&self.channels);
            for e in events {
                if let Some(tx) = channels.get(&e.user_id) {
                    // Its streams may have just gone: not an error.
                    let _ = tx.send(Arc::new(e));
                }
            }
        }
        // After sending: a stream that subscribes meanwhile replays from the store up to
        // at least what it then finds here, and tells the two apart by cursor.
        self.read.fetch_max(newest, Ordering::SeqCst);
    }

    /// Where the tail starts: events up to `cursor` are not handed out.
    pub(super) fn start_after(&self, cursor: i64) {
        self.read.fetch_max(cursor, Ordering::SeqCst);
    }

    pub(super) fn read_up_to(&self) -> i64 {
        self.read.load(Ordering::SeqCst)
    }

    /// `user`'s events from now on, for one of their streams.
    pub fn subscribe(&self, user: Uuid) -> Subscription {
        let events = lock(&self.channels)
            .entry(user)
            .or_insert_with(|| broadcast::channel(CAPACITY).0)
            .subscribe();
        Subscription {
            user,
            events,
            channels: self.channels.clone(),
        }
    }

    /// Users with a stream open on this node.
    pub fn users_connected(&self) -> usize {
        lock(&self.channels).len()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::store::RawEvent;

    fn event(user: u128, cursor: i64) -> StoredEvent {
        StoredEvent {
            user_id: Uuid::from_u128(user),
            raw: RawEvent {
                cursor,
                payload: String::new(),
            },
        }
    }

    fn cursors(s: &mut Subscription) -> Vec<i64> {
        std::iter::from_fn(|| s.events.try_recv().ok().map(|e| e.raw.cursor)).collect()
    }

    #[test]
    fn an_event_reaches_only_the_streams_of_its_user() {
        let hub = Hub::default();
        let (mut a1, mut a2, mut b) = (
            hub.subscribe(Uuid::from_u128(1)),
            hub.subscribe(Uuid::from_u128(1)),
            hub.subscribe(Uuid::from_u128(2)),
        );
        hub.broadcast(vec![event(1, 1), event(3, 2), event(2, 3), event(1, 4)]);
        assert_eq!(cursors(&mut a1), [1, 4]);
        assert_eq!(
            cursors(&mut a2),
            [1, 4],
            "a user's streams share the channel"
        );
        assert_eq!(cursors(&mut b), [3]);
        assert_eq!(
            hub.read_up_to(),
            4,
            "an event nobody here awaits is still read"
        );
    }

    #[test]
    fn a_users_channel_goes_with_their_last_stream() {
        let hub = Hub::default();
        let first = hub.subscribe(Uuid::from_u128(1));
        let second = hub.subscribe(Uuid::from_u128(1));
        assert_eq!(hub.users_connected(), 1);
        drop(first);
        assert_eq!(hub.users_connected(), 1);
        drop(second);
        assert_eq!(hub.users_connected(), 0);
    }

    #[test]
    fn one_user_falling_behind_leaves_the_others_on_the_live_channel() {
        let hub = Hub::default();
        let mut slow = hub.subscribe(Uuid::from_u128(1));
        let mut other = hub.subscribe(Uuid::from_u128(2));
        let flood: Vec<StoredEvent> = (1..=CAPACITY as i64 + 10).map(|c| event(1, c)).collect();
        hub.broadcast(flood);
        hub.broadcast(vec![event(2, CAPACITY as i64 + 11)]);
        assert!(matches!(
            slow.events.try_recv(),
            Err(broadcast::error::TryRecvError::Lagged(10))
        ));
        assert_eq!(cursors(&mut other), [CAPACITY as i64 + 11]);
    }
}
