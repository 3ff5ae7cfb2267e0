//! The server under load: one this run starts (a child `wardround serve` on loopback over
//! a fresh SQLite file or a given PostgreSQL database, so its memory and CPU can be read
//! apart from the load's), several such nodes on the one database, or one already running
//! at a URL.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::BenchError;
use crate::server::store::Database;

pub struct Target {
    pub url: String,
    pub admin_password: String,
    /// The server's process, when it is ours (or given): for RSS and CPU.
    pub pid: Option<u32>,
    /// The kind of store, when we started the server.
    pub store: Option<&'static str>,
    /// Further nodes on the same database, when we started several.
    others: Vec<Target>,
    child: Option<Child>,
    _dir: Option<tempfile::TempDir>,
}

impl Target {
    /// Starts `nodes` × `wardround serve`, one after another (the first migrates the
    /// store), each on a free loopback port over `database`, else a temporary SQLite file.
    pub fn spawn(database: Option<Database>, nodes: usize) -> Result<Target, BenchError> {
        let dir = tempfile::tempdir().map_err(|e| BenchError::Setup(e.to_string()))?;
        let exe = std::env::current_exe().map_err(|e| BenchError::Setup(e.to_string()))?;
        let password = format!("bench-{}", uuid::Uuid::new_v4().simple());
        let database = database.unwrap_or_else(|| dir.path().join("bench.sqlite").into());
        let mut first = Self::spawn_at(&exe, "127.0.0.1:0", &database, dir.path(), &password)?;
        for _ in 1..nodes {
            let other = Self::spawn_at(&exe, "127.0.0.1:0", &database, dir.path(), &password)?;
            first.others.push(other);
        }
        first._dir = Some(dir);
        Ok(first)
    }

    /// Every node's URL, this one's first.
    pub fn urls(&self) -> Vec<String> {
        std::iter::once(self.url.clone())
            .chain(self.others.iter().map(|o| o.url.clone()))
            .collect()
    }

    /// Starts `exe serve` on `listen` over `database` (kept: a restart on the same address
    /// serves the same data), with an empty EHR directory and a HOME in `files`.
    pub fn spawn_at(
        exe: &Path,
        listen: &str,
        database: &Database,
        files: &Path,
        admin_password: &str,
    ) -> Result<Target, BenchError> {
        Self::spawn_reading(exe, listen, database, files, admin_password, None)
    }

    /// One server on a temporary SQLite file, reading the EHR at `ehr_url`.
    pub fn spawn_with_ehr(ehr_url: &str) -> Result<Target, BenchError> {
        let dir = tempfile::tempdir().map_err(|e| BenchError::Setup(e.to_string()))?;
        let exe = std::env::current_exe().map_err(|e| BenchError::Setup(e.to_string()))?;
        let password = format!("bench-{}", uuid::Uuid::new_v4().simple());
        let database = dir.path().join("bench.sqlite").into();
        let mut target = Self::spawn_reading(
            &exe,
            "127.0.0.1:0",
            &database,
            dir.path(),
            &password,
            Some(ehr_url),
        )?;
        target._dir = Some(dir);
        Ok(target)
    }

    fn spawn_reading(
        exe: &Path,
        listen: &str,
        database: &Database,
        files: &Path,
        admin_password: &str,
        ehr_url: Option<&str>,
    ) -> Result<Target, BenchError> {
        let empty_ehr = files.join("ehr");
        std::fs::create_dir_all(&empty_ehr).map_err(|e| BenchError::Setup(e.to_string()))?;
        let home = files.join("home");
        std::fs::create_dir_all(&home).map_err(|e| BenchError::Setup(e.to_string()))?;
        let mut command = Command::new(exe);
        // Whatever level the run logs at, the line naming the address is needed.
        if let Ok(level) = std::env::var("RUST_LOG") {
            command.env("RUST_LOG", format!("{level},wardround::cli::serve=info"));
        }
        command
            .args(["serve", "--listen", listen])
            // In the environment, not the arguments: a PostgreSQL URL may carry a password,
            // and any user can read another's arguments.
            .env("WARDROUND_DATABASE", database.arg());
        match ehr_url {
            Some(url) => command.arg("--ehr-url").arg(url),
            None => command.arg("--ehr-bundles").arg(&empty_ehr),
        };
        let mut child = command
            .env("WARDROUND_ADMIN_PASSWORD", admin_password)
            // No user config may change what is measured.
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", &home)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| BenchError::Setup(format!("cannot start the server: {e}")))?;
        let stderr = child
            .stderr
            .take()
            .ok_or_else(|| BenchError::Setup("no server output".into()))?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            // Read to the end, so the server never blocks on a full pipe; its log goes on
            // to ours (stdout stays for results), so a failure's cause is seen.
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                // Each request is a line: passed on only when it failed.
                if !line.contains("wardround::http") || !line.contains(" INFO ") {
                    eprintln!("{line}");
                }
                if let Some(rest) = line.split("listening on ").nth(1) {
                    let url = rest.split_whitespace().next().unwrap_or_default();
                    let _ = tx.send(url.to_string());
                }
            }
        });
        let Ok(url) = rx.recv_timeout(Duration::from_secs(30)) else {
            // Not left running behind a failed run.
            let _ = child.kill();
            let _ = child.wait();
            return Err(BenchError::Setup(
                "the server did not start within 30 s".into(),
            ));
        };
        Ok(Target {
            url,
            admin_password: admin_password.to_string(),
            pid: Some(child.id()),
            store: Some(database.kind()),
            others: Vec::new(),
            child: Some(child),
            _dir: None,
        })
    }

    pub fn external(url: String, admin_password: String, pid: Option<u32>) -> Target {
        Target {
            url,
            admin_password,
            pid,
            store: None,
            others: Vec::new(),
            child: None,
            _dir: None,
        }
    }

    /// Kills our server at once, as a power cut or the OOM killer would (SIGKILL).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        self.pid = None;
    }

    /// The RSS of every node, added up.
    pub fn rss_mib(&self) -> Option<f64> {
        let mut bytes = crate::process::rss_bytes(self.pid?)?;
        for other in &self.others {
            bytes += crate::process::rss_bytes(other.pid?)?;
        }
        Some((bytes as f64 / (1024.0 * 1024.0) * 10.0).round() / 10.0)
    }

    /// The CPU time of every node, added up.
    pub fn cpu_ms(&self) -> Option<u64> {
        let mut ms = crate::process::cpu_ms(self.pid?)?;
        for other in &self.others {
            ms += crate::process::cpu_ms(other.pid?)?;
        }
        Some(ms)
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        self.kill();
    }
}
