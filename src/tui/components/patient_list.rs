//! The ward's patient list: typed columns, a focused column for sorting, a selected row.

use std::collections::BTreeMap;

use crossterm::event::KeyCode;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell as TableCell, Paragraph, Row as TableRow, Table, TableState};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

use super::prompt::Asking;
use super::{pane_block, truncate};
use crate::model::{CellKind, ColumnId, Flag};
use crate::tui::action::Effect;
use crate::tui::app::{App, Confirm, DetailState, Overlay, Pane};
use crate::tui::keymap::{Binding, Command, KeyPress, Scope};
use crate::tui::theme::{Role, Theme};

pub fn bindings() -> Vec<Binding> {
    use Command::*;
    let s = Scope::Patients;
    vec![
        Binding::new(
            s,
            &[KeyPress::ch('j'), KeyPress::plain(KeyCode::Down)],
            RowDown,
            "Next patient",
        )
        .hint("move"),
        Binding::new(
            s,
            &[KeyPress::ch('k'), KeyPress::plain(KeyCode::Up)],
            RowUp,
            "Previous patient",
        ),
        Binding::new(
            s,
            &[KeyPress::ch('g'), KeyPress::plain(KeyCode::Home)],
            RowFirst,
            "First patient",
        ),
        Binding::new(
            s,
            &[KeyPress::ch('G'), KeyPress::plain(KeyCode::End)],
            RowLast,
            "Last patient",
        ),
        Binding::new(
            s,
            &[KeyPress::ch('h'), KeyPress::plain(KeyCode::Left)],
            ColumnLeft,
            "Focus the column to the left",
        )
        .hint("column"),
        Binding::new(
            s,
            &[KeyPress::ch('l'), KeyPress::plain(KeyCode::Right)],
            ColumnRight,
            "Focus the column to the right",
        ),
        Binding::new(
            s,
            &[KeyPress::ch('s')],
            SortByColumn,
            "Sort by the focused column (again: reverse)",
        )
        .hint("sort"),
        Binding::new(
            s,
            &[KeyPress::ch('S')],
            AddSortKey,
            "Also sort by the focused column (again: reverse)",
        ),
        Binding::new(
            s,
            &[KeyPress::ch('/')],
            StartFilter,
            "Filter the list as you type",
        )
        .hint("filter"),
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::Enter)],
            OpenDetail,
            "Show the patient in detail",
        )
        .hint("detail"),
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::Esc)],
            CloseDetail,
            "Close the patient detail",
        ),
        Binding::new(
            s,
            &[KeyPress::ch('r')],
            FetchLatest,
            "Fetch the latest from the EHR for this patient",
        )
        .hint("fetch"),
        Binding::new(
            s,
            &[KeyPress::ch('R')],
            FetchList,
            "Fetch the latest for the whole list",
        ),
        Binding::new(
            s,
            &[KeyPress::ch(']')],
            NextList,
            "Next patient list of your teams",
        ),
        Binding::new(s, &[KeyPress::ch('[')], PrevList, "Previous patient list"),
        Binding::new(
            s,
            &[KeyPress::ch('L')],
            OpenListSwitcher,
            "All lists of your teams, to choose from",
        )
        .hint("lists"),
        Binding::new(
            s,
            &[KeyPress::ch('a')],
            AddPatient,
            "Add a patient: search the EHR",
        )
        .hint("add"),
        Binding::new(
            s,
            &[KeyPress::ch('m')],
            MessagePatient,
            "Chat with the team about this patient",
        )
        .hint("chat"),
        Binding::new(s, &[KeyPress::ch('J')], NewJob, "A job on this patient").hint("job"),
        Binding::new(
            s,
            &[KeyPress::ch('P')],
            WritePlan,
            "Write the patient's plan",
        )
        .hint("plan"),
        Binding::new(
            s,
            &[KeyPress::ch('c')],
            OpenPicker,
            "Choose, order and size the columns",
        )
        .hint("columns"),
        Binding::new(s, &[KeyPress::ch('n')], NewList, "New list for your team"),
        Binding::new(s, &[KeyPress::ch('e')], RenameList, "Rename this list"),
        Binding::new(
            s,
            &[KeyPress::ch('d')],
            DuplicateList,
            "Duplicate this list",
        ),
        Binding::new(
            s,
            &[KeyPress::ch('X')],
            DeleteList,
            "Delete this list (asks first)",
        ),
        Binding::new(
            s,
            &[KeyPress::ch('x')],
            RemovePatient,
            "Remove the patient from the list (asks first)",
        ),
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::PageDown), KeyPress::ctrl('d')],
            PageDown,
            "A page down",
        ),
        Binding::new(
            s,
            &[KeyPress::plain(KeyCode::PageUp), KeyPress::ctrl('u')],
            PageUp,
            "A page up",
        ),
        Binding::new(
            Scope::Filter,
            &[KeyPress::plain(KeyCode::Enter)],
            FilterDone,
            "Keep the filter",
        )
        .hint("keep"),
        Binding::new(
            Scope::Filter,
            &[KeyPress::plain(KeyCode::Esc)],
            FilterClear,
            "Clear the filter",
        )
        .hint("clear"),
    ]
}

