//! Reaching people in the app's pure `update`: `N` and its picker (a 1:1, a group, a
//! role), `:members`, `:status` and do-not-disturb, `:oncall`, a role's hand-over and the
//! server's notices.

use crate::common;

use chrono::Duration;
use common::*;
use crossterm::event::KeyCode;
use uuid::Uuid;
use wardround::client::StreamUpdate;
use wardround::model::{
    Conversation, ConversationKind, Directory, Event, EventKind, OnCall, Person, Presence,
    PresenceState, Priority, RoleInfo, StartConversation, StatusChange, SYSTEM_SENDER,
};
use wardround::tui::action::{Action, Effect};
use wardround::tui::app::{App, Pane};
use wardround::tui::update::{key, update};

fn stream(kind: EventKind) -> Action {
    Action::Stream(StreamUpdate::Event(Event { cursor: 9, kind }))
}

fn typed(app: &mut App, text: &str) -> Vec<Effect> {
    text.chars()
        .flat_map(|c| update(app, key(KeyCode::Char(c))))
        .collect()
}

fn command(app: &mut App, line: &str) -> Vec<Effect> {
    update(app, key(KeyCode::Char(':')));
    typed(app, line);
    update(app, key(KeyCode::Enter))
}

fn person(n: u128, username: &str, name: &str, state: PresenceState) -> Person {
    Person {
        id: Uuid::from_u128(n),
        username: username.into(),
        display_name: name.into(),
        role: "Registrar".into(),
        teams: vec!["4 West".into()],
        presence: Presence { state, until: None },
        roles: Vec::new(),
        instead: Vec::new(),
    }
}

fn registrar_role() -> RoleInfo {
    RoleInfo {
        id: Uuid::from_u128(70),
        name: "Medical registrar on call".into(),
        team: "4 West".into(),
        holders: vec![member(&registrar())],
        fallback: None,
    }
}

fn directory() -> Directory {
    let mut off = person(6, "sam", "Sam Okafor", PresenceState::OffShift);
    off.instead = vec!["4W nurse in charge".into()];
    Directory {
        people: vec![
            person(2, "priya", "Dr Priya Shah", PresenceState::Available),
            person(5, "tom", "Dr Tom Reid", PresenceState::Dnd),
            off,
        ],
        roles: vec![registrar_role()],
    }
}

fn conversation(id: u128, kind: ConversationKind, title: &str) -> Conversation {
    Conversation {
        id: Uuid::from_u128(id),
        kind,
        title: title.into(),
        members: vec![member(&nurse()), member(&registrar())],
        unread: 0,
        subject: None,
        role: None,
        presence: Default::default(),
        admins: Vec::new(),
        manage: false,
    }
}

/// `N` from the list, with the directory's answer in.
fn picker() -> App {
    let mut app = ward_app();
    let effects = update(&mut app, key(KeyCode::Char('N')));
    assert_eq!(effects, [Effect::SearchDirectory(String::new())]);
    update(
        &mut app,
        Action::DirectoryResults(String::new(), Ok(directory())),
    );
    app
}

#[test]
fn n_searches_the_directory_as_one_types_and_enter_opens_the_one_to_one() {
    let mut app = picker();
    let screen = screen_text(&app, 100, 30);
    assert!(screen.contains("Medical registrar on call"), "{screen}");
    assert!(
        screen.contains("● do not disturb"),
        "presence in words:\n{screen}"
    );
    assert!(
        screen.contains("● off shift") && screen.contains("→ write to 4W nurse in charge"),
        "whom to write to instead:\n{screen}"
    );
    // Typing asks again; an answer to an older query is dropped.
    let effects = typed(&mut app, "tom");
    assert_eq!(effects.last(), Some(&Effect::SearchDirectory("tom".into())));
    update(
        &mut app,
        Action::DirectoryResults("to".into(), Ok(directory())),
    );
    let only_tom = Directory {
        people: vec![person(5, "tom", "Dr Tom Reid", PresenceState::Dnd)],
        roles: Vec::new(),
    };
    update(
        &mut app,
        Action::DirectoryResults("tom".into(), Ok(only_tom)),
    );
    let effects = update(&mut app, key(KeyCode::Enter));
    assert_eq!(
        effects,
        [Effect::StartConversation(StartConversation::Direct {
            members: vec!["tom".into()]
        })]
    );
    // The server answers with the pair's 1:1: it opens, focused, and loads.
    let one = conversation(300, ConversationKind::Direct, "Dr Tom Reid");
    let effects = update(&mut app, Action::ConversationOpened(Ok(one)));
    assert!(effects.contains(&Effect::LoadMessages(Uuid::from_u128(300))));
    assert_eq!(app.chat.open, Some(Uuid::from_u128(300)));
    assert_eq!(app.focus, Pane::Chat);
}

