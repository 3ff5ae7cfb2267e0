//! `wardround serve`: the server. `serve --check-config` builds the same settings with the
//! same constructors and reports each one instead of starting, so the check can never pass
//! what the server would refuse.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use color_eyre::eyre::{eyre, Result, WrapErr};

use wardround::config::{self, Config, ConfigError, EhrSection};
use wardround::fhir::http::{EhrAuth, EhrConfig, HttpSource};
use wardround::fhir::smart::SmartConfig;
use wardround::fhir::{BundleSource, FhirSource};
use wardround::server::audit_key::{AuditKeyError, KeyFile};
use wardround::server::store::Database;
use wardround::server::tls::TlsFiles;
use wardround::{demo, server};

use super::admin::one_time_password;
use super::placement::{self, Finding, Placement};

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on (overrides [serve] listen).
    #[arg(long)]
    listen: Option<std::net::SocketAddr>,
    /// A SQLite database file, or a postgres:// URL for several nodes on one
    /// PostgreSQL database (overrides [serve] database). A URL with a password is
    /// better given in the environment than on the command line.
    #[arg(long, env = "WARDROUND_DATABASE", hide_env_values = true)]
    database: Option<String>,
    /// A directory of FHIR R4 Bundles to serve as the EHR (overrides [serve] ehr_bundles).
    #[arg(long)]
    ehr_bundles: Option<PathBuf>,
    /// The EHR's FHIR base URL (overrides [ehr] url).
    #[arg(long, conflicts_with = "ehr_bundles")]
    ehr_url: Option<String>,
    /// Serve the generated demo ward as the EHR, and on first start create the demo's
    /// team, list, conversations and accounts (their password is printed once).
    #[arg(long, conflicts_with_all = ["ehr_bundles", "ehr_url"])]
    demo_ward: bool,
    /// PEM certificate chain: serve HTTPS only (with --tls-key; overrides [serve]).
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert.
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Check the configuration (file, TLS files, database location, EHR settings)
    /// and exit: 0 when all is well.
    #[arg(long)]
    check_config: bool,
}

pub async fn run(mut config: Config, args: Args) -> Result<()> {
    if let Some(url) = &args.ehr_url {
        config.ehr.url = url.clone();
    }
    if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
        config.serve.tls_cert = cert.display().to_string();
        config.serve.tls_key = key.display().to_string();
    }
    if args.check_config {
        check(&config, &args).await
    } else {
        serve(&config, &args).await
    }
}

/// `[serve] state_dir`, when set.
pub fn state_dir(config: &Config) -> Option<PathBuf> {
    (!config.serve.state_dir.is_empty()).then(|| PathBuf::from(&config.serve.state_dir))
}

/// `--database`, else `[serve] database`, else the default SQLite file.
fn database(config: &Config, args: &Args) -> Database {
    database_or_default(config, args.database.as_deref())
}

/// `given`, else `[serve] database`, else the default SQLite file: the database a server
/// with this config opens.
pub fn database_or_default(config: &Config, given: Option<&str>) -> Database {
    let configured = (!config.serve.database.is_empty()).then_some(config.serve.database.as_str());
    given
        .or(configured)
        .map(Database::parse)
        .unwrap_or_else(|| config::default_database_path().into())
}

/// Where this server's data lives and how it is reached, to be judged before it starts.
fn placement<'a>(config: &Config, args: &Args, database: &'a Database) -> Placement<'a> {
    Placement {
        database,
        state_dir: state_dir(config),
        listen: args.listen.unwrap_or(config.serve.listen),
        tls: matches!(tls_files(config), Ok(Some(_))),
        service_dir: placement::service_dir(),
        writable: placement::writable,
    }
}

/// HTTPS when both files are named, plain HTTP when neither is.
fn tls_files(config: &Config) -> Result<Option<TlsFiles>, String> {
    let (cert, key) = (&config.serve.tls_cert, &config.serve.tls_key);
    match (cert.is_empty(), key.is_empty()) {
        (true, true) => Ok(None),
        (false, false) => Ok(Some(TlsFiles {
            cert: PathBuf::from(cert),
            key: PathBuf::from(key),
        })),
        _ => Err("[serve] tls_cert and tls_key go together: set both or neither".into()),
    }
}

/// Where the server's patient data comes from.
enum Ehr {
    DemoWard,
    Bundles(PathBuf),
    Fhir(EhrConfig),
    Nothing,
}

fn ehr(config: &Config, args: &Args) -> Result<Ehr, String> {
    if args.demo_ward {
        return Ok(Ehr::DemoWard);
    }
    let configured =
        (!config.serve.ehr_bundles.is_empty()).then(|| PathBuf::from(&config.serve.ehr_bundles));
    match args.ehr_bundles.clone().or(configured) {
        Some(dir) => Ok(Ehr::Bundles(dir)),
        None if config.ehr.url.is_empty() => Ok(Ehr::Nothing),
        None => fhir_config(&config.ehr).map(Ehr::Fhir),
    }
}