/// Rows a page key moves: about a screenful on a ward display.
const PAGE: usize = 15;

pub fn handle(app: &mut App, command: Command) -> Vec<Effect> {
    let before = app.patients.selected_row().map(|r| r.patient.clone());
    let mut effects = list_command(app, command);
    // With the detail open, walking the list walks the detail: bed by bed on a round.
    let after = app.patients.selected_row().map(|r| r.patient.clone());
    if app.detail.is_some() && after != before {
        effects.extend(open_detail(app));
    }
    if after != before {
        effects.extend(seen(app));
    }
    effects
}

/// A patient the census brought is new until someone selects them: now someone has.
fn seen(app: &mut App) -> Vec<Effect> {
    let (Some(list), Some(patient)) = (
        app.patients.list_id,
        app.patients.selected_row().map(|r| r.patient.clone()),
    ) else {
        return Vec::new();
    };
    match app.patients.marks.get_mut(&patient) {
        Some(mark) if mark.new => {
            mark.new = false;
            vec![Effect::MarkSeen { list, patient }]
        }
        _ => Vec::new(),
    }
}

fn open_detail(app: &mut App) -> Vec<Effect> {
    let Some(patient) = app.patients.selected_row().map(|r| r.patient.clone()) else {
        return Vec::new();
    };
    app.detail = Some(DetailState {
        patient: patient.clone(),
        loaded: None,
    });
    vec![Effect::LoadDetail(patient)]
}

/// Opens the team's chat about the selected patient (the server makes it on first use).
fn message_patient(app: &mut App) -> Vec<Effect> {
    // The chat is not on the big screen: asking for it leaves the big screen first.
    if app.present {
        crate::tui::update::toggle_present(app);
    }
    let (Some(list), Some(patient)) = (
        app.patients.list_id,
        app.patients.selected_row().map(|r| r.patient.clone()),
    ) else {
        return Vec::new();
    };
    if let Some(c) = app
        .conversations
        .iter()
        .find(|c| c.info.subject.as_deref() == Some(patient.as_str()))
    {
        let id = c.info.id;
        crate::tui::update::open_conversation(app, id);
        return Vec::new();
    }
    vec![Effect::OpenPatientConversation { list, patient }]
}

