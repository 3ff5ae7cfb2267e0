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
#[derive(Debug, Clone)]
pub struct Census {
    /// How to name this place to find it again (`Location/ID`; a name for bundles).
    pub reference: String,
    pub location_id: String,
    pub location_name: String,
    /// In the EHR's order, one per patient.
    pub entries: Vec<CensusEntry>,
}

#[derive(Debug, Clone)]
pub struct CensusEntry {
    pub patient_id: String,
    pub encounter_id: Option<String>,
    /// The bed (or room) the stay is in, by name, when the EHR says.
    pub bed: Option<String>,
    /// The patient, when the EHR sent them with the stays (`_include`).
    pub patient: Option<r4::Patient>,
}

impl CensusEntry {
    /// What a search would show of the patient, when the EHR sent them.
    pub fn summary(&self) -> Option<PatientSummary> {
        let p = self.patient.as_ref()?;
        Some(super::summary(&self.patient_id, p, chrono::Utc::now()))
    }

    /// A chart of what the census said (the patient and their bed), to show until the
    /// patient's own chart is read: names and beds at once on a list never read before.
    pub fn stand_in(&self, ward: &str) -> Option<super::PatientChart> {
        if self.patient.is_none() && self.bed.is_none() {
            return None;
        }
        // Without the patient (no `_include`, or the EHR lacks them), the bed alone.
        let patient = self.patient.clone().unwrap_or_else(|| r4::Patient {
            id: Some(self.patient_id.clone()),
            ..Default::default()
        });
        Some(super::PatientChart {
            id: self.patient_id.clone(),
            patient,
            encounter: None,
            bed: self.bed.as_ref().map(|label| super::Bed {
                label: label.clone(),
                room: None,
                ward: Some(ward.to_string()),
            }),
            reason: None,
            readings: HashMap::new(),
            care: Default::default(),
            read_at: chrono::Utc::now(),
            unreadable: Vec::new(),
        })
    }
}

