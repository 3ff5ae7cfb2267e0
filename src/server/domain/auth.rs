//! Local accounts: argon2 password hashes, bearer session tokens stored only as hashes.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{Duration, Utc};
use sha2::{Digest, Sha256};

use super::{Domain, DomainError, DomainResult};
use crate::model::{LoginResponse, Me, User};

/// A clinical shift and some: a session outlives a shift change by little.
const SESSION_HOURS: i64 = 13;

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub token_hash: String,
}

pub fn hash_password(password: &str) -> DomainResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| DomainError::Invalid(format!("cannot hash password: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
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
    DECOY.get_or_init(|| hash_password("not a password").unwrap_or_default())
}

impl Domain {
    pub async fn login(&self, username: &str, password: &str) -> DomainResult<LoginResponse> {
        let wrong = || DomainError::Unauthorized("Wrong username or password.".into());
        let Some(stored) = self.store.user_by_username(username).await? else {
            verify_password(password, decoy_hash());
            return Err(wrong());
        };
        if !verify_password(password, &stored.password_hash) {
            return Err(wrong());
        }
        if stored.disabled {
            return Err(DomainError::Forbidden(
                "This account is disabled; ask IT to re-enable it.".into(),
            ));
        }
        let token = new_token();
        let expires = Utc::now() + Duration::hours(SESSION_HOURS);
        self.store
            .create_session(&token_hash(&token), stored.user.id, expires)
            .await?;
        Ok(LoginResponse {
            token,
            user: stored.user,
        })
    }

    pub async fn authenticate(&self, bearer: &str) -> DomainResult<Session> {
        let token_hash = token_hash(bearer);
        match self.store.session_user(&token_hash, Utc::now()).await? {
            Some(user) => Ok(Session { user, token_hash }),
            None => Err(DomainError::Unauthorized(
                "The session has expired or was ended; log in again.".into(),
            )),
        }
    }

    pub async fn logout(&self, session: &Session) -> DomainResult<()> {
        Ok(self.store.delete_session(&session.token_hash).await?)
    }

    pub async fn me(&self, session: &Session) -> DomainResult<Me> {
        let user = session.user.clone();
        let teams = self.store.teams_of(user.id).await?;
        let cursor = self.store.latest_cursor(user.id).await?;
        Ok(Me {
            user,
            teams,
            cursor,
        })
    }
}
