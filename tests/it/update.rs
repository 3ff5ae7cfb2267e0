//! `update` as a specification: state in, action, state and effects out.

use crate::common;

use common::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use wardround::client::StreamUpdate;
use wardround::model::{Cell, ColumnId, Event, EventKind, Priority, ReceiptState, Row};
use wardround::tui::action::{Action, Effect};
use wardround::tui::app::{Outbox, Overlay, Pane};
use wardround::tui::update::{key, update};

fn column_texts(app: &wardround::tui::app::App, c: ColumnId) -> Vec<String> {
    app.patients
        .visible()
        .map(|r| r.cell(c).map(|x| x.text.clone()).unwrap_or_default())
        .collect()
}

fn focus_column(app: &mut wardround::tui::app::App, c: ColumnId) {
    for _ in 0..ColumnId::ALL.len() {
        update(app, key(KeyCode::Char('h')));
    }
    while app.patients.focused_column() != Some(c) {
        update(app, key(KeyCode::Char('l')));
    }
}

#[test]
fn the_list_starts_in_bed_order_naturally_sorted() {
    let app = ward_app();
    let beds = column_texts(&app, ColumnId::Bed);
    let mut expected = beds.clone();
    expected.sort_by(|a, b| wardround::model::natural_cmp(a, b));
    assert_eq!(beds, expected);
    assert!(
        beds.iter().position(|b| b == "4W-2A").unwrap_or(0)
            < beds
                .iter()
                .position(|b| b.starts_with("4W-10"))
                .unwrap_or(99)
    );
}

fn ages(app: &wardround::tui::app::App) -> Vec<f64> {
    app.patients
        .visible()
        .filter_map(|r| match r.cell(ColumnId::Age)?.value {
            Some(wardround::model::CellValue::Number(n)) => Some(n),
            _ => None,
        })
        .collect()
}

#[test]
fn sort_key_sorts_by_the_focused_column_and_again_reverses() {
    let mut app = ward_app();
    focus_column(&mut app, ColumnId::Age);
    update(&mut app, key(KeyCode::Char('s')));
    let ascending = ages(&app);
    assert!(ascending.windows(2).all(|w| w[0] <= w[1]), "{ascending:?}");
    update(&mut app, key(KeyCode::Char('s')));
    let reversed = ages(&app);
    assert!(reversed.windows(2).all(|w| w[0] >= w[1]), "{reversed:?}");
    assert!(app.patients.sort[0].descending);
}

#[test]
fn sorting_is_stable_and_puts_empty_cells_last_both_ways() {
    let mut app = ward_app();
    let row = |id: &str, news: Option<f64>| {
        let cell = match news {
            Some(n) => Cell::number(n.to_string(), n),
            None => Cell::empty(),
        };
        Row {
            patient: id.into(),
            columns: [(ColumnId::News2, cell)].into_iter().collect(),
            problem: None,
            pending: false,
        }
    };
    let mut rows = rows();
    rows.rows = vec![
        row("a", Some(3.0)),
        row("b", None),
        row("c", Some(1.0)),
        row("d", Some(3.0)),
        row("e", Some(1.0)),
    ];
    update(&mut app, Action::RowsLoaded(Ok(rows)));
    app.patients.columns = vec![ColumnId::News2];
    app.patients.column = 0;
    let order = |app: &wardround::tui::app::App| {
        app.patients
            .visible()
            .map(|r| r.patient.clone())
            .collect::<String>()
    };
    update(&mut app, key(KeyCode::Char('s')));
    assert_eq!(order(&app), "ceadb");
    update(&mut app, key(KeyCode::Char('s')));
    assert_eq!(order(&app), "adceb");
}

#[test]
fn the_selected_patient_stays_selected_across_a_sort() {
    let mut app = ward_app();
    for _ in 0..5 {
        update(&mut app, key(KeyCode::Char('j')));
    }
    let chosen = app.patients.selected_row().unwrap().patient.clone();
    focus_column(&mut app, ColumnId::Name);
    update(&mut app, key(KeyCode::Char('s')));
    assert_eq!(app.patients.selected_row().unwrap().patient, chosen);
}

#[test]
fn tab_arrows_and_vim_keys_move_focus_rows_and_columns() {
    let mut app = ward_app();
    assert_eq!(app.focus, Pane::Patients);
    update(&mut app, key(KeyCode::Down));
    update(&mut app, key(KeyCode::Char('j')));
    assert_eq!(app.patients.selected, 2);
    update(&mut app, key(KeyCode::Char('k')));
    assert_eq!(app.patients.selected, 1);
    update(&mut app, key(KeyCode::Up));
    update(&mut app, key(KeyCode::Up));
    assert_eq!(app.patients.selected, 0, "stops at the top");
    update(&mut app, key(KeyCode::Char('G')));
    assert_eq!(app.patients.selected, app.patients.len() - 1);
    update(&mut app, key(KeyCode::Right));
    assert_eq!(app.patients.focused_column(), Some(ColumnId::Name));
    update(&mut app, key(KeyCode::Char('h')));
    assert_eq!(app.patients.focused_column(), Some(ColumnId::Bed));

    update(&mut app, key(KeyCode::Tab));
    assert_eq!(app.focus, Pane::Conversations);
    update(&mut app, key(KeyCode::Char('j')));
    assert_eq!(app.selected_conversation, 1);
    update(&mut app, key(KeyCode::Tab));
    assert_eq!(app.focus, Pane::Chat);
    update(&mut app, key(KeyCode::BackTab));
    assert_eq!(app.focus, Pane::Conversations);
}

#[test]
fn shift_tab_moves_focus_back_as_terminals_send_it() {
    let mut app = ward_app();
    let shift = |code| Action::Key(KeyEvent::new(code, KeyModifiers::SHIFT));
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, key(KeyCode::Tab));
    assert_eq!(app.focus, Pane::Chat);
    // crossterm: BackTab with SHIFT; some terminals: Tab with SHIFT.
    update(&mut app, shift(KeyCode::BackTab));
    assert_eq!(app.focus, Pane::Conversations);
    update(&mut app, shift(KeyCode::Tab));
    assert_eq!(app.focus, Pane::Patients);
}

