//! What every request would otherwise read again: who a session token belongs to, each
//! user's effective messaging policy, each conversation's members. Entries live a short
//! while, and any change to accounts, teams or policies on this node drops them all, so
//! a change is seen at once here and within [`TTL`] on other nodes.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::model::{EffectivePolicy, User};

pub const TTL: Duration = Duration::from_secs(2);
/// A cache that grows past this is cleared rather than searched for the stale.
const MAX_ENTRIES: usize = 100_000;

pub struct Ttl<K, V> {
    entries: Mutex<HashMap<K, (V, Instant)>>,
}

impl<K, V> Default for Ttl<K, V> {
    fn default() -> Self {
        Ttl {
            entries: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash, V: Clone> Ttl<K, V> {
    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<K, (V, Instant)>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn get(&self, key: &K) -> Option<V> {
        let entries = self.entries();
        let (value, at) = entries.get(key)?;
        (at.elapsed() < TTL).then(|| value.clone())
    }

    pub fn put(&self, key: K, value: V) {
        let mut entries = self.entries();
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key, (value, Instant::now()));
    }

    pub fn remove(&self, key: &K) {
        self.entries().remove(key);
    }

    pub fn clear(&self) {
        self.entries().clear();
    }
}

#[derive(Default)]
pub struct Caches {
    /// Session token hash → its user (and whether their password is one-time), and when
    /// (server clock) the store last said the session was live: expiry is on the server
    /// clock, which tests move by hours.
    pub sessions: Ttl<String, ((User, bool), DateTime<Utc>)>,
    pub policies: Ttl<Uuid, EffectivePolicy>,
    /// Each conversation as the rules need it (kind, members, creator, role).
    pub members: Ttl<Uuid, Arc<crate::server::store::ConversationInfo>>,
}

impl Caches {
    /// Accounts, teams or policies changed: nothing cached may be trusted.
    pub fn clear(&self) {
        self.sessions.clear();
        self.policies.clear();
        self.members.clear();
    }

    /// For a change about to be made: clears now and again when the guard drops (after
    /// the change is written), so nothing read in between outlives it.
    pub fn invalidate(caches: &Arc<Caches>) -> Invalidated {
        caches.clear();
        Invalidated(caches.clone())
    }
}

pub struct Invalidated(Arc<Caches>);

impl Drop for Invalidated {
    fn drop(&mut self) {
        self.0.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_and_clear() {
        let c: Ttl<u32, &str> = Ttl::default();
        c.put(1, "a");
        assert_eq!(c.get(&1), Some("a"));
        c.remove(&1);
        assert_eq!(c.get(&1), None);
        c.put(2, "b");
        c.clear();
        assert_eq!(c.get(&2), None);
    }
}
