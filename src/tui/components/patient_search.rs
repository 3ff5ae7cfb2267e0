//! Adding a patient to the list: search the EHR by name, MRN or birth date, choose.

use crossterm::event::KeyCode;
use ratatui::layout::Rect;
use ratatui::Frame;

use super::search::{self, Enter, Look};
use crate::model::PatientSummary;
use crate::tui::action::Effect;
use crate::tui::app::{App, Overlay};
use crate::tui::keymap::{Binding, Command, KeyPress, Scope};
use crate::tui::theme::Theme;

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
    ]
}

/// Search results, for the query they answer: those for an older query are dropped.
pub fn results(app: &mut App, query: String, result: Result<Vec<PatientSummary>, String>) {
    if let Overlay::Search(search) = app.overlay.unlocked_mut() {
        search.answered(query, result);
    }
}

pub fn type_char(app: &mut App, c: char) {
    if let Overlay::Search(search) = &mut app.overlay {
        search.type_char(c);
    }
}

pub fn handle(app: &mut App, command: Command) -> Vec<Effect> {
    let Overlay::Search(search) = &mut app.overlay else {
        return Vec::new();
    };
    match search.command(command) {
        Enter::Nothing => {}
        Enter::Close => app.overlay = Overlay::None,
        Enter::Search(query) => return vec![Effect::SearchPatients(query)],
        Enter::Chosen(chosen) => {
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
    }
    Vec::new()
}

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Overlay::Search(search) = &app.overlay else {
        return;
    };
    let look = Look {
        title: format!(" Add a patient to {} ", app.patients.title),
        prompt: "Find: ",
        hint: "a name, an MRN, or a birth date (YYYY-MM-DD)",
        asking: "Searching the EHR…",
        none: "No patient matches.",
        line: &|p: &PatientSummary| {
            format!(
                "{:<28} MRN {:<12} born {}  {}",
                p.name, p.mrn, p.birth_date, p.sex
            )
        },
    };
    search::render(search, look, theme, frame, super::centered(area, 90, 16));
}

/// Reads what was typed as the search a clerk would mean: a date is a birth date, a
/// word with digits an MRN, anything else a name.
pub fn query_of(text: &str) -> crate::model::PatientQuery {
    let mut t = text.trim().to_string();
    // A date as a UK ward writes it, 17/01/2005, is the ISO date the EHR takes.
    if let [d, m, y] = t.split('/').collect::<Vec<_>>()[..] {
        let digits = |s: &str, n: std::ops::RangeInclusive<usize>| {
            n.contains(&s.len()) && s.chars().all(|c| c.is_ascii_digit())
        };
        if digits(d, 1..=2) && digits(m, 1..=2) && digits(y, 4..=4) {
            t = format!("{y}-{m:0>2}-{d:0>2}");
        }
    }
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
        assert_eq!(
            query_of("7/1/2005").birth_date.as_deref(),
            Some("2005-01-07"),
            "day first, as a UK ward writes it"
        );
        assert_eq!(query_of("lindqvist").name.as_deref(), Some("lindqvist"));
        assert_eq!(
            query_of("van der berg").name.as_deref(),
            Some("van der berg")
        );
    }
}
