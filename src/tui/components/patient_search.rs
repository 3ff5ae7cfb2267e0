//! Adding a patient to the list: search the EHR by name, MRN or birth date, choose.

use crossterm::event::KeyCode;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, List, ListItem, ListState, Paragraph};
use ratatui::Frame;

use super::pane_block;
use crate::model::PatientSummary;
use crate::tui::action::Effect;
use crate::tui::app::{App, Overlay};
use crate::tui::keymap::{Binding, Command, KeyPress, Scope};
use crate::tui::theme::{Role, Theme};

pub fn bindings() -> Vec<Binding> {
    use Command::*;
    let s = Scope::Search;
    vec![
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::Enter)],
            SearchOrAdd,
            "Search, or add the chosen one",
        )
        .hint("search/add"),
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::Esc)],
            CloseSearch,
            "Close without adding",
        )
        .hint("close"),
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::Down)],
            ResultDown,
            "Next result",
        ),
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::Up)],
            ResultUp,
            "Previous result",
        ),
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::Backspace)],
            DeleteBack,
            "Delete the last character",
        ),
    ]
}

/// Search results, for the query they answer: those for an older query are dropped.
pub fn results(app: &mut App, query: String, result: Result<Vec<PatientSummary>, String>) {
    if let Overlay::Search(search) = app.overlay.unlocked_mut() {
        if search.query != query {
            return;
        }
        search.results = Some(result);
        search.selected = 0;
        search.results_for = query;
    }
}

pub fn type_char(app: &mut App, c: char) {
    if let Overlay::Search(search) = &mut app.overlay {
        if search.query.chars().count() < 60 {
            search.query.push(c);
        }
    }
}

pub fn handle(app: &mut App, command: Command) -> Vec<Effect> {
    let Overlay::Search(search) = &mut app.overlay else {
        return Vec::new();
    };
    let found = match &search.results {
        Some(Ok(found)) => found.len(),
        _ => 0,
    };
    match command {
        Command::CloseSearch => app.overlay = Overlay::None,
        Command::DeleteBack => {
            search.query.pop();
        }
        Command::ResultDown => search.selected = (search.selected + 1).min(found.saturating_sub(1)),
        Command::ResultUp => search.selected = search.selected.saturating_sub(1),
        Command::SearchOrAdd => {
            let query = search.query.trim().to_string();
            if query.is_empty() {
                return Vec::new();
            }
            let chosen = match &search.results {
                Some(Ok(found)) if search.results_for == search.query => {
                    found.get(search.selected).cloned()
                }
                _ => None,
            };
            let Some(chosen) = chosen else {
                search.results = None;
                return vec![Effect::SearchPatients(search.query.clone())];
            };
            let Some(list) = app.patients.list_id else {
                return Vec::new();
            };
            app.notice = Some(format!("Adding {} to the list…", chosen.name));
            app.overlay = Overlay::None;
            return vec![Effect::AddPatient {
                list,
                patient: chosen.id,
                name: chosen.name,
            }];
        }
        _ => {}
    }
    Vec::new()
}

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Overlay::Search(search) = &app.overlay else {
        return;
    };
    let popup = super::centered(area, 90, 16);
    frame.render_widget(Clear, popup);
    let block = pane_block(
        format!(" Add a patient to {} ", app.patients.title),
        true,
        theme,
    );
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let [input, results] =
        Layout::vertical([Constraint::Length(2), Constraint::Min(1)]).areas(inner);
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(vec![
                Span::styled("Find: ", theme.style(Role::Muted)),
                Span::raw(format!("{}▏", search.query)),
            ]),
            Line::from(Span::styled(
                "a name, an MRN, or a birth date (YYYY-MM-DD)",
                theme.style(Role::Muted),
            )),
        ]),
        input,
    );
    match &search.results {
        None if search.results_for.is_empty() => {}
        None => frame.render_widget(
            Paragraph::new("Searching the EHR…").style(theme.style(Role::Muted)),
            results,
        ),
        Some(Err(e)) => frame.render_widget(
            Paragraph::new(format!("Search failed: {e}")).style(theme.style(Role::Warning)),
            results,
        ),
        Some(Ok(found)) if found.is_empty() => frame.render_widget(
            Paragraph::new("No patient matches.").style(theme.style(Role::Muted)),
            results,
        ),
        Some(Ok(found)) => {
            let items: Vec<ListItem> = found
                .iter()
                .map(|p| {
                    ListItem::new(format!(
                        "{:<28} MRN {:<12} born {}  {}",
                        p.name, p.mrn, p.birth_date, p.sex
                    ))
                })
                .collect();
            let mut state = ListState::default().with_selected(Some(search.selected));
            frame.render_stateful_widget(
                List::new(items).highlight_style(theme.style(Role::Selection)),
                results,
                &mut state,
            );
        }
    }
}

/// Reads what was typed as the search a clerk would mean: a date is a birth date, a
/// word with digits an MRN, anything else a name.
pub fn query_of(text: &str) -> crate::model::PatientQuery {
    let t = text.trim().to_string();
    let is_date = t.len() == 10
        && t.chars().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    let is_mrn = !t.contains(' ') && t.chars().any(|c| c.is_ascii_digit());
    let mut q = crate::model::PatientQuery::default();
    if is_date {
        q.birth_date = Some(t);
    } else if is_mrn {
        q.mrn = Some(t);
    } else {
        q.name = Some(t);
    }
    q
}

#[cfg(test)]
mod tests {
    use super::query_of;

    #[test]
    fn a_search_reads_as_date_mrn_or_name() {
        assert_eq!(
            query_of("1957-08-18").birth_date.as_deref(),
            Some("1957-08-18")
        );
        assert_eq!(query_of(" 3781600 ").mrn.as_deref(), Some("3781600"));
        assert_eq!(query_of("lindqvist").name.as_deref(), Some("lindqvist"));
        assert_eq!(
            query_of("van der berg").name.as_deref(),
            Some("van der berg")
        );
    }
}
