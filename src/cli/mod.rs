//! The command line: the flags every command shares, one module per command, and the
//! dispatch between them. Without a command, `wardround` logs in and runs the app.

/// `println!` for text that holds what the server or other users wrote (names, titles,
/// reasons): a team member's list name must not retitle or recolour IT's terminal.
macro_rules! say {
    ($($t:tt)*) => {
        println!("{}", wardround::sanitize::sanitize(&format!($($t)*)))
    };
}

mod admin;
mod backup;
mod bench;
mod columns;
mod connect;
mod doctor;
mod ehr_double;
mod export;
mod import_mrns;
mod lists;
mod login;
mod password;
mod placement;
mod roles;
mod serve;
mod table;

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use color_eyre::eyre::Result;

use wardround::config::Config;
use wardround::logging::{self, LogSection};
use wardround::{demo, tui};

#[derive(Parser)]
#[command(
    name = "wardround",
    version,
    about = "Ward rounding in the terminal: FHIR patient lists and secure clinical chat"
)]
pub struct Cli {
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
    /// Present on a large display: the selected patient large beside a compact list, in
    /// the [profiles.present] columns and theme; chat hidden (F11 toggles).
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
    Serve(serve::Args),
    /// Print list rows (from FHIR Bundles, the demo ward or a server list), a list's
    /// handover sheet (--handover) or its jobs as FHIR R4 Tasks (--jobs).
    Export(export::Args),
    /// Set your own password (asks for the current one, then the new one twice; with
    /// --password-stdin, the current and the new one on two lines).
    Password,
    /// List every column id with what it shows.
    Columns,
    /// Load-test a server on loopback: latency, throughput, loss and duplicates, receipts,
    /// memory and CPU; one JSON line. Without --server it starts its own on a temporary
    /// SQLite file; with --server, WARDROUND_ADMIN_PASSWORD is that server's admin's.
    Bench(bench::Args),
    /// Check this workstation and its server: config, terminal, network, TLS, version,
    /// clock, EHR, login and the event stream; each with a fix. Non-zero exit on failure.
    Doctor {
        /// Print the checks as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Accounts, teams and messaging policies on a running server (as an administrator).
    Admin(admin::Args),
    /// Manage your teams' patient lists on the server.
    Lists {
        #[command(subcommand)]
        action: Option<lists::Action>,
    },
    /// Add patients to a server list from a CSV of MRNs (a column headed `mrn`, else the
    /// first column).
    ImportMrns(import_mrns::Args),
    /// Copy the server's SQLite database to OUT while it runs: a consistent copy, checked,
    /// written whole or not at all. (PostgreSQL: pg_dump.)
    Backup(backup::Args),
    /// A stand-in FHIR server over bundles (or the demo ward) with a latency to set: try
    /// wardround against a slow EHR without one.
    EhrDouble(ehr_double::Args),
    /// Print the shell's completion script: `wardround completions bash >
    /// /usr/local/share/bash-completion/completions/wardround` (zsh: into a directory on
    /// $fpath as _wardround). The Debian package installs them for bash, zsh and fish.
    Completions { shell: clap_complete::Shell },
    /// Print the manual page (roff): `wardround man >
    /// /usr/local/share/man/man1/wardround.1`. The Debian package installs it.
    Man,
}

/// Writes to standard output; a reader that stopped reading (`| head`) is not an error.
fn print(bytes: &[u8]) -> Result<()> {
    match std::io::Write::write_all(&mut std::io::stdout(), bytes) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        written => Ok(written?),
    }
}

/// What every command gets besides its own arguments.
struct Context {
    config: Config,
    /// `--password-stdin`.
    password_stdin: bool,
    /// `--server` was given (rather than read from the config).
    server_given: bool,
}

/// The server logs to standard error; the app (and the demo's server inside it) to a file,
/// because the terminal is its screen; other commands to standard error, warnings only
/// unless asked, so that their output stays theirs.
fn start_logging(command: &Option<Command>, section: &LogSection) -> Result<()> {
    match command {
        Some(Command::Serve(_)) => logging::to_stderr(section)?,
        None | Some(Command::Demo) => {
            // A workstation whose state directory cannot be written still runs the app.
            if let Err(e) = logging::to_file(section, &logging::app_log_dir()) {
                match e {
                    logging::LogError::File { .. } => eprintln!("wardround: no log: {e}"),
                    e => return Err(e.into()),
                }
            }
        }
        Some(_) => {
            let quiet = LogSection {
                level: if *section == LogSection::default() {
                    "warn".into()
                } else {
                    section.level.clone()
                },
                ..section.clone()
            };
            logging::to_stderr(&quiet)?;
        }
    }
    Ok(())
}

pub async fn run(cli: Cli) -> Result<()> {
    // Generated from the command line's own definition: they never drift from it, and
    // need no config.
    match &cli.command {
        Some(Command::Completions { shell }) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            // Into memory first: the generator panics on a write error (`| head`).
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut cmd, "wardround", &mut script);
            return print(&script);
        }
        Some(Command::Man) => {
            let cmd = <Cli as clap::CommandFactory>::command();
            let mut page = Vec::new();
            clap_mangen::Man::new(cmd).render(&mut page)?;
            return print(&page);
        }
        _ => {}
    }
    // Everything but the server handles patient data as a client: none of it in a core
    // dump, and no other process reading this one's memory.
    if !matches!(cli.command, Some(Command::Serve(_))) {
        for problem in tui::hardening::protect_process() {
            eprintln!("wardround: {problem}");
        }
    }
    let mut config = match Config::load(cli.config.as_deref(), std::env::vars()) {
        Ok(c) => c,
        // A broken config is the first thing doctor reports, not a reason not to run.
        Err(e) => match cli.command {
            Some(Command::Doctor { json }) => return doctor::run(Err(e), false, json).await,
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
    start_logging(&cli.command, &config.log)?;
    let cx = Context {
        config,
        password_stdin: cli.password_stdin,
        server_given,
    };
    match cli.command {
        Some(Command::Demo) => Ok(demo::run(connect::tui_options(&cx.config, cli.present)?).await?),
        Some(Command::Serve(args)) => serve::run(cx.config, args).await,
        Some(Command::Export(args)) => export::run(&cx, args).await,
        Some(Command::Password) => password::run(&cx).await,
        Some(Command::Columns) => {
            columns::run();
            Ok(())
        }
        Some(Command::Bench(args)) => bench::run(&cx, args).await,
        Some(Command::Doctor { json }) => doctor::run(Ok(cx.config), cx.password_stdin, json).await,
        Some(Command::Admin(args)) => admin::run(&cx, args).await,
        Some(Command::Lists { action }) => {
            lists::run(&cx, action.unwrap_or(lists::Action::Show)).await
        }
        Some(Command::ImportMrns(args)) => import_mrns::run(&cx, args).await,
        Some(Command::Backup(args)) => backup::run(&cx.config, args).await,
        Some(Command::EhrDouble(args)) => ehr_double::run(args).await,
        Some(Command::Completions { .. } | Command::Man) => Ok(()),
        None => connect::run(cx, cli.present).await,
    }
}
