//! Lists that keep themselves from the EHR: a ward's census over HTTP (the EHR double
//! serving the demo ward, changed between refreshes as an EHR's users would) and an EHR's
//! own FHIR `List`.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use serde_json::{json, Value};
use tokio::sync::mpsc;
use wardround::client::{spawn_event_stream, ApiClient, StreamUpdate};
use wardround::demo::ward;
use wardround::ehr_double::{EhrDouble, R4_METADATA};
use wardround::fhir::http::{EhrConfig, HttpSource};
use wardround::model::{AuditAction, ColumnId, EventKind, ListSource};
use wardround::server::clock::ManualClock;
use wardround::server::domain::census::{NewSource, CENSUS_ACTOR};
use wardround::server::domain::{Domain, DomainError, Session};
use wardround::server::RunningServer;

use crate::common::{self, TestStore, PASSWORD};

struct Ward {
    ehr: Arc<EhrDouble>,
    server: RunningServer,
    session: Session,
    clock: Arc<ManualClock>,
    _store: TestStore,
}

impl Ward {
    fn domain(&self) -> &Domain {
        &self.server.domain
    }

    /// The stay of `patient` as the EHR serves it now.
    fn stay(&self, patient: &str) -> Value {
        self.ehr
            .get("Encounter", &format!("{patient}-stay"))
            .unwrap()
    }

    /// The bed (a Location id) a patient's stay is in now.
    fn bed_of(&self, patient: &str) -> String {
        let stay = self.stay(patient);
        let places = stay["location"].as_array().unwrap();
        let last = places.last().unwrap()["location"]["reference"]
            .as_str()
            .unwrap();
        last.trim_start_matches("Location/").to_string()
    }

    fn bed_name(&self, bed: &str) -> String {
        self.ehr.get("Location", bed).unwrap()["name"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

/// The demo ward served over HTTP (`latency_ms` added to every answer), a server on
/// `store` reading it with no census refresh of its own (the tests call it), and the
/// nurse, on a team, logged in.
async fn ward_on(store: TestStore, latency_ms: u64) -> Ward {
    let now = Utc::now();
    let bundle = ward::generate(wardround::demo::SEED, now);
    let ehr = EhrDouble::from_bundles(vec![bundle], R4_METADATA.as_bytes().to_vec()).unwrap();
    ehr.latency_ms
        .store(latency_ms, std::sync::atomic::Ordering::SeqCst);
    let mut config = EhrConfig::new(&ehr.serve().await.unwrap());
    config.timeout = Duration::from_secs(10);
    config.cache_ttl = Duration::ZERO;
    let source = Arc::new(HttpSource::new(config).unwrap());
    let clock = Arc::new(ManualClock::new(now));
    let options = wardround::server::Options {
        clock: clock.clone(),
        census_refresh: None,
        ..Default::default()
    };
    let server = wardround::server::start_with(
        "127.0.0.1:0".parse().unwrap(),
        store.database.clone(),
        source,
        options,
    )
    .await
    .unwrap();
    let d = &server.domain;
    let nurse = d
        .create_user("nurse", "Alex Morgan", "RN", PASSWORD)
        .await
        .unwrap();
    d.create_team("4 West", &[nurse.id]).await.unwrap();
    let session = d
        .authenticate(&d.login("nurse", PASSWORD, "ws-1").await.unwrap().token)
        .await
        .unwrap();
    Ward {
        ehr,
        server,
        session,
        clock,
        _store: store,
    }
}

async fn census_list(w: &Ward) -> wardround::model::PatientList {
    w.domain()
        .new_sourced_list(
            &w.session,
            None,
            "4 West census",
            NewSource::Census("4 West".into()),
        )
        .await
        .unwrap()
}

async fn list_now(w: &Ward, id: uuid::Uuid) -> wardround::model::PatientList {
    w.domain()
        .lists(&w.session)
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.id == id)
        .unwrap()
}

async fn census_acts(w: &Ward) -> Vec<(AuditAction, String)> {
    w.domain()
        .audit_query(Some(CENSUS_ACTOR.into()), None, None)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.patient.unwrap_or_default()))
        .collect()
}

