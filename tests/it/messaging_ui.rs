//! Secure messaging in the app's pure `update`: re-notification, acknowledgement, what the
//! policy hides, receipts by name, patient chats and their unread column.

use crate::common;

use common::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use uuid::Uuid;
use wardround::client::StreamUpdate;
use wardround::model::{
    ColumnId, Conversation, ConversationKind, EffectivePolicy, Event, EventKind, Message,
    MessagingPolicy, Package, Priority, ReceiptState,
};
use wardround::tui::action::{Action, Effect};
use wardround::tui::app::{App, Pane};
use wardround::tui::components::alert_bar;
use wardround::tui::update::{key, update};

fn ctrl(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn stream(kind: EventKind) -> Action {
    Action::Stream(StreamUpdate::Event(Event { cursor: 9, kind }))
}

fn notes(effects: &[Effect]) -> Vec<&str> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Notify(t) => Some(t.as_str()),
            _ => None,
        })
        .collect()
}

fn policy(package: Package) -> EffectivePolicy {
    EffectivePolicy {
        policy: MessagingPolicy {
            name: package.name().into(),
            settings: package.settings(),
        },
        source: "user".into(),
        read_receipts_active: true,
        read_receipts_adjustable: true,
    }
}

fn renotify(message: Message, attempt: u32) -> Action {
    stream(EventKind::Renotify {
        message,
        attempt,
        of: 10,
    })
}

#[test]
fn a_renotification_rings_again_only_while_the_message_waits() {
    let mut app = ward_app();
    app.pulse_on = false;
    let effects = update(&mut app, renotify(urgent(), 1));
    assert_eq!(notes(&effects), vec!["Urgent message - 4 West"]);
    assert!(app.pulse_on);

    update(&mut app, key(KeyCode::Char('u')));
    assert!(!app.alert_active());
    // The server had not heard of the read yet when it rang again.
    let effects = update(&mut app, renotify(urgent(), 2));
    assert!(notes(&effects).is_empty(), "{effects:?}");
    assert!(!app.alert_active(), "a late ring does not un-read it");
}

#[test]
fn the_ack_key_acknowledges_the_urgent_messages_in_the_open_chat() {
    let mut app = ward_app();
    // From elsewhere it first opens the message: nobody acknowledges unseen.
    let effects = update(&mut app, ctrl('k'));
    assert!(!effects.iter().any(|e| matches!(e, Effect::Acknowledge(_))));
    assert_eq!(app.chat.open, Some(DIRECT));
    assert_eq!(app.focus, Pane::Chat);

    let effects = update(&mut app, ctrl('k'));
    assert!(effects.contains(&Effect::Acknowledge(vec![urgent().id])));
    let mine = app.conversation(DIRECT).unwrap().messages[0]
        .message
        .receipt_of(nurse().id)
        .unwrap()
        .clone();
    assert_eq!(mine.state, ReceiptState::Read);
    assert!(mine.acknowledged_at.is_some());
    let effects = update(&mut app, ctrl('k'));
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Acknowledge(_))),
        "once is enough"
    );
}

#[test]
fn under_an_ack_policy_the_bar_stays_until_acknowledged() {
    let mut app = ward_app();
    let mut must_ack = urgent();
    must_ack.id = Uuid::from_u128(902);
    must_ack.ack_required = true;
    update(
        &mut app,
        Action::MessagesLoaded(DIRECT, Ok(vec![must_ack.clone()])),
    );
    update(&mut app, key(KeyCode::Char('u')));
    assert!(app.alert_active(), "read is not enough");
    let (text, _) = alert_bar::content(&app);
    assert!(text.contains("ACK NEEDED"), "{text}");
    assert!(text.contains("[Ctrl-k] ack"), "{text}");

    let effects = update(&mut app, ctrl('k'));
    assert!(effects.contains(&Effect::Acknowledge(vec![must_ack.id])));
    assert!(!app.alert_active());
}

