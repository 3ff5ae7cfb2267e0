//! Layout: alert bar on top, the patient list, conversations beside the chat, status bar
//! at the bottom. Reads `App` only.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::app::{App, Overlay};
use super::components::{
    alert_bar, chat, column_picker, command_line, conversations, detail, diagnostics, handover,
    help, job_form, jobs_pane, list_switcher, lock_screen, members, new_chat, patient_list,
    patient_search, prompt, spotlight, status_bar, ward_search,
};
use super::theme::{Role, Theme};

/// Below this nothing useful fits; say so rather than draw a jumble.
const MIN_WIDTH: u16 = 40;
const MIN_HEIGHT: u16 = 10;

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme) {
    let area = frame.area();
    // Locked: the lock screen alone, whatever is open underneath.
    if app.locked() {
        lock_screen::render(app, theme, frame, area);
        return;
    }
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let [alert, rest] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
        alert_bar::render(app, theme, frame, alert);
        let msg = format!("Enlarge the terminal to at least {MIN_WIDTH}×{MIN_HEIGHT}.");
        frame.render_widget(Paragraph::new(msg).style(theme.style(Role::Muted)), rest);
        return;
    }
    if app.present {
        big_screen(app, theme, frame, area);
        return;
    }
    let [alert, main, status] = rows(area);
    let [patients, lower, convs, chat_area] = panes(area, main);

    alert_bar::render(app, theme, frame, alert);
    patient_list::render(app, theme, frame, patients);
    if app.detail.is_some() {
        // The detail takes the lower half while it is open; chat is a Tab away.
        detail::render(app, theme, frame, lower);
    } else {
        conversations::render(app, theme, frame, convs);
        chat::render(app, theme, frame, chat_area);
    }
    overlays(app, theme, frame, main, status);
}

/// Presenting on a large display: the alert bar across the top (three rows while
/// something urgent waits), the list sized to its content beside the selected patient
/// shown large, or above them where the screen is too narrow for both side by side.
fn big_screen(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    // Three rows whether or not something waits: an alert arriving moves nothing.
    let bar = if area.height >= 30 { 3 } else { 1 };
    let [alert, main, status] = Layout::vertical([
        Constraint::Length(bar),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    alert_bar::render(app, theme, frame, alert);
    let list_width = patient_list::wanted_width(app).min(main.width / 2);
    if main.width.saturating_sub(list_width) >= 70 {
        let [list, patient] =
            Layout::horizontal([Constraint::Length(list_width), Constraint::Min(0)]).areas(main);
        patient_list::render(app, theme, frame, list);
        spotlight::render(app, theme, frame, patient);
    } else {
        let [list, patient] =
            Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(main);
        patient_list::render(app, theme, frame, list);
        spotlight::render(app, theme, frame, patient);
    }
    overlays(app, theme, frame, main, status);
}

/// Alert bar, the panes, status line.
fn rows(area: Rect) -> [Rect; 3] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area)
}

/// The patient list above; below, conversations beside the chat.
fn panes(area: Rect, main: Rect) -> [Rect; 4] {
    let [patients, lower] =
        Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(main);
    let list_width = if area.width >= 100 { 32 } else { 24 };
    let [convs, chat_area] =
        Layout::horizontal([Constraint::Length(list_width), Constraint::Min(16)]).areas(lower);
    [patients, lower, convs, chat_area]
}

/// Where the chat's messages are drawn on the app's screen, inside the pane's borders;
/// `None` when the chat is not on screen. The same layout as `draw`, so that what
/// `update` reckons fits (to know when scrolling has reached the top) is what is shown.
pub fn chat_messages_area(app: &App) -> Option<Rect> {
    let (width, height) = app.screen;
    let area = Rect::new(0, 0, width, height);
    if app.present || app.detail.is_some() || width < MIN_WIDTH || height < MIN_HEIGHT {
        return None;
    }
    let [_, main, _] = rows(area);
    let [_, _, _, chat_area] = panes(area, main);
    Some(chat::messages_area(chat_area))
}

/// What opens over the panes (search, columns, a name, diagnostics, help) and the
/// bottom line, the same whether presenting or not.
fn overlays(app: &App, theme: &Theme, frame: &mut Frame, main: Rect, status: Rect) {
    patient_search::render(app, theme, frame, main);
    ward_search::render(app, theme, frame, main);
    column_picker::render(app, theme, frame, main);
    new_chat::render(app, theme, frame, main);
    members::render(app, theme, frame, main);
    list_switcher::render(app, theme, frame, main);
    jobs_pane::render(app, theme, frame, main);
    handover::render(app, theme, frame, main);
    job_form::render(app, theme, frame, main);
    prompt::render(app, theme, frame, main);
    diagnostics::render(app, theme, frame, main);
    if let Overlay::Help { .. } = app.overlay {
        // Help takes the status line too: the whole keymap fits at 120×40.
        let below_bar = Rect {
            height: main.height + status.height,
            ..main
        };
        help::render(app, theme, frame, below_bar);
    } else {
        status_bar::render(app, theme, frame, status);
        command_line::render(app, theme, frame, status);
    }
}
