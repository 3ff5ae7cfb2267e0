//! Telling a user when the charts a list was answered without have arrived. One filler
//! per user and list, however often the list is read meanwhile: each read of a list still
//! filling hands its waiting patients to the filler already at work, so a list reloaded
//! on each `list_filled` cannot multiply the events (and the reloads) it causes.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use futures_util::stream::{FuturesUnordered, StreamExt};
use tokio::sync::mpsc;
use uuid::Uuid;

use super::Domain;
use crate::model::EventKind;

/// Charts arriving this close together are told of in one event.
const FILL_GATHER: Duration = Duration::from_millis(250);

type Fillers = HashMap<(Uuid, Uuid), mpsc::UnboundedSender<String>>;

/// The fillers at work, by (user, list).
#[derive(Default)]
pub(super) struct ListFillers(Mutex<Fillers>);

impl ListFillers {
    fn lock(&self) -> MutexGuard<'_, Fillers> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Domain {
    /// `user` will hear (`list_filled`) as each of `patients` of `list` has its chart read.
    pub(super) fn fill_later(&self, user: Uuid, list: Uuid, patients: Vec<String>) {
        let mut fillers = self.fillers.lock();
        if let Some(filler) = fillers.get(&(user, list)) {
            // Under the lock, a filler in the map is still receiving.
            for p in patients {
                let _ = filler.send(p);
            }
            return;
        }
        let (tx, rx) = mpsc::unbounded_channel();
        for p in patients {
            let _ = tx.send(p);
        }
        fillers.insert((user, list), tx);
        tokio::spawn(self.clone().fill(user, list, rx));
    }

    async fn fill(self, user: Uuid, list: Uuid, mut wanted: mpsc::UnboundedReceiver<String>) {
        let mut waiting = HashSet::new();
        let mut reads = FuturesUnordered::new();
        loop {
            while let Ok(p) = wanted.try_recv() {
                if waiting.insert(p.clone()) {
                    let domain = self.clone();
                    reads.push(async move {
                        // Joins the read in flight; its outcome is the list's to show.
                        let _ = domain.chart(&p).await;
                        p
                    });
                }
            }
            if reads.is_empty() {
                let mut fillers = self.fillers.lock();
                if !wanted.is_empty() {
                    continue;
                }
                fillers.remove(&(user, list));
                return;
            }
            let Some(first) = reads.next().await else {
                continue;
            };
            let mut arrived = vec![first];
            let until = tokio::time::Instant::now() + FILL_GATHER;
            while let Ok(Some(p)) = tokio::time::timeout_at(until, reads.next()).await {
                arrived.push(p);
            }
            for p in &arrived {
                waiting.remove(p);
            }
            let event = EventKind::ListFilled {
                list_id: list,
                patients: arrived,
            };
            match self
                .store
                .append_events(vec![(user, event)], self.clock.now())
                .await
            {
                Ok(written) => self.hub.wrote(&written),
                Err(e) => tracing::warn!(error = %e, "telling of a list's arrived charts"),
            }
        }
    }
}