fn list_command(app: &mut App, command: Command) -> Vec<Effect> {
    match command {
        Command::OpenDetail => return open_detail(app),
        Command::MessagePatient => return message_patient(app),
        Command::NewJob | Command::WritePlan => {
            let Some(patient) = app.patients.selected_row().map(|r| r.patient.clone()) else {
                app.notice = Some("Select a patient first.".into());
                return Vec::new();
            };
            if command == Command::WritePlan {
                super::prompt::write_plan(app, patient);
                return Vec::new();
            }
            return super::job_form::open(app, patient, None);
        }
        Command::NextList | Command::PrevList => {
            let n = app.lists.len();
            let at = app
                .patients
                .list_id
                .and_then(|id| app.lists.iter().position(|l| l.id == id))
                .unwrap_or(0);
            if n > 1 {
                let next = if command == Command::NextList {
                    (at + 1) % n
                } else {
                    (at + n - 1) % n
                };
                let id = app.lists[next].id;
                return crate::tui::update::show_list(app, id);
            }
            app.notice = Some("This is your teams' only list: n makes another.".into());
        }
        Command::OpenListSwitcher => super::list_switcher::open(app),
        Command::OpenPicker => super::column_picker::open(app),
        Command::NewList => super::prompt::ask(app, Asking::NewList, String::new()),
        Command::RenameList | Command::DuplicateList | Command::DeleteList => {
            let Some(list) = app.patients.list_id else {
                return Vec::new();
            };
            let name = app.patients.title.clone();
            match command {
                Command::RenameList => super::prompt::ask(app, Asking::RenameList(list), name),
                Command::DuplicateList => {
                    super::prompt::ask(app, Asking::DuplicateList(list), format!("{name} (copy)"))
                }
                _ => app.confirm = Some(Confirm::DeleteList { list, name }),
            }
        }
        Command::AddPatient if app.patients.list_id.is_some() => {
            app.overlay = Overlay::Search(Default::default())
        }
        Command::RemovePatient => {
            if let (Some(list), Some(row)) = (app.patients.list_id, app.patients.selected_row()) {
                let text = |c| row.cell(c).map(|x| x.text.clone()).unwrap_or_default();
                let label = format!("{} {}", text(ColumnId::Bed), text(ColumnId::Name));
                app.confirm = Some(Confirm::RemovePatient {
                    list,
                    patient: row.patient.clone(),
                    label,
                });
            }
        }
        // Esc closes one level: the detail, else the filter left on the list.
        Command::CloseDetail if app.detail.is_some() => app.detail = None,
        Command::CloseDetail if !app.patients.filter.is_empty() => {
            app.patients.filter.clear();
            app.patients.refresh();
        }
        Command::FetchLatest | Command::FetchList => {
            let Some(list) = app.patients.list_id else {
                return Vec::new();
            };
            let (patient, what) = match command {
                Command::FetchLatest => match app.patients.selected_row() {
                    Some(r) => (
                        Some(r.patient.clone()),
                        r.cell(ColumnId::Name)
                            .map_or_else(|| "this patient".into(), |c| c.text.clone()),
                    ),
                    None => return Vec::new(),
                },
                _ => (None, "the whole list".to_string()),
            };
            app.notice = Some(format!("Fetching the latest for {what} from the EHR…"));
            app.patients.fetching = Some(what);
            let mut effects = vec![Effect::Refresh {
                list,
                patient,
                columns: app.patients.requested.clone(),
            }];
            let shown = [&app.detail, &app.spotlight];
            let mut reload: Vec<String> = shown
                .into_iter()
                .flatten()
                .map(|d| d.patient.clone())
                .collect();
            reload.dedup();
            effects.extend(reload.into_iter().map(Effect::LoadDetail));
            return effects;
        }
        _ => {}
    }
    let (shown, focused) = (app.shown_columns().len(), app.focused_column());
    let list = &mut app.patients;
    let last_row = list.len().saturating_sub(1);
    // Back among the columns shown, after the big screen showed fewer or more.
    list.column = list.column.min(shown.saturating_sub(1));
    match command {
        Command::RowDown => list.selected = (list.selected + 1).min(last_row),
        Command::RowUp => list.selected = list.selected.saturating_sub(1),
        Command::RowFirst => list.selected = 0,
        Command::RowLast => list.selected = last_row,
        // A page is what was drawn, less a row kept in view for context.
        Command::PageDown => {
            list.selected = (list.selected + page_step(list)).min(last_row);
        }
        Command::PageUp => list.selected = list.selected.saturating_sub(page_step(list)),
        Command::ColumnLeft => list.column = list.column.saturating_sub(1),
        Command::ColumnRight => list.column = (list.column + 1).min(shown.saturating_sub(1)),
        Command::SortByColumn | Command::AddSortKey => {
            if let Some(column) = focused {
                if command == Command::SortByColumn {
                    list.sort_by(column);
                } else {
                    list.also_sort_by(column);
                }
                return super::column_picker::save(app, false);
            }
        }
        // A new filter each time: `/` does not add to the one left from before.
        Command::StartFilter => {
            list.filter.clear();
            list.filtering = true;
            list.refresh();
        }
        Command::FilterDone => list.filtering = false,
        Command::FilterClear => {
            list.filtering = false;
            list.filter.clear();
            list.refresh();
        }
        Command::Edit(edit) if list.filter.edit(edit) => list.refresh(),
        _ => {}
    }
    Vec::new()
}

