//! National Early Warning Score 2 (Royal College of Physicians, 2017), scored from the
//! latest vital signs in a chart. SpO2 uses scale 1. LOINC 88330-6 is *not* NEWS and is
//! never read.

use chrono::{DateTime, Duration, Utc};

use super::PatientChart;

/// SNOMED CT "Royal College of Physicians NEWS2 score": when the EHR sends one, it wins.
pub const EHR_NEWS2_CODE: &str = "1104051000000101";

pub const RESP_RATE: &str = "9279-1";
pub const SPO2: [&str; 2] = ["59408-5", "2708-6"];
pub const O2_FLOW: &str = "3151-8";
pub const FIO2: &str = "3150-0";
pub const SYSTOLIC: &str = "8480-6";
pub const PULSE: &str = "8867-4";
pub const CONSCIOUSNESS: &str = "80288-4";
pub const GCS_TOTAL: &str = "9269-2";
pub const TEMPERATURE: [&str; 2] = ["8310-5", "8331-1"];
/// Blood pressure panels, whose components carry the systolic reading.
pub const BP_PANELS: [&str; 2] = ["85354-9", "55284-4"];

/// Every code a NEWS2 is scored from, for searching an EHR.
pub const SEARCH_CODES: [&str; 15] = [
    EHR_NEWS2_CODE,
    RESP_RATE,
    SPO2[0],
    SPO2[1],
    O2_FLOW,
    FIO2,
    SYSTOLIC,
    BP_PANELS[0],
    BP_PANELS[1],
    PULSE,
    CONSCIOUSNESS,
    GCS_TOTAL,
    TEMPERATURE[0],
    TEMPERATURE[1],
    "8462-4",
];

/// SNOMED CT "Mentally alert".
const ALERT: &str = "248234008";

/// How many parameters a NEWS2 is scored from.
pub const PARAMETERS: usize = 7;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct News2 {
    pub total: u8,
    /// A single parameter scored 3: escalate even when the total is low.
    pub red_score: bool,
    /// Parameters the chart has no reading for; a score with any missing is not a NEWS2.
    pub missing: Vec<&'static str>,
    /// The EHR sent the total itself.
    pub from_ehr: bool,
    /// Why no NEWS2 applies to this patient at all.
    pub excluded: Option<&'static str>,
    /// Each parameter and its score, in chart order (`None`: no fresh reading).
    pub parts: Vec<(&'static str, Option<u8>)>,
}

impl News2 {
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty()
    }

    /// Warrants urgent review: total ≥ 5 or any single red score.
    /// A partial score can only grow, so a partial total of 5 already warrants review.
    pub fn is_alarming(&self) -> bool {
        self.total >= 5 || self.red_score
    }
}

/// Readings older than this do not score: a NEWS2 describes the patient now.
pub const FRESH_HOURS: i64 = 24;

/// The score from readings of the last [`FRESH_HOURS`]. Not for under-16s, for whom the
/// RCP chart is not validated.
pub fn score(chart: &PatientChart, now: DateTime<Utc>) -> News2 {
    score_in(chart, now, None)
}

/// The score as it stood at `at`: from the readings taken by then.
pub fn score_at(chart: &PatientChart, at: DateTime<Utc>) -> News2 {
    score_in(chart, at, Some(at))
}

/// The score at each of the last `n` times a parameter was measured (newest first): how
/// the patient has been going. Scores the EHR sent itself are not recomputed.
pub fn history(chart: &PatientChart, now: DateTime<Utc>, n: usize) -> Vec<(DateTime<Utc>, News2)> {
    let codes = [
        RESP_RATE,
        SPO2[0],
        SPO2[1],
        SYSTOLIC,
        PULSE,
        TEMPERATURE[0],
        TEMPERATURE[1],
    ];
    let mut times: Vec<DateTime<Utc>> = codes
        .iter()
        .flat_map(|c| chart.trend(c).iter().map(|v| v.at))
        .filter(|at| *at <= now && *at >= now - Duration::hours(2 * FRESH_HOURS))
        .collect();
    times.sort_unstable_by(|a, b| b.cmp(a));
    // One observation set is charted over a few minutes: one point for it.
    times.dedup_by(|later, earlier| (*earlier - *later).num_minutes().abs() < 15);
    times
        .into_iter()
        .take(n)
        .map(|at| (at, score_at(chart, at)))
        .filter(|(_, s)| s.excluded.is_none() && !s.from_ehr)
        .collect()
}

