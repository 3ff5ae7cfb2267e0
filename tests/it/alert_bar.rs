//! The alert bar, with its styles: both pulse phases of an urgent message, the steady
//! highlight under reduced motion and NO_COLOR, the important mark, the sender's
//! unanswered notice; and what one pulse step costs on the wire.

use crate::common;

use common::*;
use crossterm::event::KeyCode;
use ratatui::backend::{CrosstermBackend, TestBackend};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::Terminal;
use uuid::Uuid;
use wardround::client::StreamUpdate;
use wardround::model::{ConversationKind, Event, EventKind, Priority};
use wardround::tui::action::{Action, Effect};
use wardround::tui::app::App;
use wardround::tui::components::alert_bar;
use wardround::tui::theme::Theme;
use wardround::tui::update::{key, update};
use wardround::tui::view;

/// The bar alone, as a buffer whose Debug form lists every style run.
fn bar(app: &App, theme: &Theme) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(96, 1)).unwrap();
    terminal
        .draw(|f| alert_bar::render(app, theme, f, Rect::new(0, 0, 96, 1)))
        .unwrap();
    terminal.backend().buffer().clone()
}

fn stream(kind: EventKind) -> Action {
    Action::Stream(StreamUpdate::Event(Event { cursor: 1, kind }))
}

#[test]
fn an_urgent_message_pulses_between_two_styles() {
    let mut app = ward_app();
    let theme = Theme::default();
    app.pulse_on = true;
    insta::assert_debug_snapshot!("urgent_pulse_a", bar(&app, &theme));
    update(&mut app, Action::Pulse);
    assert!(!app.pulse_on);
    insta::assert_debug_snapshot!("urgent_pulse_b", bar(&app, &theme));
    update(&mut app, Action::Pulse);
    assert!(app.pulse_on, "the phases alternate");
}

#[test]
fn reduced_motion_and_no_color_hold_a_steady_highlight() {
    let mut app = ward_app();
    app.reduced_motion = true;
    let theme = Theme::default();
    let a = bar(&app, &theme);
    update(&mut app, Action::Pulse);
    assert_eq!(a, bar(&app, &theme), "no pulse under reduced motion");
    insta::assert_debug_snapshot!("urgent_steady_no_color", bar(&app, &theme.without_color()));
}

#[test]
fn an_important_message_gets_a_steady_mark_and_the_sender_hears_of_an_unanswered_one() {
    let mut app = ward_app();
    // Reading the urgent leaves the important channel post.
    update(&mut app, key(KeyCode::Char('u')));
    let theme = Theme::default();
    let important = bar(&app, &theme);
    update(&mut app, Action::Pulse);
    assert_eq!(important, bar(&app, &theme), "important never pulses");
    insta::assert_debug_snapshot!("important_steady", important);

    let effects = update(
        &mut app,
        stream(EventKind::Unanswered {
            message_id: Uuid::from_u128(901),
            conversation_id: DIRECT,
            sent_at: now() - chrono::Duration::minutes(21),
            names: vec!["Dr Tom Reid".into()],
            waiting: vec![Uuid::from_u128(7)],
            ack_required: false,
            escalated_to: Some("Sam Okafor".into()),
        }),
    );
    assert_eq!(
        effects,
        vec![Effect::Notify("Urgent message unanswered - 4 West".into())],
        "the notification names the ward, not the patient or the people"
    );
    insta::assert_debug_snapshot!("unanswered_steady", bar(&app, &theme));
    // `u` opens what the bar shows: my unanswered one (opening it is having seen the
    // notice), and then the important post the bar shows next.
    app.focus = wardround::tui::app::Pane::Patients;
    update(&mut app, key(KeyCode::Char('u')));
    assert_eq!(app.chat.open, Some(DIRECT));
    assert!(app.unanswered.is_empty());
    assert_eq!(
        bar(&app, &theme),
        important,
        "the bar goes back to the important post"
    );
    app.focus = wardround::tui::app::Pane::Patients;
    update(&mut app, key(KeyCode::Char('u')));
    assert_eq!(app.chat.open, Some(CHANNEL));
}

