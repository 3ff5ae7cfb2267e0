//! The API client: REST calls and the resumable event stream.

/// The most messages the server sends in one page of history.
pub const HISTORY_PAGE: usize = 100;
pub mod admin;
mod directory;
mod event_stream;
mod jobs;
mod presentation;
mod sse;

use std::time::Duration;

use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use uuid::Uuid;

pub use event_stream::{spawn_event_stream, StreamUpdate};

use crate::model::{
    ColumnId, Conversation, EffectivePolicy, Imported, ListRows, ListView, LoginRequest,
    LoginResponse, Me, Message, NewMessage, PatientDetail, PatientList, PatientQuery,
    PatientSummary, ReceiptState, ReceiptUpdate, UserSettings,
};

const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
/// For requests whose answer waits on the EHR for many patients (an import, an export):
/// the server bounds each EHR request itself.
const LONG_REQUEST_TIMEOUT: Duration = Duration::from_secs(600);

#[derive(Debug, Clone, thiserror::Error)]
pub enum ClientError {
    #[error("Cannot reach the server at {url} ({reason}).")]
    Unreachable { url: String, reason: String },
    /// The server said no, with its reason (from problem+json `detail`).
    #[error("{detail}")]
    Rejected { status: u16, detail: String },
    #[error("The server sent a reply wardround cannot read ({0}).")]
    Protocol(String),
}

impl ClientError {
    /// Worth trying again later: the server was unreachable or failed, not a refusal.
    pub fn is_transient(&self) -> bool {
        match self {
            ClientError::Unreachable { .. } => true,
            ClientError::Rejected { status, .. } => *status >= 500 || *status == 429,
            ClientError::Protocol(_) => false,
        }
    }

    /// What went wrong, fit for a log: the kind and status, never the server's words
    /// (which may quote what was asked) or a URL (which may carry a search).
    pub fn kind(&self) -> String {
        match self {
            ClientError::Unreachable { .. } => "unreachable".into(),
            ClientError::Rejected { status, .. } => format!("refused {status}"),
            ClientError::Protocol(_) => "unreadable reply".into(),
        }
    }

    pub fn is_unauthorized(&self) -> bool {
        matches!(self, ClientError::Rejected { status: 401, .. })
    }
}

#[derive(Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl std::fmt::Debug for ApiClient {
    // The session token stays out of logs and panic messages.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiClient")
            .field("base", &self.base)
            .field("logged_in", &self.token.is_some())
            .finish()
    }
}

/// This machine's name, as the OS has it (short, printable ASCII), if it can be read.
fn workstation_name() -> Option<String> {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .or_else(|| std::env::var("HOSTNAME").ok())?;
    let name = crate::sanitize::strict(name.trim(), 64);
    (!name.is_empty()).then_some(name)
}

impl ApiClient {
    pub fn new(base: &str) -> Result<Self, ClientError> {
        Self::with_ca(base, None)
    }