#[test]
fn the_sender_sees_who_acknowledged_and_who_read_by_name() {
    let mut app = ward_app();
    update(&mut app, key(KeyCode::Char('u')));
    let group = Uuid::from_u128(102);
    let mut conversations = conversations();
    conversations.push(Conversation {
        id: group,
        kind: ConversationKind::Group,
        title: "Bay 2".into(),
        members: vec![member(&nurse()), member(&registrar()), member(&charge())],
        unread: 0,
        subject: None,
        role: None,
        presence: Default::default(),
        admins: Vec::new(),
        manage: false,
    });
    update(&mut app, Action::ConversationsLoaded(Ok(conversations)));
    let mine = message(
        960,
        group,
        &nurse(),
        &[&registrar(), &charge()],
        "Bed 4 sats 86%",
        Priority::Urgent,
        2,
    );
    update(
        &mut app,
        Action::MessagesLoaded(group, Ok(vec![mine.clone()])),
    );
    let at = now();
    update(
        &mut app,
        stream(EventKind::Acknowledged {
            message_id: mine.id,
            conversation_id: group,
            user_id: registrar().id,
            at,
        }),
    );
    update(
        &mut app,
        stream(EventKind::Receipt {
            message_id: mine.id,
            conversation_id: group,
            user_id: charge().id,
            state: ReceiptState::Delivered,
            at,
        }),
    );
    let c = app.conversation(group).unwrap();
    assert_eq!(
        wardround::tui::components::chat::receipt_mark(c, &c.messages[0]),
        "✓✓ read by 1 of 2 · acknowledged by 1 of 2"
    );
    wardround::tui::update::open_conversation(&mut app, group);
    update(&mut app, ctrl('r'));
    assert!(app.show_receipt_names);
    let screen = render_text(&app);
    assert!(screen.contains("read: Dr Priya Shah"), "{screen}");
    assert!(screen.contains("delivered: Sam Okafor"), "{screen}");
    assert!(screen.contains("acknowledged: Dr Priya Shah"), "{screen}");
}

fn render_text(app: &App) -> String {
    screen_text(app, 120, 40)
}

#[test]
fn a_draft_and_its_priority_stay_with_the_chat_they_were_begun_in() {
    let mut app = ward_app();
    update(
        &mut app,
        Action::PolicyLoaded(Ok(policy(Package::ClinicalWorker))),
    );
    update(&mut app, key(KeyCode::Char('u')));
    let first = app.chat.open.unwrap();
    for c in "K+ 6.1, repeat".chars() {
        update(&mut app, key(KeyCode::Char(c)));
    }
    update(&mut app, ctrl('p'));
    update(&mut app, ctrl('p'));
    assert_eq!(app.chat.priority, Priority::Urgent);
    let other = if first == DIRECT { CHANNEL } else { DIRECT };
    wardround::tui::update::open_conversation(&mut app, other);
    assert_eq!(
        app.chat.composer, "",
        "nothing written for the last chat goes to this one"
    );
    assert_eq!(app.chat.priority, Priority::Normal, "nor its urgency");
    wardround::tui::update::open_conversation(&mut app, first);
    assert_eq!(
        app.chat.composer, "K+ 6.1, repeat",
        "the draft is back where it was begun"
    );
    assert_eq!(app.chat.priority, Priority::Urgent);
}

#[test]
fn command_text_is_never_sent_as_a_message() {
    let mut app = ward_app();
    update(&mut app, key(KeyCode::Char('u')));
    assert!(app.chat.open.is_some());
    let mut effects = Vec::new();
    for keys in [":frobnicate", ":follow Priya"] {
        // The chat open beside the list; `:` from the list opens the command line.
        app.focus = Pane::Patients;
        for c in keys.chars() {
            effects.extend(update(&mut app, key(KeyCode::Char(c))));
        }
        for k in [KeyCode::Tab, KeyCode::BackTab, KeyCode::Tab] {
            effects.extend(update(&mut app, key(k)));
        }
        assert_eq!(
            app.focus,
            Pane::Patients,
            "Tab in the `:` line moves no pane"
        );
        for _ in 0..2 {
            effects.extend(update(&mut app, key(KeyCode::Enter)));
        }
        update(&mut app, key(KeyCode::Esc));
    }
    let sent: Vec<&Effect> = effects
        .iter()
        .filter(|e| matches!(e, Effect::Send { .. }))
        .collect();
    assert!(sent.is_empty(), "{sent:?}");
    assert!(
        !app.chat.composer.as_str().contains("frobnicate")
            && !app.chat.composer.as_str().contains("follow")
    );
}