async fn admission_transfer_and_discharge_reach_the_list(store: TestStore) {
    let w = ward_on(store, 0).await;
    let d = w.domain();
    let list = census_list(&w).await;
    let stays = w
        .ehr
        .all("Encounter")
        .iter()
        .filter(|e| e["status"] == "in-progress")
        .count();
    assert_eq!(list.patient_ids.len(), stays, "everyone in the ward");
    assert!(
        list.marks.is_empty(),
        "those there at the start are not new"
    );
    assert!(matches!(
        &list.source,
        Some(ListSource::Census { location_id, location_name, .. })
            if location_id == "Location/ward-4w" && location_name == "4 West"
    ));
    let nurse = ApiClient::new(&w.server.url())
        .unwrap()
        .login("nurse", PASSWORD)
        .await
        .unwrap()
        .0;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _stream = spawn_event_stream(nurse.clone(), nurse.me().await.unwrap().cursor, tx);

    // Between two refreshes: one sent home, another moved into their bed, and a new
    // patient admitted to the bed that freed.
    let (moving, leaving) = (list.patient_ids[0].clone(), list.patient_ids[1].clone());
    let (freed, moved_from) = (w.bed_of(&leaving), w.bed_of(&moving));
    let now = Utc::now();
    w.ehr.put(ward::discharged(w.stay(&leaving), now));
    w.ehr.put(ward::transferred(w.stay(&moving), &freed, now));
    for r in ward::admission(wardround::demo::SEED, 90, &moved_from, now) {
        w.ehr.put(r);
    }
    let arrived = "demo-90".to_string();
    let new_bed_name = w.bed_name(&freed);

    assert_eq!(d.refresh_sources().await, 1, "the list changed");
    let list = list_now(&w, list.id).await;
    assert_eq!(
        list.patient_ids.last(),
        Some(&arrived),
        "the admission at the end"
    );
    assert!(list.mark(&arrived).new, "marked new");
    assert!(
        list.mark(&leaving).gone_at.is_some(),
        "the discharge kept, greyed"
    );
    assert!(list.patient_ids.contains(&leaving));
    assert!(!list.mark(&moving).new && list.mark(&moving).gone_at.is_none());

    // Whoever has the list open hears of it.
    let heard = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(update) = rx.recv().await {
            if let StreamUpdate::Event(e) = update {
                if let EventKind::List { list: l } = e.kind {
                    if l.id == list.id && l.mark(&arrived).new {
                        return l;
                    }
                }
            }
        }
        panic!("the stream ended");
    })
    .await
    .expect("the change reaches the open list");
    assert!(heard.mark(&leaving).gone_at.is_some());

    // The moved patient's bed is where they are now: their chart is read again (a
    // slow read shows the last known row, marked still coming, until it is in).
    let rows = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let rows = d
                .list_rows(&w.session, list.id, &[ColumnId::Bed, ColumnId::Name], false)
                .await
                .unwrap();
            let row = rows.rows.iter().find(|r| r.patient == moving).unwrap();
            if !row.pending {
                return rows;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the moved patient's chart is read again");
    let row = rows.rows.iter().find(|r| r.patient == moving).unwrap();
    assert_eq!(row.cell(ColumnId::Bed).unwrap().text, new_bed_name);
    // The discharged patient shows as they left: their name, their last bed.
    let gone = rows.rows.iter().find(|r| r.patient == leaving).unwrap();
    assert_eq!(gone.cell(ColumnId::Bed).unwrap().text, new_bed_name);
    assert!(gone.cell(ColumnId::Name).unwrap().text.contains(','));
    assert!(!gone.pending && gone.problem.is_none(), "{gone:?}");

    // Each change is an audit row, in the census's name.
    let acts = census_acts(&w).await;
    for (action, patient) in [
        (AuditAction::PatientAdmitted, &arrived),
        (AuditAction::PatientTransferred, &moving),
        (AuditAction::PatientDischarged, &leaving),
    ] {
        assert_eq!(
            acts.iter()
                .filter(|(a, p)| *a == action && p == patient)
                .count(),
            1,
            "{action:?} of {patient} once: {acts:?}"
        );
    }

    // Asked again with nothing new: nothing changes, nothing more is audited.
    assert_eq!(d.refresh_sources().await, 0);
    assert_eq!(census_acts(&w).await.len(), acts.len());

    // Someone selects the admission: no longer new, for anyone.
    let seen = nurse.mark_seen(list.id, &arrived).await.unwrap();
    assert!(!seen.mark(&arrived).new);

    // The census keeps the list: no one adds or removes by hand.
    let refused = d
        .remove_patient(&w.session, list.id, &moving)
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, DomainError::Conflict(m) if m.contains("census of 4 West")),
        "{refused:?}"
    );

    // The next day the discharge leaves the list.
    w.clock.advance(chrono::Duration::days(1));
    assert_eq!(d.refresh_sources().await, 1);
    let list = list_now(&w, list.id).await;
    assert!(!list.patient_ids.contains(&leaving), "gone the next day");
    assert!(census_acts(&w)
        .await
        .iter()
        .any(|(a, p)| *a == AuditAction::PatientRemoved && *p == leaving));
}

