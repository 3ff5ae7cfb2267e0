//! `L`: every list of every team I am in, with its count and what keeps it; typing
//! narrows, Enter shows one.

use crate::common;

use std::collections::BTreeMap;

use common::*;
use crossterm::event::KeyCode;
use uuid::Uuid;
use wardround::model::{EntryMark, ListSource, PatientList, Team};
use wardround::tui::action::{Action, Effect};
use wardround::tui::app::{App, Overlay};
use wardround::tui::update::{key, update};

const WEST: Uuid = Uuid::from_u128(0x4e);
const RENAL: Uuid = Uuid::from_u128(0x7e);

fn list(n: u128, team: Uuid, name: &str, patients: usize) -> PatientList {
    PatientList {
        id: Uuid::from_u128(n),
        team_id: team,
        name: name.into(),
        patient_ids: (0..patients).map(|i| format!("p{i}")).collect(),
        source: None,
        marks: BTreeMap::new(),
    }
}

/// The ward app in two teams with four lists, the first shown.
fn app_with_lists() -> App {
    let mut app = ward_app();
    app.teams = vec![
        Team {
            id: WEST,
            name: "4 West".into(),
        },
        Team {
            id: RENAL,
            name: "Renal".into(),
        },
    ];
    let mut census = list(1, WEST, "4 West — all beds", 30);
    census.source = Some(ListSource::Census {
        location: "4 West".into(),
        location_id: "Location/4w".into(),
        location_name: "4 West".into(),
    });
    census.marks.insert(
        "p1".into(),
        EntryMark {
            new: true,
            gone_at: None,
        },
    );
    census.marks.insert(
        "p2".into(),
        EntryMark {
            new: false,
            gone_at: Some(now()),
        },
    );
    let lists = vec![
        census,
        list(2, WEST, "Consultant round", 12),
        list(3, RENAL, "Dialysis today", 1),
        list(4, RENAL, "Renal outliers", 4),
    ];
    update(&mut app, Action::ListsLoaded(Ok(lists)));
    update(&mut app, Action::RowsLoaded(Ok(rows())));
    app
}

fn selected(app: &App) -> Option<Uuid> {
    match &app.overlay {
        Overlay::Lists(state) => state.selected,
        other => panic!("the switcher closed: {other:?}"),
    }
}

#[test]
fn the_switcher_shows_every_list_of_every_team_with_its_count_and_keeper() {
    let mut app = app_with_lists();
    update(&mut app, key(KeyCode::Char('L')));
    assert_eq!(
        selected(&app),
        Some(Uuid::from_u128(1)),
        "on the list shown"
    );
    let screen = screen_text(&app, 120, 40);
    insta::assert_snapshot!("list_switcher_120x40", screen);
    assert!(screen.contains("Lists of your teams (4)"), "{screen}");
    assert!(
        screen.contains("29 patients · census of 4 West · 1 new, 1 discharged"),
        "{screen}"
    );
    assert!(screen.contains("1 patient · by hand"), "{screen}");
    let renal = screen.find("Renal").unwrap();
    assert!(
        screen.find("Dialysis today").unwrap() > renal,
        "grouped by team"
    );
}

#[test]
fn typing_narrows_the_lists_and_enter_shows_the_one_chosen() {
    let mut app = app_with_lists();
    update(&mut app, key(KeyCode::Char('L')));
    for c in "renal".chars() {
        update(&mut app, key(KeyCode::Char(c)));
    }
    // The team's name matches: both its lists, the cursor on the first.
    assert_eq!(selected(&app), Some(Uuid::from_u128(3)));
    let screen = screen_text(&app, 80, 24);
    assert!(!screen.contains("Consultant round"), "{screen}");
    assert!(screen.contains("Lists of your teams (2 of 4)"), "{screen}");
    update(&mut app, key(KeyCode::Down));
    update(&mut app, key(KeyCode::Down));
    assert_eq!(
        selected(&app),
        Some(Uuid::from_u128(4)),
        "stops at the last"
    );
    let effects = update(&mut app, key(KeyCode::Enter));
    assert!(matches!(app.overlay, Overlay::None));
    assert!(
        matches!(&effects[..], [Effect::LoadRows { list, .. }] if *list == Uuid::from_u128(4)),
        "{effects:?}"
    );
    assert_eq!(app.patients.title, "Renal outliers");
}

#[test]
fn nothing_found_says_so_and_esc_leaves_the_list_as_it_was() {
    let mut app = app_with_lists();
    update(&mut app, key(KeyCode::Char('L')));
    for c in "zzz".chars() {
        update(&mut app, key(KeyCode::Char(c)));
    }
    assert_eq!(selected(&app), None);
    let screen = screen_text(&app, 80, 24);
    assert!(
        screen.contains("No list or team has that in its name."),
        "{screen}"
    );
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    update(&mut app, key(KeyCode::Esc));
    assert!(matches!(app.overlay, Overlay::None));
    assert_eq!(app.patients.list_id, Some(Uuid::from_u128(1)));
}

#[test]
fn the_command_line_opens_it_too() {
    let mut app = app_with_lists();
    update(&mut app, key(KeyCode::Char(':')));
    for c in "lists".chars() {
        update(&mut app, key(KeyCode::Char(c)));
    }
    update(&mut app, key(KeyCode::Enter));
    assert!(matches!(app.overlay, Overlay::Lists(_)));
}
