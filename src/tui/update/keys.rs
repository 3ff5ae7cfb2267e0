//! What the keyboard, the mouse wheel and a paste do: keys resolve through the keymap to
//! commands for whatever has the keys now (`App::scope`); printable keys are text where
//! something is being typed.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::urgent;
use crate::tui::action::{Action, Effect};
use crate::tui::app::{App, Confirm, Overlay, Pane};
use crate::tui::components::{
    chat, column_picker, command_line, conversations, diagnostics, handover, job_form, jobs_pane,
    list_switcher, lock_screen, members, new_chat, patient_list, patient_search, prompt,
    ward_search,
};
use crate::tui::follow;
use crate::tui::intake;
use crate::tui::keymap::{Command, Scope};

pub(super) fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if key.kind == KeyEventKind::Release {
        return Vec::new();
    }
    // Over a slow link Esc and the key after it arrive together and read as Alt and the
    // key: take them as the two keys they were (else `Esc :members` sends "members").
    if let (KeyCode::Char(c), KeyModifiers::ALT) = (key.code, key.modifiers) {
        // In a text field Alt-b and Alt-f move by word, as in a shell; at the lock screen
        // no other Alt key types a hidden letter into the password.
        if app.typing() {
            let word = |code| KeyEvent::new(code, KeyModifiers::CONTROL);
            match c {
                'b' => return on_key(app, word(KeyCode::Left)),
                'f' => return on_key(app, word(KeyCode::Right)),
                _ if app.locked() => return Vec::new(),
                _ => {}
            }
        }
        let mut effects = on_key(app, KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
        effects.extend(on_key(
            app,
            KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE),
        ));
        return effects;
    }
    app.last_input = app.now;
    // Any key acknowledges the last notice.
    app.notice = None;
    // The lock key locks whatever is open or asked: a question waiting for yes is
    // dropped (no), never answered by it, or the password typed next would run as keys.
    if !app.overlay.locked()
        && app.keymap.resolve(Scope::Global, app.typing(), &key) == Some(Command::Lock)
    {
        app.confirm = None;
        return lock_screen::lock(app, false);
    }
    // A question waiting for yes: `y` says it, any other key says no.
    if let Some(confirm) = app.confirm.take_if(|_| !app.overlay.locked()) {
        return answer(app, key, confirm);
    }
    let typing = app.typing();
    let scope = app.scope();
    let Some(command) = app.keymap.resolve(scope, typing, &key) else {
        if typing {
            return type_key(app, scope, key);
        }
        return Vec::new();
    };
    match command {
        // `q`, like Esc, closes one level: the patient detail before the app (Ctrl-C
        // still asks to quit from anywhere).
        // Over the list, `q` closes what is open, as Esc does.
        Command::Quit
            if key.code == KeyCode::Char('q')
                && matches!(app.overlay, Overlay::Jobs(_) | Overlay::Handover(_)) =>
        {
            app.overlay = Overlay::None;
            Vec::new()
        }
        Command::Quit if key.code == KeyCode::Char('q') && app.detail.is_some() => {
            app.detail = None;
            Vec::new()
        }
        Command::Quit => {
            let (unsent, urgent) = (app.unsent(), app.urgent_waiting().len());
            let draft = !app.chat.composer.as_str().trim().is_empty()
                || app
                    .chat
                    .drafts
                    .values()
                    .any(|(d, _)| !d.as_str().trim().is_empty());
            if unsent == 0 && urgent == 0 && !draft {
                app.quit = true;
                return vec![Effect::Quit];
            }
            app.confirm = Some(Confirm::Quit {
                unsent,
                urgent,
                draft,
            });
            Vec::new()
        }
        Command::ToggleHelp => {
            app.overlay = match app.overlay {
                Overlay::Help { .. } => Overlay::None,
                _ => Overlay::Help { scroll: 0 },
            };
            Vec::new()
        }
        Command::HelpDown | Command::HelpUp => {
            scroll_help(app, command == Command::HelpDown);
            Vec::new()
        }
        // Presenting, the list is the only pane; with a dialog open, the panes beneath
        // keep their focus (Tab from the `:` line once moved into the composer).
        Command::FocusNext | Command::FocusPrev
            if app.present || !matches!(app.overlay, Overlay::None) =>
        {
            Vec::new()
        }
        Command::FocusNext => {
            app.focus = app.focus.next();
            Vec::new()
        }
        Command::FocusPrev => {
            app.focus = app.focus.prev();
            Vec::new()
        }
        Command::JumpToUrgent => {
            urgent::jump_to_urgent(app);
            Vec::new()
        }
        Command::Acknowledge => urgent::acknowledge(app),
        c if scope == Scope::Lock => lock_screen::handle(app, c),
        Command::Lock => lock_screen::lock(app, false),
        Command::TogglePresent => {
            toggle_present(app);
            Vec::new()
        }
        Command::OpenCommandLine => command_line::open(app),
        c if scope == Scope::CommandLine => command_line::handle(app, c),
        c if scope == Scope::Diag => diagnostics::handle(app, c),
        c if follow::blocks(app, c) => {
            app.notice = Some(follow::blocked_notice(app));
            Vec::new()
        }
        Command::NewChat => new_chat::open(app, None),
        c if scope == Scope::NewChat => new_chat::handle(app, c),
        c if scope == Scope::Members => members::handle(app, c),
        c if scope == Scope::Lists => list_switcher::handle(app, c),
        c if scope == Scope::JobForm => job_form::handle(app, c),
        c if matches!(scope, Scope::Jobs | Scope::JobAsk) => jobs_pane::handle(app, c),
        c if scope == Scope::Handover => handover::handle(app, c),
        c if scope == Scope::Search => patient_search::handle(app, c),
        c if scope == Scope::WardSearch => ward_search::handle(app, c),
        c if scope == Scope::Picker => column_picker::handle(app, c),
        c if scope == Scope::Prompt => prompt::handle(app, c),
        c if matches!(scope, Scope::Patients | Scope::Filter) => patient_list::handle(app, c),
        c if scope == Scope::Conversations => conversations::handle(app, c),
        c if scope == Scope::Chat => chat::handle(app, c),
        _ => Vec::new(),
    }
}

