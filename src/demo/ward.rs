//! The demo ward, generated as FHIR R4 resources: 4 West, rooms of two beds, inpatients
//! with an MR identifier, an in-progress IMP Encounter placed in a bed (ward → room → bed
//! Locations), the admitting Condition, allergies, and a set of vital signs by LOINC.

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use super::rng::Rng;

pub const WARD_NAME: &str = "4 West";
const WARD_CODE: &str = "4W";
const ROOMS: i64 = 15;

const FAMILY: &[&str] = &[
    "Okonkwo",
    "Hughes",
    "Patel",
    "Kowalski",
    "Fraser",
    "Nguyen",
    "O'Brien",
    "Haddad",
    "Lindqvist",
    "Mensah",
    "Costa",
    "Ahmed",
    "Byrne",
    "Murphy",
    "Tanaka",
    "Williams",
    "Jones",
    "Evans",
    "MacLeod",
    "Rossi",
    "Schmidt",
    "Dubois",
    "Novak",
    "Ibrahim",
    "Walsh",
    "Chen",
    "Singh",
    "Adeyemi",
    "Campbell",
    "Price",
];
const GIVEN_F: &[&str] = &[
    "Margaret", "Aisha", "Joan", "Priya", "Eileen", "Grace", "Mary", "Sofia", "Olive", "Hannah",
    "Nkechi", "Irene", "Beatrice", "Ling", "Dorothy",
];
const GIVEN_M: &[&str] = &[
    "Arthur", "Tomasz", "Dennis", "Kwame", "George", "Ibrahim", "Patrick", "Raymond", "Luca",
    "Hamish", "Sean", "Ravi", "Frank", "Wei", "Stanley",
];

/// (text, SNOMED CT code)
const REASONS: &[(&str, &str)] = &[
    ("Community-acquired pneumonia", "385093006"),
    ("Exacerbation of COPD", "195951007"),
    ("Heart failure", "84114007"),
    ("Cellulitis", "128045006"),
    ("Sepsis", "91302008"),
    ("Fracture of neck of femur", "5913000"),
    ("Urinary tract infection", "68566005"),
    ("Acute kidney injury", "14669001"),
    ("Upper GI bleed", "37372002"),
    ("Pulmonary embolism", "59282003"),
    ("Diabetic ketoacidosis", "420422005"),
    ("Stroke", "230690007"),
    ("Delirium", "2776000"),
    ("Pyelonephritis", "45816000"),
    ("Fall", "1912002"),
];

const ALLERGIES: &[(&str, &str, &str)] = &[
    ("Penicillin", "764146007", "high"),
    ("Latex", "111088007", "low"),
    ("Codeine", "387494007", "low"),
    ("Peanut", "762952008", "high"),
];

const LOINC: &str = "http://loinc.org";
const SNOMED: &str = "http://snomed.info/sct";

/// How unwell a patient is, which shapes their observations.
#[derive(Clone, Copy, PartialEq)]
enum Acuity {
    Stable,
    Watch,
    Sick,
}

const CONSULTANTS: &[&str] = &[
    "Dr Adaeze Okoye",
    "Dr Martin Fischer",
    "Dr Sana Rahman",
    "Dr Louis Moreau",
];
const DIETS: &[&str] = &[
    "Nil by mouth",
    "Diabetic diet",
    "Soft diet",
    "Normal diet",
    "Normal diet",
];
const ISOLATION: &[&str] = &[
    "Contact precautions (MRSA)",
    "Enteric precautions (C. difficile)",
];

