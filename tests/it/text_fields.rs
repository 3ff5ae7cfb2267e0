//! Every field that takes text edits with the same keys, where the cursor is: the
//! message, the filter, the `:` line, the searches, the questions and the password.

use crate::common;

use common::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use wardround::tui::action::{Action, Effect};
use wardround::tui::app::{App, Overlay, Pane};
use wardround::tui::update::{key, update};

fn ctrl(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn with(code: KeyCode, mods: KeyModifiers) -> Action {
    Action::Key(KeyEvent::new(code, mods))
}

fn typed(app: &mut App, text: &str) -> Vec<Effect> {
    text.chars()
        .flat_map(|c| update(app, key(KeyCode::Char(c))))
        .collect()
}

/// What a field holds, read from wherever it lives.
type Field = fn(&App) -> String;

/// The fields, each with the keys that open it from the list.
fn fields() -> Vec<(&'static str, Vec<Action>, Field)> {
    vec![
        (
            "composer",
            vec![key(KeyCode::Tab), key(KeyCode::Enter)],
            |app| app.chat.composer.as_str().to_string(),
        ),
        ("filter", vec![key(KeyCode::Char('/'))], |app| {
            app.patients.filter.as_str().to_string()
        }),
        (
            "command line",
            vec![key(KeyCode::Char(':'))],
            |app| match &app.overlay {
                Overlay::CommandLine(line) => line.line.as_str().to_string(),
                other => panic!("the : line closed: {other:?}"),
            },
        ),
        (
            "patient search",
            vec![key(KeyCode::Char('a'))],
            |app| match &app.overlay {
                Overlay::Search(s) => s.query.as_str().to_string(),
                other => panic!("the search closed: {other:?}"),
            },
        ),
        (
            "new list's name",
            vec![key(KeyCode::Char('n'))],
            |app| match &app.overlay {
                Overlay::Prompt(p) => p.text.as_str().to_string(),
                other => panic!("the question closed: {other:?}"),
            },
        ),
        (
            "new chat",
            vec![key(KeyCode::Char('N'))],
            |app| match &app.overlay {
                Overlay::NewChat(s) => s.query.as_str().to_string(),
                other => panic!("the directory closed: {other:?}"),
            },
        ),
    ]
}

#[test]
fn every_text_field_edits_at_the_cursor_with_the_same_keys() {
    for (name, open, field) in fields() {
        let mut app = ward_app();
        app.patients.list_id = Some(uuid::Uuid::from_u128(50));
        for action in open {
            update(&mut app, action);
        }
        typed(&mut app, "call Dr Reid");
        assert_eq!(field(&app), "call Dr Reid", "{name}");

        update(&mut app, ctrl('w'));
        assert_eq!(field(&app), "call Dr ", "{name}: Ctrl-W deletes a word");
        typed(&mut app, "Tom");
        update(&mut app, with(KeyCode::Left, KeyModifiers::CONTROL));
        update(&mut app, with(KeyCode::Left, KeyModifiers::CONTROL));
        typed(&mut app, "please ");
        assert_eq!(
            field(&app),
            "call please Dr Tom",
            "{name}: Ctrl-← moves a word"
        );
        update(&mut app, ctrl('a'));
        typed(&mut app, "(");
        update(&mut app, ctrl('e'));
        typed(&mut app, ")");
        assert_eq!(
            field(&app),
            "(call please Dr Tom)",
            "{name}: Ctrl-A, Ctrl-E"
        );
        update(&mut app, key(KeyCode::Home));
        update(&mut app, key(KeyCode::Delete));
        update(&mut app, key(KeyCode::End));
        update(&mut app, key(KeyCode::Backspace));
        assert_eq!(
            field(&app),
            "call please Dr Tom",
            "{name}: Delete, Backspace"
        );
        update(&mut app, key(KeyCode::Left));
        update(&mut app, key(KeyCode::Left));
        update(&mut app, key(KeyCode::Left));
        update(&mut app, key(KeyCode::Right));
        update(&mut app, ctrl('u'));
        assert_eq!(
            field(&app),
            "om",
            "{name}: Ctrl-U deletes back to the start"
        );
    }
}

#[test]
fn the_cursor_shows_where_the_next_letter_goes() {
    let mut app = ward_app();
    update(&mut app, key(KeyCode::Char(':')));
    typed(&mut app, "follow priya");
    for _ in 0..5 {
        update(&mut app, key(KeyCode::Left));
    }
    let screen = screen_text(&app, 80, 24);
    assert!(screen.contains(":follow ▏priya"), "{screen}");

    // A filter longer than its room in the title keeps the cursor in view.
    let mut app = ward_app();
    update(&mut app, key(KeyCode::Char('/')));
    typed(&mut app, "abcdefghijklmnopqrstuvwxyz0123456789");
    update(&mut app, key(KeyCode::Home));
    let screen = screen_text(&app, 120, 40);
    assert!(screen.contains("filter: ▏abcdefgh"), "{screen}");
    assert!(!screen.contains("56789"), "{screen}");
    update(&mut app, key(KeyCode::End));
    let screen = screen_text(&app, 120, 40);
    assert!(screen.contains("456789▏"), "{screen}");
}

#[test]
fn the_composer_puts_the_terminal_cursor_where_the_next_letter_goes() {
    let mut app = ward_app();
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(app.focus, Pane::Chat);
    typed(&mut app, "K+ 6.1");
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    let mut cursor_at = |app: &App| {
        terminal
            .draw(|f| wardround::tui::view::draw(f, app, &wardround::tui::theme::Theme::default()))
            .unwrap();
        terminal.get_cursor_position().unwrap()
    };
    let end = cursor_at(&app);
    update(&mut app, ctrl('a'));
    let start = cursor_at(&app);
    assert_eq!(start.y, end.y);
    assert_eq!(
        end.x - start.x,
        6,
        "six characters typed: {start:?} {end:?}"
    );
}

#[test]
fn editing_a_search_asks_again_and_moving_the_cursor_does_not() {
    let mut app = ward_app();
    update(&mut app, key(KeyCode::Char('N')));
    typed(&mut app, "reid");
    let moved = update(&mut app, key(KeyCode::Left));
    assert!(
        !moved
            .iter()
            .any(|e| matches!(e, Effect::SearchDirectory(_))),
        "{moved:?}"
    );
    let edited = update(&mut app, ctrl('u'));
    assert!(
        edited
            .iter()
            .any(|e| matches!(e, Effect::SearchDirectory(q) if q == "d")),
        "{edited:?}"
    );
}

#[test]
fn a_paste_goes_into_the_field_that_has_the_keys_at_its_cursor() {
    let mut app = ward_app();
    // The chat beneath has the focus; the search open over it takes the paste.
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, key(KeyCode::Enter));
    update(&mut app, key(KeyCode::Esc));
    update(&mut app, key(KeyCode::Char('N')));
    typed(&mut app, "ed");
    update(&mut app, key(KeyCode::Home));
    let effects = update(&mut app, Action::Paste("R\x1b[2Je\nid ".into()));
    let Overlay::NewChat(state) = &app.overlay else {
        panic!("{:?}", app.overlay);
    };
    assert_eq!(state.query.as_str(), "R[2Je id ed");
    assert!(
        app.chat.composer.is_empty(),
        "nothing went to the chat beneath"
    );
    let asked: Vec<_> = effects
        .iter()
        .filter(|e| matches!(e, Effect::SearchDirectory(_)))
        .collect();
    assert_eq!(asked.len(), 1, "one question for the paste: {effects:?}");
}

