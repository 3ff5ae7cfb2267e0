//! A list from a ward's census: find the ward in the EHR by the start of its name, choose,
//! name the list. The list then keeps itself: admissions, transfers and discharges arrive
//! by themselves.

use crossterm::event::KeyCode;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, List, ListItem, ListState, Paragraph};
use ratatui::Frame;

use super::pane_block;
use super::prompt::{self, Asking};
use crate::fhir::census::FoundLocation;
use crate::tui::action::Effect;
use crate::tui::app::{App, Overlay};
use crate::tui::keymap::{Binding, Command, KeyPress, Scope};
use crate::tui::theme::{Role, Theme};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct WardSearchState {
    pub query: String,
    /// The query the results are for; Enter searches again when the query has changed.
    pub results_for: String,
    pub results: Option<Result<Vec<FoundLocation>, String>>,
    pub selected: usize,
}

pub fn bindings() -> Vec<Binding> {
    use Command::*;
    let s = Scope::WardSearch;
    vec![
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::Enter)],
            SearchOrAdd,
            "Search, or follow that ward",
        )
        .hint("search/choose"),
        Binding::new(s, &[KeyPress::plain(KeyCode::Esc)], CloseSearch, "Close").hint("close"),
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::Down)],
            ResultDown,
            "Next ward",
        ),
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::Up)],
            ResultUp,
            "Previous ward",
        ),
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::Backspace)],
            DeleteBack,
            "Delete the last character",
        ),
    ]
}

/// `n`, then Tab: the search, starting with what was typed as the list's name.
pub fn open(app: &mut App, typed: String) {
    app.overlay = Overlay::WardSearch(WardSearchState {
        query: typed,
        ..Default::default()
    });
}

/// The wards found, for the query they answer: those for an older query are dropped.
pub fn results(app: &mut App, query: String, result: Result<Vec<FoundLocation>, String>) {
    if let Overlay::WardSearch(search) = app.overlay.unlocked_mut() {
        if search.query != query {
            return;
        }
        search.results = Some(result);
        search.selected = 0;
        search.results_for = query;
    }
}

pub fn type_char(app: &mut App, c: char) {
    if let Overlay::WardSearch(search) = &mut app.overlay {
        if search.query.chars().count() < 60 {
            search.query.push(c);
        }
    }
}

pub fn handle(app: &mut App, command: Command) -> Vec<Effect> {
    let Overlay::WardSearch(search) = &mut app.overlay else {
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
            let Some(ward) = chosen else {
                search.results = None;
                search.results_for = search.query.clone();
                return vec![Effect::FindWards(search.query.clone())];
            };
            prompt::ask(
                app,
                Asking::CensusList {
                    location: ward.reference,
                },
                ward.name,
            );
        }
        _ => {}
    }
    Vec::new()
}

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Overlay::WardSearch(search) = &app.overlay else {
        return;
    };
    let popup = super::centered(area, 80, 14);
    frame.render_widget(Clear, popup);
    let block = pane_block(" A list from a ward's census ".into(), true, theme);
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let [input, results] =
        Layout::vertical([Constraint::Length(2), Constraint::Min(1)]).areas(inner);
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(vec![
                Span::styled("Ward: ", theme.style(Role::Muted)),
                Span::raw(format!("{}▏", search.query)),
            ]),
            Line::from(Span::styled(
                "the start of its name; the list keeps to who is there",
                theme.style(Role::Muted),
            )),
        ]),
        input,
    );
    match &search.results {
        None if search.results_for.is_empty() => {}
        None => frame.render_widget(
            Paragraph::new("Asking the EHR…").style(theme.style(Role::Muted)),
            results,
        ),
        Some(Err(e)) => frame.render_widget(
            Paragraph::new(format!("Search failed: {e}")).style(theme.style(Role::Warning)),
            results,
        ),
        Some(Ok(found)) if found.is_empty() => frame.render_widget(
            Paragraph::new("No ward by that name.").style(theme.style(Role::Muted)),
            results,
        ),
        Some(Ok(found)) => {
            let items: Vec<ListItem> = found
                .iter()
                .map(|l| {
                    let kind = l.kind.as_deref().unwrap_or("");
                    let within = l
                        .part_of
                        .as_deref()
                        .map(|p| format!("  in {p}"))
                        .unwrap_or_default();
                    ListItem::new(format!("{:<24} {kind:<6}{within}", l.name))
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
