//! Every resource read, findable by the ways FHIR references name them.

use std::collections::HashMap;

use super::r4;

pub(super) enum Resource {
    Patient(r4::Patient),
    Encounter(r4::Encounter),
    Location(r4::Location),
    Condition(r4::Condition),
    Allergy(r4::AllergyIntolerance),
    Observation(r4::Observation),
    Practitioner(r4::Practitioner),
    CareTeam(r4::CareTeam),
    Flag(r4::Flag),
    NutritionOrder(r4::NutritionOrder),
    MedicationRequest(r4::MedicationRequest),
    Medication(r4::Medication),
    /// A resource of a type wardround reads that did not parse.
    Unreadable {
        kind: String,
        id: Option<String>,
        patient: Option<r4::Reference>,
        reason: String,
    },
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
            Resource::Practitioner(_) => "Practitioner",
            Resource::CareTeam(_) => "CareTeam",
            Resource::Flag(_) => "Flag",
            Resource::NutritionOrder(_) => "NutritionOrder",
            Resource::MedicationRequest(_) => "MedicationRequest",
            Resource::Medication(_) => "Medication",
            Resource::Unreadable { .. } => "Unreadable",
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
            Resource::Practitioner(r) => r.id.as_deref(),
            Resource::CareTeam(r) => r.id.as_deref(),
            Resource::Flag(r) => r.id.as_deref(),
            Resource::NutritionOrder(r) => r.id.as_deref(),
            Resource::MedicationRequest(r) => r.id.as_deref(),
            Resource::Medication(r) => r.id.as_deref(),
            // Not findable by reference: nothing should resolve to a broken resource.
            Resource::Unreadable { .. } => None,
        }
    }

    /// The reference naming the patient this resource is about (R4 says `subject`;
    /// earlier versions often `patient`).
    pub(super) fn patient_ref(&self) -> Option<&r4::Reference> {
        fn either<'a>(subject: &'a r4::Reference, patient: &'a r4::Reference) -> &'a r4::Reference {
            if subject.reference.is_some() {
                subject
            } else {
                patient
            }
        }
        match self {
            Resource::Encounter(r) => Some(either(&r.subject, &r.patient)),
            Resource::Condition(r) => Some(either(&r.subject, &r.patient)),
            Resource::Flag(r) => Some(either(&r.subject, &r.patient)),
            Resource::MedicationRequest(r) => Some(either(&r.subject, &r.patient)),
            Resource::Allergy(r) => Some(&r.patient),
            Resource::Observation(r) => Some(&r.subject),
            Resource::CareTeam(r) => Some(&r.subject),
            Resource::NutritionOrder(r) => Some(&r.patient),
            Resource::Unreadable { patient, .. } => patient.as_ref(),
            Resource::Patient(_)
            | Resource::Location(_)
            | Resource::Practitioner(_)
            | Resource::Medication(_) => None,
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
    pub(super) fn resources(&self) -> &[Resource] {
        &self.resources
    }

    pub(super) fn practitioner(&self, reference: &r4::Reference) -> Option<&r4::Practitioner> {
        match self.resources.get(self.resolve(reference)?)? {
            Resource::Practitioner(p) => Some(p),
            _ => None,
        }
    }

    pub(super) fn medication(&self, reference: &r4::Reference) -> Option<&r4::Medication> {
        match self.resources.get(self.resolve(reference)?)? {
            Resource::Medication(m) => Some(m),
            _ => None,
        }
    }

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
    pub(super) fn resolve(&self, reference: &r4::Reference) -> Option<usize> {
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

    pub(super) fn location(&self, reference: &r4::Reference) -> Option<&r4::Location> {
        match self.resources.get(self.resolve(reference)?)? {
            Resource::Location(l) => Some(l),
            _ => None,
        }
    }

    pub(super) fn condition(&self, reference: &r4::Reference) -> Option<&r4::Condition> {
        match self.resources.get(self.resolve(reference)?)? {
            Resource::Condition(c) => Some(c),
            _ => None,
        }
    }
}
