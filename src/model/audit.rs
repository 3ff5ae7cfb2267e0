//! The audit log's entries as the API and the admin CLI see them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What happened. Patient-touching actions name the patient (a FHIR Patient id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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
    /// A search of the EHR the caller may not make (no care team, or their policy).
    PatientSearchRefused,
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
    /// IT lifted a lock left by failed logins.
    AccountUnlocked,
    /// A user's password was set by IT (a new one-time password).
    PasswordReset,
    /// A user set their own password.
    PasswordChanged,
    /// A user's attempt to set their own password, with the wrong current one.
    PasswordChangeFailed,
    /// A 1:1, a group or a thread with a role was started.
    ConversationStarted,
    ConversationRenamed,
    MemberAdded,
    MemberRemoved,
    RoleCreated,
    RoleDeleted,
    /// A rota's shifts were imported.
    RotaImported,
    /// Someone took a role, handed it on or gave it up.
    RoleHandedOver,
    /// An urgent message to a role moved to whoever holds it now.
    UrgentHandedOver,
    /// Nobody held a role written to: the message went to its fallback.
    RoleFallback,
    /// A person set their presence (do-not-disturb, busy, available).
    StatusSet,
    /// The census found a patient newly in the ward a list follows.
    PatientAdmitted,
    /// The census no longer finds a patient in the ward: greyed on the list for the day.
    PatientDischarged,
    /// The census found a patient in another bed of the ward.
    PatientTransferred,
    JobCreated,
    JobDone,
    JobCancelled,
    JobReassigned,
    JobEdited,
    /// A patient's plan was written or cleared.
    PlanWritten,
    /// A list's handover sheet was shown or taken out (`export --handover`).
    HandoverViewed,
}

impl AuditAction {
    pub fn as_str(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    /// The username (or `wardround` for the server's own acts).
    pub actor: String,
    /// The workstation's address and name (empty for the server's own acts).
    #[serde(default)]
    pub workstation: String,
    pub action: AuditAction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient: Option<String>,
    /// Ids and names of what was acted on; never clinical content.
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
    /// Which audit key made `hash` (an HMAC); empty for an unkeyed row from before keys.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub key_id: String,
}

/// The hash the first row chains to.
pub const AUDIT_GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One act, as recorded: what the chain hashes.
#[derive(Debug, Clone, Copy)]
pub struct AuditAct<'a> {
    pub at: DateTime<Utc>,
    pub actor: &'a str,
    /// Where from: the workstation's address, and its name if it gave one.
    pub workstation: &'a str,
    pub action: AuditAction,
    pub patient: Option<&'a str>,
    pub detail: &'a str,
}

impl AuditAct<'_> {
    /// What a row's hash or MAC covers: the row before's, then everything in the row, each
    /// part followed by its length (a separator no part's bytes can fake).
    pub(crate) fn covered(&self, prev_hash: &str) -> Vec<u8> {
        let at = self.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let action = self.action.as_str();
        let mut parts = vec![
            prev_hash,
            &at,
            self.actor,
            &action,
            self.patient.unwrap_or(""),
            self.detail,
        ];
        // Rows from before workstations were recorded hash as they did then.
        if !self.workstation.is_empty() {
            parts.push(self.workstation);
        }
        let mut bytes = Vec::new();
        for part in parts {
            bytes.extend_from_slice(part.as_bytes());
            bytes.extend_from_slice(&(part.len() as u64).to_be_bytes());
        }
        bytes
    }

    /// The unkeyed chain of rows written before the log was keyed: anyone can recompute
    /// it, so it shows accidents, not intent.
    pub fn hash(&self, prev_hash: &str) -> String {
        hex(&Sha256::digest(self.covered(prev_hash)))
    }

    /// The keyed chain: HMAC-SHA256 under a key kept outside the database, so rewriting a
    /// row and every row after it needs the key.
    pub fn mac(&self, key: &[u8], prev_hash: &str) -> String {
        use hmac::Mac as _;
        #[expect(clippy::expect_used, reason = "HMAC takes a key of any length")]
        let mut mac = <hmac::Hmac<Sha256> as hmac::Mac>::new_from_slice(key)
            .expect("HMAC takes a key of any length");
        mac.update(&self.covered(prev_hash));
        hex(&mac.finalize().into_bytes())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl AuditEntry {
    pub fn act(&self) -> AuditAct<'_> {
        AuditAct {
            at: self.at,
            actor: &self.actor,
            workstation: &self.workstation,
            action: self.action,
            patient: self.patient.as_deref(),
            detail: &self.detail,
        }
    }
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditVerdict {
    pub rows: u64,
    /// The first row whose hash does not follow from the one before (or from itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broken_at: Option<i64>,
    /// What is wrong, when something is: a changed row, a gap, rows missing from the end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}
