//! SMART Backend Services: the server authenticates to the EHR as itself, with a
//! client_credentials grant and a `private_key_jwt` assertion (RS384 or ES384). The access
//! token is reused until shortly before it expires.

use std::time::{Duration, Instant};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;
use uuid::Uuid;

use super::FhirError;

/// The two algorithms SMART Backend Services asks servers to accept; in config as
/// `"RS384"` or `"ES384"`, in any case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SigningAlgorithm {
    #[default]
    Rs384,
    Es384,
}

impl<'de> Deserialize<'de> for SigningAlgorithm {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        match name.to_ascii_uppercase().as_str() {
            "RS384" => Ok(SigningAlgorithm::Rs384),
            "ES384" => Ok(SigningAlgorithm::Es384),
            _ => Err(serde::de::Error::custom(format!(
                "smart_algorithm `{name}`: use RS384 or ES384"
            ))),
        }
    }
}

#[derive(Clone)]
pub struct SmartConfig {
    pub client_id: String,
    /// The private key, PEM (PKCS#8 for ES384).
    pub private_key_pem: String,
    pub algorithm: SigningAlgorithm,
    /// The key id the EHR registered the public key under (JWKS `kid`).
    pub key_id: Option<String>,
    pub scope: String,
    /// Where to ask for tokens; found from the EHR when not given.
    pub token_url: Option<String>,
}

impl std::fmt::Debug for SmartConfig {
    // The key never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmartConfig")
            .field("client_id", &self.client_id)
            .field("algorithm", &self.algorithm)
            .field("scope", &self.scope)
            .field("token_url", &self.token_url)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize)]
struct Assertion<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    exp: i64,
    iat: i64,
    jti: String,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    expires_in: Option<u64>,
}

/// Renew this long before the EHR says the token expires.
const EARLY: Duration = Duration::from_secs(60);

pub struct SmartAuth {
    config: SmartConfig,
    key: EncodingKey,
    cached: Mutex<Option<(String, Instant)>>,
}

impl SmartAuth {
    pub fn new(config: SmartConfig) -> Result<Self, FhirError> {
        let pem = config.private_key_pem.as_bytes();
        let key = match config.algorithm {
            SigningAlgorithm::Rs384 => EncodingKey::from_rsa_pem(pem),
            SigningAlgorithm::Es384 => EncodingKey::from_ec_pem(pem),
        }
        .map_err(|e| FhirError::Ehr(format!("SMART private key: {e}")))?;
        Ok(SmartAuth {
            config,
            key,
            cached: Mutex::new(None),
        })
    }

    pub fn configured_token_url(&self) -> Option<&str> {
        self.config.token_url.as_deref()
    }

    /// The signed client assertion for `token_url` (valid five minutes, as SMART allows).
    pub fn assertion(&self, token_url: &str) -> Result<String, FhirError> {
        let now = chrono::Utc::now().timestamp();
        let claims = Assertion {
            iss: &self.config.client_id,
            sub: &self.config.client_id,
            aud: token_url,
            exp: now + 300,
            iat: now,
            jti: Uuid::new_v4().to_string(),
        };
        let mut header = Header::new(match self.config.algorithm {
            SigningAlgorithm::Rs384 => Algorithm::RS384,
            SigningAlgorithm::Es384 => Algorithm::ES384,
        });
        header.kid = self.config.key_id.clone();
        jsonwebtoken::encode(&header, &claims, &self.key)
            .map_err(|e| FhirError::Ehr(format!("signing the SMART assertion: {e}")))
    }

    /// A current access token: the cached one, or a new one from `token_url`.
    pub async fn token(
        &self,
        http: &reqwest::Client,
        token_url: &str,
    ) -> Result<String, FhirError> {
        let mut cached = self.cached.lock().await;
        if let Some((token, until)) = cached.as_ref() {
            if Instant::now() < *until {
                return Ok(token.clone());
            }
        }
        let form = [
            ("grant_type", "client_credentials"),
            ("scope", self.config.scope.as_str()),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", &self.assertion(token_url)?),
        ];
        let resp = http
            .post(token_url)
            .form(&form)
            .send()
            .await
            .map_err(|e| FhirError::Ehr(format!("SMART token request to {token_url}: {e}")))?;
        let status = resp.status();
        let body = resp.text().await.unwrap_or_default();
        if !status.is_success() {
            let why: String = crate::sanitize::strict(&body, 200);
            return Err(FhirError::Ehr(format!(
                "the EHR refused wardround's SMART token request ({status}): {why}"
            )));
        }
        let token: TokenResponse = serde_json::from_str(&body)
            .map_err(|e| FhirError::Ehr(format!("SMART token response: {e}")))?;
        let lifetime = Duration::from_secs(token.expires_in.unwrap_or(300));
        *cached = Some((
            token.access_token.clone(),
            Instant::now() + lifetime.saturating_sub(EARLY),
        ));
        Ok(token.access_token)
    }

    /// Forgets the token (the EHR said 401): the next request gets a new one.
    pub async fn forget(&self) {
        *self.cached.lock().await = None;
    }
}

/// The token endpoint a CapabilityStatement advertises (the SMART `oauth-uris` extension).
pub fn token_url_from_capability(metadata: &serde_json::Value) -> Option<String> {
    metadata["rest"].as_array()?.iter().find_map(|rest| {
        rest["security"]["extension"]
            .as_array()?
            .iter()
            .find_map(|ext| {
                if !ext["url"].as_str()?.ends_with("oauth-uris") {
                    return None;
                }
                ext["extension"]
                    .as_array()?
                    .iter()
                    .find(|e| e["url"] == "token")?["valueUri"]
                    .as_str()
                    .map(str::to_string)
            })
    })
}
