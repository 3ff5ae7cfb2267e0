//! The one binary: `wardround` and its commands (see `cli`).

mod cli;

use clap::Parser;

fn main() {
    let _ = color_eyre::install();
    let cli = cli::Cli::parse();
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
    if let Err(e) = runtime.block_on(cli::run(cli)) {
        // One clear sentence per cause, not a backtrace.
        let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
        // Causes may quote the server, and so other users' words.
        let said = wardround::sanitize::sanitize(&chain.join(": "));
        // In the journal, at priority error: `journalctl -p warning` shows why it stopped.
        let priority = if wardround::service_manager::stderr_is_journal() {
            "<3>"
        } else {
            ""
        };
        if wardround::logging::stderr_is_json() {
            let line =
                serde_json::json!({"level": "ERROR", "target": "wardround", "message": said});
            eprintln!("{priority}{line}");
        } else {
            for (n, line) in said.lines().enumerate() {
                let lead = if n == 0 { "wardround: " } else { "" };
                eprintln!("{priority}{lead}{line}");
            }
        }
        std::process::exit(exit_code(&e));
    }
}

/// 78 (`EX_CONFIG`, sysexits.h) when the configuration is at fault: the packaged unit
/// does not restart on it (`RestartPreventExitStatus=78`), since a restart cannot help
/// until IT changes the config; 1 for anything else (a database not up yet, a port taken).
fn exit_code(e: &color_eyre::eyre::Report) -> i32 {
    let misconfigured = e.chain().any(|cause| {
        cause.is::<wardround::config::ConfigError>() || cause.is::<wardround::logging::LogError>()
    });
    if misconfigured {
        78
    } else {
        1
    }
}
