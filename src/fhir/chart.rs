//! One patient's resources, gathered and resolved: what the columns are computed from.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::care::{self, Care};
use super::datetime::parse_instant;
use super::index::{Index, Resource};
use super::r4;

/// Where the patient lies: the bed's label and the room and ward it is part of.
#[derive(Debug, Clone, PartialEq)]
pub struct Bed {
    pub label: String,
    pub room: Option<String>,
    pub ward: Option<String>,
}

/// One reading of one observation code.
#[derive(Debug, Clone)]
pub struct Vital {
    pub value: Option<f64>,
    pub unit: Option<String>,
    pub concept: Option<r4::CodeableConcept>,
    pub text: Option<String>,
    pub at: DateTime<Utc>,
}

/// Readings kept per code: the latest and a short trend for the detail pane.
pub const TREND: usize = 5;

#[derive(Debug, Clone)]
pub struct PatientChart {
    pub id: String,
    pub patient: r4::Patient,
    /// The current inpatient stay, if the patient is admitted.
    pub encounter: Option<r4::Encounter>,
    pub bed: Option<Bed>,
    pub reason: Option<String>,
    /// The latest readings per observation code (LOINC or SNOMED CT), newest first,
    /// components included, at most [`TREND`] each.
    pub readings: HashMap<String, Vec<Vital>>,
    pub care: Care,
    /// When this chart was read from the EHR.
    pub read_at: DateTime<Utc>,
    /// Records about this patient the EHR sent that could not be read: (type, why).
    pub unreadable: Vec<(String, String)>,
}

impl PatientChart {
    pub fn admitted_at(&self) -> Option<DateTime<Utc>> {
        parse_instant(self.encounter.as_ref()?.period.start.as_deref()?)
    }

    pub fn latest(&self, code: &str) -> Option<&Vital> {
        self.readings.get(code)?.first()
    }

    pub fn trend(&self, code: &str) -> &[Vital] {
        self.readings
            .get(code)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
}

/// Inpatient classes across versions and vendors (R4 ActCode, STU3 free codes).
pub(super) fn is_inpatient(encounter: &r4::Encounter) -> bool {
    matches!(
        encounter
            .class_code()
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("imp" | "acute" | "nonac" | "inpatient" | "inpatient encounter")
    )
}

pub(super) fn build_charts(index: &Index, read_at: DateTime<Utc>) -> Vec<PatientChart> {
    let mut owned: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, r) in index.resources().iter().enumerate() {
        if let Some(p) = r.patient_ref().and_then(|r| index.resolve(r)) {
            owned.entry(p).or_default().push(i);
        }
    }
    let mut charts = Vec::new();
    for (pi, resource) in index.resources().iter().enumerate() {
        let Resource::Patient(patient) = resource else {
            continue;
        };
        let Some(id) = patient.id.clone() else {
            continue;
        };
        let mine = owned.get(&pi).map(Vec::as_slice).unwrap_or_default();
        charts.push(chart_for(index, id, patient.clone(), mine, read_at));
    }
    charts
}

fn chart_for(
    index: &Index,
    id: String,
    patient: r4::Patient,
    mine: &[usize],
    read_at: DateTime<Utc>,
) -> PatientChart {
    let mut encounter: Option<&r4::Encounter> = None;
    let mut readings: HashMap<String, Vec<Vital>> = HashMap::new();
    let mut unreadable = Vec::new();
    for &i in mine {
        match &index.resources()[i] {
            Resource::Encounter(e)
                if e.status.as_deref() == Some("in-progress") && is_inpatient(e) =>
            {
                let start = |e: &r4::Encounter| e.period.start.as_deref().and_then(parse_instant);
                if encounter.is_none_or(|cur| start(e) > start(cur)) {
                    encounter = Some(e);
                }
            }
            Resource::Observation(o) => record_observation(o, &mut readings),
            Resource::Unreadable {
                kind, id, reason, ..
            } => {
                let what = id
                    .as_ref()
                    .map_or_else(|| kind.clone(), |id| format!("{kind}/{id}"));
                unreadable.push((kind.clone(), format!("{what}: {reason}")));
            }
            _ => {}
        }
    }
    let bed = encounter.and_then(|e| bed_of(index, e));
    let reason = encounter.and_then(|e| reason_of(index, e));
    let care = care::summarise(index, &patient, encounter, mine);
    PatientChart {
        id,
        patient,
        encounter: encounter.cloned(),
        bed,
        reason,
        readings,
        care,
        read_at,
        unreadable,
    }
}

fn record_observation(o: &r4::Observation, readings: &mut HashMap<String, Vec<Vital>>) {
    if matches!(o.status.as_deref(), Some("entered-in-error" | "cancelled")) {
        return;
    }
    let Some(at) = o.effective().and_then(parse_instant) else {
        return;
    };
    let mut keep = |code: &str,
                    value: Option<&r4::Quantity>,
                    int: Option<i64>,
                    concept: Option<&r4::CodeableConcept>,
                    text: Option<&String>| {
        let vital = Vital {
            value: value.and_then(|q| q.value).or(int.map(|i| i as f64)),
            unit: value.and_then(|q| q.unit.clone().or_else(|| q.code.clone())),
            concept: concept.cloned(),
            text: text.cloned(),
            at,
        };
        // A reading with a dataAbsentReason and no value says nothing to score.
        if vital.value.is_none() && vital.concept.is_none() && vital.text.is_none() {
            return;
        }
        let list = readings.entry(code.to_string()).or_default();
        let pos = list.iter().position(|v| v.at < at).unwrap_or(list.len());
        list.insert(pos, vital);
        list.truncate(TREND);
    };
    for code in o.code.codes() {
        keep(
            code,
            o.value_quantity.as_ref(),
            o.value_integer,
            o.value_codeable_concept.as_ref(),
            o.value_string.as_ref(),
        );
    }
    for c in &o.component {
        for code in c.code.codes() {
            keep(
                code,
                c.value_quantity.as_ref(),
                c.value_integer,
                c.value_codeable_concept.as_ref(),
                None,
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
