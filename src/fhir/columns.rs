//! Computes a patient list row (the catalogue's cells) from a chart.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Utc};

use super::care::{Allergies, AttendingSource, Criticality, CODE_STATUS_CODES};
use super::datetime::parse_date;
use super::{news2, r4, PatientChart, Vital};
use crate::model::{Cell, CellValue, ColumnId, Flag, Row};

/// The v2 identifier-type table, under its R4 URL and the one STU3 and DSTU2 used.
const MRN_TYPES: [&str; 2] = [
    "http://terminology.hl7.org/CodeSystem/v2-0203",
    "http://hl7.org/fhir/v2/0203",
];

pub fn row(chart: &PatientChart, columns: &[ColumnId], now: DateTime<Utc>) -> Row {
    let columns = columns
        .iter()
        .map(|&c| (c, cell(chart, c, now)))
        .collect::<BTreeMap<_, _>>();
    Row {
        patient: chart.id.clone(),
        columns,
        problem: None,
        pending: false,
    }
}

/// A row for a patient the EHR could not provide: every cell says so, and `problem` why.
pub fn unknown_row(patient_id: &str, columns: &[ColumnId], problem: String) -> Row {
    Row {
        problem: Some(problem),
        ..uniform_row(patient_id, columns, "?")
    }
}

/// A row the EHR has not answered for yet: `…` in every cell.
pub fn pending_row(patient_id: &str, columns: &[ColumnId]) -> Row {
    Row {
        pending: true,
        ..uniform_row(patient_id, columns, "…")
    }
}

/// Every cell of the row saying `text`, and nothing else known.
fn uniform_row(patient_id: &str, columns: &[ColumnId], text: &str) -> Row {
    let cell = Cell {
        text: text.into(),
        value: None,
        flag: None,
    };
    Row {
        patient: patient_id.to_string(),
        columns: columns.iter().map(|&c| (c, cell.clone())).collect(),
        problem: None,
        pending: false,
    }
}

/// A cell; `?` instead of empty when a record it may come from could not be read (the
/// detail pane says which and why).
pub fn cell(chart: &PatientChart, column: ColumnId, now: DateTime<Utc>) -> Cell {
    let computed = computed_cell(chart, column, now);
    if computed.value.is_none() && chart.unreadable.iter().any(|(kind, _)| feeds(kind, column)) {
        return Cell {
            text: "?".into(),
            value: None,
            flag: None,
        };
    }
    computed
}

/// Whether records of `kind` feed `column`.
fn feeds(kind: &str, column: ColumnId) -> bool {
    use ColumnId::*;
    match kind {
        "Encounter" | "Location" => matches!(column, Bed | Admit | Los | Reason | Attending),
        "Condition" => matches!(column, Problems | Reason),
        "AllergyIntolerance" => column == Allergies,
        "Observation" => matches!(column, Vitals | News2 | CodeStatus | Obs(_)),
        "Flag" => matches!(column, Isolation | CodeStatus | Diet),
        "NutritionOrder" => column == Diet,
        "CareTeam" | "Practitioner" => column == Attending,
        _ => false,
    }
}