/// Text typed into the filter.
pub fn type_char(app: &mut App, c: char) {
    if app.patients.filter.insert(c, 60) {
        app.patients.refresh();
    }
}

struct Width {
    preferred: u16,
    min: u16,
}

fn width(c: ColumnId) -> Width {
    let (preferred, min) = match c {
        ColumnId::Bed => (8, 6),
        ColumnId::Name => (20, 14),
        ColumnId::Mrn => (10, 8),
        ColumnId::Age => (4, 3),
        ColumnId::Sex => (3, 3),
        ColumnId::Attending => (18, 10),
        ColumnId::Admit => (12, 12),
        ColumnId::Los => (4, 4),
        ColumnId::Reason => (24, 12),
        ColumnId::Problems => (20, 8),
        ColumnId::Allergies => (14, 6),
        ColumnId::CodeStatus => (10, 6),
        ColumnId::Isolation => (12, 6),
        ColumnId::Diet => (12, 6),
        ColumnId::Vitals => (40, 16),
        ColumnId::News2 => (6, 5),
        ColumnId::Unread => (6, 4),
        ColumnId::Jobs => (5, 4),
        ColumnId::Refreshed => (9, 5),
        ColumnId::Obs(_) => (14, 8),
    };
    Width { preferred, min }
}

/// Columns wider than this hold free text: past it, they wrap onto fewer columns.
const WIDEST_WANTED: usize = 32;

/// The width the list wants beside the patient shown large: each column as wide as its
/// widest cell or its header (free text up to [`WIDEST_WANTED`]), at least as wide as it
/// likes to be; the borders.
pub fn wanted_width(app: &App) -> u16 {
    let list = &app.patients;
    let columns: usize = app
        .shown_columns()
        .iter()
        .map(|&c| {
            if let Some(&w) = list.widths.get(&c) {
                return usize::from(w);
            }
            let widest = list
                .loaded
                .iter()
                .filter_map(|r| r.cell(c))
                .map(|cell| cell.text.width())
                .max()
                .unwrap_or(0);
            // The header, with room for the sort arrow.
            let header = c.header().width() + 1;
            widest
                .max(header)
                .min(WIDEST_WANTED)
                .max(usize::from(width(c).preferred))
                + 1
        })
        .sum();
    // The title gives way (it is cut with an ellipsis): the list keeps its width as
    // admissions and discharges change what the title says.
    u16::try_from(columns + 1).unwrap_or(u16::MAX)
}

/// Which columns give way first when the terminal is narrow.
const DROP_ORDER: [ColumnId; 5] = [
    ColumnId::Admit,
    ColumnId::Mrn,
    ColumnId::Sex,
    ColumnId::Los,
    ColumnId::Reason,
];

/// The columns that fit `available` cells, with their widths. The focused column is kept.
pub fn preferred_width(c: ColumnId) -> u16 {
    width(c).preferred
}