/// The rest of a patient's care: attending consultant, allergy status, resuscitation
/// status, diet, isolation and a couple of active medications.
fn care(rng: &mut Rng, n: usize, now: DateTime<Utc>) -> Vec<Value> {
    let id = format!("demo-{n:02}");
    let subject = json!({"reference": format!("Patient/{id}")});
    let consultant = *rng.pick(CONSULTANTS);
    let mut out = vec![json!({
        "resourceType": "CareTeam",
        "id": format!("{id}-team"),
        "status": "active",
        "subject": subject,
        "participant": [{
            "role": [{"text": "Consultant"}],
            "member": {"reference": format!("Practitioner/consultant-{}", consultant.len() % 7), "display": consultant}
        }],
    })];
    let code_status = match rng.range(0, 3) {
        0 => Some("DNACPR"),
        1 | 2 => Some("For CPR"),
        _ => None,
    };
    if let Some(status) = code_status {
        out.push(json!({
            "resourceType": "Observation",
            "id": format!("{id}-code-status"),
            "status": "final",
            "code": {"coding": [{"system": LOINC, "code": "81351-9"}], "text": "Resuscitation status"},
            "subject": subject,
            "effectiveDateTime": (now - Duration::days(rng.range(0, 5))).to_rfc3339(),
            "valueCodeableConcept": {"text": status},
        }));
    }
    if rng.chance(70) {
        out.push(json!({
            "resourceType": "NutritionOrder",
            "id": format!("{id}-diet"),
            "status": "active",
            "patient": subject,
            "oralDiet": {"type": [{"text": *rng.pick(DIETS)}]},
        }));
    }
    if n % 9 == 4 {
        out.push(json!({
            "resourceType": "Flag",
            "id": format!("{id}-isolation"),
            "status": "active",
            "category": [{"text": "Infection control"}],
            "code": {"text": *rng.pick(ISOLATION)},
            "subject": subject,
        }));
    }
    for (i, drug) in [
        "Paracetamol 1 g QDS",
        "Enoxaparin 40 mg OD",
        "Amoxicillin 500 mg TDS",
        "Furosemide 40 mg OD",
    ]
    .iter()
    .enumerate()
    .filter(|_| rng.chance(50))
    {
        out.push(json!({
            "resourceType": "MedicationRequest",
            "id": format!("{id}-med-{i}"),
            "status": "active",
            "intent": "order",
            "subject": subject,
            "medicationCodeableConcept": {"text": drug},
        }));
    }
    out
}

/// A Bundle (type collection) of the whole ward, as JSON bytes.
pub fn generate(seed: u64, now: DateTime<Utc>) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut entries = vec![location("ward-4w", WARD_NAME, "wa", None)];
    let mut beds = Vec::new();
    for room in 1..=ROOMS {
        let room_id = format!("room-{room}");
        entries.push(location(
            &room_id,
            &format!("{WARD_CODE}-{room}"),
            "ro",
            Some("ward-4w"),
        ));
        for side in ["A", "B"] {
            let label = format!("{WARD_CODE}-{room}{side}");
            let bed_id = format!("bed-{room}{}", side.to_lowercase());
            entries.push(location(&bed_id, &label, "bd", Some(&room_id)));
            beds.push(bed_id);
        }
    }
    let patients = rng.range(24, 30) as usize;
    // Care details draw from their own sequence, so adding one never reshuffles the ward.
    let mut care_rng = Rng::new(seed ^ 0xCA4E);
    // Leave a few beds empty, as on a real ward.
    let mut free: Vec<String> = beds;
    let mut occupied = Vec::new();
    while occupied.len() < patients {
        let i = (rng.next_u64() % free.len() as u64) as usize;
        occupied.push(free.remove(i));
    }
    for (n, bed) in occupied.iter().enumerate() {
        let acuity = match n {
            0 | 1 => Acuity::Sick,
            _ if rng.chance(25) => Acuity::Watch,
            _ => Acuity::Stable,
        };
        // Two patients have an incomplete set of vitals: NEWS2 cannot be scored.
        let incomplete = n == 5 || n == 11;
        entries.extend(patient(&mut rng, n + 1, bed, acuity, incomplete, now));
        entries.extend(care(&mut care_rng, n + 1, now));
    }
    let bundle = json!({
        "resourceType": "Bundle",
        "type": "collection",
        "entry": entries.into_iter().map(|r| {
            let url = format!("urn:wardround-demo:{}/{}", r["resourceType"].as_str().unwrap_or(""), r["id"].as_str().unwrap_or(""));
            json!({"fullUrl": url, "resource": r})
        }).collect::<Vec<_>>(),
    });
    serde_json::to_vec(&bundle).unwrap_or_default()
}