/// Scored from the readings fresh at `now`, none taken after `until`.
fn score_in(chart: &PatientChart, now: DateTime<Utc>, until: Option<DateTime<Utc>>) -> News2 {
    let none = |excluded| News2 {
        total: 0,
        red_score: false,
        missing: PARAMETER_NAMES.to_vec(),
        from_ehr: false,
        excluded,
        parts: Vec::new(),
    };
    if age_years(chart, now).is_some_and(|a| a < 16) {
        return none(Some("NEWS2 is not validated for patients under 16"));
    }
    let window = Window {
        from: now - Duration::hours(FRESH_HOURS),
        until,
    };
    let fresh = |code: &str| window.latest(chart, code);
    if let Some(v) = fresh(EHR_NEWS2_CODE).and_then(|v| v.value) {
        let total = v.clamp(0.0, 20.0) as u8;
        return News2 {
            total,
            red_score: false,
            missing: vec![],
            from_ehr: true,
            excluded: None,
            parts: Vec::new(),
        };
    }
    let value = |codes: &[&str]| {
        codes
            .iter()
            .filter_map(|c| fresh(c))
            .max_by_key(|v| v.at)
            .and_then(|v| v.value)
    };
    let mut parts: Vec<(&'static str, Option<u8>)> = Vec::new();
    let mut missing = Vec::new();
    let mut add = |name: &'static str, s: Option<u8>| {
        if s.is_none() {
            missing.push(name);
        }
        parts.push((name, s));
    };
    add("respiration rate", value(&[RESP_RATE]).map(respiration));
    add("SpO2", value(&SPO2).map(spo2_scale1));
    add(
        "air or oxygen",
        on_oxygen(chart, window).map(|o| if o { 2 } else { 0 }),
    );
    add("systolic BP", value(&[SYSTOLIC]).map(systolic));
    add("pulse", value(&[PULSE]).map(pulse));
    add(
        "consciousness",
        alert(chart, window).map(|a| if a { 0 } else { 3 }),
    );
    add("temperature", value(&TEMPERATURE).map(temperature));
    let scores: Vec<u8> = parts.iter().filter_map(|(_, s)| *s).collect();
    News2 {
        total: scores.iter().sum(),
        red_score: scores.contains(&3),
        missing,
        from_ehr: false,
        excluded: None,
        parts,
    }
}

const PARAMETER_NAMES: [&str; PARAMETERS] = [
    "respiration rate",
    "SpO2",
    "air or oxygen",
    "systolic BP",
    "pulse",
    "consciousness",
    "temperature",
];

fn age_years(chart: &PatientChart, now: DateTime<Utc>) -> Option<i64> {
    let born = super::datetime::parse_date(chart.patient.birth_date.as_deref()?)?;
    Some(now.date_naive().years_since(born)? as i64)
}

fn respiration(rr: f64) -> u8 {
    match rr {
        r if r <= 8.0 => 3,
        r if r < 12.0 => 1,
        r if r <= 20.0 => 0,
        r if r <= 24.0 => 2,
        _ => 3,
    }
}

fn spo2_scale1(s: f64) -> u8 {
    match s {
        s if s <= 91.0 => 3,
        s if s <= 93.0 => 2,
        s if s <= 95.0 => 1,
        _ => 0,
    }
}

fn systolic(bp: f64) -> u8 {
    match bp {
        b if b <= 90.0 => 3,
        b if b <= 100.0 => 2,
        b if b <= 110.0 => 1,
        b if b < 220.0 => 0,
        _ => 3,
    }
}

fn pulse(hr: f64) -> u8 {
    match hr {
        h if h <= 40.0 => 3,
        h if h <= 50.0 => 1,
        h if h <= 90.0 => 0,
        h if h <= 110.0 => 1,
        h if h <= 130.0 => 2,
        _ => 3,
    }
}

fn temperature(t: f64) -> u8 {
    match t {
        t if t <= 35.0 => 3,
        t if t <= 36.0 => 1,
        t if t <= 38.0 => 0,
        t if t <= 39.0 => 1,
        _ => 2,
    }
}

/// Oxygen from the latest of flow rate (L/min > 0) or inspired fraction (> 21 %).
/// The readings a score may use: taken since `from`, and by `until` when scoring the past.
#[derive(Debug, Clone, Copy)]
struct Window {
    from: DateTime<Utc>,
    until: Option<DateTime<Utc>>,
}

impl Window {
    fn latest<'a>(&self, chart: &'a PatientChart, code: &str) -> Option<&'a super::chart::Vital> {
        chart
            .trend(code)
            .iter()
            .find(|v| self.until.is_none_or(|u| v.at <= u))
            .filter(|v| v.at >= self.from)
    }
}

fn on_oxygen(chart: &PatientChart, window: Window) -> Option<bool> {
    let fresh = |code| window.latest(chart, code);
    let flow = fresh(O2_FLOW).and_then(|v| Some((v.at, v.value? > 0.0)));
    let fio2 = fresh(FIO2).and_then(|v| {
        let f = v.value?;
        // Some systems send FiO2 as a fraction, most as a percentage.
        let percent = if f <= 1.0 { f * 100.0 } else { f };
        Some((v.at, percent > 21.0))
    });
    [flow, fio2]
        .into_iter()
        .flatten()
        .max_by_key(|(at, _)| *at)
        .map(|(_, o)| o)
}

/// ACVPU from the level-of-consciousness observation, or a Glasgow Coma Scale total.
fn alert(chart: &PatientChart, window: Window) -> Option<bool> {
    let fresh = |code| window.latest(chart, code);
    let acvpu = fresh(CONSCIOUSNESS).and_then(|v| {
        let c = v.concept.as_ref()?;
        let is_alert = c
            .codes()
            .any(|code| code == ALERT || code.eq_ignore_ascii_case("A"))
            || c.label()
                .is_some_and(|l| l.trim().to_ascii_lowercase().starts_with("alert"));
        Some((v.at, is_alert))
    });
    let gcs = fresh(GCS_TOTAL).and_then(|v| Some((v.at, v.value? >= 15.0)));
    [acvpu, gcs]
        .into_iter()
        .flatten()
        .max_by_key(|(at, _)| *at)
        .map(|(_, a)| a)
}