#[test]
fn the_composer_offers_only_the_priorities_the_policy_allows() {
    let mut app = ward_app();
    update(&mut app, key(KeyCode::Char('u')));
    update(
        &mut app,
        Action::PolicyLoaded(Ok(policy(Package::InformationWorker))),
    );
    let mut seen = Vec::new();
    for _ in 0..4 {
        update(&mut app, ctrl('p'));
        seen.push(app.chat.priority);
    }
    assert_eq!(
        seen,
        vec![
            Priority::Important,
            Priority::Normal,
            Priority::Important,
            Priority::Normal
        ]
    );
    let screen = render_text(&app);
    assert!(screen.contains("Ctrl-p priority"), "{screen}");

    update(
        &mut app,
        Action::PolicyLoaded(Ok(policy(Package::PatientRoom))),
    );
    update(&mut app, ctrl('p'));
    assert_eq!(app.chat.priority, Priority::Normal);
    let screen = render_text(&app);
    assert!(
        !screen.contains("Ctrl-p priority"),
        "nothing to choose, no hint:\n{screen}"
    );

    // A policy that tightens while urgent is chosen takes the choice back.
    update(
        &mut app,
        Action::PolicyLoaded(Ok(policy(Package::ClinicalWorker))),
    );
    update(&mut app, ctrl('p'));
    update(&mut app, ctrl('p'));
    assert_eq!(app.chat.priority, Priority::Urgent);
    update(
        &mut app,
        Action::PolicyLoaded(Ok(policy(Package::InformationWorker))),
    );
    assert_eq!(app.chat.priority, Priority::Normal);
}

#[test]
fn a_patient_chat_opens_from_the_row_and_its_unread_count_fills_the_column() {
    let mut app = ward_app();
    update(&mut app, key(KeyCode::Char('u')));
    app.focus = Pane::Patients;
    app.patients.selected = 2;
    let row = app.patients.selected_row().unwrap().clone();
    let list = rows().list.id;
    app.patients.list_id = Some(list);
    let effects = update(&mut app, key(KeyCode::Char('m')));
    assert_eq!(
        effects,
        vec![Effect::OpenPatientConversation {
            list,
            patient: row.patient.clone()
        }]
    );

    let chat = Uuid::from_u128(400);
    let info = Conversation {
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
    };
    let effects = update(&mut app, Action::PatientConversationOpened(Ok(info)));
    assert_eq!(effects, vec![Effect::LoadMessages(chat)]);
    assert_eq!(app.chat.open, Some(chat));
    assert_eq!(app.focus, Pane::Chat);
    let bed = row.cell(ColumnId::Bed).unwrap().text.clone();
    let name = row.cell(ColumnId::Name).unwrap().text.clone();
    let c = app.conversation(chat).unwrap();
    assert_eq!(app.title_of(c), format!("{bed} {name}"));
    assert!(render_text(&app).contains(&format!("{bed} {name} · patient chat")));
    update(&mut app, Action::MessagesLoaded(chat, Ok(Vec::new())));

    // Away from the chat, two messages arrive about the patient.
    update(&mut app, key(KeyCode::Esc));
    for id in [970, 971] {
        let m = message(
            id,
            chat,
            &registrar(),
            &[&nurse()],
            "Family here",
            Priority::Normal,
            0,
        );
        update(&mut app, stream(EventKind::Message { message: m }));
    }
    let unread = |app: &App| {
        app.patients
            .loaded
            .iter()
            .find(|r| r.patient == row.patient)
            .and_then(|r| r.cell(ColumnId::Unread))
            .map(|c| c.text.clone())
    };
    assert_eq!(unread(&app).as_deref(), Some("2"));
    // The same key from the row now opens the chat that exists; reading clears the count.
    app.focus = Pane::Patients;
    let effects = update(&mut app, key(KeyCode::Char('m')));
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::OpenPatientConversation { .. })),
        "{effects:?}"
    );
    assert_eq!(app.chat.open, Some(chat));
    assert_eq!(unread(&app).as_deref(), Some(""), "blank once read");
}

#[test]
fn what_waits_is_loaded_on_connect_and_fills_the_bar() {
    let mut app = App::new(nurse(), "4 West".into(), "http://x".into(), now());
    update(&mut app, Action::ConversationsLoaded(Ok(conversations())));
    let effects = update(&mut app, Action::Stream(StreamUpdate::Connected));
    assert!(effects.contains(&Effect::LoadAwaiting));
    assert!(effects.contains(&Effect::LoadPolicy));
    assert!(!app.alert_active());
    let effects = update(&mut app, Action::AwaitingLoaded(Ok(vec![urgent()])));
    assert!(app.alert_active());
    assert!(effects.contains(&Effect::Mark {
        messages: vec![urgent().id],
        state: ReceiptState::Delivered
    }));
}

#[test]
fn quitting_with_a_message_still_sending_asks_first() {
    let mut app = ward_app();
    update(&mut app, key(KeyCode::Char('u')));
    for c in "Obs done".chars() {
        update(&mut app, key(KeyCode::Char(c)));
    }
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(app.unsent(), 1);
    let effects = update(&mut app, ctrl('c'));
    assert!(!app.quit && effects.is_empty(), "{effects:?}");
    assert!(render_text(&app).contains("1 message is still sending and would be lost"));
    update(&mut app, key(KeyCode::Char('n')));
    assert!(!app.quit, "any other key keeps the app");
    update(&mut app, ctrl('c'));
    let effects = update(&mut app, key(KeyCode::Char('y')));
    assert!(app.quit);
    assert_eq!(effects, vec![Effect::Quit]);
}

