//! A ward's census from the EHR: who is in a location (a ward, and the rooms and beds that
//! are part of it) now, by their in-progress inpatient stays. The list a ward rounds on,
//! without anyone keeping it by hand.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::http::HttpSource;
use super::{r4, FhirError};
use crate::model::PatientSummary;

/// Which location: its FHIR id, an identifier (`system|value`), or its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "by", content = "value")]
pub enum LocationRef {
    Id(String),
    Identifier(String),
    Name(String),
}

impl LocationRef {
    /// `Location/ID` is an id, `system|value` an identifier, anything else a name (tried
    /// as an id when no location has that name).
    pub fn parse(text: &str) -> LocationRef {
        let text = text.trim();
        if let Some(id) = text.strip_prefix("Location/") {
            LocationRef::Id(id.to_string())
        } else if text.contains('|') {
            LocationRef::Identifier(text.to_string())
        } else {
            LocationRef::Name(text.to_string())
        }
    }
}

impl std::fmt::Display for LocationRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LocationRef::Id(id) => write!(f, "Location/{id}"),
            LocationRef::Identifier(i) => write!(f, "location with identifier {i}"),
            LocationRef::Name(n) => write!(f, "location named \"{n}\""),
        }
    }
}

/// Who is in a location now.
#[derive(Debug, Clone, PartialEq)]
pub struct Census {
    pub location_id: String,
    pub location_name: String,
    /// In the EHR's order, one per patient.
    pub entries: Vec<CensusEntry>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CensusEntry {
    pub patient_id: String,
    pub encounter_id: Option<String>,
    /// The bed (or room) the stay is in, by name, when the EHR says.
    pub bed: Option<String>,
    /// The patient, when the EHR sent them with the stays (`_include`).
    pub patient: Option<PatientSummary>,
}

/// Locations below a ward followed down this many levels (ward → room → bed, and a bay).
const DEPTH: usize = 4;
/// Locations one census may cover: a ward, not a hospital.
const MOST_LOCATIONS: usize = 1_000;
/// Ids per search (`location=a,b,…`), to keep URLs short.
const IDS_PER_SEARCH: usize = 40;

impl HttpSource {
    pub(super) async fn read_census(&self, location: &LocationRef) -> Result<Census, FhirError> {
        let (ward_id, ward_name) = self.find_location(location).await?;
        let mut names: HashMap<String, String> =
            HashMap::from([(ward_id.clone(), ward_name.clone())]);
        let mut frontier = vec![ward_id.clone()];
        for _ in 0..DEPTH {
            let mut next = Vec::new();
            for ids in frontier.chunks(IDS_PER_SEARCH) {
                for l in self
                    .locations(&format!("Location?partof={}&_count=100", ids.join(",")))
                    .await?
                {
                    let Some(id) = l.id.clone() else { continue };
                    if !names.contains_key(&id) && names.len() < MOST_LOCATIONS {
                        names.insert(id.clone(), l.name.clone().unwrap_or_else(|| id.clone()));
                        next.push(id);
                    }
                }
            }
            if next.is_empty() {
                break;
            }
            frontier = next;
        }
        let include = if self.offers_include("Encounter", "Encounter:patient") {
            "&_include=Encounter:patient"
        } else {
            ""
        };
        let ids: Vec<&String> = names.keys().collect();
        let mut entries: Vec<CensusEntry> = Vec::new();
        let mut patients: HashMap<String, PatientSummary> = HashMap::new();
        let now = chrono::Utc::now();
        for chunk in ids.chunks(IDS_PER_SEARCH) {
            let joined: Vec<&str> = chunk.iter().map(|s| s.as_str()).collect();
            let query = format!(
                "Encounter?location={}&status=in-progress&_count=100{include}",
                joined.join(",")
            );
            let mut found = Vec::new();
            self.search_pages(&query, &mut found).await?;
            for (_, json) in found {
                let v: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
                match v["resourceType"].as_str() {
                    Some("Patient") => {
                        if let Ok(p) = serde_json::from_value::<r4::Patient>(v) {
                            if let Some(id) = p.id.clone() {
                                patients.insert(id.clone(), super::summary(&id, &p, now));
                            }
                        }
                    }
                    Some("Encounter") => {
                        let Ok(e) = serde_json::from_value::<r4::Encounter>(v) else {
                            continue;
                        };
                        if let Some(entry) = entry_of(&e, &names) {
                            entries.push(entry);
                        }
                    }
                    _ => {}
                }
            }
        }
        // One row a patient, though a server may list a stay under each of its locations.
        let mut seen = HashSet::new();
        entries.retain(|e| seen.insert(e.patient_id.clone()));
        for e in &mut entries {
            e.patient = patients.get(&e.patient_id).cloned();
        }
        Ok(Census {
            location_id: ward_id,
            location_name: ward_name,
            entries,
        })
    }

