//! Reading charts from the EHR: one read of a patient at a time however many ask (a list
//! opened on ten workstations, a refresh pressed again), each read running to the end
//! even when whoever asked has gone, so what it brings is cached for the next.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use futures_util::future::{BoxFuture, FutureExt, Shared};

use super::Domain;
use crate::fhir::{FhirError, PatientChart};

type Read = Result<Option<Arc<PatientChart>>, Arc<FhirError>>;

/// The reads in flight, by patient id.
#[derive(Default)]
pub(super) struct ChartReads(Mutex<HashMap<String, Shared<BoxFuture<'static, Read>>>>);

impl ChartReads {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Shared<BoxFuture<'static, Read>>>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Domain {
    /// A patient's chart from the EHR, timed for `/metrics`; joins a read of the same
    /// patient already in flight.
    pub(crate) async fn chart(
        &self,
        patient: &str,
    ) -> Result<Option<Arc<PatientChart>>, FhirError> {
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
            let chart = domain.ehr.chart(&patient).await;
            domain.metrics.ehr_read(started.elapsed());
            domain.reads.lock().remove(&patient);
            chart.map_err(Arc::new)
        });
        async move {
            task.await
                .unwrap_or_else(|e| Err(Arc::new(FhirError::Again(e.to_string()))))
        }
        .boxed()
        .shared()
    }
}
