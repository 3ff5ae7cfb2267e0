//! Summaries of a patient's care, each from the resources an EHR keeps it in: the
//! attending clinician, active problems, allergies, code status, isolation, diet and
//! active medications.

use super::columns::display_name;
use super::index::{Index, Resource};
use super::r4::{self, status_code, CodeableConcept};

/// Who is responsible, and where that came from (the column says which).
#[derive(Debug, Clone, PartialEq)]
pub struct Attending {
    pub name: String,
    pub source: AttendingSource,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttendingSource {
    /// The stay's ATND participant.
    Stay,
    CareTeam,
    /// The patient's general practitioner: not on the ward, but someone to call.
    Gp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Criticality {
    Low,
    UnableToAssess,
    High,
}

impl Criticality {
    fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "low" | "critl" => Some(Criticality::Low),
            "unable-to-assess" | "critu" => Some(Criticality::UnableToAssess),
            "high" | "crith" => Some(Criticality::High),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Criticality::Low => "low",
            Criticality::UnableToAssess => "unassessed",
            Criticality::High => "high",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Allergy {
    pub substance: String,
    pub criticality: Option<Criticality>,
}

/// What the EHR says about allergies. `recorded` separates "none known" (a record that
/// says so) from "nothing recorded", which is not the same thing on a drug round.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Allergies {
    pub active: Vec<Allergy>,
    pub none_known: bool,
    pub recorded: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Care {
    pub attending: Option<Attending>,
    /// Active problems, as labelled by the EHR.
    pub problems: Vec<String>,
    /// Whether the EHR had any Condition at all for the patient.
    pub problems_recorded: bool,
    pub allergies: Allergies,
    pub code_status: Option<String>,
    pub isolation: Option<String>,
    pub diet: Option<String>,
    pub medications: Vec<String>,
}

/// SNOMED CT "no known allergy" and its narrower siblings.
const NO_KNOWN_ALLERGY: [&str; 5] = [
    "716186003",
    "409137002",
    "428607008",
    "429625007",
    "1003774007",
];
/// LOINC codes for resuscitation status.
pub const CODE_STATUS_CODES: [&str; 2] = ["81351-9", "81352-7"];

fn is_active_status(code: Option<&str>) -> bool {
    // No status at all is read as active: that is what the EHR is showing.
    code.is_none_or(|c| {
        matches!(
            c,
            "active" | "recurrence" | "relapse" | "confirmed" | "unconfirmed"
        )
    })
}

fn refuted(v: &Option<serde_json::Value>) -> bool {
    matches!(status_code(v), Some("refuted" | "entered-in-error"))
}

fn label(c: &CodeableConcept) -> Option<String> {
    c.label().map(str::to_string)
}

fn lower_labels(c: &CodeableConcept) -> String {
    let mut words = c.text.clone().unwrap_or_default();
    for coding in &c.coding {
        words.push(' ');
        words.push_str(coding.display.as_deref().unwrap_or(""));
        words.push(' ');
        words.push_str(coding.code.as_deref().unwrap_or(""));
    }
    words.to_ascii_lowercase()
}

fn person(index: &Index, r: &r4::Reference) -> Option<String> {
    index
        .practitioner(r)
        .and_then(|p| display_name(&p.name))
        .or_else(|| r.display.clone())
        .filter(|n| !n.trim().is_empty())
}

pub(super) fn summarise(
    index: &Index,
    patient: &r4::Patient,
    stay: Option<&r4::Encounter>,
    mine: &[usize],
) -> Care {
    let mut care = Care::default();
    let mut care_team: Option<String> = None;
    for &i in mine {
        match &index.resources()[i] {
            Resource::Condition(c) => {
                care.problems_recorded = true;
                if is_active_status(status_code(&c.clinical_status))
                    && c.abatement_date_time.is_none()
                    && !refuted(&c.verification_status)
                {
                    if let Some(l) = c.code.as_ref().and_then(label) {
                        care.problems.push(l);
                    }
                }
            }
            Resource::Allergy(a) => {
                care.allergies.recorded = true;
                let status = status_code(&a.clinical_status).or(a.status.as_deref());
                let inactive = matches!(
                    status,
                    Some("inactive" | "resolved" | "refuted" | "entered-in-error")
                ) || refuted(&a.verification_status);
                if inactive {
                    continue;
                }
                let Some(code) = &a.code else { continue };
                if code.codes().any(|c| NO_KNOWN_ALLERGY.contains(&c)) {
                    care.allergies.none_known = true;
                } else if let Some(substance) = label(code) {
                    care.allergies.active.push(Allergy {
                        substance,
                        criticality: a.criticality.as_deref().and_then(Criticality::parse),
                    });
                }
            }
            Resource::CareTeam(t) if t.status.as_deref().is_none_or(|s| s == "active") => {
                // Members include the patient and relatives: only clinicians can attend.
                // (A contained `#id` Practitioner is not resolved; its display is used.)
                let clinician = |p: &&r4::CareTeamParticipant| match index.resolve(&p.member) {
                    Some(i) => matches!(index.resources()[i], Resource::Practitioner(_)),
                    None => p
                        .member
                        .reference
                        .as_deref()
                        .is_some_and(|r| r.contains("Practitioner") || r.starts_with('#')),
                };
                care_team = care_team.or_else(|| {
                    t.participant
                        .iter()
                        .filter(clinician)
                        .find_map(|p| person(index, &p.member))
                });
            }
            Resource::Flag(f) if f.status.as_deref().is_none_or(|s| s == "active") => {
                let category: String = f.category.iter().map(lower_labels).collect();
                let what = label(&f.code);
                if category.contains("advance-directive") || category.contains("advance directive")
                {
                    care.code_status = care.code_status.take().or(what);
                } else if category.contains("diet") {
                    care.diet = care.diet.take().or(what);
                } else {
                    let words = format!("{category} {}", lower_labels(&f.code));
                    if ["isolation", "precaution", "infection"]
                        .iter()
                        .any(|w| words.contains(w))
                    {
                        care.isolation = care.isolation.take().or(what);
                    }
                }
            }
            Resource::NutritionOrder(n)
                if n.status
                    .as_deref()
                    .is_none_or(|s| matches!(s, "active" | "in-progress")) =>
            {
                if let Some(diet) = n
                    .oral_diet
                    .as_ref()
                    .and_then(|d| d.kind.iter().find_map(label))
                {
                    // An order is the EHR's statement of the diet: it wins over a flag.
                    care.diet = Some(diet);
                }
            }
            Resource::MedicationRequest(m) if m.status.as_deref().is_none_or(|s| s == "active") => {
                let name = m
                    .medication_codeable_concept
                    .as_ref()
                    .and_then(label)
                    .or_else(|| {
                        m.medication_reference
                            .as_ref()
                            .and_then(|r| index.medication(r)?.code.as_ref().and_then(label))
                    })
                    .or_else(|| {
                        m.medication_reference
                            .as_ref()
                            .and_then(|r| r.display.clone())
                    });
                care.medications.extend(name);
            }
            _ => {}
        }
    }
    let attending_in_stay = stay.and_then(|e| {
        e.participant
            .iter()
            .find(|p| p.kind.iter().any(|k| k.codes().any(|c| c == "ATND")))
            .and_then(|p| person(index, &p.individual))
    });
    care.attending = attending_in_stay
        .map(|name| Attending {
            name,
            source: AttendingSource::Stay,
        })
        .or_else(|| {
            care_team.map(|name| Attending {
                name,
                source: AttendingSource::CareTeam,
            })
        })
        .or_else(|| {
            patient
                .general_practitioner
                .iter()
                .find_map(|r| person(index, r))
                .map(|name| Attending {
                    name,
                    source: AttendingSource::Gp,
                })
        });
    care
}
