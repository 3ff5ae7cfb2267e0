//! Local accounts: argon2 password hashes, bearer session tokens stored only as hashes.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::Duration;
use sha2::{Digest, Sha256};

use super::{Domain, DomainError, DomainResult};
use crate::model::{AuditAction, LoginResponse, Me, User};
use crate::server::store::Throttle;

/// A clinical shift and some: a session outlives a shift change by little.
pub const SESSION_HOURS: i64 = 13;
/// Failed logins before each further try has to wait (1 s, then doubling up to a minute),
/// and the count that locks the name until IT unlocks it.
pub const THROTTLE: Throttle = Throttle {
    backoff_after: 3,
    max_backoff_secs: 60,
    lock_after: 10,
};

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub token_hash: String,
    /// Where the request came from (address, and the name the workstation gave), for
    /// the audit log.
    pub workstation: String,
    /// The user logged in with a one-time password: nothing but setting their own (and
    /// logging out) until they do.
    pub password_change_due: bool,
}

fn hash_now(password: &str) -> DomainResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| DomainError::Invalid(format!("cannot hash password: {e}")))
}

/// Password hashing is slow and takes 19 MiB on purpose: it runs off the request threads,
/// two at a time, so a shift's worth of logins queue instead of stalling every request
/// or the server's memory.
async fn off_loop<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> DomainResult<T> {
    static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);
    let _turn = HASHING
        .acquire()
        .await
        .map_err(|e| DomainError::Invalid(format!("cannot hash password: {e}")))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| DomainError::Invalid(format!("cannot hash password: {e}")))
}

pub async fn hash_password(password: &str) -> DomainResult<String> {
    let password = password.to_string();
    off_loop(move || hash_now(&password)).await?
}

async fn verify_password(password: &str, hash: &str) -> bool {
    let (password, hash) = (password.to_string(), hash.to_string());
    off_loop(move || {
        PasswordHash::new(&hash).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false)
}

fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Verified when a username is unknown, so a wrong username costs as long as a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_now("not a password").unwrap_or_default())
}

fn locked() -> DomainError {
    DomainError::Forbidden("Locked after repeated failed logins; ask IT to unlock it.".into())
}

