//! A census list in the app: admissions marked new until someone selects them, discharges
//! greyed with their time, the patient's chat kept and saying so; and `n`, Tab: a list
//! from a ward found in the EHR.

use crossterm::event::KeyCode;
use wardround::fhir::census::FoundLocation;
use wardround::model::{ColumnId, EntryMark, ListSource};
use wardround::tui::action::{Action, Effect};
use wardround::tui::app::Overlay;
use wardround::tui::update::{key, update};

use crate::common::*;

/// The demo ward as a census list: the first bed's patient just admitted, the second's
/// discharged at 09:41 local.
fn census_app() -> (wardround::tui::app::App, String, String) {
    let mut app = ward_app();
    let mut rows = rows();
    let order: Vec<String> = app.patients.visible().map(|r| r.patient.clone()).collect();
    let (admitted, discharged) = (order[1].clone(), order[2].clone());
    rows.list.source = Some(ListSource::Census {
        location: "4 West".into(),
        location_id: "Location/ward-4w".into(),
        location_name: "4 West".into(),
    });
    rows.list.marks.insert(
        admitted.clone(),
        EntryMark {
            new: true,
            gone_at: None,
        },
    );
    let at = now()
        .with_timezone(&app.utc_offset)
        .date_naive()
        .and_hms_opt(9, 41, 0)
        .unwrap()
        .and_local_timezone(app.utc_offset)
        .unwrap()
        .with_timezone(&chrono::Utc);
    rows.list.marks.insert(
        discharged.clone(),
        EntryMark {
            new: false,
            gone_at: Some(at),
        },
    );
    app.patients.list_id = Some(rows.list.id);
    update(&mut app, Action::RowsLoaded(Ok(rows)));
    (app, admitted, discharged)
}

#[test]
fn an_admission_is_marked_new_and_a_discharge_greyed_with_its_time() {
    let (app, _, discharged) = census_app();
    let row = app
        .patients
        .loaded
        .iter()
        .find(|r| r.patient == discharged)
        .unwrap();
    let (bed, name) = (
        row.cell(ColumnId::Bed).unwrap().text.clone(),
        row.cell(ColumnId::Name).unwrap().text.clone(),
    );
    for (width, height) in [(120, 30), (80, 24)] {
        let screen = screen_text(&app, width, height);
        assert!(
            screen.contains("(28 patients) · 1 new, 1 discharged"),
            "the discharged are counted apart:\n{screen}"
        );
        assert!(
            screen.lines().any(|l| l.contains("● 4W-")),
            "the new patient's bed is marked:\n{screen}"
        );
        let line = screen
            .lines()
            .find(|l| l.contains("discharged 09:41"))
            .unwrap_or_else(|| panic!("the discharge says when:\n{screen}"));
        assert!(
            line.contains(&bed) && line.contains(&name),
            "who and where stay readable at {width}: {line}"
        );
    }
}

#[test]
fn selecting_an_admission_tells_the_server_it_has_been_seen_once() {
    let (mut app, admitted, _) = census_app();
    assert_eq!(app.patients.selected, 0);
    let effects = update(&mut app, key(KeyCode::Char('j')));
    assert_eq!(
        app.patients.selected_row().map(|r| r.patient.clone()),
        Some(admitted.clone())
    );
    let list = app.patients.list_id.unwrap();
    assert!(
        effects.contains(&Effect::MarkSeen {
            list,
            patient: admitted.clone()
        }),
        "{effects:?}"
    );
    assert!(!app.patients.mark(&admitted).new, "no longer marked here");
    update(&mut app, key(KeyCode::Char('k')));
    let again = update(&mut app, key(KeyCode::Char('j')));
    assert!(
        !again.iter().any(|e| matches!(e, Effect::MarkSeen { .. })),
        "once: {again:?}"
    );
    assert!(!screen_text(&app, 120, 30).contains("● 4W-"));
}

#[test]
fn a_discharged_patients_chat_is_kept_and_says_so() {
    let (app, _, discharged) = census_app();
    let conversation = wardround::model::Conversation {
        subject: Some(discharged.clone()),
        kind: wardround::model::ConversationKind::Patient,
        ..conversations()[0].clone()
    };
    let mut app = app;
    update(
        &mut app,
        Action::ConversationsLoaded(Ok(vec![conversation.clone()])),
    );
    wardround::tui::update::open_conversation(&mut app, conversation.id);
    let screen = screen_text(&app, 160, 30);
    assert!(
        screen.contains("discharged 09:41, chat kept"),
        "the chat says why:\n{screen}"
    );
}

#[test]
fn n_then_tab_finds_a_ward_and_makes_a_list_that_follows_its_census() {
    let mut app = ward_app();
    update(&mut app, key(KeyCode::Char('n')));
    let screen = screen_text(&app, 100, 30);
    assert!(
        screen.contains("Tab: a ward's census from the EHR"),
        "{screen}"
    );
    update(&mut app, key(KeyCode::Tab));
    assert!(matches!(app.overlay, Overlay::WardSearch(_)));
    for c in "4 W".chars() {
        update(&mut app, key(KeyCode::Char(c)));
    }
    let effects = update(&mut app, key(KeyCode::Enter));
    assert_eq!(effects, vec![Effect::FindWards("4 W".into())]);
    let ward = FoundLocation {
        reference: "Location/ward-4w".into(),
        name: "4 West".into(),
        kind: Some("Ward".into()),
        part_of: None,
    };
    update(
        &mut app,
        Action::WardResults("4 W".into(), Ok(vec![ward.clone()])),
    );
    let screen = screen_text(&app, 100, 30);
    assert!(
        screen.contains("4 West") && screen.contains("Ward"),
        "{screen}"
    );
    update(&mut app, key(KeyCode::Enter));
    // The ward's name to start with; Enter makes it.
    let effects = update(&mut app, key(KeyCode::Enter));
    assert_eq!(
        effects,
        vec![Effect::NewCensusList {
            name: "4 West".into(),
            location: "Location/ward-4w".into()
        }]
    );
    assert!(matches!(app.overlay, Overlay::None));
}

#[test]
fn a_ward_search_that_finds_nothing_or_fails_says_so() {
    let mut app = ward_app();
    update(&mut app, key(KeyCode::Char('n')));
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, key(KeyCode::Char('Z')));
    update(&mut app, key(KeyCode::Enter));
    update(&mut app, Action::WardResults("Z".into(), Ok(vec![])));
    assert!(screen_text(&app, 100, 30).contains("No ward by that name."));
    update(
        &mut app,
        Action::WardResults("Z".into(), Err("EHR: down\u{1b}[2J".into())),
    );
    let screen = screen_text(&app, 100, 30);
    assert!(screen.contains("Search failed: EHR: down"), "{screen}");
    assert!(!screen.contains('\u{1b}'));
}
