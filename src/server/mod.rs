//! `wardround serve`: the HTTP API and event stream over a store and an EHR source.

pub mod api_doc;
pub mod audit_key;
pub mod clock;
pub mod connections;
pub mod domain;
mod hub;
pub mod metrics;
mod nodes;
mod problem;
mod routes;
pub mod store;
mod tail;
pub mod tls;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use clock::{Clock, SystemClock};
pub use domain::{Domain, DEFAULT_MAX_GROUP};
use hub::Hub;
use store::{Database, StoreError};

use crate::fhir::FhirSource;

const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// A server listening on a real port.
pub struct RunningServer {
    pub addr: SocketAddr,
    /// Serving HTTPS only.
    pub tls: bool,
    pub domain: Domain,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
    /// Writes the audit head down as the server stops: awaited, so the files it writes
    /// are there (and finished) when `stop` returns.
    checkpoints: JoinHandle<()>,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Domain(#[from] domain::DomainError),
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error(transparent)]
    AuditKey(#[from] audit_key::AuditKeyError),
    #[error("cannot listen on {addr}: {cause}")]
    Listen {
        addr: SocketAddr,
        cause: std::io::Error,
    },
}

impl RunningServer {
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// Stops accepting and lets in-flight requests finish; event streams never finish by
    /// themselves, so after a grace period the rest are cut (clients resume elsewhere).
    pub async fn stop(mut self) {
        self.domain.hub().close();
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if tokio::time::timeout(SHUTDOWN_GRACE, &mut self.task)
            .await
            .is_err()
        {
            self.task.abort();
        }
        if tokio::time::timeout(SHUTDOWN_GRACE, &mut self.checkpoints)
            .await
            .is_err()
        {
            self.checkpoints.abort();
        }
    }

    /// Waits until the server stops by itself (it does not, unless it fails).
    pub async fn wait(self) -> std::io::Result<()> {
        self.task
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e)))
    }
}

/// `[ehr] census_refresh_secs` unless set: a ward's admissions show within a minute.
pub const DEFAULT_CENSUS_REFRESH_SECS: u64 = 60;

/// How a server runs, beyond where it listens and what it stores.
pub struct Options {
    pub clock: Arc<dyn Clock>,
    /// Run the urgent re-notify scheduler in the background. Tests with a manual clock
    /// turn it off and call `Domain::run_urgent` themselves.
    pub scheduler: bool,
    /// Serve HTTPS only, with this certificate and key.
    pub tls: Option<tls::TlsFiles>,
    /// The audit key and checkpoint file; None: the database's own (see
    /// `Database::audit_setup`).
    pub audit: Option<audit_key::AuditSetup>,
    /// What a connection may cost: header deadline, connections per address.
    pub limits: connections::Limits,
    /// `[messaging] max_group`.
    pub max_group: usize,
    /// `[serve] sqlite_synchronous`.
    pub synchronous: store::Synchronous,
    /// How often census lists ask the EHR who is in their ward (`[ehr]
    /// census_refresh_secs`); `None`: never by themselves (tests call
    /// `Domain::refresh_sources`).
    pub census_refresh: Option<std::time::Duration>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            clock: Arc::new(SystemClock),
            scheduler: true,
            tls: None,
            audit: None,
            limits: connections::Limits::default(),
            max_group: DEFAULT_MAX_GROUP,
            synchronous: store::Synchronous::default(),
            census_refresh: Some(std::time::Duration::from_secs(DEFAULT_CENSUS_REFRESH_SECS)),
        }
    }
}

/// The domain over `database` without serving it, for what IT does at the server's own
/// files when no login can (unlocking the administrator).
pub async fn offline(
    database: &Database,
    audit: audit_key::AuditSetup,
) -> Result<Domain, ServeError> {
    let store = database
        .open(audit.keys.clone(), store::Synchronous::default())
        .await?;
    let ehr = Arc::new(crate::fhir::BundleSource::default());
    Ok(Domain::new(
        store,
        Hub::default(),
        ehr,
        Arc::new(SystemClock),
        audit,
    ))
}

pub async fn start(
    listen: SocketAddr,
    database: impl Into<Database>,
    ehr: Arc<dyn FhirSource>,
) -> Result<RunningServer, ServeError> {
    start_with(listen, database, ehr, Options::default()).await
}

pub async fn start_with(
    listen: SocketAddr,
    database: impl Into<Database>,
    ehr: Arc<dyn FhirSource>,
    options: Options,
) -> Result<RunningServer, ServeError> {
    // A bad certificate stops the start, before anything else is opened.
    let acceptor = options.tls.as_ref().map(tls::acceptor).transpose()?;
    let database = database.into();
    let audit = match options.audit {
        Some(audit) => audit,
        None => database.audit_setup(None, audit_key::KeyFile::CreateIfMissing)?,
    };
    let store = database
        .open(audit.keys.clone(), options.synchronous)
        .await?;
    let domain = Domain::new(store, Hub::default(), ehr, options.clock, audit)
        .with_max_group(options.max_group);
    domain.ensure_global_policy().await?;
    // Before any request: an event written ahead of the tail's starting point would reach
    // no open stream.
    let tail = tail::start(&domain).await?;
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|cause| ServeError::Listen {
            addr: listen,
            cause,
        })?;
    let addr = listener.local_addr().map_err(|cause| ServeError::Listen {
        addr: listen,
        cause,
    })?;
    let (tx, rx) = oneshot::channel::<()>();
    let app = routes::router(domain.clone());
    if options.scheduler {
        tokio::spawn(domain.clone().urgent_scheduler());
    }
    if let Some(every) = options.census_refresh {
        tokio::spawn(domain.clone().census_loop(every));
    }
    tokio::spawn(tail);
    tokio::spawn(nodes::watch_other_nodes(domain.clone()));
    let checkpoints = tokio::spawn(domain.clone().audit_checkpoints());
    let stopped = async {
        let _ = rx.await;
    };
    let tls = acceptor.is_some();
    let task = tokio::spawn(connections::serve(
        listener,
        acceptor,
        app,
        options.limits,
        stopped,
    ));
    Ok(RunningServer {
        addr,
        tls,
        domain,
        shutdown: Some(tx),
        task,
        checkpoints,
    })
}
