//! Configuration: defaults, then the TOML file (platform config dir or `--config`), then
//! `WARDROUND_<SECTION>__<KEY>` environment variables, then command-line flags.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use std::collections::BTreeMap;

use directories::ProjectDirs;
use serde::Deserialize;

use crate::fhir::smart::SigningAlgorithm;
use crate::model::{ColumnId, SortKey};

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub server: ServerSection,
    pub ui: UiSection,
    pub lock: LockSection,
    pub serve: ServeSection,
    pub ehr: EhrSection,
    pub messaging: MessagingSection,
    pub log: crate::logging::LogSection,
    /// Per patient list, by its name: this user's columns and sort.
    pub lists: BTreeMap<String, ListPrefs>,
    pub profiles: Profiles,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Profiles {
    /// `--present` (F11): a care team rounding in front of a large display.
    pub present: PresentProfile,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PresentProfile {
    /// The columns shown on the big screen; empty: the list's own.
    pub columns: Vec<ColumnId>,
    /// Readable across a room.
    pub theme: String,
}

impl Default for PresentProfile {
    fn default() -> Self {
        PresentProfile {
            columns: Vec::new(),
            theme: "high-contrast".into(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ListPrefs {
    /// Column ids in order (`wardround columns` lists them; `obs:<LOINC>` for any other).
    pub columns: Vec<ColumnId>,
    /// Sort keys in order: `news2:desc`, `bed`.
    pub sort: Vec<SortKey>,
}

/// The hospital's EHR, as `wardround serve` reaches it over FHIR.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct EhrSection {
    /// The FHIR base URL (…/fhir). Empty: no live EHR (see [serve] ehr_bundles).
    pub url: String,
    /// A static bearer token for the EHR; empty for none.
    pub bearer_token: String,
    pub timeout_secs: u64,
    pub max_concurrent: usize,
    pub page_cap: usize,
    pub cache_ttl_secs: u64,
    /// How often census lists ask the EHR who is in their ward (0: only on `r`).
    pub census_refresh_secs: u64,
    /// SMART Backend Services: the client id the EHR registered wardround under. Empty:
    /// no SMART (a bearer token or nothing).
    pub smart_client_id: String,
    /// The private key file (PEM; PKCS#8 for ES384) whose public key the EHR holds.
    pub smart_private_key: String,
    pub smart_algorithm: SigningAlgorithm,
    pub smart_key_id: String,
    pub smart_scope: String,
    /// The token endpoint; empty: found from the EHR's metadata or SMART configuration.
    pub smart_token_url: String,
}

impl Default for EhrSection {
    fn default() -> Self {
        EhrSection {
            url: String::new(),
            bearer_token: String::new(),
            timeout_secs: 20,
            max_concurrent: crate::fhir::http::DEFAULT_MAX_CONCURRENT,
            page_cap: 20,
            cache_ttl_secs: 60,
            census_refresh_secs: crate::server::DEFAULT_CENSUS_REFRESH_SECS,
            smart_client_id: String::new(),
            smart_private_key: String::new(),
            smart_algorithm: SigningAlgorithm::default(),
            smart_key_id: String::new(),
            smart_scope: "system/*.read".into(),
            smart_token_url: String::new(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSection {
    /// Where the TUI connects.
    pub url: String,
    /// Username to log in as; asked for when empty.
    pub username: String,
    /// A PEM CA certificate to trust besides the public roots (a hospital's own CA).
    pub ca_file: String,
}

/// A shared workstation locks itself when nobody uses it.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LockSection {
    /// Seconds without a key before the screen locks; 0 never (a messaging policy may
    /// still ask for sooner).
    pub idle_secs: u64,
}

impl Default for LockSection {
    fn default() -> Self {
        LockSection { idle_secs: 300 }
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct UiSection {
    /// A theme name from themes/ (built in: default) or a path to a theme file.
    pub theme: String,
    /// A steady highlight instead of the pulsing alert bar.
    pub reduced_motion: bool,
    /// How an urgent message gets attention beyond the bar.
    pub notify: Vec<NotifyChannel>,
    /// Capture the mouse (wheel scrolls). Off by default: capturing stops the terminal's
    /// own selection and copy, and sends every movement over SSH.
    pub mouse: bool,
}

/// A way to get attention outside the screen: the bell, or a desktop notification by
/// OSC 9 (iTerm2, WezTerm, Windows Terminal…) or OSC 777 (urxvt, foot, VTE).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NotifyChannel {
    Bell,
    Osc9,
    Osc777,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ServeSection {
    pub listen: SocketAddr,
    /// The SQLite file; empty means `wardround.sqlite` in the platform data dir.
    pub database: String,
    /// A directory of FHIR R4 Bundles to serve as the EHR.
    pub ehr_bundles: String,
    /// PEM certificate chain and key: set both to serve HTTPS only.
    pub tls_cert: String,
    pub tls_key: String,
    /// The server's own files: the audit key (`audit.key`) and the audit checkpoints.
    /// Empty: beside a SQLite database, or the platform data dir for PostgreSQL.
    pub state_dir: String,
    /// Seconds a client has to send a request's headers, from when the server waits for
    /// one (which also closes a keep-alive connection idle that long).
    pub header_read_timeout_secs: u64,
    /// Connections one address may hold open at once (authenticated event streams and
    /// loopback aside); 0: no cap.
    pub max_connections_per_address: usize,
    /// `full`: an acknowledged message survives a power cut; `normal`: only a crash of
    /// the server (SQLite's `synchronous`).
    pub sqlite_synchronous: crate::server::store::Synchronous,
}

impl Default for ServerSection {
    fn default() -> Self {
        ServerSection {
            url: "http://127.0.0.1:8470".into(),
            username: String::new(),
            ca_file: String::new(),
        }
    }
}

impl Default for UiSection {
    fn default() -> Self {
        UiSection {
            theme: "default".into(),
            reduced_motion: false,
            notify: vec![
                NotifyChannel::Bell,
                NotifyChannel::Osc9,
                NotifyChannel::Osc777,
            ],
            mouse: false,
        }
    }
}

/// The server's conversations.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct MessagingSection {
    /// The most members a group may have (receipts by name at any size).
    pub max_group: usize,
}

impl Default for MessagingSection {
    fn default() -> Self {
        MessagingSection {
            max_group: crate::server::DEFAULT_MAX_GROUP,
        }
    }
}

impl Default for ServeSection {
    fn default() -> Self {
        ServeSection {
            listen: SocketAddr::from(([127, 0, 0, 1], 8470)),
            database: String::new(),
            ehr_bundles: String::new(),
            tls_cert: String::new(),
            tls_key: String::new(),
            state_dir: String::new(),
            header_read_timeout_secs: 10,
            max_connections_per_address: 256,
            sqlite_synchronous: crate::server::store::Synchronous::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {cause}")]
    Read { path: String, cause: std::io::Error },
    #[error("config file {path}: {message}")]
    Invalid { path: String, message: String },
    #[error("environment variable {var}: {message}")]
    Env { var: String, message: String },
    /// A setting that reads well but cannot work (a TLS key the server cannot read, a
    /// database where it would be lost): restarting will not help until IT changes it.
    #[error("{0}")]
    Setting(String),
}

fn project_dirs() -> Option<ProjectDirs> {
    ProjectDirs::from("org", "wardround", "wardround")
}

pub fn default_config_path() -> Option<PathBuf> {
    project_dirs().map(|d| d.config_dir().join("config.toml"))
}

/// Where a server keeps its own files (the audit key and checkpoints) when its database is
/// not a file it could keep them beside.
pub fn default_state_dir() -> PathBuf {
    project_dirs()
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from("."))
}

pub fn default_database_path() -> PathBuf {
    project_dirs()
        .map(|d| d.data_dir().join("wardround.sqlite"))
        .unwrap_or_else(|| PathBuf::from("wardround.sqlite"))
}

impl Config {
    /// Loads from `explicit` (which must exist) or the default path (which may not), then
    /// applies `WARDROUND_*` variables from `env`.
    pub fn load(
        explicit: Option<&Path>,
        env: impl Iterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let (path, text) = match explicit {
            Some(p) => (p.to_path_buf(), Some(read(p)?)),
            None => match default_config_path() {
                Some(p) if p.exists() => (p.clone(), Some(read(&p)?)),
                Some(p) => (p, None),
                None => (PathBuf::from("config.toml"), None),
            },
        };
        let shown = path.display().to_string();
        let text = text.unwrap_or_default();
        // Parsed typed from the text first, so its errors carry the file's line numbers.
        toml::from_str::<Config>(&text).map_err(|e| invalid(&shown, e))?;
        let mut table: toml::Table = toml::from_str(&text).map_err(|e| invalid(&shown, e))?;
        for (var, value) in env {
            let Some(rest) = var.strip_prefix("WARDROUND_") else {
                continue;
            };
            let Some((section, key)) = rest.split_once("__") else {
                continue;
            };
            let (section, key) = (section.to_ascii_lowercase(), key.to_ascii_lowercase());
            let parsed = parse_env_value(&value);
            let entry = table
                .entry(section)
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            let Some(t) = entry.as_table_mut() else {
                return Err(ConfigError::Env {
                    var,
                    message: "names a section that is not a table".into(),
                });
            };
            t.insert(key, parsed);
            Config::deserialize(toml::Value::Table(table.clone())).map_err(|e| {
                ConfigError::Env {
                    var: var.clone(),
                    message: e.message().to_string(),
                }
            })?;
        }
        Config::deserialize(toml::Value::Table(table)).map_err(|e| invalid(&shown, e))
    }
}

fn read(p: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(p).map_err(|cause| ConfigError::Read {
        path: p.display().to_string(),
        cause,
    })
}

fn invalid(path: &str, e: toml::de::Error) -> ConfigError {
    ConfigError::Invalid {
        path: path.to_string(),
        message: e.to_string().trim().replace("TOML parse error", "error"),
    }
}

/// `true`, `30`, `["a"]` read as TOML; anything else as a plain string.
fn parse_env_value(v: &str) -> toml::Value {
    toml::from_str::<toml::Table>(&format!("v = {v}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(v.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), text).unwrap();
        f
    }

    #[test]
    fn sqlite_syncs_every_commit_unless_told_otherwise() {
        use crate::server::store::Synchronous;
        let c = Config::load(Some(write("").path()), std::iter::empty()).unwrap();
        assert_eq!(c.serve.sqlite_synchronous, Synchronous::Full);
        let f = write("[serve]\nsqlite_synchronous = \"normal\"\n");
        let c = Config::load(Some(f.path()), std::iter::empty()).unwrap();
        assert_eq!(c.serve.sqlite_synchronous, Synchronous::Normal);
        let f = write("[serve]\nsqlite_synchronous = \"off\"\n");
        let err = Config::load(Some(f.path()), std::iter::empty())
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2") && err.contains("full"), "{err}");
    }

    #[test]
    fn environment_overrides_the_file() {
        let f = write("[server]\nurl = \"http://ward:1\"\nusername = \"a\"\n");
        let env = vec![(
            "WARDROUND_SERVER__URL".to_string(),
            "http://other:2".to_string(),
        )];
        let c = Config::load(Some(f.path()), env.into_iter()).unwrap();
        assert_eq!(c.server.url, "http://other:2");
        assert_eq!(c.server.username, "a");
    }

    #[test]
    fn a_bad_key_names_the_file_line_and_key() {
        let f = write("[ui]\ntheme = \"default\"\nreduce_motion = true\n");
        let err = Config::load(Some(f.path()), std::iter::empty())
            .unwrap_err()
            .to_string();
        assert!(err.contains(&f.path().display().to_string()), "{err}");
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("reduce_motion"), "{err}");
    }

    #[test]
    fn a_bad_smart_algorithm_is_named_with_its_line_and_the_ones_there_are() {
        let f = write("[ehr]\nurl = \"https://ehr.example/fhir\"\nsmart_algorithm = \"HS256\"\n");
        let err = Config::load(Some(f.path()), std::iter::empty())
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 3"), "{err}");
        assert!(
            err.contains("HS256") && err.contains("RS384") && err.contains("ES384"),
            "{err}"
        );
        for (written, read) in [
            ("es384", SigningAlgorithm::Es384),
            ("Rs384", SigningAlgorithm::Rs384),
        ] {
            let f = write(&format!("[ehr]\nsmart_algorithm = \"{written}\"\n"));
            let c = Config::load(Some(f.path()), std::iter::empty()).unwrap();
            assert_eq!(c.ehr.smart_algorithm, read, "any case, as before");
        }
    }

    #[test]
    fn a_bad_environment_value_names_the_variable() {
        let env = vec![(
            "WARDROUND_UI__REDUCED_MOTION".to_string(),
            "sometimes".to_string(),
        )];
        let f = write("");
        let err = Config::load(Some(f.path()), env.into_iter())
            .unwrap_err()
            .to_string();
        assert!(err.contains("WARDROUND_UI__REDUCED_MOTION"), "{err}");
    }

    #[test]
    fn list_columns_and_sort_are_read_and_a_bad_column_is_named() {
        let f = write("[lists.\"4 West\"]\ncolumns = [\"bed\", \"name\", \"news2\", \"obs:2345-7\"]\nsort = [\"news2:desc\", \"bed\"]\n");
        let c = Config::load(Some(f.path()), std::iter::empty()).unwrap();
        let prefs = &c.lists["4 West"];
        assert_eq!(prefs.columns.len(), 4);
        assert_eq!(prefs.columns[3].id(), "obs:2345-7");
        assert!(prefs.sort[0].descending);
        let bad = write("[lists.ward]\ncolumns = [\"bed\", \"wardd\"]\n");
        let err = Config::load(Some(bad.path()), std::iter::empty())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("unknown column `wardd`") && err.contains("line 2"),
            "{err}"
        );
    }

    #[test]
    fn the_example_config_is_the_default_config() {
        let example = include_str!("../config.example.toml");
        let parsed: Config = toml::from_str(example).unwrap();
        assert_eq!(parsed, Config::default());
    }
}
