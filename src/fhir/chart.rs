//! One patient's resources, gathered and resolved: what the columns are computed from.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::datetime::parse_instant;
use super::r4;

pub(super) enum Resource {
    Patient(r4::Patient),
    Encounter(r4::Encounter),
    Location(r4::Location),
    Condition(r4::Condition),
    Allergy(r4::AllergyIntolerance),
    Observation(r4::Observation),
}

impl Resource {
    fn type_name(&self) -> &'static str {
        match self {
            Resource::Patient(_) => "Patient",
            Resource::Encounter(_) => "Encounter",
            Resource::Location(_) => "Location",
            Resource::Condition(_) => "Condition",
            Resource::Allergy(_) => "AllergyIntolerance",
            Resource::Observation(_) => "Observation",
        }
    }

    fn id(&self) -> Option<&str> {
        match self {
            Resource::Patient(r) => r.id.as_deref(),
            Resource::Encounter(r) => r.id.as_deref(),
            Resource::Location(r) => r.id.as_deref(),
            Resource::Condition(r) => r.id.as_deref(),
            Resource::Allergy(r) => r.id.as_deref(),
            Resource::Observation(r) => r.id.as_deref(),
        }
    }

    /// The reference naming the patient this resource is about.
    fn patient_ref(&self) -> Option<&r4::Reference> {
        match self {
            Resource::Encounter(r) => Some(if r.subject.reference.is_some() {
                &r.subject
            } else {
                &r.patient
            }),
            Resource::Condition(r) => Some(if r.subject.reference.is_some() {
                &r.subject
            } else {
                &r.patient
            }),
            Resource::Allergy(r) => Some(&r.patient),
            Resource::Observation(r) => Some(&r.subject),
            Resource::Patient(_) | Resource::Location(_) => None,
        }
    }
}

/// Every resource read, findable by the ways FHIR references name them.
#[derive(Default)]
pub(super) struct Index {
    resources: Vec<Resource>,
    by_key: HashMap<String, usize>,
}

impl Index {
    pub(super) fn insert(&mut self, full_url: Option<String>, resource: Resource) {
        let at = self.resources.len();
        if let Some(url) = full_url.filter(|u| !u.is_empty()) {
            self.by_key.entry(url).or_insert(at);
        }
        if let Some(id) = resource.id() {
            self.by_key
                .entry(format!("{}/{}", resource.type_name(), id))
                .or_insert(at);
        }
        self.resources.push(resource);
    }

    /// Resolves a literal (`Patient/1`, `urn:uuid:…`, an absolute URL) or conditional
    /// (`Location?identifier=system|value`) reference. Empty and contained (`#id`)
    /// references resolve to nothing.
    fn resolve(&self, reference: &r4::Reference) -> Option<usize> {
        let r = reference.reference.as_deref()?.trim();
        if r.is_empty() || r.starts_with('#') {
            return None;
        }
        if let Some(&i) = self.by_key.get(r) {
            return Some(i);
        }
        if let Some((kind, query)) = r.split_once('?') {
            return self.resolve_conditional(kind, query);
        }
        // An absolute URL to a server: its last two segments are Type/id.
        let mut segments = r.trim_end_matches('/').rsplit('/');
        let id = segments.next()?;
        let kind = segments.next()?;
        self.by_key.get(&format!("{kind}/{id}")).copied()
    }

    fn resolve_conditional(&self, kind: &str, query: &str) -> Option<usize> {
        let wanted = query
            .split('&')
            .find_map(|p| p.strip_prefix("identifier="))?;
        let (system, value) = match wanted.split_once('|') {
            Some((s, v)) => (Some(s), v),
            None => (None, wanted),
        };
        let matches = |ids: &[r4::Identifier]| {
            ids.iter().any(|i| {
                i.value.as_deref() == Some(value)
                    && system.is_none_or(|s| i.system.as_deref() == Some(s))
            })
        };
        self.resources.iter().position(|r| match r {
            Resource::Location(l) if kind == "Location" => matches(&l.identifier),
            Resource::Patient(p) if kind == "Patient" => matches(&p.identifier),
            _ => false,
        })
    }

    fn location(&self, reference: &r4::Reference) -> Option<&r4::Location> {
        match self.resources.get(self.resolve(reference)?)? {
            Resource::Location(l) => Some(l),
            _ => None,
        }
    }

    fn condition(&self, reference: &r4::Reference) -> Option<&r4::Condition> {
        match self.resources.get(self.resolve(reference)?)? {
            Resource::Condition(c) => Some(c),
            _ => None,
        }
    }
}

/// Where the patient lies: the bed's label and the room and ward it is part of.
#[derive(Debug, Clone, PartialEq)]
pub struct Bed {
    pub label: String,
    pub room: Option<String>,
    pub ward: Option<String>,
}

/// The latest reading of one observation code.
#[derive(Debug, Clone)]
pub struct Vital {
    pub value: Option<f64>,
    pub unit: Option<String>,
    pub concept: Option<r4::CodeableConcept>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct PatientChart {
    pub id: String,
    pub patient: r4::Patient,
    /// The current inpatient stay, if the patient is admitted.
    pub encounter: Option<r4::Encounter>,
    pub bed: Option<Bed>,
    pub reason: Option<String>,
    /// Latest reading per observation code (LOINC or SNOMED CT), components included.
    pub latest: HashMap<String, Vital>,
}

impl PatientChart {
    pub fn admitted_at(&self) -> Option<DateTime<Utc>> {
        parse_instant(self.encounter.as_ref()?.period.start.as_deref()?)
    }

