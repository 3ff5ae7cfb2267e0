//! `:handover`: the list's handover sheet for the next shift, patient by patient: bed,
//! name, NEWS2, the plan and the open jobs. Read again as jobs and plans change.

use crossterm::event::KeyCode;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;
use uuid::Uuid;

use super::pane_block;
use crate::model::{HandoverSheet, JobPriority};
use crate::tui::action::Effect;
use crate::tui::app::{App, Overlay};
use crate::tui::jobs::{due_label, overdue};
use crate::tui::keymap::{Binding, Command, KeyPress, Scope};
use crate::tui::theme::{Role, Theme};

#[derive(Debug, Clone)]
pub struct HandoverState {
    pub list: Uuid,
    pub sheet: Option<Result<HandoverSheet, String>>,
    pub scroll: u16,
}

pub fn bindings() -> Vec<Binding> {
    use Command::*;
    let s = Scope::Handover;
    vec![
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::Down), KeyPress::ch('j')],
            HelpDown,
            "Scroll down",
        ),
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::Up), KeyPress::ch('k')],
            HelpUp,
            "Scroll up",
        ),
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::PageDown)],
            PageDown,
            "A page down",
        ),
        Binding::new(s, &[KeyPress::plain(KeyCode::PageUp)], PageUp, "A page up"),
        Binding::new(s, &[KeyPress::ch('r')], FetchLatest, "Read it again").hint("refresh"),
        Binding::new(s, &[KeyPress::plain(KeyCode::Esc)], CloseSearch, "Close").hint("close"),
    ]
}

/// `:handover` for the list shown.
pub fn open(app: &mut App) -> Vec<Effect> {
    let Some(list) = app.patients.list_id else {
        app.notice = Some("No list is shown: choose one with L first.".into());
        return Vec::new();
    };
    app.overlay = Overlay::Handover(HandoverState {
        list,
        sheet: None,
        scroll: 0,
    });
    vec![Effect::LoadHandover(list)]
}

pub fn loaded(app: &mut App, list: Uuid, sheet: Result<HandoverSheet, String>) {
    if let Overlay::Handover(state) = app.overlay.unlocked_mut() {
        if state.list == list {
            state.sheet = Some(sheet);
        }
    }
}

/// A job or a plan changed: an open sheet is read again.
pub fn stale(app: &App) -> Vec<Effect> {
    match &app.overlay {
        Overlay::Handover(state) => vec![Effect::LoadHandover(state.list)],
        _ => Vec::new(),
    }
}

pub fn handle(app: &mut App, command: Command) -> Vec<Effect> {
    let page = app.screen.1.saturating_sub(6).max(1);
    let Overlay::Handover(state) = &mut app.overlay else {
        return Vec::new();
    };
    // Scrolled no further than its last line at the top.
    let most = match &state.sheet {
        Some(Ok(sheet)) => u16::try_from(line_count(sheet)).unwrap_or(u16::MAX),
        _ => 0,
    };
    let mut effects = Vec::new();
    match command {
        Command::CloseSearch => {
            app.overlay = Overlay::None;
            return effects;
        }
        Command::HelpDown => state.scroll = state.scroll.saturating_add(1),
        Command::HelpUp => state.scroll = state.scroll.saturating_sub(1),
        Command::PageDown => state.scroll = state.scroll.saturating_add(page),
        Command::PageUp => state.scroll = state.scroll.saturating_sub(page),
        Command::FetchLatest => effects.push(Effect::LoadHandover(state.list)),
        _ => {}
    }
    state.scroll = state.scroll.min(most.saturating_sub(1));
    effects
}

/// The sheet's lines before wrapping: a patient's head, plan (or its absence), jobs, and
/// a blank line between.
fn line_count(sheet: &HandoverSheet) -> usize {
    1 + sheet
        .rows
        .iter()
        .map(|r| 2 + r.plan.as_ref().map_or(1, |p| p.text.lines().count() + 1) + r.jobs.len())
        .sum::<usize>()
}