#[test]
fn the_command_line_takes_the_whole_bottom_line() {
    let mut app = ward_app();
    for c in ":fol".chars() {
        update(&mut app, key(KeyCode::Char(c)));
    }
    let screen = screen_text(&app, 100, 30);
    let last = screen.lines().last().unwrap();
    assert!(last.starts_with(":fol▏"), "{last}");
    assert!(
        !last.contains("Alex Morgan"),
        "the status bar shows through: {last}"
    );
}

#[test]
fn a_patient_chat_keeps_its_title_on_another_list() {
    let mut app = ward_app();
    let row = app.patients.visible().next().unwrap().clone();
    let label = format!(
        "{} {}",
        row.cell(ColumnId::Bed).unwrap().text,
        row.cell(ColumnId::Name).unwrap().text
    );
    let chat = wardround::model::Conversation {
        subject: Some(row.patient.clone()),
        kind: wardround::model::ConversationKind::Patient,
        ..conversations()[0].clone()
    };
    update(&mut app, Action::ConversationsLoaded(Ok(vec![chat])));
    assert!(screen_text(&app, 120, 40).contains(&label));
    let mut other = rows();
    other.list.id = uuid::Uuid::from_u128(51);
    other.list.name = "Take".into();
    other.rows.retain(|r| r.patient != row.patient);
    update(&mut app, Action::RowsLoaded(Ok(other)));
    let after = screen_text(&app, 120, 40);
    assert!(after.contains(&label), "{after}");
    assert!(!after.contains("Patient demo-"), "{after}");
}

#[test]
fn another_list_opens_at_its_top() {
    let mut app = ward_app();
    for _ in 0..12 {
        update(&mut app, key(KeyCode::Char('j')));
    }
    assert_eq!(app.patients.selected, 12);
    // The same ward's patients on another list (a census of the same ward).
    let mut other = rows();
    other.list.id = uuid::Uuid::from_u128(52);
    update(&mut app, Action::RowsLoaded(Ok(other)));
    assert_eq!(app.patients.selected, 0);
    // Read again (an event), the same list keeps its place.
    for _ in 0..3 {
        update(&mut app, key(KeyCode::Char('j')));
    }
    let mut again = rows();
    again.list.id = uuid::Uuid::from_u128(52);
    update(&mut app, Action::RowsLoaded(Ok(again)));
    assert_eq!(app.patients.selected, 3);
}

#[test]
fn urgent_alert_appears_pulses_and_clears_on_read() {
    let mut app = ward_app();
    assert!(app.alert_active());
    let before = app.pulse_on;
    update(&mut app, Action::Pulse);
    assert_ne!(app.pulse_on, before, "a pulse flips the colour");
    update(&mut app, Action::Pulse);
    assert_eq!(app.pulse_on, before);

    let effects = update(&mut app, key(KeyCode::Char('u')));
    assert_eq!(app.focus, Pane::Chat);
    assert_eq!(app.chat.open, Some(DIRECT));
    assert!(!app.alert_active(), "shown in the focused chat: read");
    assert!(!app.pulse_on);
    assert!(
        effects.contains(&Effect::Mark {
            messages: vec![urgent().id],
            state: ReceiptState::Read
        }),
        "{effects:?}"
    );
    update(&mut app, Action::Pulse);
    assert!(!app.pulse_on, "no pulse once nothing waits");
}

#[test]
fn an_urgent_message_in_an_unfocused_terminal_is_not_read() {
    let mut app = ward_app();
    update(&mut app, Action::TerminalFocus(false));
    update(&mut app, key(KeyCode::Char('u')));
    assert!(app.alert_active(), "nobody is looking at the screen");
    let effects = update(&mut app, Action::TerminalFocus(true));
    assert!(!app.alert_active());
    assert!(matches!(
        effects.as_slice(),
        [Effect::Mark {
            state: ReceiptState::Read,
            ..
        }]
    ));
}

#[test]
fn an_urgent_arrival_is_marked_delivered_and_notified_without_patient_data() {
    let mut app = ward_app();
    update(&mut app, key(KeyCode::Char('u'))); // read the first one
    update(&mut app, key(KeyCode::Esc));
    let second = message(
        901,
        DIRECT,
        &registrar(),
        &[&nurse()],
        "4W-4B: NEWS2 now 9",
        Priority::Urgent,
        0,
    );
    let event = Event {
        cursor: 7,
        kind: EventKind::Message {
            message: second.clone(),
        },
    };
    let effects = update(&mut app, Action::Stream(StreamUpdate::Event(event)));
    assert!(effects.contains(&Effect::Mark {
        messages: vec![second.id],
        state: ReceiptState::Delivered
    }));
    let notes: Vec<&String> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Notify(t) => Some(t),
            _ => None,
        })
        .collect();
    assert_eq!(notes, vec!["Urgent message - 4 West"]);
    assert!(app.alert_active());
    assert!(app.pulse_on);
}

#[test]
fn a_sent_message_shows_sending_until_stored_then_takes_receipts() {
    let mut app = ward_app();
    update(&mut app, key(KeyCode::Char('u')));
    for c in "On my way".chars() {
        update(&mut app, key(KeyCode::Char(c)));
    }
    let effects = update(&mut app, key(KeyCode::Enter));
    let Some(Effect::Send {
        conversation,
        message,
    }) = effects
        .into_iter()
        .find(|e| matches!(e, Effect::Send { .. }))
    else {
        panic!("no send effect");
    };
    assert_eq!(conversation, DIRECT);
    assert_eq!(message.body, "On my way");
    assert!(app.chat.composer.is_empty());
    let mine = |app: &wardround::tui::app::App| {
        app.conversation(DIRECT)
            .unwrap()
            .messages
            .iter()
            .find(|m| m.message.id == message.id)
            .cloned()
            .unwrap()
    };
    assert_eq!(mine(&app).outbox, Outbox::Sending);

    let mut stored = common::message(
        0,
        DIRECT,
        &nurse(),
        &[&registrar()],
        "On my way",
        Priority::Normal,
        0,
    );
    stored.id = message.id;
    update(&mut app, Action::Sent(stored.clone()));
    assert_eq!(mine(&app).outbox, Outbox::Stored);
    for (cursor, state) in [(8, ReceiptState::Delivered), (9, ReceiptState::Read)] {
        let kind = EventKind::Receipt {
            message_id: stored.id,
            conversation_id: DIRECT,
            user_id: registrar().id,
            state,
            at: now(),
        };
        update(
            &mut app,
            Action::Stream(StreamUpdate::Event(Event { cursor, kind })),
        );
        assert_eq!(
            mine(&app).message.receipt_of(registrar().id).unwrap().state,
            state
        );
    }
}