    pub fn latest(&self, code: &str) -> Option<&Vital> {
        self.latest.get(code)
    }
}

/// Inpatient classes across versions and vendors (R4 ActCode, STU3 free codes).
fn is_inpatient(encounter: &r4::Encounter) -> bool {
    matches!(
        encounter
            .class_code()
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("imp" | "acute" | "nonac" | "inpatient" | "inpatient encounter")
    )
}

pub(super) fn build_charts(index: &Index) -> Vec<PatientChart> {
    let mut owned: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, r) in index.resources.iter().enumerate() {
        if let Some(p) = r.patient_ref().and_then(|r| index.resolve(r)) {
            owned.entry(p).or_default().push(i);
        }
    }
    let mut charts = Vec::new();
    for (pi, resource) in index.resources.iter().enumerate() {
        let Resource::Patient(patient) = resource else {
            continue;
        };
        let Some(id) = patient.id.clone() else {
            continue;
        };
        let mine = owned.get(&pi).map(Vec::as_slice).unwrap_or_default();
        charts.push(chart_for(index, id, patient.clone(), mine));
    }
    charts
}

fn chart_for(index: &Index, id: String, patient: r4::Patient, mine: &[usize]) -> PatientChart {
    let mut encounter: Option<&r4::Encounter> = None;
    let mut latest: HashMap<String, Vital> = HashMap::new();
    for &i in mine {
        match &index.resources[i] {
            Resource::Encounter(e)
                if e.status.as_deref() == Some("in-progress") && is_inpatient(e) =>
            {
                let start = |e: &r4::Encounter| e.period.start.as_deref().and_then(parse_instant);
                if encounter.is_none_or(|cur| start(e) > start(cur)) {
                    encounter = Some(e);
                }
            }
            Resource::Observation(o) => record_observation(o, &mut latest),
            _ => {}
        }
    }
    let bed = encounter.and_then(|e| bed_of(index, e));
    let reason = encounter.and_then(|e| reason_of(index, e));
    PatientChart {
        id,
        patient,
        encounter: encounter.cloned(),
        bed,
        reason,
        latest,
    }
}

fn record_observation(o: &r4::Observation, latest: &mut HashMap<String, Vital>) {
    if matches!(o.status.as_deref(), Some("entered-in-error" | "cancelled")) {
        return;
    }
    let Some(at) = o.effective().and_then(parse_instant) else {
        return;
    };
    let mut keep = |code: &str,
                    value: Option<&r4::Quantity>,
                    int: Option<i64>,
                    concept: Option<&r4::CodeableConcept>| {
        let vital = Vital {
            value: value.and_then(|q| q.value).or(int.map(|i| i as f64)),
            unit: value.and_then(|q| q.unit.clone().or_else(|| q.code.clone())),
            concept: concept.cloned(),
            at,
        };
        if vital.value.is_none() && vital.concept.is_none() {
            return;
        }
        match latest.get(code) {
            Some(v) if v.at >= at => {}
            _ => {
                latest.insert(code.to_string(), vital);
            }
        }
    };
    for code in o.code.codes() {
        keep(
            code,
            o.value_quantity.as_ref(),
            o.value_integer,
            o.value_codeable_concept.as_ref(),
        );
    }
    for c in &o.component {
        for code in c.code.codes() {
            keep(
                code,
                c.value_quantity.as_ref(),
                c.value_integer,
                c.value_codeable_concept.as_ref(),
            );
        }
    }
}

const PHYSICAL_TYPE: &str = "http://terminology.hl7.org/CodeSystem/location-physical-type";

fn physical_type(l: &r4::Location) -> Option<&str> {
    l.physical_type
        .as_ref()?
        .coding
        .iter()
        .find_map(|c| c.code.as_deref())
}

fn location_label(l: &r4::Location) -> Option<String> {
    l.name
        .clone()
        .or_else(|| l.alias.first().cloned())
        .filter(|s| !s.trim().is_empty())
}

fn bed_of(index: &Index, encounter: &r4::Encounter) -> Option<Bed> {
    // Prefer the entry the EHR marks as the active bed; else any active place; else the first.
    let entries = &encounter.location;
    let is_bed = |e: &&r4::EncounterLocation| {
        e.physical_type
            .as_ref()
            .is_some_and(|t| t.has_code(PHYSICAL_TYPE, "bd"))
            || index.location(&e.location).and_then(physical_type) == Some("bd")
    };
    let active = |e: &&r4::EncounterLocation| e.status.as_deref().is_none_or(|s| s == "active");
    let entry = entries
        .iter()
        .filter(active)
        .find(is_bed)
        .or_else(|| entries.iter().find(active))
        .or_else(|| entries.first())?;
    let place = index.location(&entry.location);
    let label = place
        .and_then(location_label)
        .or_else(|| entry.location.display.clone())
        .filter(|s| !s.trim().is_empty())?;
    let mut room = None;
    let mut ward = None;
    let mut parent = place.and_then(|l| l.part_of.as_ref());
    // partOf chains are short in practice; the bound guards against a cycle in bad data.
    for _ in 0..8 {
        let Some(p) = parent.and_then(|r| index.location(r)) else {
            break;
        };
        match physical_type(p) {
            Some("ro") => room = location_label(p),
            Some("wa") => ward = location_label(p),
            _ => {}
        }
        parent = p.part_of.as_ref();
    }
    Some(Bed { label, room, ward })
}

fn reason_of(index: &Index, e: &r4::Encounter) -> Option<String> {
    let from_code = e
        .reason_code
        .iter()
        .find_map(|c| c.label().map(str::to_string));
    let from_condition = || {
        e.reason_reference
            .iter()
            .chain(e.diagnosis.iter().map(|d| &d.condition))
            .find_map(|r| {
                index
                    .condition(r)
                    .and_then(|c| c.code.as_ref()?.label().map(str::to_string))
                    .or_else(|| r.display.clone())
            })
    };
    from_code.or_else(from_condition)
}
