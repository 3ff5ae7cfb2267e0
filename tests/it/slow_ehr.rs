//! A slow, failing or vanished EHR (the test EHR with latency and faults): imports go on
//! concurrently and report each MRN, exports say when the EHR gave nothing, and /readyz
//! notices the EHR going and coming back.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use wardround::client::{spawn_event_stream, ApiClient, StreamUpdate};
use wardround::fhir::http::{EhrConfig, HttpSource};
use wardround::fhir::{BundleSource, FhirSource};
use wardround::model::{ColumnId, EventKind, PatientList, PatientQuery, PatientSummary};
use wardround::server::RunningServer;

use crate::common::{self, PASSWORD};
use crate::ehr::{self, fixtures, EhrDouble, TestEhr};

/// Two patients who share an MRN: an EHR's merge not yet done.
const TWINS: &str = r#"{"resourceType":"Bundle","type":"collection","entry":[
  {"resource":{"resourceType":"Patient","id":"twin-a","identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}]},"value":"DUP-1"}],"name":[{"family":"Twin","given":["Ann"]}]}},
  {"resource":{"resourceType":"Patient","id":"twin-b","identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}]},"value":"DUP-1"}],"name":[{"family":"Twin","given":["Bea"]}]}}
]}"#;

struct Ward {
    ehr: Arc<EhrDouble>,
    server: RunningServer,
    list: PatientList,
    /// Patients of the fixtures, as a search shows them.
    patients: Vec<PatientSummary>,
    _dir: tempfile::TempDir,
}

/// A server reading the R4 fixtures from the test EHR over HTTP, charts never cached, and
/// the nurse on a team with an empty list `Take`.
async fn ward() -> Ward {
    ward_caching(Duration::ZERO).await
}

async fn ward_caching(cache_ttl: Duration) -> Ward {
    let dir = tempfile::tempdir().unwrap();
    let mut bundles = TestEhr::bundles_in(&fixtures().join("r4"));
    let (extract, _) = BundleSource::load_dir(&fixtures().join("r4")).unwrap();
    bundles.push(TWINS.as_bytes().to_vec());
    let ehr = TestEhr::from_bundles(
        bundles,
        &fixtures().join("capability/r4/smart-minimal-no-resources-4.0.0.json"),
    );
    let mut config = EhrConfig::new(&ehr::serve(&ehr).await);
    config.timeout = Duration::from_secs(10);
    config.max_retries = 0;
    config.cache_ttl = cache_ttl;
    config.status_fresh = Duration::from_millis(200);
    let source = Arc::new(HttpSource::new(config).unwrap());
    let server = wardround::server::start(
        "127.0.0.1:0".parse().unwrap(),
        dir.path().join("w.sqlite"),
        source,
    )
    .await
    .unwrap();
    let d = &server.domain;
    let nurse = d
        .create_user("nurse", "Alex Morgan", "RN", PASSWORD)
        .await
        .unwrap();
    let team = d.create_team("4 West", &[nurse.id]).await.unwrap();
    let list = d.create_list(team.id, "Take", vec![]).await.unwrap();
    let mut patients = Vec::new();
    for id in extract.patient_ids() {
        let chart = extract.chart(id).await.unwrap().unwrap();
        let found = extract
            .search(&PatientQuery {
                name: chart.patient.name.first().and_then(|n| n.family.clone()),
                ..Default::default()
            })
            .await
            .unwrap();
        patients.extend(found.into_iter().filter(|p| p.id == *id && p.mrn != "—"));
    }
    assert!(patients.len() >= 2, "fixtures with MRNs: {patients:?}");
    Ward {
        ehr,
        server,
        list,
        patients,
        _dir: dir,
    }
}

/// The nurse's session, with `patients` added to the list `Take`.
async fn on_the_list<'w>(
    w: &'w Ward,
    patients: &[&PatientSummary],
) -> (
    &'w wardround::server::domain::Domain,
    wardround::server::domain::Session,
) {
    let d = &w.server.domain;
    let session = d
        .authenticate(&d.login("nurse", PASSWORD, "").await.unwrap().token)
        .await
        .unwrap();
    for p in patients {
        d.add_patient(&session, w.list.id, &p.id).await.unwrap();
    }
    (d, session)
}

async fn run(w: &Ward, args: &[&str]) -> (bool, String, String) {
    let url = w.server.url();
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        common::run_as_nurse(&url, &args)
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn an_import_searches_together_adds_what_it_finds_and_reports_every_mrn() {
    let w = ward().await;
    w.ehr.latency_ms.store(150, Ordering::SeqCst);
    *w.ehr.fail_matching.lock().unwrap() = Some("identifier=FAIL-1".into());
    let (a, b) = (&w.patients[0], &w.patients[1]);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("take.csv");
    std::fs::write(
        &csv,
        format!(
            "MRN\n{}\n{}\nNOPE-0\nDUP-1\nFAIL-1\n{}\n",
            a.mrn, b.mrn, a.mrn
        ),
    )
    .unwrap();
    let (ok, out, err) = run(
        &w,
        &["import-mrns", "--list", "take", &csv.display().to_string()],
    )
    .await;
    assert!(!ok, "an EHR error is a failure a script sees: {out}");
    assert!(
        err.contains("could not be asked about 1 of 5 MRNs"),
        "{err}"
    );
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with(&format!("{}\tadded  ", a.mrn)),
        "{out}"
    );
    assert!(
        lines[1].starts_with(&format!("{}\tadded  ", b.mrn)),
        "{out}"
    );
    assert_eq!(lines[2], "NOPE-0\tnot found", "{out}");
    assert_eq!(
        lines[3], "DUP-1\tambiguous  (2 patients have this MRN)",
        "{out}"
    );
    assert!(lines[4].starts_with("FAIL-1\tEHR error  ("), "{out}");
    assert_eq!(
        lines[5],
        "Take: 2 added, 0 already on the list, 1 not found, 1 ambiguous, 1 EHR errors"
    );
    assert_eq!(lines[6], "1 repeated MRNs in the file were looked up once");
    // The repeat of the first MRN (after the BOM a spreadsheet writes) is looked up once.
    let again = dir.path().join("again.csv");
    std::fs::write(&again, format!("\u{feff}MRN\n{}\n{}\n", a.mrn, a.mrn)).unwrap();
    *w.ehr.fail_matching.lock().unwrap() = None;
    let (ok, out, err) = run(
        &w,
        &[
            "import-mrns",
            "--list",
            "take",
            &again.display().to_string(),
        ],
    )
    .await;
    assert!(ok, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with(&format!("{}\talready on the list  ", a.mrn)),
        "{out}"
    );
    assert!(
        lines[1].starts_with("Take: 0 added, 1 already on the list"),
        "{out}"
    );
    assert_eq!(
        lines[2], "1 repeated MRNs in the file were looked up once",
        "{out}"
    );
    let mut stored = w
        .server
        .domain
        .store()
        .list(w.list.id)
        .await
        .unwrap()
        .unwrap()
        .patient_ids;
    stored.sort();
    let mut expected = vec![a.id.clone(), b.id.clone()];
    expected.sort();
    assert_eq!(stored, expected, "each found patient is on the list");
    assert!(
        w.ehr.most_in_flight.load(Ordering::SeqCst) >= 4,
        "the searches went to the EHR together, not one after another"
    );
}

#[tokio::test]
async fn an_import_refuses_more_than_it_should_ask_the_ehr() {
    let w = ward().await;
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("huge.csv");
    let many: String = (0..1_001).map(|i| format!("M{i}\n")).collect();
    std::fs::write(&csv, many).unwrap();
    let (ok, _, err) = run(
        &w,
        &["import-mrns", "--list", "take", &csv.display().to_string()],
    )
    .await;
    assert!(!ok && err.contains("at most 1000 MRNs"), "{err}");
    assert!(
        w.ehr
            .requests()
            .iter()
            .all(|(q, _)| !q.contains("identifier=")),
        "nothing was asked of the EHR"
    );
}

#[tokio::test]
async fn an_export_the_ehr_gave_nothing_for_fails_and_says_so() {
    let w = ward().await;
    let (a, b) = (&w.patients[0], &w.patients[1]);
    on_the_list(&w, &[a, b]).await;
    let export = [
        "export",
        "--list",
        "Take",
        "--columns",
        "name,news2",
        "--format",
        "csv",
    ];

    *w.ehr.fail_matching.lock().unwrap() = Some(format!("Patient/{}", a.id));
    let (ok, out, err) = run(&w, &export).await;
    assert!(ok, "one patient missing is a warning: {err}");
    assert!(err.contains("could not give 1 of 2 patients"), "{err}");
    assert_eq!(out.lines().count(), 3, "{out}");

    w.ehr.down.store(true, Ordering::SeqCst);
    let (ok, out, err) = run(&w, &export).await;
    assert!(!ok, "a list of ? is not a list: {out}");
    assert!(
        err.contains("could give none of the 2 patients on Take"),
        "{err}"
    );
    assert!(out.lines().skip(1).all(|l| l.contains('?')), "{out}");
}

#[tokio::test]
async fn readyz_asks_the_ehr_again_and_sees_it_go_and_come_back() {
    let w = ward().await;
    let readyz = || async {
        let resp = reqwest::get(format!("{}/readyz", w.server.url()))
            .await
            .unwrap();
        (resp.status().as_u16(), resp.text().await.unwrap())
    };
    let metadata_asked = || {
        w.ehr
            .requests()
            .iter()
            .filter(|(q, _)| q.ends_with("/metadata"))
            .count()
    };
    let (status, body) = readyz().await;
    assert_eq!(status, 200, "{body}");
    let asked = metadata_asked();
    let (status, _) = readyz().await;
    assert_eq!(status, 200);
    assert_eq!(metadata_asked(), asked, "a fresh answer is reused");

    w.ehr.down.store(true, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, body) = readyz().await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("metadata at http://127.0.0.1"), "{body}");
    assert!(metadata_asked() > asked, "it asked again");

    w.ehr.down.store(false, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, body) = readyz().await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn a_slow_ehr_list_answers_at_once_and_its_cells_fill_in_as_the_charts_arrive() {
    let w = ward_caching(Duration::from_secs(60)).await;
    let (a, b) = (&w.patients[0], &w.patients[1]);
    let (d, session) = on_the_list(&w, &[a, b]).await;
    // "Fetch latest": what adding them read is not used.
    d.refresh(&session, w.list.id, None).await.unwrap();
    w.ehr.latency_ms.store(1_200, Ordering::SeqCst);
    let reads_before = |id: &str| {
        w.ehr
            .requests()
            .iter()
            .filter(|(q, _)| q.ends_with(&format!("/Patient/{id}")))
            .count()
    };
    let before = [reads_before(&a.id), reads_before(&b.id)];
    let nurse = ApiClient::new(&w.server.url())
        .unwrap()
        .login("nurse", PASSWORD)
        .await
        .unwrap()
        .0;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _stream = spawn_event_stream(nurse.clone(), nurse.me().await.unwrap().cursor, tx);
    let columns = [ColumnId::Name, ColumnId::News2];

    // Opened on two workstations at once: both answered before the EHR, one read each;
    // meanwhile what adding them read stands in (names kept, marked still coming).
    let (one, two) = tokio::join!(
        nurse.list_rows(w.list.id, &columns),
        nurse.list_rows(w.list.id, &columns)
    );
    for rows in [one.unwrap(), two.unwrap()] {
        assert_eq!(rows.rows.len(), 2);
        assert!(rows.rows.iter().all(|r| r.pending), "{:?}", rows.rows);
        let names: Vec<&str> = rows
            .rows
            .iter()
            .map(|r| r.columns[&ColumnId::Name].text.as_str())
            .collect();
        assert!(names.contains(&a.name.as_str()), "{names:?}");
    }

    let mut filled = std::collections::BTreeSet::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while filled.len() < 2 {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(StreamUpdate::Event(e))) => {
                if let EventKind::ListFilled { list_id, patients } = e.kind {
                    assert_eq!(list_id, w.list.id);
                    filled.extend(patients);
                }
            }
            Ok(Some(_)) => {}
            other => panic!("no list_filled for every patient: {filled:?} ({other:?})"),
        }
    }
    assert_eq!(filled, [a.id.clone(), b.id.clone()].into_iter().collect());

    let rows = nurse.list_rows(w.list.id, &columns).await.unwrap();
    assert!(rows.rows.iter().all(|r| !r.pending && r.problem.is_none()));
    let names: Vec<&str> = rows
        .rows
        .iter()
        .map(|r| r.columns[&ColumnId::Name].text.as_str())
        .collect();
    assert!(names.contains(&a.name.as_str()), "{names:?}");
    for (p, before) in [a, b].into_iter().zip(before) {
        assert_eq!(
            reads_before(&p.id) - before,
            1,
            "one read of Patient/{} for both workstations",
            p.id
        );
    }
}

