//! On the big screen, the patient being discussed, large enough to read across the
//! room: bed and name in big letters, NEWS2 big with how it has gone and what drives
//! it, then problems, allergies and the rest of what a round asks about.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::{ago, big_text, pane_block};
use crate::model::PatientDetail;
use crate::tui::app::App;
use crate::tui::theme::{Role, Theme};

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(state) = &app.spotlight else {
        let block = pane_block(" Patient ".into(), false, theme);
        frame.render_widget(
            Paragraph::new("Choose a patient on the list: they show here, large.")
                .style(theme.style(Role::Muted))
                .block(block),
            area,
        );
        return;
    };
    let lines = match &state.loaded {
        None => vec![Line::styled(
            "Reading the chart from the EHR…",
            theme.style(Role::Muted),
        )],
        Some(Err(e)) => vec![Line::styled(
            format!("Cannot show this patient: {e}"),
            theme.style(Role::Warning),
        )],
        Some(Ok(d)) => {
            // Letters as big as the rows allow; on a small screen, none.
            let rows = match area.height {
                h if h >= 48 => Some(big_text::Rows::Eight),
                h if h >= 26 => Some(big_text::Rows::Four),
                _ => None,
            };
            lines(app, d, theme, area.width.saturating_sub(4), rows)
        }
    };
    let title = match &state.loaded {
        Some(Ok(d)) => format!(" {} ", bed_of(d).unwrap_or("Patient")),
        _ => " Patient ".into(),
    };
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            pane_block(title, true, theme).padding(ratatui::widgets::Padding::horizontal(1)),
        ),
        area,
    );
}

fn bed_of(d: &PatientDetail) -> Option<&str> {
    d.stay.as_ref()?.bed.as_deref()
}

/// Letters `rows` tall where the width holds them, else `None`: never cut.
fn big_as_fits<'a>(
    text: &str,
    style: Style,
    width: u16,
    rows: Option<big_text::Rows>,
) -> Option<Vec<Line<'a>>> {
    let rows = rows.filter(|_| big_text::fits(text, width))?;
    big_text::lines(text, style, rows)
}

/// Big letters where they fit, else the same words plain.
fn big<'a>(text: &str, style: Style, width: u16, rows: Option<big_text::Rows>) -> Vec<Line<'a>> {
    big_as_fits(text, style, width, rows)
        .unwrap_or_else(|| vec![Line::styled(text.to_string(), style)])
}

/// The bed and the family name (`CHEN, Margaret` → `CHEN`) big: on one line where they
/// fit, else the bed over the name, else the bed big and the name plain.
fn headline<'a>(
    bed: Option<&str>,
    family: &str,
    style: Style,
    width: u16,
    rows: Option<big_text::Rows>,
) -> Vec<Line<'a>> {
    let Some(bed) = bed else {
        return big(family, style, width, rows);
    };
    if let Some(one) = big_as_fits(&format!("{bed}  {family}"), style, width, rows) {
        return one;
    }
    let mut out = big(bed, style, width, rows);
    match big_as_fits(family, style, width, rows) {
        Some(name) if out.len() > 1 => out.extend(name),
        _ if out.len() > 1 => out.push(Line::styled(family.to_string(), style)),
        // Nothing big at all: the name line below says who.
        _ => {}
    }
    out
}

fn labelled<'a>(label: &'static str, value: String, role: Role, theme: &Theme) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{label:<12}"), theme.style(Role::Muted)),
        Span::styled(value, theme.style(role)),
    ])
}

