//! An EHR extract held in memory: a directory (or a list) of FHIR R4 Bundles.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::chart::build_charts;
use super::index::{Index, Resource};
use super::{r4, FhirError, FhirSource, PatientChart};
use crate::model::{PatientQuery, PatientSummary};

#[derive(Debug, Default)]
pub struct BundleSource {
    /// Patient ids in the order their bundles were read.
    order: Vec<String>,
    /// Patients whose own record did not parse, with why.
    broken: HashMap<String, String>,
    charts: HashMap<String, Arc<PatientChart>>,
}

/// What loading found: IT reads this to judge an extract.
#[derive(Debug, Default)]
pub struct LoadReport {
    pub files: usize,
    pub resources: usize,
    /// Files or resources that could not be read, with why. Reading goes on past them.
    pub problems: Vec<String>,
}

#[derive(Deserialize)]
struct BundleShape<'a> {
    #[serde(rename = "resourceType")]
    resource_type: Option<String>,
    #[serde(default, borrow)]
    entry: Vec<EntryShape<'a>>,
}

#[derive(Deserialize)]
struct EntryShape<'a> {
    #[serde(rename = "fullUrl")]
    full_url: Option<String>,
    #[serde(borrow)]
    resource: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct TypeOnly {
    #[serde(rename = "resourceType")]
    resource_type: Option<String>,
}

impl BundleSource {
    /// Reads every `*.json` under `dir` (recursively, in path order).
    pub fn load_dir(dir: &Path) -> Result<(Self, LoadReport), FhirError> {
        let mut files = Vec::new();
        collect_json_files(dir, &mut files)?;
        files.sort();
        let mut bundles = Vec::with_capacity(files.len());
        for path in files {
            let bytes = std::fs::read(&path).map_err(|cause| FhirError::Io {
                path: path.display().to_string(),
                cause,
            })?;
            bundles.push((path.display().to_string(), bytes));
        }
        Ok(Self::from_bundles(bundles))
    }

    /// Reads bundles already in memory, each named for error messages.
    pub fn from_bundles(bundles: Vec<(String, Vec<u8>)>) -> (Self, LoadReport) {
        let mut report = LoadReport::default();
        let mut index = Index::default();
        for (name, bytes) in &bundles {
            report.files += 1;
            if let Err(e) = read_bundle(name, bytes, &mut index, &mut report) {
                report.problems.push(e.to_string());
            }
        }
        let charts = build_charts(&index, chrono::Utc::now());
        let mut broken = HashMap::new();
        for r in index.resources() {
            if let Resource::Unreadable {
                kind,
                id: Some(id),
                reason,
                ..
            } = r
            {
                if kind == "Patient" {
                    broken.insert(id.clone(), reason.clone());
                }
            }
        }
        let mut source = BundleSource {
            broken,
            ..Default::default()
        };
        for chart in charts {
            if source.charts.contains_key(&chart.id) {
                report.problems.push(format!(
                    "Patient/{} appears more than once; the first is kept",
                    chart.id
                ));
                continue;
            }
            source.order.push(chart.id.clone());
            source.charts.insert(chart.id.clone(), Arc::new(chart));
        }
        (source, report)
    }

    /// Why this patient's own record could not be read, if it could not.
    pub fn broken_reason(&self, id: &str) -> Option<&str> {
        self.broken.get(id).map(String::as_str)
    }

    /// Takes one patient's chart out of the source.
    pub fn take(&mut self, id: &str) -> Option<Arc<PatientChart>> {
        self.order.retain(|o| o != id);
        self.charts.remove(id)
    }

    pub fn patient_ids(&self) -> &[String] {
        &self.order
    }

    pub fn charts(&self) -> impl Iterator<Item = &PatientChart> {
        self.order
            .iter()
            .filter_map(|id| self.charts.get(id).map(|c| &**c))
    }
}

#[async_trait]
impl FhirSource for BundleSource {
    async fn chart(&self, patient_id: &str) -> Result<Option<Arc<PatientChart>>, FhirError> {
        if let Some(reason) = self.broken.get(patient_id) {
            return Err(FhirError::Ehr(format!(
                "the EHR's record of Patient/{patient_id} could not be read ({reason})"
            )));
        }
        Ok(self.charts.get(patient_id).cloned())
    }

    async fn search(&self, query: &PatientQuery) -> Result<Vec<PatientSummary>, FhirError> {
        Ok(self
            .charts()
            .map(|c| super::summary(&c.id, &c.patient, chrono::Utc::now()))
            .filter(|s| super::matches(s, query))
            .take(super::SEARCH_LIMIT)
            .collect())
    }

    /// By name only: an extract's charts know their ward, room and bed by name, not the
    /// Locations' ids.
    async fn census(
        &self,
        location: &super::census::LocationRef,
    ) -> Result<super::census::Census, FhirError> {
        let super::census::LocationRef::Name(name) = location else {
            return Err(FhirError::Ehr(format!(
                "bundles on disk know wards by name only: name the ward rather than {location}"
            )));
        };
        let wanted = name.trim().to_lowercase();
        let is_it = |n: &Option<String>| n.as_deref().is_some_and(|n| n.to_lowercase() == wanted);
        let entries: Vec<super::census::CensusEntry> = self
            .charts()
            .filter(|c| c.encounter.is_some())
            .filter_map(|c| {
                let bed = c.bed.as_ref()?;
                let here = is_it(&bed.ward) || is_it(&bed.room) || is_it(&Some(bed.label.clone()));
                here.then(|| super::census::CensusEntry {
                    patient_id: c.id.clone(),
                    encounter_id: c.encounter.as_ref().and_then(|e| e.id.clone()),
                    bed: Some(bed.label.clone()),
                    patient: Some(c.patient.clone()),
                })
            })
            .collect();
        if entries.is_empty() {
            return Err(FhirError::NoSuch(format!("no one is in a {location}")));
        }
        Ok(super::census::Census {
            reference: name.trim().to_string(),
            location_id: name.trim().to_string(),
            location_name: name.trim().to_string(),
            entries,
        })
    }