#[test]
fn typing_q_in_the_chat_types_it_rather_than_quitting() {
    let mut app = ward_app();
    update(&mut app, key(KeyCode::Char('u')));
    update(&mut app, key(KeyCode::Char('q')));
    assert!(!app.quit);
    assert_eq!(app.chat.composer, "q");
    update(&mut app, key(KeyCode::Esc));
    // Out of the composer `q` quits, but asks first: a draft is typed.
    assert!(update(&mut app, key(KeyCode::Char('q'))).is_empty());
    assert!(!app.quit);
    let screen = screen_text(&app, 120, 40);
    assert!(
        screen.contains("A draft is typed. Quit anyway?"),
        "{screen}"
    );
    let effects = update(&mut app, key(KeyCode::Char('y')));
    assert!(app.quit);
    assert_eq!(effects, vec![Effect::Quit]);
}

#[test]
fn quitting_asks_first_while_an_urgent_message_waits_and_not_otherwise() {
    let mut app = ward_app();
    assert!(!app.urgent_waiting().is_empty());
    update(&mut app, key(KeyCode::Char('q')));
    assert!(!app.quit, "an urgent message waits");
    let screen = screen_text(&app, 120, 40);
    assert!(
        screen.contains("An urgent message waits unread. Quit anyway?"),
        "{screen}"
    );
    update(&mut app, key(KeyCode::Char('n')));
    assert!(!app.quit, "any key but y stays");
    // Read it (and the important post): nothing is left to lose.
    update(&mut app, key(KeyCode::Char('u')));
    update(&mut app, key(KeyCode::Esc));
    let effects = update(&mut app, key(KeyCode::Char('q')));
    assert!(app.quit);
    assert_eq!(effects, vec![Effect::Quit]);
}

#[test]
fn ctrl_c_quits_even_while_typing() {
    let mut app = ward_app();
    update(&mut app, key(KeyCode::Char('u')));
    update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert!(app.quit);
}

#[test]
fn hostile_text_is_stripped_where_it_enters() {
    let mut app = ward_app();
    let mut evil = message(
        902,
        CHANNEL,
        &charge(),
        &[&nurse(), &registrar()],
        "",
        Priority::Normal,
        0,
    );
    evil.body = "hi\u{1b}]0;owned\u{7}\u{1b}[2J\u{1b}]52;c;ZXZpbA==\u{7}\u{202e}there".into();
    evil.sender_name = "Sam\u{1b}[31m".into();
    update(
        &mut app,
        Action::Stream(StreamUpdate::Event(Event {
            cursor: 10,
            kind: EventKind::Message { message: evil },
        })),
    );
    let stored = &app
        .conversation(CHANNEL)
        .unwrap()
        .messages
        .last()
        .unwrap()
        .message;
    assert!(
        !stored.body.contains('\u{1b}') && !stored.body.contains('\u{202e}'),
        "{:?}",
        stored.body
    );
    assert!(!stored.sender_name.contains('\u{1b}'));
}

#[test]
fn a_second_sort_key_orders_ties_of_the_first() {
    let mut app = ward_app();
    focus_column(&mut app, ColumnId::News2);
    update(&mut app, key(KeyCode::Char('s')));
    update(&mut app, key(KeyCode::Char('s'))); // NEWS2 high first
    focus_column(&mut app, ColumnId::Age);
    update(&mut app, key(KeyCode::Char('S'))); // then age, youngest first
    assert_eq!(app.patients.sort.len(), 2);
    // (score, a floor rather than a score, age): a partial score (≥n) comes after the
    // complete ones of its value, and ties of both go by age.
    let rows: Vec<(f64, bool, f64)> = app
        .patients
        .visible()
        .filter_map(|r| {
            let cell = r.cell(ColumnId::News2)?;
            let n = match cell.value {
                Some(wardround::model::CellValue::Number(n)) => n,
                _ => return None,
            };
            let a = match r.cell(ColumnId::Age)?.value {
                Some(wardround::model::CellValue::Number(a)) => a,
                _ => return None,
            };
            Some((n, cell.text.starts_with('≥'), a))
        })
        .collect();
    for w in rows.windows(2) {
        let (a, b) = (w[0], w[1]);
        assert!(
            a.0 > b.0 || (a.0 == b.0 && (!a.1 && b.1 || (a.1 == b.1 && a.2 <= b.2))),
            "{w:?}"
        );
    }
    update(&mut app, key(KeyCode::Char('S'))); // again: age reverses
    assert!(app.patients.sort[1].descending);
}

#[test]
fn slash_filters_the_list_as_you_type_and_esc_clears_it() {
    let mut app = ward_app();
    let all = app.patients.len();
    update(&mut app, key(KeyCode::Char('/')));
    for c in "pneum".chars() {
        update(&mut app, key(KeyCode::Char(c)));
    }
    assert!(app.patients.filtering);
    assert!(!app.quit, "typing is not commands");
    let shown = app.patients.len();
    assert!(shown > 0 && shown < all, "{shown} of {all}");
    assert!(app.patients.visible().all(|r| r
        .cell(ColumnId::Reason)
        .unwrap()
        .text
        .to_lowercase()
        .contains("pneum")));
    update(&mut app, key(KeyCode::Enter));
    assert!(!app.patients.filtering);
    assert_eq!(app.patients.len(), shown, "Enter keeps the filter");
    update(&mut app, key(KeyCode::Char('j')));
    update(&mut app, key(KeyCode::Char('/')));
    update(&mut app, key(KeyCode::Esc));
    assert_eq!(app.patients.len(), all);
    assert!(app.patients.filter.is_empty());
}

#[test]
fn a_filter_matching_nothing_says_so_rather_than_crash() {
    let mut app = ward_app();
    update(&mut app, key(KeyCode::Char('/')));
    for c in "zzzz".chars() {
        update(&mut app, key(KeyCode::Char(c)));
    }
    assert_eq!(app.patients.len(), 0);
    update(&mut app, key(KeyCode::Enter));
    update(&mut app, key(KeyCode::Char('j')));
    update(&mut app, key(KeyCode::Char('G')));
    assert!(app.patients.selected_row().is_none());
}

