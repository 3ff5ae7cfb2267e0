//! Presenting on a large display: the list alone, full width, roomier, in the present
//! profile's columns; chat stays off the big screen.

use crate::common;

use common::*;
use crossterm::event::KeyCode;
use wardround::model::ColumnId;
use wardround::tui::app::{App, Pane};
use wardround::tui::update::{key, update};

fn screen(app: &App) -> String {
    screen_text(app, 120, 40)
}

#[test]
fn f11_presents_the_list_alone_in_the_profiles_columns() {
    let mut app = ward_app();
    app.present_columns = ["bed", "name", "age", "los", "reason", "news2", "allergies"]
        .into_iter()
        .map(|c| ColumnId::parse(c).unwrap())
        .collect();
    assert!(screen(&app).contains("Conversations"));

    update(&mut app, key(KeyCode::F(11)));
    assert!(app.present);
    assert_eq!(app.focus, Pane::Patients);
    let shown = screen(&app);
    assert!(!shown.contains("Conversations"), "{shown}");
    assert!(!shown.contains("MRN"), "the profile's columns:\n{shown}");
    assert!(shown.contains("Allergies"), "{shown}");
    assert!(
        shown.lines().next().unwrap().contains("URGENT"),
        "the alert bar stays"
    );
    // A blank line between rows.
    let rows: Vec<&str> = shown.lines().filter(|l| l.contains("4W-")).collect();
    let first = shown.lines().position(|l| l.contains(rows[0])).unwrap();
    assert!(shown
        .lines()
        .nth(first + 1)
        .unwrap()
        .trim_matches(['│', ' ', '┃'])
        .is_empty());
    insta::assert_snapshot!(shown);

    update(&mut app, key(KeyCode::Tab));
    assert_eq!(app.focus, Pane::Patients, "the list is the only pane");
    update(&mut app, key(KeyCode::F(11)));
    assert!(!app.present);
    assert!(screen(&app).contains("MRN"), "the list's own columns again");
}

#[test]
fn opening_an_urgent_message_leaves_the_big_screen() {
    let mut app = ward_app();
    update(&mut app, key(KeyCode::F(11)));
    update(&mut app, key(KeyCode::Char('u')));
    assert!(!app.present);
    assert_eq!(app.focus, Pane::Chat);
}