/// The live EHR's settings, its credentials read (but not yet tried).
fn fhir_config(e: &EhrSection) -> Result<EhrConfig, String> {
    if !(e.url.starts_with("https://") || e.url.starts_with("http://")) {
        return Err(format!("[ehr] url `{}` is not an http(s) URL", e.url));
    }
    let mut ehr = EhrConfig::new(&e.url);
    ehr.timeout = Duration::from_secs(e.timeout_secs.max(1));
    ehr.max_concurrent = e.max_concurrent;
    ehr.page_cap = e.page_cap.max(1);
    ehr.cache_ttl = Duration::from_secs(e.cache_ttl_secs);
    if !e.smart_client_id.is_empty() {
        let key = std::fs::read_to_string(&e.smart_private_key)
            .map_err(|err| format!("[ehr] smart_private_key `{}`: {err}", e.smart_private_key))?;
        ehr.auth = EhrAuth::Smart(SmartConfig {
            client_id: e.smart_client_id.clone(),
            private_key_pem: key,
            algorithm: e.smart_algorithm,
            key_id: Some(e.smart_key_id.clone()).filter(|k| !k.is_empty()),
            scope: e.smart_scope.clone(),
            token_url: Some(e.smart_token_url.clone()).filter(|u| !u.is_empty()),
        });
    } else if !e.bearer_token.is_empty() {
        ehr.auth = EhrAuth::Bearer(e.bearer_token.clone());
    }
    Ok(ehr)
}

/// `serve --check-config`: what would stop or hobble the server, found before it starts.
/// (The config file itself was read already: a bad one never gets this far.) It changes
/// nothing: a missing audit key is reported, not made.
async fn check(config: &Config, args: &Args) -> Result<()> {
    let mut failed = 0;
    let mut report = |what: &str, outcome: Result<String, String>| match outcome {
        Ok(detail) => println!("ok    {what}: {detail}"),
        Err(why) => {
            failed += 1;
            println!("FAIL  {what}: {why}");
        }
    };
    report("config", Ok("read and valid".into()));
    let database = database(config, args);
    report("database", database.check().await);
    report(
        "audit key",
        database
            .audit_setup(state_dir(config).as_deref(), KeyFile::MustExist)
            .map(|a| {
                let (id, _) = a.keys.current();
                let checkpoints = a.checkpoints.path().display();
                format!("key {id} in use; checkpoints in {checkpoints}")
            })
            .or_else(|e| match e {
                // A first start makes it.
                AuditKeyError::Missing { path } => {
                    Ok(format!("none yet: the first start makes {path}"))
                }
                e => Err(e.to_string()),
            }),
    );
    report(
        "tls",
        tls_files(config).and_then(|files| match files {
            None => Ok("off: plain HTTP (put it behind TLS)".into()),
            Some(files) => server::tls::acceptor(&files)
                .map(|_| format!("certificate {} and its key load", files.cert.display()))
                .map_err(|e| e.to_string()),
        }),
    );
    report(
        "ehr",
        ehr(config, args).and_then(|ehr| match ehr {
            Ehr::DemoWard => Ok("the generated demo ward".into()),
            Ehr::Bundles(dir) if dir.is_dir() => Ok(format!("FHIR bundles from {}", dir.display())),
            Ehr::Bundles(dir) => Err(format!("{} is not a directory", dir.display())),
            Ehr::Fhir(c) if matches!(c.auth, EhrAuth::Smart(_)) => {
                Ok(format!("{} with SMART Backend Services", c.base_url))
            }
            Ehr::Fhir(c) => Ok(format!(
                "{} (reachability: see /readyz once running)",
                c.base_url
            )),
            Ehr::Nothing => Ok("none configured: patient lists will show `?`".into()),
        }),
    );
    for finding in placement(config, args, &database).checked() {
        match finding {
            Finding::Refuse(why) => report("placement", Err(why)),
            Finding::Warn(why) => println!("warn  {why}"),
        }
    }
    if failed > 0 {
        return Err(eyre!("{failed} check(s) failed"));
    }
    Ok(())
}

