//! Messaging policies: what a user may send, how urgent messages chase their readers, and
//! whether read receipts are shown. Modelled on Teams' messaging policies: an org-wide
//! `Global`, named policies assigned to users or teams, and presets per role (packages).

use serde::{Deserialize, Serialize};

pub const GLOBAL: &str = "Global";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReadReceipts {
    /// On unless the user switches theirs off.
    UserControlled,
    /// On for everyone; cannot be switched off.
    On,
    Off,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RenotifyUntil {
    Read,
    /// Reading is not enough: the recipient must acknowledge.
    Ack,
}

/// Where an urgent message goes when its window closes with recipients still unread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum EscalationTarget {
    /// A user, by username: messaged 1:1.
    User(String),
    /// A team, by name: its channel.
    Team(String),
    /// A role, by name: whoever holds it when the window closes.
    Role(String),
}

impl EscalationTarget {
    /// `user:NAME`, `team:NAME` or `role:NAME`.
    pub fn parse(s: &str) -> Option<Self> {
        let (kind, name) = s.split_once(':')?;
        let name = name.trim();
        if name.is_empty() {
            return None;
        }
        match kind.trim() {
            "user" => Some(EscalationTarget::User(name.into())),
            "team" => Some(EscalationTarget::Team(name.into())),
            "role" => Some(EscalationTarget::Role(name.into())),
            _ => None,
        }
    }
}

impl std::fmt::Display for EscalationTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EscalationTarget::User(n) => write!(f, "user:{n}"),
            EscalationTarget::Team(n) => write!(f, "team:{n}"),
            EscalationTarget::Role(n) => write!(f, "role:{n}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PolicySettings {
    pub read_receipts: ReadReceipts,
    pub allow_urgent: bool,
    pub allow_important: bool,
    pub renotify_interval_secs: u64,
    pub renotify_window_secs: u64,
    pub renotify_until: RenotifyUntil,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalation_target: Option<EscalationTarget>,
    /// Lock an idle workstation sooner than its config says (never later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock_idle_secs: Option<u64>,
    /// May search the EHR for patients (by name, MRN, birth date). Only members of a team
    /// search at all; this takes it from those who should not (a patient's room).
    #[serde(default = "yes")]
    pub search_patients: bool,
}

fn yes() -> bool {
    true
}

impl Default for PolicySettings {
    /// Teams for Healthcare's defaults: every 2 minutes for 20 minutes, until read.
    fn default() -> Self {
        PolicySettings {
            read_receipts: ReadReceipts::UserControlled,
            allow_urgent: true,
            allow_important: true,
            renotify_interval_secs: 120,
            renotify_window_secs: 1200,
            renotify_until: RenotifyUntil::Read,
            escalation_target: None,
            lock_idle_secs: None,
            search_patients: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MessagingPolicy {
    pub name: String,
    #[serde(flatten)]
    pub settings: PolicySettings,
}

/// Presets per role. Applying one creates the policy of that name (if missing) with these
/// settings and assigns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Package {
    /// Nurses and doctors: urgent and important, receipts as each user chooses.
    ClinicalWorker,
    /// Administrative staff: important but never urgent.
    InformationWorker,
    /// A shared device in a patient's room: plain messages only, no read receipts.
    PatientRoom,
}

impl Package {
    pub const ALL: [Package; 3] = [
        Package::ClinicalWorker,
        Package::InformationWorker,
        Package::PatientRoom,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Package::ClinicalWorker => "clinical_worker",
            Package::InformationWorker => "information_worker",
            Package::PatientRoom => "patient_room",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Package::ALL.into_iter().find(|p| p.name() == s)
    }

    pub fn settings(self) -> PolicySettings {
        let base = PolicySettings::default();
        match self {
            Package::ClinicalWorker => base,
            Package::InformationWorker => PolicySettings {
                allow_urgent: false,
                ..base
            },
            Package::PatientRoom => PolicySettings {
                read_receipts: ReadReceipts::Off,
                allow_urgent: false,
                allow_important: false,
                search_patients: false,
                ..base
            },
        }
    }
}

/// Who a policy is assigned to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Assignee {
    /// By username.
    User(String),
    /// By team name.
    Team(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Assignment {
    pub assignee: Assignee,
    pub policy: String,
}

/// The policy that governs the caller, where it came from, and what they chose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EffectivePolicy {
    pub policy: MessagingPolicy,
    /// "user", "team NAME" or "global".
    pub source: String,
    /// Whether this user sends and sees read receipts, all things considered.
    pub read_receipts_active: bool,
    /// Whether the user may switch their receipts (only under `user_controlled`).
    pub read_receipts_adjustable: bool,
}

/// What a user may set for themselves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UserSettings {
    pub read_receipts: bool,
}

/// A change to some settings of a policy; absent fields stay as they are, and a field
/// that is not a setting is refused rather than ignored (a misspelling changes nothing).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_receipts: Option<ReadReceipts>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_urgent: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_important: Option<bool>,
    /// At least 5 s, and at most the window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 5, maximum = 86400)]
    pub renotify_interval_secs: Option<u64>,
    /// At least the interval, and at most 24 h.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 5, maximum = 86400)]
    pub renotify_window_secs: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renotify_until: Option<RenotifyUntil>,
    /// `null` clears the target.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "serde_with_double_option"
    )]
    #[schema(value_type = Option<EscalationTarget>)]
    pub escalation_target: Option<Option<EscalationTarget>>,
    /// At most 24 h; `null` clears it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "serde_with_double_option"
    )]
    #[schema(value_type = Option<u64>, maximum = 86400)]
    pub lock_idle_secs: Option<Option<u64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_patients: Option<bool>,
}