fn lines<'a>(
    app: &App,
    d: &PatientDetail,
    theme: &Theme,
    width: u16,
    rows: Option<big_text::Rows>,
) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    // The bed and the family name big (`CHEN, Margaret` → `CHEN`); then everything.
    let family = d.name.split(',').next().unwrap_or(&d.name).trim();
    if rows.is_some() {
        out.extend(headline(
            bed_of(d),
            family,
            theme.style(Role::Header),
            width,
            rows,
        ));
    }
    let mut who = vec![
        Span::styled(d.name.clone(), theme.style(Role::Header)),
        Span::styled(format!("  {} {}", d.age, d.sex), theme.style(Role::Text)),
        Span::styled(format!("  MRN {}", d.mrn), theme.style(Role::Muted)),
    ];
    if let Some(s) = &d.stay {
        if let Some(a) = s.admitted {
            // As the list's length of stay counts it.
            who.push(Span::styled(
                format!(
                    "  admitted {} ({})",
                    a.with_timezone(&app.utc_offset).format("%d %b"),
                    ago((app.now - a).num_seconds()).trim_end_matches(" ago")
                ),
                theme.style(Role::Text),
            ));
        }
    }
    // How old what is shown is, where it cannot scroll out of sight.
    who.push(Span::styled(
        format!(
            "  · read from the EHR {}",
            ago((app.now - d.read_at).num_seconds())
        ),
        theme.style(Role::Muted),
    ));
    out.push(Line::from(who));
    if let Some(reason) = d.stay.as_ref().and_then(|s| s.reason.clone()) {
        out.push(Line::styled(reason, theme.style(Role::Text)));
    }
    out.push(Line::from(""));
    out.extend(news2(app, d, theme, width, rows));
    out.push(Line::from(""));
    out.extend(super::detail::work(app, &d.patient, theme));
    out.push(Line::from(""));
    let list = |v: &[String]| {
        if v.is_empty() {
            "none recorded".to_string()
        } else {
            v.join("; ")
        }
    };
    let (allergies, allergy_role) = super::detail::allergies(d);
    out.push(labelled("Problems", list(&d.problems), Role::Text, theme));
    out.push(labelled("Allergies", allergies, allergy_role, theme));
    let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    out.push(Line::from(vec![
        Span::styled(format!("{:<12}", "Code status"), theme.style(Role::Muted)),
        Span::styled(or_dash(&d.code_status), theme.style(Role::Text)),
        Span::styled("   Isolation ", theme.style(Role::Muted)),
        Span::styled(or_dash(&d.isolation), theme.style(Role::Text)),
        Span::styled("   Diet ", theme.style(Role::Muted)),
        Span::styled(or_dash(&d.diet), theme.style(Role::Text)),
    ]));
    if let Some(s) = &d.stay {
        out.push(labelled(
            "Attending",
            or_dash(&s.attending),
            Role::Text,
            theme,
        ));
    }
    out.push(labelled(
        "Medications",
        list(&d.medications),
        Role::Text,
        theme,
    ));
    out.push(Line::from(""));
    for t in &d.vitals {
        out.push(Line::from(vec![
            Span::styled(format!("{:<12}", t.label), theme.style(Role::Muted)),
            Span::styled(
                format!("{} {}", super::detail::readings(app, t), t.unit),
                theme.style(Role::Text),
            ),
        ]));
    }
    for why in &d.unreadable {
        out.push(Line::styled(
            format!("Could not read {why}"),
            theme.style(Role::Warning),
        ));
    }
    out
}

/// The score big, coloured by what it asks for; beside it, how it went and the
/// parameters that drive it.
fn news2<'a>(
    app: &App,
    d: &PatientDetail,
    theme: &Theme,
    width: u16,
    rows: Option<big_text::Rows>,
) -> Vec<Line<'a>> {
    let n = &d.news2;
    let value: Option<u8> = n.total.trim_start_matches('≥').parse().ok();
    let red = n.parameters.iter().any(|(_, s)| *s == Some(3));
    let role = match value {
        Some(v) if v >= 7 => Role::Urgent,
        Some(v) if v >= 5 => Role::Important,
        _ if red => Role::Important,
        _ => Role::Text,
    };
    let partial = if n.total.starts_with('≥') {
        "  partial: more readings could only raise it"
    } else {
        ""
    };
    // A partial score's digits big too: the line above says it is partial.
    let digits = big_as_fits(
        n.total.trim_start_matches('≥'),
        theme.style(role),
        width,
        rows,
    );
    let mut out = match digits {
        Some(digits) => {
            let mut out = vec![Line::from(vec![
                Span::styled("NEWS2", theme.style(Role::Muted)),
                Span::styled(partial, theme.style(Role::Important)),
            ])];
            out.extend(digits);
            out
        }
        // Small: the score on one line with its word.
        None => vec![Line::from(vec![
            Span::styled("NEWS2 ", theme.style(Role::Muted)),
            Span::styled(n.total.clone(), theme.style(role)),
            Span::styled(partial, theme.style(Role::Important)),
        ])],
    };
    if let Some((direction, points)) = super::detail::course(app, n) {
        out.push(Line::from(vec![
            Span::styled(format!("{direction}  "), theme.style(role)),
            Span::styled(points, theme.style(Role::Text)),
        ]));
    }
    let mut driving: Vec<(&str, u8)> = n
        .parameters
        .iter()
        .filter_map(|(name, s)| Some((name.as_str(), (*s)?)))
        .filter(|(_, s)| *s > 0)
        .collect();
    driving.sort_by_key(|d| std::cmp::Reverse(d.1));
    if !driving.is_empty() {
        let parts: Vec<String> = driving
            .iter()
            .map(|(name, s)| format!("{name} {s}"))
            .collect();
        out.push(Line::from(vec![
            Span::styled("driven by  ", theme.style(Role::Muted)),
            Span::styled(parts.join(" · "), theme.style(role)),
        ]));
    }
    if let Some(note) = &n.note {
        out.push(Line::styled(note.clone(), theme.style(Role::Muted)));
    }
    out
}