    /// The wards (and rooms) the charts are in, by name: an extract has no Locations.
    async fn find_locations(
        &self,
        name: &str,
    ) -> Result<Vec<super::census::FoundLocation>, FhirError> {
        let wanted = name.trim().to_lowercase();
        let mut found: Vec<super::census::FoundLocation> = Vec::new();
        for bed in self.charts().filter_map(|c| c.bed.as_ref()) {
            for (place, kind, within) in [
                (&bed.ward, "ward", None),
                (&bed.room, "room", bed.ward.as_ref()),
            ] {
                let Some(place) = place else { continue };
                if place.to_lowercase().starts_with(&wanted)
                    && !found.iter().any(|f| f.name == *place)
                {
                    found.push(super::census::FoundLocation {
                        reference: place.clone(),
                        name: place.clone(),
                        kind: Some(kind.into()),
                        part_of: within.cloned(),
                    });
                }
            }
        }
        found.sort_by_key(|l| (l.part_of.is_some(), l.name.to_lowercase()));
        Ok(found)
    }

    async fn status(&self) -> Result<String, FhirError> {
        Ok(format!("{} patients held in memory", self.order.len()))
    }
}

fn collect_json_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), FhirError> {
    let io = |cause| FhirError::Io {
        path: dir.display().to_string(),
        cause,
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.is_dir() {
            collect_json_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}

fn read_bundle(
    name: &str,
    bytes: &[u8],
    index: &mut Index,
    report: &mut LoadReport,
) -> Result<(), FhirError> {
    let not_bundle = |reason: String| FhirError::NotABundle {
        path: name.to_string(),
        reason,
    };
    let bundle: BundleShape =
        serde_json::from_slice(bytes).map_err(|e| not_bundle(e.to_string()))?;
    match bundle.resource_type.as_deref() {
        Some("Bundle") => {}
        // A lone resource (an extract of single files) is read as a bundle of one.
        Some(_) => {
            let json = std::str::from_utf8(bytes).map_err(|e| not_bundle(e.to_string()))?;
            match parse_resource(json) {
                Ok(Some(resource)) => {
                    report.resources += 1;
                    index.insert(None, resource);
                }
                Ok(None) => {}
                Err(e) => report.problems.push(format!("{name}: {e}")),
            }
            return Ok(());
        }
        None => return Err(not_bundle("it has no resourceType".into())),
    }
    for (i, entry) in bundle.entry.iter().enumerate() {
        let Some(raw) = entry.resource else { continue };
        match parse_resource(raw.get()) {
            Ok(Some(resource)) => {
                report.resources += 1;
                index.insert(entry.full_url.clone(), resource);
            }
            Ok(None) => {}
            Err(e) => {
                report.problems.push(format!("{name}: entry {i}: {e}"));
                // Kept, so the patient it is about shows `?` and the detail pane says why.
                index.insert(entry.full_url.clone(), unreadable(raw.get(), e));
            }
        }
    }
    Ok(())
}

/// What can be learnt of a resource that does not parse: its type, id and patient.
fn unreadable(json: &str, reason: String) -> Resource {
    let v: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
    let reference = |key: &str| {
        v[key]["reference"].as_str().map(|r| r4::Reference {
            reference: Some(r.to_string()),
            display: None,
        })
    };
    Resource::Unreadable {
        kind: v["resourceType"].as_str().unwrap_or("?").to_string(),
        id: v["id"].as_str().map(str::to_string),
        patient: reference("subject").or_else(|| reference("patient")),
        reason,
    }
}

/// Parses the resource types wardround reads; `Ok(None)` for the others.
fn parse_resource(json: &str) -> Result<Option<Resource>, String> {
    let kind: TypeOnly = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let kind = kind.resource_type.unwrap_or_default();
    let err = |e: serde_json::Error| format!("{kind}: {e}");
    Ok(Some(match kind.as_str() {
        "Patient" => Resource::Patient(serde_json::from_str::<r4::Patient>(json).map_err(err)?),
        "Encounter" => {
            Resource::Encounter(serde_json::from_str::<r4::Encounter>(json).map_err(err)?)
        }
        "Location" => Resource::Location(serde_json::from_str::<r4::Location>(json).map_err(err)?),
        "Condition" => {
            Resource::Condition(serde_json::from_str::<r4::Condition>(json).map_err(err)?)
        }
        "AllergyIntolerance" => {
            Resource::Allergy(serde_json::from_str::<r4::AllergyIntolerance>(json).map_err(err)?)
        }
        "Observation" => {
            Resource::Observation(serde_json::from_str::<r4::Observation>(json).map_err(err)?)
        }
        "Practitioner" => Resource::Practitioner(serde_json::from_str(json).map_err(err)?),
        "CareTeam" => Resource::CareTeam(serde_json::from_str(json).map_err(err)?),
        "Flag" => Resource::Flag(serde_json::from_str(json).map_err(err)?),
        "NutritionOrder" => Resource::NutritionOrder(serde_json::from_str(json).map_err(err)?),
        // DSTU2's MedicationOrder is read as the MedicationRequest that replaced it.
        "MedicationRequest" | "MedicationOrder" => {
            Resource::MedicationRequest(serde_json::from_str(json).map_err(err)?)
        }
        "Medication" => Resource::Medication(serde_json::from_str(json).map_err(err)?),
        _ => return Ok(None),
    }))
}