#[test]
fn tab_picks_several_and_enter_makes_a_group_of_them() {
    let mut app = picker();
    // Roles first, then people: down to Priya, pick; down to Tom, pick.
    update(&mut app, key(KeyCode::Down));
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, key(KeyCode::Down));
    update(&mut app, key(KeyCode::Tab));
    assert!(screen_text(&app, 100, 30).contains("Group with: Dr Priya Shah, Dr Tom Reid"));
    let effects = update(&mut app, key(KeyCode::Enter));
    assert_eq!(
        effects,
        [Effect::StartConversation(StartConversation::Group {
            title: "Dr Priya Shah, Dr Tom Reid".into(),
            members: vec!["priya".into(), "tom".into()],
        })]
    );
    // Tab did not move the panes beneath.
    assert_eq!(app.focus, Pane::Patients);
}

#[test]
fn a_role_opens_its_thread_and_the_header_names_who_holds_it() {
    let mut app = picker();
    let effects = update(&mut app, key(KeyCode::Enter));
    assert_eq!(
        effects,
        [Effect::StartConversation(StartConversation::Role {
            role: "Medical registrar on call".into()
        })]
    );
    let mut thread = conversation(301, ConversationKind::Role, "Medical registrar on call");
    thread.role = Some(registrar_role());
    update(&mut app, Action::ConversationOpened(Ok(thread)));
    let screen = screen_text(&app, 120, 30);
    assert!(
        screen.contains("Medical registrar on call → Dr Priya Shah"),
        "{screen}"
    );
}

#[test]
fn dnd_holds_the_bell_for_all_but_urgent_and_rings_once_when_it_ends() {
    let mut app = ward_app();
    let effects = command(&mut app, "status dnd 30m");
    assert_eq!(
        effects,
        [Effect::SetStatus(StatusChange {
            state: "dnd".into(),
            minutes: Some(30)
        })]
    );
    let until = app.now + Duration::minutes(30);
    update(
        &mut app,
        Action::StatusSet(Ok(Presence {
            state: PresenceState::Dnd,
            until: Some(until),
        })),
    );
    assert!(screen_text(&app, 120, 30).contains("do not disturb until 10:00"));
    let normal = message(
        901,
        CHANNEL,
        &charge(),
        &[&nurse()],
        "Coffee in the office",
        Priority::Normal,
        1,
    );
    let effects = update(&mut app, stream(EventKind::Message { message: normal }));
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Notify(_))),
        "{effects:?}"
    );
    let mut urgent_one = message(
        902,
        DIRECT,
        &registrar(),
        &[&nurse()],
        "Arrest bay 3",
        Priority::Urgent,
        0,
    );
    urgent_one.sent_at = app.now;
    let effects = update(
        &mut app,
        stream(EventKind::Message {
            message: urgent_one,
        }),
    );
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Notify(t) if t.starts_with("Urgent"))),
        "urgent rings through: {effects:?}"
    );
    // Half an hour on, do-not-disturb is over: one ring for what it held.
    app.now = until + Duration::seconds(1);
    let effects = update(&mut app, Action::Tick);
    assert!(
        effects.iter().any(
            |e| matches!(e, Effect::Notify(t) if t.starts_with("1 message while on do not disturb"))
        ),
        "{effects:?}"
    );
    assert!(update(&mut app, Action::Tick)
        .iter()
        .all(|e| !matches!(e, Effect::Notify(_))));
}

#[test]
fn a_normal_message_rings_unless_its_chat_is_being_read() {
    let mut app = ward_app();
    let normal = message(
        903,
        CHANNEL,
        &charge(),
        &[&nurse()],
        "Huddle moved",
        Priority::Normal,
        1,
    );
    let effects = update(&mut app, stream(EventKind::Message { message: normal }));
    assert!(effects
        .iter()
        .any(|e| matches!(e, Effect::Notify(t) if t == "New message - 4 West")));
}

#[test]
fn oncall_and_status_commands_read_as_a_nurse_would_type_them() {
    let mut app = ward_app();
    assert_eq!(
        command(&mut app, "oncall hand Medical registrar on call tom"),
        [Effect::OnCall(OnCall::Hand {
            role: "Medical registrar on call".into(),
            to: "tom".into()
        })]
    );
    assert_eq!(
        command(&mut app, "oncall take 4W FY1"),
        [Effect::OnCall(OnCall::Take {
            role: "4W FY1".into()
        })]
    );
    assert_eq!(
        command(&mut app, "status available"),
        [Effect::SetStatus(StatusChange {
            state: "available".into(),
            minutes: None
        })]
    );
    assert!(command(&mut app, "status dnd soon").is_empty());
    assert!(app
        .notice
        .as_deref()
        .unwrap_or_default()
        .contains(":status"));
    assert!(command(&mut app, "oncall hand tom").is_empty());
}

