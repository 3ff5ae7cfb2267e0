//! Follow mode and `:diag`, end to end below the terminal: a real server on a real port,
//! and two apps driven by their own runtime (effects over HTTP, events over the stream),
//! exactly as `tui::run` drives them, but without a screen.

use crate::common;

use std::time::Duration;

use chrono::Utc;
use common::{demo_ward_server, screen_text, TestStore, PASSWORD};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};
use wardround::client::{spawn_event_stream, ApiClient, ClientError, StreamUpdate};
use wardround::model::{ColumnId, SharedView, SortKey, User};
use wardround::server::RunningServer;
use wardround::tui::action::{Action, Effect};
use wardround::tui::app::{App, Overlay};
use wardround::tui::runtime::Effects;
use wardround::tui::update::{key, update};

/// One person's wardround, connected, without a terminal.
struct Station {
    app: App,
    effects: Effects,
    actions: UnboundedReceiver<Action>,
    stream: UnboundedReceiver<StreamUpdate>,
    _stream_task: tokio::task::JoinHandle<()>,
}

impl Station {
    async fn login(url: &str, username: &str) -> Station {
        let (client, _) = ApiClient::new(url)
            .unwrap()
            .login(username, PASSWORD)
            .await
            .unwrap();
        let me = client.me().await.unwrap();
        let (tx, actions) = unbounded_channel();
        let (stream_tx, stream) = unbounded_channel();
        let task = spawn_event_stream(client.clone(), me.cursor, stream_tx);
        let mut effects = Effects::new(client.clone(), tx, Vec::new());
        let app = App::new(me.user, "4 West".into(), url.into(), Utc::now());
        effects.run(Effect::LoadLists);
        effects.run(Effect::LoadConversations);
        let mut s = Station {
            app,
            effects,
            actions,
            stream,
            _stream_task: task,
        };
        s.until("the list loads", |a| {
            !a.patients.loading && !a.patients.loaded.is_empty()
        })
        .await;
        s
    }

    fn apply(&mut self, action: Action) {
        self.app.now = Utc::now();
        for e in update(&mut self.app, action) {
            self.effects.run(e);
        }
    }

    fn press(&mut self, code: KeyCode) {
        self.apply(key(code));
    }

    fn type_command(&mut self, line: &str) {
        self.apply(Action::Key(KeyEvent::new(
            KeyCode::Char(':'),
            KeyModifiers::NONE,
        )));
        for c in line.chars() {
            self.press(KeyCode::Char(c));
        }
        self.press(KeyCode::Enter);
    }

    /// Runs actions and events as they come until `done` holds.
    async fn until(&mut self, what: &str, done: impl Fn(&App) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while !done(&self.app) {
            let action = tokio::select! {
                Some(a) = self.actions.recv() => a,
                Some(u) = self.stream.recv() => Action::Stream(u),
                _ = tokio::time::sleep_until(deadline) => {
                    panic!("{what}: not within 10 s; notice {:?}", self.app.notice)
                }
            };
            self.apply(action);
        }
    }

    /// Processes whatever arrives within `wait`.
    async fn drain(&mut self, wait: Duration) {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let action = tokio::select! {
                Some(a) = self.actions.recv() => a,
                Some(u) = self.stream.recv() => Action::Stream(u),
                _ = tokio::time::sleep_until(deadline) => return,
            };
            self.apply(action);
        }
    }

    fn selected_patient(&self) -> Option<String> {
        self.app.patients.selected_row().map(|r| r.patient.clone())
    }
}

struct Ward {
    server: RunningServer,
    outsider: User,
}

/// The demo ward with a nurse and a registrar on 4 West, and someone on no team.
async fn ward(store: &TestStore) -> Ward {
    let (server, ehr) = demo_ward_server(&store.database).await;
    let d = &server.domain;
    let nurse = d
        .create_user("nurse", "Alex Morgan", "RN", PASSWORD)
        .await
        .unwrap();
    let doctor = d
        .create_user("doctor", "Priya Shah", "Registrar", PASSWORD)
        .await
        .unwrap();
    let outsider = d
        .create_user("outsider", "Jo Bloggs", "Porter", PASSWORD)
        .await
        .unwrap();
    let team = d
        .create_team("4 West", &[nurse.id, doctor.id])
        .await
        .unwrap();
    d.create_list(team.id, "4 West — all beds", ehr.patient_ids().to_vec())
        .await
        .unwrap();
    d.create_team("Portering", &[outsider.id]).await.unwrap();
    Ward { server, outsider }
}

