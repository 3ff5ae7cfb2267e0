//! The HTTP API against a real server on a random port, over a real SQLite file and (when
//! WARDROUND_TEST_POSTGRES_URL is set) a real PostgreSQL schema.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use uuid::Uuid;
use wardround::client::{spawn_event_stream, ApiClient, ClientError, StreamUpdate};
use wardround::fhir::BundleSource;
use wardround::model::{
    ConversationKind, Event, EventKind, NewMessage, PatientQuery, Priority, ReceiptState, User,
};
use wardround::server::{self, RunningServer};

use common::{TestStore, PASSWORD};
use wardround::server::store::Database;

struct Ward {
    server: RunningServer,
    nurse: User,
    doctor: User,
    outsider: User,
    chat: Uuid,
}

async fn start(addr: &str, db: &Database) -> RunningServer {
    let ehr = Arc::new(BundleSource::default());
    server::start(addr.parse().unwrap(), db, ehr).await.unwrap()
}

/// A nurse and a doctor in a 1:1, and an outsider who is in no conversation.
async fn people(server: &RunningServer) -> (User, User, User, Uuid) {
    let d = &server.domain;
    let user = |name: &'static str, display: &'static str| async move {
        d.create_user(name, display, "staff", PASSWORD)
            .await
            .unwrap()
    };
    let nurse = user("nurse", "Alex Morgan").await;
    let doctor = user("doctor", "Priya Shah").await;
    let outsider = user("outsider", "Jo Bloggs").await;
    let chat = d
        .create_conversation(
            ConversationKind::Direct,
            "",
            None,
            vec![nurse.id, doctor.id],
        )
        .await
        .unwrap();
    (nurse, doctor, outsider, chat)
}

async fn ward(store: &TestStore) -> Ward {
    let server = start("127.0.0.1:0", &store.database).await;
    let (nurse, doctor, outsider, chat) = people(&server).await;
    Ward {
        server,
        nurse,
        doctor,
        outsider,
        chat,
    }
}

async fn login(w: &Ward, username: &str) -> ApiClient {
    let anon = ApiClient::new(&w.server.url()).unwrap();
    anon.login(username, PASSWORD).await.unwrap().0
}

fn text(body: &str, priority: Priority) -> NewMessage {
    NewMessage {
        id: Uuid::new_v4(),
        body: body.into(),
        priority,
    }
}

async fn next_event(rx: &mut mpsc::UnboundedReceiver<StreamUpdate>) -> Event {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), rx.recv()).await {
            Ok(Some(StreamUpdate::Event(e))) => return e,
            Ok(Some(_)) => continue,
            other => panic!("no event arrived: {other:?}"),
        }
    }
}

async fn connected(rx: &mut mpsc::UnboundedReceiver<StreamUpdate>) {
    match tokio::time::timeout(Duration::from_secs(10), rx.recv()).await {
        Ok(Some(StreamUpdate::Connected)) => {}
        other => panic!("stream did not connect: {other:?}"),
    }
}

async fn login_with_the_right_password_gives_a_session(store: TestStore) {
    let w = ward(&store).await;
    let anon = ApiClient::new(&w.server.url()).unwrap();
    let (client, resp) = anon.login("nurse", PASSWORD).await.unwrap();
    assert_eq!(resp.user.id, w.nurse.id);
    assert_eq!(client.me().await.unwrap().user.display_name, "Alex Morgan");

    let wrong = anon.login("nurse", "not the password").await.unwrap_err();
    assert!(
        matches!(&wrong, ClientError::Rejected { status: 401, .. }),
        "{wrong:?}"
    );
    assert_eq!(wrong.to_string(), "Wrong username or password.");
}

async fn logout_ends_the_session(store: TestStore) {
    let w = ward(&store).await;
    let client = login(&w, "nurse").await;
    client.logout().await.unwrap();
    assert!(client.me().await.unwrap_err().is_unauthorized());
}

async fn unauthenticated_requests_get_401_problem_json(store: TestStore) {
    let w = ward(&store).await;
    let resp = reqwest::get(format!("{}/api/v1/conversations", w.server.url()))
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    let body: serde_json::Value = resp.json().await.unwrap();
    assert!(body["detail"].as_str().unwrap().contains("Log in"));
}

async fn a_message_sent_reaches_the_recipients_stream(store: TestStore) {
    let w = ward(&store).await;
    let nurse = login(&w, "nurse").await;
    let doctor = login(&w, "doctor").await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _stream = spawn_event_stream(nurse.clone(), nurse.me().await.unwrap().cursor, tx);
    connected(&mut rx).await;

    let sent = doctor
        .send(w.chat, &text("Bed 12 obs please", Priority::Urgent))
        .await
        .unwrap();
    let EventKind::Message { message } = next_event(&mut rx).await.kind else {
        panic!("expected a message")
    };
    assert_eq!(message.id, sent.id);
    assert_eq!(message.body, "Bed 12 obs please");
    assert_eq!(message.priority, Priority::Urgent);
    assert_eq!(message.sender_name, "Priya Shah");
    assert_eq!(
        message.receipt_of(w.nurse.id).map(|r| r.state),
        Some(ReceiptState::Sent)
    );
}

async fn resending_with_the_same_id_stores_one_message(store: TestStore) {
    let w = ward(&store).await;
    let doctor = login(&w, "doctor").await;
    let msg = text("Please call me", Priority::Normal);
    let first = doctor.send(w.chat, &msg).await.unwrap();
    let again = doctor.send(w.chat, &msg).await.unwrap();
    assert_eq!(first, again);
    let nurse = login(&w, "nurse").await;
    assert_eq!(nurse.messages(w.chat).await.unwrap().len(), 1);
    assert_eq!(nurse.conversations().await.unwrap()[0].unread, 1);
}

