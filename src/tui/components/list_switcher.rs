//! Every list of every team I am in, with how many patients each holds, what keeps it
//! (a ward's census, an EHR list, or by hand) and what changed on it: `L`, type to
//! narrow, Enter to show one.

use crossterm::event::KeyCode;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, List, ListItem, ListState, Paragraph};
use ratatui::Frame;
use uuid::Uuid;

use super::pane_block;
use super::text_field::TextField;
use crate::model::{ListSource, PatientList};
use crate::tui::action::Effect;
use crate::tui::app::{App, Overlay};
use crate::tui::keymap::{Binding, Command, KeyPress, Scope};
use crate::tui::theme::{Role, Theme};

pub fn bindings() -> Vec<Binding> {
    use Command::*;
    let s = Scope::Lists;
    vec![
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::Enter)],
            OpenList,
            "Show that list",
        )
        .hint("show"),
        Binding::new(s, &[KeyPress::plain(KeyCode::Esc)], CloseSearch, "Close").hint("close"),
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::Down)],
            ResultDown,
            "Next list",
        ),
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::Up)],
            ResultUp,
            "Previous list",
        ),
    ]
}

#[derive(Debug, Clone, Default)]
pub struct ListsState {
    /// Narrows by the list's or its team's name.
    pub find: TextField,
    /// The list under the cursor (kept by id: lists come and go while it is open).
    pub selected: Option<Uuid>,
}

/// A list as the switcher shows it.
struct Entry<'a> {
    list: &'a PatientList,
    team: &'a str,
}

/// `L`: the switcher, on the list shown.
pub fn open(app: &mut App) {
    app.overlay = Overlay::Lists(ListsState {
        find: TextField::default(),
        selected: app.patients.list_id,
    });
}

pub fn type_char(app: &mut App, c: char) {
    if let Overlay::Lists(state) = &mut app.overlay {
        state.find.insert(c, 60);
    }
    keep_selection_shown(app);
}

pub fn handle(app: &mut App, command: Command) -> Vec<Effect> {
    let Overlay::Lists(state) = &mut app.overlay else {
        return Vec::new();
    };
    match command {
        Command::CloseSearch => app.overlay = Overlay::None,
        Command::Edit(edit) => {
            state.find.edit(edit);
            keep_selection_shown(app);
        }
        Command::ResultDown | Command::ResultUp => {
            let find = state.find.as_str().to_string();
            let shown: Vec<Uuid> = entries(app, &find).iter().map(|e| e.list.id).collect();
            let Overlay::Lists(state) = &mut app.overlay else {
                return Vec::new();
            };
            let at = shown.iter().position(|id| Some(*id) == state.selected);
            let next = match (at, command == Command::ResultDown) {
                (None, _) => 0,
                (Some(i), true) => (i + 1).min(shown.len().saturating_sub(1)),
                (Some(i), false) => i.saturating_sub(1),
            };
            state.selected = shown.get(next).copied();
        }
        Command::OpenList => {
            let Some(id) = state.selected else {
                return Vec::new();
            };
            app.overlay = Overlay::None;
            return crate::tui::update::show_list(app, id);
        }
        _ => {}
    }
    Vec::new()
}

/// After the text changes: the cursor on a list still shown, else on the first one.
fn keep_selection_shown(app: &mut App) {
    let Overlay::Lists(state) = &app.overlay else {
        return;
    };
    let shown: Vec<Uuid> = entries(app, state.find.as_str())
        .iter()
        .map(|e| e.list.id)
        .collect();
    if let Overlay::Lists(state) = &mut app.overlay {
        if !state.selected.is_some_and(|id| shown.contains(&id)) {
            state.selected = shown.first().copied();
        }
    }
}

/// The lists whose name or team's name holds `find`, by team and then by name.
fn entries<'a>(app: &'a App, find: &str) -> Vec<Entry<'a>> {
    let find = find.trim().to_lowercase();
    let mut found: Vec<Entry> = app
        .lists
        .iter()
        .map(|list| Entry {
            list,
            team: app
                .teams
                .iter()
                .find(|t| t.id == list.team_id)
                .map_or("", |t| t.name.as_str()),
        })
        .filter(|e| {
            find.is_empty()
                || e.list.name.to_lowercase().contains(&find)
                || e.team.to_lowercase().contains(&find)
        })
        .collect();
    found.sort_by(|a, b| {
        (a.team, a.list.name.to_lowercase()).cmp(&(b.team, b.list.name.to_lowercase()))
    });
    found
}