#[test]
fn a_list_opens_with_the_columns_and_sort_the_config_gives_it() {
    let mut app = wardround::tui::app::App::new(nurse(), "4 West".into(), "http://x".into(), now());
    let prefs: wardround::config::ListPrefs = toml::from_str(
        "columns = [\"bed\", \"name\", \"news2\", \"obs:8867-4\"]\nsort = [\"news2:desc\", \"bed\"]",
    )
    .unwrap();
    app.list_prefs.insert("4 West — all beds".into(), prefs);
    update(&mut app, Action::RowsLoaded(Ok(rows())));
    assert_eq!(
        app.patients
            .columns
            .iter()
            .map(|c| c.id().into_owned())
            .collect::<Vec<_>>(),
        ["bed", "name", "news2", "obs:8867-4"]
    );
    let first = app.patients.visible().next().unwrap();
    let top = app.patients.visible().map(|r| {
        match r.cell(ColumnId::News2).and_then(|c| c.value.clone()) {
            Some(wardround::model::CellValue::Number(n)) => n,
            _ => -1.0,
        }
    });
    let top: Vec<f64> = top.collect();
    let max = top.iter().copied().fold(f64::MIN, f64::max);
    assert_eq!(top.first(), Some(&max), "highest NEWS2 first");
    assert!(first
        .cell(ColumnId::parse("obs:8867-4").unwrap())
        .is_some_and(|c| c.text.contains("beats/min")));
}

#[test]
fn enter_opens_the_patient_detail_and_walking_the_list_walks_it() {
    let mut app = ward_app();
    let first = app.patients.selected_row().unwrap().patient.clone();
    let effects = update(&mut app, key(KeyCode::Enter));
    assert_eq!(effects, vec![Effect::LoadDetail(first.clone())]);
    assert_eq!(app.detail.as_ref().unwrap().patient, first);
    let effects = update(&mut app, key(KeyCode::Char('j')));
    let second = app.patients.selected_row().unwrap().patient.clone();
    assert_eq!(effects, vec![Effect::LoadDetail(second.clone())]);
    // A late answer about the first patient is not shown as the second.
    let ward = wardround::demo::ward_source(now());
    let chart = ward.charts().find(|c| c.id == first).unwrap();
    let detail = wardround::fhir::detail::detail(chart, now());
    update(&mut app, Action::DetailLoaded(first, Ok(Box::new(detail))));
    assert!(app.detail.as_ref().unwrap().loaded.is_none());
    update(&mut app, key(KeyCode::Esc));
    assert!(app.detail.is_none());
}

#[test]
fn fetch_latest_asks_the_ehr_again_for_the_selected_patient_or_the_list() {
    let mut app = ward_app();
    app.patients.list_id = Some(uuid::Uuid::from_u128(50));
    let selected = app.patients.selected_row().unwrap().patient.clone();
    let effects = update(&mut app, key(KeyCode::Char('r')));
    assert!(
        matches!(&effects[..], [Effect::Refresh { patient: Some(p), .. }] if *p == selected),
        "{effects:?}"
    );
    let effects = update(&mut app, key(KeyCode::Char('R')));
    assert!(
        matches!(&effects[..], [Effect::Refresh { patient: None, .. }]),
        "{effects:?}"
    );
}

fn with_lists(app: &mut wardround::tui::app::App) -> (uuid::Uuid, uuid::Uuid) {
    let first = rows().list;
    let second = wardround::model::PatientList {
        id: uuid::Uuid::from_u128(51),
        name: "Take list".into(),
        patient_ids: vec![],
        ..first.clone()
    };
    update(
        app,
        Action::ListsLoaded(Ok(vec![first.clone(), second.clone()])),
    );
    update(app, Action::RowsLoaded(Ok(rows())));
    (first.id, second.id)
}

#[test]
fn brackets_switch_between_the_teams_lists() {
    let mut app = ward_app();
    let (first, second) = with_lists(&mut app);
    assert_eq!(app.patients.list_id, Some(first));
    let effects = update(&mut app, key(KeyCode::Char(']')));
    assert!(
        matches!(&effects[..], [Effect::LoadRows { list, .. }] if *list == second),
        "{effects:?}"
    );
    assert_eq!(app.patients.title, "Take list");
    let effects = update(&mut app, key(KeyCode::Char('[')));
    assert!(matches!(&effects[..], [Effect::LoadRows { list, .. }] if *list == first));
}

#[test]
fn a_change_to_the_list_in_view_by_anyone_reloads_it() {
    let mut app = ward_app();
    let (first, second) = with_lists(&mut app);
    let mut changed = rows().list;
    changed.patient_ids.pop();
    let event = |cursor, list| {
        Action::Stream(StreamUpdate::Event(Event {
            cursor,
            kind: EventKind::List { list },
        }))
    };
    let effects = update(&mut app, event(20, changed));
    assert!(
        matches!(&effects[..], [Effect::LoadRows { list, .. }] if *list == first),
        "{effects:?}"
    );
    let other = wardround::model::PatientList {
        id: second,
        name: "Take list (renamed)".into(),
        ..rows().list
    };
    assert!(
        update(&mut app, event(21, other)).is_empty(),
        "another list changing does not reload this one"
    );
    assert!(app.lists.iter().any(|l| l.name == "Take list (renamed)"));
    let gone = Action::Stream(StreamUpdate::Event(Event {
        cursor: 22,
        kind: EventKind::ListDeleted { list_id: first },
    }));
    let effects = update(&mut app, gone);
    assert!(matches!(&effects[..], [Effect::LoadRows { list, .. }] if *list == second));
    assert!(app.notice.as_deref().is_some_and(|n| n.contains("deleted")));
}

