//! `wardround bench`: the load generator; its report is one JSON line (BENCHMARKS.md).

use color_eyre::eyre::{eyre, Result};

use wardround::bench::{self, Options, Target};
use wardround::server::store::Database;

use super::Context;

#[derive(clap::Args)]
pub struct Args {
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
    /// Instead of the message load: open a list of the demo ward's patients from an EHR
    /// double that adds --ehr-latency-ms to every answer, cold then warm, and time the
    /// rows and the last cell.
    #[arg(long, conflicts_with_all = ["database", "nodes"])]
    list_open: bool,
    /// With --list-open: milliseconds the EHR double adds to every answer.
    #[arg(long, default_value_t = 200, requires = "list_open")]
    ehr_latency_ms: u64,
}

pub async fn run(cx: &Context, args: Args) -> Result<()> {
    if args.list_open {
        if cx.server_given {
            return Err(eyre!(
                "--list-open starts its own server and EHR: leave out --server"
            ));
        }
        let limit = std::time::Duration::from_secs(args.limit_secs);
        let report = bench::list_open(args.ehr_latency_ms, limit).await?;
        println!("{}", serde_json::to_string(&report)?);
        return Ok(());
    }
    if cx.server_given && args.nodes > 1 {
        return Err(eyre!("--nodes starts its own servers: leave out --server"));
    }
    let target = if cx.server_given {
        let password = std::env::var("WARDROUND_ADMIN_PASSWORD")
            .map_err(|_| eyre!("set WARDROUND_ADMIN_PASSWORD to the server's admin password"))?;
        Target::external(cx.config.server.url.clone(), password, args.server_pid)
    } else {
        Target::spawn(
            args.database.as_deref().map(Database::parse),
            usize::from(args.nodes),
        )?
    };
    let options = Options {
        senders: args.senders,
        messages_per_sender: args.messages,
        paced_messages: args.paced,
        idle_clients: args.idle_clients,
        limit: std::time::Duration::from_secs(args.limit_secs),
    };
    let report = bench::run(&target, &options).await?;
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}