#[test]
fn members_lists_who_is_in_and_only_a_manager_removes() {
    let mut app = ward_app();
    let mut group = conversation(302, ConversationKind::Group, "Bay 2 round");
    group.members.push(member(&charge()));
    group.presence.insert(
        charge().id,
        Presence {
            state: PresenceState::OffShift,
            until: None,
        },
    );
    update(&mut app, Action::ConversationOpened(Ok(group.clone())));
    update(&mut app, key(KeyCode::Esc));
    app.focus = Pane::Conversations;
    command(&mut app, "members");
    let screen = screen_text(&app, 100, 30);
    assert!(screen.contains("Bay 2 round · 3 members"), "{screen}");
    assert!(screen.contains("● off shift"), "{screen}");
    // Not mine to manage: removing someone else is refused here, leaving is not.
    update(&mut app, key(KeyCode::Down));
    assert!(update(&mut app, key(KeyCode::Char('d'))).is_empty());
    assert!(app
        .notice
        .as_deref()
        .unwrap_or_default()
        .contains("creator"));
    group.manage = true;
    update(&mut app, Action::ConversationOpened(Ok(group)));
    app.focus = Pane::Conversations;
    command(&mut app, "members");
    update(&mut app, key(KeyCode::Down));
    let effects = update(&mut app, key(KeyCode::Char('d')));
    assert_eq!(
        effects,
        [Effect::RemoveMember {
            conversation: Uuid::from_u128(302),
            member: app.conversation(Uuid::from_u128(302)).unwrap().info.members[1]
                .id
                .to_string(),
        }]
    );
    command(&mut app, "members");
    assert_eq!(
        update(&mut app, key(KeyCode::Char('a'))),
        [Effect::SearchDirectory(String::new())]
    );
}

#[test]
fn a_handover_takes_the_urgent_message_off_the_old_holders_bar() {
    let mut app = ward_app();
    assert!(app.alert_active(), "the demo's urgent 1:1 waits");
    let waiting = urgent();
    let effects = update(
        &mut app,
        stream(EventKind::Handed {
            message_id: waiting.id,
            conversation_id: waiting.conversation_id,
            role: "4W nurse in charge".into(),
            from: vec![member(&nurse())],
            to: vec![member(&charge())],
        }),
    );
    assert!(!app.alert_active(), "no longer mine");
    assert!(
        effects.contains(&Effect::LoadConversations),
        "the header's holders"
    );
    assert_eq!(
        app.notice.as_deref(),
        Some("4W nurse in charge is with Sam Okafor now: the urgent message went to them.")
    );
}

#[test]
fn the_servers_notices_and_lines_are_shown_cleaned() {
    let mut app = ward_app();
    update(
        &mut app,
        stream(EventKind::Notice {
            conversation_id: None,
            text: "Tom is off shift\u{1b}]0;pwned\u{7}: write to 4W FY1 instead.".into(),
        }),
    );
    let notice = app.notice.clone().unwrap();
    assert!(
        !notice.contains('\u{1b}') && notice.contains("write to 4W FY1"),
        "{notice:?}"
    );
    let mut line = message(
        904,
        CHANNEL,
        &charge(),
        &[],
        "Sam Okafor added Dr Tom Reid",
        Priority::Normal,
        0,
    );
    line.sender_id = SYSTEM_SENDER;
    line.sender_name = "wardround".into();
    line.receipts.clear();
    update(&mut app, stream(EventKind::Message { message: line }));
    wardround::tui::update::open_conversation(&mut app, CHANNEL);
    let screen = screen_text(&app, 120, 30);
    assert!(
        screen.contains("— Sam Okafor added Dr Tom Reid —"),
        "{screen}"
    );
    // Hostile names from the directory are cleaned before they are drawn.
    let mut app = picker();
    let hostile = Directory {
        people: vec![person(
            9,
            "x",
            "Evil\u{1b}[2J Name",
            PresenceState::Available,
        )],
        roles: Vec::new(),
    };
    typed(&mut app, "e");
    update(&mut app, Action::DirectoryResults("e".into(), Ok(hostile)));
    let screen = screen_text(&app, 100, 30);
    assert!(
        screen.contains("Evil") && !screen.contains('\u{1b}'),
        "{screen}"
    );
}

#[test]
fn an_escape_and_a_key_run_together_over_ssh_are_the_two_keys_not_a_message() {
    use crossterm::event::{KeyEvent, KeyModifiers};
    let mut app = ward_app();
    wardround::tui::update::open_conversation(&mut app, DIRECT);
    assert_eq!(app.focus, Pane::Chat);
    // Esc then `:` arrive in one read and crossterm reports Alt-`:`.
    update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::Char(':'), KeyModifiers::ALT)),
    );
    typed(&mut app, "members");
    let effects = update(&mut app, key(KeyCode::Enter));
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Send { .. })),
        "the command was not sent as a message: {effects:?}"
    );
    assert!(app.chat.composer.is_empty());
    assert!(screen_text(&app, 100, 30).contains("members"));
}