/// The ward as a server of an older FHIR version holds it: the same places, patients,
/// stays and readings, in STU3's or DSTU2's shapes (status codes as plain codes; DSTU2's
/// stays and conditions name their `patient`, its class is a code, its category one).
pub fn generate_in(
    seed: u64,
    now: DateTime<Utc>,
    version: crate::fhir::version::FhirVersion,
) -> Vec<u8> {
    use crate::fhir::version::FhirVersion;
    let bundle = generate(seed, now);
    if version == FhirVersion::R4 {
        return bundle;
    }
    let Ok(mut bundle) = serde_json::from_slice::<Value>(&bundle) else {
        return bundle;
    };
    let dstu2 = version == FhirVersion::Dstu2;
    for entry in bundle["entry"].as_array_mut().into_iter().flatten() {
        let r = &mut entry["resource"];
        let kind = r["resourceType"].as_str().unwrap_or_default().to_string();
        if let Some(code) = r["clinicalStatus"]["coding"][0]["code"].as_str() {
            r["clinicalStatus"] = json!(code);
        }
        if let Some(code) = r["verificationStatus"]["coding"][0]["code"].as_str() {
            r["verificationStatus"] = json!(code);
        }
        if !dstu2 {
            continue;
        }
        if matches!(kind.as_str(), "Encounter" | "Condition") {
            if let Some(subject) = r.as_object_mut().and_then(|o| o.remove("subject")) {
                r["patient"] = subject;
            }
        }
        if kind == "Encounter" {
            r["class"] = json!("inpatient");
        }
        if kind == "Observation" {
            if let Some(first) = r["category"].as_array().and_then(|c| c.first()).cloned() {
                r["category"] = first;
            }
        }
    }
    serde_json::to_vec(&bundle).unwrap_or_default()
}

/// A patient admitted to `bed` (a bed Location's id) at `now`: the resources the EHR
/// would hold for patient number `n` as the ward takes them, vitals included.
pub fn admission(seed: u64, n: usize, bed: &str, now: DateTime<Utc>) -> Vec<Value> {
    let mut rng = Rng::new(seed ^ (n as u64).wrapping_mul(0x9E37_79B9));
    let mut care_rng = Rng::new(seed ^ 0xAD17 ^ n as u64);
    let mut out = patient(&mut rng, n, bed, Acuity::Watch, false, now);
    for r in &mut out {
        if r["resourceType"] == "Encounter" {
            r["period"]["start"] = json!(now.to_rfc3339());
        }
    }
    out.extend(care(&mut care_rng, n, now));
    out
}

/// A bed (its Location id) no in-progress stay is in, among `locations` and `stays`.
pub fn free_bed(locations: &[Value], stays: &[Value]) -> Option<String> {
    let taken: Vec<&str> = stays
        .iter()
        .filter(|e| e["status"] == "in-progress")
        .filter_map(|e| e["location"].as_array())
        .flatten()
        .filter(|l| l["status"] != "completed")
        .filter_map(|l| l["location"]["reference"].as_str())
        .collect();
    locations
        .iter()
        .filter(|l| l["physicalType"]["coding"][0]["code"] == "bd")
        .filter_map(|l| l["id"].as_str())
        .find(|id| !taken.contains(&format!("Location/{id}").as_str()))
        .map(str::to_string)
}

/// The stay `encounter` (as served) ended at `now`: the patient went home.
pub fn discharged(mut encounter: Value, now: DateTime<Utc>) -> Value {
    encounter["status"] = json!("finished");
    encounter["period"]["end"] = json!(now.to_rfc3339());
    if let Some(places) = encounter["location"].as_array_mut() {
        for l in places {
            l["status"] = json!("completed");
        }
    }
    encounter
}

/// The stay `encounter` (as served) moved to bed `bed` at `now`.
pub fn transferred(mut encounter: Value, bed: &str, now: DateTime<Utc>) -> Value {
    let mut places: Vec<Value> = encounter["location"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for l in &mut places {
        l["status"] = json!("completed");
        l["period"]["end"] = json!(now.to_rfc3339());
    }
    places.push(json!({
        "location": {"reference": format!("Location/{bed}")},
        "status": "active",
        "period": {"start": now.to_rfc3339()},
    }));
    encounter["location"] = json!(places);
    encounter
}

fn location(id: &str, name: &str, physical: &str, part_of: Option<&str>) -> Value {
    let mut l = json!({
        "resourceType": "Location",
        "id": id,
        "identifier": [{"system": "urn:wardround:demo:location", "value": id}],
        "status": "active",
        "name": name,
        "physicalType": {"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/location-physical-type",
            "code": physical
        }]},
    });
    if let Some(parent) = part_of {
        l["partOf"] = json!({"reference": format!("Location/{parent}")});
    }
    l
}