async fn receipts_move_forward_and_reach_the_sender(store: TestStore) {
    let w = ward(&store).await;
    let nurse = login(&w, "nurse").await;
    let doctor = login(&w, "doctor").await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _stream = spawn_event_stream(doctor.clone(), doctor.me().await.unwrap().cursor, tx);
    connected(&mut rx).await;
    let sent = doctor
        .send(w.chat, &text("Seen bed 4?", Priority::Normal))
        .await
        .unwrap();
    assert!(matches!(
        next_event(&mut rx).await.kind,
        EventKind::Message { .. }
    ));

    nurse.mark(sent.id, ReceiptState::Delivered).await.unwrap();
    nurse.mark(sent.id, ReceiptState::Read).await.unwrap();
    nurse.mark(sent.id, ReceiptState::Delivered).await.unwrap(); // late, must not move it back
    let states: Vec<ReceiptState> = [next_event(&mut rx).await, next_event(&mut rx).await]
        .into_iter()
        .map(|e| match e.kind {
            EventKind::Receipt { user_id, state, .. } if user_id == w.nurse.id => state,
            other => panic!("expected the nurse's receipt, got {other:?}"),
        })
        .collect();
    assert_eq!(states, vec![ReceiptState::Delivered, ReceiptState::Read]);
    let stored = &doctor.messages(w.chat).await.unwrap()[0];
    assert_eq!(
        stored.receipt_of(w.nurse.id).map(|r| r.state),
        Some(ReceiptState::Read)
    );
    assert_eq!(nurse.conversations().await.unwrap()[0].unread, 0);
}

async fn reconnecting_with_the_cursor_replays_exactly_what_was_missed(store: TestStore) {
    let w = ward(&store).await;
    let nurse = login(&w, "nurse").await;
    let doctor = login(&w, "doctor").await;
    let start = nurse.me().await.unwrap().cursor;

    let (tx, mut rx) = mpsc::unbounded_channel();
    let stream = spawn_event_stream(nurse.clone(), start, tx);
    connected(&mut rx).await;
    doctor
        .send(w.chat, &text("one", Priority::Normal))
        .await
        .unwrap();
    let seen = next_event(&mut rx).await;
    stream.abort(); // the ward's wifi drops

    for body in ["two", "three", "four"] {
        doctor
            .send(w.chat, &text(body, Priority::Normal))
            .await
            .unwrap();
    }

    let (tx, mut rx) = mpsc::unbounded_channel();
    let _stream = spawn_event_stream(nurse.clone(), seen.cursor, tx);
    connected(&mut rx).await;
    doctor
        .send(w.chat, &text("five", Priority::Normal))
        .await
        .unwrap();
    let mut bodies = Vec::new();
    for _ in 0..4 {
        if let EventKind::Message { message } = next_event(&mut rx).await.kind {
            bodies.push(message.body);
        }
    }
    assert_eq!(bodies, vec!["two", "three", "four", "five"]);
    // Nothing more: no duplicate of "one" or of anything else.
    let extra = tokio::time::timeout(Duration::from_millis(300), rx.recv()).await;
    assert!(extra.is_err(), "unexpected extra update: {extra:?}");
}

async fn a_non_member_cannot_read_or_post_in_a_conversation(store: TestStore) {
    let w = ward(&store).await;
    let outsider = login(&w, "outsider").await;
    let read = outsider.messages(w.chat).await.unwrap_err();
    assert!(
        matches!(read, ClientError::Rejected { status: 403, .. }),
        "{read:?}"
    );
    let post = outsider
        .send(w.chat, &text("hello", Priority::Normal))
        .await
        .unwrap_err();
    assert!(
        matches!(post, ClientError::Rejected { status: 403, .. }),
        "{post:?}"
    );
    assert!(outsider.conversations().await.unwrap().is_empty());
    let _ = w.outsider;
}

async fn malformed_json_gets_400_problem_with_a_readable_detail(store: TestStore) {
    let w = ward(&store).await;
    let _ = login(&w, "nurse").await;
    let url = format!("{}/api/v1/session", w.server.url());
    let resp = reqwest::Client::new()
        .post(&url)
        .header("content-type", "application/json")
        .body("{\"username\": \"nurse\", \"password\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["status"], 400);
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.contains("EOF") || detail.contains("parse"),
        "{detail}"
    );
}

async fn a_bad_id_in_the_path_is_a_400_problem(store: TestStore) {
    let w = ward(&store).await;
    let anon = ApiClient::new(&w.server.url()).unwrap();
    let (_, session) = anon.login("nurse", PASSWORD).await.unwrap();
    let resp = reqwest::Client::new()
        .get(format!(
            "{}/api/v1/conversations/not-a-uuid/messages",
            w.server.url()
        ))
        .bearer_auth(&session.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
}

/// PostgreSQL cannot store U+0000 and SQLite would keep it: the API refuses it on both,
/// before the store, so one hostile message cannot fail the other messages of its batch.
async fn a_nul_character_is_refused_everywhere_and_fails_no_one_elses_message(store: TestStore) {
    let w = ward(&store).await;
    let http = reqwest::Client::new();
    let api = format!("{}/api/v1", w.server.url());
    let resp = http
        .post(format!("{api}/session"))
        .header("content-type", "application/json")
        .body(r#"{"username":"nur\u0000se","password":"x"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    let (_, session) = ApiClient::new(&w.server.url())
        .unwrap()
        .login("nurse", PASSWORD)
        .await
        .unwrap();
    let resp = http
        .get(format!("{api}/conversations/{}/messages?limit=%00", w.chat))
        .bearer_auth(&session.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422, "a NUL in the query");
    let doctor = login(&w, "doctor").await;
    let hostile = (0..20).map(|i| {
        let http = http.clone();
        let url = format!("{api}/conversations/{}/messages", w.chat);
        let token = session.token.clone();
        async move {
            http.post(url)
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body(format!(
                    r#"{{"id":"{}","body":"bad {i} \u0000"}}"#,
                    Uuid::new_v4()
                ))
                .send()
                .await
                .unwrap()
                .status()
        }
    });
    let good = (0..40).map(|i| {
        let doctor = doctor.clone();
        async move {
            doctor
                .send(w.chat, &text(&format!("good {i}"), Priority::Normal))
                .await
        }
    });
    let (hostile, good) = tokio::join!(
        futures_util::future::join_all(hostile),
        futures_util::future::join_all(good)
    );
    assert!(hostile.iter().all(|s| *s == 422), "{hostile:?}");
    assert!(good.iter().all(Result::is_ok), "{good:?}");
    let stored = doctor.messages(w.chat).await.unwrap();
    assert_eq!(
        stored
            .iter()
            .filter(|m| m.body.starts_with("good "))
            .count(),
        40
    );
    assert!(!stored.iter().any(|m| m.body.contains('\0')));
}

async fn an_empty_message_is_refused_with_a_reason(store: TestStore) {
    let w = ward(&store).await;
    let doctor = login(&w, "doctor").await;
    let err = doctor
        .send(w.chat, &text("   ", Priority::Normal))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ClientError::Rejected { status: 422, .. }),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "A message needs some text.");
    let _ = w.doctor;
}