#[test]
fn a_patient_is_added_by_searching_the_ehr() {
    let mut app = ward_app();
    let (first, _) = with_lists(&mut app);
    update(&mut app, key(KeyCode::Char('a')));
    for c in "costa".chars() {
        update(&mut app, key(KeyCode::Char(c)));
    }
    assert!(!app.quit && matches!(app.overlay, Overlay::Search(_)));
    let effects = update(&mut app, key(KeyCode::Enter));
    assert_eq!(effects, vec![Effect::SearchPatients("costa".into())]);
    let found = |id: &str| wardround::model::PatientSummary {
        id: id.into(),
        name: "COSTA, Sean".into(),
        mrn: "3996478".into(),
        birth_date: "1940-01-01".into(),
        sex: "M".into(),
    };
    update(
        &mut app,
        Action::SearchResults("costa".into(), Ok(vec![found("demo-13"), found("demo-17")])),
    );
    update(&mut app, key(KeyCode::Down));
    let effects = update(&mut app, key(KeyCode::Enter));
    assert_eq!(
        effects,
        vec![Effect::AddPatient {
            list: first,
            patient: "demo-17".into(),
            name: "COSTA, Sean".into()
        }]
    );
    assert!(!matches!(app.overlay, Overlay::Search(_)));
    assert_eq!(
        app.notice.as_deref(),
        Some("Adding COSTA, Sean to the list…")
    );
    // Done: the notice says so rather than staying "Adding…".
    update(
        &mut app,
        Action::Done("Added COSTA, Sean to the list.".into()),
    );
    assert_eq!(
        app.notice.as_deref(),
        Some("Added COSTA, Sean to the list.")
    );
}

#[test]
fn removing_a_patient_asks_first() {
    let mut app = ward_app();
    let (first, _) = with_lists(&mut app);
    let patient = app.patients.selected_row().unwrap().patient.clone();
    update(&mut app, key(KeyCode::Char('x')));
    assert!(
        update(&mut app, key(KeyCode::Char('n'))).is_empty(),
        "anything but y keeps the patient"
    );
    update(&mut app, key(KeyCode::Char('x')));
    let effects = update(&mut app, key(KeyCode::Char('y')));
    assert_eq!(
        effects,
        vec![Effect::RemovePatient {
            list: first,
            patient
        }]
    );
}

#[test]
fn the_column_picker_hides_reorders_and_saves_for_this_user() {
    let mut app = ward_app();
    let (first, _) = with_lists(&mut app);
    update(&mut app, key(KeyCode::Char('c')));
    assert!(matches!(app.overlay, Overlay::Picker(_)));
    update(&mut app, key(KeyCode::Char('j'))); // name
    update(&mut app, key(KeyCode::Char('j'))); // mrn
    update(&mut app, key(KeyCode::Char(' '))); // hide MRN
    assert!(
        !app.patients.columns.contains(&ColumnId::Mrn),
        "hidden at once"
    );
    update(&mut app, key(KeyCode::Char('K'))); // move MRN's slot up: name now after it
    update(&mut app, key(KeyCode::Char('+')));
    let effects = update(&mut app, key(KeyCode::Enter));
    assert!(!matches!(app.overlay, Overlay::Picker(_)));
    let [Effect::SaveView {
        list,
        view,
        shared: false,
    }] = &effects[..]
    else {
        panic!("{effects:?}")
    };
    assert_eq!(*list, first);
    assert_eq!(view.columns, app.patients.columns);
    assert!(!view.columns.contains(&ColumnId::Mrn));
    assert!(view.widths.contains_key(&ColumnId::Mrn));
    let effects = update(&mut app, key(KeyCode::Char('s')));
    assert!(
        matches!(&effects[..], [Effect::SaveView { .. }]),
        "a sort is kept too"
    );
}

#[test]
fn a_saved_view_arranges_the_list_when_it_is_first_shown() {
    let mut app = ward_app();
    let mut rows = rows();
    rows.list.id = uuid::Uuid::from_u128(77);
    rows.view = Some(wardround::model::ListView {
        columns: vec![ColumnId::Bed, ColumnId::News2, ColumnId::Name],
        sort: vec![wardround::model::SortKey {
            column: ColumnId::News2,
            descending: true,
        }],
        widths: [(ColumnId::Name, 30)].into_iter().collect(),
    });
    update(&mut app, Action::RowsLoaded(Ok(rows.clone())));
    assert_eq!(
        app.patients.columns,
        vec![ColumnId::Bed, ColumnId::News2, ColumnId::Name]
    );
    assert!(app.patients.sort[0].descending);
    // A reload of the same list keeps what the user did since.
    update(&mut app, key(KeyCode::Char('s')));
    let sort = app.patients.sort.clone();
    update(&mut app, Action::RowsLoaded(Ok(rows)));
    assert_eq!(app.patients.sort, sort);
}

#[test]
fn lists_are_created_renamed_copied_and_deleted_from_the_keyboard() {
    let mut app = ward_app();
    let (first, _) = with_lists(&mut app);
    update(&mut app, key(KeyCode::Char('n')));
    for c in "Take".chars() {
        update(&mut app, key(KeyCode::Char(c)));
    }
    assert!(!app.quit, "typing a name is not commands");
    assert_eq!(
        update(&mut app, key(KeyCode::Enter)),
        vec![Effect::NewList("Take".into())]
    );

    update(&mut app, key(KeyCode::Char('e')));
    for _ in 0.."4 West — all beds".chars().count() {
        update(&mut app, key(KeyCode::Backspace));
    }
    for c in "Board".chars() {
        update(&mut app, key(KeyCode::Char(c)));
    }
    assert_eq!(
        update(&mut app, key(KeyCode::Enter)),
        vec![Effect::RenameList {
            list: first,
            name: "Board".into()
        }]
    );

    update(&mut app, key(KeyCode::Char('d')));
    assert_eq!(
        update(&mut app, key(KeyCode::Enter)),
        vec![Effect::DuplicateList {
            list: first,
            name: "4 West — all beds (copy)".into()
        }]
    );
    update(&mut app, key(KeyCode::Char('e')));
    assert!(
        update(&mut app, key(KeyCode::Esc)).is_empty(),
        "Esc cancels"
    );
    assert!(!matches!(app.overlay, Overlay::Prompt(_)));

    update(&mut app, key(KeyCode::Char('X')));
    assert_eq!(
        update(&mut app, key(KeyCode::Char('y'))),
        vec![Effect::DeleteList(first)]
    );

    let created = wardround::model::PatientList {
        id: uuid::Uuid::from_u128(99),
        name: "Take".into(),
        patient_ids: vec![],
        ..rows().list
    };
    let effects = update(&mut app, Action::ListCreated(created));
    assert!(
        matches!(&effects[..], [Effect::LoadRows { list, .. }] if list.as_u128() == 99),
        "a new list is shown"
    );
}