#[test]
fn ctrl_u_clears_a_mistyped_password_at_the_lock_screen() {
    let mut app = ward_app();
    update(&mut app, ctrl('l'));
    assert!(app.locked());
    typed(&mut app, "wrong");
    update(&mut app, ctrl('u'));
    let effects = typed(&mut app, "right");
    assert!(effects.is_empty());
    let effects = update(&mut app, key(KeyCode::Enter));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Unlock(p) if p == "right")),
        "{effects:?}"
    );
}

#[test]
fn help_lists_the_editing_keys_once() {
    let mut app = ward_app();
    update(&mut app, key(KeyCode::Char('?')));
    let screen = screen_text(&app, 200, 60);
    assert!(screen.contains("Editing text"), "{screen}");
    assert!(screen.contains("Ctrl-w/Alt-Backspace"), "{screen}");
    assert_eq!(screen.matches("Delete a character back").count(), 1);
}

#[test]
fn the_filter_finds_every_word_typed_and_stays_in_view_at_eighty_columns() {
    let mut app = ward_app();
    update(&mut app, key(KeyCode::Char('/')));
    typed(&mut app, "walsh marg");
    let names: Vec<String> = app
        .patients
        .visible()
        .filter_map(|r| r.cell(wardround::model::ColumnId::Name))
        .map(|c| c.text.clone())
        .collect();
    assert_eq!(names, ["WALSH, Margaret"]);
    let screen = screen_text(&app, 80, 24);
    assert!(screen.contains("filter: walsh marg▏"), "{screen}");
}

#[test]
fn alt_b_and_alt_f_move_by_word_and_no_alt_key_types_into_the_password() {
    let mut app = ward_app();
    update(&mut app, key(KeyCode::Char('/')));
    typed(&mut app, "walsh marg");
    update(&mut app, with(KeyCode::Char('b'), KeyModifiers::ALT));
    typed(&mut app, "x");
    assert_eq!(app.patients.filter.as_str(), "walsh xmarg");
    update(&mut app, with(KeyCode::Char('f'), KeyModifiers::ALT));
    typed(&mut app, "y");
    assert_eq!(app.patients.filter.as_str(), "walsh xmargy");

    update(&mut app, key(KeyCode::Esc));
    update(&mut app, ctrl('l'));
    typed(&mut app, "ab cd");
    for c in ['b', 'f', 'd'] {
        update(&mut app, with(KeyCode::Char(c), KeyModifiers::ALT));
    }
    let effects = update(&mut app, key(KeyCode::Enter));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Unlock(p) if p == "ab cd")),
        "{effects:?}"
    );
}
