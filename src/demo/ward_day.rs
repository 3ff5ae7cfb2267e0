//! The demo ward's day, as the EHR sees it: within the first minute one patient is
//! admitted to a free bed of 4 West and another goes home, so the census list shows both
//! arriving by themselves.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::task::JoinHandle;

use super::ward;
use crate::ehr_double::EhrDouble;

/// When the admission and the discharge happen, from the demo's start.
const ADMIT_AFTER: Duration = Duration::from_secs(20);
const DISCHARGE_AFTER: Duration = Duration::from_secs(40);

/// The patient number the admission gets: past the generated ward's.
const ADMITTED: usize = 31;

/// Starts the day; `keep` is the patient the colleagues write about, who stays.
pub fn start(ehr: Arc<EhrDouble>, keep: String) -> JoinHandle<()> {
    tokio::spawn(async move {
        tokio::time::sleep(ADMIT_AFTER).await;
        let free = ward::free_bed(&ehr.all("Location"), &ehr.all("Encounter"));
        if let Some(bed) = free {
            for r in ward::admission(super::SEED, ADMITTED, &bed, Utc::now()) {
                ehr.put(r);
            }
        }
        tokio::time::sleep(DISCHARGE_AFTER.saturating_sub(ADMIT_AFTER)).await;
        // Someone who was well enough: the last stay but the one the colleagues discuss.
        let going = ehr.all("Encounter").into_iter().rfind(|e| {
            e["status"] == "in-progress"
                && e["subject"]["reference"] != format!("Patient/{keep}").as_str()
                && e["id"] != format!("demo-{ADMITTED:02}-stay").as_str()
        });
        if let Some(stay) = going {
            ehr.put(ward::discharged(stay, Utc::now()));
        }
    })
}
