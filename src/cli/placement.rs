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
}

impl Placement<'_> {
    pub fn findings(&self) -> Vec<Finding> {
        let mut found = Vec::new();
        if let Database::Sqlite(path) = self.database {
            if is_temporary(path) {
                found.push(match &self.service_dir {
                    Some(dir) => Finding::Refuse(format!(
                        "the database {} is in a temporary directory: this service's /tmp \
                         is its own and emptied at every restart, so every message would be \
                         lost. Keep it in {}",
                        path.display(),
                        dir.display()
                    )),
                    None => Finding::Warn(format!(
                        "{} is in a temporary directory: lost at reboot, and at every restart \
                         of the packaged service (its /tmp is its own)",
                        path.display()
                    )),
                });
            }
        }
        if let Some(dir) = &self.service_dir {
            let mut files: Vec<(&str, &Path)> = Vec::new();
            if let Database::Sqlite(path) = self.database {
                files.push(("the database", path));
            }
            if let Some(state) = &self.state_dir {
                files.push(("[serve] state_dir", state));
            }
            for (what, path) in files {
                if !path.starts_with(dir) && !is_temporary(path) {
                    found.push(Finding::Warn(format!(
                        "{what} {} is outside the service's state directory {}: the unit lets \
                         the server write only there. Move it, or allow it with \
                         ReadWritePaths= in a drop-in (systemctl edit wardround)",
                        path.display(),
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

    fn placement(database: &Database, service_dir: Option<&str>) -> Vec<Finding> {
        Placement {
            database,
            state_dir: None,
            listen: "127.0.0.1:8470".parse().unwrap(),
            tls: false,
            service_dir: service_dir.map(PathBuf::from),
        }
        .findings()
    }

    #[test]
    fn a_database_in_tmp_is_refused_under_a_service_manager_and_warned_of_otherwise() {
        let in_tmp = Database::parse("/tmp/w.sqlite");
        assert!(matches!(
            placement(&in_tmp, Some("/var/lib/wardround"))[..],
            [Finding::Refuse(_)]
        ));
        assert!(matches!(placement(&in_tmp, None)[..], [Finding::Warn(_)]));
    }

    #[test]
    fn a_database_outside_the_state_directory_is_warned_of_under_a_service_manager() {
        let elsewhere = Database::parse("/srv/wr/w.sqlite");
        let found = placement(&elsewhere, Some("/var/lib/wardround"));
        assert!(
            matches!(&found[..], [Finding::Warn(w)] if w.contains("ReadWritePaths")),
            "{found:?}"
        );
        assert!(placement(&elsewhere, None).is_empty());
        let inside = Database::parse("/var/lib/wardround/wardround.sqlite");
        assert!(placement(&inside, Some("/var/lib/wardround")).is_empty());
        // PostgreSQL keeps its data elsewhere by nature.
        let pg = Database::parse("postgres://db/wardround");
        assert!(placement(&pg, Some("/var/lib/wardround")).is_empty());
    }

    #[test]
    fn plain_http_beyond_loopback_is_warned_of() {
        let db = Database::parse("/var/lib/wardround/wardround.sqlite");
        let open = |listen: &str, tls| {
            Placement {
                database: &db,
                state_dir: None,
                listen: listen.parse().unwrap(),
                tls,
                service_dir: None,
            }
            .findings()
        };
        assert!(
            matches!(&open("0.0.0.0:8470", false)[..], [Finding::Warn(w)] if w.contains("unencrypted"))
        );
        assert!(open("0.0.0.0:8470", true).is_empty());
        assert!(open("[::1]:8470", false).is_empty());
    }
}
