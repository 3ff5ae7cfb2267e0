//! Where a server's data lives and how it is reached, judged before it starts: shared by
//! `serve --check-config` (which prints each finding) and `serve` (which logs them, and
//! refuses what would lose data). Under a service manager `$STATE_DIRECTORY` names the one
//! directory the packaged unit lets the server write (`ProtectSystem=strict`), and its
//! `/tmp` is its own, emptied at every restart (`PrivateTmp`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use wardround::server::store::Database;

#[derive(Debug, PartialEq, Eq)]
pub enum Finding {
    /// Starting would lose data: the server refuses.
    Refuse(String),
    /// Works, but not as IT would want; said at start and by the check.
    Warn(String),
}

pub struct Placement<'a> {
    pub database: &'a Database,
    /// `[serve] state_dir`, when set.
    pub state_dir: Option<PathBuf>,
    pub listen: SocketAddr,
    pub tls: bool,
    /// `$STATE_DIRECTORY`: set when a service manager started the server.
    pub service_dir: Option<PathBuf>,
    /// Whether the server may write in a directory ([`writable`], but for tests).
    pub writable: fn(&Path) -> bool,
}

impl Placement<'_> {
    /// What `serve` finds as it starts.
    pub fn findings(&self) -> Vec<Finding> {
        self.judged(false)
    }

    /// What `serve --check-config` finds: it says more, since IT runs it to ask whether
    /// the packaged service will keep the data, and with a database in /tmp it will not.
    /// A warning, not a failure: the check cannot tell a service's config from a
    /// throwaway server's (tests run in /tmp).
    pub fn checked(&self) -> Vec<Finding> {
        self.judged(true)
    }

    fn judged(&self, checking: bool) -> Vec<Finding> {
        let mut found = Vec::new();
        if let Database::Sqlite(path) = self.database {
            if is_temporary(path) {
                found.push(match (&self.service_dir, checking) {
                    (Some(dir), _) => Finding::Refuse(format!(
                        "the database {} is in a temporary directory: this service's /tmp \
                         is its own and emptied at every restart, so every message would be \
                         lost. Keep it in {}",
                        path.display(),
                        dir.display()
                    )),
                    (None, true) => Finding::Warn(format!(
                        "{} is in a temporary directory: lost at reboot. The packaged \
                         service refuses it (its /tmp is its own, emptied at every restart)",
                        path.display()
                    )),
                    // A developer's or a test's throwaway server.
                    (None, false) => Finding::Warn(format!(
                        "the database {} is in a temporary directory: lost at reboot",
                        path.display()
                    )),
                });
            }
        }
        if let Some(dir) = &self.service_dir {
            let mut places: Vec<(&str, &Path)> = Vec::new();
            if let Database::Sqlite(path) = self.database {
                places.push(("the database", path.parent().unwrap_or(Path::new("."))));
            }
            if let Some(state) = &self.state_dir {
                places.push(("[serve] state_dir", state));
            }
            for (what, place) in places {
                if !is_temporary(place) && !(self.writable)(place) {
                    found.push(Finding::Refuse(format!(
                        "{what} is in {}, which this service may not write: the unit lets it \
                         write only {} (ProtectSystem=strict). Move it there, or allow the \
                         directory with ReadWritePaths= in a drop-in (systemctl edit wardround)",
                        place.display(),
                        dir.display()
                    )));
                }
            }
        }
        if !self.tls && !self.listen.ip().is_loopback() {
            found.push(Finding::Warn(format!(
                "plain HTTP on {}: passwords and patient data cross the network unencrypted. \
                 Set [serve] tls_cert and tls_key, or listen on 127.0.0.1 behind a TLS proxy",
                self.listen
            )));
        }
        found
    }
}

