//! The patient detail pane: the selected patient at a glance, for the bedside.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::{ago, pane_block};
use crate::model::PatientDetail;
use crate::tui::app::{App, Pane};
use crate::tui::theme::{Role, Theme};

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let focused = app.focus == Pane::Patients;
    let Some(state) = &app.detail else { return };
    let block = pane_block(" Patient ".into(), focused, theme);
    let lines = match &state.loaded {
        None => vec![Line::from(Span::styled(
            "Reading the chart from the EHR…",
            theme.style(Role::Muted),
        ))],
        Some(Err(e)) => vec![Line::from(Span::styled(
            format!("Cannot show this patient: {e}"),
            theme.style(Role::Warning),
        ))],
        Some(Ok(d)) => lines(app, d, theme),
    };
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: true }).block(block),
        area,
    );
}

/// How NEWS2 has gone, oldest to newest so it reads as a course: `↑ rising` and
/// `1 (18:29) → 4 (00:29) → 13 (06:29)`. Nothing from a single score.
pub fn course(app: &App, n: &crate::model::News2Detail) -> Option<(&'static str, String)> {
    if n.trend.len() < 2 {
        return None;
    }
    let value = |p: Option<&crate::model::News2Point>| -> Option<u8> {
        p?.total.trim_start_matches('≥').parse().ok()
    };
    let direction = match (value(n.trend.last()), value(n.trend.first())) {
        (Some(then), Some(now)) if now > then => "↑ rising",
        (Some(then), Some(now)) if now < then => "↓ falling",
        _ => "→ steady",
    };
    let points: Vec<String> = n
        .trend
        .iter()
        .rev()
        .map(|p| {
            format!(
                "{} ({})",
                p.total,
                p.at.with_timezone(&app.utc_offset).format("%H:%M")
            )
        })
        .collect();
    Some((direction, points.join(" → ")))
}

/// The allergies as said to the team, warning-coloured where one is of high criticality;
/// none recorded and "no known allergies" said apart.
pub fn allergies(d: &PatientDetail) -> (String, Role) {
    let role = if d.allergies.iter().any(|a| a.contains("high")) {
        Role::Warning
    } else {
        Role::Text
    };
    let said = if d.allergies.is_empty() {
        d.allergy_status.clone()
    } else {
        d.allergies.join("; ")
    };
    (said, role)
}

/// A vital's readings, newest first: "75 (1h ago) ← 82 (5h ago)" reads back in time.
pub fn readings(app: &App, t: &crate::model::Trend) -> String {
    t.readings
        .iter()
        .map(|(v, at)| format!("{v} ({})", ago((app.now - *at).num_seconds())))
        .collect::<Vec<_>>()
        .join(" ← ")
}

/// The patient's plan (who wrote it, when) and open jobs, live: for the detail pane and
/// the big screen.
pub fn work<'a>(app: &App, patient: &str, theme: &Theme) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    match app.jobs.plan(patient) {
        Some(plan) => {
            for (i, text) in plan.text.lines().enumerate() {
                let label = if i == 0 { "Plan " } else { "     " };
                out.push(Line::from(vec![
                    Span::styled(label, theme.style(Role::Muted)),
                    Span::styled(text.to_string(), theme.style(Role::Text)),
                ]));
            }
            out.push(Line::styled(
                format!(
                    "     — {}, {}",
                    plan.written_by.display_name,
                    ago((app.now - plan.written_at).num_seconds())
                ),
                theme.style(Role::Muted),
            ));
        }
        None => out.push(Line::from(vec![
            Span::styled("Plan ", theme.style(Role::Muted)),
            Span::styled("none written", theme.style(Role::Muted)),
        ])),
    }
    let jobs = app.jobs.open_for(patient, app.now);
    if jobs.is_empty() {
        out.push(Line::from(vec![
            Span::styled("Jobs ", theme.style(Role::Muted)),
            Span::styled("none open", theme.style(Role::Muted)),
        ]));
    }
    const SHOWN: usize = 3;
    for (i, job) in jobs.iter().take(SHOWN).enumerate() {
        let late = crate::tui::jobs::overdue(job, app.now);
        let urgent = job.priority == crate::model::JobPriority::Urgent;
        let about = crate::tui::jobs::about(job, app.now, app.utc_offset, false);
        let role = if late || urgent {
            Role::Urgent
        } else {
            Role::Text
        };
        out.push(Line::from(vec![
            Span::styled(
                if i == 0 { "Jobs " } else { "     " },
                theme.style(Role::Muted),
            ),
            Span::styled(format!("☐ {}", job.text), theme.style(role)),
            Span::styled(format!(" — {about}"), theme.style(Role::Muted)),
        ]));
    }
    // A short pane must still say there are more: the rest are a key away.
    if jobs.len() > SHOWN {
        out.push(Line::styled(
            format!(
                "     … and {} more: :jobs patient shows them all",
                jobs.len() - SHOWN
            ),
            theme.style(Role::Muted),
        ));
    }
    out
}

