//! Presenting on a large display: the selected patient large (bed, name, NEWS2 with its
//! course and what drives it, problems, allergies) beside a compact list, the alert bar
//! across the top, the presenter's keys only; chat stays off the big screen.

use crate::common;

use common::*;
use crossterm::event::KeyCode;
use wardround::model::ColumnId;
use wardround::tui::action::{Action, Effect};
use wardround::tui::app::{App, Pane};
use wardround::tui::update::{key, update};

/// The chart the server would send for `patient`.
fn loaded(app: &mut App, patient: &str) {
    let ward = wardround::demo::ward_source(now());
    let chart = ward.charts().find(|c| c.id == patient).unwrap();
    let detail = wardround::fhir::detail::detail(chart, now());
    update(
        app,
        Action::DetailLoaded(patient.to_string(), Ok(Box::new(detail))),
    );
}

fn asked_for(effects: &[Effect]) -> Vec<&str> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::LoadDetail(p) => Some(p.as_str()),
            _ => None,
        })
        .collect()
}

fn selected(app: &App) -> String {
    app.patients.selected_row().unwrap().patient.clone()
}

/// F11 on the patient with the highest NEWS2 (a sort by NEWS2, as a round starts).
fn presenting_the_sickest() -> App {
    let mut app = ward_app();
    while app.patients.focused_column() != Some(ColumnId::News2) {
        update(&mut app, key(KeyCode::Char('l')));
    }
    update(&mut app, key(KeyCode::Char('s')));
    update(&mut app, key(KeyCode::Char('s')));
    update(&mut app, key(KeyCode::Char('g')));
    let effects = update(&mut app, key(KeyCode::F(11)));
    assert!(app.present);
    assert_eq!(app.focus, Pane::Patients);
    let patient = selected(&app);
    assert_eq!(
        asked_for(&effects),
        [patient.as_str()],
        "the chart, at once"
    );
    loaded(&mut app, &patient);
    app
}

#[test]
fn the_big_screen_shows_the_selected_patient_large_beside_a_compact_list() {
    let app = presenting_the_sickest();
    let shown = screen_text(&app, 200, 60);
    insta::assert_snapshot!("big_screen_200x60", shown);
    let lines: Vec<&str> = shown.lines().collect();
    // The alert bar across the top, three rows while something urgent waits.
    assert!(lines[1].contains("URGENT"), "{shown}");
    assert!(!shown.contains("Conversations"), "{shown}");
    // The list beside, sized to what it holds: bed, name, age, NEWS2 only.
    let header = lines
        .iter()
        .find(|l| l.contains("Bed") && l.contains("Name"))
        .unwrap();
    assert!(
        header.contains("NEWS2") && !header.contains("MRN"),
        "{header}"
    );
    let list_edge = header.find("┃┃").unwrap_or(0);
    assert!(
        (40..80).contains(&header[..list_edge].chars().count()),
        "a compact list:\n{shown}"
    );
    // The patient in big letters (half blocks), with NEWS2 what drives it.
    assert!(shown.contains("███████"), "{shown}");
    assert!(shown.contains("LINDQVIST, Frank"), "{shown}");
    assert!(shown.contains("driven by"), "{shown}");
    assert!(
        shown.contains("Allergies") && shown.contains("Problems"),
        "{shown}"
    );
    // The presenter's keys, and nothing for the panes left behind.
    let footer = lines.last().unwrap();
    assert!(
        footer.contains("F11") && footer.contains("? help"),
        "{footer}"
    );
    assert!(
        !footer.contains("add") && !footer.contains("filter"),
        "{footer}"
    );
}

#[test]
fn the_spotlight_follows_the_cursor_and_ignores_a_late_chart() {
    let mut app = presenting_the_sickest();
    app.patients.list_id = Some(uuid::Uuid::from_u128(50));
    let first = selected(&app);
    let effects = update(&mut app, key(KeyCode::Char('j')));
    let second = selected(&app);
    assert_eq!(asked_for(&effects), [second.as_str()]);
    // The first one's chart arriving late changes nothing.
    loaded(&mut app, &first);
    assert!(app.spotlight.as_ref().unwrap().loaded.is_none());
    let shown = screen_text(&app, 200, 60);
    assert!(shown.contains("Reading the chart from the EHR"), "{shown}");
    // Nothing asked again while the cursor stays.
    assert!(asked_for(&update(&mut app, Action::Tick)).is_empty());
    // r reads it again.
    let effects = update(&mut app, key(KeyCode::Char('r')));
    assert_eq!(asked_for(&effects), [second.as_str()]);
    // Leaving the big screen lets it go.
    update(&mut app, key(KeyCode::F(11)));
    assert!(app.spotlight.is_none());
}