impl Domain {
    /// Logs in. Repeated failures for a username (known or not: the answers do not say
    /// which names exist) make each further try wait, doubling from 1 s; after
    /// `THROTTLE.lock_after` the name is locked until IT resets its password or re-enables it.
    /// `workstation`: where the attempt came from, for the audit log.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        workstation: &str,
    ) -> DomainResult<LoginResponse> {
        // Refused unchecked (waiting out the backoff, or locked): counted, not audited, or
        // anyone could write rows into the audit log as fast as they can send requests.
        // The guesses that were checked, and the lock they led to, are each a row.
        let name = username.to_lowercase();
        self.admit(&name).await?;
        let checked = self.check_password(&name, username, password).await;
        let action = if checked.is_ok() {
            AuditAction::Login
        } else {
            AuditAction::LoginFailed
        };
        let actor = super::audit::Actor {
            name: username,
            workstation,
        };
        self.audit(actor, action, None, "").await?;
        let stored = checked?;
        let token = new_token();
        let expires = self.clock.now() + Duration::hours(SESSION_HOURS);
        self.store
            .create_session(&token_hash(&token), stored.user.id, expires)
            .await?;
        Ok(LoginResponse {
            token,
            user: stored.user,
            must_change_password: stored.password_change_due,
        })
    }

    /// The caller sets their own password (from a one-time one, or any time): the current
    /// one proves it is them (counted as a login attempt), the new one must pass the
    /// rules, and every other session of theirs ends (whoever else knew the old one is
    /// out); this one goes on.
    pub async fn change_own_password(
        &self,
        session: &Session,
        current: &str,
        new: &str,
    ) -> DomainResult<()> {
        let username = session.user.username.clone();
        let checked = self.login_checked(&username, current).await;
        if checked.is_err() {
            self.audit(session, AuditAction::PasswordChangeFailed, None, "")
                .await?;
        }
        let stored = checked?;
        if let Some(why) = super::passwords::refusal(&username, new) {
            return Err(DomainError::Invalid(why));
        }
        if new == current {
            return Err(DomainError::Invalid(
                "The new password must differ from the one it replaces.".into(),
            ));
        }
        let _stale = super::cache::Caches::invalidate(&self.caches);
        let hash = hash_password(new).await?;
        let new = crate::server::store::NewPassword {
            hash: &hash,
            one_time: false,
            keep_session: Some(&session.token_hash),
            // Two changes at once: the second finds the hash it checked gone.
            replacing: Some(&stored.password_hash),
        };
        if !self.store.set_password(stored.user.id, &new).await? {
            return Err(DomainError::Conflict(
                "Your password was changed meanwhile; use the new one.".into(),
            ));
        }
        self.audit(session, AuditAction::PasswordChanged, None, "")
            .await
    }

    /// The password check with backoff and lockout, shared by login and unlock.
    async fn login_checked(
        &self,
        username: &str,
        password: &str,
    ) -> DomainResult<crate::server::store::StoredUser> {
        // One name, however it is typed, has one count.
        let name = username.to_lowercase();
        self.admit(&name).await?;
        self.check_password(&name, username, password).await
    }

    /// Counts an attempt for `name` before its password is checked, or refuses it: the
    /// name must wait out its backoff, or is locked.
    async fn admit(&self, name: &str) -> DomainResult<()> {
        let now = self.clock.now();
        if let Err(f) = self.store.begin_attempt(name, now, &THROTTLE).await? {
            self.metrics.logins_refused.inc();
            if f.locked {
                return Err(locked());
            }
            let wait = THROTTLE.wait_secs(f.count).unwrap_or(1);
            let ready = f.last + Duration::seconds(i64::try_from(wait).unwrap_or(i64::MAX));
            let secs = u64::try_from((ready - now).num_milliseconds().max(0))
                .unwrap_or(0)
                .div_ceil(1000)
                .max(1);
            return Err(DomainError::TooMany {
                message: format!("Too many failed logins; try again in {secs} s."),
                retry_after_secs: secs,
            });
        }
        Ok(())
    }

    /// Checks a password admitted by [`Self::admit`], counting a wrong one.
    async fn check_password(
        &self,
        name: &str,
        username: &str,
        password: &str,
    ) -> DomainResult<crate::server::store::StoredUser> {
        let stored = self.store.user_by_username(username).await?;
        let hash = stored
            .as_ref()
            .map_or_else(|| decoy_hash(), |s| s.password_hash.as_str());
        let right = verify_password(password, hash).await;
        // A disabled account answers its right password as a wrong one: the answers do
        // not tell a guesser which password was right.
        let Some(stored) = stored.filter(|s| right && !s.disabled) else {
            self.metrics.login_failures.inc();
            let f = self.store.attempt_failed(name, THROTTLE.lock_after).await?;
            if f.locked {
                return Err(locked());
            }
            return Err(DomainError::Unauthorized(
                "Wrong username or password.".into(),
            ));
        };
        self.store.attempt_succeeded(name).await?;
        Ok(stored)
    }

    /// Unlocking a locked screen: the session's own user proves it is still them. Failures
    /// count with failed logins (backoff and lockout alike).
    pub async fn verify_password(&self, session: &Session, password: &str) -> DomainResult<()> {
        let checked = self.login_checked(&session.user.username, password).await;
        let action = if checked.is_ok() {
            AuditAction::Unlock
        } else {
            AuditAction::UnlockFailed
        };
        self.audit(session, action, None, "").await?;
        checked.map(|_| ())
    }

    /// The workstation locked this session's screen (idle or on request).
    pub async fn record_lock(&self, session: &Session, idle: bool) -> DomainResult<()> {
        let why = if idle { "idle" } else { "on request" };
        self.audit(session, AuditAction::Lock, None, why).await
    }

    /// The session a bearer token stands for, refused while its password is one-time:
    /// the gate every request but the password change and logout passes.
    pub async fn authenticate(&self, bearer: &str) -> DomainResult<Session> {
        let session = self
            .authenticate_even_with_a_one_time_password(bearer)
            .await?;
        if session.password_change_due {
            return Err(DomainError::Forbidden(
                "Set your own password first: you logged in with a one-time password (`wardround password`, or PUT /api/v1/me/password).".into(),
            ));
        }
        Ok(session)
    }

    /// The session a bearer token stands for, one-time password or not: for setting
    /// one's password, logging out and saying who one is.
    pub async fn authenticate_even_with_a_one_time_password(
        &self,
        bearer: &str,
    ) -> DomainResult<Session> {
        self.session_by_hash(token_hash(bearer)).await
    }

    /// Whether `session` still stands (not logged out, expired, ended by a password
    /// change or reset, or its account disabled): an open event stream asks before each
    /// event it carries, so an ended session hears nothing more. A store that cannot be
    /// reached does not end it.
    pub async fn still_live(&self, session: &Session) -> bool {
        !matches!(
            self.session_by_hash(session.token_hash.clone()).await,
            Err(DomainError::Unauthorized(_))
        )
    }

    async fn session_by_hash(&self, token_hash: String) -> DomainResult<Session> {
        let now = self.clock.now();
        let fresh = |at: chrono::DateTime<chrono::Utc>| {
            (now - at).to_std().is_ok_and(|age| age < super::cache::TTL)
        };
        if let Some(((user, password_change_due), _)) = self
            .caches
            .sessions
            .get(&token_hash)
            .filter(|(_, at)| fresh(*at))
        {
            return Ok(Session {
                user,
                token_hash,
                workstation: String::new(),
                password_change_due,
            });
        }
        match self.store.session_user(&token_hash, now).await? {
            Some((user, password_change_due)) => {
                self.caches.sessions.put(
                    token_hash.clone(),
                    ((user.clone(), password_change_due), now),
                );
                Ok(Session {
                    user,
                    token_hash,
                    workstation: String::new(),
                    password_change_due,
                })
            }
            None => Err(DomainError::Unauthorized(
                "The session has expired or was ended; log in again.".into(),
            )),
        }
    }

    pub async fn logout(&self, session: &Session) -> DomainResult<()> {
        self.store.delete_session(&session.token_hash).await?;
        self.caches.sessions.remove(&session.token_hash);
        self.audit(session, AuditAction::Logout, None, "").await
    }

    pub async fn me(&self, session: &Session) -> DomainResult<Me> {
        let user = session.user.clone();
        let teams = self.store.teams_of(user.id).await?;
        let cursor = self.store.latest_cursor(user.id).await?;
        let presence = self
            .presences(&[user.id])
            .await?
            .remove(&user.id)
            .unwrap_or_default();
        let roles = self.roles_held(user.id).await?;
        Ok(Me {
            user,
            teams,
            cursor,
            presence,
            roles,
        })
    }
}
