//! `wardround bench --list-open`: how a list opens over a slow EHR. An EHR double serves
//! the demo ward with a latency added to every answer; a server reads it over HTTP; a
//! client makes the ward's census list (timed: the census is asked then) and opens it,
//! cold (no chart read yet) and then warm (read a moment ago), and times the rows'
//! arrival, how many came with a name and a bed, and the last chart's (its
//! `list_filled`).

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
    /// Making the census list: the EHR asked who is in the ward.
    pub census_ms: f64,
    pub cold: Opening,
    pub warm: Opening,
}

#[derive(Debug, Clone, Serialize)]
pub struct Opening {
    /// Request to the list's rows on screen (names may still be `…`).
    pub rows_ms: f64,
    /// Rows that came with every cell already.
    pub rows_complete: usize,
    /// Rows that came with a name and a bed (from the census, or complete).
    pub rows_named: usize,
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
    double.latency_ms.store(latency_ms, Ordering::SeqCst);
    double
        .page_size
        .store(crate::ehr_double::SERVER_PAGE, Ordering::SeqCst);
    let started = Instant::now();
    let list = nurse
        .new_sourced_list("4 West", Some(crate::demo::ward::WARD_NAME), None)
        .await?;
    let census_ms = ms(started.elapsed());
    if list.patient_ids.len() != ward.patient_ids().len() {
        return Err(BenchError::Setup(format!(
            "the census found {} of the ward's {} patients",
            list.patient_ids.len(),
            ward.patient_ids().len()
        )));
    }

    let (tx, mut rx) = mpsc::unbounded_channel();
    let _stream = spawn_event_stream(nurse.clone(), nurse.me().await?.cursor, tx);
    let columns = ColumnId::DEFAULT.to_vec();
    let cold = open(&nurse, list.id, &columns, &mut rx, limit).await?;
    let warm = open(&nurse, list.id, &columns, &mut rx, limit).await?;
    Ok(ListOpenReport {
        ehr_latency_ms: latency_ms,
        patients: ward.patient_ids().len(),
        census_ms,
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
    let shown = |r: &crate::model::Row, c: ColumnId| {
        r.cell(c)
            .is_some_and(|cell| cell.text != "…" && cell.text != "—")
    };
    let rows_named = rows
        .rows
        .iter()
        .filter(|r| shown(r, ColumnId::Name) && shown(r, ColumnId::Bed))
        .count();
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
        rows_named,
        every_cell_ms: ms(started.elapsed()),
    })
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 10_000.0).round() / 10.0
}