impl PolicyPatch {
    pub fn apply(&self, s: &mut PolicySettings) {
        if let Some(v) = self.read_receipts {
            s.read_receipts = v;
        }
        if let Some(v) = self.allow_urgent {
            s.allow_urgent = v;
        }
        if let Some(v) = self.allow_important {
            s.allow_important = v;
        }
        if let Some(v) = self.renotify_interval_secs {
            s.renotify_interval_secs = v;
        }
        if let Some(v) = self.renotify_window_secs {
            s.renotify_window_secs = v;
        }
        if let Some(v) = self.renotify_until {
            s.renotify_until = v;
        }
        if let Some(v) = &self.escalation_target {
            s.escalation_target = v.clone();
        }
        if let Some(v) = self.lock_idle_secs {
            s.lock_idle_secs = v;
        }
        if let Some(v) = self.search_patients {
            s.search_patients = v;
        }
    }

    /// One `key=value` from the admin CLI; durations as `90s`, `2m`, `1h`.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        let flag = |v: &str| match v {
            "true" | "yes" | "on" => Ok(true),
            "false" | "no" | "off" => Ok(false),
            _ => Err(format!("`{key}` takes true or false, not `{v}`")),
        };
        match key {
            "read_receipts" => {
                self.read_receipts = Some(match value {
                    "user_controlled" => ReadReceipts::UserControlled,
                    "on" => ReadReceipts::On,
                    "off" => ReadReceipts::Off,
                    _ => return Err(format!(
                        "`read_receipts` is user_controlled, on or off, not `{value}`"
                    )),
                })
            }
            "allow_urgent" => self.allow_urgent = Some(flag(value)?),
            "allow_important" => self.allow_important = Some(flag(value)?),
            "search_patients" => self.search_patients = Some(flag(value)?),
            "renotify_interval" => self.renotify_interval_secs = Some(duration_secs(key, value)?),
            "renotify_window" => self.renotify_window_secs = Some(duration_secs(key, value)?),
            "renotify_until" => {
                self.renotify_until = Some(match value {
                    "read" => RenotifyUntil::Read,
                    "ack" => RenotifyUntil::Ack,
                    _ => return Err(format!("`renotify_until` is read or ack, not `{value}`")),
                })
            }
            "escalation_target" => {
                self.escalation_target = Some(match value {
                    "" | "none" => None,
                    v => Some(EscalationTarget::parse(v).ok_or_else(|| {
                        format!("`escalation_target` is user:USERNAME, team:TEAM or none, not `{v}`")
                    })?),
                })
            }
            "lock_idle" => {
                self.lock_idle_secs = Some(match value {
                    "" | "none" => None,
                    v => Some(duration_secs(key, v)?),
                })
            }
            _ => {
                return Err(format!(
                    "unknown setting `{key}`; settings: read_receipts, allow_urgent, allow_important, renotify_interval, renotify_window, renotify_until, escalation_target, lock_idle, search_patients"
                ))
            }
        }
        Ok(())
    }
}

fn duration_secs(key: &str, value: &str) -> Result<u64, String> {
    let bad = || format!("`{key}` is a duration like 90s, 2m or 1h, not `{value}`");
    let (digits, unit) = value.split_at(
        value
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(value.len()),
    );
    let n: u64 = digits.parse().map_err(|_| bad())?;
    let scale = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        _ => return Err(bad()),
    };
    n.checked_mul(scale).ok_or_else(bad)
}

/// `Option<Option<T>>` where a present `null` means "clear" and absence means "keep".
mod serde_with_double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(
        v: &Option<Option<T>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_parse_from_the_admin_cli() {
        let mut p = PolicyPatch::default();
        p.set("renotify_interval", "30s").unwrap();
        p.set("renotify_window", "5m").unwrap();
        p.set("renotify_until", "ack").unwrap();
        p.set("escalation_target", "team:4 West").unwrap();
        p.set("allow_urgent", "false").unwrap();
        let mut s = PolicySettings::default();
        p.apply(&mut s);
        assert_eq!(s.renotify_interval_secs, 30);
        assert_eq!(s.renotify_window_secs, 300);
        assert_eq!(s.renotify_until, RenotifyUntil::Ack);
        assert_eq!(
            s.escalation_target,
            Some(EscalationTarget::Team("4 West".into()))
        );
        assert!(!s.allow_urgent);
        assert!(p.set("renotify_window", "soon").is_err());
        assert!(p.set("colour", "red").is_err());
    }

    #[test]
    fn a_patch_round_trips_clear_and_keep() {
        let clear: PolicyPatch = serde_json::from_str(r#"{"escalation_target":null}"#).unwrap();
        assert_eq!(clear.escalation_target, Some(None));
        let keep: PolicyPatch = serde_json::from_str("{}").unwrap();
        assert_eq!(keep.escalation_target, None);
        let err = serde_json::from_str::<PolicyPatch>(r#"{"allow_urgnet":false}"#).unwrap_err();
        assert!(err.to_string().contains("allow_urgnet"), "{err}");
    }
}