async fn a_follower_sees_the_presenters_list_sort_and_patient_and_can_be_handed_control(
    store: TestStore,
) {
    let w = ward(&store).await;
    let url = w.server.url();
    let mut nurse = Station::login(&url, "nurse").await;
    let mut doctor = Station::login(&url, "doctor").await;

    // By a word of her name, as colleagues know her, not only by username; Tab
    // completes it from the directory (asked there: this session has heard of no one).
    doctor.press(KeyCode::Char(':'));
    for c in "follow al".chars() {
        doctor.press(KeyCode::Char(c));
    }
    doctor.press(KeyCode::Tab);
    doctor
        .until("Tab completes her name", |a| {
            matches!(&a.overlay, Overlay::CommandLine(l) if l.line.as_str() == "follow Alex Morgan")
        })
        .await;
    doctor.press(KeyCode::Enter);
    doctor
        .until("the doctor follows", |a| a.presentation.is_some())
        .await;
    nurse
        .until("the nurse hears of her follower", |a| {
            a.presentation
                .as_ref()
                .is_some_and(|p| p.followers.len() == 1)
        })
        .await;
    assert_eq!(
        nurse.app.notice.as_deref(),
        Some("Priya Shah follows your screen.")
    );

    // The nurse sorts by NEWS2 and moves to the third patient.
    let news2 = nurse
        .app
        .patients
        .columns
        .iter()
        .position(|c| *c == ColumnId::News2)
        .expect("NEWS2 is a default column");
    nurse.app.patients.column = news2;
    nurse.press(KeyCode::Char('s'));
    nurse.press(KeyCode::Down);
    nurse.press(KeyCode::Down);
    let shown = nurse.selected_patient();
    let sort = nurse.app.patients.sort.clone();
    assert!(
        matches!(
            sort.as_slice(),
            [SortKey {
                column: ColumnId::News2,
                ..
            }]
        ),
        "{sort:?}"
    );
    doctor
        .until("the doctor's screen follows", |a| {
            a.patients.selected_row().map(|r| r.patient.clone()) == shown && a.patients.sort == sort
        })
        .await;
    let doctor_order: Vec<String> = doctor
        .app
        .patients
        .visible()
        .map(|r| r.patient.clone())
        .collect();
    let nurse_order: Vec<String> = nurse
        .app
        .patients
        .visible()
        .map(|r| r.patient.clone())
        .collect();
    assert_eq!(doctor_order, nurse_order, "same rows in the same order");

    // The follower cannot move a screen someone else drives.
    doctor.press(KeyCode::Down);
    assert_eq!(doctor.selected_patient(), shown);
    assert!(
        doctor
            .app
            .notice
            .as_deref()
            .unwrap_or_default()
            .contains("drives this screen"),
        "{:?}",
        doctor.app.notice
    );
    assert!(
        screen_text(&doctor.app, 120, 40).contains("⇄ following Alex Morgan"),
        "the status bar says whom"
    );

    // The nurse hands control to the doctor; now the doctor drives and the nurse follows.
    nurse.type_command("hand doctor");
    doctor
        .until("the doctor has control", |a| {
            a.presentation
                .as_ref()
                .is_some_and(|p| p.controller.id == a.me.id)
        })
        .await;
    nurse
        .until("the nurse sees control pass", |a| {
            a.presentation
                .as_ref()
                .is_some_and(|p| p.controller.id != a.me.id)
        })
        .await;
    // The presenter, driven, is told how to take the screen back (not to unfollow,
    // which would end it for everyone).
    nurse.press(KeyCode::Down);
    assert_eq!(
        nurse.app.notice.as_deref(),
        Some("Priya Shah drives this screen; :hand nurse takes it back.")
    );
    doctor.press(KeyCode::Char('g'));
    let first = doctor.selected_patient();
    assert_ne!(first, shown, "the doctor moved to the first row");
    nurse
        .until("the nurse's screen follows the doctor", |a| {
            a.patients.selected_row().map(|r| r.patient.clone()) == first
        })
        .await;

    // The doctor stops following: the presentation is over for both.
    doctor.type_command("unfollow");
    nurse
        .until("the presentation ends", |a| a.presentation.is_none())
        .await;
    doctor
        .until("the doctor is on their own", |a| a.presentation.is_none())
        .await;
    doctor.press(KeyCode::Down);
    assert_ne!(doctor.selected_patient(), first, "moves on their own again");
}