#[tokio::test]
async fn a_census_list_follows_admissions_transfers_and_discharges_on_sqlite() {
    admission_transfer_and_discharge_reach_the_list(TestStore::sqlite()).await;
}

#[tokio::test]
async fn a_census_list_follows_admissions_transfers_and_discharges_on_postgres() {
    if std::env::var("WARDROUND_TEST_POSTGRES_URL").is_err() {
        return;
    }
    admission_transfer_and_discharge_reach_the_list(TestStore::postgres().await).await;
}

#[tokio::test]
async fn a_census_list_never_read_shows_names_and_beds_before_the_charts_arrive() {
    let w = ward_on(TestStore::sqlite(), 0).await;
    let list = census_list(&w).await;
    // Every chart read from now on takes 2 s: the rows come before them.
    w.ehr
        .latency_ms
        .store(2_000, std::sync::atomic::Ordering::SeqCst);
    let rows = w
        .domain()
        .list_rows(&w.session, list.id, &[ColumnId::Bed, ColumnId::Name], false)
        .await
        .unwrap();
    assert_eq!(rows.rows.len(), list.patient_ids.len());
    for row in &rows.rows {
        assert!(row.pending, "the chart is still coming: {row:?}");
        let name = &row.cell(ColumnId::Name).unwrap().text;
        let bed = &row.cell(ColumnId::Bed).unwrap().text;
        assert!(name.contains(','), "a name from the census: {name}");
        assert!(bed.starts_with("4W-"), "a bed from the census: {bed}");
    }
}

#[tokio::test]
async fn a_list_kept_from_an_ehr_list_follows_its_entries() {
    let w = ward_on(TestStore::sqlite(), 0).await;
    let entry = |p: &str| json!({"item": {"reference": format!("Patient/{p}")}});
    let round = |who: &[&str]| {
        json!({
            "resourceType": "List", "id": "consult-round", "status": "current", "mode": "working",
            "title": "Cardiology consults",
            "code": {"coding": [{"system": "urn:wardround:test", "code": "consults"}]},
            "entry": who.iter().map(|p| entry(p)).collect::<Vec<_>>(),
        })
    };
    w.ehr.put(round(&["demo-01", "demo-02"]));
    let d = w.domain();
    let list = d
        .new_sourced_list(
            &w.session,
            None,
            "Consults",
            NewSource::FhirList("List?code=consults".into()),
        )
        .await
        .unwrap();
    assert_eq!(list.patient_ids, vec!["demo-01", "demo-02"]);
    assert!(matches!(
        &list.source,
        Some(ListSource::FhirList { title, .. }) if title == "Cardiology consults"
    ));

    w.ehr.put(round(&["demo-01", "demo-03"]));
    assert_eq!(d.refresh_sources().await, 1);
    let list = list_now(&w, list.id).await;
    assert!(list.mark("demo-03").new);
    assert!(list.mark("demo-02").gone_at.is_some());

    // By id too; and what is not a List is said plainly.
    let by_id = d
        .new_sourced_list(
            &w.session,
            None,
            "Consults by id",
            NewSource::FhirList("List/consult-round".into()),
        )
        .await
        .unwrap();
    assert_eq!(by_id.patient_ids, vec!["demo-01", "demo-03"]);

    // Emptied: a glitch is not believed the first time, only when it says so again.
    w.ehr.put(round(&[]));
    assert_eq!(d.refresh_sources().await, 0, "once: not believed");
    assert!(list_now(&w, list.id)
        .await
        .mark("demo-01")
        .gone_at
        .is_none());
    assert_eq!(d.refresh_sources().await, 2, "twice: both lists empty");
    assert!(list_now(&w, list.id)
        .await
        .mark("demo-01")
        .gone_at
        .is_some());
    let wrong = d
        .new_sourced_list(
            &w.session,
            None,
            "x",
            NewSource::FhirList("Patient/1".into()),
        )
        .await
        .unwrap_err();
    assert!(wrong.to_string().contains("List/ID"), "{wrong}");
}