async fn the_stream_resumes_by_itself_across_a_server_restart(store: TestStore) {
    let db = &store.database;
    let first = start("127.0.0.1:0", db).await;
    let addr = first.addr;
    let (_, _, _, chat) = people(&first).await;
    let anon = ApiClient::new(&first.url()).unwrap();
    let (nurse_client, _) = anon.login("nurse", PASSWORD).await.unwrap();
    let (doctor_client, _) = anon.login("doctor", PASSWORD).await.unwrap();

    let (tx, mut rx) = mpsc::unbounded_channel();
    let _stream = spawn_event_stream(
        nurse_client.clone(),
        nurse_client.me().await.unwrap().cursor,
        tx,
    );
    connected(&mut rx).await;
    doctor_client
        .send(chat, &text("before", Priority::Normal))
        .await
        .unwrap();
    assert!(matches!(
        next_event(&mut rx).await.kind,
        EventKind::Message { .. }
    ));

    first.stop().await;
    let second = start(&addr.to_string(), db).await;
    // Sessions and the conversation survived in the database.
    let sent = doctor_client
        .send(chat, &text("after", Priority::Urgent))
        .await
        .unwrap();
    let EventKind::Message { message } = next_event(&mut rx).await.kind else {
        panic!("expected a message")
    };
    assert_eq!(message.id, sent.id);
    assert_eq!(message.body, "after");
    second.stop().await;
}

async fn patient_detail_is_for_teams_that_have_the_patient_on_a_list(store: TestStore) {
    let (server, ward) = common::demo_ward_server(&store.database).await;
    let d = &server.domain;
    let nurse = d
        .create_user("nurse", "Alex Morgan", "RN", PASSWORD)
        .await
        .unwrap();
    d.create_user("outsider", "Jo Bloggs", "Porter", PASSWORD)
        .await
        .unwrap();
    let team = d.create_team("4 West", &[nurse.id]).await.unwrap();
    let first = ward.patient_ids()[0].clone();
    let list = d
        .create_list(team.id, "4 West", vec![first.clone()])
        .await
        .unwrap();
    let anon = ApiClient::new(&server.url()).unwrap();
    let (nurse_client, _) = anon.login("nurse", PASSWORD).await.unwrap();
    let (outsider, _) = anon.login("outsider", PASSWORD).await.unwrap();

    let detail = nurse_client.patient(&first).await.unwrap();
    assert_eq!(detail.patient, first);
    assert!(detail
        .stay
        .as_ref()
        .and_then(|s| s.bed.clone())
        .is_some_and(|b| b.starts_with("4W-")));
    assert_eq!(detail.news2.parameters.len(), 7);

    let refused = outsider.patient(&first).await.unwrap_err();
    assert!(
        matches!(refused, ClientError::Rejected { status: 403, .. }),
        "{refused:?}"
    );
    let other = ward.patient_ids()[1].clone();
    let not_listed = nurse_client.patient(&other).await.unwrap_err();
    assert!(
        matches!(not_listed, ClientError::Rejected { status: 403, .. }),
        "{not_listed:?}"
    );

    nurse_client.refresh(list.id, Some(&first)).await.unwrap();
    nurse_client.refresh(list.id, None).await.unwrap();
    let wrong = nurse_client
        .refresh(list.id, Some(&other))
        .await
        .unwrap_err();
    assert!(
        matches!(wrong, ClientError::Rejected { status: 404, .. }),
        "{wrong:?}"
    );
    assert!(matches!(
        outsider.refresh(list.id, None).await.unwrap_err(),
        ClientError::Rejected { status: 403, .. }
    ));
}

/// Changes at once to one list all take effect, and a deleted list stays deleted however
/// many changes were on their way to it.
async fn changes_to_a_list_at_once_all_count_and_a_deleted_list_stays_deleted(store: TestStore) {
    let (server, ward) = common::demo_ward_server(&store.database).await;
    let d = &server.domain;
    let nurse = d
        .create_user("nurse", "Alex Morgan", "RN", PASSWORD)
        .await
        .unwrap();
    d.create_team("4 West", &[nurse.id]).await.unwrap();
    let (nurse, _) = ApiClient::new(&server.url())
        .unwrap()
        .login("nurse", PASSWORD)
        .await
        .unwrap();
    let patients: Vec<String> = ward.patient_ids().iter().take(20).cloned().collect();
    assert_eq!(patients.len(), 20);
    let list = nurse.new_list("Take list").await.unwrap();
    let adds = patients.iter().map(|p| nurse.add_patient(list.id, p));
    let renames = (0..5).map(|i| {
        let nurse = nurse.clone();
        async move { nurse.rename_list(list.id, &format!("Take list {i}")).await }
    });
    let (adds, renames) = tokio::join!(
        futures_util::future::join_all(adds),
        futures_util::future::join_all(renames)
    );
    assert!(adds.iter().all(Result::is_ok), "{adds:?}");
    assert!(renames.iter().all(Result::is_ok), "{renames:?}");
    let now = nurse.lists().await.unwrap();
    let stored = now.iter().find(|l| l.id == list.id).unwrap();
    let mut on_list = stored.patient_ids.clone();
    on_list.sort();
    let mut expected = patients.clone();
    expected.sort();
    assert_eq!(on_list, expected, "no add lost to another");

    for round in 0..3 {
        let list = nurse.new_list(&format!("Round {round}")).await.unwrap();
        let changes = patients.iter().map(|p| {
            let nurse = nurse.clone();
            let p = p.clone();
            async move { nurse.add_patient(list.id, &p).await.map(|_| ()) }
        });
        let (deleted, changes) = tokio::join!(
            nurse.delete_list(list.id),
            futures_util::future::join_all(changes)
        );
        deleted.unwrap();
        for c in changes {
            match c {
                Ok(()) | Err(ClientError::Rejected { status: 404, .. }) => {}
                other => panic!("a change beside a delete is done or finds no list: {other:?}"),
            }
        }
        assert!(
            !nurse.lists().await.unwrap().iter().any(|l| l.id == list.id),
            "round {round}: a deleted list does not come back"
        );
        assert!(matches!(
            nurse.add_patient(list.id, &patients[0]).await,
            Err(ClientError::Rejected {
                status: 403 | 404,
                ..
            })
        ));
    }
}