    /// A client that also trusts the CA certificate(s) in `ca_pem` (a hospital's own CA),
    /// beside the public roots. Certificates are always verified.
    pub fn with_ca(base: &str, ca_pem: Option<&[u8]>) -> Result<Self, ClientError> {
        let mut headers = reqwest::header::HeaderMap::new();
        // The server records where each act came from; the name helps IT find the desk.
        if let Some(name) =
            workstation_name().and_then(|n| reqwest::header::HeaderValue::from_str(&n).ok())
        {
            headers.insert("x-wardround-workstation", name);
        }
        let mut builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            // The server closes a keep-alive connection idle for its header deadline (10 s
            // by default): let ours go first, so no request is sent down one it is closing.
            .pool_idle_timeout(Duration::from_secs(5))
            .default_headers(headers)
            .user_agent(concat!("wardround/", env!("CARGO_PKG_VERSION")));
        if let Some(pem) = ca_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| ClientError::Protocol(format!("the CA file: {e}")))?;
            if certs.is_empty() {
                return Err(ClientError::Protocol(
                    "the CA file holds no certificate".into(),
                ));
            }
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let http = builder
            .build()
            .map_err(|e| ClientError::Protocol(e.to_string()))?;
        Ok(ApiClient {
            http,
            base: base.trim_end_matches('/').to_string(),
            token: None,
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// Logs in; the returned client carries the session token.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
    ) -> Result<(ApiClient, LoginResponse), ClientError> {
        let req = LoginRequest {
            username: username.into(),
            password: password.into(),
        };
        let resp: LoginResponse = self
            .call(Method::POST, "/api/v1/session", Some(&req))
            .await?;
        let client = ApiClient {
            token: Some(resp.token.clone()),
            ..self.clone()
        };
        Ok((client, resp))
    }

    /// Sets this user's own password. Every other session of theirs ends; this one goes
    /// on.
    pub async fn change_password(&self, current: &str, new: &str) -> Result<(), ClientError> {
        let change = crate::model::PasswordChange {
            current: current.into(),
            new: new.into(),
        };
        self.call_empty(Method::PUT, "/api/v1/me/password", Some(&change))
            .await
    }

    /// Whether the server answers at all: checked before asking anyone for a password.
    pub async fn health(&self) -> Result<(), ClientError> {
        self.call_empty(Method::GET, "/healthz", None::<&()>).await
    }

    /// The server's version, and its clock (the response's Date header).
    pub async fn version(
        &self,
    ) -> Result<(String, Option<chrono::DateTime<chrono::Utc>>), ClientError> {
        let resp = self
            .send_request(Method::GET, "/api/v1/version", None::<&()>)
            .await?;
        let date = resp
            .headers()
            .get(reqwest::header::DATE)
            .and_then(|d| d.to_str().ok())
            .and_then(|d| chrono::DateTime::parse_from_rfc2822(d).ok())
            .map(|d| d.with_timezone(&chrono::Utc));
        let body: serde_json::Value = resp
            .json()
            .await
            .map_err(|e| ClientError::Protocol(e.to_string()))?;
        let version = body["version"].as_str().unwrap_or("unknown").to_string();
        Ok((version, date))
    }

    /// `/readyz`: the store and the EHR as the server sees them.
    pub async fn readiness(&self) -> Result<serde_json::Value, ClientError> {
        self.call(Method::GET, "/readyz", None::<&()>).await
    }

    pub async fn logout(&self) -> Result<(), ClientError> {
        self.call_empty(Method::DELETE, "/api/v1/session", None::<&()>)
            .await
    }

    pub async fn me(&self) -> Result<Me, ClientError> {
        self.call(Method::GET, "/api/v1/me", None::<&()>).await
    }

    pub async fn lists(&self) -> Result<Vec<PatientList>, ClientError> {
        self.call(Method::GET, "/api/v1/lists", None::<&()>).await
    }

    /// The list's rows with `columns` (the whole catalogue when empty).
    pub async fn list_rows(
        &self,
        list: Uuid,
        columns: &[ColumnId],
    ) -> Result<ListRows, ClientError> {
        self.rows(list, columns, "view").await
    }

    /// The rows, for taking out of wardround: the server audits an export.
    pub async fn export_rows(
        &self,
        list: Uuid,
        columns: &[ColumnId],
    ) -> Result<ListRows, ClientError> {
        self.rows(list, columns, "export").await
    }

    async fn rows(
        &self,
        list: Uuid,
        columns: &[ColumnId],
        purpose: &str,
    ) -> Result<ListRows, ClientError> {
        let ids: Vec<String> = columns.iter().map(|c| c.id().into_owned()).collect();
        let query = format!("?purpose={purpose}&columns={}", ids.join(","));
        // An export waits for every chart; the server bounds each EHR request.
        let within = if purpose == "export" {
            LONG_REQUEST_TIMEOUT
        } else {
            REQUEST_TIMEOUT
        };
        let path = format!("/api/v1/lists/{list}/rows{query}");
        let resp = self
            .send_request_within(Method::GET, &path, None::<&()>, within)
            .await?;
        resp.json()
            .await
            .map_err(|e| ClientError::Protocol(e.to_string()))
    }

    pub async fn search_patients(
        &self,
        query: &PatientQuery,
    ) -> Result<Vec<PatientSummary>, ClientError> {
        let mut params: Vec<(&str, &str)> = Vec::new();
        params.extend(query.name.as_deref().map(|v| ("name", v)));
        params.extend(query.mrn.as_deref().map(|v| ("mrn", v)));
        params.extend(query.birth_date.as_deref().map(|v| ("birth_date", v)));
        let url =
            reqwest::Url::parse_with_params(&format!("{}/api/v1/patients", self.base), &params)
                .map_err(|e| ClientError::Protocol(e.to_string()))?;
        let path = format!("/api/v1/patients?{}", url.query().unwrap_or(""));
        self.call(Method::GET, &path, None::<&()>).await
    }

    pub async fn new_list(&self, name: &str) -> Result<PatientList, ClientError> {
        self.call(
            Method::POST,
            "/api/v1/lists",
            Some(&serde_json::json!({ "name": name })),
        )
        .await
    }

    /// A list that keeps itself from the EHR: a ward's census (`census`: `Location/ID`,
    /// `system|value` or a name) or an EHR list (`fhir_list`: `List/ID`, `List?code=…`).
    pub async fn new_sourced_list(
        &self,
        name: &str,
        census: Option<&str>,
        fhir_list: Option<&str>,
    ) -> Result<PatientList, ClientError> {
        let body = serde_json::json!({ "name": name, "census": census, "fhir_list": fhir_list });
        self.call(Method::POST, "/api/v1/lists", Some(&body)).await
    }

    /// Wards (and rooms) in the EHR whose name starts with `name`.
    pub async fn find_locations(
        &self,
        name: &str,
    ) -> Result<Vec<crate::fhir::census::FoundLocation>, ClientError> {
        let url = reqwest::Url::parse_with_params(
            &format!("{}/api/v1/locations", self.base),
            &[("name", name)],
        )
        .map_err(|e| ClientError::Protocol(e.to_string()))?;
        let path = format!("/api/v1/locations?{}", url.query().unwrap_or(""));
        self.call(Method::GET, &path, None::<&()>).await
    }

    /// The patient the census brought is no longer new: someone has looked.
    pub async fn mark_seen(&self, list: Uuid, patient: &str) -> Result<PatientList, ClientError> {
        self.call(
            Method::POST,
            &format!("/api/v1/lists/{list}/patients/{patient}/seen"),
            None::<&()>,
        )
        .await
    }

    pub async fn rename_list(&self, list: Uuid, name: &str) -> Result<PatientList, ClientError> {
        self.call(
            Method::PATCH,
            &format!("/api/v1/lists/{list}"),
            Some(&serde_json::json!({ "name": name })),
        )
        .await
    }

    pub async fn duplicate_list(&self, list: Uuid, name: &str) -> Result<PatientList, ClientError> {
        let body = serde_json::json!({ "name": name });
        self.call(
            Method::POST,
            &format!("/api/v1/lists/{list}/duplicate"),
            Some(&body),
        )
        .await
    }

    /// Saves how this user arranges the list (or, `shared`, the team's default).
    pub async fn save_view(
        &self,
        list: Uuid,
        view: &ListView,
        shared: bool,
    ) -> Result<(), ClientError> {
        let scope = if shared { "?scope=team" } else { "" };
        self.call_empty(
            Method::PUT,
            &format!("/api/v1/lists/{list}/view{scope}"),
            Some(view),
        )
        .await
    }

    pub async fn delete_list(&self, list: Uuid) -> Result<(), ClientError> {
        self.call_empty(
            Method::DELETE,
            &format!("/api/v1/lists/{list}"),
            None::<&()>,
        )
        .await
    }

    pub async fn add_patient(&self, list: Uuid, patient: &str) -> Result<PatientList, ClientError> {
        let body = serde_json::json!({ "patient": patient });
        self.call(
            Method::POST,
            &format!("/api/v1/lists/{list}/patients"),
            Some(&body),
        )
        .await
    }

    pub async fn remove_patient(
        &self,
        list: Uuid,
        patient: &str,
    ) -> Result<PatientList, ClientError> {
        self.call(
            Method::DELETE,
            &format!("/api/v1/lists/{list}/patients/{patient}"),
            None::<&()>,
        )
        .await
    }

    /// Waits as long as the EHR takes to search them all: the server adds each patient as
    /// it is found, so a slow EHR is no reason to give up on the answer.
    pub async fn import_mrns(&self, list: Uuid, mrns: &[String]) -> Result<Imported, ClientError> {
        let body = serde_json::json!({ "mrns": mrns });
        let path = format!("/api/v1/lists/{list}/import");
        let resp = self
            .send_request_within(Method::POST, &path, Some(&body), LONG_REQUEST_TIMEOUT)
            .await?;
        resp.json()
            .await
            .map_err(|e| ClientError::Protocol(e.to_string()))
    }

    pub async fn patient(&self, patient: &str) -> Result<PatientDetail, ClientError> {
        self.call(
            Method::GET,
            &format!("/api/v1/patients/{patient}"),
            None::<&()>,
        )
        .await
    }

    /// "Fetch latest" for one patient of the list, or the whole list.
    pub async fn refresh(&self, list: Uuid, patient: Option<&str>) -> Result<(), ClientError> {
        let body = serde_json::json!({ "patient": patient });
        self.call_empty(
            Method::POST,
            &format!("/api/v1/lists/{list}/refresh"),
            Some(&body),
        )
        .await
    }

    pub async fn conversations(&self) -> Result<Vec<Conversation>, ClientError> {
        self.call(Method::GET, "/api/v1/conversations", None::<&()>)
            .await
    }

    pub async fn messages(&self, conversation: Uuid) -> Result<Vec<Message>, ClientError> {
        self.call(
            Method::GET,
            &format!("/api/v1/conversations/{conversation}/messages"),
            None::<&()>,
        )
        .await
    }

    /// The page of messages just older than `before`, oldest first (at most
    /// [`HISTORY_PAGE`]; fewer, or none, at the start of the conversation).
    pub async fn messages_before(
        &self,
        conversation: Uuid,
        before: Uuid,
    ) -> Result<Vec<Message>, ClientError> {
        self.call(
            Method::GET,
            &format!("/api/v1/conversations/{conversation}/messages?before={before}"),
            None::<&()>,
        )
        .await
    }

    /// Idempotent: sending the same `message.id` again returns the stored message.
    pub async fn send(
        &self,
        conversation: Uuid,
        message: &NewMessage,
    ) -> Result<Message, ClientError> {
        self.call(
            Method::POST,
            &format!("/api/v1/conversations/{conversation}/messages"),
            Some(message),
        )
        .await
    }

    pub async fn mark(&self, message: Uuid, state: ReceiptState) -> Result<(), ClientError> {
        let body = ReceiptUpdate { state };
        self.call_empty(
            Method::POST,
            &format!("/api/v1/messages/{message}/receipts"),
            Some(&body),
        )
        .await
    }

    /// Tells the server this session's screen locked (for the audit log).
    pub async fn report_lock(&self, idle: bool) -> Result<(), ClientError> {
        self.call_empty(
            Method::POST,
            "/api/v1/session/lock",
            Some(&serde_json::json!({ "idle": idle })),
        )
        .await
    }

    /// Checks the password of the logged-in user (unlocking a locked screen).
    pub async fn verify_password(&self, password: &str) -> Result<(), ClientError> {
        self.call_empty(
            Method::POST,
            "/api/v1/session/verify",
            Some(&serde_json::json!({ "password": password })),
        )
        .await
    }

    /// Acknowledges an urgent message (which also reads it).
    pub async fn acknowledge(&self, message: Uuid) -> Result<(), ClientError> {
        self.call_empty(
            Method::POST,
            &format!("/api/v1/messages/{message}/ack"),
            None::<&()>,
        )
        .await
    }

    /// Urgent and important messages still waiting for me.
    pub async fn awaiting(&self) -> Result<Vec<Message>, ClientError> {
        self.call(Method::GET, "/api/v1/me/awaiting", None::<&()>)
            .await
    }

    pub async fn my_policy(&self) -> Result<EffectivePolicy, ClientError> {
        self.call(Method::GET, "/api/v1/me/policy", None::<&()>)
            .await
    }

    pub async fn save_settings(
        &self,
        settings: &UserSettings,
    ) -> Result<EffectivePolicy, ClientError> {
        self.call(Method::PUT, "/api/v1/me/settings", Some(settings))
            .await
    }

    /// The team's chat about a patient on `list`, created on first use.
    pub async fn patient_conversation(
        &self,
        list: Uuid,
        patient: &str,
    ) -> Result<Conversation, ClientError> {
        self.call(
            Method::POST,
            &format!(
                "/api/v1/lists/{list}/patients/{}/conversation",
                segment(patient)
            ),
            None::<&()>,
        )
        .await
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let req = self.http.request(method, format!("{}{}", self.base, path));
        match &self.token {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
    }

    async fn send_request<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<reqwest::Response, ClientError> {
        self.send_request_within(method, path, body, REQUEST_TIMEOUT)
            .await
    }

    async fn send_request_within<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        within: Duration,
    ) -> Result<reqwest::Response, ClientError> {
        let mut req = self.request(method, path).timeout(within);
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await.map_err(|e| self.unreachable(&e))?;
        if resp.status().is_success() {
            Ok(resp)
        } else {
            Err(rejection(resp).await)
        }
    }

    async fn call<T: DeserializeOwned, B: Serialize>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<T, ClientError> {
        let resp = self.send_request(method, path, body).await?;
        resp.json()
            .await
            .map_err(|e| ClientError::Protocol(e.to_string()))
    }

    async fn call_empty<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<(), ClientError> {
        self.send_request(method, path, body).await.map(|_| ())
    }

    fn unreachable(&self, e: &reqwest::Error) -> ClientError {
        // The innermost cause says what IT needs: a refused port, or a certificate.
        let mut cause: &dyn std::error::Error = e;
        while let Some(inner) = cause.source() {
            cause = inner;
        }
        let innermost = cause.to_string();
        let reason = if e.is_timeout() {
            "timed out".to_string()
        } else if innermost.to_ascii_lowercase().contains("certificate") {
            format!("TLS certificate not trusted: {innermost}")
        } else if e.is_connect() {
            format!("connection refused or no route: {innermost}")
        } else {
            e.to_string()
        };
        ClientError::Unreachable {
            url: self.base.clone(),
            reason,
        }
    }
}

/// Percent-encodes one path segment (a username, a team name, a patient id).
pub(crate) fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

async fn rejection(resp: reqwest::Response) -> ClientError {
    let status = resp.status();
    let detail = resp
        .json::<serde_json::Value>()
        .await
        .ok()
        .and_then(|v| v.get("detail").and_then(|d| d.as_str()).map(str::to_string))
        .unwrap_or_else(|| match status {
            StatusCode::UNAUTHORIZED => "Not logged in.".into(),
            s => format!("The server answered {s}."),
        });
    ClientError::Rejected {
        status: status.as_u16(),
        detail,
    }
}