/// The columns that fit `available` cells, with their widths. The focused column is kept;
/// widths the user set are kept as set.
fn fit(
    columns: &[ColumnId],
    focused: Option<ColumnId>,
    available: u16,
    set: &BTreeMap<ColumnId, u16>,
) -> Vec<(ColumnId, u16)> {
    let size = |c: ColumnId| {
        set.get(&c).map_or_else(
            || width(c),
            |&w| Width {
                preferred: w,
                min: w,
            },
        )
    };
    let flexible =
        |c: &ColumnId| matches!(c, ColumnId::Name | ColumnId::Reason) && !set.contains_key(c);
    let total = |cols: &[ColumnId], f: fn(&Width) -> u16| -> u16 {
        cols.iter()
            .map(|&c| f(&size(c)) + 1)
            .sum::<u16>()
            .saturating_sub(1)
    };
    let mut shown: Vec<ColumnId> = columns.to_vec();
    // The room the columns need with the free-text ones squeezed to their least.
    let squeezed = |cols: &[ColumnId]| -> u16 {
        cols.iter()
            .map(|&c| {
                let w = size(c);
                (if flexible(&c) { w.min } else { w.preferred }) + 1
            })
            .sum::<u16>()
            .saturating_sub(1)
    };
    // Whole columns give way before the free-text ones are squeezed below comfort; a
    // free-text column itself goes only when squeezing it would not make room.
    for drop in DROP_ORDER {
        if total(&shown, |w| w.preferred) <= available
            || (flexible(&drop) && squeezed(&shown) <= available)
        {
            break;
        }
        if Some(drop) != focused {
            shown.retain(|&c| c != drop);
        }
    }
    let preferred = total(&shown, |w| w.preferred);
    if preferred <= available {
        // Spare room goes to the free-text columns.
        let spare = available - preferred;
        let stretch = shown.iter().filter(|c| flexible(c)).count() as u16;
        return shown
            .iter()
            .map(|&c| {
                let extra = if stretch > 0 && flexible(&c) {
                    spare / stretch
                } else {
                    0
                };
                (c, size(c).preferred + extra)
            })
            .collect();
    }
    let mut short = preferred - available;
    let mut fitted: Vec<(ColumnId, u16)> = shown.iter().map(|&c| (c, size(c).preferred)).collect();
    // The free-text columns give first (their text is cut with an ellipsis), then the
    // rest from the right: a short column's header stays whole while it can.
    for free_text in [true, false] {
        for (c, w) in fitted.iter_mut().rev() {
            if flexible(c) == free_text {
                let give = (*w - size(*c).min).min(short);
                short -= give;
                *w -= give;
            }
        }
    }
    fitted
}

/// The title's start: the list, how many, what its source changed, what the EHR owes.
fn headline(list: &crate::tui::patients::PatientListState, filter_note: &str) -> String {
    format!(
        "{} ({}){filter_note}{}{}",
        list.title,
        // Those gone are counted apart (the source's note), not as patients here.
        patients(
            list.visible()
                .filter(|r| list.mark(&r.patient).gone_at.is_none())
                .count()
        ),
        source_note(list),
        ehr_note(&list.loaded)
    )
}

fn sort_note(list: &crate::tui::patients::PatientListState) -> String {
    let keys: Vec<String> = list
        .sort
        .iter()
        .map(|k| {
            format!(
                "{} {}",
                k.column.header(),
                if k.descending { "▼" } else { "▲" }
            )
        })
        .collect();
    if keys.is_empty() {
        String::new()
    } else {
        format!(" · sorted by {}", keys.join(", "))
    }
}