fn computed_cell(chart: &PatientChart, column: ColumnId, now: DateTime<Utc>) -> Cell {
    let p = &chart.patient;
    let care = &chart.care;
    match column {
        ColumnId::Bed => chart
            .bed
            .as_ref()
            .map_or_else(Cell::empty, |b| Cell::text(b.label.clone())),
        ColumnId::Name => display_name(&p.name).map_or_else(Cell::empty, Cell::text),
        ColumnId::Mrn => mrn(&p.identifier).map_or_else(Cell::empty, Cell::text),
        ColumnId::Age => age(p, now),
        ColumnId::Sex => sex(p.gender.as_deref()),
        ColumnId::Attending => care.attending.as_ref().map_or_else(Cell::empty, |a| {
            let from = match a.source {
                AttendingSource::Stay => String::new(),
                AttendingSource::CareTeam => " (care team)".into(),
                AttendingSource::Gp => " (GP)".into(),
            };
            Cell {
                text: format!("{}{from}", a.name),
                value: Some(CellValue::Text(a.name.clone())),
                flag: None,
            }
        }),
        ColumnId::Admit => chart.admitted_at().map_or_else(Cell::empty, |at| {
            Cell::datetime(at.format("%d %b %H:%M").to_string(), at)
        }),
        ColumnId::Los => chart
            .admitted_at()
            .map_or_else(Cell::empty, |at| length_of_stay(at, now)),
        ColumnId::Reason => chart.reason.clone().map_or_else(Cell::empty, Cell::text),
        ColumnId::Problems => match care.problems.first() {
            _ if !care.problems_recorded => Cell::empty(),
            None => Cell::number("none active", 0.0),
            Some(first) if care.problems.len() == 1 => Cell::number(first.clone(), 1.0),
            Some(first) => Cell::number(
                format!("{} · {first}", care.problems.len()),
                care.problems.len() as f64,
            ),
        },
        ColumnId::Allergies => allergies(&care.allergies),
        ColumnId::CodeStatus => code_status(chart).map_or_else(Cell::empty, Cell::text),
        ColumnId::Isolation => care.isolation.clone().map_or_else(Cell::empty, Cell::text),
        ColumnId::Diet => care.diet.clone().map_or_else(Cell::empty, Cell::text),
        ColumnId::Vitals => vitals(chart, now),
        ColumnId::News2 => news2_cell(&news2::score(chart, now)),
        // Counted by the server from messaging; the EHR knows nothing of it.
        ColumnId::Unread => Cell::unread(0),
        ColumnId::Jobs => Cell::jobs(0, false),
        ColumnId::Refreshed => Cell::datetime(ago_short(chart.read_at, now), chart.read_at),
        ColumnId::Obs(code) => chart
            .latest(code.as_str())
            .map_or_else(Cell::empty, |v| observation(v, now)),
    }
}

/// A complete score, or "≥n" when parameters are missing (they can only add to it).
pub fn news2_cell(score: &news2::News2) -> Cell {
    if score.excluded.is_some() || score.missing.len() == news2::PARAMETERS {
        return Cell::empty();
    }
    let text = if score.is_complete() {
        score.total.to_string()
    } else {
        format!("≥{}", score.total)
    };
    let warn = (score.total >= 5 || score.red_score).then_some(Flag::Warning);
    Cell::number(text, f64::from(score.total)).flagged(warn)
}

fn allergies(a: &Allergies) -> Cell {
    if !a.active.is_empty() {
        let worst = a.active.iter().filter_map(|x| x.criticality).max();
        let text = match (a.active.len(), worst) {
            (1, Some(c)) => format!("{} ({})", a.active[0].substance, c.label()),
            (1, None) => a.active[0].substance.clone(),
            (n, Some(c)) => format!("{n} · {}", c.label()),
            (n, None) => n.to_string(),
        };
        let flag = (worst == Some(Criticality::High)).then_some(Flag::Warning);
        return Cell::number(text, a.active.len() as f64).flagged(flag);
    }
    match (a.none_known, a.recorded) {
        (true, _) => Cell::number("NKA", 0.0),
        // Records exist but none is active: say so rather than claim "none known".
        (false, true) => Cell::number("none active", 0.0),
        (false, false) => Cell::empty(),
    }
}

fn code_status(chart: &PatientChart) -> Option<String> {
    let observed = CODE_STATUS_CODES
        .iter()
        .filter_map(|c| chart.latest(c))
        .max_by_key(|v| v.at)
        .and_then(|v| {
            v.concept
                .as_ref()
                .and_then(|c| c.label().map(str::to_string))
                .or_else(|| v.text.clone())
        });
    observed.or_else(|| chart.care.code_status.clone())
}

fn vitals(chart: &PatientChart, now: DateTime<Utc>) -> Cell {
    let num = |codes: &[&str]| {
        codes
            .iter()
            .filter_map(|c| chart.latest(c))
            .max_by_key(|v| v.at)
            .and_then(|v| Some((v.value?, v.at)))
    };
    let parts = [
        ("HR", num(&[news2::PULSE])),
        ("RR", num(&[news2::RESP_RATE])),
        ("BP", num(&[news2::SYSTOLIC])),
        ("SpO2", num(&news2::SPO2)),
        ("T", num(&news2::TEMPERATURE)),
    ];
    let newest = parts.iter().filter_map(|(_, v)| v.map(|(_, at)| at)).max();
    let Some(newest) = newest else {
        return Cell::empty();
    };
    let diastolic = num(&["8462-4"]).map(|(d, _)| d);
    let text: Vec<String> = parts
        .iter()
        .filter_map(|(label, v)| {
            let (value, _) = (*v)?;
            Some(match (*label, diastolic) {
                ("BP", Some(d)) => format!("BP {value:.0}/{d:.0}"),
                ("T", _) => format!("T {value:.1}"),
                _ => format!("{label} {value:.0}"),
            })
        })
        .collect();
    Cell::datetime(
        format!("{} · {}", text.join(" "), ago_short(newest, now)),
        newest,
    )
}

