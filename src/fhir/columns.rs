//! Computes a patient list row (the catalogue's cells) from a chart.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Utc};

use super::datetime::parse_date;
use super::{news2, r4, PatientChart};
use crate::model::{Cell, ColumnId, Row};

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
    }
}

/// A row for a patient the EHR could not provide: every cell says so, and `problem` why.
pub fn unknown_row(patient_id: &str, columns: &[ColumnId], problem: String) -> Row {
    let cells = columns
        .iter()
        .map(|&c| {
            (
                c,
                Cell {
                    text: "?".into(),
                    value: None,
                },
            )
        })
        .collect();
    Row {
        patient: patient_id.to_string(),
        columns: cells,
        problem: Some(problem),
    }
}

pub fn cell(chart: &PatientChart, column: ColumnId, now: DateTime<Utc>) -> Cell {
    let p = &chart.patient;
    match column {
        ColumnId::Bed => chart
            .bed
            .as_ref()
            .map_or_else(Cell::empty, |b| Cell::text(b.label.clone())),
        ColumnId::Name => display_name(&p.name).map_or_else(Cell::empty, Cell::text),
        ColumnId::Mrn => mrn(&p.identifier).map_or_else(Cell::empty, Cell::text),
        ColumnId::Age => age(p, now),
        ColumnId::Sex => sex(p.gender.as_deref()),
        ColumnId::Admit => chart.admitted_at().map_or_else(Cell::empty, |at| {
            Cell::datetime(at.format("%d %b %H:%M").to_string(), at)
        }),
        ColumnId::Los => chart
            .admitted_at()
            .map_or_else(Cell::empty, |at| length_of_stay(at, now)),
        ColumnId::Reason => chart.reason.clone().map_or_else(Cell::empty, Cell::text),
        ColumnId::News2 => {
            let score = news2::score(chart);
            if score.is_complete() {
                Cell::number(score.total.to_string(), f64::from(score.total))
            } else {
                Cell::empty()
            }
        }
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