#[test]
fn a_patient_linked_urgent_shows_the_bed_not_the_name() {
    let mut app = ward_app();
    let row = app.patients.loaded[3].clone();
    let bed = row
        .cell(wardround::model::ColumnId::Bed)
        .unwrap()
        .text
        .clone();
    let name = row
        .cell(wardround::model::ColumnId::Name)
        .unwrap()
        .text
        .clone();
    let chat = Uuid::from_u128(300);
    let mut conversations = conversations();
    conversations.push(wardround::model::Conversation {
        id: chat,
        kind: ConversationKind::Patient,
        title: String::new(),
        members: vec![member(&nurse()), member(&registrar())],
        unread: 0,
        subject: Some(row.patient.clone()),
        role: None,
        presence: Default::default(),
        admins: Vec::new(),
        manage: false,
    });
    update(&mut app, Action::ConversationsLoaded(Ok(conversations)));
    // Read the 1:1 urgent first, so the patient's is the one shown.
    update(&mut app, key(KeyCode::Char('u')));
    let urgent = message(
        950,
        chat,
        &registrar(),
        &[&nurse()],
        "Please recheck obs",
        Priority::Urgent,
        1,
    );
    update(&mut app, Action::MessagesLoaded(chat, Ok(vec![urgent])));
    let (text, _) = alert_bar::content(&app);
    assert!(text.contains(&format!("bed {bed}")), "{text}");
    assert!(!text.contains(&name), "{text}");
}