async fn lists_are_created_changed_and_deleted_and_every_member_hears_of_it(store: TestStore) {
    let (server, ward) = common::demo_ward_server(&store.database).await;
    let d = &server.domain;
    let nurse = d
        .create_user("nurse", "Alex Morgan", "RN", PASSWORD)
        .await
        .unwrap();
    let doctor = d
        .create_user("doctor", "Priya Shah", "Registrar", PASSWORD)
        .await
        .unwrap();
    d.create_user("outsider", "Jo Bloggs", "Porter", PASSWORD)
        .await
        .unwrap();
    d.create_team("4 West", &[nurse.id, doctor.id])
        .await
        .unwrap();
    let anon = ApiClient::new(&server.url()).unwrap();
    let (nurse_c, _) = anon.login("nurse", PASSWORD).await.unwrap();
    let (doctor_c, _) = anon.login("doctor", PASSWORD).await.unwrap();
    let (outsider, _) = anon.login("outsider", PASSWORD).await.unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _stream = spawn_event_stream(doctor_c.clone(), doctor_c.me().await.unwrap().cursor, tx);
    connected(&mut rx).await;

    let list = nurse_c.new_list("Take list").await.unwrap();
    assert!(
        matches!(next_event(&mut rx).await.kind, EventKind::List { list: l } if l.id == list.id)
    );
    let renamed = nurse_c
        .rename_list(list.id, "Post-take ward round")
        .await
        .unwrap();
    assert_eq!(renamed.name, "Post-take ward round");
    assert!(
        matches!(next_event(&mut rx).await.kind, EventKind::List { list: l } if l.name == "Post-take ward round")
    );

    // Add by search: name, then MRN.
    let chart = ward.charts().next().unwrap();
    let family = chart.patient.name[0].family.clone().unwrap();
    let by_name = nurse_c
        .search_patients(&PatientQuery {
            name: Some(family.to_lowercase()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(by_name.iter().any(|p| p.id == chart.id), "{by_name:?}");
    let mrn = by_name
        .iter()
        .find(|p| p.id == chart.id)
        .unwrap()
        .mrn
        .clone();
    let by_mrn = nurse_c
        .search_patients(&PatientQuery {
            mrn: Some(mrn.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(by_mrn.len(), 1);
    nurse_c.add_patient(list.id, &chart.id).await.unwrap();
    assert!(
        matches!(next_event(&mut rx).await.kind, EventKind::List { list: l } if l.patient_ids == vec![chart.id.clone()])
    );
    assert!(matches!(
        nurse_c.add_patient(list.id, "nobody-1").await.unwrap_err(),
        ClientError::Rejected { status: 404, .. }
    ));

    // Import MRNs: one new, one already there, one unknown.
    let second = ward.charts().nth(1).unwrap();
    let second_mrn = nurse_c
        .search_patients(&PatientQuery {
            name: second.patient.name[0].family.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.id == second.id)
        .unwrap()
        .mrn;
    let imported = nurse_c
        .import_mrns(list.id, &[second_mrn, mrn, "0000000".into()])
        .await
        .unwrap();
    assert_eq!(imported.added.len(), 1);
    assert_eq!(imported.already_on_list, 1);
    assert_eq!(imported.not_found, vec!["0000000".to_string()]);
    let audited = audit_actions(&server, &second.id).await;
    assert!(
        audited.contains(&"patient_added".to_string()),
        "an import is audited per patient: {audited:?}"
    );
    assert!(
        matches!(next_event(&mut rx).await.kind, EventKind::List { list: l } if l.patient_ids.len() == 2)
    );

    let copy = nurse_c.duplicate_list(list.id, "Copy").await.unwrap();
    assert_eq!(copy.patient_ids.len(), 2);
    assert!(matches!(
        next_event(&mut rx).await.kind,
        EventKind::List { .. }
    ));
    nurse_c.remove_patient(list.id, &chart.id).await.unwrap();
    assert!(
        matches!(next_event(&mut rx).await.kind, EventKind::List { list: l } if l.patient_ids == vec![second.id.clone()])
    );

    assert!(matches!(
        outsider.rename_list(list.id, "mine").await.unwrap_err(),
        ClientError::Rejected { status: 403, .. }
    ));
    assert!(matches!(
        outsider.new_list("x").await.unwrap_err(),
        ClientError::Rejected { status: 403, .. }
    ));
    assert!(matches!(
        nurse_c.new_list("   ").await.unwrap_err(),
        ClientError::Rejected { status: 422, .. }
    ));

    nurse_c.delete_list(list.id).await.unwrap();
    assert!(
        matches!(next_event(&mut rx).await.kind, EventKind::ListDeleted { list_id } if list_id == list.id)
    );
    assert_eq!(
        doctor_c
            .lists()
            .await
            .unwrap()
            .iter()
            .map(|l| l.name.as_str())
            .collect::<Vec<_>>(),
        vec!["Copy"]
    );
}

async fn a_users_list_view_is_kept_and_a_team_default_applies_to_the_rest(store: TestStore) {
    use wardround::model::{ColumnId, ListView, SortKey};
    let (server, ward) = common::demo_ward_server(&store.database).await;
    let d = &server.domain;
    let nurse = d
        .create_user("nurse", "Alex Morgan", "RN", PASSWORD)
        .await
        .unwrap();
    let doctor = d
        .create_user("doctor", "Priya Shah", "Registrar", PASSWORD)
        .await
        .unwrap();
    let team = d
        .create_team("4 West", &[nurse.id, doctor.id])
        .await
        .unwrap();
    let list = d
        .create_list(team.id, "4 West", ward.patient_ids().to_vec())
        .await
        .unwrap();
    let anon = ApiClient::new(&server.url()).unwrap();
    let (nurse_c, _) = anon.login("nurse", PASSWORD).await.unwrap();
    let (doctor_c, _) = anon.login("doctor", PASSWORD).await.unwrap();
    assert_eq!(nurse_c.list_rows(list.id, &[]).await.unwrap().view, None);

    let team_view = ListView {
        columns: vec![ColumnId::Bed, ColumnId::Name],
        ..Default::default()
    };
    nurse_c.save_view(list.id, &team_view, true).await.unwrap();
    let mine = ListView {
        columns: vec![ColumnId::Bed, ColumnId::News2],
        sort: vec![SortKey {
            column: ColumnId::News2,
            descending: true,
        }],
        widths: [(ColumnId::Bed, 9)].into_iter().collect(),
    };
    nurse_c.save_view(list.id, &mine, false).await.unwrap();
    assert_eq!(
        nurse_c.list_rows(list.id, &[]).await.unwrap().view,
        Some(mine)
    );
    assert_eq!(
        doctor_c.list_rows(list.id, &[]).await.unwrap().view,
        Some(team_view)
    );

    let silly = ListView {
        widths: [(ColumnId::Bed, 0)].into_iter().collect(),
        ..Default::default()
    };
    assert!(matches!(
        nurse_c.save_view(list.id, &silly, false).await.unwrap_err(),
        ClientError::Rejected { status: 422, .. }
    ));
    // A scope it does not know is refused, not saved as the caller's own in its place.
    let (_, session) = anon.login("nurse", PASSWORD).await.unwrap();
    let resp = reqwest::Client::new()
        .put(format!(
            "{}/api/v1/lists/{}/view?scope=shared",
            server.url(),
            list.id
        ))
        .bearer_auth(&session.token)
        .json(&silly)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
}

async fn the_outbox_delivers_a_message_sent_while_the_server_was_down_exactly_once(
    store: TestStore,
) {
    use wardround::tui::action::{Action, Effect};
    use wardround::tui::runtime::Effects;

    let db = &store.database;
    let first = start("127.0.0.1:0", db).await;
    let addr = first.addr;
    let (nurse, _, _, chat) = people(&first).await;
    let anon = ApiClient::new(&first.url()).unwrap();
    let (doctor_client, _) = anon.login("doctor", PASSWORD).await.unwrap();
    let before = first.domain.store().latest_cursor(nurse.id).await.unwrap();
    first.stop().await;

    // Sent while nothing listens: the outbox keeps trying.
    let (tx, mut actions) = mpsc::unbounded_channel();
    let mut effects = Effects::new(doctor_client.clone(), tx, Vec::new());
    let message = text("Bed 6 cannula tissued", Priority::Normal);
    effects.run(Effect::Send {
        conversation: chat,
        message: message.clone(),
    });
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(
        actions.try_recv().is_err(),
        "nothing stored yet, nothing refused"
    );

    let second = start(&addr.to_string(), db).await;
    let stored = match tokio::time::timeout(Duration::from_secs(20), actions.recv()).await {
        Ok(Some(Action::Sent(m))) => m,
        other => panic!("the outbox did not deliver: {other:?}"),
    };
    assert_eq!(stored.id, message.id);
    // A retry of the same send (a response lost on the way back) changes nothing.
    doctor_client.send(chat, &message).await.unwrap();

    let nurse_client = anon.login("nurse", PASSWORD).await.unwrap().0;
    let messages = nurse_client.messages(chat).await.unwrap();
    assert_eq!(messages.len(), 1);
    let events = second
        .domain
        .store()
        .events_after(nurse.id, before, 100)
        .await
        .unwrap();
    let deliveries = events
        .iter()
        .filter(|e| matches!(&e.kind, EventKind::Message { message: m } if m.id == message.id))
        .count();
    assert_eq!(deliveries, 1, "delivered once to the recipient's stream");
    second.stop().await;
}

async fn a_patient_chat_is_the_teams_and_counts_in_the_unread_column(store: TestStore) {
    let (server, ward) = common::demo_ward_server(&store.database).await;
    let d = &server.domain;
    for (u, name) in [
        ("nurse", "Alex Morgan"),
        ("doctor", "Priya Shah"),
        ("outsider", "Jo Bloggs"),
    ] {
        d.create_user(u, name, "staff", PASSWORD).await.unwrap();
    }
    d.create_team_with_channel("4 West").await.unwrap();
    d.create_team_with_channel("5 North").await.unwrap();
    d.add_team_member("4 West", "nurse").await.unwrap();
    d.add_team_member("4 West", "doctor").await.unwrap();
    d.add_team_member("5 North", "outsider").await.unwrap();
    let team = d.store().team_by_name("4 West").await.unwrap().unwrap();
    let list = d
        .create_list(team.id, "All beds", ward.patient_ids().to_vec())
        .await
        .unwrap();
    let patient = ward.patient_ids()[0].clone();
    let anon = ApiClient::new(&server.url()).unwrap();
    let nurse = anon.login("nurse", PASSWORD).await.unwrap().0;
    let doctor = anon.login("doctor", PASSWORD).await.unwrap().0;
    let outsider = anon.login("outsider", PASSWORD).await.unwrap().0;

    let chat = doctor
        .patient_conversation(list.id, &patient)
        .await
        .unwrap();
    assert_eq!(chat.kind, ConversationKind::Patient);
    assert_eq!(chat.subject.as_deref(), Some(patient.as_str()));
    assert_eq!(chat.members.len(), 2, "the team's members");
    // Opening it again, by anyone on the team, is the same chat.
    let again = nurse.patient_conversation(list.id, &patient).await.unwrap();
    assert_eq!(again.id, chat.id);
    let refused = outsider
        .patient_conversation(list.id, &patient)
        .await
        .unwrap_err();
    assert!(
        matches!(refused, ClientError::Rejected { status: 403, .. }),
        "{refused:?}"
    );

    for body in ["Family visiting at 2", "Bloods back"] {
        doctor
            .send(chat.id, &text(body, Priority::Normal))
            .await
            .unwrap();
    }
    let unread = |rows: &wardround::model::ListRows| {
        rows.rows
            .iter()
            .find(|r| r.patient == patient)
            .and_then(|r| r.cell(wardround::model::ColumnId::Unread))
            .map(|c| c.text.clone())
    };
    let columns = [
        wardround::model::ColumnId::Bed,
        wardround::model::ColumnId::Unread,
    ];
    let rows = nurse.list_rows(list.id, &columns).await.unwrap();
    assert_eq!(unread(&rows).as_deref(), Some("2"));
    let rows = doctor.list_rows(list.id, &columns).await.unwrap();
    assert_eq!(
        unread(&rows).as_deref(),
        Some(""),
        "the sender has nothing unread"
    );

    // Someone who joins the team joins its patient chats; who leaves, leaves them.
    d.add_team_member("4 West", "outsider").await.unwrap();
    let joined = outsider.conversations().await.unwrap();
    assert!(joined.iter().any(|c| c.id == chat.id));
    d.remove_team_member("4 West", "outsider").await.unwrap();
    let left = outsider.conversations().await.unwrap();
    assert!(!left.iter().any(|c| c.id == chat.id));
}

/// The audit actions recorded about one patient.
async fn audit_actions(server: &RunningServer, patient: &str) -> Vec<String> {
    server
        .domain
        .audit_query(None, Some(patient.to_string()), None)
        .await
        .unwrap()
        .iter()
        .map(|e| e.action.as_str())
        .collect()
}

/// Only PostgreSQL has connections to lose: the database ends every connection the server
/// holds (a restart, a failover); the server makes new ones, a send in flight is retried
/// by the client as its outbox does, the stream resumes, and nothing is lost or doubled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(wardround_postgres_tests),
    ignore = "PostgreSQL: set WARDROUND_TEST_POSTGRES_URL to run"
)]
async fn cut_database_connections_are_made_again_and_nothing_is_lost() {
    let store = TestStore::postgres().await;
    let w = ward(&store).await;
    let nurse = login(&w, "nurse").await;
    let doctor = login(&w, "doctor").await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _stream = spawn_event_stream(nurse.clone(), nurse.me().await.unwrap().cursor, tx);
    connected(&mut rx).await;

    let mut sent = Vec::new();
    for round in 0..3 {
        assert!(
            store.cut_connections().await > 0,
            "the server held connections"
        );
        let m = text(&format!("after cut {round}"), Priority::Normal);
        let mut answers = Vec::new();
        loop {
            match doctor.send(w.chat, &m).await {
                Ok(_) => break,
                Err(e) => {
                    assert!(e.is_transient(), "a cut connection is worth a retry: {e}");
                    answers.push(e.to_string());
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
            assert!(
                answers.len() < 50,
                "the server never came back: {answers:?}"
            );
        }
        sent.push(m.id);
    }
    let mut arrived = Vec::new();
    while arrived.len() < sent.len() {
        if let EventKind::Message { message } = next_event(&mut rx).await.kind {
            arrived.push(message.id);
        }
    }
    assert_eq!(arrived, sent, "each once, in order");
    assert_eq!(doctor.messages(w.chat).await.unwrap().len(), sent.len());
}

/// A search answers from the whole EHR (names, MRNs, birth dates): a user in no care team,
/// and a patient's-room account, may not make one, and the refusal is on record.
async fn searching_the_ehr_needs_a_care_team_and_a_policy_that_allows_it(store: TestStore) {
    let (server, ward) = common::demo_ward_server(&store.database).await;
    let d = &server.domain;
    let nurse = d
        .create_user("nurse", "Alex Morgan", "RN", PASSWORD)
        .await
        .unwrap();
    let room = d
        .create_user("room12", "Room 12 tablet", "", PASSWORD)
        .await
        .unwrap();
    d.create_user("outsider", "Jo Bloggs", "Porter", PASSWORD)
        .await
        .unwrap();
    d.create_team("4 West", &[nurse.id, room.id]).await.unwrap();
    d.apply_package(
        wardround::model::Package::PatientRoom,
        &wardround::model::Assignee::User("room12".into()),
    )
    .await
    .unwrap();
    let family = ward.charts().next().unwrap().patient.name[0]
        .family
        .clone()
        .unwrap();
    let query = PatientQuery {
        name: Some(family),
        ..Default::default()
    };
    let anon = ApiClient::new(&server.url()).unwrap();
    for (who, allowed) in [("nurse", true), ("outsider", false), ("room12", false)] {
        let (client, _) = anon.login(who, PASSWORD).await.unwrap();
        match client.search_patients(&query).await {
            Ok(found) => {
                assert!(allowed, "{who} searched");
                assert!(!found.is_empty());
            }
            Err(ClientError::Rejected { status: 403, .. }) => assert!(!allowed, "{who}"),
            Err(e) => panic!("{who}: {e:?}"),
        }
    }
    let refused: Vec<String> = d
        .audit_query(None, None, None)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == wardround::model::AuditAction::PatientSearchRefused)
        .map(|e| e.actor)
        .collect();
    assert_eq!(refused, ["outsider", "room12"]);
}

/// A team's own group is the team's: leaving the team leaves it, as its channel and
/// patient chats are left.
async fn leaving_a_team_leaves_its_groups(store: TestStore) {
    let w = ward(&store).await;
    let d = &w.server.domain;
    let team = d
        .create_team("4 West", &[w.nurse.id, w.doctor.id])
        .await
        .unwrap();
    let group = d
        .create_conversation(
            ConversationKind::Group,
            "4W ward round",
            Some(team.id),
            vec![w.nurse.id, w.doctor.id],
        )
        .await
        .unwrap();
    let nurse = login(&w, "nurse").await;
    nurse
        .send(group, &text("on my way", Priority::Normal))
        .await
        .unwrap();
    d.remove_team_member("4 West", "nurse").await.unwrap();
    let read = nurse.messages(group).await.unwrap_err();
    assert!(
        matches!(read, ClientError::Rejected { status: 403, .. }),
        "{read:?}"
    );
    let post = nurse
        .send(group, &text("still here?", Priority::Normal))
        .await
        .unwrap_err();
    assert!(
        matches!(post, ClientError::Rejected { status: 403, .. }),
        "{post:?}"
    );
    assert!(nurse
        .conversations()
        .await
        .unwrap()
        .iter()
        .all(|c| c.id != group));
    // The 1:1 with the doctor is no team's: it stays.
    nurse.messages(w.chat).await.unwrap();
}

/// A retried send carries the same message; the same id with other text used to get 200
/// and the new text was dropped without a word.
async fn the_same_message_id_with_other_text_is_a_conflict(store: TestStore) {
    let w = ward(&store).await;
    let nurse = login(&w, "nurse").await;
    let first = text("Bed 4 needs a review", Priority::Normal);
    nurse.send(w.chat, &first).await.unwrap();
    nurse.send(w.chat, &first).await.unwrap();
    let other = NewMessage {
        body: "Bed 4 is fine now".into(),
        ..first.clone()
    };
    let err = nurse.send(w.chat, &other).await.unwrap_err();
    assert!(
        matches!(&err, ClientError::Rejected { status: 409, detail } if detail.contains("same message")),
        "{err:?}"
    );
    let louder = NewMessage {
        priority: Priority::Urgent,
        ..first.clone()
    };
    assert!(matches!(
        nurse.send(w.chat, &louder).await.unwrap_err(),
        ClientError::Rejected { status: 409, .. }
    ));
    let stored = nurse.messages(w.chat).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].body, "Bed 4 needs a review");
}

async fn usernames_are_unique_ignoring_case_and_at_most_64_characters(store: TestStore) {
    let w = ward(&store).await;
    let d = &w.server.domain;
    let err = d
        .create_user("Nurse", "Another Nurse", "RN", PASSWORD)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("exists already"), "{err}");
    let long = "a".repeat(65);
    let err = d
        .create_user(&long, "Long", "RN", PASSWORD)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("at most 64"), "{err}");
    d.create_user(&"b".repeat(64), "Long enough", "RN", PASSWORD)
        .await
        .unwrap();
}

/// An open event stream used to outlive its session: after a reset or a disable it went
/// on carrying every message. Now it closes, and the reconnection hears that the session
/// ended.
async fn an_ended_sessions_open_stream_closes_and_hears_nothing_more(store: TestStore) {
    let w = ward(&store).await;
    let d = &w.server.domain;
    let nurse = login(&w, "nurse").await;
    let mut password = PASSWORD.to_string();
    for (n, end) in ["reset", "disabled"].into_iter().enumerate() {
        let doctor = ApiClient::new(&w.server.url())
            .unwrap()
            .login("doctor", &password)
            .await
            .unwrap()
            .0;
        let (tx, mut rx) = mpsc::unbounded_channel();
        let stream = spawn_event_stream(doctor.clone(), doctor.me().await.unwrap().cursor, tx);
        connected(&mut rx).await;
        nurse
            .send(w.chat, &text(&format!("before {n}"), Priority::Normal))
            .await
            .unwrap();
        assert!(matches!(
            next_event(&mut rx).await.kind,
            EventKind::Message { .. }
        ));
        match end {
            "reset" => d
                .reset_password("doctor", "a one-time password 7")
                .await
                .unwrap(),
            _ => d.set_account_disabled("doctor", true).await.unwrap(),
        }
        let secret = format!("after the {end}");
        nurse
            .send(w.chat, &text(&secret, Priority::Normal))
            .await
            .unwrap();
        let ended = loop {
            match tokio::time::timeout(Duration::from_secs(30), rx.recv()).await {
                Ok(Some(StreamUpdate::Event(e))) => {
                    if let EventKind::Message { message } = &e.kind {
                        assert_ne!(message.body, secret, "{end}: the ended session heard it");
                    }
                }
                Ok(Some(StreamUpdate::SessionEnded)) => break true,
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break false,
            }
        };
        assert!(ended, "{end}: the stream said the session ended");
        stream.abort();
        if end == "reset" {
            // The doctor takes the one-time password and sets their own.
            let (again, _) = ApiClient::new(&w.server.url())
                .unwrap()
                .login("doctor", "a one-time password 7")
                .await
                .unwrap();
            password = "registrar on call 4W".into();
            again
                .change_password("a one-time password 7", &password)
                .await
                .unwrap();
        }
    }
}

async fn history_pages_back_from_a_message_of_the_conversation_and_never_another(store: TestStore) {
    let w = ward(&store).await;
    let d = &w.server.domain;
    let token = d.login("doctor", PASSWORD, "").await.unwrap().token;
    let doctor = d.authenticate(&token).await.unwrap();
    // Sent faster than the clock moves on: equal times are ordered as stored.
    for i in 0..205 {
        d.send(&doctor, w.chat, text(&format!("m{i}"), Priority::Normal))
            .await
            .unwrap();
    }
    let bodies = |page: &[wardround::model::Message]| -> Vec<String> {
        page.iter().map(|m| m.body.clone()).collect()
    };
    let expected =
        |from: usize, to: usize| -> Vec<String> { (from..to).map(|i| format!("m{i}")).collect() };
    let nurse = login(&w, "nurse").await;
    let latest = nurse.messages(w.chat).await.unwrap();
    assert_eq!(bodies(&latest), expected(105, 205), "the latest 100");
    let older = nurse.messages_before(w.chat, latest[0].id).await.unwrap();
    assert_eq!(
        bodies(&older),
        expected(5, 105),
        "the 100 before, oldest first"
    );
    let oldest = nurse.messages_before(w.chat, older[0].id).await.unwrap();
    assert_eq!(bodies(&oldest), expected(0, 5));
    let none = nurse.messages_before(w.chat, oldest[0].id).await.unwrap();
    assert!(none.is_empty(), "nothing before the first message");

    // A page is at most 100, at least 1, whatever is asked.
    let page = |limit| d.messages_before(&doctor, w.chat, Some(latest[50].id), Some(limit));
    assert_eq!(bodies(&page(500).await.unwrap()), expected(55, 155));
    assert_eq!(bodies(&page(0).await.unwrap()), expected(154, 155));

    // A message of another conversation, even one the caller is in, is no cursor here:
    // refused, never answered with that conversation's history.
    let elsewhere = d
        .create_conversation(
            ConversationKind::Direct,
            "",
            None,
            vec![w.nurse.id, w.outsider.id],
        )
        .await
        .unwrap();
    let outsider = login(&w, "outsider").await;
    let theirs = outsider
        .send(elsewhere, &text("private", Priority::Normal))
        .await
        .unwrap();
    let refused = nurse.messages_before(w.chat, theirs.id).await.unwrap_err();
    assert!(
        matches!(&refused, ClientError::Rejected { status: 404, .. }),
        "{refused:?}"
    );
    let unknown = nurse
        .messages_before(w.chat, Uuid::new_v4())
        .await
        .unwrap_err();
    assert!(
        matches!(&unknown, ClientError::Rejected { status: 404, .. }),
        "{unknown:?}"
    );
    // Nor does a cursor of a conversation the caller is in open one they are not in.
    let not_member = outsider
        .messages_before(w.chat, theirs.id)
        .await
        .unwrap_err();
    assert!(
        matches!(&not_member, ClientError::Rejected { status: 403, .. }),
        "{not_member:?}"
    );
}

/// Found walking the app: messages written while the server was down arrived out of
/// order (each retried on its own back-off, the last written first).
async fn messages_written_offline_arrive_in_the_order_they_were_written(store: TestStore) {
    use wardround::tui::action::{Action, Effect};
    use wardround::tui::runtime::Effects;

    let db = &store.database;
    let first = start("127.0.0.1:0", db).await;
    let addr = first.addr;
    let (_, _, _, chat) = people(&first).await;
    let anon = ApiClient::new(&first.url()).unwrap();
    let (doctor_client, _) = anon.login("doctor", PASSWORD).await.unwrap();
    first.stop().await;

    let (tx, mut actions) = mpsc::unbounded_channel();
    let mut effects = Effects::new(doctor_client.clone(), tx, Vec::new());
    let written: Vec<NewMessage> = [
        ("Sent while offline", Priority::Normal),
        ("Then this", Priority::Important),
        ("Urgent while offline", Priority::Urgent),
    ]
    .into_iter()
    .map(|(body, priority)| text(body, priority))
    .collect();
    for m in &written {
        effects.run(Effect::Send {
            conversation: chat,
            message: m.clone(),
        });
        // Far enough apart that each would be on its own back-off.
        tokio::time::sleep(Duration::from_millis(1200)).await;
    }
    let second = start(&addr.to_string(), db).await;
    let mut stored = Vec::new();
    while stored.len() < written.len() {
        match tokio::time::timeout(Duration::from_secs(40), actions.recv()).await {
            Ok(Some(Action::Sent(m))) => stored.push(m.id),
            other => panic!("the outbox did not deliver: {other:?}"),
        }
    }
    let ids: Vec<Uuid> = written.iter().map(|m| m.id).collect();
    assert_eq!(stored, ids, "stored in the order written");
    let on_server: Vec<Uuid> = doctor_client
        .messages(chat)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(on_server, ids);
    second.stop().await;
}

/// A send's audit row is chained after the one its group commit wrote last when that is
/// still the last row; acts audited elsewhere in between (a login) must not fork the chain.
async fn sends_between_other_audited_acts_keep_one_unbroken_audit_chain(store: TestStore) {
    let w = ward(&store).await;
    let d = &w.server.domain;
    let token = d.login("doctor", PASSWORD, "").await.unwrap().token;
    let doctor = d.authenticate(&token).await.unwrap();
    let rows_before = d.audit_verify().await.unwrap().rows;
    for i in 0..6 {
        d.send(&doctor, w.chat, text(&format!("m{i}"), Priority::Normal))
            .await
            .unwrap();
        if i % 2 == 0 {
            d.login("nurse", PASSWORD, "").await.unwrap();
        }
    }
    let verdict = d.audit_verify().await.unwrap();
    assert_eq!(verdict.broken_at, None, "{verdict:?}");
    assert_eq!(verdict.rows, rows_before + 9, "six sends and three logins");
}

on_each_store!(
    sends_between_other_audited_acts_keep_one_unbroken_audit_chain,
    history_pages_back_from_a_message_of_the_conversation_and_never_another,
    changes_to_a_list_at_once_all_count_and_a_deleted_list_stays_deleted,
    a_nul_character_is_refused_everywhere_and_fails_no_one_elses_message,
    an_ended_sessions_open_stream_closes_and_hears_nothing_more,
    the_same_message_id_with_other_text_is_a_conflict,
    usernames_are_unique_ignoring_case_and_at_most_64_characters,
    leaving_a_team_leaves_its_groups,
    searching_the_ehr_needs_a_care_team_and_a_policy_that_allows_it,
    login_with_the_right_password_gives_a_session,
    logout_ends_the_session,
    unauthenticated_requests_get_401_problem_json,
    a_message_sent_reaches_the_recipients_stream,
    resending_with_the_same_id_stores_one_message,
    receipts_move_forward_and_reach_the_sender,
    reconnecting_with_the_cursor_replays_exactly_what_was_missed,
    a_non_member_cannot_read_or_post_in_a_conversation,
    malformed_json_gets_400_problem_with_a_readable_detail,
    a_bad_id_in_the_path_is_a_400_problem,
    an_empty_message_is_refused_with_a_reason,
    the_stream_resumes_by_itself_across_a_server_restart,
    patient_detail_is_for_teams_that_have_the_patient_on_a_list,
    lists_are_created_changed_and_deleted_and_every_member_hears_of_it,
    a_users_list_view_is_kept_and_a_team_default_applies_to_the_rest,
    the_outbox_delivers_a_message_sent_while_the_server_was_down_exactly_once,
    messages_written_offline_arrive_in_the_order_they_were_written,
    a_patient_chat_is_the_teams_and_counts_in_the_unread_column,
);
