//! The server under load: one this run starts (a child `wardround serve` on loopback over
//! a fresh SQLite file or a given PostgreSQL database, so its memory and CPU can be read
//! apart from the load's), or one already running at a URL.

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
    child: Option<Child>,
    _dir: Option<tempfile::TempDir>,
}

impl Target {
    /// Starts `wardround serve` on a free loopback port over `database`, else a temporary
    /// SQLite file.
    pub fn spawn(database: Option<Database>) -> Result<Target, BenchError> {
        let dir = tempfile::tempdir().map_err(|e| BenchError::Setup(e.to_string()))?;
        let exe = std::env::current_exe().map_err(|e| BenchError::Setup(e.to_string()))?;
        let password = format!("bench-{}", uuid::Uuid::new_v4().simple());
        let database = database.unwrap_or_else(|| dir.path().join("bench.sqlite").into());
        Self::spawn_at(&exe, "127.0.0.1:0", &database, dir.path(), &password).map(|mut t| {
            t._dir = Some(dir);
            t
        })
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
        let empty_ehr = files.join("ehr");
        std::fs::create_dir_all(&empty_ehr).map_err(|e| BenchError::Setup(e.to_string()))?;
        let home = files.join("home");
        std::fs::create_dir_all(&home).map_err(|e| BenchError::Setup(e.to_string()))?;
        let mut child = Command::new(exe)
            .args(["serve", "--listen", listen])
            // In the environment, not the arguments: a PostgreSQL URL may carry a password,
            // and any user can read another's arguments.
            .env("WARDROUND_DATABASE", database.arg())
            .arg("--ehr-bundles")
            .arg(&empty_ehr)
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
                eprintln!("{line}");
                if let Some(rest) = line.split("listening on ").nth(1) {
                    let url = rest.split_whitespace().next().unwrap_or_default();
                    let _ = tx.send(url.to_string());
                }
            }
        });
        let url = rx
            .recv_timeout(Duration::from_secs(30))
            .map_err(|_| BenchError::Setup("the server did not start within 30 s".into()))?;
        Ok(Target {
            url,
            admin_password: admin_password.to_string(),
            pid: Some(child.id()),
            store: Some(database.kind()),
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

    pub fn rss_mib(&self) -> Option<f64> {
        let bytes = crate::process::rss_bytes(self.pid?)?;
        Some((bytes as f64 / (1024.0 * 1024.0) * 10.0).round() / 10.0)
    }

    pub fn cpu_ms(&self) -> Option<u64> {
        crate::process::cpu_ms(self.pid?)
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        self.kill();
    }
}