fn patient(
    rng: &mut Rng,
    n: usize,
    bed: &str,
    acuity: Acuity,
    incomplete: bool,
    now: DateTime<Utc>,
) -> Vec<Value> {
    let id = format!("demo-{n:02}");
    let female = rng.chance(50);
    let given = if female {
        rng.pick(GIVEN_F)
    } else {
        rng.pick(GIVEN_M)
    };
    let family = rng.pick(FAMILY);
    let age_days = rng.range(19 * 365, 96 * 365);
    let born = (now - Duration::days(age_days)).date_naive();
    let mrn = format!("{}", 3_000_000 + rng.range(0, 999_999));
    let admitted = now - Duration::minutes(rng.range(3 * 60, 16 * 24 * 60));
    let (reason, reason_code) = *rng.pick(REASONS);
    let subject = json!({"reference": format!("Patient/{id}")});
    let mut out = vec![
        json!({
            "resourceType": "Patient",
            "id": id,
            "identifier": [{
                "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]},
                "system": "urn:wardround:demo:mrn",
                "value": mrn
            }],
            "name": [{"use": "official", "family": family, "given": [given]}],
            "gender": if female { "female" } else { "male" },
            "birthDate": born.to_string(),
        }),
        json!({
            "resourceType": "Condition",
            "id": format!("{id}-reason"),
            "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}]},
            "code": {"coding": [{"system": SNOMED, "code": reason_code, "display": reason}], "text": reason},
            "subject": subject,
        }),
        json!({
            "resourceType": "Encounter",
            "id": format!("{id}-stay"),
            "status": "in-progress",
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "IMP"},
            "subject": subject,
            "period": {"start": admitted.to_rfc3339()},
            "reasonReference": [{"reference": format!("Condition/{id}-reason")}],
            "participant": [{
                "type": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "ATND"}]}],
                "individual": {"display": CONSULTANTS[n % CONSULTANTS.len()]}
            }],
            "location": [{
                "location": {"reference": format!("Location/{bed}")},
                "status": "active",
                "physicalType": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/location-physical-type", "code": "bd"}]}
            }],
        }),
    ];
    let allergic = rng.chance(30);
    if allergic {
        let (substance, code, criticality) = *rng.pick(ALLERGIES);
        out.push(json!({
            "resourceType": "AllergyIntolerance",
            "id": format!("{id}-allergy"),
            "patient": subject,
            "criticality": criticality,
            "code": {"coding": [{"system": SNOMED, "code": code, "display": substance}], "text": substance},
        }));
    }
    // Most of the rest have "no known allergy" recorded; a few have nothing recorded,
    // which the list must show differently.
    if !allergic && n % 5 != 0 {
        out.push(json!({
            "resourceType": "AllergyIntolerance",
            "id": format!("{id}-nka"),
            "patient": subject,
            "code": {"coding": [{"system": SNOMED, "code": "716186003", "display": "No known allergy"}], "text": "No known allergy"},
        }));
    }
    let minutes_ago = rng.range(20, 240);
    let taken = (now - Duration::minutes(minutes_ago)).to_rfc3339();
    let v = |rng: &mut Rng, stable: (i64, i64), watch: (i64, i64), sick: (i64, i64)| {
        let (lo, hi) = match acuity {
            Acuity::Stable => stable,
            Acuity::Watch => watch,
            Acuity::Sick => sick,
        };
        rng.range(lo, hi)
    };
    let rr = v(rng, (13, 18), (19, 22), (21, 26));
    let spo2 = v(rng, (96, 99), (94, 97), (91, 95));
    let on_o2 = acuity == Acuity::Sick || (acuity == Acuity::Watch && rng.chance(40));
    let sbp = v(rng, (115, 150), (104, 125), (92, 108));
    let dbp = sbp - rng.range(35, 55);
    let hr = v(rng, (62, 88), (86, 100), (104, 122));
    let temp_tenths = v(rng, (362, 377), (372, 382), (380, 389));
    let alert = acuity != Acuity::Sick || rng.chance(30);
    // The set charted last, then up to two earlier ones (6 and 12 hours before, while
    // admitted) from which a sick patient has worsened and a stable one wavered within
    // normal: NEWS2 has a course. Derived without the random source, so every later
    // patient stays as it was.
    let earlier = |k: i64| {
        let (dr, ds, dh, db, dt) = match acuity {
            Acuity::Stable => (0, 0, 0, 0, 0),
            Acuity::Watch => (2, 1, 6, 6, 3),
            Acuity::Sick => (3, 2, 10, 8, 4),
        };
        // A small wobble, the same each run: -1, 0 or +1 by patient and set.
        let wobble = ((n as i64) * 7 + k * 5) % 3 - 1;
        Set {
            taken: (now - Duration::minutes(minutes_ago + 360 * k)).to_rfc3339(),
            rr: rr - dr * k + wobble,
            spo2: (spo2 + ds * k - wobble.abs()).min(99),
            on_o2: on_o2 && k < 2,
            sbp: sbp + db * k + 4 * wobble,
            dbp: dbp + db * k + 2 * wobble,
            hr: hr - dh * k - 3 * wobble,
            temp_tenths: temp_tenths - dt * k + wobble,
            alert: alert || k > 0,
        }
    };
    let charted = |k: i64| now - Duration::minutes(minutes_ago + 360 * k) >= admitted;
    let now_set = Set {
        taken: taken.clone(),
        rr,
        spo2,
        on_o2,
        sbp,
        dbp,
        hr,
        temp_tenths,
        alert,
    };
    let sets = [(0, now_set), (1, earlier(1)), (2, earlier(2))];
    for (k, set) in sets.into_iter().filter(|(k, _)| *k == 0 || charted(*k)) {
        let mut obs = set.observations(&subject);
        if incomplete {
            obs.remove(4); // no temperature charted
        }
        for (i, mut o) in obs.into_iter().enumerate() {
            o["id"] = json!(match k {
                0 => format!("{id}-obs-{i}"),
                k => format!("{id}-obs-{i}-{k}"),
            });
            out.push(o);
        }
    }
    out
}