#[tokio::test]
async fn a_list_over_a_failing_ehr_settles_instead_of_reloading_itself() {
    let w = ward_caching(Duration::from_secs(60)).await;
    let all: Vec<&PatientSummary> = w.patients.iter().collect();
    let (d, session) = on_the_list(&w, &all).await;
    d.refresh(&session, w.list.id, None).await.unwrap();
    // Slow to fail: past the list's half second, so the first answer is all `…`.
    w.ehr.latency_ms.store(800, Ordering::SeqCst);
    w.ehr.down.store(true, Ordering::SeqCst);
    let nurse = ApiClient::new(&w.server.url())
        .unwrap()
        .login("nurse", PASSWORD)
        .await
        .unwrap()
        .0;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _stream = spawn_event_stream(nurse.clone(), nurse.me().await.unwrap().cursor, tx);
    let columns = [ColumnId::Name];
    // Three workstations of the nurse open it at once; each reads again on every
    // `list_filled` while a row is still coming, as the app does.
    let opened =
        futures_util::future::join_all((0..3).map(|_| nurse.list_rows(w.list.id, &columns))).await;
    let mut last = None;
    for rows in opened {
        let rows = rows.unwrap();
        assert!(rows.rows.iter().all(|r| r.pending));
        last = Some(rows);
    }
    let mut events = 0;
    let mut reads = 3;
    let settle = tokio::time::Instant::now() + Duration::from_secs(6);
    while let Ok(Some(update)) = tokio::time::timeout_at(settle, rx.recv()).await {
        if let StreamUpdate::Event(e) = update {
            if matches!(e.kind, EventKind::ListFilled { .. }) {
                events += 1;
                if last
                    .as_ref()
                    .is_some_and(|l| l.rows.iter().any(|r| r.pending))
                {
                    last = Some(nurse.list_rows(w.list.id, &columns).await.unwrap());
                    reads += 1;
                }
            }
        }
    }
    let rows = last.unwrap();
    assert!(
        rows.rows.iter().all(|r| !r.pending && r.problem.is_some()),
        "it settles on ? rows: {:?}",
        rows.rows
    );
    assert!(
        events <= 2,
        "one filler for the list, not one per read: {events} events"
    );
    assert!(reads <= 5, "{reads} reads of the list");
    let asked = w
        .ehr
        .requests()
        .iter()
        .filter(|(q, _)| {
            w.patients
                .iter()
                .any(|p| q.ends_with(&format!("/Patient/{}", p.id)))
        })
        .count();
    assert!(
        asked <= 2 * w.patients.len(),
        "a failed read is not asked again at each reload: {asked} reads"
    );
}

#[tokio::test]
async fn an_ehr_that_gives_no_answer_fails_each_chart_at_once_after_the_first() {
    // Accepts connections and closes them unanswered: an EHR behind a dead proxy.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/fhir", listener.local_addr().unwrap());
    let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            drop(socket);
        }
    });
    let mut config = EhrConfig::new(&url);
    config.max_retries = 1;
    let source = HttpSource::new(config).unwrap();
    let first = source.chart("demo-01").await.unwrap_err().to_string();
    assert!(first.contains("metadata at http://127.0.0.1"), "{first}");
    let asked = accepted.load(Ordering::SeqCst);
    assert!(asked >= 1, "it was asked");
    for id in ["demo-02", "demo-03", "demo-04"] {
        let again = source.chart(id).await.unwrap_err().to_string();
        assert!(again.contains("the EHR is not answering"), "{again}");
    }
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        asked,
        "nothing more was sent to an EHR that had just given no answer"
    );
}