/// A location a ward search found, to choose the ward a census list follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FoundLocation {
    /// `Location/ID`: what to make the census list with.
    pub reference: String,
    pub name: String,
    /// What kind of place (ward, room, bed), when the EHR says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The location it is part of, when the EHR says (by reference or name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part_of: Option<String>,
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
        let mut patients: HashMap<String, r4::Patient> = HashMap::new();
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
                                patients.insert(id, p);
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
        // Without `_include`, the patients in searches of their own: names at once all
        // the same, in a request per forty rather than one each.
        if include.is_empty() {
            let ids: Vec<&str> = entries.iter().map(|e| e.patient_id.as_str()).collect();
            for chunk in ids.chunks(IDS_PER_SEARCH) {
                let mut found = Vec::new();
                let query = format!("Patient?_id={}&_count=100", chunk.join(","));
                // Names are a convenience here: the charts bring them anyway.
                if self.search_pages(&query, &mut found).await.is_err() {
                    break;
                }
                for (_, json) in found {
                    if let Ok(p) = serde_json::from_str::<r4::Patient>(&json) {
                        if let Some(id) = p.id.clone() {
                            patients.insert(id, p);
                        }
                    }
                }
            }
        }
        for e in &mut entries {
            e.patient = patients.get(&e.patient_id).cloned();
        }
        Ok(Census {
            reference: format!("Location/{ward_id}"),
            location_id: ward_id,
            location_name: ward_name,
            entries,
        })
    }

    /// Locations whose name starts with `name` (the EHR's own matching), wards first.
    pub(super) async fn find_locations(&self, name: &str) -> Result<Vec<FoundLocation>, FhirError> {
        self.version().await?;
        let query = format!("Location?name={}&_count=50", encode(name.trim()));
        let mut found: Vec<FoundLocation> = self
            .locations(&query)
            .await?
            .into_iter()
            .filter_map(|l| {
                let id = l.id.clone()?;
                let kind = l.physical_type.as_ref().and_then(|t| {
                    t.text
                        .clone()
                        .or_else(|| t.coding.iter().find_map(|c| c.display.clone()))
                        .or_else(|| {
                            t.coding
                                .iter()
                                .find_map(|c| physical_type_word(c.code.as_deref()?))
                                .map(str::to_string)
                        })
                });
                Some(FoundLocation {
                    reference: format!("Location/{id}"),
                    name: l.name.clone().unwrap_or(id),
                    kind,
                    part_of: l
                        .part_of
                        .as_ref()
                        .and_then(|r| r.display.clone().or_else(|| r.reference.clone())),
                })
            })
            .collect();
        // What each is part of, by name: `in 4 West`, not `in Location/ward-4w`.
        let named: HashMap<String, String> = found
            .iter()
            .map(|l| (l.reference.clone(), l.name.clone()))
            .collect();
        for l in &mut found {
            let Some(within) = l.part_of.clone() else {
                continue;
            };
            if let Some(name) = named.get(&within) {
                l.part_of = Some(name.clone());
            } else if let Some(id) = within.strip_prefix("Location/") {
                if let Ok(Some(json)) = self.read_resource("Location", id).await {
                    if let Ok(parent) = serde_json::from_str::<r4::Location>(&json) {
                        l.part_of = parent.name.or(l.part_of.take());
                    }
                }
            }
        }
        // A ward (part of nothing here, or called one) before its rooms and beds.
        let rank = |l: &FoundLocation| {
            let ward = l
                .kind
                .as_deref()
                .is_some_and(|k| k.eq_ignore_ascii_case("ward"));
            (!ward, l.part_of.is_some())
        };
        // Bed 4W-2 before 4W-10.
        found.sort_by(|a, b| {
            rank(a).cmp(&rank(b)).then_with(|| {
                crate::model::natural_cmp(&a.name.to_lowercase(), &b.name.to_lowercase())
            })
        });
        Ok(found)
    }

    /// The patients of an EHR's own list: `List/ID`, or a search (`List?code=…`) that
    /// finds exactly one List. Its `title` names it; entries that are not patients, or are
    /// marked deleted, are left out.
    pub(super) async fn read_patient_list(&self, reference: &str) -> Result<Census, FhirError> {
        self.version().await?;
        let reference = reference.trim();
        let (id, json) = if let Some(id) = reference.strip_prefix("List/") {
            if !super::http::is_fhir_id(id) {
                return Err(FhirError::NoSuch(format!("\"{id}\" is not a FHIR id")));
            }
            let json = self
                .read_resource("List", id)
                .await?
                .ok_or_else(|| FhirError::NoSuch(format!("the EHR has no List/{id}")))?;
            (id.to_string(), json)
        } else if let Some(query) = reference.strip_prefix("List?") {
            if query.is_empty() || query.contains(['#', ' ']) {
                return Err(FhirError::Ehr(format!(
                    "\"{reference}\" is not a List search"
                )));
            }
            let mut found = Vec::new();
            self.search_pages(&format!("List?{query}"), &mut found)
                .await?;
            let lists: Vec<(Option<String>, String)> = found
                .into_iter()
                .filter(|(_, json)| {
                    serde_json::from_str::<serde_json::Value>(json)
                        .is_ok_and(|v| v["resourceType"] == "List")
                })
                .collect();
            match lists.as_slice() {
                [(_, json)] => {
                    let v: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
                    (
                        v["id"].as_str().unwrap_or_default().to_string(),
                        json.clone(),
                    )
                }
                [] => {
                    return Err(FhirError::NoSuch(format!(
                        "the EHR has no List matching {query}"
                    )))
                }
                many => {
                    return Err(FhirError::NoSuch(format!(
                        "{} Lists match {query}: name one by id (List/ID)",
                        many.len()
                    )))
                }
            }
        } else {
            return Err(FhirError::Ehr(format!(
                "\"{reference}\" is neither List/ID nor a List?… search"
            )));
        };
        let list: r4::List = serde_json::from_str(&json)
            .map_err(|e| FhirError::Ehr(format!("List/{id} could not be read: {e}")))?;
        let mut seen = HashSet::new();
        let entries = list
            .entry
            .iter()
            .filter(|e| e.deleted != Some(true))
            .filter_map(|e| super::http::typed_id(e.item.reference.as_deref()?, "Patient"))
            .filter(|p| seen.insert(p.clone()))
            .map(|patient_id| CensusEntry {
                patient_id,
                encounter_id: None,
                bed: None,
                patient: None,
            })
            .collect();
        Ok(Census {
            reference: reference.to_string(),
            location_name: list.title.unwrap_or_else(|| format!("List/{id}")),
            location_id: id,
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
                [] => Err(FhirError::NoSuch(format!("the EHR has no {location}"))),
                many => Err(FhirError::NoSuch(format!(
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
            return Err(FhirError::NoSuch(format!("\"{id}\" is not a FHIR id")));
        }
        let json = self
            .read_resource("Location", id)
            .await?
            .ok_or_else(|| FhirError::NoSuch(format!("the EHR has no {asked}")))?;
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

/// The word for a location-physical-type code.
fn physical_type_word(code: &str) -> Option<&'static str> {
    Some(match code {
        "si" => "site",
        "bu" => "building",
        "wi" => "wing",
        "wa" => "ward",
        "lvl" => "level",
        "co" => "corridor",
        "ro" => "room",
        "bd" => "bed",
        "area" => "area",
        _ => return None,
    })
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
