//! Pictures of the screen (insta snapshots on ratatui's TestBackend) at the sizes a ward
//! uses, and the rules about what a redraw may touch.

use crate::common;

use common::*;
use crossterm::event::KeyCode;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;
use wardround::tui::action::Action;
use wardround::tui::app::{App, Overlay};
use wardround::tui::keymap::Scope;
use wardround::tui::theme::Theme;
use wardround::tui::update::{key, update};
use wardround::tui::view;

fn render(app: &App, width: u16, height: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|f| view::draw(f, app, &Theme::default()))
        .unwrap();
    terminal.backend().buffer().clone()
}

fn text(buffer: &Buffer) -> String {
    let width = buffer.area.width as usize;
    buffer
        .content
        .chunks(width)
        .map(|row| {
            row.iter()
                .map(|c| c.symbol())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn demo_screen_at_120x40() {
    let app = ward_app();
    insta::assert_snapshot!(text(&render(&app, 120, 40)));
}

#[test]
fn demo_screen_at_80x24_drops_columns_not_the_app() {
    let app = ward_app();
    let screen = text(&render(&app, 80, 24));
    assert!(screen.contains("URGENT"));
    assert!(screen.contains("Bed") && screen.contains("NEWS2"));
    assert!(
        !screen.contains("Admitted"),
        "the least needed column gives way:\n{screen}"
    );
    insta::assert_snapshot!(screen);
}

#[test]
fn urgent_chat_open_after_the_jump_key() {
    let mut app = ward_app();
    update(&mut app, key(KeyCode::Char('u')));
    insta::assert_snapshot!(text(&render(&app, 120, 40)));
}

#[test]
fn help_lists_every_binding_of_the_live_keymap() {
    let mut app = ward_app();
    update(&mut app, key(KeyCode::Char('?')));
    // Everything help shows, scrolled through to the end.
    let mut screen = text(&render(&app, 120, 40));
    for _ in 0..30 {
        update(&mut app, key(KeyCode::PageDown));
        screen.push_str(&text(&render(&app, 120, 40)));
    }
    for (command, help) in wardround::tui::components::command_line::COMMANDS {
        assert!(
            screen.contains(&format!(":{command}")),
            "help lacks :{command}"
        );
        assert!(screen.contains(help), "help lacks {help:?}\n{screen}");
    }
    // The lock screen shows its own keys (tests/it/lock.rs); help cannot open over it.
    for b in app
        .keymap
        .bindings
        .iter()
        .filter(|b| b.scope != Scope::Lock)
    {
        assert!(screen.contains(b.help), "help lacks {:?}\n{screen}", b.help);
        assert!(
            screen.contains(&b.keys_label()),
            "help lacks keys {}",
            b.keys_label()
        );
    }
    update(&mut app, key(KeyCode::Esc));
    assert!(!matches!(app.overlay, Overlay::Help { .. }));
}

#[test]
fn a_pulse_changes_only_the_alert_bar() {
    let mut app = ward_app();
    let before = render(&app, 120, 40);
    update(&mut app, Action::Pulse);
    let after = render(&app, 120, 40);
    let changed = before.diff(&after);
    assert!(!changed.is_empty(), "the pulse must change something");
    assert!(
        changed.iter().all(|(_, y, _)| *y == 0),
        "a pulse touched rows {:?}",
        changed.iter().map(|c| c.1).collect::<Vec<_>>()
    );
}

#[test]
fn tiny_and_odd_terminals_do_not_crash() {
    let app = ward_app();
    for (w, h) in [(40, 10), (39, 9), (1, 1), (80, 24), (200, 60), (60, 12)] {
        let screen = text(&render(&app, w, h));
        if w >= 40 && h >= 10 {
            assert!(
                screen.contains("URGENT"),
                "{w}x{h}: the alert bar is always there"
            );
        }
    }
    let small = text(&render(&app, 30, 8));
    assert!(small.contains("Enlarge"), "{small}");

    // Presenting and locked screens at the same odd sizes.
    let mut presenting = ward_app();
    update(&mut presenting, key(KeyCode::F(11)));
    let mut locked = ward_app();
    update(
        &mut locked,
        Action::Key(crossterm::event::KeyEvent::new(
            KeyCode::Char('l'),
            crossterm::event::KeyModifiers::CONTROL,
        )),
    );
    // The diagnostics pane and the command line open, and help scrolled to its end.
    let mut diagnosing = ward_app();
    for c in ":diag".chars() {
        update(&mut diagnosing, key(KeyCode::Char(c)));
    }
    update(&mut diagnosing, key(KeyCode::Enter));
    assert!(matches!(diagnosing.overlay, Overlay::Diagnostics(_)));
    let mut typing = ward_app();
    for c in ":follow sokafor".chars() {
        update(&mut typing, key(KeyCode::Char(c)));
    }
    let mut helped = ward_app();
    update(&mut helped, key(KeyCode::Char('?')));
    for _ in 0..50 {
        update(&mut helped, key(KeyCode::PageDown));
    }
    for (w, h) in [(40, 10), (1, 1), (20, 4), (200, 60)] {
        let _ = render(&presenting, w, h);
        let _ = render(&diagnosing, w, h);
        let _ = render(&helped, w, h);
        let line = text(&render(&typing, w, h));
        if w >= 40 && h >= 10 {
            assert!(line.contains(":follow sokafor"), "{w}x{h}:\n{line}");
        }
        let screen = text(&render(&locked, w, h));
        if w >= 40 && h >= 10 {
            assert!(
                screen.contains("urgent message waiting"),
                "{w}x{h}:\n{screen}"
            );
        }
    }
}

#[test]
fn reduced_motion_holds_a_steady_bar() {
    let mut app = ward_app();
    app.reduced_motion = true;
    let before = render(&app, 120, 40);
    update(&mut app, Action::Pulse);
    assert!(before.diff(&render(&app, 120, 40)).is_empty());
}

#[test]
fn patient_detail_at_120x40() {
    let mut app = ward_app();
    for _ in 0..7 {
        update(&mut app, key(KeyCode::Char('j')));
    }
    update(&mut app, key(KeyCode::Enter));
    let patient = app.detail.as_ref().unwrap().patient.clone();
    let ward = wardround::demo::ward_source(now());
    let chart = ward.charts().find(|c| c.id == patient).unwrap();
    let detail = wardround::fhir::detail::detail(chart, now());
    update(
        &mut app,
        Action::DetailLoaded(patient, Ok(Box::new(detail))),
    );
    let screen = text(&render(&app, 120, 40));
    assert!(screen.contains("NEWS2") && screen.contains("Allergies") && screen.contains("Stay"));
    insta::assert_snapshot!(screen);
}

/// A message and a patient name carrying a title change, a screen clear, a clipboard
/// write and a right-to-left override, as they arrive from outside.
fn hostile_app() -> App {
    use wardround::client::StreamUpdate;
    use wardround::model::{Event, EventKind, Priority};
    let mut app = ward_app();
    let mut rows = rows();
    let first_bed = rows
        .rows
        .iter_mut()
        .find(|r| r.cell(wardround::model::ColumnId::Bed).unwrap().text == "4W-1A")
        .unwrap();
    let name = first_bed
        .columns
        .get_mut(&wardround::model::ColumnId::Name)
        .unwrap();
    name.text = "EVIL\u{1b}]0;pwned\u{7}\u{202e}gnirts, Eve".into();
    update(&mut app, Action::RowsLoaded(Ok(rows)));
    let mut evil = message(
        903,
        DIRECT,
        &registrar(),
        &[&nurse()],
        "",
        Priority::Normal,
        0,
    );
    evil.body = "Call me\u{1b}[2J\u{1b}]52;c;ZXZpbA==\u{7} on \u{202e}7144".into();
    update(
        &mut app,
        Action::Stream(StreamUpdate::Event(Event {
            cursor: 11,
            kind: EventKind::Message { message: evil },
        })),
    );
    update(&mut app, key(KeyCode::Char('u')));
    app
}

#[test]
fn hostile_text_shows_as_plain_text() {
    let screen = text(&render(&hostile_app(), 120, 40));
    assert!(screen.contains("EVIL]0;pwnedgnirts, Eve"), "{screen}");
    assert!(
        screen.contains("Call me[2J]52;c;ZXZpbA== on 7144"),
        "{screen}"
    );
    insta::assert_snapshot!(screen);
}

#[test]
fn hostile_text_sends_no_sequence_of_its_own_to_the_terminal() {
    let wire = wire(&hostile_app());
    // ratatui writes CSI cursor moves and colours; nothing else may reach the terminal.
    assert!(!wire.contains("\u{1b}]"), "an OSC got through");
    assert!(!wire.contains("\u{1b}[2J"), "a clear got through");
    assert!(!wire.contains('\u{7}'), "a bell/OSC terminator got through");
    assert!(!wire.contains('\u{202e}'), "a bidi override got through");
}

/// What one frame of `app` sends to a real terminal at 120×40.
fn wire(app: &App) -> String {
    use ratatui::backend::CrosstermBackend;
    let mut out = Vec::new();
    {
        let mut terminal = Terminal::with_options(
            CrosstermBackend::new(&mut out),
            ratatui::TerminalOptions {
                viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, 120, 40)),
            },
        )
        .unwrap();
        terminal
            .draw(|f| view::draw(f, app, &Theme::default()))
            .unwrap();
        // Dropping a terminal shows the cursor again (for the shell); that is not the frame.
        std::mem::forget(terminal);
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn the_terminal_cursor_shows_only_in_the_composer() {
    const SHOW: &str = "\u{1b}[?25h";
    let mut app = ward_app();
    assert!(!wire(&app).contains(SHOW), "not over the patient list");
    update(&mut app, key(KeyCode::Char('u')));
    assert_eq!(app.focus, wardround::tui::app::Pane::Chat);
    for c in "on my way".chars() {
        update(&mut app, key(KeyCode::Char(c)));
    }
    let typing = wire(&app);
    assert!(typing.contains(SHOW), "shown while writing a message");
    // Just after the draft: the composer's text row (38 of 40), after the conversation
    // list (32 columns), the border and "on my way" (1-based: column 43).
    assert!(
        typing.ends_with(&format!("{SHOW}\u{1b}[38;43H")),
        "{:?}",
        &typing[typing.len().saturating_sub(40)..]
    );
    update(&mut app, key(KeyCode::Tab));
    assert!(
        !wire(&app).contains(SHOW),
        "hidden once the chat loses focus"
    );
    update(&mut app, key(KeyCode::Char(':')));
    assert!(matches!(app.overlay, Overlay::CommandLine(_)));
    assert!(!wire(&app).contains(SHOW), "not on the command line either");
}