/// One set of observations charted together.
struct Set {
    taken: String,
    rr: i64,
    spo2: i64,
    on_o2: bool,
    sbp: i64,
    dbp: i64,
    hr: i64,
    temp_tenths: i64,
    alert: bool,
}

impl Set {
    fn observations(&self, subject: &Value) -> Vec<Value> {
        let taken = &self.taken;
        let vital = |code: &str, display: &str, value: f64, unit: &str, ucum: &str| {
            json!({
                "resourceType": "Observation",
                "status": "final",
                "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "vital-signs"}]}],
                "code": {"coding": [{"system": LOINC, "code": code, "display": display}], "text": display},
                "subject": subject,
                "effectiveDateTime": taken,
                "valueQuantity": {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": ucum},
            })
        };
        vec![
            vital(
                "9279-1",
                "Respiratory rate",
                self.rr as f64,
                "breaths/min",
                "/min",
            ),
            vital(
                "59408-5",
                "Oxygen saturation by pulse oximetry",
                self.spo2 as f64,
                "%",
                "%",
            ),
            vital(
                "3150-0",
                "Inhaled oxygen concentration",
                if self.on_o2 { 28.0 } else { 21.0 },
                "%",
                "%",
            ),
            vital("8867-4", "Heart rate", self.hr as f64, "beats/min", "/min"),
            vital(
                "8310-5",
                "Body temperature",
                self.temp_tenths as f64 / 10.0,
                "Cel",
                "Cel",
            ),
            json!({
                "resourceType": "Observation",
                "status": "final",
                "code": {"coding": [{"system": LOINC, "code": "85354-9", "display": "Blood pressure panel"}]},
                "subject": subject,
                "effectiveDateTime": taken,
                "component": [
                    {"code": {"coding": [{"system": LOINC, "code": "8480-6", "display": "Systolic blood pressure"}]},
                     "valueQuantity": {"value": self.sbp, "unit": "mmHg", "system": "http://unitsofmeasure.org", "code": "mm[Hg]"}},
                    {"code": {"coding": [{"system": LOINC, "code": "8462-4", "display": "Diastolic blood pressure"}]},
                     "valueQuantity": {"value": self.dbp, "unit": "mmHg", "system": "http://unitsofmeasure.org", "code": "mm[Hg]"}}
                ]
            }),
            json!({
                "resourceType": "Observation",
                "status": "final",
                "code": {"coding": [{"system": LOINC, "code": "80288-4", "display": "Level of consciousness"}]},
                "subject": subject,
                "effectiveDateTime": taken,
                "valueCodeableConcept": if self.alert {
                    json!({"coding": [{"system": SNOMED, "code": "248234008", "display": "Mentally alert"}], "text": "Alert"})
                } else {
                    json!({"text": "New confusion"})
                },
            }),
        ]
    }
}
