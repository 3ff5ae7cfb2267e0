//! One patient at a glance: what the detail pane shows.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One patient at a glance: what the detail pane shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PatientDetail {
    pub patient: String,
    pub name: String,
    pub mrn: String,
    pub born: String,
    pub age: String,
    pub sex: String,
    pub stay: Option<Stay>,
    /// "NKA", "nothing recorded", or the active allergies with their criticality.
    pub allergy_status: String,
    pub allergies: Vec<String>,
    pub problems: Vec<String>,
    pub medications: Vec<String>,
    pub code_status: Option<String>,
    pub isolation: Option<String>,
    pub diet: Option<String>,
    pub vitals: Vec<Trend>,
    pub news2: News2Detail,
    pub read_at: DateTime<Utc>,
    /// Records the EHR sent about this patient that could not be read, and why.
    #[serde(default)]
    pub unreadable: Vec<String>,
    /// The patient's plan, from wardround (not the EHR).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<super::Plan>,
    /// Open jobs on the patient, in the order they are worked.
    #[serde(default)]
    pub jobs: Vec<super::Job>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Stay {
    pub ward: Option<String>,
    pub room: Option<String>,
    pub bed: Option<String>,
    pub admitted: Option<DateTime<Utc>>,
    pub attending: Option<String>,
    pub reason: Option<String>,
}

/// The latest readings of one vital sign, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Trend {
    pub label: String,
    pub unit: String,
    pub readings: Vec<(String, DateTime<Utc>)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct News2Detail {
    /// As the list shows it: "7", "≥3", "—".
    pub total: String,
    /// Each parameter with its score, or `null` when it has no fresh reading.
    pub parameters: Vec<(String, Option<u8>)>,
    pub missing: Vec<String>,
    /// Why there is no score, or where it came from.
    pub note: Option<String>,
    /// The score at each of the last observation sets, newest first (the first is the
    /// score now when it was scored from the chart): how the patient is going.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trend: Vec<News2Point>,
}

/// NEWS2 as it stood when a set of observations was taken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct News2Point {
    pub at: DateTime<Utc>,
    /// As the list shows it: "7", "≥3".
    pub total: String,
}