    /// The location meant, as (id, name); a clear error when none or several are.
    async fn find_location(&self, location: &LocationRef) -> Result<(String, String), FhirError> {
        let named = |l: &r4::Location| {
            let id = l.id.clone().unwrap_or_default();
            let name = l.name.clone().unwrap_or_else(|| id.clone());
            (id, name)
        };
        let one = |found: Vec<r4::Location>| -> Result<(String, String), FhirError> {
            match found.as_slice() {
                [l] => Ok(named(l)),
                [] => Err(FhirError::Ehr(format!("the EHR has no {location}"))),
                many => Err(FhirError::Ehr(format!(
                    "more than one {location} in the EHR ({}): {}; name it by id (Location/ID)",
                    many.len(),
                    many.iter()
                        .map(|l| format!("Location/{}", named(l).0))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))),
            }
        };
        match location {
            LocationRef::Id(id) => self.location_by_id(id, location).await,
            LocationRef::Identifier(identifier) => {
                let query = format!("Location?identifier={}", encode(identifier));
                one(self.locations(&query).await?)
            }
            LocationRef::Name(name) => {
                let query = format!("Location?name={}&_count=100", encode(name));
                let wanted = name.to_lowercase();
                // Servers match names by prefix: hold them to the name itself.
                let exact: Vec<r4::Location> = self
                    .locations(&query)
                    .await?
                    .into_iter()
                    .filter(|l| {
                        l.name
                            .as_deref()
                            .is_some_and(|n| n.to_lowercase() == wanted)
                            || l.alias.iter().any(|a| a.to_lowercase() == wanted)
                    })
                    .collect();
                if exact.is_empty() && super::http::is_fhir_id(name) {
                    return self.location_by_id(name, location).await;
                }
                one(exact)
            }
        }
    }

    async fn location_by_id(
        &self,
        id: &str,
        asked: &LocationRef,
    ) -> Result<(String, String), FhirError> {
        if !super::http::is_fhir_id(id) {
            return Err(FhirError::Ehr(format!("\"{id}\" is not a FHIR id")));
        }
        let json = self
            .read_resource("Location", id)
            .await?
            .ok_or_else(|| FhirError::Ehr(format!("the EHR has no {asked}")))?;
        let l: r4::Location = serde_json::from_str(&json)
            .map_err(|e| FhirError::Ehr(format!("Location/{id} could not be read: {e}")))?;
        Ok((id.to_string(), l.name.unwrap_or_else(|| id.to_string())))
    }

    /// The Locations a search finds.
    async fn locations(&self, query: &str) -> Result<Vec<r4::Location>, FhirError> {
        let mut found = Vec::new();
        self.search_pages(query, &mut found).await?;
        Ok(found
            .iter()
            .filter_map(|(_, json)| serde_json::from_str::<serde_json::Value>(json).ok())
            .filter(|v| v["resourceType"] == "Location")
            .filter_map(|v| serde_json::from_value(v).ok())
            .collect())
    }
}

/// A census row from a stay: in progress, inpatient, in one of `locations`.
fn entry_of(e: &r4::Encounter, locations: &HashMap<String, String>) -> Option<CensusEntry> {
    if e.status.as_deref() != Some("in-progress") || !super::chart::is_inpatient(e) {
        return None;
    }
    let subject = e
        .subject
        .reference
        .as_deref()
        .or(e.patient.reference.as_deref())?;
    let patient_id = super::http::typed_id(subject, "Patient")?;
    // The deepest of its locations here: the bed rather than the ward.
    let bed = e
        .location
        .iter()
        .rev()
        .filter(|l| l.status.as_deref().is_none_or(|s| s == "active"))
        .filter_map(|l| super::http::typed_id(l.location.reference.as_deref()?, "Location"))
        .find_map(|id| locations.get(&id).cloned());
    Some(CensusEntry {
        patient_id,
        encounter_id: e.id.clone(),
        bed,
        patient: None,
    })
}

/// A search parameter's value, percent-encoded (all but unreserved characters).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            b => format!("%{b:02X}"),
        })
        .collect()
}
