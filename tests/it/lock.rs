//! The lock screen of a shared workstation, through the app's pure `update`: idle and key
//! locking, a screen with no patient data, unlocking, and logging out after wrong
//! passwords with nothing of the user left behind.

use crate::common;

use chrono::Duration;
use common::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use wardround::client::ClientError;
use wardround::model::{ColumnId, EffectivePolicy, MessagingPolicy, PolicySettings};
use wardround::tui::action::{Action, Effect};
use wardround::tui::app::{App, Confirm, Overlay};
use wardround::tui::update::{key, update};

fn ctrl(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn screen(app: &App) -> String {
    screen_text(app, 120, 40)
}

/// Every patient name and MRN the ward app holds.
fn patient_data(app: &App) -> Vec<String> {
    app.patients
        .loaded
        .iter()
        .flat_map(|r| [r.cell(ColumnId::Name), r.cell(ColumnId::Mrn)])
        .flatten()
        .map(|c| c.text.clone())
        .filter(|t| t.len() > 3)
        .collect()
}

fn tick_at(app: &mut App, seconds_idle: i64) {
    app.now = app.last_input + Duration::seconds(seconds_idle);
    update(app, Action::Tick);
}

fn wrong() -> Action {
    Action::Unlocked(Err(ClientError::Rejected {
        status: 401,
        detail: "Wrong username or password.".into(),
    }))
}

#[test]
fn idle_for_the_configured_time_locks_a_screen_with_no_patient_data() {
    let mut app = ward_app();
    app.lock_idle_secs = 300;
    let names = patient_data(&app);
    assert!(names.len() > 20);
    let before = screen(&app);
    assert!(
        names.iter().any(|n| before.contains(n.as_str())),
        "names are on screen before"
    );

    tick_at(&mut app, 299);
    assert!(!app.locked());
    app.now = app.last_input + Duration::seconds(300);
    let effects = update(&mut app, Action::Tick);
    assert!(app.locked());
    assert_eq!(
        effects,
        vec![Effect::ReportLock { idle: true }],
        "the audit log hears of it"
    );

    let locked = screen(&app);
    for n in &names {
        assert!(
            !locked.contains(n.as_str()),
            "{n} on the lock screen:\n{locked}"
        );
    }
    assert!(!locked.contains("NEWS2"), "{locked}");
    assert!(!locked.contains("bleep 4417"), "no message text:\n{locked}");
    assert!(locked.contains("Alex Morgan (RN)"), "{locked}");
    assert!(locked.contains("Locked · 4 West"), "{locked}");
    assert!(locked.contains("‼ 1 urgent message waiting"), "{locked}");
    assert!(locked.contains("09:35"), "the time:\n{locked}");
    assert!(
        locked.contains("Enter unlock · F10 switch user"),
        "its keys, from the keymap:\n{locked}"
    );
    insta::assert_snapshot!(locked
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n"));
}

#[test]
fn a_policy_may_lock_sooner_never_later() {
    let mut app = ward_app();
    app.lock_idle_secs = 300;
    let policy = |secs| EffectivePolicy {
        policy: MessagingPolicy {
            name: "shared".into(),
            settings: PolicySettings {
                lock_idle_secs: Some(secs),
                ..Default::default()
            },
        },
        source: "team".into(),
        read_receipts_active: true,
        read_receipts_adjustable: true,
    };
    update(&mut app, Action::PolicyLoaded(Ok(policy(60))));
    assert_eq!(app.idle_limit(), Some(60));
    tick_at(&mut app, 60);
    assert!(app.locked());
    update(&mut app, Action::Unlocked(Ok(())));
    update(&mut app, Action::PolicyLoaded(Ok(policy(900))));
    assert_eq!(
        app.idle_limit(),
        Some(300),
        "the workstation's own limit stands"
    );
}

#[test]
fn ctrl_l_locks_at_once_and_then_keys_go_only_to_the_password() {
    let mut app = ward_app();
    update(&mut app, key(KeyCode::Char('u')));
    let effects = update(&mut app, ctrl('l'));
    assert!(app.locked());
    assert_eq!(effects, vec![Effect::ReportLock { idle: false }]);
    for c in "q?u".chars() {
        update(&mut app, key(KeyCode::Char(c)));
    }
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, ctrl('c'));
    assert!(!app.quit, "Ctrl-C does not end someone else's session");
    assert!(!matches!(app.overlay, Overlay::Help { .. }));
    update(&mut app, key(KeyCode::Backspace));
    assert!(screen(&app).contains("Password: ••▏"));
    let effects = update(&mut app, key(KeyCode::Enter));
    assert_eq!(effects, vec![Effect::Unlock("q?".into())]);
    assert!(screen(&app).contains("Checking…"));

    update(&mut app, Action::Unlocked(Ok(())));
    assert!(!app.locked());
    assert!(app.chat.open.is_some(), "back where they were");
    assert!(!patient_data(&app).is_empty());
}

#[test]
fn the_demos_lock_screen_says_its_password() {
    let mut app = ward_app();
    update(&mut app, ctrl('l'));
    assert!(!screen(&app).contains("This is the demo"));
    let password = "5e1f0c9a77d3b2e1c4f8a6b09d2e7f13";
    app.demo_password = Some(password.into());
    let shown = screen(&app);
    assert!(shown.contains("This is the demo. Its password:"), "{shown}");
    assert!(
        shown.lines().any(|l| l.contains(password)),
        "the whole password, on a line of its own:\n{shown}"
    );
    let narrow = screen_text(&app, 80, 24);
    assert!(narrow.contains(password), "{narrow}");
    for c in password.chars() {
        update(&mut app, key(KeyCode::Char(c)));
    }
    let effects = update(&mut app, key(KeyCode::Enter));
    assert_eq!(effects, vec![Effect::Unlock(password.into())]);
}

#[test]
fn the_lock_key_locks_over_a_question_help_and_diagnostics_and_the_password_runs_nothing() {
    let mut app = ward_app();
    // `X` on a list asks this; whatever key answers it is "no" but `y`.
    app.confirm = Some(Confirm::DeleteList {
        list: uuid::Uuid::nil(),
        name: "4 West".into(),
    });
    update(&mut app, ctrl('l'));
    assert!(app.locked(), "the lock key is not the question's answer");
    assert!(
        app.confirm.is_none(),
        "the question is dropped, not kept for later"
    );
    let typed: Vec<Effect> = "serename"
        .chars()
        .flat_map(|c| update(&mut app, key(KeyCode::Char(c))))
        .collect();
    assert!(
        typed.is_empty(),
        "the password typed ran as no command: {typed:?}"
    );
    update(&mut app, Action::Unlocked(Ok(())));
    assert!(
        matches!(app.overlay, Overlay::None),
        "no rename prompt opened by its `e`"
    );

    update(&mut app, key(KeyCode::Char('?')));
    update(&mut app, ctrl('l'));
    assert!(app.locked(), "from help");
    update(&mut app, Action::Unlocked(Ok(())));
    update(&mut app, key(KeyCode::Char(':')));
    for c in "diag".chars() {
        update(&mut app, key(KeyCode::Char(c)));
    }
    update(&mut app, key(KeyCode::Enter));
    assert!(matches!(app.overlay, Overlay::Diagnostics(_)));
    update(&mut app, key(KeyCode::F(12)));
    assert!(app.locked(), "from diagnostics");
}

#[test]
fn the_lock_covers_what_is_open_and_gives_it_back_with_what_arrived_meanwhile() {
    let mut app = ward_app();
    update(&mut app, Action::ListsLoaded(Ok(vec![rows().list])));
    update(&mut app, key(KeyCode::Char('a')));
    for c in "costa".chars() {
        update(&mut app, key(KeyCode::Char(c)));
    }
    update(&mut app, key(KeyCode::Enter));
    update(&mut app, ctrl('l'));
    assert!(app.locked(), "the lock wins over the open search");
    let found = wardround::model::PatientSummary {
        id: "demo-13".into(),
        name: "COSTA, Sean".into(),
        mrn: "3996478".into(),
        birth_date: "1940-01-01".into(),
        sex: "M".into(),
    };
    update(
        &mut app,
        Action::SearchResults("costa".into(), Ok(vec![found])),
    );
    assert!(
        !screen(&app).contains("COSTA"),
        "nothing of it shows while locked"
    );

    update(&mut app, Action::Unlocked(Ok(())));
    let Overlay::Search(search) = &app.overlay else {
        panic!("the search is back: {:?}", app.overlay);
    };
    assert_eq!(search.query, "costa");
    assert!(matches!(&search.results, Some(Ok(found)) if found.len() == 1));
}

#[test]
fn help_is_closed_not_kept_by_the_lock() {
    let mut app = ward_app();
    app.lock_idle_secs = 300;
    update(&mut app, key(KeyCode::Char('?')));
    assert!(matches!(app.overlay, Overlay::Help { .. }));
    tick_at(&mut app, 300);
    assert!(app.locked());
    update(&mut app, Action::Unlocked(Ok(())));
    assert!(matches!(app.overlay, Overlay::None));
}

#[test]
fn nothing_is_read_behind_the_lock() {
    let mut app = ward_app();
    update(&mut app, ctrl('l'));
    let effects = update(&mut app, key(KeyCode::Char('u')));
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Mark { .. })),
        "{effects:?}"
    );
    assert!(app.alert_active());
}

