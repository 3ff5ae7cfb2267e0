//! The detail pane's view of a chart.

use chrono::{DateTime, Utc};

use super::columns::{self, news2_cell};
use super::{news2, PatientChart};
use crate::model::{ColumnId, News2Detail, News2Point, PatientDetail, Stay, Trend};

const TRENDS: [(&str, &[&str], &str); 6] = [
    ("Pulse", &[news2::PULSE], "/min"),
    ("Resp. rate", &[news2::RESP_RATE], "/min"),
    ("Systolic BP", &[news2::SYSTOLIC], "mmHg"),
    ("SpO2", &news2::SPO2, "%"),
    ("Temperature", &news2::TEMPERATURE, "°C"),
    ("Inspired O2", &[news2::FIO2], "%"),
];

pub fn detail(chart: &PatientChart, now: DateTime<Utc>) -> PatientDetail {
    let text = |c: ColumnId| columns::cell(chart, c, now).text;
    let care = &chart.care;
    let stay = chart.encounter.as_ref().map(|_| Stay {
        ward: chart.bed.as_ref().and_then(|b| b.ward.clone()),
        room: chart.bed.as_ref().and_then(|b| b.room.clone()),
        bed: chart.bed.as_ref().map(|b| b.label.clone()),
        admitted: chart.admitted_at(),
        attending: care.attending.as_ref().map(|a| a.name.clone()),
        reason: chart.reason.clone(),
    });
    let allergies = care
        .allergies
        .active
        .iter()
        .map(|a| match a.criticality {
            Some(c) => format!("{} ({} criticality)", a.substance, c.label()),
            None => a.substance.clone(),
        })
        .collect();
    let allergy_status = match (&care.allergies, care.allergies.active.len()) {
        (_, n) if n > 0 => format!("{n} active"),
        (a, _) if a.none_known => "NKA (no known allergies recorded)".into(),
        (a, _) if a.recorded => "none active".into(),
        _ => "nothing recorded: ask".into(),
    };
    let vitals = TRENDS
        .iter()
        .filter_map(|(label, codes, unit)| {
            let code = codes.iter().find(|c| !chart.trend(c).is_empty())?;
            let readings = chart
                .trend(code)
                .iter()
                .filter_map(|v| Some((format_value(v.value?), v.at)))
                .collect::<Vec<_>>();
            (!readings.is_empty()).then(|| Trend {
                label: label.to_string(),
                unit: unit.to_string(),
                readings,
            })
        })
        .collect();
    let score = news2::score(chart, now);
    let note = match (&score.excluded, score.from_ehr) {
        (Some(why), _) => Some(why.to_string()),
        (None, true) => Some("as sent by the EHR".into()),
        (None, false) if !score.missing.is_empty() => Some(format!(
            "partial: no reading in the last {} h for {}",
            news2::FRESH_HOURS,
            score.missing.join(", ")
        )),
        _ => None,
    };
    PatientDetail {
        patient: chart.id.clone(),
        name: text(ColumnId::Name),
        mrn: text(ColumnId::Mrn),
        born: chart
            .patient
            .birth_date
            .clone()
            .unwrap_or_else(|| "—".into()),
        age: text(ColumnId::Age),
        sex: text(ColumnId::Sex),
        stay,
        allergy_status,
        allergies,
        problems: care.problems.clone(),
        medications: care.medications.clone(),
        code_status: Some(text(ColumnId::CodeStatus)).filter(|t| t != "—"),
        isolation: care.isolation.clone(),
        diet: care.diet.clone(),
        vitals,
        news2: News2Detail {
            total: news2_cell(&score).text,
            parameters: score
                .parts
                .iter()
                .map(|(n, s)| (n.to_string(), *s))
                .collect(),
            missing: score.missing.iter().map(|m| m.to_string()).collect(),
            note,
            trend: news2::history(chart, now, 4)
                .iter()
                .map(|(at, s)| News2Point {
                    at: *at,
                    total: news2_cell(s).text,
                })
                .collect(),
        },
        read_at: chart.read_at,
        unreadable: chart
            .unreadable
            .iter()
            .map(|(_, why)| why.clone())
            .collect(),
        plan: None,
        jobs: Vec::new(),
    }
}

fn format_value(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}
