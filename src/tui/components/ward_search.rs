//! A list from a ward's census: find the ward in the EHR by the start of its name, choose,
//! name the list. The list then keeps itself: admissions, transfers and discharges arrive
//! by themselves.

use crossterm::event::KeyCode;
use ratatui::layout::Rect;
use ratatui::Frame;

use super::prompt::{self, Asking};
use super::search::{self, Enter, Look, Searching};
use crate::fhir::census::FoundLocation;
use crate::tui::action::Effect;
use crate::tui::app::{App, Overlay};
use crate::tui::keymap::{Binding, Command, KeyPress, Scope};
use crate::tui::theme::Theme;

pub type WardSearchState = Searching<FoundLocation>;

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
    ]
}

/// `n`, then Tab: the search, starting with what was typed as the list's name.
pub fn open(app: &mut App, typed: String) {
    app.overlay = Overlay::WardSearch(Searching::typed(typed));
}

/// The wards found, for the query they answer: those for an older query are dropped.
pub fn results(app: &mut App, query: String, result: Result<Vec<FoundLocation>, String>) {
    if let Overlay::WardSearch(search) = app.overlay.unlocked_mut() {
        search.answered(query, result);
    }
}

pub fn type_char(app: &mut App, c: char) {
    if let Overlay::WardSearch(search) = &mut app.overlay {
        search.type_char(c);
    }
}

pub fn handle(app: &mut App, command: Command) -> Vec<Effect> {
    let Overlay::WardSearch(search) = &mut app.overlay else {
        return Vec::new();
    };
    match search.command(command) {
        Enter::Nothing => {}
        Enter::Close => app.overlay = Overlay::None,
        Enter::Search(query) => return vec![Effect::FindWards(query)],
        Enter::Chosen(ward) => prompt::ask(
            app,
            Asking::CensusList {
                location: ward.reference,
            },
            ward.name,
        ),
    }
    Vec::new()
}

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Overlay::WardSearch(search) = &app.overlay else {
        return;
    };
    let look = Look {
        title: " A list from a ward's census ".into(),
        prompt: "Ward: ",
        hint: "the start of its name; the list keeps to who is there",
        asking: "Asking the EHR…",
        none: "No ward by that name.",
        line: &|l: &FoundLocation| {
            let kind = l.kind.as_deref().unwrap_or("");
            let within = l
                .part_of
                .as_deref()
                .map(|p| format!("  in {p}"))
                .unwrap_or_default();
            format!("{:<24} {kind:<6}{within}", l.name)
        },
    };
    search::render(search, look, theme, frame, super::centered(area, 80, 14));
}
