//! FHIR: reading an EHR's resources and turning them into ward rows. No UI, no HTTP server.

mod bundle_source;
pub mod care;
pub mod census;
mod chart;
pub mod columns;
mod datetime;
pub mod detail;
pub mod http;
mod index;
pub mod news2;
pub mod r4;
pub mod smart;
pub mod version;

use std::sync::Arc;

use async_trait::async_trait;

use crate::model::{PatientQuery, PatientSummary};

pub use bundle_source::{BundleSource, LoadReport};
pub use chart::{Bed, PatientChart, Vital, TREND};
pub use datetime::parse_instant;

/// Where patient data comes from. Implementations keep what they read in memory only.
#[async_trait]
pub trait FhirSource: Send + Sync {
    /// The chart of one patient, or `None` when the EHR does not know the id.
    /// Shared, not copied: a list of thirty patients reads thirty cached charts.
    async fn chart(&self, patient_id: &str) -> Result<Option<Arc<PatientChart>>, FhirError>;

    /// One line for /readyz and `doctor`: what this source is, or why it cannot serve.
    async fn status(&self) -> Result<String, FhirError>;

    /// Patients matching a search (at most a screenful).
    async fn search(&self, query: &PatientQuery) -> Result<Vec<PatientSummary>, FhirError>;

    /// Forgets what was read of these patients (all, for `None`), so the next read asks
    /// the EHR: "fetch latest".
    async fn forget(&self, _patients: Option<&[String]>) {}

    /// Who is in a location (and the rooms and beds part of it) now.
    async fn census(&self, location: &census::LocationRef) -> Result<census::Census, FhirError> {
        Err(FhirError::Ehr(format!(
            "this EHR source cannot say who is in {location}"
        )))
    }

    /// The patients on one of the EHR's own lists (`List/ID` or `List?code=…`).
    async fn patient_list(&self, reference: &str) -> Result<census::Census, FhirError> {
        Err(FhirError::Ehr(format!(
            "this EHR source has no lists such as {reference}"
        )))
    }

    /// Locations by name, to choose a ward from.
    async fn find_locations(&self, _name: &str) -> Result<Vec<census::FoundLocation>, FhirError> {
        Err(FhirError::Ehr(
            "this EHR source cannot search for locations".into(),
        ))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FhirError {
    #[error("cannot read {path}: {cause}")]
    Io { path: String, cause: std::io::Error },
    #[error("{path} is not FHIR JSON: {reason}")]
    NotABundle { path: String, reason: String },
    #[error(transparent)]
    Version(#[from] version::VersionError),
    #[error("EHR: {0}")]
    Ehr(String),
    /// The EHR answered, and has no such thing (or several where one was meant): the
    /// asker's to correct, not the EHR's failure. Its text names the EHR itself.
    #[error("{0}")]
    NoSuch(String),
    #[error("EHR: {0}")]
    Unauthorized(String),
    /// A failure told again, to every reader that was waiting on the same read.
    #[error("{0}")]
    Again(String),
}

/// How many matches a search returns: more means the search should be narrower.
pub const SEARCH_LIMIT: usize = 25;

/// The summary a search shows of a patient.
pub fn summary(id: &str, p: &r4::Patient, now: chrono::DateTime<chrono::Utc>) -> PatientSummary {
    let chart_less = |c| {
        let fake = PatientChart {
            id: id.to_string(),
            patient: p.clone(),
            encounter: None,
            bed: None,
            reason: None,
            readings: Default::default(),
            care: Default::default(),
            read_at: now,
            unreadable: Vec::new(),
        };
        columns::cell(&fake, c, now).text
    };
    PatientSummary {
        id: id.to_string(),
        name: chart_less(crate::model::ColumnId::Name),
        mrn: chart_less(crate::model::ColumnId::Mrn),
        birth_date: p.birth_date.clone().unwrap_or_else(|| "—".into()),
        sex: chart_less(crate::model::ColumnId::Sex),
    }
}

/// Whether a patient matches a query, the way an EHR's search would.
pub fn matches(s: &PatientSummary, q: &PatientQuery) -> bool {
    let given = |f: &Option<String>| {
        f.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_lowercase)
    };
    // Every word asked is in the name (`walsh marg` is WALSH, Margaret).
    given(&q.name).is_none_or(|n| {
        let name = s.name.to_lowercase();
        n.split(|c: char| c.is_whitespace() || c == ',')
            .filter(|w| !w.is_empty())
            .all(|w| name.contains(w))
    }) && given(&q.mrn).is_none_or(|m| s.mrn.to_lowercase() == m)
        && given(&q.birth_date).is_none_or(|b| s.birth_date == b)
}
