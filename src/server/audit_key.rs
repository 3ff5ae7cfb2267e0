//! What keeps the audit log honest from outside the database: the keys its rows are
//! MACed with, and the checkpoint file where the server writes down the chain's head.
//!
//! With both kept away from the database, someone who can only edit the database can
//! neither rewrite a row (they cannot make the MACs of it and of every row after it) nor
//! remove rows from the end unnoticed (the head is written down elsewhere). Someone with
//! the database *and* the key can still rewrite rows after the last checkpoint.

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use argon2::password_hash::rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

/// The environment variable that holds the keys themselves (hex; several separated by
/// commas, the last one current), instead of the key file.
pub const KEY_VAR: &str = "WARDROUND_AUDIT_KEY";

/// Whether loading the keys may make a key file where there is none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFile {
    /// A server's start: its first start makes the key.
    CreateIfMissing,
    /// Anything else (a check, IT's offline commands): a new key would sign rows the
    /// server cannot verify.
    MustExist,
}

#[derive(Debug, thiserror::Error)]
pub enum AuditKeyError {
    #[error("no audit key at {path}: run this where the server keeps its files ([serve] state_dir, or --config with it), or set WARDROUND_AUDIT_KEY to the server's")]
    Missing { path: String },
    #[error("audit key file {path}: {reason}")]
    File { path: String, reason: String },
    #[error("{KEY_VAR}: {0}")]
    Env(String),
}

/// The audit keys, oldest first: new rows are MACed with the last, older rows verify with
/// the one that made them. Never printed.
#[derive(Clone)]
pub struct AuditKeys {
    keys: Vec<AuditKey>,
}

#[derive(Clone)]
struct AuditKey {
    id: String,
    secret: [u8; 32],
}

impl fmt::Debug for AuditKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|k| k.id.as_str()).collect();
        write!(f, "AuditKeys({ids:?})")
    }
}

impl AuditKey {
    fn new(secret: [u8; 32]) -> Self {
        // Names the key in each row without giving anything of it away.
        let digest = Sha256::digest([b"wardround audit key id:".as_slice(), &secret].concat());
        let id = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
        AuditKey { id, secret }
    }
}

fn parse_key(text: &str) -> Result<[u8; 32], String> {
    let text = text.trim();
    if text.len() != 64 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("a key is 64 hex digits (32 bytes; `openssl rand -hex 32`)".into());
    }
    let mut key = [0u8; 32];
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).map_err(|e| e.to_string())?;
    }
    Ok(key)
}

fn fresh_key_line() -> String {
    let mut secret = [0u8; 32];
    OsRng.fill_bytes(&mut secret);
    let hex: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    format!("{hex}\n")
}

impl AuditKeys {
    /// A new random key, held in memory only (tests, one-off tools).
    pub fn generate() -> Self {
        AuditKeys::parse(&fresh_key_line()).unwrap_or_else(|_| AuditKeys { keys: Vec::new() })
    }

    /// One key per line (64 hex digits), oldest first; blank lines and `#` comments
    /// ignored.
    pub fn parse(text: &str) -> Result<Self, String> {
        let keys = text
            .split(['\n', ','])
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| parse_key(l).map(AuditKey::new))
            .collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            return Err("it holds no key".into());
        }
        Ok(AuditKeys { keys })
    }

    /// The keys from `WARDROUND_AUDIT_KEY` when it is set, else from `path`, which
    /// (`CreateIfMissing`) is created, mode 0600, with a new random key when it does not
    /// exist yet.
    pub fn load(path: &Path, key_file: KeyFile) -> Result<Self, AuditKeyError> {
        if let Ok(text) = std::env::var(KEY_VAR) {
            if !text.trim().is_empty() {
                return AuditKeys::parse(&text).map_err(AuditKeyError::Env);
            }
        }
        let err = |reason: String| AuditKeyError::File {
            path: path.display().to_string(),
            reason,
        };
        if !path.exists() {
            if key_file == KeyFile::MustExist {
                return Err(AuditKeyError::Missing {
                    path: path.display().to_string(),
                });
            }
            create_private(path, &fresh_key_line()).map_err(|e| err(e.to_string()))?;
        }
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        AuditKeys::parse(&text).map_err(err)
    }

    /// The key new rows are MACed with, and its id.
    pub fn current(&self) -> (&str, &[u8]) {
        match self.keys.last() {
            Some(k) => (&k.id, &k.secret),
            None => ("", &[]),
        }
    }

    pub fn by_id(&self, id: &str) -> Option<&[u8]> {
        self.keys
            .iter()
            .find(|k| k.id == id)
            .map(|k| k.secret.as_slice())
    }

    /// The current key as HMAC's inner and outer padded keys, for a database that
    /// computes the MAC itself as `sha256(outer || sha256(inner || message))`.
    pub fn pads(&self) -> (Vec<u8>, Vec<u8>) {
        let (_, key) = self.current();
        let mut block = [0u8; 64];
        block[..key.len()].copy_from_slice(key);
        (
            block.iter().map(|b| b ^ 0x36).collect(),
            block.iter().map(|b| b ^ 0x5c).collect(),
        )
    }
}