/// Whether this process may write in `dir`, or create it: asked of the nearest directory
/// that exists. A read-only mount (the unit's `ProtectSystem=strict`) answers no.
pub fn writable(dir: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt as _;
    let Some(existing) = dir.ancestors().find(|d| d.is_dir()) else {
        return false;
    };
    let Ok(c) = std::ffi::CString::new(existing.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: access reads the NUL-terminated path we own; nothing is shared.
    unsafe { libc::access(c.as_ptr(), libc::W_OK) == 0 }
}

/// The service manager's state directory for this service, if one started it.
pub fn service_dir() -> Option<PathBuf> {
    // Several directories are separated by `:`; the unit names one.
    let dirs = std::env::var_os("STATE_DIRECTORY")?;
    std::env::split_paths(&dirs).next()
}

fn is_temporary(path: &Path) -> bool {
    ["/tmp", "/var/tmp", "/dev/shm"]
        .iter()
        .any(|t| path.starts_with(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placement<'a>(
        database: &'a Database,
        service_dir: Option<&str>,
        writable: fn(&Path) -> bool,
    ) -> Placement<'a> {
        Placement {
            database,
            state_dir: None,
            listen: "127.0.0.1:8470".parse().unwrap(),
            tls: false,
            service_dir: service_dir.map(PathBuf::from),
            writable,
        }
    }

    #[test]
    fn a_database_in_tmp_is_refused_under_a_service_manager_and_warned_of_otherwise() {
        let in_tmp = Database::parse("/tmp/w.sqlite");
        let under_systemd = placement(&in_tmp, Some("/var/lib/wardround"), |_| true);
        assert!(matches!(under_systemd.findings()[..], [Finding::Refuse(_)]));
        let by_hand = placement(&in_tmp, None, |_| true);
        assert!(
            matches!(&by_hand.checked()[..], [Finding::Warn(w)] if w.contains("packaged service refuses"))
        );
        assert!(matches!(by_hand.findings()[..], [Finding::Warn(_)]));
    }

    #[test]
    fn a_database_the_service_may_not_write_is_refused_under_a_service_manager() {
        let elsewhere = Database::parse("/srv/wr/w.sqlite");
        let read_only = placement(&elsewhere, Some("/var/lib/wardround"), |_| false);
        assert!(
            matches!(&read_only.findings()[..], [Finding::Refuse(w)] if w.contains("ReadWritePaths")),
            "{:?}",
            read_only.findings()
        );
        // A drop-in allowed it: nothing to say.
        let allowed = placement(&elsewhere, Some("/var/lib/wardround"), |_| true);
        assert!(allowed.findings().is_empty());
        // PostgreSQL keeps its data elsewhere by nature.
        let pg = Database::parse("postgres://db/wardround");
        assert!(placement(&pg, Some("/var/lib/wardround"), |_| false)
            .findings()
            .is_empty());
    }

    #[test]
    fn plain_http_beyond_loopback_is_warned_of() {
        let db = Database::parse("/var/lib/wardround/wardround.sqlite");
        let open = |listen: &str, tls| {
            Placement {
                listen: listen.parse().unwrap(),
                tls,
                ..placement(&db, None, |_| true)
            }
            .findings()
        };
        assert!(
            matches!(&open("0.0.0.0:8470", false)[..], [Finding::Warn(w)] if w.contains("unencrypted"))
        );
        assert!(open("0.0.0.0:8470", true).is_empty());
        assert!(open("[::1]:8470", false).is_empty());
    }

    #[test]
    fn writable_asks_the_nearest_directory_that_exists() {
        let dir = tempfile::tempdir().unwrap();
        assert!(writable(&dir.path().join("not/yet/made")));
        // Root writes anywhere but a read-only mount; anyone else is refused a 0500 dir.
        // SAFETY: geteuid only reads the process's ids.
        if unsafe { libc::geteuid() } != 0 {
            use std::os::unix::fs::PermissionsExt as _;
            let sealed = dir.path().join("sealed");
            std::fs::create_dir(&sealed).unwrap();
            std::fs::set_permissions(&sealed, std::fs::Permissions::from_mode(0o500)).unwrap();
            assert!(!writable(&sealed.join("w.sqlite")));
        }
    }
}
