//! `wardround backup`: a consistent copy of the server's SQLite database, taken while it
//! runs (see `server::store::backup`). PostgreSQL has its own tools for this.

use std::path::PathBuf;

use color_eyre::eyre::{eyre, Result};

use wardround::config::Config;
use wardround::server::store::{backup, Database};

#[derive(clap::Args)]
pub struct Args {
    /// The server's SQLite database file (default: as `wardround serve` finds it: this,
    /// WARDROUND_DATABASE, [serve] database, or the default file).
    #[arg(long, env = "WARDROUND_DATABASE", hide_env_values = true)]
    database: Option<String>,
    /// Replace OUT if it exists.
    #[arg(long)]
    force: bool,
    /// The file to write the copy to.
    out: PathBuf,
}

pub async fn run(config: &Config, args: Args) -> Result<()> {
    let database = super::serve::database_or_default(config, args.database.as_deref());
    let path = match &database {
        Database::Sqlite(path) => path,
        Database::Postgres(_) => {
            return Err(eyre!(
                "{database} is PostgreSQL: back it up with its own tools, e.g. `pg_dump --format=custom --file=wardround.dump URL` (and `pg_restore` to restore); see README, Back up and restore"
            ))
        }
    };
    let copied = backup::sqlite(path, &args.out, args.force).await?;
    let mut report = format!(
        "copied {} to {}\nsize\t{} bytes ({})\n",
        path.display(),
        args.out.display(),
        copied.bytes,
        human(copied.bytes)
    );
    match copied.schema_version {
        Some(v) => report.push_str(&format!("schema\tmigration {v}\n")),
        None => report.push_str("schema\tno migrations recorded\n"),
    }
    report.push_str("integrity\tok\n");
    for (what, n) in &copied.counts {
        report.push_str(&format!("{what}\t{n}\n"));
    }
    // The copy is made: a reader that went away (`| head`) is no failure of it.
    use std::io::Write as _;
    let _ = std::io::stdout().lock().write_all(report.as_bytes());
    Ok(())
}

/// 1536 → "1.5 KiB".
fn human(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    #[allow(clippy::cast_precision_loss)] // a size shown to one decimal
    let mut size = bytes as f64 / 1024.0;
    let mut unit = 0;
    while size >= 1024.0 && unit + 1 < UNITS.len() {
        size /= 1024.0;
        unit += 1;
    }
    format!("{size:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(super::human(512), "512 B");
        assert_eq!(super::human(1536), "1.5 KiB");
        assert_eq!(super::human(3 * 1024 * 1024), "3.0 MiB");
    }
}