#[tokio::test]
async fn the_cli_makes_a_census_list_and_says_what_it_follows() {
    let w = ward_on(TestStore::sqlite(), 0).await;
    let url = w.server.url();
    let run = |args: Vec<&str>| {
        let url = url.clone();
        let args: Vec<String> = args.into_iter().map(str::to_string).collect();
        tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            common::run_as_nurse(&url, &args)
        })
    };
    let (ok, out, err) = run(vec!["lists", "new", "4W", "--census", "4 West"])
        .await
        .unwrap();
    assert!(ok, "{err}");
    assert!(
        out.contains("created 4W, following the census of 4 West (Location/ward-4w): ")
            && out.contains(" patients now"),
        "{out}"
    );
    let (ok, _, err) = run(vec!["lists", "new", "4w", "--census", "4 West"])
        .await
        .unwrap();
    assert!(!ok && err.contains("a list called \"4w\" already"), "{err}");
    let (ok, out, _) = run(vec!["lists"]).await.unwrap();
    assert!(ok && out.contains("census of 4 West"), "{out}");

    // Sent home: off the rounding sheet, and said so.
    w.ehr.put(ward::discharged(w.stay("demo-01"), Utc::now()));
    assert_eq!(w.domain().refresh_sources().await, 1);
    let (ok, out, err) = run(vec!["export", "--list", "4W", "--format", "csv"])
        .await
        .unwrap();
    assert!(ok, "{err}");
    assert!(!out.contains("demo-01,"), "{out}");
    assert!(out.contains("demo-02,"), "{out}");
    assert!(
        err.contains("1 discharged today left off the sheet"),
        "{err}"
    );
    let (_, out, _) = run(vec!["lists"]).await.unwrap();
    assert!(out.contains("(1 discharged)"), "{out}");
    let (ok, _, err) = run(vec!["lists", "new", "Nowhere", "--census", "Ward 99"])
        .await
        .unwrap();
    assert!(!ok);
    assert!(err.contains("no location named \"Ward 99\""), "{err}");
    let csv = w.server.url().len(); // any MRN: the list refuses before the EHR is asked
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), format!("MRN\n{csv}\n")).unwrap();
    let path = file.path().display().to_string();
    let (ok, _, err) = run(vec!["import-mrns", "--list", "4W", &path])
        .await
        .unwrap();
    assert!(!ok && err.contains("follows the census"), "{err}");
}

#[tokio::test]
async fn a_ward_is_found_by_the_start_of_its_name() {
    let w = ward_on(TestStore::sqlite(), 0).await;
    let nurse = ApiClient::new(&w.server.url())
        .unwrap()
        .login("nurse", PASSWORD)
        .await
        .unwrap()
        .0;
    let found = nurse.find_locations("4 w").await.unwrap();
    assert_eq!(
        found[0].reference, "Location/ward-4w",
        "the ward first: {found:?}"
    );
    assert_eq!(found[0].name, "4 West");
    assert_eq!(found[0].kind.as_deref(), Some("ward"));
    let rooms = nurse.find_locations("4W-1").await.unwrap();
    let room = rooms.iter().find(|l| l.name == "4W-1").unwrap();
    assert_eq!(room.kind.as_deref(), Some("room"));
    assert_eq!(
        room.part_of.as_deref(),
        Some("4 West"),
        "by name: {rooms:?}"
    );
    let empty = nurse.find_locations("  ").await.unwrap_err();
    assert!(empty.to_string().contains("1 to 80"), "{empty}");
}