pub fn render(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let list = &app.patients;
    let focused = app.focus == Pane::Patients;
    let sort_note = sort_note(list);
    let filter_note = match (list.filter.is_empty(), list.filtering) {
        (true, false) => String::new(),
        (_, true) => format!(" · filter: {}", list.filter.with_bar(30)),
        (false, false) => format!(
            " · filter: {} (of {})",
            list.filter.as_str(),
            list.loaded.len()
        ),
    };
    let inner_width = area.width.saturating_sub(2);
    let focused_col = app.focused_column();
    let fitted = fit(app.shown_columns(), focused_col, inner_width, &list.widths);
    // Columns that do not fit are said, never dropped silently: h/l reach them.
    let hidden = match app.shown_columns().len().saturating_sub(fitted.len()) {
        0 => String::new(),
        n => format!(" · +{n} columns ›"),
    };
    // What is typed into the filter first after the list: on a narrow screen the rest
    // of the title gives way, never the text being typed.
    let title = format!(" {}{hidden}{sort_note} ", headline(list, &filter_note));
    let block = pane_block(
        truncate(&title, area.width.saturating_sub(4) as usize),
        focused,
        theme,
    );
    if list.is_empty() {
        let text = match (&list.error, list.loading) {
            (Some(e), _) => format!("Cannot load the list: {e}"),
            (None, true) => "Loading the patient list…".into(),
            (None, false) if !list.filter.is_empty() => "No patient matches the filter.".into(),
            (None, false) => "No patients on this list.".into(),
        };
        frame.render_widget(
            Paragraph::new(text)
                .style(theme.style(Role::Muted))
                .block(block),
            area,
        );
        return;
    }
    // Presenting, a blank line between rows where all of them still fit: easier to
    // follow a finger across the room.
    let spacing =
        u16::from(app.present && usize::from(area.height.saturating_sub(3)) >= 2 * list.len());
    let header = TableRow::new(fitted.iter().map(|&(c, w)| {
        let arrow = match list.sort.iter().find(|k| k.column == c) {
            Some(k) if k.descending => "▼",
            Some(_) => "▲",
            None => "",
        };
        let label = truncate(&format!("{}{arrow}", c.header()), w as usize);
        let role = if focused && Some(c) == focused_col {
            Role::ColumnFocused
        } else {
            Role::Header
        };
        TableCell::from(Span::styled(label, theme.style(role)))
    }));
    // Only the rows on screen are built: a 100k-row list draws as fast as 30.
    let page = (area.height.saturating_sub(3) / (1 + spacing)).max(1) as usize;
    let first = scrolled_to(list.top.get(), list.selected, page, list.len());
    list.top.set(first);
    list.page.set(page);
    // A newcomer is marked in the first column. A leaver's time goes in the widest text
    // column that holds it whole and is not the bed or the name (who they were and where
    // stay readable), else after the name.
    let new_in = fitted.first().map(|(c, _)| *c);
    let gone_in = fitted
        .iter()
        .filter(|(c, w)| {
            c.kind() == CellKind::Text && *c != ColumnId::Name && usize::from(*w) >= GONE_WIDTH
        })
        .max_by_key(|(_, w)| *w)
        .or_else(|| fitted.iter().find(|(c, _)| *c == ColumnId::Name))
        .or(fitted.first())
        .map(|(c, _)| *c);
    let rows = (first..(first + page).min(list.len()))
        .filter_map(|i| list.row(i))
        .map(|row| {
            let mark = list.mark(&row.patient);
            let gone = mark.gone_at.map(|at| {
                let word = list.source.as_ref().map_or("gone", |s| s.gone_word());
                format!(
                    "{word} {}",
                    at.with_timezone(&app.utc_offset).format("%H:%M")
                )
            });
            TableRow::new(fitted.iter().map(|&(c, w)| {
                let Some(cell) = row.cell(c) else {
                    return TableCell::from("");
                };
                let alarming = cell.flag == Some(Flag::Warning) && gone.is_none();
                let text = match &gone {
                    Some(gone) if Some(c) == gone_in && c == ColumnId::Name => {
                        let room = (w as usize).saturating_sub(gone.chars().count() + 1);
                        if room < 4 {
                            gone.clone()
                        } else {
                            format!("{} {gone}", truncate(&cell.text, room))
                        }
                    }
                    Some(gone) if Some(c) == gone_in => gone.clone(),
                    _ if mark.new && Some(c) == new_in => format!("● {}", cell.text),
                    _ if alarming => format!("{} !", cell.text),
                    _ => cell.text.clone(),
                };
                let text = truncate(&text, w as usize);
                let numeric = matches!(
                    c.kind(),
                    CellKind::Number | CellKind::Duration | CellKind::Score
                );
                let line = if numeric {
                    Line::from(text).right_aligned()
                } else {
                    Line::from(text)
                };
                let style = if gone.is_some() {
                    theme.style(Role::Muted)
                } else if mark.new {
                    theme.style(Role::Unread)
                } else if alarming {
                    theme.style(Role::Warning)
                } else if c == ColumnId::News2 && cell.text.starts_with('≥') {
                    // A floor, not a score: marked apart from the complete ones.
                    theme.style(Role::Important)
                } else {
                    theme.style(Role::Text)
                };
                TableCell::from(line.style(style))
            }))
            .bottom_margin(spacing)
        });
    let widths: Vec<Constraint> = fitted.iter().map(|&(_, w)| Constraint::Length(w)).collect();
    let selection = if focused {
        theme.style(Role::Selection)
    } else {
        theme.style(Role::Unread)
    };
    let table = Table::new(rows, widths)
        .header(header)
        .block(block)
        .row_highlight_style(selection)
        .column_spacing(1);
    let mut state = TableState::default().with_selected(Some(list.selected - first));
    frame.render_stateful_widget(table, area, &mut state);
}

/// The first row to draw: the last one drawn first, moved as little as keeps the
/// selection in view with up to two rows of context beyond it, and never leaving blank
/// rows below the list's end while rows above are hidden.
fn scrolled_to(top: usize, selected: usize, page: usize, len: usize) -> usize {
    let context = (page.saturating_sub(1) / 4).min(2);
    let mut top = top;
    if selected < top + context {
        top = selected.saturating_sub(context);
    }
    if selected + context >= top + page {
        top = (selected + context + 1).saturating_sub(page);
    }
    top.min(len.saturating_sub(page))
}

