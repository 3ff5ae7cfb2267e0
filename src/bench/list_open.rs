//! `wardround bench --list-open`: how a list opens over a slow EHR. An EHR double serves
//! the demo ward with a latency added to every answer; a server reads it over HTTP; a
//! client opens a list of every patient, cold (nothing read yet) and then warm (read a
//! moment ago), and times the rows' arrival and the last chart's (its `list_filled`).

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::mpsc;

use super::load::Accounts;
use super::{BenchError, Target};
use crate::client::{spawn_event_stream, ApiClient, StreamUpdate};
use crate::ehr_double::{EhrDouble, R4_METADATA};
use crate::fhir::BundleSource;
use crate::model::{ColumnId, EventKind};

#[derive(Debug, Clone, Serialize)]
pub struct ListOpenReport {
    pub ehr_latency_ms: u64,
    pub patients: usize,
    pub cold: Opening,
    pub warm: Opening,
}

#[derive(Debug, Clone, Serialize)]
pub struct Opening {
    /// Request to the list's rows on screen (names may still be `…`).
    pub rows_ms: f64,
    /// Rows that came with every cell already.
    pub rows_complete: usize,
    /// Request to the last patient's cells read (the last `list_filled`, then the rows).
    pub every_cell_ms: f64,
}

pub async fn run(latency_ms: u64, limit: Duration) -> Result<ListOpenReport, BenchError> {
    let bundle = crate::demo::ward::generate(crate::demo::SEED, chrono::Utc::now());
    let (ward, _) = BundleSource::from_bundles(vec![("ward".into(), bundle.clone())]);
    let double = EhrDouble::from_bundles(vec![bundle], R4_METADATA.as_bytes().to_vec())
        .map_err(|e| BenchError::Setup(e.to_string()))?;
    let ehr_url = double
        .serve()
        .await
        .map_err(|e| BenchError::Setup(e.to_string()))?;
    let target = Target::spawn_with_ehr(&ehr_url)?;
    let admin = ApiClient::new(&target.url)?
        .login("admin", &target.admin_password)
        .await?
        .0;
    let accounts = Accounts::new();
    let nurse_name = accounts.name("nurse");
    accounts.add(&admin, &nurse_name).await?;
    let team = accounts.name("ward");
    admin.admin_create_team(&team, None).await?;
    admin.admin_team_member(&team, &nurse_name, true).await?;
    let nurse = accounts.login(&nurse_name, &target.url).await?;
    let list = nurse.new_list("Census").await?;
    // Added before the latency: adding reads each chart, and the cold open must not
    // find them cached.
    for id in ward.patient_ids() {
        nurse.add_patient(list.id, id).await?;
    }
    nurse.refresh(list.id, None).await?;
    double.latency_ms.store(latency_ms, Ordering::SeqCst);
    double
        .page_size
        .store(crate::ehr_double::SERVER_PAGE, Ordering::SeqCst);

    let (tx, mut rx) = mpsc::unbounded_channel();
    let _stream = spawn_event_stream(nurse.clone(), nurse.me().await?.cursor, tx);
    let columns = ColumnId::DEFAULT.to_vec();
    let cold = open(&nurse, list.id, &columns, &mut rx, limit).await?;
    let warm = open(&nurse, list.id, &columns, &mut rx, limit).await?;
    Ok(ListOpenReport {
        ehr_latency_ms: latency_ms,
        patients: ward.patient_ids().len(),
        cold,
        warm,
    })
}

/// Opens the list once: the rows, then every `list_filled` until no cell waits.
async fn open(
    nurse: &ApiClient,
    list: uuid::Uuid,
    columns: &[ColumnId],
    rx: &mut mpsc::UnboundedReceiver<StreamUpdate>,
    limit: Duration,
) -> Result<Opening, BenchError> {
    let started = Instant::now();
    let rows = nurse.list_rows(list, columns).await?;
    let rows_ms = started.elapsed();
    let mut waiting: std::collections::HashSet<String> = rows
        .rows
        .iter()
        .filter(|r| r.pending)
        .map(|r| r.patient.clone())
        .collect();
    let rows_complete = rows.rows.len() - waiting.len();
    let deadline = tokio::time::Instant::now() + limit;
    while !waiting.is_empty() {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(StreamUpdate::Event(e))) => {
                if let EventKind::ListFilled { patients, .. } = e.kind {
                    patients.iter().for_each(|p| {
                        waiting.remove(p);
                    });
                }
            }
            Ok(Some(_)) => {}
            _ => return Err(BenchError::TooLong(limit)),
        }
    }
    if rows_complete < rows.rows.len() {
        // What the app does on `list_filled`: read the rows again.
        nurse.list_rows(list, columns).await?;
    }
    Ok(Opening {
        rows_ms: ms(rows_ms),
        rows_complete,
        every_cell_ms: ms(started.elapsed()),
    })
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 10_000.0).round() / 10.0
}