/// What a census list is made from is checked before the EHR is asked: a bad one is the
/// asker's 422, a ward the EHR does not have a 404, and neither counts against the EHR.
#[tokio::test]
async fn a_census_or_list_that_cannot_name_anything_is_refused_and_the_ehr_stays_trusted() {
    let w = ward_on(TestStore::sqlite(), 0).await;
    let http = reqwest::Client::new();
    let base = format!("{}/api/v1", w.server.url());
    let token = http
        .post(format!("{base}/session"))
        .json(&json!({"username": "nurse", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let make = |body: Value| {
        http.post(format!("{base}/lists"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let huge = "A".repeat(100_000);
    for (body, status) in [
        (json!({"name": "x", "census": huge}), 422),
        (json!({"name": "x", "census": ""}), 422),
        (json!({"name": "x", "census": "Location/../../x"}), 422),
        (json!({"name": "x", "census": "4 West\u{1b}[2J"}), 422),
        (json!({"name": "x", "fhir_list": "List?_include=*"}), 422),
        (
            json!({"name": "x", "fhir_list": "List?code=x&_format=xml"}),
            422,
        ),
        (json!({"name": "x", "fhir_list": "http://evil/List/1"}), 422),
        (json!({"name": "x", "fhir_list": "Patient?name=a"}), 422),
        (
            json!({"name": "x", "census": "4 West", "fhir_list": "List/a"}),
            422,
        ),
        (json!({"name": "x", "census": "Ward 99"}), 404),
        (json!({"name": "x", "fhir_list": "List/no-such"}), 404),
    ] {
        let answer = make(body.clone()).await.unwrap();
        let got = answer.status().as_u16();
        let text = answer.text().await.unwrap();
        assert_eq!(got, status, "{body}: {text}");
        assert!(
            text.len() < 2_000,
            "the refusal does not echo the input back"
        );
    }
    // The EHR was never out of reach: a ward search right after answers.
    let found = http
        .get(format!("{base}/locations?name=4"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(found.status(), 200, "{}", found.text().await.unwrap());
}

/// The EHR goes down: each row says it could not be read, and still who and where.
#[tokio::test]
async fn a_census_list_over_a_down_ehr_still_says_who_is_in_which_bed() {
    let w = ward_on(TestStore::sqlite(), 0).await;
    let list = census_list(&w).await;
    w.ehr.down.store(true, std::sync::atomic::Ordering::SeqCst);
    let rows = w
        .domain()
        .list_rows(
            &w.session,
            list.id,
            &[ColumnId::Bed, ColumnId::Name, ColumnId::News2],
            true,
        )
        .await
        .unwrap();
    for row in &rows.rows {
        assert!(row.problem.is_some(), "{row:?}");
        assert_eq!(row.cell(ColumnId::News2).unwrap().text, "?");
        assert!(
            row.cell(ColumnId::Name).unwrap().text.contains(','),
            "{row:?}"
        );
        assert!(
            row.cell(ColumnId::Bed).unwrap().text.starts_with("4W-"),
            "{row:?}"
        );
    }
    // Nothing is lost: the census could not be asked, and the list stays as it was.
    assert_eq!(w.domain().refresh_sources().await, 0);
    assert_eq!(list_now(&w, list.id).await.patient_ids, list.patient_ids);
    assert!(list_now(&w, list.id).await.marks.is_empty());
}

/// Six requests at once for one name, each waiting on the EHR: one list is made.
#[tokio::test]
async fn a_list_name_is_taken_once_however_many_ask_at_once() {
    let w = ward_on(TestStore::sqlite(), 50).await;
    let d = w.domain();
    let tries = (0..6)
        .map(|_| d.new_sourced_list(&w.session, None, "Race", NewSource::Census("4 West".into())));
    let made = futures_util::future::join_all(tries).await;
    assert_eq!(made.iter().filter(|m| m.is_ok()).count(), 1, "{made:?}");
    assert!(made
        .iter()
        .filter_map(|m| m.as_ref().err())
        .all(|e| matches!(e, DomainError::Conflict(_))));
}

/// A stay whose patient the EHR does not have: the row still says which bed.
#[tokio::test]
async fn an_admission_the_ehr_cannot_give_still_shows_its_bed() {
    let w = ward_on(TestStore::sqlite(), 0).await;
    let list = census_list(&w).await;
    let moving = list.patient_ids[0].clone();
    let bed = w.bed_of(&moving);
    w.ehr.put(ward::discharged(w.stay(&moving), Utc::now()));
    let mut stay = w.stay(&moving);
    stay["id"] = json!("ghost-stay");
    stay["subject"]["reference"] = json!("Patient/ghost");
    stay["status"] = json!("in-progress");
    stay["location"] =
        json!([{"location": {"reference": format!("Location/{bed}")}, "status": "active"}]);
    w.ehr.put(stay);
    assert_eq!(w.domain().refresh_sources().await, 1);
    let rows = w
        .domain()
        .list_rows(&w.session, list.id, &[ColumnId::Bed, ColumnId::Name], true)
        .await
        .unwrap();
    let ghost = rows.rows.iter().find(|r| r.patient == "ghost").unwrap();
    assert!(ghost.problem.is_some(), "{ghost:?}");
    assert_eq!(ghost.cell(ColumnId::Bed).unwrap().text, w.bed_name(&bed));
}