#[test]
fn nothing_is_read_behind_the_column_picker_and_the_jump_key_shows_the_message() {
    let mut app = ward_app();
    app.overlay = Overlay::Picker(Default::default());
    app.focus = wardround::tui::app::Pane::Chat;
    app.chat.open = Some(DIRECT);
    let effects = update(&mut app, Action::Tick);
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Mark { .. })),
        "the picker covers the chat: {effects:?}"
    );
    assert!(app.alert_active());
    let effects = update(&mut app, key(KeyCode::Char('u')));
    assert!(
        matches!(app.overlay, Overlay::None),
        "the jump closes the picker"
    );
    assert!(
        effects.iter().any(|e| matches!(e, Effect::Mark { .. })),
        "and the message it shows is read: {effects:?}"
    );
}

#[test]
fn three_wrong_passwords_log_out_and_leave_no_patient_data_in_the_app() {
    let mut app = ward_app();
    update(&mut app, key(KeyCode::Char('u')));
    update(&mut app, ctrl('l'));
    update(&mut app, wrong());
    assert!(screen(&app).contains("Wrong password; 2 more and this session is logged out."));
    update(&mut app, wrong());
    assert!(!app.quit);
    update(&mut app, wrong());
    assert!(app.quit && app.switch_user);
    assert_no_patient_data(&app);
}