fn field<'a>(label: &'a str, value: String, theme: &Theme) -> Vec<Span<'a>> {
    vec![
        Span::styled(format!("{label} "), theme.style(Role::Muted)),
        Span::styled(value, theme.style(Role::Text)),
    ]
}

fn lines<'a>(app: &App, d: &'a PatientDetail, theme: &Theme) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    out.push(Line::from(vec![
        Span::styled(d.name.clone(), theme.style(Role::Header)),
        Span::raw(format!(
            "  {} {}  MRN {}  born {}",
            d.age, d.sex, d.mrn, d.born
        )),
    ]));
    match &d.stay {
        Some(s) => {
            let place: Vec<&str> = [&s.ward, &s.room, &s.bed]
                .iter()
                .filter_map(|p| p.as_deref())
                .collect();
            let admitted = s
                .admitted
                .map(|a| {
                    format!(
                        "admitted {} ({})",
                        a.with_timezone(&app.utc_offset).format("%d %b %H:%M"),
                        ago((app.now - a).num_seconds())
                    )
                })
                .unwrap_or_default();
            let mut spans = field("Stay", format!("{}  {admitted}", place.join(" › ")), theme);
            spans.extend(field(
                "  Attending",
                s.attending.clone().unwrap_or_else(|| "—".into()),
                theme,
            ));
            spans.extend(field(
                "  Reason",
                s.reason.clone().unwrap_or_else(|| "—".into()),
                theme,
            ));
            out.push(Line::from(spans));
        }
        None => out.push(Line::from(field(
            "Stay",
            "not an inpatient now".into(),
            theme,
        ))),
    }
    let (allergies, allergy_role) = allergies(d);
    let mut spans = vec![
        Span::styled("Allergies ", theme.style(Role::Muted)),
        Span::styled(allergies, theme.style(allergy_role)),
    ];
    spans.extend(field(
        "  Code status",
        d.code_status.clone().unwrap_or_else(|| "—".into()),
        theme,
    ));
    spans.extend(field(
        "  Isolation",
        d.isolation.clone().unwrap_or_else(|| "—".into()),
        theme,
    ));
    spans.extend(field(
        "  Diet",
        d.diet.clone().unwrap_or_else(|| "—".into()),
        theme,
    ));
    out.push(Line::from(spans));
    // wardround's own word on the patient comes high: on a short screen it must show.
    out.extend(work(app, &d.patient, theme));
    let list = |v: &[String]| {
        if v.is_empty() {
            "none recorded".to_string()
        } else {
            v.join("; ")
        }
    };
    out.push(Line::from(field("Problems", list(&d.problems), theme)));
    out.push(Line::from(field(
        "Medications",
        list(&d.medications),
        theme,
    )));
    let parts: Vec<String> = d
        .news2
        .parameters
        .iter()
        .map(|(name, score)| {
            format!(
                "{name} {}",
                score.map_or("?".to_string(), |s| s.to_string())
            )
        })
        .collect();
    let mut news = vec![Span::styled(
        format!("NEWS2 {}", d.news2.total),
        theme.style(Role::Header),
    )];
    if !parts.is_empty() {
        news.push(Span::raw(format!("  {}", parts.join(" · "))));
    }
    if let Some((direction, points)) = course(app, &d.news2) {
        news.push(Span::styled(
            format!("  {direction}: {points}"),
            theme.style(Role::Text),
        ));
    }
    if let Some(note) = &d.news2.note {
        news.push(Span::styled(
            format!("  ({note})"),
            theme.style(Role::Muted),
        ));
    }
    out.push(Line::from(news));
    for t in &d.vitals {
        out.push(Line::from(vec![
            Span::styled(
                format!("{} ({}) ", t.label, t.unit),
                theme.style(Role::Muted),
            ),
            Span::styled(readings(app, t), theme.style(Role::Text)),
        ]));
    }
    for why in &d.unreadable {
        out.push(Line::from(Span::styled(
            format!("Could not read {why}"),
            theme.style(Role::Warning),
        )));
    }
    out.push(Line::from(Span::styled(
        format!(
            "Read from the EHR {}",
            ago((app.now - d.read_at).num_seconds())
        ),
        theme.style(Role::Muted),
    )));
    out
}
