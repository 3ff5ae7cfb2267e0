//! `wardround demo`: the whole product on one machine, in a temporary directory that is
//! removed on exit.

mod cast;
mod colleagues;
mod rng;
pub mod ward;

use std::sync::Arc;

use chrono::Utc;

pub use cast::{seed, Cast};

use crate::client::{ApiClient, ClientError};
use crate::fhir::{columns, BundleSource};
use crate::model::{Cell, ColumnId};
use crate::server::domain::DomainError;
use crate::server::{self, ServeError};
use crate::tui;

/// The demo ward is the same every run.
pub const SEED: u64 = 4_0412;

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
}

/// The generated ward, loaded through the same FHIR source interface as a real extract.
pub fn ward_source(now: chrono::DateTime<Utc>) -> BundleSource {
    let bundle = ward::generate(SEED, now);
    BundleSource::from_bundles(vec![("demo ward".to_string(), bundle)]).0
}

pub async fn run(options: tui::Options) -> Result<(), DemoError> {
    let dir = tempfile::Builder::new()
        .prefix("wardround-demo-")
        .tempdir()
        .map_err(DemoError::TempDir)?;
    let now = Utc::now();
    let ward = Arc::new(ward_source(now));
    let server = server::start(
        ([127, 0, 0, 1], 0).into(),
        &dir.path().join("demo.sqlite"),
        ward.clone(),
    )
    .await?;
    let cast = seed(&server.domain, &ward).await?;
    let concern = sickest(&ward, now);
    let colleagues = colleagues::start(&server.url(), &cast, concern).await?;
    let (client, _) = ApiClient::new(&server.url())?
        .login("nurse", &cast.password)
        .await?;
    let me = client.me().await?;
    // Switching user ends the demo: its people log in only through it.
    let result = tui::run(client, me, &options).await.map(|_| ());
    colleagues.stop();
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
    let chart = ward.charts().max_by(|a, b| score(a).total_cmp(&score(b)));
    let cell = |c: ColumnId| chart.map_or_else(Cell::empty, |ch| columns::cell(ch, c, now));
    colleagues::Concern {
        patient: chart.and_then(|c| c.patient.id.clone()).unwrap_or_default(),
        bed: cell(ColumnId::Bed).text,
        news2: cell(ColumnId::News2).text,
    }
}