/// Creates `path` with `text`, readable by its owner alone, without ever leaving a
/// half-written file where another process (another node starting) could read it: written
/// beside it, then linked into place, which fails if someone was first.
fn create_private(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::server::store::create_private_dir(dir)?;
    }
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    let mut tmp = tempfile::NamedTempFile::new_in(dir.unwrap_or(Path::new(".")))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    match std::fs::hard_link(tmp.path(), path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Where the chain's head is written down, outside the database: one line per checkpoint,
/// `SEQ MAC TIME`, appended, never rewritten.
#[derive(Debug, Clone)]
pub struct Checkpoints {
    path: PathBuf,
}

/// One line of the checkpoint file: the log had at least `seq` rows, the last with `mac`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    pub mac: String,
}

impl Checkpoints {
    pub fn new(path: PathBuf) -> Self {
        Checkpoints { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends a checkpoint (creating the file, mode 0600, the first time) and syncs it.
    /// The directory is the state dir, made with the key; one that went (a demo's, as it
    /// ends) is not made again.
    pub fn record(
        &self,
        head: &Checkpoint,
        at: chrono::DateTime<chrono::Utc>,
    ) -> std::io::Result<()> {
        let mut options = std::fs::OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let mut file = options.open(&self.path)?;
        // One write of one short line: appends from several processes do not interleave.
        let line = format!(
            "{} {} {}\n",
            head.seq,
            head.mac,
            at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
        file.write_all(line.as_bytes())?;
        file.sync_data()
    }

    /// Every checkpoint written so far (none when the file does not exist yet); a line
    /// that cannot be read is an error, since the file is only ever appended to by us.
    pub fn read(&self) -> Result<Vec<Checkpoint>, String> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(format!("{}: {e}", self.path.display())),
        };
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(n, line)| {
                let mut fields = line.split_whitespace();
                let seq = fields.next().and_then(|s| s.parse().ok());
                let mac = fields.next().map(str::to_string);
                match (seq, mac) {
                    (Some(seq), Some(mac)) => Ok(Checkpoint { seq, mac }),
                    _ => Err(format!(
                        "{} line {}: not `SEQ MAC TIME`",
                        self.path.display(),
                        n + 1
                    )),
                }
            })
            .collect()
    }
}

/// The audit key and checkpoint file of a server.
#[derive(Debug, Clone)]
pub struct AuditSetup {
    pub keys: AuditKeys,
    pub checkpoints: Checkpoints,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_rotate_and_never_print() {
        let a = "11".repeat(32);
        let b = "22".repeat(32);
        let keys = AuditKeys::parse(&format!("# old\n{a}\n\n{b}\n")).unwrap();
        let (id, key) = keys.current();
        assert_eq!(key, [0x22; 32]);
        assert_eq!(keys.by_id(id), Some([0x22u8; 32].as_slice()));
        assert!(!format!("{keys:?}").contains("2222"));
        assert!(AuditKeys::parse("abc").is_err());
        assert!(AuditKeys::parse("").is_err());
    }

    #[test]
    fn the_padded_keys_make_the_same_mac_as_hmac() {
        use crate::model::{AuditAct, AuditAction};
        let keys = AuditKeys::generate();
        let act = AuditAct {
            at: chrono::Utc::now(),
            actor: "nurse",
            workstation: "10.0.0.7 ws-4w",
            action: AuditAction::Login,
            patient: None,
            detail: "",
        };
        // What PostgreSQL computes: sha256(outer || sha256(inner || message)).
        let (inner, outer) = keys.pads();
        let first = Sha256::digest([inner.as_slice(), &act.covered("prev")].concat());
        let second = Sha256::digest([outer.as_slice(), first.as_slice()].concat());
        let hex: String = second.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, act.mac(keys.current().1, "prev"));
    }

    #[test]
    fn a_key_file_is_made_once_private_and_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/audit.key");
        assert!(matches!(
            AuditKeys::load(&path, KeyFile::MustExist),
            Err(AuditKeyError::Missing { .. })
        ));
        assert!(!path.exists(), "a check makes nothing");
        let first = AuditKeys::load(&path, KeyFile::CreateIfMissing).unwrap();
        let again = AuditKeys::load(&path, KeyFile::MustExist).unwrap();
        assert_eq!(first.current().0, again.current().0);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn checkpoints_append_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let c = Checkpoints::new(dir.path().join("audit.checkpoints"));
        assert!(c.read().unwrap().is_empty());
        let head = Checkpoint {
            seq: 7,
            mac: "ab".into(),
        };
        c.record(&head, chrono::Utc::now()).unwrap();
        c.record(&head, chrono::Utc::now()).unwrap();
        assert_eq!(c.read().unwrap(), vec![head.clone(), head]);
    }
}