#[test]
fn a_profiles_columns_are_kept_and_a_narrow_display_stacks_the_patient_under_the_list() {
    let mut app = ward_app();
    app.present_columns = ["bed", "name", "age", "los", "reason", "news2", "allergies"]
        .into_iter()
        .map(|c| ColumnId::parse(c).unwrap())
        .collect();
    update(&mut app, key(KeyCode::F(11)));
    let patient = selected(&app);
    loaded(&mut app, &patient);
    let shown = screen_text(&app, 120, 40);
    let header = shown
        .lines()
        .find(|l| l.contains("Bed") && l.contains("Name"))
        .unwrap();
    assert!(
        header.contains("Allergies") && !header.contains("MRN"),
        "{shown}"
    );
    // At 120 columns the profile's list takes the width; the patient goes below it,
    // still large where the big letters fit.
    let list_top = shown
        .lines()
        .position(|l| l.contains("Bed") && l.contains("Name"))
        .unwrap();
    let patient_top = shown.lines().position(|l| l.contains("Problems")).unwrap();
    assert!(patient_top > list_top, "{shown}");
    for (w, h) in [(80, 24), (60, 20)] {
        let shown = screen_text(&app, w, h);
        assert!(shown.contains("URGENT"), "{w}x{h}:\n{shown}");
    }
    update(&mut app, key(KeyCode::Tab));
    assert_eq!(app.focus, Pane::Patients, "the list is the only pane");
    update(&mut app, key(KeyCode::F(11)));
    assert!(!app.present);
    let shown = screen_text(&app, 120, 40);
    let header = shown
        .lines()
        .find(|l| l.contains("Bed") && l.contains("Name"))
        .unwrap();
    assert!(
        header.contains("MRN"),
        "the list's own columns again:\n{shown}"
    );
}

#[test]
fn the_big_screen_sorts_by_the_columns_it_shows() {
    let mut app = ward_app();
    update(&mut app, key(KeyCode::F(11)));
    for _ in 0..10 {
        update(&mut app, key(KeyCode::Char('l')));
    }
    assert_eq!(
        app.focused_column(),
        Some(ColumnId::News2),
        "the last one shown"
    );
    update(&mut app, key(KeyCode::Char('s')));
    assert_eq!(app.patients.sort[0].column, ColumnId::News2);
    let shown = screen_text(&app, 200, 60);
    assert!(
        shown.contains("NEWS2▲"),
        "the arrow on the column sorted by:\n{shown}"
    );
    // Back on the nurse's own screen the cursor is on a column there.
    update(&mut app, key(KeyCode::F(11)));
    assert!(app.focused_column().is_some());
}

#[test]
fn opening_an_urgent_message_leaves_the_big_screen() {
    let mut app = ward_app();
    update(&mut app, key(KeyCode::F(11)));
    update(&mut app, key(KeyCode::Char('u')));
    assert!(!app.present);
    assert_eq!(app.focus, Pane::Chat);
}

#[test]
fn a_patients_chat_opened_from_the_big_screen_leaves_it() {
    let mut app = presenting_the_sickest();
    app.patients.list_id = Some(uuid::Uuid::from_u128(50));
    update(&mut app, key(KeyCode::Char('m')));
    assert!(
        !app.present,
        "typing must never go to a chat nobody can see"
    );
    assert!(app.spotlight.is_none());
}

#[test]
fn a_small_display_shows_the_patient_without_big_letters_and_a_tall_one_taller() {
    let app = presenting_the_sickest();
    let small = screen_text(&app, 80, 24);
    assert!(!small.contains('▀') && !small.contains('▄'), "{small}");
    assert!(small.contains("NEWS2 "), "{small}");
    assert!(
        small.contains("F11 leave"),
        "the way back stays in the footer:\n{small}"
    );
    // The smallest screen drawn: nothing big, nothing broken.
    let tiny = screen_text(&app, 40, 10);
    assert!(tiny.contains("URGENT"), "{tiny}");
    let tall = screen_text(&app, 200, 60);
    // Eight rows a letter: full blocks only, no half blocks.
    assert!(tall.contains("████") && !tall.contains('▀'), "{tall}");
}