/// `29 patients · census of 4 West · 1 new, 1 discharged`.
fn about(list: &PatientList) -> String {
    let gone = list.marks.values().filter(|m| m.gone_at.is_some()).count();
    let new = list.marks.values().filter(|m| m.new).count();
    let here = list.patient_ids.len().saturating_sub(gone);
    let mut parts = vec![match here {
        1 => "1 patient".to_string(),
        n => format!("{n} patients"),
    }];
    parts.push(match &list.source {
        Some(ListSource::Census { location_name, .. }) => format!("census of {location_name}"),
        Some(ListSource::FhirList { title, .. }) => format!("EHR list {title}"),
        None => "by hand".into(),
    });
    let gone_word = list.source.as_ref().map_or("gone", ListSource::gone_word);
    let changes: Vec<String> = [(new, "new"), (gone, gone_word)]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
    if !changes.is_empty() {
        parts.push(changes.join(", "));
    }
    parts.join(" · ")
}

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Overlay::Lists(state) = &app.overlay else {
        return;
    };
    let shown = entries(app, state.find.as_str());
    let teams = {
        let mut t: Vec<&str> = shown.iter().map(|e| e.team).collect();
        t.dedup();
        t.len()
    };
    let height = u16::try_from(shown.len() + teams + 4).unwrap_or(u16::MAX);
    let popup = super::centered(area, 100, height.max(8));
    frame.render_widget(Clear, popup);
    let title = if shown.len() == app.lists.len() {
        format!(" Lists of your teams ({}) ", app.lists.len())
    } else {
        format!(
            " Lists of your teams ({} of {}) ",
            shown.len(),
            app.lists.len()
        )
    };
    let block = pane_block(title, true, theme);
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let [input, list_area] =
        Layout::vertical([Constraint::Length(2), Constraint::Min(1)]).areas(inner);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("Find: ", theme.style(Role::Muted)),
            Span::raw(
                state
                    .find
                    .with_bar(usize::from(input.width).saturating_sub(6)),
            ),
        ])),
        input,
    );
    if shown.is_empty() {
        let text = if app.lists.is_empty() {
            "Your teams have no list yet: n makes one."
        } else {
            "No list or team has that in its name."
        };
        frame.render_widget(
            Paragraph::new(text).style(theme.style(Role::Muted)),
            list_area,
        );
        return;
    }
    let name_width = shown
        .iter()
        .map(|e| unicode_width::UnicodeWidthStr::width(e.list.name.as_str()))
        .max()
        .unwrap_or(0)
        .min(usize::from(list_area.width) / 2);
    let mut items = Vec::new();
    let mut selected = None;
    let mut team = None;
    for e in &shown {
        if team != Some(e.team) {
            team = Some(e.team);
            let heading = if e.team.is_empty() {
                "Other teams"
            } else {
                e.team
            };
            items.push(ListItem::new(Line::styled(
                heading.to_string(),
                theme.style(Role::Header),
            )));
        }
        if state.selected == Some(e.list.id) {
            selected = Some(items.len());
        }
        let here = if app.patients.list_id == Some(e.list.id) {
            "▸ "
        } else {
            "  "
        };
        let name = super::truncate(&e.list.name, name_width);
        let pad = name_width.saturating_sub(unicode_width::UnicodeWidthStr::width(name.as_str()));
        items.push(ListItem::new(Line::from(vec![
            Span::styled(here, theme.style(Role::Important)),
            Span::styled(
                format!("{name}{}  ", " ".repeat(pad)),
                theme.style(Role::Text),
            ),
            // What is said of it gives way (with an ellipsis) before the name does.
            Span::styled(
                super::truncate(
                    &about(e.list),
                    usize::from(list_area.width).saturating_sub(name_width + 4),
                ),
                theme.style(Role::Muted),
            ),
        ])));
    }
    let mut list_state = ListState::default().with_selected(selected);
    frame.render_stateful_widget(
        List::new(items).highlight_style(theme.style(Role::Selection)),
        list_area,
        &mut list_state,
    );
}
