//! The one binary: the terminal UI, and the `demo`, `serve` and `export` commands.

mod admin_cli;

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand, ValueEnum};
use color_eyre::eyre::{eyre, Result, WrapErr};

use wardround::client::ApiClient;
use wardround::config::{self, Config};
use wardround::fhir::http::{EhrAuth, EhrConfig, HttpSource};
use wardround::fhir::smart::{SigningAlgorithm, SmartConfig};
use wardround::fhir::{BundleSource, FhirSource};
use wardround::model::{ColumnId, Loinc};
use wardround::server::audit_key::{AuditKeyError, KeyFile};
use wardround::tui::theme::Theme;
use wardround::{demo, export, server, tui};

#[derive(Parser)]
#[command(
    name = "wardround",
    version,
    about = "Ward rounding in the terminal: FHIR patient lists and secure clinical chat"
)]
struct Cli {
    /// Config file (default: the platform config dir's wardround/config.toml).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Server to connect to (overrides [server] url).
    #[arg(long, global = true)]
    server: Option<String>,
    /// Username to log in as (overrides [server] username).
    #[arg(long, global = true)]
    user: Option<String>,
    /// Read the password from the first line of standard input (for scripts), instead
    /// of asking at the terminal.
    #[arg(long, global = true)]
    password_stdin: bool,
    /// Theme name or file (overrides [ui] theme).
    #[arg(long, global = true)]
    theme: Option<String>,
    /// Present on a large display: the list alone, full width, in the [profiles.present]
    /// columns and theme (F11 toggles).
    #[arg(long, global = true)]
    present: bool,
    /// No animation: the alert bar holds steady instead of pulsing (slow links, screen
    /// readers, a shared display). Same as [ui] reduced_motion = true.
    #[arg(long, global = true)]
    basic: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// The whole product on this machine: a server, a generated ward and colleagues who chat.
    Demo,
    /// Run the server.
    Serve {
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
    },
    /// Print the list rows computed for every patient in a directory of FHIR R4 Bundles.
    Export {
        /// A directory of FHIR Bundles (or single resources) to read.
        #[arg(long, required_unless_present_any = ["demo_ward", "list"])]
        ehr_bundles: Option<PathBuf>,
        /// The generated demo ward instead of a directory.
        #[arg(long, conflicts_with_all = ["ehr_bundles", "list"])]
        demo_ward: bool,
        /// A patient list on the server (by name): a printable rounding sheet, with the
        /// list's columns and sort from your config.
        #[arg(long, conflicts_with = "ehr_bundles")]
        list: Option<String>,
        /// Comma-separated column ids (default: the list's columns, or bed to news2).
        #[arg(long)]
        columns: Option<String>,
        #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
        format: ExportFormat,
        /// Compute ages and lengths of stay as of this RFC 3339 instant instead of now.
        #[arg(long)]
        as_of: Option<DateTime<Utc>>,
    },
    /// Set your own password (asks for the current one, then the new one twice; with
    /// --password-stdin, the current and the new one on two lines).
    Password,
    /// List every column id with what it shows.
    Columns,
    /// Load-test a server on loopback: latency, throughput, loss and duplicates, receipts,
    /// memory and CPU; one JSON line. Without --server it starts its own on a temporary
    /// SQLite file; with --server, WARDROUND_ADMIN_PASSWORD is that server's admin's.
    Bench {
        #[arg(long, default_value_t = 10)]
        senders: usize,
        /// Messages each sender sends, as fast as they are acknowledged.
        #[arg(long, default_value_t = 2_000)]
        messages: usize,
        /// Messages at 10 a second, for the latency figure.
        #[arg(long, default_value_t = 100)]
        paced: usize,
        /// Event streams held open doing nothing, for the memory figure.
        #[arg(long, default_value_t = 5_000)]
        idle_clients: usize,
        /// The server's process id (with --server), to read its memory and CPU.
        #[arg(long)]
        server_pid: Option<u32>,
        /// Without --server: start the server over this database (a postgres:// URL, or a
        /// SQLite file) instead of a temporary SQLite file. It should be empty.
        #[arg(long, env = "WARDROUND_BENCH_DATABASE", hide_env_values = true)]
        database: Option<String>,
        /// Without --server: start this many servers on the one database (several nodes),
        /// each sender on one and its recipient on the next, so every message crosses.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=8))]
        nodes: u8,
        /// Stop the whole run after this many seconds.
        #[arg(long, default_value_t = 600)]
        limit_secs: u64,
    },
    /// Check this workstation and its server: config, terminal, network, TLS, version,
    /// clock, EHR, login and the event stream; each with a fix. Non-zero exit on failure.
    Doctor {
        /// Print the checks as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Accounts, teams and messaging policies on a running server (as an administrator).
    Admin {
        /// Work on the server's database directly (a SQLite file or a postgres:// URL),
        /// without a login: `unlock NAME` and `reset-password NAME` only. (Not read from
        /// WARDROUND_DATABASE: every other admin command would stop using the server.)
        #[arg(long)]
        database: Option<String>,
        #[command(subcommand)]
        command: admin_cli::AdminCommand,
    },
    /// Manage your teams' patient lists on the server.
    Lists {
        #[command(subcommand)]
        action: Option<ListsAction>,
    },
    /// Add patients to a server list from a CSV of MRNs (a column headed `mrn`, else the
    /// first column).
    ImportMrns {
        /// The list's name.
        #[arg(long)]
        list: String,
        /// The CSV file.
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum ListsAction {
    /// Print every list you can see, with how many patients it holds (the default).
    Show,
    /// Create an empty list (on your first team).
    New {
        name: String,
    },
    Rename {
        list: String,
        new_name: String,
    },
    Duplicate {
        list: String,
        new_name: String,
    },
    Delete {
        list: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    Json,
    Csv,
}

fn main() {
    let _ = color_eyre::install();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("wardround: cannot start: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = runtime.block_on(run(cli)) {
        // One clear sentence per cause, not a backtrace.
        let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
        eprintln!("wardround: {}", chain.join(": "));
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> Result<()> {
    // Everything but the server handles patient data as a client: none of it in a core
    // dump, and no other process reading this one's memory.
    if !matches!(cli.command, Some(Command::Serve { .. })) {
        for problem in tui::hardening::protect_process() {
            eprintln!("wardround: {problem}");
        }
    }
    let mut config = match Config::load(cli.config.as_deref(), std::env::vars()) {
        Ok(c) => c,
        // A broken config is the first thing doctor reports, not a reason not to run.
        Err(e) => match cli.command {
            Some(Command::Doctor { json }) => return doctor(Err(e), false, json).await,
            _ => return Err(e.into()),
        },
    };
    // Flags override the config, whichever command they came with.
    if let Some(t) = cli.theme {
        config.ui.theme = t;
    }
    if cli.basic {
        config.ui.reduced_motion = true;
    }
    let server_given = cli.server.is_some();
    if let Some(s) = cli.server {
        config.server.url = s;
    }
    if let Some(u) = cli.user {
        config.server.username = u;
    }
    match cli.command {
        Some(Command::Demo) => Ok(demo::run(tui_options(&config, cli.present)?).await?),
        Some(Command::Bench {
            senders,
            messages,
            paced,
            idle_clients,
            server_pid,
            database,
            nodes,
            limit_secs,
        }) => {
            if server_given && nodes > 1 {
                return Err(eyre!("--nodes starts its own servers: leave out --server"));
            }
            let target = match server_given.then(|| config.server.url.clone()) {
                Some(url) => {
                    let password = std::env::var("WARDROUND_ADMIN_PASSWORD").map_err(|_| {
                        eyre!("set WARDROUND_ADMIN_PASSWORD to the server's admin password")
                    })?;
                    wardround::bench::Target::external(url, password, server_pid)
                }
                None => wardround::bench::Target::spawn(
                    database.as_deref().map(server::store::Database::parse),
                    usize::from(nodes),
                )?,
            };
            let options = wardround::bench::Options {
                senders,
                messages_per_sender: messages,
                paced_messages: paced,
                idle_clients,
                limit: std::time::Duration::from_secs(limit_secs),
            };
            let report = wardround::bench::run(&target, &options).await?;
            println!("{}", serde_json::to_string(&report)?);
            Ok(())
        }
        Some(Command::Serve {
            listen,
            database,
            ehr_bundles,
            ehr_url,
            demo_ward,
            tls_cert,
            tls_key,
            check_config,
        }) => {
            if let Some(url) = ehr_url {
                config.ehr.url = url;
            }
            if let (Some(cert), Some(key)) = (tls_cert, tls_key) {
                config.serve.tls_cert = cert.display().to_string();
                config.serve.tls_key = key.display().to_string();
            }
            if check_config {
                return check_serve_config(&config, database, ehr_bundles).await;
            }
            serve(config, listen, database, ehr_bundles, demo_ward).await
        }
        Some(Command::Export {
            list: Some(name),
            columns,
            format,
            ..
        }) => {
            export_list(
                &config,
                cli.password_stdin,
                &name,
                columns.as_deref(),
                format,
            )
            .await
        }
        Some(Command::Export {
            ehr_bundles,
            demo_ward,
            columns,
            format,
            as_of,
            ..
        }) => {
            let now = as_of.unwrap_or_else(Utc::now);
            let columns = columns.unwrap_or_else(|| default_columns().join(","));
            let source = match ehr_bundles {
                Some(dir) if !demo_ward => {
                    let (source, report) = BundleSource::load_dir(&dir)?;
                    for p in &report.problems {
                        eprintln!("wardround export: {p}");
                    }
                    source
                }
                _ => demo::ward_source(now),
            };
            run_export(&source, &columns, format, now)
        }
        Some(Command::Lists { action }) => {
            manage_lists(
                &config,
                cli.password_stdin,
                action.unwrap_or(ListsAction::Show),
            )
            .await
        }
        Some(Command::ImportMrns { list, file }) => {
            import_mrns(&config, cli.password_stdin, &list, &file).await
        }
        Some(Command::Admin {
            database: Some(database),
            command,
        }) => {
            let database = server::store::Database::parse(&database);
            admin_cli::run_offline(&database, state_dir(&config).as_deref(), command).await
        }
        Some(Command::Admin {
            database: None,
            command,
        }) => {
            let client = log_in(&config, cli.password_stdin).await?;
            admin_cli::run(&client, command).await
        }
        Some(Command::Doctor { json }) => doctor(Ok(config), cli.password_stdin, json).await,
        Some(Command::Password) => {
            let (client, resp, current) = log_in_first(&config, cli.password_stdin).await?;
            set_own_password(&client, &resp.user.username, &current, cli.password_stdin).await?;
            Ok(())
        }
        Some(Command::Columns) => {
            for c in ColumnId::ALL {
                println!("{:<12} {}", c.id(), c.description());
            }
            println!(
                "{:<12} {}",
                "obs:<LOINC>",
                ColumnId::Obs(Loinc::parse("8867-4").unwrap_or_else(|| unreachable!()))
                    .description()
            );
            Ok(())
        }
        None => connect(config, cli.password_stdin, cli.present).await,
    }
}

fn tui_options(config: &Config, present: bool) -> Result<tui::Options> {
    let themes_dir =
        config::default_config_path().and_then(|p| p.parent().map(|d| d.join("themes")));
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let load = |name: &str| -> Result<Theme> {
        let theme = Theme::load(name, themes_dir.as_deref())?;
        Ok(if no_color {
            theme.without_color()
        } else {
            theme
        })
    };
    Ok(tui::Options {
        theme: load(&config.ui.theme)?,
        present,
        present_theme: load(&config.profiles.present.theme)?,
        present_columns: config.profiles.present.columns.clone(),
        reduced_motion: config.ui.reduced_motion || no_color,
        notify: config.ui.notify.clone(),
        mouse: config.ui.mouse,
        lock_idle_secs: config.lock.idle_secs,
        list_prefs: config.lists.clone(),
    })
}

async fn connect(mut config: Config, password_stdin: bool, present: bool) -> Result<()> {
    let options = tui_options(&config, present)?;
    loop {
        let client = log_in(&config, password_stdin).await?;
        let me = client.me().await?;
        match tui::run(client, me, &options).await? {
            tui::Exit::Quit => return Ok(()),
            // The next person logs in as themselves: ask who.
            tui::Exit::SwitchUser if !password_stdin => {
                eprintln!("wardround: logged out.");
                config.server.username.clear();
            }
            tui::Exit::SwitchUser => return Ok(()),
        }
    }
}

async fn doctor(
    loaded: std::result::Result<Config, config::ConfigError>,
    password_stdin: bool,
    json: bool,
) -> Result<()> {
    use wardround::doctor::{self, Check, Status};
    let mut checks = Vec::new();
    let config = match loaded {
        Ok(c) => {
            let path = config::default_config_path()
                .filter(|p| p.exists())
                .map_or("none (defaults)".to_string(), |p| p.display().to_string());
            checks.push(Check {
                check: "config",
                status: Status::Pass,
                detail: path,
                fix: String::new(),
            });
            c
        }
        Err(e) => {
            checks.push(Check {
                check: "config",
                status: Status::Fail,
                detail: e.to_string(),
                fix: "Correct the file at the line and key named (config.example.toml has every option).".into(),
            });
            doctor::print(&checks, json);
            return Err(eyre!("the config cannot be read"));
        }
    };
    let env = |k: &str| std::env::var(k).ok();
    checks.extend(doctor::terminal(&env, crossterm::terminal::size().ok()));
    let password = if password_stdin {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        Some(line.trim_end_matches(['\r', '\n']).to_string())
    } else {
        None
    };
    match client_for(&config) {
        Ok(client) => checks.extend(doctor::server(&config, client, password).await),
        Err(e) => checks.push(Check {
            check: "server",
            status: Status::Fail,
            detail: e.to_string(),
            fix: "Check [server] url and ca_file.".into(),
        }),
    }
    if doctor::print(&checks, json) {
        Ok(())
    } else {
        Err(eyre!("some checks failed"))
    }
}

/// A client for the configured server, trusting the configured CA as well.
fn client_for(config: &Config) -> Result<ApiClient> {
    if config.server.ca_file.is_empty() {
        return Ok(ApiClient::new(&config.server.url)?);
    }
    let pem = std::fs::read(&config.server.ca_file)
        .wrap_err_with(|| format!("cannot read [server] ca_file `{}`", config.server.ca_file))?;
    Ok(ApiClient::with_ca(&config.server.url, Some(&pem))?)
}

/// Asks for the password (and the username if the config has none) and logs in; a
/// one-time password is replaced, there and then, by one the user chooses.
async fn log_in(config: &Config, password_stdin: bool) -> Result<ApiClient> {
    let (client, resp, password) = log_in_first(config, password_stdin).await?;
    if !resp.must_change_password {
        return Ok(client);
    }
    eprintln!(
        "wardround: {} logged in with a one-time password: choose your own now.",
        resp.user.username
    );
    set_own_password(&client, &resp.user.username, &password, password_stdin).await
}

/// Logs in as asked: the client, what the server said, and the password given.
async fn log_in_first(
    config: &Config,
    password_stdin: bool,
) -> Result<(ApiClient, wardround::model::LoginResponse, String)> {
    let anon = client_for(config)?;
    anon.health().await?;
    let username = if config.server.username.is_empty() {
        prompt("Username: ")?
    } else {
        config.server.username.clone()
    };
    let password = if password_stdin {
        stdin_line()?
    } else {
        read_password(&format!(
            "Password for {username} at {}: ",
            config.server.url
        ))?
    };
    let (client, resp) = anon.login(&username, &password).await?;
    Ok((client, resp, password))
}

fn stdin_line() -> Result<String> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// Asks for a new password (twice at a terminal; the next line of standard input with
/// --password-stdin) until the server takes one; the client with the session it gives.
async fn set_own_password(
    client: &ApiClient,
    username: &str,
    current: &str,
    password_stdin: bool,
) -> Result<ApiClient> {
    for _ in 0..5 {
        let new = if password_stdin {
            let line = stdin_line()?;
            if line.is_empty() {
                return Err(eyre!(
                    "give the new password on the next line of standard input"
                ));
            }
            line
        } else {
            let new = read_password(&format!(
                "New password for {username} (at least 12 characters; a few words make a good one): "
            ))?;
            if read_password("The new password again: ")? != new {
                eprintln!("wardround: the two differ; once more.");
                continue;
            }
            new
        };
        match client.change_password(current, &new).await {
            Ok(()) => {
                eprintln!("wardround: password changed; your other sessions have ended.");
                return Ok(client.clone());
            }
            Err(wardround::client::ClientError::Rejected {
                status: 422,
                detail,
            }) if !password_stdin => {
                eprintln!("wardround: {detail}");
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(eyre!("no new password was set"))
}

fn prompt(label: &str) -> Result<String> {
    eprint!("{label}");
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim().to_string())
}

/// Reads a line without echoing it.
fn read_password(label: &str) -> Result<String> {
    use crossterm::event::{read, Event, KeyCode, KeyEventKind, KeyModifiers};
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return Err(eyre!("the password must be typed at a terminal"));
    }
    eprint!("{label}");
    std::io::stderr().flush()?;
    crossterm::terminal::enable_raw_mode()?;
    let mut password = String::new();
    let outcome = loop {
        match read() {
            Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => match k.code {
                KeyCode::Enter => break Ok(()),
                KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                    break Err(eyre!("cancelled"))
                }
                KeyCode::Char(c) => password.push(c),
                KeyCode::Backspace => {
                    password.pop();
                }
                KeyCode::Esc => break Err(eyre!("cancelled")),
                _ => {}
            },
            Ok(_) => {}
            Err(e) => break Err(e.into()),
        }
    };
    crossterm::terminal::disable_raw_mode()?;
    eprintln!();
    outcome.map(|_| password)
}

/// `[serve] state_dir`, when set.
fn state_dir(config: &Config) -> Option<PathBuf> {
    (!config.serve.state_dir.is_empty()).then(|| PathBuf::from(&config.serve.state_dir))
}

/// `--database`, else `[serve] database`, else the default SQLite file.
fn serve_database(config: &Config, arg: Option<String>) -> server::store::Database {
    arg.or_else(|| (!config.serve.database.is_empty()).then(|| config.serve.database.clone()))
        .map(|s| server::store::Database::parse(&s))
        .unwrap_or_else(|| config::default_database_path().into())
}

/// `serve --check-config`: what would stop or hobble the server, found before it starts.
/// (The config file itself was read already: a bad one never gets this far.) It changes
/// nothing: a missing audit key is reported, not made.
async fn check_serve_config(
    config: &Config,
    database: Option<String>,
    ehr_bundles: Option<PathBuf>,
) -> Result<()> {
    let mut failed = 0;
    let mut report = |what: &str, outcome: std::result::Result<String, String>| match outcome {
        Ok(detail) => println!("ok    {what}: {detail}"),
        Err(why) => {
            failed += 1;
            println!("FAIL  {what}: {why}");
        }
    };
    report("config", Ok("read and valid".into()));
    let database = serve_database(config, database);
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
    match (
        config.serve.tls_cert.is_empty(),
        config.serve.tls_key.is_empty(),
    ) {
        (true, true) => report("tls", Ok("off: plain HTTP (put it behind TLS)".into())),
        (false, false) => report(
            "tls",
            server::tls::acceptor(&server::tls::TlsFiles {
                cert: PathBuf::from(&config.serve.tls_cert),
                key: PathBuf::from(&config.serve.tls_key),
            })
            .map(|_| format!("certificate {} and its key load", config.serve.tls_cert))
            .map_err(|e| e.to_string()),
        ),
        _ => report(
            "tls",
            Err("tls_cert and tls_key go together: set both or neither".into()),
        ),
    }
    let bundles = ehr_bundles.or_else(|| {
        (!config.serve.ehr_bundles.is_empty()).then(|| PathBuf::from(&config.serve.ehr_bundles))
    });
    let ehr = &config.ehr;
    let outcome = match (&bundles, ehr.url.is_empty()) {
        (Some(dir), _) if dir.is_dir() => Ok(format!("FHIR bundles from {}", dir.display())),
        (Some(dir), _) => Err(format!("{} is not a directory", dir.display())),
        (None, true) => Ok("none configured: patient lists will show `?`".into()),
        (None, false) if !(ehr.url.starts_with("https://") || ehr.url.starts_with("http://")) => {
            Err(format!("[ehr] url `{}` is not an http(s) URL", ehr.url))
        }
        (None, false) if !ehr.smart_client_id.is_empty() => {
            match (
                std::fs::read_to_string(&ehr.smart_private_key),
                ehr.smart_algorithm.to_ascii_uppercase().as_str(),
            ) {
                (Err(e), _) => Err(format!(
                    "[ehr] smart_private_key `{}`: {e}",
                    ehr.smart_private_key
                )),
                (Ok(_), "RS384" | "ES384") => {
                    Ok(format!("{} with SMART Backend Services", ehr.url))
                }
                (Ok(_), other) => Err(format!(
                    "[ehr] smart_algorithm `{other}`: use RS384 or ES384"
                )),
            }
        }
        (None, false) => Ok(format!(
            "{} (reachability: see /readyz once running)",
            ehr.url
        )),
    };
    report("ehr", outcome);
    if failed > 0 {
        return Err(eyre!("{failed} check(s) failed"));
    }
    Ok(())
}

async fn serve(
    config: Config,
    listen: Option<std::net::SocketAddr>,
    database: Option<String>,
    ehr_bundles: Option<PathBuf>,
    demo_ward: bool,
) -> Result<()> {
    // Every connected client holds a socket.
    wardround::process::raise_open_files_limit();
    wardround::process::tune_allocator();
    let listen = listen.unwrap_or(config.serve.listen);
    let database = serve_database(&config, database);
    let bundles = ehr_bundles.or_else(|| {
        (!config.serve.ehr_bundles.is_empty()).then(|| PathBuf::from(&config.serve.ehr_bundles))
    });
    let demo_source = demo_ward.then(|| Arc::new(demo::ward_source(Utc::now())));
    let ehr: Arc<dyn FhirSource> = match (&demo_source, bundles) {
        (Some(ward), _) => {
            eprintln!("wardround serve: EHR: the generated demo ward");
            ward.clone()
        }
        (None, Some(dir)) => {
            let (source, report) =
                BundleSource::load_dir(&dir).wrap_err("loading the EHR bundles")?;
            for p in &report.problems {
                eprintln!("wardround serve: {p}");
            }
            eprintln!(
                "wardround serve: EHR: {} patients from {} files in {}",
                source.patient_ids().len(),
                report.files,
                dir.display()
            );
            Arc::new(source)
        }
        (None, None) if !config.ehr.url.is_empty() => {
            let e = &config.ehr;
            let mut ehr = EhrConfig::new(&e.url);
            ehr.timeout = Duration::from_secs(e.timeout_secs.max(1));
            ehr.max_concurrent = e.max_concurrent;
            ehr.page_cap = e.page_cap.max(1);
            ehr.cache_ttl = Duration::from_secs(e.cache_ttl_secs);
            if !e.smart_client_id.is_empty() {
                let key = std::fs::read_to_string(&e.smart_private_key).wrap_err_with(|| {
                    format!(
                        "cannot read the SMART private key `{}`",
                        e.smart_private_key
                    )
                })?;
                let algorithm = match e.smart_algorithm.to_ascii_uppercase().as_str() {
                    "RS384" => SigningAlgorithm::Rs384,
                    "ES384" => SigningAlgorithm::Es384,
                    other => {
                        return Err(eyre!("[ehr] smart_algorithm `{other}`: use RS384 or ES384"))
                    }
                };
                ehr.auth = EhrAuth::Smart(SmartConfig {
                    client_id: e.smart_client_id.clone(),
                    private_key_pem: key,
                    algorithm,
                    key_id: Some(e.smart_key_id.clone()).filter(|k| !k.is_empty()),
                    scope: e.smart_scope.clone(),
                    token_url: Some(e.smart_token_url.clone()).filter(|u| !u.is_empty()),
                });
            } else if !e.bearer_token.is_empty() {
                ehr.auth = EhrAuth::Bearer(e.bearer_token.clone());
            }
            let source = Arc::new(HttpSource::new(ehr)?);
            // The server runs whatever the EHR says; /readyz reports what is wrong.
            match source.status().await {
                Ok(s) => eprintln!("wardround serve: EHR: {s}"),
                Err(e) => eprintln!("wardround serve: EHR not usable yet: {e}"),
            }
            source
        }
        (None, None) => {
            eprintln!(
                "wardround serve: no EHR configured (--ehr-bundles); patient lists will show `?`"
            );
            Arc::new(BundleSource::default())
        }
    };
    let tls = match (
        config.serve.tls_cert.is_empty(),
        config.serve.tls_key.is_empty(),
    ) {
        (true, true) => None,
        (false, false) => Some(server::tls::TlsFiles {
            cert: PathBuf::from(&config.serve.tls_cert),
            key: PathBuf::from(&config.serve.tls_key),
        }),
        _ => {
            return Err(eyre!(
                "[serve] tls_cert and tls_key go together: set both or neither"
            ))
        }
    };
    let audit = database
        .audit_setup(state_dir(&config).as_deref(), KeyFile::CreateIfMissing)
        .wrap_err("the audit key")?;
    eprintln!(
        "wardround serve: audit key {} in use; checkpoints in {}",
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
        ..Default::default()
    };
    let running = server::start_with(listen, &database, ehr, options).await?;
    // A new store gets an administrator, so that `wardround admin` can do the rest.
    let (password, generated) = match std::env::var("WARDROUND_ADMIN_PASSWORD") {
        Ok(p) if !p.is_empty() => (p, false),
        _ => (admin_cli::one_time_password(), true),
    };
    if running
        .domain
        .bootstrap_admin_with(&password, generated)
        .await?
        .is_some()
    {
        if generated {
            eprintln!(
                "wardround serve: administrator `admin` created; one-time password {password}"
            );
        } else {
            eprintln!(
                "wardround serve: administrator `admin` created with WARDROUND_ADMIN_PASSWORD"
            );
        }
    }
    if let Some(ward) = &demo_source {
        let seeded = running
            .domain
            .store()
            .user_by_username("nurse")
            .await?
            .is_some();
        if !seeded {
            let cast = demo::seed(&running.domain, ward).await?;
            eprintln!(
                "wardround serve: demo accounts nurse, pshah, sokafor and treid created; password {}",
                cast.password
            );
        }
    }
    eprintln!(
        "wardround serve: listening on {} (database {})",
        running.url(),
        database
    );
    let domain = running.domain.clone();
    tokio::select! {
        r = running.wait() => r.wrap_err("the server stopped")?,
        _ = stop_signal() => eprintln!("wardround serve: stopping"),
    }
    // The audit chain's head, written down as the server stops.
    if let Err(e) = domain.audit_checkpoint(None).await {
        eprintln!("wardround serve: {e}");
    }
    Ok(())
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

/// An extract has no messages: its default columns leave `unread` out.
fn default_columns() -> Vec<String> {
    ColumnId::DEFAULT
        .iter()
        .filter(|c| **c != ColumnId::Unread)
        .map(|c| c.id().into_owned())
        .collect()
}

fn export_format(format: ExportFormat) -> export::Format {
    match format {
        ExportFormat::Json => export::Format::Json,
        ExportFormat::Csv => export::Format::Csv,
    }
}

/// A list from the server, sorted and with columns as this user has them.
async fn export_list(
    config: &Config,
    password_stdin: bool,
    name: &str,
    columns: Option<&str>,
    format: ExportFormat,
) -> Result<()> {
    let client = log_in(config, password_stdin).await?;
    let lists = client.lists().await?;
    let list = lists
        .iter()
        .find(|l| l.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| {
            let names: Vec<&str> = lists.iter().map(|l| l.name.as_str()).collect();
            eyre!("no list named `{name}`; your lists: {}", names.join(", "))
        })?;
    let prefs = config.lists.get(&list.name);
    let columns: Vec<ColumnId> = match columns {
        Some(spec) => export::parse_columns(spec).map_err(|e| eyre!(e))?,
        None => prefs
            .map(|p| p.columns.clone())
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| ColumnId::DEFAULT.to_vec()),
    };
    let sort = prefs
        .map(|p| p.sort.clone())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| {
            vec![wardround::model::SortKey {
                column: ColumnId::Bed,
                descending: false,
            }]
        });
    let rows = client.export_rows(list.id, &columns).await?.rows;
    let sorted: Vec<_> = wardround::tui::sort::order(&rows, &sort)
        .into_iter()
        .map(|i| rows[i].clone())
        .collect();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    export::write_rows(&mut out, &sorted, &columns, export_format(format))?;
    out.flush()?;
    Ok(())
}

async fn manage_lists(config: &Config, password_stdin: bool, action: ListsAction) -> Result<()> {
    let client = log_in(config, password_stdin).await?;
    let lists = client.lists().await?;
    let find = |name: &str| {
        lists
            .iter()
            .find(|l| l.name.eq_ignore_ascii_case(name))
            .cloned()
            .ok_or_else(|| eyre!("no list named `{name}`"))
    };
    match action {
        ListsAction::Show => {
            for l in &lists {
                println!("{}\t{} patients", l.name, l.patient_ids.len());
            }
        }
        ListsAction::New { name } => println!("created {}", client.new_list(&name).await?.name),
        ListsAction::Rename { list, new_name } => {
            println!(
                "renamed to {}",
                client.rename_list(find(&list)?.id, &new_name).await?.name
            )
        }
        ListsAction::Duplicate { list, new_name } => {
            println!(
                "created {}",
                client
                    .duplicate_list(find(&list)?.id, &new_name)
                    .await?
                    .name
            )
        }
        ListsAction::Delete { list } => {
            let l = find(&list)?;
            client.delete_list(l.id).await?;
            println!("deleted {}", l.name);
        }
    }
    Ok(())
}

async fn import_mrns(
    config: &Config,
    password_stdin: bool,
    name: &str,
    file: &std::path::Path,
) -> Result<()> {
    let text = std::fs::read_to_string(file)
        .wrap_err_with(|| format!("cannot read {}", file.display()))?;
    let mrns = export::mrns_from_csv(&text);
    if mrns.is_empty() {
        return Err(eyre!("{} holds no MRNs", file.display()));
    }
    let client = log_in(config, password_stdin).await?;
    let lists = client.lists().await?;
    let list = lists
        .iter()
        .find(|l| l.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| eyre!("no list named `{name}`"))?;
    let report = client.import_mrns(list.id, &mrns).await?;
    println!("added {} to {}", report.added.len(), list.name);
    if report.already_on_list > 0 {
        println!("{} already on the list", report.already_on_list);
    }
    if !report.not_found.is_empty() {
        println!(
            "not found in the EHR (or not unique): {}",
            report.not_found.join(", ")
        );
    }
    Ok(())
}

fn run_export(
    source: &BundleSource,
    columns: &str,
    format: ExportFormat,
    now: DateTime<Utc>,
) -> Result<()> {
    let columns: Vec<ColumnId> = export::parse_columns(columns).map_err(|e| eyre!(e))?;
    let format = export_format(format);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    export::write(&mut out, source, &columns, format, now)?;
    out.flush()?;
    Ok(())
}
