//! Tab on the `:` line completes the command, then its argument: colleagues and roles
//! from the directory, states and times.

use crate::common;

use common::*;
use crossterm::event::KeyCode;
use uuid::Uuid;
use wardround::model::{Directory, Person, Presence, RoleInfo};
use wardround::tui::action::{Action, Effect};
use wardround::tui::app::{App, Overlay};
use wardround::tui::update::{key, update};

fn person(n: u128, username: &str, name: &str) -> Person {
    Person {
        id: Uuid::from_u128(n),
        username: username.into(),
        display_name: name.into(),
        role: "Registrar".into(),
        teams: vec!["4 West".into()],
        presence: Presence::default(),
        roles: Vec::new(),
        instead: Vec::new(),
    }
}

fn directory() -> Directory {
    Directory {
        people: vec![
            person(2, "pshah", "Dr Priya Shah"),
            person(5, "treid", "Dr Tom Reid"),
            person(6, "tomo", "Tomasz Nowak"),
        ],
        roles: vec![RoleInfo {
            id: Uuid::from_u128(70),
            name: "Medical registrar on call".into(),
            team: "4 West".into(),
            holders: Vec::new(),
            fallback: None,
        }],
    }
}

fn line(app: &App) -> String {
    match &app.overlay {
        Overlay::CommandLine(state) => state.line.as_str().to_string(),
        other => panic!("the : line closed: {other:?}"),
    }
}

/// `:` then `text`, the directory's first page answered.
fn command_line(text: &str) -> App {
    let mut app = ward_app();
    let effects = update(&mut app, key(KeyCode::Char(':')));
    assert_eq!(effects, [Effect::SearchDirectory(String::new())]);
    update(
        &mut app,
        Action::DirectoryResults(String::new(), Ok(directory())),
    );
    for c in text.chars() {
        update(&mut app, key(KeyCode::Char(c)));
    }
    app
}

#[test]
fn tab_completes_a_command_and_goes_on_to_its_argument() {
    let mut app = command_line("fol");
    update(&mut app, key(KeyCode::Tab));
    assert_eq!(
        line(&app),
        "follow ",
        "a command that takes a name: a space after"
    );
    for c in "pri".chars() {
        update(&mut app, key(KeyCode::Char(c)));
    }
    update(&mut app, key(KeyCode::Tab));
    assert_eq!(line(&app), "follow Dr Priya Shah");
    let effects = update(&mut app, key(KeyCode::Enter));
    assert_eq!(effects, [Effect::Follow("Dr Priya Shah".into())]);
}

#[test]
fn several_completions_fill_in_what_they_share_and_tab_goes_through_them() {
    let mut app = command_line("follow tom");
    update(&mut app, key(KeyCode::Tab));
    assert_eq!(
        line(&app),
        "follow tom",
        "Dr Tom Reid and Tomasz share no start"
    );
    let screen = screen_text(&app, 80, 24);
    assert!(
        screen.contains("Dr Tom Reid (treid)") && screen.contains("Tomasz Nowak (tomo)"),
        "{screen}"
    );
    update(&mut app, key(KeyCode::Tab));
    assert_eq!(line(&app), "follow Dr Tom Reid");
    insta::assert_snapshot!(
        "completions_above_the_command_line",
        screen_text(&app, 80, 24)
    );
    update(&mut app, key(KeyCode::Tab));
    assert_eq!(line(&app), "follow Tomasz Nowak");
    update(&mut app, key(KeyCode::Tab));
    assert_eq!(line(&app), "follow Dr Tom Reid", "round again");
    update(&mut app, key(KeyCode::BackTab));
    assert_eq!(line(&app), "follow Tomasz Nowak");
    // Typing ends the round: the choices go.
    update(&mut app, key(KeyCode::Backspace));
    let screen = screen_text(&app, 80, 24);
    assert!(!screen.contains("(treid)"), "{screen}");

    let mut app = command_line("h");
    update(&mut app, key(KeyCode::Tab));
    assert_eq!(line(&app), "h", ":hand and :help");
    update(&mut app, key(KeyCode::Tab));
    assert_eq!(line(&app), "hand ", "a space: a name follows");
}

#[test]
fn statuses_times_and_roles_complete() {
    let mut app = command_line("sta");
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, key(KeyCode::Char('d')));
    update(&mut app, key(KeyCode::Tab));
    assert_eq!(line(&app), "status dnd ");
    update(&mut app, key(KeyCode::Char('3')));
    update(&mut app, key(KeyCode::Tab));
    assert_eq!(line(&app), "status dnd 30m");

    let mut app = command_line("oncall t");
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, key(KeyCode::Char('m')));
    update(&mut app, key(KeyCode::Tab));
    assert_eq!(line(&app), "oncall take Medical registrar on call");
    let effects = update(&mut app, key(KeyCode::Enter));
    assert!(
        matches!(&effects[..], [Effect::OnCall(wardround::model::OnCall::Take { role })] if role == "Medical registrar on call"),
        "{effects:?}"
    );
}

#[test]
fn a_name_this_session_has_not_heard_of_is_asked_of_the_directory() {
    let mut app = command_line("follow sam");
    let effects = update(&mut app, key(KeyCode::Tab));
    assert_eq!(effects, [Effect::SearchDirectory("sam".into())]);
    let mut found = directory();
    found.people = vec![person(9, "sokafor", "Sam Okafor")];
    update(
        &mut app,
        Action::DirectoryResults("sam".into(), Ok(found.clone())),
    );
    assert_eq!(
        line(&app),
        "follow Sam Okafor",
        "completed when the answer came"
    );

    // Typed on meanwhile: the answer teaches the name but leaves the line alone.
    let mut app = command_line("follow sam");
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, key(KeyCode::Char('x')));
    update(&mut app, Action::DirectoryResults("sam".into(), Ok(found)));
    assert_eq!(line(&app), "follow samx");
}

#[test]
fn the_directory_is_asked_once_a_session_for_names() {
    let mut app = command_line("");
    update(&mut app, key(KeyCode::Esc));
    let effects = update(&mut app, key(KeyCode::Char(':')));
    assert!(effects.is_empty(), "{effects:?}");
}

#[test]
fn at_eighty_columns_the_completion_chosen_is_always_on_screen() {
    let mut app = command_line("");
    for press in 0..16 {
        update(&mut app, key(KeyCode::Tab));
        let chosen = line(&app);
        let screen = screen_text(&app, 80, 24);
        let strip = screen.lines().rev().nth(1).unwrap();
        if press > 0 {
            assert!(
                strip.contains(&format!(":{}", chosen.trim_end())),
                "press {press}: {chosen:?} not in {strip:?}"
            );
        }
    }
}

#[test]
fn tab_says_so_when_nothing_completes() {
    let mut app = command_line("frobnicate");
    update(&mut app, key(KeyCode::Tab));
    let screen = screen_text(&app, 80, 24);
    assert!(screen.contains("Nothing completes that."), "{screen}");
    update(&mut app, key(KeyCode::Backspace));
    assert!(!screen_text(&app, 80, 24).contains("Nothing completes"));
}