async fn serve(config: &Config, args: &Args) -> Result<()> {
    // Every connected client holds a socket.
    wardround::process::raise_open_files_limit();
    wardround::process::tune_allocator();
    let listen = args.listen.unwrap_or(config.serve.listen);
    let database = database(config, args);
    let tls = tls_files(config).map_err(ConfigError::Setting)?;
    log_settings(config, listen, &database, tls.is_some());
    if let Some(files) = &tls {
        server::tls::acceptor(files).map_err(|e| ConfigError::Setting(e.to_string()))?;
    }
    for finding in placement(config, args, &database).findings() {
        match finding {
            Finding::Refuse(why) => return Err(ConfigError::Setting(why).into()),
            Finding::Warn(why) => tracing::warn!("{why}"),
        }
    }
    let mut demo_ward = None;
    let ehr: Arc<dyn FhirSource> = match ehr(config, args).map_err(ConfigError::Setting)? {
        Ehr::DemoWard => {
            tracing::info!("EHR: the generated demo ward");
            let ward = Arc::new(demo::ward_source(Utc::now()));
            demo_ward = Some(ward.clone());
            ward
        }
        Ehr::Bundles(dir) => {
            let (source, report) =
                BundleSource::load_dir(&dir).wrap_err("loading the EHR bundles")?;
            for p in &report.problems {
                tracing::warn!("EHR bundles: {p}");
            }
            tracing::info!(
                "EHR: {} patients from {} files in {}",
                source.patient_ids().len(),
                report.files,
                dir.display()
            );
            Arc::new(source)
        }
        Ehr::Fhir(settings) => {
            let source = Arc::new(HttpSource::new(settings)?);
            // The server runs whatever the EHR says; /readyz reports what is wrong.
            match source.status().await {
                Ok(s) => tracing::info!("EHR: {s}"),
                Err(e) => tracing::warn!("EHR not usable yet: {e}"),
            }
            source
        }
        Ehr::Nothing => {
            tracing::warn!(
                "no EHR configured ([ehr] url, or [serve] ehr_bundles): patient lists will show `?`"
            );
            Arc::new(BundleSource::default())
        }
    };
    let audit = database
        .audit_setup(state_dir(config).as_deref(), KeyFile::CreateIfMissing)
        .wrap_err("the audit key")?;
    tracing::info!(
        "audit key {} in use; checkpoints in {}",
        audit.keys.current().0,
        audit.checkpoints.path().display()
    );
    let limits = server::connections::Limits {
        header_read_timeout: Duration::from_secs(config.serve.header_read_timeout_secs.max(1)),
        per_address: config.serve.max_connections_per_address,
        ..Default::default()
    };
    let options = server::Options {
        tls,
        audit: Some(audit),
        limits,
        max_group: config.messaging.max_group,
        synchronous: config.serve.sqlite_synchronous,
        census_refresh: (config.ehr.census_refresh_secs > 0)
            .then(|| std::time::Duration::from_secs(config.ehr.census_refresh_secs)),
        ..Default::default()
    };
    let running = server::start_with(listen, &database, ehr, options).await?;
    // A new store gets an administrator, so that `wardround admin` can do the rest.
    let (password, generated) = match std::env::var("WARDROUND_ADMIN_PASSWORD") {
        Ok(p) if !p.is_empty() => (p, false),
        _ => (one_time_password(), true),
    };
    if running
        .domain
        .bootstrap_admin_with(&password, generated)
        .await?
        .is_some()
    {
        // The one-time password goes to the log (the journal under systemd, readable by
        // root and the adm group), never a file: the first login spends it.
        if generated {
            tracing::warn!(
                "administrator `admin` created; one-time password {password} (shown only \
                 here: log in as admin with it and set your own)"
            );
            if !tracing::enabled!(tracing::Level::WARN) {
                // Filtered out of the log, it would be nowhere: IT needs it once.
                eprintln!(
                    "wardround serve: administrator `admin` created; one-time password {password}"
                );
            }
        } else {
            tracing::info!("administrator `admin` created with WARDROUND_ADMIN_PASSWORD");
        }
    }
    if demo_ward.is_some() {
        let seeded = running
            .domain
            .store()
            .user_by_username("nurse")
            .await?
            .is_some();
        if !seeded {
            let cast = demo::seed(&running.domain).await?;
            tracing::info!(
                "demo accounts nurse, pshah, sokafor, treid and jbello created; password {}",
                cast.password
            );
        }
    }
    tracing::info!("listening on {} (database {database})", running.url());
    wardround::service_manager::ready(&format!("listening on {}", running.url()));
    let domain = running.domain.clone();
    tokio::select! {
        r = running.wait() => r.wrap_err("the server stopped")?,
        _ = stop_signal() => tracing::info!("stopping"),
    }
    wardround::service_manager::stopping();
    // The audit chain's head, written down as the server stops.
    if let Err(e) = domain.audit_checkpoint(None).await {
        tracing::error!(error = %e, "audit checkpoint at stop");
    }
    Ok(())
}

/// What this server runs with, for whoever reads the log after a restart. No secrets:
/// the database's password, the EHR's credentials and keys are left out.
fn log_settings(config: &Config, listen: SocketAddr, database: &Database, tls: bool) {
    let ehr = &config.ehr;
    let ehr_auth = if !ehr.smart_client_id.is_empty() {
        "SMART Backend Services"
    } else if !ehr.bearer_token.is_empty() {
        "a bearer token"
    } else {
        "none"
    };
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        %listen,
        %database,
        tls,
        ehr_url = %wardround::sanitize::url_without_credentials(&ehr.url),
        ehr_auth,
        state_dir = %config.serve.state_dir,
        header_read_timeout_secs = config.serve.header_read_timeout_secs,
        max_connections_per_address = config.serve.max_connections_per_address,
        sqlite_synchronous = ?config.serve.sqlite_synchronous,
        max_group = config.messaging.max_group,
        log_format = ?config.log.format,
        log_filter = %wardround::logging::in_effect(),
        "starting"
    );
}

/// Ctrl-C, or (under systemd and the like) SIGTERM.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