/// The chat pane's message lines as drawn.
fn chat_pane(app: &App) -> Vec<String> {
    let area = wardround::tui::view::chat_messages_area(app).unwrap();
    let (width, height) = app.screen;
    screen_text(app, width, height)
        .lines()
        .skip(usize::from(area.y))
        .take(usize::from(area.height))
        .map(|l| {
            l.chars()
                .skip(usize::from(area.x))
                .take(usize::from(area.width))
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect()
}

/// `count` notes from the registrar to me, numbered from `first`, a minute apart, the
/// newest `newest_minutes_ago`.
fn notes_from_the_registrar(first: u128, count: u128, newest_minutes_ago: i64) -> Vec<Message> {
    (0..count)
        .map(|i| {
            let ago = newest_minutes_ago + i64::try_from(count - 1 - i).unwrap();
            message(
                first + i,
                DIRECT,
                &registrar(),
                &[&nurse()],
                &format!("note {}", first + i),
                Priority::Normal,
                ago,
            )
        })
        .collect()
}

/// Presses PgUp until the app asks for older messages; what it asked for, if it did.
fn page_up_to_the_top(app: &mut App) -> Option<(Uuid, Uuid)> {
    for _ in 0..100 {
        for effect in update(app, key(KeyCode::PageUp)) {
            if let Effect::LoadOlder {
                conversation,
                before,
            } = effect
            {
                return Some((conversation, before));
            }
        }
    }
    None
}

#[test]
fn scrolling_above_the_first_page_loads_the_one_before_keeping_the_view_until_the_start() {
    let mut app = ward_app();
    app.screen = (120, 40);
    let latest = notes_from_the_registrar(2000, 30, 100);
    update(&mut app, Action::MessagesLoaded(DIRECT, Ok(latest)));
    wardround::tui::update::open_conversation(&mut app, DIRECT);
    update(&mut app, Action::Resize);

    let asked = page_up_to_the_top(&mut app);
    assert_eq!(
        asked,
        Some((DIRECT, Uuid::from_u128(2000))),
        "at the top, the page before the first message shown"
    );
    assert_eq!(
        update(&mut app, key(KeyCode::PageUp))
            .iter()
            .filter(|e| matches!(e, Effect::LoadOlder { .. }))
            .count(),
        0,
        "asked once while it comes"
    );
    let before = chat_pane(&app);
    assert!(
        before.iter().any(|l| l.contains("note 2000")),
        "{before:#?}"
    );

    let page = notes_from_the_registrar(1000, 100, 200);
    update(
        &mut app,
        Action::OlderLoaded {
            conversation: DIRECT,
            before: Uuid::from_u128(2000),
            page: Ok(page),
        },
    );
    assert_eq!(chat_pane(&app), before, "the view stays where it was");
    assert!(!before.iter().any(|l| l.contains("start of conversation")));

    // On up into the older page, and on again at its top for the last few.
    let asked = page_up_to_the_top(&mut app);
    assert_eq!(asked, Some((DIRECT, Uuid::from_u128(1000))));
    let shown = chat_pane(&app);
    assert!(shown.iter().any(|l| l.contains("note 1000")), "{shown:#?}");
    update(
        &mut app,
        Action::OlderLoaded {
            conversation: DIRECT,
            before: Uuid::from_u128(1000),
            page: Ok(notes_from_the_registrar(700, 3, 400)),
        },
    );
    assert_eq!(
        page_up_to_the_top(&mut app),
        None,
        "nothing older to ask for"
    );
    let top = chat_pane(&app);
    assert_eq!(
        top.iter()
            .filter(|l| l.contains("— start of conversation —"))
            .count(),
        1,
        "{top:#?}"
    );
    assert!(top[0].contains("start of conversation"), "{top:#?}");
    assert!(top.iter().any(|l| l.contains("note 700")), "{top:#?}");
}

#[test]
fn the_conversations_pane_says_whether_my_read_receipts_are_on() {
    let mut app = ward_app();
    let mut mine = policy(Package::ClinicalWorker);
    update(&mut app, Action::PolicyLoaded(Ok(mine.clone())));
    assert!(render_text(&app).contains("Conversations · receipts on"));
    mine.read_receipts_active = false;
    update(&mut app, Action::PolicyLoaded(Ok(mine)));
    // Long after the toggle's message has gone, the title still says.
    app.notice = None;
    assert!(render_text(&app).contains("Conversations · receipts off"));
}
