//! Logs, through `tracing`. The server's go to standard error, where a service manager
//! keeps them; the app's to a file in the platform state directory, because the terminal
//! is the app's screen (and the demo's server logs there with it). Text or JSON
//! (`[log] format`); the level from `RUST_LOG` when set, else `[log] level`.
//!
//! No log line carries patient data: requests are logged by route template, never by
//! their path or query; EHR requests by resource type; errors by what failed, never by
//! the rows, names or message bodies involved.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use serde::Deserialize;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, MakeWriter};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::EnvFilter;

/// A log file's size before it is rotated, and the rotated files kept beside it: the
/// app's log never takes more than 4 × 5 MiB.
const MAX_BYTES: u64 = 5 * 1024 * 1024;
const KEPT: usize = 3;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    #[default]
    Text,
    /// One JSON object a line, for a log shipper.
    Json,
}

/// `[log]` in the config.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogSection {
    pub format: Format,
    /// `error`, `warn`, `info`, `debug`, `trace`, or directives as for `RUST_LOG`
    /// (`info,sqlx=warn`). `RUST_LOG` wins when set.
    pub level: String,
}

impl Default for LogSection {
    fn default() -> Self {
        LogSection {
            format: Format::Text,
            level: "info".into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("the log level {level}: {reason}")]
    Level { level: String, reason: String },
    #[error("the log file {path}: {cause}")]
    File { path: PathBuf, cause: io::Error },
}

const LEVELS: [&str; 6] = ["off", "error", "warn", "info", "debug", "trace"];

/// The filter in effect and where it came from, once logging started: for the server's
/// start-up line.
static IN_EFFECT: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// `RUST_LOG=…` or `[log] level = …`, as in effect.
pub fn in_effect() -> &'static str {
    IN_EFFECT.get().map_or("", String::as_str)
}

/// A level, or `target=level` directives. A bare word that is no level is refused:
/// `EnvFilter` reads it as a target to log at every level and turns everything else off,
/// so a typo (`inof`) would silence the log, the one-time password with it.
fn checked(directives: &str, shown: &str) -> Result<EnvFilter, LogError> {
    let refuse = |reason: String| LogError::Level {
        level: shown.to_string(),
        reason,
    };
    if directives.trim().is_empty() {
        return Err(refuse(format!("empty; use one of {}", LEVELS.join(", "))));
    }
    for directive in directives.split(',').map(str::trim) {
        let level = directive.rsplit_once('=').map_or(directive, |(_, l)| l);
        if !LEVELS.contains(&level.to_ascii_lowercase().as_str()) {
            return Err(refuse(format!(
                "`{directive}` names no level: use one of {}, or target=level",
                LEVELS.join(", ")
            )));
        }
    }
    EnvFilter::try_new(directives).map_err(|e| refuse(e.to_string()))
}

fn filter(section: &LogSection) -> Result<EnvFilter, LogError> {
    let (directives, shown) = match std::env::var("RUST_LOG") {
        Ok(d) if !d.trim().is_empty() => (d.clone(), format!("RUST_LOG={d}")),
        _ => (
            section.level.clone(),
            format!("[log] level = {} (or WARDROUND_LOG__LEVEL)", section.level),
        ),
    };
    let filter = checked(&directives, &shown)?;
    let _ = IN_EFFECT.set(shown);
    Ok(filter)
}

fn install<W>(section: &LogSection, writer: W, journal: bool) -> Result<(), LogError>
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter(section)?)
        .with_writer(writer)
        .with_ansi(false);
    // Already installed (a second server in one process, as tests start): the first stays.
    let _ = match (section.format, journal) {
        (Format::Text, false) => builder.try_init(),
        (Format::Text, true) => builder
            .without_time()
            .map_event_format(Prioritised)
            .try_init(),
        (Format::Json, false) => builder.json().flatten_event(true).try_init(),
        (Format::Json, true) => builder
            .json()
            .flatten_event(true)
            .map_event_format(Prioritised)
            .try_init(),
    };
    Ok(())
}

/// A line's level as the journal reads it, a syslog priority in `<N>` before the line:
/// `journalctl -p warning -u wardround` then finds what needs IT, the one-time
/// password among it.
struct Prioritised<F>(F);

impl<S, N, F> FormatEvent<S, N> for Prioritised<F>
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        let priority = match *event.metadata().level() {
            tracing::Level::ERROR => 3,
            tracing::Level::WARN => 4,
            tracing::Level::INFO => 6,
            _ => 7,
        };
        write!(writer, "<{priority}>")?;
        self.0.format_event(ctx, writer, event)
    }
}

/// Whether standard error carries the log as JSON lines, once the server's log started:
/// a fatal error then goes there as one more such line, which a log shipper can read.
static STDERR_JSON: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub fn stderr_is_json() -> bool {
    STDERR_JSON.load(std::sync::atomic::Ordering::Relaxed)
}