/// The key pressed while `confirm` waited for a yes.
fn answer(app: &mut App, key: KeyEvent, confirm: Confirm) -> Vec<Effect> {
    match (key.code, confirm) {
        (KeyCode::Char('y' | 'Y'), Confirm::RemovePatient { list, patient, .. }) => {
            vec![Effect::RemovePatient { list, patient }]
        }
        (KeyCode::Char('y' | 'Y'), Confirm::DeleteList { list, .. }) => {
            vec![Effect::DeleteList(list)]
        }
        (KeyCode::Char('y' | 'Y'), Confirm::Quit { .. }) => {
            app.quit = true;
            vec![Effect::Quit]
        }
        _ => Vec::new(),
    }
}

/// A key that is no command, where text is being typed: a character of it (never one
/// held with Ctrl or Alt).
fn type_key(app: &mut App, scope: Scope, key: KeyEvent) -> Vec<Effect> {
    let KeyCode::Char(c) = key.code else {
        return Vec::new();
    };
    if key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    {
        return Vec::new();
    }
    type_char(app, scope, c)
}

/// `c` into the field that has the keys in `scope`.
fn type_char(app: &mut App, scope: Scope, c: char) -> Vec<Effect> {
    match scope {
        Scope::NewChat => return new_chat::type_char(app, c),
        Scope::Lock => lock_screen::type_char(app, c),
        Scope::Filter => patient_list::type_char(app, c),
        Scope::Prompt => prompt::type_char(app, c),
        Scope::Search => patient_search::type_char(app, c),
        Scope::WardSearch => ward_search::type_char(app, c),
        Scope::CommandLine => command_line::type_char(app, c),
        Scope::Lists => list_switcher::type_char(app, c),
        Scope::JobForm => job_form::type_char(app, c),
        Scope::JobAsk => jobs_pane::type_char(app, c),
        Scope::Chat => chat::type_char(app, c),
        _ => {}
    }
    Vec::new()
}

/// Pasted text goes where typing would, at the cursor: the password at the lock
/// screen (as pasted, less control characters), else one line, cleaned. A search asks
/// once, for the whole of it.
pub(super) fn paste(app: &mut App, text: &str) -> Vec<Effect> {
    let scope = app.scope();
    if !app.typing() {
        return Vec::new();
    }
    let text = if scope == Scope::Lock {
        text.chars().filter(|c| !c.is_control()).collect()
    } else {
        intake::pasted(text)
    };
    text.chars()
        .map(|c| type_char(app, scope, c))
        .filter(|effects| !effects.is_empty())
        .last()
        .unwrap_or_default()
}

fn scroll_help(app: &mut App, down: bool) {
    if let Overlay::Help { scroll } = &mut app.overlay {
        *scroll = if down {
            scroll.saturating_add(5).min(200)
        } else {
            scroll.saturating_sub(5)
        };
    }
}

pub fn toggle_present(app: &mut App) {
    app.present = !app.present;
    if app.present {
        // The big screen shows the list; chat stays on the nurse's own screen.
        app.focus = Pane::Patients;
        if let Overlay::Help { .. } = app.overlay {
            app.overlay = Overlay::None;
        }
    }
}

/// The wheel moves what the focused pane would move with ↓/↑, nothing else.
pub(super) fn wheel(app: &mut App, down: bool) -> Vec<Effect> {
    let command = match (app.scope(), down) {
        (Scope::Patients, true) => Command::RowDown,
        (Scope::Patients, false) => Command::RowUp,
        (Scope::Conversations, true) => Command::ConversationDown,
        (Scope::Conversations, false) => Command::ConversationUp,
        (Scope::Chat, true) => Command::ScrollNewer,
        (Scope::Chat, false) => Command::ScrollOlder,
        (Scope::Help, true) => Command::HelpDown,
        (Scope::Help, false) => Command::HelpUp,
        _ => return Vec::new(),
    };
    app.last_input = app.now;
    if follow::blocks(app, command) {
        app.notice = Some(follow::blocked_notice(app));
        return Vec::new();
    }
    match app.scope() {
        Scope::Patients => patient_list::handle(app, command),
        Scope::Conversations => conversations::handle(app, command),
        Scope::Chat => chat::handle(app, command),
        _ => {
            scroll_help(app, down);
            Vec::new()
        }
    }
}

/// For tests and the demo: a key press as crossterm would deliver it.
pub fn key(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}