fn observation(v: &Vital, now: DateTime<Utc>) -> Cell {
    let when = ago_short(v.at, now);
    match (v.value, &v.concept, &v.text) {
        (Some(n), _, _) => {
            let unit = v
                .unit
                .as_deref()
                .map(|u| format!(" {u}"))
                .unwrap_or_default();
            Cell::number(
                format!("{} {unit} · {when}", trim_number(n)).replace("  ", " "),
                n,
            )
        }
        (None, Some(c), _) => Cell::text(format!("{} · {when}", c.label().unwrap_or("?"))),
        (None, None, Some(t)) => Cell::text(format!("{t} · {when}")),
        (None, None, None) => Cell::empty(),
    }
}

fn trim_number(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{n:.0}")
    } else {
        format!("{n:.1}")
    }
}

/// "now", "12m", "3h", "2d": the age of a reading, in the fewest characters.
pub fn ago_short(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    match (now - at).num_seconds().max(0) {
        s if s < 60 => "now".into(),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

/// "FAMILY, Given": the form ward lists and wristbands use. Prefers the official name.
pub fn display_name(names: &[r4::HumanName]) -> Option<String> {
    let name = names
        .iter()
        .find(|n| n.usage.as_deref() == Some("official"))
        .or_else(|| names.iter().find(|n| n.usage.as_deref() != Some("old")))
        .or(names.first())?;
    let given = name.given.join(" ");
    match (
        name.family
            .as_deref()
            .map(str::trim)
            .filter(|f| !f.is_empty()),
        given.trim(),
    ) {
        (Some(f), "") => Some(f.to_uppercase()),
        (Some(f), g) => Some(format!("{}, {g}", f.to_uppercase())),
        (None, "") => name.text.clone().filter(|t| !t.trim().is_empty()),
        (None, g) => Some(g.to_string()),
    }
}

fn mrn(ids: &[r4::Identifier]) -> Option<String> {
    ids.iter()
        .find(|i| {
            i.kind
                .as_ref()
                .is_some_and(|t| MRN_TYPES.iter().any(|s| t.has_code(s, "MR")))
        })
        .and_then(|i| i.value.clone())
}

fn age(p: &r4::Patient, now: DateTime<Utc>) -> Cell {
    let Some(born) = p.birth_date.as_deref().and_then(parse_date) else {
        return Cell::empty();
    };
    // The dead do not grow older: age at death.
    let today = p
        .deceased_date_time
        .as_deref()
        .and_then(parse_date)
        .unwrap_or_else(|| now.date_naive());
    let mut months = (today.year() - born.year()) * 12 + today.month() as i32 - born.month() as i32;
    if today.day() < born.day() {
        months -= 1;
    }
    if months < 0 {
        return Cell::empty();
    }
    let years = months / 12;
    // Paediatric wards read ages under two in months.
    let text = if years < 2 {
        format!("{months}m")
    } else {
        format!("{years}")
    };
    Cell::number(text, f64::from(months) / 12.0)
}

fn sex(gender: Option<&str>) -> Cell {
    match gender {
        Some("male") => Cell::text("M"),
        Some("female") => Cell::text("F"),
        Some("other") => Cell::text("X"),
        Some("unknown") => Cell::text("U"),
        _ => Cell::empty(),
    }
}

/// Days on the ward; hours under a day. The value is in days.
fn length_of_stay(admitted: DateTime<Utc>, now: DateTime<Utc>) -> Cell {
    let secs = (now - admitted).num_seconds().max(0);
    let days = secs as f64 / 86_400.0;
    let text = if secs < 86_400 {
        format!("{}h", secs / 3600)
    } else {
        format!("{}d", secs / 86_400)
    };
    Cell::number(text, days)
}
