//! Choosing the list's columns: show, hide, reorder, widen. Saved for this user and list
//! on the server (or as the team's default), so it follows them to any workstation.

use crossterm::event::KeyCode;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, List, ListItem, ListState, Paragraph};
use ratatui::Frame;

use super::pane_block;
use crate::model::{ColumnId, ListView};
use crate::tui::action::Effect;
use crate::tui::app::{App, Overlay};
use crate::tui::keymap::{Binding, Command, KeyPress, Scope};
use crate::tui::theme::{Role, Theme};

#[derive(Debug, Clone, Default)]
pub struct PickerState {
    /// Every column on offer, in order; `true` when shown.
    pub entries: Vec<(ColumnId, bool)>,
    pub selected: usize,
}

pub fn bindings() -> Vec<Binding> {
    use Command::*;
    let s = Scope::Picker;
    vec![
        Binding::new(
            s,
            &[KeyPress::ch('j'), KeyPress::plain(KeyCode::Down)],
            PickerDown,
            "Next column",
        )
        .hint("move"),
        Binding::new(
            s,
            &[KeyPress::ch('k'), KeyPress::plain(KeyCode::Up)],
            PickerUp,
            "Previous column",
        ),
        Binding::new(
            s,
            &[KeyPress::ch(' ')],
            PickerToggle,
            "Show or hide the column",
        )
        .hint("show/hide"),
        Binding::new(
            s,
            &[KeyPress::ch('K')],
            PickerEarlier,
            "Move the column left",
        )
        .hint("reorder"),
        Binding::new(
            s,
            &[KeyPress::ch('J')],
            PickerLater,
            "Move the column right",
        ),
        Binding::new(s, &[KeyPress::ch('+')], PickerWider, "Widen the column").hint("width"),
        Binding::new(s, &[KeyPress::ch('-')], PickerNarrower, "Narrow the column"),
        Binding::new(
            s,
            &[KeyPress::ch('t')],
            PickerShare,
            "Save as the team default",
        ),
        Binding::new(
            s,
            &[
                KeyPress::plain(KeyCode::Enter),
                KeyPress::plain(KeyCode::Esc),
            ],
            PickerDone,
            "Done (saved for you)",
        )
        .hint("done"),
    ]
}

pub fn open(app: &mut App) {
    let shown = app.patients.columns.clone();
    let mut entries: Vec<(ColumnId, bool)> = shown.iter().map(|&c| (c, true)).collect();
    entries.extend(
        ColumnId::ALL
            .iter()
            .filter(|c| !shown.contains(c))
            .map(|&c| (c, false)),
    );
    app.overlay = Overlay::Picker(PickerState {
        entries,
        selected: 0,
    });
}

fn view_of(app: &App) -> ListView {
    ListView {
        columns: app.patients.columns.clone(),
        sort: app.patients.sort.clone(),
        widths: app.patients.widths.clone(),
    }
}

/// The effect that saves the list's arrangement for this user.
pub fn save(app: &App, shared: bool) -> Vec<Effect> {
    app.patients
        .list_id
        .map(|list| Effect::SaveView {
            list,
            view: view_of(app),
            shared,
        })
        .into_iter()
        .collect()
}

pub fn handle(app: &mut App, command: Command) -> Vec<Effect> {
    let Overlay::Picker(picker) = &mut app.overlay else {
        return Vec::new();
    };
    let last = picker.entries.len().saturating_sub(1);
    let at = picker.selected;
    match command {
        Command::PickerDown => picker.selected = (at + 1).min(last),
        Command::PickerUp => picker.selected = at.saturating_sub(1),
        Command::PickerToggle => {
            let shown = picker.entries.iter().filter(|e| e.1).count();
            // The list keeps at least one column: an empty table helps nobody.
            if let Some(e) = picker.entries.get_mut(at).filter(|e| !e.1 || shown > 1) {
                e.1 = !e.1;
            }
        }
        Command::PickerEarlier if at > 0 => {
            picker.entries.swap(at, at - 1);
            picker.selected -= 1;
        }
        Command::PickerLater if at < last => {
            picker.entries.swap(at, at + 1);
            picker.selected += 1;
        }
        Command::PickerWider | Command::PickerNarrower => {
            if let Some(&(column, _)) = picker.entries.get(at) {
                let now = app
                    .patients
                    .widths
                    .get(&column)
                    .copied()
                    .unwrap_or_else(|| super::patient_list::preferred_width(column));
                let next = if command == Command::PickerWider {
                    now.saturating_add(2).min(120)
                } else {
                    now.saturating_sub(2).max(3)
                };
                app.patients.widths.insert(column, next);
            }
        }
        Command::PickerShare | Command::PickerDone => {
            apply(app);
            let shared = command == Command::PickerShare;
            if !shared {
                app.overlay = Overlay::None;
            } else {
                app.notice = Some("Saved as the team's default for this list.".into());
            }
            let mut effects = save(app, shared);
            if shared {
                // The team default is a starting point; this user keeps theirs too.
                effects.extend(save(app, false));
            }
            return effects;
        }
        _ => {}
    }
    apply(app);
    Vec::new()
}

/// Shows the list as the picker has it now.
fn apply(app: &mut App) {
    let Overlay::Picker(picker) = &app.overlay else {
        return;
    };
    let columns: Vec<ColumnId> = picker.entries.iter().filter(|e| e.1).map(|e| e.0).collect();
    let focused = app.patients.focused_column();
    app.patients.columns = columns;
    app.patients.column = focused
        .and_then(|f| app.patients.columns.iter().position(|c| *c == f))
        .unwrap_or(0)
        .min(app.patients.columns.len().saturating_sub(1));
    app.patients.refresh();
}

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Overlay::Picker(picker) = &app.overlay else {
        return;
    };
    let height = (picker.entries.len() as u16 + 4).min(area.height);
    let popup = super::centered(area, 76, height);
    frame.render_widget(Clear, popup);
    let block = pane_block(" Columns ".into(), true, theme);
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let [hint, list] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner);
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(
            "Space show/hide · K/J move · +/- width · t team default",
            theme.style(Role::Muted),
        ))),
        hint,
    );
    let items: Vec<ListItem> = picker
        .entries
        .iter()
        .map(|&(c, shown)| {
            let width = app
                .patients
                .widths
                .get(&c)
                .map(|w| format!("width {w}"))
                .unwrap_or_default();
            let mark = if shown { "[x]" } else { "[ ]" };
            ListItem::new(format!(
                "{mark} {:<12} {:<10} {}",
                c.id(),
                width,
                c.description()
            ))
        })
        .collect();
    let mut state = ListState::default().with_selected(Some(picker.selected));
    frame.render_stateful_widget(
        List::new(items).highlight_style(theme.style(Role::Selection)),
        list,
        &mut state,
    );
}