/// What the terminal was sent, kept where the test can read it.
#[derive(Clone, Default)]
struct Wire(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Wire {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Wire {
    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

#[test]
/// Two steps a second within 150 B/s over SSH (issue 5): only the badge restyles.
fn one_pulse_step_writes_at_most_75_bytes() {
    let mut app = ward_app();
    let theme = Theme::default();
    let wire = Wire::default();
    let mut terminal = Terminal::with_options(
        CrosstermBackend::new(wire.clone()),
        ratatui::TerminalOptions {
            viewport: ratatui::Viewport::Fixed(Rect::new(0, 0, 120, 40)),
        },
    )
    .unwrap();
    terminal.draw(|f| view::draw(f, &app, &theme)).unwrap();
    let first = wire.take().len();
    assert!(
        first > 2000,
        "the first frame draws everything ({first} bytes)"
    );
    for step in 0..4 {
        update(&mut app, Action::Pulse);
        terminal.draw(|f| view::draw(f, &app, &theme)).unwrap();
        let written = wire.take();
        assert!(
            written.len() <= 75,
            "pulse step {step} wrote {} bytes: {:?}",
            written.len(),
            String::from_utf8_lossy(&written)
        );
        assert!(!written.is_empty(), "the pulse does show");
    }
}

#[test]
fn offline_the_bar_says_urgent_messages_may_be_waiting_and_the_footer_counts_down_the_retry() {
    let mut app = ward_app();
    // Nothing of mine waits once the urgent 1:1 and the important post are read: the bar
    // would say all is quiet.
    for _ in 0..2 {
        update(&mut app, key(KeyCode::Char('u')));
        app.focus = wardround::tui::app::Pane::Patients;
    }
    assert_eq!(alert_bar::content(&app).0, " No urgent messages waiting");

    update(
        &mut app,
        Action::Stream(StreamUpdate::Disconnected {
            reason: "connection refused".into(),
            retry_in: std::time::Duration::from_secs(4),
        }),
    );
    let (text, _) = alert_bar::content(&app);
    assert_eq!(
        text, " offline — urgent messages may be waiting",
        "offline, nobody can say nothing waits"
    );
    let screen = screen_text(&app, 120, 30);
    assert!(screen.contains("offline · retry in 4s"), "{screen}");

    // The countdown moves on with the clock, and the runtime is woken when, and only when,
    // the second shown changes.
    let later = app.now + chrono::Duration::milliseconds(1300);
    assert_eq!(
        app.countdown_changes_in(later),
        Some(std::time::Duration::from_millis(700))
    );
    app.now = later;
    update(&mut app, Action::Tick);
    let screen = screen_text(&app, 120, 30);
    assert!(screen.contains("offline · retry in 3s"), "{screen}");
    assert!(
        wardround::tui::redraw_needed(
            true,
            &app,
            wardround::tui::ClockShown {
                minute: 30,
                retry_in_secs: Some(4),
                alert_age: None,
            },
            false
        ),
        "a tick that turns the countdown redraws"
    );
    app.now += chrono::Duration::seconds(3);
    assert_eq!(
        app.countdown_changes_in(app.now),
        None,
        "due: nothing to count"
    );
    let screen = screen_text(&app, 120, 30);
    assert!(screen.contains("offline · retrying…"), "{screen}");

    update(&mut app, Action::Stream(StreamUpdate::Connected));
    assert_eq!(alert_bar::content(&app).0, " No urgent messages waiting");
    assert_eq!(app.countdown_changes_in(app.now), None);
}

/// My urgent message to the 4 West channel went unanswered by the registrar and the charge
/// nurse; the app has read what waited for me, so the bar shows only that notice.
fn unanswered_by_two(ack_required: bool) -> App {
    let mut app = ward_app();
    for _ in 0..2 {
        update(&mut app, key(KeyCode::Char('u')));
        app.focus = wardround::tui::app::Pane::Patients;
    }
    update(
        &mut app,
        stream(EventKind::Unanswered {
            message_id: Uuid::from_u128(901),
            conversation_id: CHANNEL,
            sent_at: now() - chrono::Duration::minutes(21),
            names: vec!["Dr Priya Shah".into(), "Sam Okafor".into()],
            waiting: vec![registrar().id, charge().id],
            ack_required,
            escalated_to: None,
        }),
    );
    app
}

fn read_by(user: &wardround::model::User) -> Action {
    stream(EventKind::Receipt {
        message_id: Uuid::from_u128(901),
        conversation_id: CHANNEL,
        user_id: user.id,
        state: wardround::model::ReceiptState::Read,
        at: now(),
    })
}

fn acknowledged_by(user: &wardround::model::User) -> Action {
    stream(EventKind::Acknowledged {
        message_id: Uuid::from_u128(901),
        conversation_id: CHANNEL,
        user_id: user.id,
        at: now(),
    })
}

#[test]
fn the_senders_unanswered_warning_clears_live_as_those_named_read_or_acknowledge() {
    let mut app = unanswered_by_two(false);
    let (text, _) = alert_bar::content(&app);
    assert!(
        text.contains("⚠ UNANSWERED") && text.contains("not read by Dr Priya Shah, Sam Okafor"),
        "{text}"
    );

    // Someone not named reading it changes nothing.
    update(&mut app, read_by(&nurse()));
    assert_eq!(alert_bar::content(&app).0, text);

    update(&mut app, read_by(&registrar()));
    let (text, _) = alert_bar::content(&app);
    assert!(text.contains("not read by Sam Okafor"), "{text}");
    assert!(!text.contains("Priya"), "she has read it: {text}");

    // An acknowledgement is a read too; with everyone named answered, the warning goes,
    // with no key pressed.
    update(&mut app, acknowledged_by(&charge()));
    assert!(app.unanswered.is_empty());
    assert_eq!(alert_bar::content(&app).0, " No urgent messages waiting");
}

#[test]
fn where_acknowledgement_is_asked_only_acknowledgements_clear_the_unanswered_warning() {
    let mut app = unanswered_by_two(true);
    update(&mut app, read_by(&registrar()));
    update(&mut app, read_by(&charge()));
    let (text, _) = alert_bar::content(&app);
    assert!(
        text.contains("Dr Priya Shah, Sam Okafor"),
        "reading is not answering here: {text}"
    );
    update(&mut app, acknowledged_by(&registrar()));
    update(&mut app, acknowledged_by(&charge()));
    assert_eq!(alert_bar::content(&app).0, " No urgent messages waiting");
}

/// On a narrow terminal the bar's fields give way from the last, whole: who has not read
/// it and the key to open it stay; no word is cut in half.
#[test]
fn a_narrow_alert_bar_drops_fields_not_words() {
    let app = unanswered_by_two(false);
    let (full, _) = alert_bar::content(&app);
    assert!(
        full.contains("escalated to") || full.chars().count() > 60,
        "{full}"
    );
    let bar = alert_bar::fitted(&full, 80);
    assert!(bar.chars().count() <= 80, "{bar}");
    assert!(
        bar.contains("⚠ UNANSWERED") && bar.contains("not read by"),
        "{bar}"
    );
    assert!(bar.ends_with("[u] open "), "{bar}");
    assert_eq!(
        bar, " ⚠ UNANSWERED  not read by Dr Priya Shah, Sam Okafor   [u] open ",
        "whole fields, the one that matters kept"
    );
    let urgent = ward_app();
    let (full, _) = alert_bar::content(&urgent);
    let bar = alert_bar::fitted(&full, 50);
    assert!(
        bar.contains("‼ URGENT") && bar.contains("Dr Priya Shah"),
        "{bar}"
    );
    assert!(bar.chars().count() <= 50, "{bar}");
    assert_eq!(alert_bar::fitted(&full, 200), full, "room for all: all");
}