fn lines<'a>(app: &App, sheet: &HandoverSheet, theme: &Theme) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    let jobs: usize = sheet.rows.iter().map(|r| r.jobs.len()).sum();
    let gone = sheet
        .rows
        .iter()
        .filter(|r| r.discharged_at.is_some())
        .count();
    let gone = if gone > 0 {
        format!(" · {gone} discharged today")
    } else {
        String::new()
    };
    out.push(Line::styled(
        format!(
            "{} patients{gone} · {jobs} open jobs · as of {}",
            sheet.rows.len()
                - sheet
                    .rows
                    .iter()
                    .filter(|r| r.discharged_at.is_some())
                    .count(),
            sheet.at.with_timezone(&app.utc_offset).format("%H:%M")
        ),
        theme.style(Role::Muted),
    ));
    for row in &sheet.rows {
        out.push(Line::default());
        let news2_role = match row.news2_score {
            Some(n) if n >= 7 => Role::Urgent,
            Some(n) if n >= 5 => Role::Important,
            _ => Role::Text,
        };
        let mut head = vec![
            Span::styled(format!("{}  ", row.bed), theme.style(Role::Header)),
            Span::styled(format!("{}  ", row.name), theme.style(Role::Header)),
            Span::styled(format!("NEWS2 {}", row.news2), theme.style(news2_role)),
        ];
        if let Some(at) = row.discharged_at {
            head.push(Span::styled(
                format!(
                    "  discharged {}",
                    at.with_timezone(&app.utc_offset).format("%H:%M")
                ),
                theme.style(Role::Muted),
            ));
        }
        out.push(Line::from(head));
        match &row.plan {
            Some(plan) => {
                for (i, text) in plan.text.lines().enumerate() {
                    let lead = if i == 0 { "  Plan: " } else { "        " };
                    out.push(Line::from(vec![
                        Span::styled(lead, theme.style(Role::Muted)),
                        Span::styled(text.to_string(), theme.style(Role::Text)),
                    ]));
                }
                out.push(Line::styled(
                    format!(
                        "        — {}, {}",
                        plan.written_by.display_name,
                        due_label(plan.written_at, app.now, app.utc_offset)
                    ),
                    theme.style(Role::Muted),
                ));
            }
            None => out.push(Line::styled("  No plan written.", theme.style(Role::Muted))),
        }
        for job in &row.jobs {
            let late = overdue(job, app.now);
            let about = crate::tui::jobs::about(job, app.now, app.utc_offset, true);
            let role = if late || job.priority == JobPriority::Urgent {
                Role::Urgent
            } else {
                Role::Text
            };
            out.push(Line::from(vec![
                Span::styled("  ☐ ", theme.style(role)),
                Span::styled(job.text.clone(), theme.style(role)),
                Span::styled(format!(" — {about}"), theme.style(Role::Muted)),
            ]));
        }
    }
    out
}

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Overlay::Handover(state) = &app.overlay else {
        return;
    };
    let popup = super::centered(area, 110, area.height.saturating_sub(2).max(8));
    frame.render_widget(Clear, popup);
    let name = app
        .lists
        .iter()
        .find(|l| l.id == state.list)
        .map_or(app.patients.title.as_str(), |l| l.name.as_str());
    let title = format!(" Handover · {name} ");
    let block = pane_block(
        super::truncate(&title, usize::from(popup.width)),
        true,
        theme,
    );
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let body = match &state.sheet {
        None => vec![Line::styled("Reading the sheet…", theme.style(Role::Muted))],
        Some(Err(e)) => vec![Line::styled(
            format!("The sheet could not be read: {e}"),
            theme.style(Role::Warning),
        )],
        Some(Ok(sheet)) => lines(app, sheet, theme),
    };
    frame.render_widget(
        Paragraph::new(body)
            .wrap(Wrap { trim: false })
            .scroll((state.scroll, 0)),
        inner,
    );
}
