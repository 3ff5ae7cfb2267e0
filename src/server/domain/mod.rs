//! The server's rules, between thin HTTP handlers and the store.

mod accounts;
pub mod admin;
pub mod audit;
mod auth;
mod cache;
pub mod census;
mod chart_reads;
mod conversations;
mod directory;
mod handover;
mod jobs;
mod list_changes;
mod list_fill;
mod lists;
mod messaging;
mod passwords;
mod policies;
mod presence;
mod presentations;
mod reach;
mod roles;
mod urgent;

use std::sync::Arc;

use crate::server::audit_key::AuditSetup;

use super::clock::Clock;
use super::hub::Hub;
use super::metrics::Metrics;
use super::store::{Store, StoreError};
use crate::fhir::{FhirError, FhirSource};

pub use auth::Session;
pub use conversations::may_manage;
pub use urgent::SYSTEM_USER;

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    /// Come back later: after `retry_after_secs`.
    #[error("{message}")]
    TooMany {
        message: String,
        retry_after_secs: u64,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Its own text names the EHR (`EHR: …`, or the file or version it could not read).
    #[error(transparent)]
    Ehr(#[from] FhirError),
}

pub type DomainResult<T> = Result<T, DomainError>;

/// `[messaging] max_group` unless set.
pub const DEFAULT_MAX_GROUP: usize = 500;

/// Everything a request needs; cheap to clone into each handler.
#[derive(Clone)]
pub struct Domain {
    store: Arc<dyn Store>,
    hub: Hub,
    ehr: Arc<dyn FhirSource>,
    clock: Arc<dyn Clock>,
    /// Wakes the re-notify scheduler when an urgent message starts a new schedule.
    urgent_sent: Arc<tokio::sync::Notify>,
    metrics: Arc<Metrics>,
    caches: Arc<cache::Caches>,
    /// The audit key and checkpoint file, for `audit_verify` and checkpoints.
    audit: Arc<AuditSetup>,
    /// The most members a group may have (`[messaging] max_group`).
    max_group: usize,
    reads: Arc<chart_reads::ChartReads>,
    fillers: Arc<list_fill::ListFillers>,
    census: Arc<census::Censuses>,
    /// Held while a list's name is checked free and taken (see `fresh_name`).
    list_names: Arc<tokio::sync::Mutex<()>>,
    /// Held while a patient's open jobs are counted and a new one stored (see
    /// `create_job`): the bound holds against a burst of requests to one node.
    job_making: Arc<tokio::sync::Mutex<()>>,
}

impl Domain {
    pub fn new(
        store: Arc<dyn Store>,
        hub: Hub,
        ehr: Arc<dyn FhirSource>,
        clock: Arc<dyn Clock>,
        audit: AuditSetup,
    ) -> Self {
        Domain {
            store,
            hub,
            ehr,
            clock,
            urgent_sent: Arc::default(),
            metrics: Arc::default(),
            caches: Arc::default(),
            audit: Arc::new(audit),
            max_group: DEFAULT_MAX_GROUP,
            reads: Arc::default(),
            census: Arc::default(),
            list_names: Arc::default(),
            job_making: Arc::default(),
            fillers: Arc::default(),
        }
    }

    /// Groups of at most `max` members.
    pub fn with_max_group(mut self, max: usize) -> Self {
        self.max_group = max.max(2);
        self
    }

    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    pub fn hub(&self) -> &Hub {
        &self.hub
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub async fn ehr_status(&self) -> Result<String, FhirError> {
        self.ehr.status().await
    }
}