/// The server's log, on standard error: the journal's way when that is where it goes.
pub fn to_stderr(section: &LogSection) -> Result<(), LogError> {
    install(
        section,
        io::stderr,
        crate::service_manager::stderr_is_journal(),
    )?;
    STDERR_JSON.store(
        section.format == Format::Json,
        std::sync::atomic::Ordering::Relaxed,
    );
    Ok(())
}

/// The app's log, in `dir` (made private to the user): `wardround.log`, rotated at
/// 5 MiB with three earlier files kept. Where it is.
pub fn to_file(section: &LogSection, dir: &Path) -> Result<PathBuf, LogError> {
    let path = dir.join("wardround.log");
    let file = RotatingFile::open(&path).map_err(|cause| LogError::File {
        path: path.clone(),
        cause,
    })?;
    install(section, file, false)?;
    Ok(path)
}

/// Where the app keeps its log: the platform state directory (Linux:
/// `~/.local/state/wardround`), or the local data directory where there is none.
pub fn app_log_dir() -> PathBuf {
    directories::ProjectDirs::from("org", "wardround", "wardround").map_or_else(
        || PathBuf::from("."),
        |d| {
            d.state_dir()
                .unwrap_or_else(|| d.data_local_dir())
                .to_path_buf()
        },
    )
}

/// A log file that moves itself aside (`.1`, `.2`…) when it reaches [`MAX_BYTES`].
pub struct RotatingFile {
    path: PathBuf,
    max_bytes: u64,
    open: Mutex<(File, u64)>,
}

impl RotatingFile {
    pub fn open(path: &Path) -> io::Result<Self> {
        Self::with_limit(path, MAX_BYTES)
    }

    fn with_limit(path: &Path, max_bytes: u64) -> io::Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::server::store::create_private_dir(dir)?;
        }
        let file = append(path)?;
        #[cfg(unix)]
        {
            // A file made looser before (by hand, or another tool) is the user's alone again.
            use std::os::unix::fs::PermissionsExt as _;
            file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        let size = file.metadata()?.len();
        Ok(RotatingFile {
            path: path.to_path_buf(),
            max_bytes,
            open: Mutex::new((file, size)),
        })
    }

    fn rotated(&self, n: usize) -> PathBuf {
        let mut name = self.path.clone().into_os_string();
        name.push(format!(".{n}"));
        PathBuf::from(name)
    }

    fn lock(&self) -> MutexGuard<'_, (File, u64)> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn write_line(&self, buf: &[u8]) -> io::Result<usize> {
        let mut open = self.lock();
        if open.1 > 0 && open.1 + buf.len() as u64 > self.max_bytes {
            for n in (1..KEPT).rev() {
                let _ = std::fs::rename(self.rotated(n), self.rotated(n + 1));
            }
            std::fs::rename(&self.path, self.rotated(1))?;
            *open = (append(&self.path)?, 0);
        }
        open.0.write_all(buf)?;
        open.1 += buf.len() as u64;
        Ok(buf.len())
    }
}

/// Opens `path` for appending, readable by its owner alone.
fn append(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options.open(path)
}

/// One formatted event is one `write`: rotation never splits a line.
pub struct LineWriter<'a>(&'a RotatingFile);

impl Write for LineWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write_line(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.lock().0.flush()
    }
}

impl<'a> MakeWriter<'a> for RotatingFile {
    type Writer = LineWriter<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        LineWriter(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_level_that_names_no_level_is_refused_not_read_as_a_target() {
        for good in [
            "info",
            "WARN",
            "info,sqlx=warn",
            "wardround::http=debug,warn",
        ] {
            assert!(checked(good, good).is_ok(), "{good}");
        }
        for bad in ["inof", "", "info,sqlx", "sqlx=loud"] {
            let err = checked(bad, bad).unwrap_err().to_string();
            assert!(err.contains("level"), "{bad}: {err}");
        }
    }

    #[test]
    fn the_log_file_rotates_at_its_limit_and_keeps_three_earlier_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("logs").join("wardround.log");
        let log = RotatingFile::with_limit(&path, 100).unwrap();
        for i in 0..20 {
            let line = format!("line {i:02} {}\n", "x".repeat(30));
            log.make_writer().write_all(line.as_bytes()).unwrap();
        }
        let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
        assert!(read(&path).contains("line 19"));
        assert!(read(&log.rotated(1)).contains("line 17"));
        assert!(log.rotated(3).exists());
        assert!(!log.rotated(4).exists(), "no more than three earlier files");
        for p in [path.clone(), log.rotated(1), log.rotated(2), log.rotated(3)] {
            let size = std::fs::metadata(&p).unwrap().len();
            assert!(size <= 100, "{} is {size} bytes", p.display());
            assert!(
                read(&p).lines().all(|l| l.starts_with("line ")),
                "whole lines"
            );
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "the user's alone");
        }
    }
}