#[test]
fn a_message_goes_at_the_priority_chosen_and_the_next_at_normal() {
    use wardround::model::Priority;
    let mut app = ward_app();
    update(&mut app, key(KeyCode::Char('u')));
    update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::Char('p'), KeyModifiers::CONTROL)),
    );
    update(&mut app, key(KeyCode::F(3)));
    assert_eq!(app.chat.priority, Priority::Urgent);
    assert!(
        app.chat.composer.is_empty(),
        "choosing a priority types nothing"
    );
    for c in "Sats 86%".chars() {
        update(&mut app, key(KeyCode::Char(c)));
    }
    let effects = update(&mut app, key(KeyCode::Enter));
    let Some(Effect::Send { message, .. }) =
        effects.iter().find(|e| matches!(e, Effect::Send { .. }))
    else {
        panic!("{effects:?}")
    };
    assert_eq!(message.priority, Priority::Urgent);
    let shown = &app
        .conversation(DIRECT)
        .unwrap()
        .messages
        .last()
        .unwrap()
        .message;
    assert_eq!(shown.priority, Priority::Urgent);
    assert_eq!(app.chat.priority, Priority::Normal);
}

fn type_line(app: &mut wardround::tui::app::App, text: &str) -> Vec<Effect> {
    for c in text.chars() {
        update(app, key(KeyCode::Char(c)));
    }
    update(app, key(KeyCode::Enter))
}

/// `:password` asks for the current password, then the new one twice, shows only dots,
/// and sends one change once the two agree.
#[test]
fn password_asks_three_times_shows_dots_and_sends_once_the_two_agree() {
    let mut app = ward_app();
    update(&mut app, key(KeyCode::Char(':')));
    assert!(type_line(&mut app, "password").is_empty());
    assert!(type_line(&mut app, "old one-time pw").is_empty());
    assert!(type_line(&mut app, "my own ward password").is_empty());
    let screen = screen_text(&app, 80, 24);
    assert!(screen.contains("The new password again"), "{screen}");
    assert!(!screen.contains("old one-time"), "{screen}");
    assert!(!screen.contains("ward password"), "{screen}");
    // A mistyped repeat asks for the new one again.
    assert!(type_line(&mut app, "my own ward passwrd").is_empty());
    let screen = screen_text(&app, 80, 24);
    assert!(screen.contains("The two differ"), "{screen}");
    assert!(screen.contains("New password"), "{screen}");
    assert!(type_line(&mut app, "my own ward password").is_empty());
    let effects = type_line(&mut app, "my own ward password");
    assert_eq!(
        effects,
        vec![Effect::ChangePassword {
            current: "old one-time pw".into(),
            new: "my own ward password".into()
        }]
    );
    let screen = screen_text(&app, 80, 24);
    assert!(screen.contains("Changing your password"), "{screen}");
    // The rules refuse the new one: asked again, with the reason, not the current one.
    update(
        &mut app,
        Action::PasswordChanged(Err(wardround::client::ClientError::Rejected {
            status: 422,
            detail: "That password is among the 10,000 most common ones".into(),
        })),
    );
    let screen = screen_text(&app, 80, 24);
    assert!(screen.contains("New password"), "{screen}");
    assert!(screen.contains("most common"), "{screen}");
    assert!(type_line(&mut app, "a better ward password").is_empty());
    let effects = type_line(&mut app, "a better ward password");
    assert_eq!(
        effects,
        vec![Effect::ChangePassword {
            current: "old one-time pw".into(),
            new: "a better ward password".into()
        }]
    );
    update(&mut app, Action::PasswordChanged(Ok(())));
    assert!(
        !matches!(app.overlay, Overlay::Prompt(_)),
        "nothing of it is kept"
    );
    assert!(app
        .notice
        .as_deref()
        .unwrap_or("")
        .contains("Password changed"));
}

#[test]
fn cells_still_coming_from_the_ehr_are_read_again_when_they_arrive_and_the_title_says_so() {
    let mut app = ward_app();
    let mut rows = rows();
    let list = rows.list.id;
    let waiting = rows.rows[0].patient.clone();
    rows.rows[0] = wardround::fhir::columns::pending_row(&waiting, &[ColumnId::Name]);
    app.patients.list_id = Some(list);
    update(&mut app, Action::RowsLoaded(Ok(rows.clone())));
    let screen = screen_text(&app, 120, 30);
    assert!(screen.contains("1 still coming from the EHR"), "{screen}");
    let filled = |list_id| {
        Action::Stream(StreamUpdate::Event(Event {
            cursor: 90,
            kind: EventKind::ListFilled {
                list_id,
                patients: vec![waiting.clone()],
            },
        }))
    };
    // Another list's charts: nothing to read here.
    assert!(update(&mut app, filled(uuid::Uuid::new_v4())).is_empty());
    let effects = update(&mut app, filled(list));
    assert!(
        matches!(&effects[..], [Effect::LoadRows { list: l, .. }] if *l == list),
        "{effects:?}"
    );
    // More arriving while that read is out: one more read once it is back, not one each.
    assert!(update(&mut app, filled(list)).is_empty());
    assert!(update(&mut app, filled(list)).is_empty());
    let effects = update(&mut app, Action::RowsLoaded(Ok(rows.clone())));
    assert!(
        matches!(&effects[..], [Effect::LoadRows { list: l, .. }] if *l == list),
        "{effects:?}"
    );
    // Once nothing waits, a late event reads nothing again.
    let mut done = rows;
    done.rows[0].pending = false;
    update(&mut app, Action::RowsLoaded(Ok(done)));
    assert!(update(&mut app, filled(list)).is_empty());
    assert!(!screen_text(&app, 120, 30).contains("still coming"));
}

