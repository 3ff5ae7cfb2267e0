//! The audit log's entries as the API and the admin CLI see them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What happened. Patient-touching actions name the patient (a FHIR Patient id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    Login,
    LoginFailed,
    Logout,
    Lock,
    Unlock,
    UnlockFailed,
    ListViewed,
    ListCreated,
    ListRenamed,
    ListDeleted,
    ListColumnsEdited,
    PatientAdded,
    PatientRemoved,
    PatientViewed,
    PatientSearched,
    PatientRefreshed,
    MessageSent,
    MessageRead,
    MessageAcknowledged,
    UrgentRenotified,
    UrgentEscalated,
    PolicyChanged,
    /// A list's rows taken out of wardround (`wardround export --list`).
    ListExported,
    /// Someone began following another's screen (follow mode).
    FollowStarted,
}

impl AuditAction {
    pub fn as_str(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    /// The username (or `wardround` for the server's own acts).
    pub actor: String,
    pub action: AuditAction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient: Option<String>,
    /// Ids and names of what was acted on; never clinical content.
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash the first row chains to.
pub const AUDIT_GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The chain: each row's hash covers the one before and everything in the row.
pub fn chain_hash(
    prev_hash: &str,
    at: &DateTime<Utc>,
    actor: &str,
    action: AuditAction,
    patient: Option<&str>,
    detail: &str,
) -> String {
    let mut h = Sha256::new();
    for part in [
        prev_hash,
        &at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        actor,
        &action.as_str(),
        patient.unwrap_or(""),
        detail,
    ] {
        h.update(part.as_bytes());
        // A separator that cannot occur inside the parts' encoding of lengths.
        h.update((part.len() as u64).to_be_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditVerdict {
    pub rows: u64,
    /// The first row whose hash does not follow from the one before (or from itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broken_at: Option<i64>,
}
