//! `wardround demo`: the whole product on one machine, in a temporary directory that is
//! removed on exit.

mod cast;
mod colleagues;
mod rng;
pub mod ward;
mod ward_day;

use std::sync::Arc;

use chrono::Utc;

pub use cast::{seed, Cast};

use crate::client::{ApiClient, ClientError};
use crate::ehr_double::{DoubleError, EhrDouble, R4_METADATA};
use crate::fhir::http::{EhrConfig, HttpSource};
use crate::fhir::{columns, BundleSource};
use crate::model::{Cell, ColumnId};
use crate::server::domain::DomainError;
use crate::server::{self, ServeError};
use crate::tui;

/// The demo ward is the same every run.
pub const SEED: u64 = 4_0412;

/// How often the demo's census list asks who is in the ward: the day's admission and
/// discharge show within seconds, not the minute a hospital would set.
const CENSUS_REFRESH: std::time::Duration = std::time::Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("cannot create the demo's temporary directory: {0}")]
    TempDir(std::io::Error),
    #[error(transparent)]
    Serve(#[from] ServeError),
    #[error("seeding the demo: {0}")]
    Seed(#[from] DomainError),
    #[error("the demo's own server: {0}")]
    Client(#[from] ClientError),
    #[error(transparent)]
    Tui(#[from] tui::TuiError),
    #[error("the demo's EHR: {0}")]
    Double(#[from] DoubleError),
    #[error("the demo's EHR: {0}")]
    Ehr(String),
}

/// The generated ward, loaded through the same FHIR source interface as a real extract.
pub fn ward_source(now: chrono::DateTime<Utc>) -> BundleSource {
    let bundle = ward::generate(SEED, now);
    BundleSource::from_bundles(vec![("demo ward".to_string(), bundle)]).0
}

pub async fn run(mut options: tui::Options) -> Result<(), DemoError> {
    let dir = tempfile::Builder::new()
        .prefix("wardround-demo-")
        .tempdir()
        .map_err(DemoError::TempDir)?;
    let now = Utc::now();
    // The ward from an EHR over FHIR, as a hospital's would be: the census, charts and
    // the day's admissions and discharges all come the way they would in production.
    let bundle = ward::generate(SEED, now);
    let ward = BundleSource::from_bundles(vec![("demo ward".to_string(), bundle.clone())]).0;
    let ehr = EhrDouble::from_bundles(vec![bundle], R4_METADATA.as_bytes().to_vec())?;
    let source = HttpSource::new(EhrConfig::new(&ehr.serve().await?))
        .map_err(|e| DemoError::Ehr(e.to_string()))?;
    let serving = server::Options {
        census_refresh: Some(CENSUS_REFRESH),
        ..Default::default()
    };
    let server = server::start_with(
        ([127, 0, 0, 1], 0).into(),
        &dir.path().join("demo.sqlite"),
        Arc::new(source),
        serving,
    )
    .await?;
    let cast = seed(&server.domain).await?;
    options.demo_password = Some(cast.password.clone());
    let concern = sickest(&ward, now);
    let day = ward_day::start(ehr, concern.patient.clone());
    let colleagues = colleagues::start(&server.url(), &cast, concern).await?;
    let (client, _) = ApiClient::new(&server.url())?
        .login("nurse", &cast.password)
        .await?;
    let me = client.me().await?;
    // Switching user ends the demo: its people log in only through it.
    let result = tui::run(client, me, &options).await.map(|_| ());
    colleagues.stop();
    day.abort();
    server.stop().await;
    drop(dir);
    Ok(result?)
}

/// The bed with the highest NEWS2: what the registrar's urgent message is about.
fn sickest(ward: &BundleSource, now: chrono::DateTime<Utc>) -> colleagues::Concern {
    let score = |c: &crate::fhir::PatientChart| match columns::cell(c, ColumnId::News2, now).value {
        Some(crate::model::CellValue::Number(n)) => n,
        _ => -1.0,
    };
    let mut charts: Vec<&crate::fhir::PatientChart> = ward.charts().collect();
    charts.sort_by(|a, b| score(b).total_cmp(&score(a)));
    let chart = charts.first().copied();
    let next = charts.get(1).and_then(|c| c.patient.id.clone());
    let cell = |c: ColumnId| chart.map_or_else(Cell::empty, |ch| columns::cell(ch, c, now));
    colleagues::Concern {
        patient: chart.and_then(|c| c.patient.id.clone()).unwrap_or_default(),
        bed: cell(ColumnId::Bed).text,
        news2: cell(ColumnId::News2).text,
        next: next.unwrap_or_default(),
    }
}
