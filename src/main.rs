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
        eprintln!(
            "wardround: {}",
            wardround::sanitize::sanitize(&chain.join(": "))
        );
        std::process::exit(1);
    }
}
