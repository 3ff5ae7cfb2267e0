//! FHIR: reading an EHR's resources and turning them into ward rows. No UI, no HTTP server.

mod bundle_source;
pub mod care;
mod chart;
pub mod columns;
mod datetime;
pub mod detail;
pub mod http;
mod index;
pub mod news2;
pub mod r4;
pub mod version;

use async_trait::async_trait;

pub use bundle_source::{BundleSource, LoadReport};
pub use chart::{Bed, PatientChart, Vital, TREND};
pub use datetime::parse_instant;

/// Where patient data comes from. Implementations keep what they read in memory only.
#[async_trait]
pub trait FhirSource: Send + Sync {
    /// The chart of one patient, or `None` when the EHR does not know the id.
    async fn chart(&self, patient_id: &str) -> Result<Option<PatientChart>, FhirError>;

    /// One line for /readyz and `doctor`: what this source is, or why it cannot serve.
    async fn status(&self) -> Result<String, FhirError>;

    /// Forgets what was read of these patients (all, for `None`), so the next read asks
    /// the EHR: "fetch latest".
    async fn forget(&self, _patients: Option<&[String]>) {}
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
}
