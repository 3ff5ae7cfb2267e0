//! Lenient serde models of the FHIR R4 resources wardround reads. Every field is optional
//! and unknown fields are ignored: real EHR data breaks the rules, and a missing field
//! must show as an empty cell, not a failed list.

use serde::{Deserialize, Deserializer};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Reference {
    pub reference: Option<String>,
    pub display: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Coding {
    pub system: Option<String>,
    pub code: Option<String>,
    pub display: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CodeableConcept {
    pub coding: Vec<Coding>,
    pub text: Option<String>,
}

impl CodeableConcept {
    pub fn has_code(&self, system: &str, code: &str) -> bool {
        self.coding
            .iter()
            .any(|c| c.system.as_deref() == Some(system) && c.code.as_deref() == Some(code))
    }

    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.coding.iter().filter_map(|c| c.code.as_deref())
    }

    /// The words a clinician would read: the text, else the first coding's display.
    pub fn label(&self) -> Option<&str> {
        self.text
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .or_else(|| self.coding.iter().find_map(|c| c.display.as_deref()))
            .or_else(|| self.coding.iter().find_map(|c| c.code.as_deref()))
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Identifier {
    #[serde(rename = "type")]
    pub kind: Option<CodeableConcept>,
    pub system: Option<String>,
    pub value: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HumanName {
    #[serde(rename = "use")]
    pub usage: Option<String>,
    pub text: Option<String>,
    /// A string in R4; DSTU2 sends an array.
    #[serde(deserialize_with = "string_or_list")]
    pub family: Option<String>,
    pub given: Vec<String>,
}

/// A list field some servers send as a single object (DSTU2 `Encounter.reason` in the wild).
fn one_or_many<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany<T> {
        Many(Vec<T>),
        One(T),
    }
    Ok(match Option::<OneOrMany<T>>::deserialize(d)? {
        None => Vec::new(),
        Some(OneOrMany::Many(v)) => v,
        Some(OneOrMany::One(t)) => vec![t],
    })
}

fn string_or_list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match Option::<OneOrMany>::deserialize(d)? {
        None => None,
        Some(OneOrMany::One(s)) => Some(s),
        Some(OneOrMany::Many(v)) if v.is_empty() => None,
        Some(OneOrMany::Many(v)) => Some(v.join(" ")),
    })
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Period {
    pub start: Option<String>,
    pub end: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Quantity {
    pub value: Option<f64>,
    pub unit: Option<String>,
    pub code: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Patient {
    pub id: Option<String>,
    pub identifier: Vec<Identifier>,
    pub name: Vec<HumanName>,
    pub gender: Option<String>,
    pub birth_date: Option<String>,
    pub deceased_date_time: Option<String>,
    /// `careProvider` in DSTU2.
    #[serde(alias = "careProvider")]
    pub general_practitioner: Vec<Reference>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EncounterLocation {
    pub location: Reference,
    pub status: Option<String>,
    pub physical_type: Option<CodeableConcept>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EncounterDiagnosis {
    pub condition: Reference,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Encounter {
    pub id: Option<String>,
    pub status: Option<String>,
    /// A Coding in R4, but CodeableConcept-shaped or bare codes elsewhere: read loosely.
    pub class: Option<serde_json::Value>,
    pub subject: Reference,
    pub patient: Reference,
    pub period: Period,
    /// `reason` before R4.
    #[serde(alias = "reason", deserialize_with = "one_or_many")]
    pub reason_code: Vec<CodeableConcept>,
    pub reason_reference: Vec<Reference>,
    pub diagnosis: Vec<EncounterDiagnosis>,
    pub location: Vec<EncounterLocation>,
    pub participant: Vec<EncounterParticipant>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EncounterParticipant {
    #[serde(rename = "type", deserialize_with = "one_or_many")]
    pub kind: Vec<CodeableConcept>,
    pub individual: Reference,
}

impl Encounter {
    pub fn class_code(&self) -> Option<&str> {
        let class = self.class.as_ref()?;
        class
            .get("code")
            .and_then(|c| c.as_str())
            .or_else(|| class.get("coding")?.get(0)?.get("code")?.as_str())
            .or_else(|| class.as_str())
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Location {
    pub id: Option<String>,
    pub identifier: Vec<Identifier>,
    pub name: Option<String>,
    pub alias: Vec<String>,
    pub physical_type: Option<CodeableConcept>,
    pub part_of: Option<Reference>,
}

/// An EHR's list of things (here, of patients: a team's or a ward's list).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct List {
    pub id: Option<String>,
    pub title: Option<String>,
    pub entry: Vec<ListEntry>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ListEntry {
    pub item: Reference,
    pub deleted: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Condition {
    pub id: Option<String>,
    pub subject: Reference,
    pub patient: Reference,
    pub code: Option<CodeableConcept>,
    /// CodeableConcept in R4, a bare code before it.
    pub clinical_status: Option<serde_json::Value>,
    pub verification_status: Option<serde_json::Value>,
    pub abatement_date_time: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AllergyIntolerance {
    pub id: Option<String>,
    pub patient: Reference,
    /// `substance` in DSTU2.
    #[serde(alias = "substance")]
    pub code: Option<CodeableConcept>,
    pub criticality: Option<String>,
    /// CodeableConcept in R4, a bare code in STU3.
    pub clinical_status: Option<serde_json::Value>,
    pub verification_status: Option<serde_json::Value>,
    /// DSTU2's single status.
    pub status: Option<String>,
}

/// A status that is a CodeableConcept in R4 and a bare code before: its code.
pub fn status_code(v: &Option<serde_json::Value>) -> Option<&str> {
    let v = v.as_ref()?;
    v.as_str()
        .or_else(|| v.get("coding")?.get(0)?.get("code")?.as_str())
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Practitioner {
    pub id: Option<String>,
    /// A list in R4 and STU3; one name in DSTU2.
    #[serde(deserialize_with = "one_or_many")]
    pub name: Vec<HumanName>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CareTeamParticipant {
    #[serde(deserialize_with = "one_or_many")]
    pub role: Vec<CodeableConcept>,
    pub member: Reference,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CareTeam {
    pub id: Option<String>,
    pub status: Option<String>,
    pub subject: Reference,
    pub participant: Vec<CareTeamParticipant>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Flag {
    pub id: Option<String>,
    pub status: Option<String>,
    /// A list in R4; one concept before.
    #[serde(deserialize_with = "one_or_many")]
    pub category: Vec<CodeableConcept>,
    pub code: CodeableConcept,
    pub subject: Reference,
    pub patient: Reference,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OralDiet {
    #[serde(rename = "type", deserialize_with = "one_or_many")]
    pub kind: Vec<CodeableConcept>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NutritionOrder {
    pub id: Option<String>,
    pub status: Option<String>,
    pub patient: Reference,
    pub oral_diet: Option<OralDiet>,
}

/// MedicationRequest (STU3, R4) and DSTU2's MedicationOrder, which differ little here.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MedicationRequest {
    pub id: Option<String>,
    pub status: Option<String>,
    pub subject: Reference,
    pub patient: Reference,
    pub medication_codeable_concept: Option<CodeableConcept>,
    pub medication_reference: Option<Reference>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Medication {
    pub id: Option<String>,
    pub code: Option<CodeableConcept>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ObservationComponent {
    pub code: CodeableConcept,
    pub value_quantity: Option<Quantity>,
    pub value_codeable_concept: Option<CodeableConcept>,
    pub value_integer: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Observation {
    pub id: Option<String>,
    pub status: Option<String>,
    pub code: CodeableConcept,
    pub subject: Reference,
    pub effective_date_time: Option<String>,
    pub effective_instant: Option<String>,
    pub effective_period: Option<Period>,
    pub issued: Option<String>,
    pub value_quantity: Option<Quantity>,
    pub value_codeable_concept: Option<CodeableConcept>,
    pub value_integer: Option<i64>,
    pub value_string: Option<String>,
    pub component: Vec<ObservationComponent>,
}

impl Observation {
    pub fn effective(&self) -> Option<&str> {
        self.effective_date_time
            .as_deref()
            .or(self.effective_instant.as_deref())
            .or_else(|| self.effective_period.as_ref()?.start.as_deref())
            .or(self.issued.as_deref())
    }
}