#[test]
fn switch_user_logs_out_and_forgets_everything() {
    let mut app = ward_app();
    update(&mut app, key(KeyCode::Enter)); // the detail of a patient
    update(&mut app, ctrl('l'));
    update(&mut app, key(KeyCode::F(10)));
    assert!(app.quit && app.switch_user);
    assert_no_patient_data(&app);
}

#[test]
fn switching_user_with_a_message_still_sending_warns_once_first() {
    let mut app = ward_app();
    update(&mut app, key(KeyCode::Char('u')));
    for c in "on my way".chars() {
        update(&mut app, key(KeyCode::Char(c)));
    }
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(app.unsent(), 1, "sent, not yet stored");
    update(&mut app, ctrl('l'));
    update(&mut app, key(KeyCode::F(10)));
    assert!(!app.quit, "not at the first F10");
    assert!(
        screen(&app).contains("1 unsent message would be lost: F10 again"),
        "{}",
        screen(&app)
    );
    update(&mut app, key(KeyCode::F(10)));
    assert!(app.quit && app.switch_user, "the second F10 logs out");
    assert_no_patient_data(&app);
}

fn assert_no_patient_data(app: &App) {
    assert!(app.patients.loaded.is_empty());
    assert!(app.patients.view.is_empty());
    assert!(app.conversations.is_empty());
    assert!(app.lists.is_empty());
    assert!(app.detail.is_none());
    assert!(matches!(app.overlay, Overlay::None));
    assert!(app.chat.composer.is_empty());
    assert!(app.unanswered.is_empty());
    assert!(app.chat.open.is_none());
    assert!(!app.locked());
    assert!(patient_data(app).is_empty());
}