#[test]
fn fetch_latest_says_it_is_working_and_when_it_finished() {
    let mut app = ward_app();
    let mut rows = rows();
    app.patients.list_id = Some(rows.list.id);
    let effects = update(&mut app, key(KeyCode::Char('R')));
    assert!(
        matches!(&effects[..], [Effect::Refresh { patient: None, .. }]),
        "{effects:?}"
    );
    let notice = app.notice.clone().unwrap_or_default();
    assert!(
        notice.contains("Fetching the latest for the whole list"),
        "{notice}"
    );

    // Back with a chart still coming: still under way.
    let first = rows.rows[0].patient.clone();
    let complete = rows.rows[0].clone();
    rows.rows[0] = wardround::fhir::columns::pending_row(&first, &[ColumnId::Name]);
    update(&mut app, Action::RowsLoaded(Ok(rows.clone())));
    assert_eq!(app.notice.as_deref(), Some(notice.as_str()));

    rows.rows[0] = complete;
    update(&mut app, Action::RowsLoaded(Ok(rows.clone())));
    let done = app.notice.clone().unwrap_or_default();
    assert!(
        done.starts_with("Fetched the latest for the whole list from the EHR at "),
        "{done}"
    );

    // One patient, and a failure: said, and not shown as under way any more.
    update(&mut app, key(KeyCode::Char('r')));
    assert!(app.patients.fetching.is_some());
    update(
        &mut app,
        Action::FetchFailed("Fetch latest failed: timed out".into()),
    );
    assert!(app.patients.fetching.is_none());
    update(&mut app, Action::RowsLoaded(Ok(rows)));
    assert_eq!(
        app.notice.as_deref(),
        Some("Fetch latest failed: timed out")
    );
}

/// The effect as the app runs it, against a real server: adding says it is done.
#[tokio::test]
async fn adding_a_patient_says_when_it_is_done_or_why_not() {
    let dir = tempfile::tempdir().unwrap();
    let (server, ward) = demo_ward_server(dir.path().join("w.sqlite")).await;
    let d = &server.domain;
    let nurse = d
        .create_user("nurse", "Alex Morgan", "RN", PASSWORD)
        .await
        .unwrap();
    let team = d.create_team("4 West", &[nurse.id]).await.unwrap();
    let list = d.create_list(team.id, "Take", vec![]).await.unwrap();
    let client = wardround::client::ApiClient::new(&server.url())
        .unwrap()
        .login("nurse", PASSWORD)
        .await
        .unwrap()
        .0;
    let (tx, mut actions) = tokio::sync::mpsc::unbounded_channel();
    let mut effects = wardround::tui::runtime::Effects::new(client, tx, Vec::new());
    let patient = ward.patient_ids()[0].clone();
    for (id, said) in [
        (patient.as_str(), "Added COSTA, Sean to the list."),
        ("no-such-patient", "COSTA, Sean not added: "),
    ] {
        effects.run(Effect::AddPatient {
            list: list.id,
            patient: id.into(),
            name: "COSTA, Sean".into(),
        });
        let action = tokio::time::timeout(std::time::Duration::from_secs(10), actions.recv())
            .await
            .unwrap()
            .unwrap();
        match action {
            Action::Done(text) | Action::Failed(text) => {
                assert!(text.starts_with(said), "{text}")
            }
            other => panic!("{other:?}"),
        }
    }
}

/// High contrast and NO_COLOR mark urgency with a background or reverse video: only a
/// conversation with an urgent message waiting may carry it.
#[test]
fn only_a_waiting_urgent_conversation_looks_urgent_in_every_theme() {
    use ratatui::style::{Color, Modifier};
    let app = ward_app();
    let high_contrast = wardround::tui::theme::Theme::load("high-contrast", None).unwrap();
    for theme in [
        high_contrast.clone(),
        high_contrast.without_color(),
        wardround::tui::theme::Theme::default().without_color(),
    ] {
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
        terminal
            .draw(|f| wardround::tui::view::draw(f, &app, &theme))
            .unwrap();
        let buffer = terminal.backend().buffer();
        let marker_of = |label: &str| {
            (0..40u16).find_map(|y| {
                let line: String = (0..120u16).map(|x| buffer[(x, y)].symbol()).collect();
                let at = line.find(label)?;
                let x = line[..at].chars().count() as u16;
                // The marker is the cell before the sigil.
                Some(buffer[(x - 1, y)].clone())
            })
        };
        let calm = marker_of("# 4 West").expect("the ward channel is listed");
        assert!(
            calm.bg == Color::Reset && !calm.modifier.contains(Modifier::REVERSED),
            "nothing waits in the channel: {calm:?}"
        );
        let urgent = marker_of("@ Dr Priya Shah").expect("the urgent 1:1 is listed");
        assert_eq!(urgent.symbol(), "‼");
    }
}

/// The list pane's rows as drawn at `width`×`height`: the lines between its header and
/// its bottom border.
fn list_lines(app: &wardround::tui::app::App, width: u16, height: u16) -> Vec<String> {
    let screen = screen_text(app, width, height);
    let lines: Vec<String> = screen.lines().map(str::to_string).collect();
    let header = lines.iter().position(|l| l.contains("Bed▲ ")).unwrap();
    let bottom = lines
        .iter()
        .skip(header)
        .position(|l| l.starts_with('┗') || l.starts_with('└'))
        .unwrap()
        + header;
    lines[header + 1..bottom].to_vec()
}

#[test]
fn the_list_scrolls_a_row_at_a_time_and_its_end_fills_the_pane() {
    let mut app = ward_app();
    let (w, h) = (120, 40);
    let first = list_lines(&app, w, h);
    let page = first.len();
    assert!(page > 5 && page < app.patients.len(), "{page}");
    // Down to two rows short of the bottom: nothing moves.
    for _ in 0..page - 3 {
        update(&mut app, key(KeyCode::Char('j')));
        list_lines(&app, w, h);
    }
    assert_eq!(list_lines(&app, w, h)[0], first[0]);
    // One more: the view moves one row, not a page.
    update(&mut app, key(KeyCode::Char('j')));
    let moved = list_lines(&app, w, h);
    assert_eq!(moved[0], first[1], "one row up");
    // G: the last rows fill the pane, no blank lines below them.
    update(&mut app, key(KeyCode::Char('G')));
    let end = list_lines(&app, w, h);
    assert!(
        end.iter().all(|l| !l
            .trim_matches(|c| c == '┃' || c == '│' || c == ' ')
            .is_empty()),
        "{end:#?}"
    );
    // A page key moves what was drawn, less one row of context.
    update(&mut app, key(KeyCode::Char('g')));
    list_lines(&app, w, h);
    update(&mut app, key(KeyCode::PageDown));
    assert_eq!(app.patients.selected, page - 1);
}

