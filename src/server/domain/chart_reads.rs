//! Reading charts from the EHR: one read of a patient at a time however many ask (a list
//! opened on ten workstations, a refresh pressed again), each read running to the end
//! even when whoever asked has gone, so what it brings is cached for the next.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use futures_util::future::{BoxFuture, FutureExt, Shared};

use super::Domain;
use crate::fhir::{FhirError, PatientChart};

type Read = Result<Option<Arc<PatientChart>>, Arc<FhirError>>;

/// How long a failed read answers for the EHR: a list re-read meanwhile shows `?` at
/// once instead of asking an EHR that just failed again (and again, for each reload).
/// "Fetch latest" asks at once.
const FAILED_FOR: Duration = Duration::from_secs(15);

type InFlight = HashMap<String, Shared<BoxFuture<'static, Read>>>;

/// How long a chart read earlier stands in, marked as still coming, while the EHR is
/// asked again ("fetch latest", an expired cache): the list keeps its names, beds and
/// last values instead of blanking. Memory only, like every chart the server holds.
const LAST_KNOWN_FOR: Duration = Duration::from_secs(60 * 60);
/// The most charts kept for that: a hospital's inpatients, not its records.
const LAST_KNOWN_MOST: usize = 5_000;

/// The reads in flight, the failures still fresh, and the last chart read, by patient id.
#[derive(Default)]
pub(super) struct ChartReads {
    in_flight: Mutex<InFlight>,
    failed: Mutex<HashMap<String, (Instant, Arc<FhirError>)>>,
    last_known: Mutex<HashMap<String, (Instant, Arc<PatientChart>)>>,
}

impl ChartReads {
    fn lock(&self) -> MutexGuard<'_, InFlight> {
        self.in_flight.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn failed(&self) -> MutexGuard<'_, HashMap<String, (Instant, Arc<FhirError>)>> {
        self.failed.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The chart last read of `patient`, if recent enough to stand in.
    pub(super) fn last_known(&self, patient: &str) -> Option<Arc<PatientChart>> {
        let known = self.last_known.lock().unwrap_or_else(|p| p.into_inner());
        known
            .get(patient)
            .filter(|(at, _)| at.elapsed() < LAST_KNOWN_FOR)
            .map(|(_, chart)| chart.clone())
    }

    /// What is known of a patient before their chart is read (a census's name and bed),
    /// to stand in for it; never over a chart read from the EHR.
    pub(super) fn stand_in(&self, patient: &str, chart: PatientChart) {
        let known = self.last_known.lock().unwrap_or_else(|p| p.into_inner());
        if known.contains_key(patient) {
            return;
        }
        drop(known);
        self.keep(patient, &Arc::new(chart));
    }

    fn keep(&self, patient: &str, chart: &Arc<PatientChart>) {
        let mut known = self.last_known.lock().unwrap_or_else(|p| p.into_inner());
        if known.len() >= LAST_KNOWN_MOST {
            known.retain(|_, (at, _)| at.elapsed() < LAST_KNOWN_FOR);
            // Still full: the oldest goes.
            if known.len() >= LAST_KNOWN_MOST {
                if let Some(oldest) = known
                    .iter()
                    .min_by_key(|(_, (at, _))| *at)
                    .map(|(k, _)| k.clone())
                {
                    known.remove(&oldest);
                }
            }
        }
        known.insert(patient.to_string(), (Instant::now(), chart.clone()));
    }

    /// The next read of these patients (all, for `None`) asks the EHR.
    pub(super) fn forget_failures(&self, patients: Option<&[String]>) {
        let mut failed = self.failed();
        match patients {
            None => failed.clear(),
            Some(ids) => ids.iter().for_each(|id| {
                failed.remove(id);
            }),
        }
    }
}

impl Domain {
    /// A patient's chart from the EHR, timed for `/metrics`; joins a read of the same
    /// patient already in flight.
    pub(crate) async fn chart(
        &self,
        patient: &str,
    ) -> Result<Option<Arc<PatientChart>>, FhirError> {
        if let Some((at, e)) = self.reads.failed().get(patient) {
            if at.elapsed() < FAILED_FOR {
                return Err(FhirError::Again(e.to_string()));
            }
        }
        let read = self
            .reads
            .lock()
            .entry(patient.to_string())
            .or_insert_with(|| self.start_read(patient.to_string()))
            .clone();
        read.await.map_err(|e| FhirError::Again(e.to_string()))
    }

    fn start_read(&self, patient: String) -> Shared<BoxFuture<'static, Read>> {
        let domain = self.clone();
        let task = tokio::spawn(async move {
            let started = std::time::Instant::now();
            let chart = domain.ehr.chart(&patient).await.map_err(Arc::new);
            domain.metrics.ehr_read(started.elapsed());
            {
                let mut failed = domain.reads.failed();
                failed.retain(|_, (at, _)| at.elapsed() < FAILED_FOR);
                if let Err(e) = &chart {
                    failed.insert(patient.clone(), (Instant::now(), e.clone()));
                }
            }
            if let Ok(Some(read)) = &chart {
                domain.reads.keep(&patient, read);
            }
            domain.reads.lock().remove(&patient);
            chart
        });
        async move {
            task.await
                .unwrap_or_else(|e| Err(Arc::new(FhirError::Again(e.to_string()))))
        }
        .boxed()
        .shared()
    }
}