async fn following_is_refused_with_a_reason_where_it_cannot_be(store: TestStore) {
    let w = ward(&store).await;
    let url = w.server.url();
    let login = |u: &'static str| {
        let url = url.clone();
        async move {
            ApiClient::new(&url)
                .unwrap()
                .login(u, PASSWORD)
                .await
                .unwrap()
                .0
        }
    };
    let nurse = login("nurse").await;
    let doctor = login("doctor").await;
    let outsider = login("outsider").await;
    let status = |r: Result<_, ClientError>| match r {
        Err(ClientError::Rejected { status, detail }) => (status, detail),
        other => panic!("expected a refusal, got {other:?}"),
    };

    let (s, d) = status(nurse.follow("nurse").await.map(|_| ()));
    assert_eq!((s, d.as_str()), (422, "You cannot follow yourself."));
    let (s, d) = status(nurse.follow("nobody").await.map(|_| ()));
    assert_eq!(s, 404, "{d}");
    let (s, d) = status(outsider.follow("nurse").await.map(|_| ()));
    assert_eq!(s, 403, "{d}");
    assert!(d.contains("share no team"), "{d}");
    assert_eq!(w.outsider.username, "outsider");

    let lists = nurse.lists().await.unwrap();
    let view = SharedView {
        list_id: lists[0].id,
        sort: Vec::new(),
        patient: None,
    };
    let (s, _) = status(nurse.share_view(&view).await);
    assert_eq!(s, 409, "nobody follows the nurse yet");

    doctor.follow("nurse").await.unwrap();
    let (s, d) = status(doctor.share_view(&view).await);
    assert_eq!(s, 409, "a follower does not drive: {d}");
    let (s, d) = status(doctor.follow("outsider").await.map(|_| ()));
    assert_eq!(s, 403, "{d}");
    let (s, d) = status(nurse.follow("doctor").await.map(|_| ()));
    assert_eq!(s, 409, "the presenter cannot follow her follower: {d}");
    // A follower asking to follow another follower is refused, and stays where she was.
    w.server
        .domain
        .create_user("charge", "Sam Okafor", "Nurse in charge", PASSWORD)
        .await
        .unwrap();
    w.server
        .domain
        .add_team_member("4 West", "charge")
        .await
        .unwrap();
    let charge = login("charge").await;
    charge.follow("nurse").await.unwrap();
    let (s, d) = status(charge.follow("doctor").await.map(|_| ()));
    assert_eq!(s, 409, "{d}");
    assert!(d.contains("follow Alex Morgan instead"), "{d}");
    let still = charge
        .presentation()
        .await
        .unwrap()
        .map(|p| p.presenter.display_name);
    assert_eq!(
        still.as_deref(),
        Some("Alex Morgan"),
        "a refused follow changes nothing"
    );
    charge.unfollow().await.unwrap();
    let (s, _) = status(nurse.hand_control("outsider").await);
    assert_eq!(s, 422, "control goes only to someone following");
    let (s, _) = status(
        nurse
            .share_view(&SharedView {
                list_id: uuid::Uuid::new_v4(),
                ..view.clone()
            })
            .await,
    );
    assert_eq!(s, 403, "a list the presenter cannot see is not shown");
    nurse.share_view(&view).await.unwrap();
    assert_eq!(
        doctor.presentation().await.unwrap().and_then(|p| p.view),
        Some(view),
        "a follower who reconnects finds the last view"
    );

    // Following is in the audit log; the presenter ending it empties it for everyone.
    let audit = w
        .server
        .domain
        .store()
        .audit_entries(&wardround::server::store::AuditFilter {
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(audit
        .iter()
        .any(|e| e.actor == "doctor" && e.detail == "follows nurse"));
    nurse.unfollow().await.unwrap();
    assert_eq!(doctor.presentation().await.unwrap(), None);
    assert_eq!(nurse.presentation().await.unwrap(), None);
}

async fn the_diagnostics_pane_measures_the_connection_events_server_and_ehr(store: TestStore) {
    let w = ward(&store).await;
    let mut nurse = Station::login(&w.server.url(), "nurse").await;
    nurse
        .until("the stream is live", |a| {
            a.connection == wardround::tui::app::Connection::Live
        })
        .await;
    nurse.type_command("diag");
    nurse
        .until("every figure is in", |a| {
            matches!(&a.overlay, Overlay::Diagnostics(d)
                if d.server.is_some() && d.ehr.is_some() && d.event_lag.is_some())
        })
        .await;
    let Overlay::Diagnostics(d) = nurse.app.overlay.clone() else {
        panic!("diagnostics closed");
    };
    let server = d.server.clone().unwrap().unwrap();
    assert_eq!(server.version, env!("CARGO_PKG_VERSION"));
    assert!(server.skew_secs.is_some_and(|s| s.abs() <= 2), "{server:?}");
    assert!(d.ehr.clone().unwrap().is_ok(), "{:?}", d.ehr);
    assert!(d.event_lag.clone().unwrap().is_ok(), "{:?}", d.event_lag);
    let screen = screen_text(&nurse.app, 120, 40);
    for expected in [
        "Diagnostics",
        "live (event stream open)",
        "(same as this client)",
        "ms (one API request)",
        "ms (ping to its event)",
    ] {
        assert!(screen.contains(expected), "{expected:?} in\n{screen}");
    }
    // Keys go to the pane while it is open; Esc closes it.
    nurse.press(KeyCode::Esc);
    assert!(matches!(nurse.app.overlay, Overlay::None));
    nurse.drain(Duration::from_millis(100)).await;
}

on_each_store!(
    a_follower_sees_the_presenters_list_sort_and_patient_and_can_be_handed_control,
    following_is_refused_with_a_reason_where_it_cannot_be,
    the_diagnostics_pane_measures_the_connection_events_server_and_ehr,
);