/// Rows a page key moves: the page last drawn, less one kept for context.
fn page_step(list: &crate::tui::patients::PatientListState) -> usize {
    match list.page.get() {
        0 => PAGE,
        page => page.saturating_sub(1).max(1),
    }
}

/// `discharged HH:MM`, the longest thing a leaver's row says.
const GONE_WIDTH: usize = 16;

fn patients(n: usize) -> String {
    match n {
        1 => "1 patient".into(),
        n => format!("{n} patients"),
    }
}

/// What the title says of the list's source: newcomers not yet looked at, and leavers.
fn source_note(list: &crate::tui::patients::PatientListState) -> String {
    let Some(source) = &list.source else {
        return String::new();
    };
    let new = list.marks.values().filter(|m| m.new).count();
    let gone = list.marks.values().filter(|m| m.gone_at.is_some()).count();
    let mut said = Vec::new();
    if new > 0 {
        said.push(format!("{new} new"));
    }
    if gone > 0 {
        said.push(format!("{gone} {}", source.gone_word()));
    }
    if said.is_empty() {
        String::new()
    } else {
        format!(" · {}", said.join(", "))
    }
}

/// What the title says of the EHR: charts still coming, or none it could give.
fn ehr_note(rows: &[crate::model::Row]) -> String {
    let waiting = rows.iter().filter(|r| r.pending).count();
    let failed = rows.iter().filter(|r| r.problem.is_some()).count();
    match (waiting, failed) {
        (0, 0) => String::new(),
        (0, n) if n == rows.len() => " · the EHR gave none of them".into(),
        (0, n) => format!(" · {n} could not be read from the EHR"),
        (w, 0) => format!(" · {w} still coming from the EHR"),
        (w, n) => format!(" · {w} still coming from the EHR, {n} could not be read"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_view_scrolls_a_row_at_a_time_keeping_context() {
        // 10 rows fit, 30 in the list: context is 2 rows.
        assert_eq!(scrolled_to(0, 7, 10, 30), 0, "in view: no scroll");
        assert_eq!(
            scrolled_to(0, 8, 10, 30),
            1,
            "two rows short of the end: one row"
        );
        assert_eq!(scrolled_to(1, 9, 10, 30), 2);
        assert_eq!(scrolled_to(12, 13, 10, 30), 11, "upwards likewise");
        assert_eq!(scrolled_to(0, 29, 10, 30), 20, "G: the last page full");
        assert_eq!(
            scrolled_to(25, 29, 10, 30),
            20,
            "never blank rows below the end"
        );
        assert_eq!(scrolled_to(0, 0, 10, 3), 0, "a short list from the top");
        assert_eq!(scrolled_to(5, 2, 1, 30), 2, "one row: the selection");
    }

    #[test]
    fn narrow_terminals_drop_the_least_needed_columns_first() {
        let all = ColumnId::DEFAULT;
        let wide: Vec<_> = fit(&all, None, 118, &BTreeMap::new())
            .into_iter()
            .map(|(c, _)| c)
            .collect();
        assert_eq!(wide, all.to_vec());
        let narrow: Vec<_> = fit(&all, None, 78, &BTreeMap::new())
            .into_iter()
            .map(|(c, _)| c)
            .collect();
        assert!(!narrow.contains(&ColumnId::Admit));
        assert!(
            narrow.contains(&ColumnId::Bed)
                && narrow.contains(&ColumnId::Name)
                && narrow.contains(&ColumnId::News2)
        );
        let total: u16 = fit(&all, None, 78, &BTreeMap::new())
            .iter()
            .map(|(_, w)| w + 1)
            .sum::<u16>()
            - 1;
        assert!(total <= 78, "{total}");
    }

    #[test]
    fn the_focused_column_is_never_dropped() {
        let cols: Vec<_> = fit(
            &ColumnId::DEFAULT,
            Some(ColumnId::Admit),
            60,
            &BTreeMap::new(),
        )
        .into_iter()
        .map(|(c, _)| c)
        .collect();
        assert!(cols.contains(&ColumnId::Admit));
    }
}