#[test]
fn fetching_the_latest_reloads_the_open_detail() {
    let mut app = ward_app();
    let rows = rows();
    app.patients.list_id = Some(rows.list.id);
    let effects = update(&mut app, key(KeyCode::Enter));
    let Some(Effect::LoadDetail(patient)) = effects.first().cloned() else {
        panic!("{effects:?}");
    };
    update(&mut app, key(KeyCode::Char('r')));
    let effects = update(&mut app, Action::RowsLoaded(Ok(rows)));
    assert!(
        effects.contains(&Effect::LoadDetail(patient)),
        "the detail reads what was fetched: {effects:?}"
    );
}

/// The alert bar's age moves on while shown, ten seconds at a time: the clock asks for a
/// redraw exactly when what the bar reads changes.
#[test]
fn the_alert_bars_age_moves_on_while_it_is_shown() {
    use wardround::tui::{redraw_needed, ClockShown};
    let mut app = ward_app();
    let sent = urgent().sent_at;
    let bar = |app: &wardround::tui::app::App| {
        screen_text(app, 120, 40)
            .lines()
            .next()
            .unwrap()
            .to_string()
    };
    app.now = sent + chrono::Duration::seconds(42);
    let shown = ClockShown::of(&app);
    assert!(bar(&app).contains("40s ago"), "{}", bar(&app));
    app.now = sent + chrono::Duration::seconds(49);
    assert!(!redraw_needed(true, &app, shown, false), "still 40s ago");
    app.now = sent + chrono::Duration::seconds(50);
    assert!(redraw_needed(true, &app, shown, false), "now 50s ago");
    assert!(bar(&app).contains("50s ago"), "{}", bar(&app));
    app.now = sent + chrono::Duration::seconds(61);
    assert!(bar(&app).contains("1m ago"), "{}", bar(&app));
}

#[test]
fn q_closes_the_patient_detail_before_it_quits() {
    let mut app = ward_app();
    update(&mut app, key(KeyCode::Enter));
    assert!(app.detail.is_some());
    update(&mut app, key(KeyCode::Char('q')));
    assert!(app.detail.is_none(), "one level closed");
    assert!(!app.quit && app.confirm.is_none());
    // At the top level `q` quits, asking first while an urgent message waits.
    update(&mut app, key(KeyCode::Char('q')));
    assert!(matches!(
        app.confirm,
        Some(wardround::tui::app::Confirm::Quit { urgent: 1, .. })
    ));
}

/// Enter in the new-chat picker acts on the answer to what was typed, never on the list
/// an earlier query left on screen.
#[test]
fn a_chat_is_not_started_from_an_answer_to_an_earlier_query() {
    let mut app = ward_app();
    update(&mut app, key(KeyCode::Char('N')));
    let everyone = wardround::model::Directory::default();
    update(
        &mut app,
        Action::DirectoryResults(String::new(), Ok(everyone)),
    );
    for c in "jamal".chars() {
        update(&mut app, key(KeyCode::Char(c)));
    }
    let effects = update(&mut app, key(KeyCode::Enter));
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(
        app.notice.as_deref(),
        Some("Still searching the directory: a moment.")
    );
}

/// However narrow the terminal, the footer keeps `? help` and `q quit`, and gives up
/// whole hints, never half of one.
#[test]
fn the_footer_keeps_help_and_quit_at_any_width() {
    let app = ward_app();
    for width in [60, 80, 120, 200] {
        let screen = screen_text(&app, width, 24);
        let footer = screen.lines().last().unwrap();
        assert!(
            footer.contains("? help") && footer.contains("q quit"),
            "{width}: {footer}"
        );
    }
    let narrow = screen_text(&app, 80, 24);
    let footer = narrow.lines().last().unwrap();
    let hints = footer.split('│').nth(2).unwrap().trim();
    assert!(hints.ends_with("? help  q quit"), "{footer}");
    for hint in hints.split("  ") {
        assert_eq!(
            hint.split(' ').count(),
            2,
            "a whole hint: {hint:?} in {footer}"
        );
    }
}

#[test]
fn columns_that_do_not_fit_are_said_and_reached_sideways() {
    let mut app = ward_app();
    let all = app.patients.columns.len();
    let wide = screen_text(&app, 200, 40);
    assert!(!wide.contains("columns ›"), "all fit at 200");
    let narrow = screen_text(&app, 80, 24);
    let title = narrow.lines().nth(1).unwrap();
    assert!(title.contains("columns ›"), "{title}");
    // l walks the focus onto a column that was hidden: it comes into view.
    let hidden = app.patients.columns[all - 1];
    for _ in 0..all {
        update(&mut app, key(KeyCode::Char('l')));
    }
    assert_eq!(app.patients.focused_column(), Some(hidden));
    let moved = screen_text(&app, 80, 24);
    assert!(moved.contains(hidden.header().as_ref()), "{moved}");
}

#[test]
fn slash_starts_a_new_filter_and_esc_on_the_list_clears_it() {
    let mut app = ward_app();
    let all = app.patients.len();
    update(&mut app, key(KeyCode::Char('/')));
    for c in "fra".chars() {
        update(&mut app, key(KeyCode::Char(c)));
    }
    update(&mut app, key(KeyCode::Enter));
    let some = app.patients.len();
    assert!(some < all);
    update(&mut app, key(KeyCode::Char('/')));
    assert_eq!(app.patients.filter, "", "a new filter, not more of the old");
    update(&mut app, key(KeyCode::Char('c')));
    update(&mut app, key(KeyCode::Enter));
    update(&mut app, key(KeyCode::Esc));
    assert_eq!(app.patients.filter, "");
    assert_eq!(
        app.patients.len(),
        all,
        "Esc on the list cleared the filter"
    );
}

#[test]
fn next_list_with_only_one_says_so() {
    let mut app = ward_app();
    app.lists = vec![rows().list];
    app.patients.list_id = Some(rows().list.id);
    let effects = update(&mut app, key(KeyCode::Char(']')));
    assert!(effects.is_empty());
    assert_eq!(
        app.notice.as_deref(),
        Some("This is your teams' only list: n makes another.")
    );
}
