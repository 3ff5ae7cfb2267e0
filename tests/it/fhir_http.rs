//! The HTTP FHIR source against the test EHR (`ehr/`), which serves the fixture files the
//! way a FHIR server does.

use crate::ehr;

use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use ehr::{fixtures, shared, TestEhr};
use serde_json::Value;
use wardround::fhir::http::{EhrConfig, HttpSource};
use wardround::fhir::{columns, BundleSource, FhirSource};
use wardround::model::{ColumnId, Row};

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 9, 30, 0).unwrap()
}

fn fast(url: &str) -> EhrConfig {
    let mut c = EhrConfig::new(url);
    c.timeout = Duration::from_secs(10);
    c
}

async fn rows_over_http(source: &HttpSource, ids: &[String]) -> Vec<Row> {
    let mut rows = Vec::new();
    for id in ids {
        let chart = source
            .chart(id)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("Patient/{id} not found over HTTP"));
        rows.push(columns::row(&chart, &ColumnId::ALL, now()));
    }
    rows
}

fn rows_from_extract(source: &BundleSource) -> Vec<Row> {
    source
        .charts()
        .map(|c| columns::row(c, &ColumnId::ALL, now()))
        .collect()
}

/// Asserts two readings agree on every column but `refreshed` (when each was read).
fn assert_same(a: &[Row], b: &[Row], what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: row count");
    for (x, y) in a.iter().zip(b) {
        assert_eq!(x.patient, y.patient, "{what}");
        for c in ColumnId::ALL.iter().filter(|c| **c != ColumnId::Refreshed) {
            assert_eq!(
                x.columns[c],
                y.columns[c],
                "{what}: Patient/{} column {}",
                x.patient,
                c.id()
            );
        }
    }
}

async fn same_rows_over_http_as_from_the_extract(
    dir: &Path,
    metadata: &Path,
) -> Arc<ehr::EhrDouble> {
    let (extract, _) = BundleSource::load_dir(dir).unwrap();
    let ehr = TestEhr::from_dir(dir, metadata);
    let source = HttpSource::new(fast(&ehr::serve(&ehr).await)).unwrap();
    let over_http = rows_over_http(&source, extract.patient_ids()).await;
    assert_same(
        &over_http,
        &rows_from_extract(&extract),
        &dir.display().to_string(),
    );
    ehr
}

#[tokio::test]
async fn an_r4_ehr_over_http_gives_the_same_rows_as_its_extract() {
    let ehr = same_rows_over_http_as_from_the_extract(
        &fixtures().join("r4"),
        &fixtures().join("capability/r4/smart-minimal-no-resources-4.0.0.json"),
    )
    .await;
    let requests = ehr.requests();
    assert!(
        requests
            .iter()
            .skip(1)
            .all(|(_, accept)| accept == "application/fhir+json"),
        "{requests:?}"
    );
    assert!(
        requests.iter().any(|(q, _)| q.contains("_offset=")),
        "searches page through link[next]"
    );
}

#[tokio::test]
async fn the_demo_ward_over_http_keeps_its_beds_and_scores() {
    let bundle = wardround::demo::ward::generate(wardround::demo::SEED, now());
    let (extract, _) = BundleSource::from_bundles(vec![("ward".into(), bundle.clone())]);
    let ehr = TestEhr::from_bundles(
        vec![bundle],
        &fixtures().join("capability/other/r4b-capabilitystatement-4.3.0.json"),
    );
    let source = HttpSource::new(fast(&ehr::serve(&ehr).await)).unwrap();
    let rows = rows_over_http(&source, extract.patient_ids()).await;
    assert_same(&rows, &rows_from_extract(&extract), "demo ward");
    assert!(rows
        .iter()
        .all(|r| r.columns[&ColumnId::Bed].text.starts_with("4W-")));
    let chart = source
        .chart(&extract.patient_ids()[0])
        .await
        .unwrap()
        .unwrap();
    let bed = chart.bed.clone().unwrap();
    assert_eq!(
        bed.ward.as_deref(),
        Some("4 West"),
        "bed → room → ward read through Location.partOf"
    );
    assert!(bed.room.is_some_and(|r| bed.label.starts_with(&r)));
    let asked = ehr.requests().len();
    let again = source
        .chart(&extract.patient_ids()[0])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        ehr.requests().len(),
        asked,
        "a cached chart asks the EHR nothing"
    );
    assert!(
        Arc::ptr_eq(&chart, &again),
        "a cached chart is shared, not copied"
    );
}

#[tokio::test]
async fn stu3_and_dstu2_ehrs_over_http_read_like_their_extracts() {
    let Some(shared) = shared() else { return };
    same_rows_over_http_as_from_the_extract(
        &shared.join("stu3/smart-sample-data-synthea"),
        &shared.join("capability/stu3/hapi-uhn-test-server-stu3-metadata.json"),
    )
    .await;
    let ehr = same_rows_over_http_as_from_the_extract(
        &shared.join("dstu2/smart-sample-data-synthea"),
        &shared.join("capability/dstu2/hapi-uhn-test-server-dstu2-conformance.json"),
    )
    .await;
    let requests = ehr.requests();
    assert!(
        requests
            .iter()
            .skip(1)
            .all(|(_, accept)| accept == "application/json+fhir"),
        "DSTU2's media type"
    );
}

#[tokio::test]
async fn throttled_requests_are_retried_after_retry_after() {
    let ehr = TestEhr::from_dir(
        &fixtures().join("r4"),
        &fixtures().join("capability/r4/smart-minimal-no-resources-4.0.0.json"),
    );
    ehr.throttle.store(2, Ordering::SeqCst);
    let source = HttpSource::new(fast(&ehr::serve(&ehr).await)).unwrap();
    let started = std::time::Instant::now();
    let chart = source
        .chart("ee9f8dd8-72d2-4769-8020-89e504b1504b")
        .await
        .unwrap();
    assert!(chart.is_some());
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "waited as Retry-After asked"
    );
    assert_eq!(
        ehr.requests()[..3]
            .iter()
            .filter(|(q, _)| q.ends_with("/metadata"))
            .count(),
        3
    );
}

#[tokio::test]
async fn an_unknown_patient_is_none_and_a_hostile_id_never_reaches_the_ehr() {
    let ehr = TestEhr::from_dir(
        &fixtures().join("r4"),
        &fixtures().join("capability/r4/smart-minimal-no-resources-4.0.0.json"),
    );
    let source = HttpSource::new(fast(&ehr::serve(&ehr).await)).unwrap();
    assert!(source.chart("no-such-patient").await.unwrap().is_none());
    assert!(source.chart("../metadata?x=1").await.unwrap().is_none());
    assert!(ehr.requests().iter().all(|(q, _)| !q.contains("..")));
}

#[tokio::test]
async fn an_r5_ehr_is_refused_with_its_version_named() {
    let ehr = TestEhr::from_dir(
        &fixtures().join("r4"),
        &fixtures().join("capability/other/r5-capabilitystatement-5.0.0.json"),
    );
    let source = HttpSource::new(fast(&ehr::serve(&ehr).await)).unwrap();
    let status = source.status().await.unwrap_err().to_string();
    assert!(status.contains("FHIR 5.0.0"), "{status}");
    let read = source
        .chart("ee9f8dd8-72d2-4769-8020-89e504b1504b")
        .await
        .unwrap_err()
        .to_string();
    assert!(read.contains("5.0.0"), "{read}");
}

#[tokio::test]
async fn an_ehr_that_is_down_is_a_clear_error() {
    let source = HttpSource::new(fast("http://127.0.0.1:9/fhir")).unwrap();
    let err = source.status().await.unwrap_err().to_string();
    assert!(
        err.contains("cannot connect") && err.contains("127.0.0.1:9"),
        "{err}"
    );
}

async fn server_on(ehr_url: &str, dir: &Path) -> wardround::server::RunningServer {
    let source = Arc::new(HttpSource::new(fast(ehr_url)).unwrap());
    wardround::server::start(
        "127.0.0.1:0".parse().unwrap(),
        &dir.join("ward.sqlite"),
        source,
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn a_server_on_an_r5_ehr_keeps_running_and_says_why_on_readyz() {
    let ehr = TestEhr::from_dir(
        &fixtures().join("r4"),
        &fixtures().join("capability/other/r5-capabilitystatement-5.0.0.json"),
    );
    let dir = tempfile::tempdir().unwrap();
    let server = server_on(&ehr::serve(&ehr).await, dir.path()).await;
    let resp = reqwest::get(format!("{}/readyz", server.url()))
        .await
        .unwrap();
    assert_eq!(resp.status(), 503);
    let body: Value = resp.json().await.unwrap();
    assert!(
        body["detail"].as_str().unwrap().contains("FHIR 5.0.0"),
        "{body}"
    );
    assert_eq!(
        reqwest::get(format!("{}/healthz", server.url()))
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn a_list_reads_over_http_and_one_unknown_patient_does_not_fail_it() {
    let ehr = TestEhr::from_dir(
        &fixtures().join("r4"),
        &fixtures().join("capability/r4/smart-minimal-no-resources-4.0.0.json"),
    );
    let dir = tempfile::tempdir().unwrap();
    let url = ehr::serve(&ehr).await;
    let server = server_on(&url, dir.path()).await;
    let d = &server.domain;
    let nurse = d
        .create_user("nurse", "Alex Morgan", "RN", "correct horse battery")
        .await
        .unwrap();
    let team = d.create_team("4 West", &[nurse.id]).await.unwrap();
    let ids = vec![
        "ee9f8dd8-72d2-4769-8020-89e504b1504b".to_string(),
        "gone-1".to_string(),
        "3fc4d5b0-9e46-4307-8c05-e4cef7602e7f".to_string(),
    ];
    let list = d.create_list(team.id, "4 West", ids).await.unwrap();
    let ready: Value = reqwest::get(format!("{}/readyz", server.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["ehr"], format!("FHIR R4 at {url}"));

    let client = wardround::client::ApiClient::new(&server.url()).unwrap();
    let (client, _) = client
        .login("nurse", "correct horse battery")
        .await
        .unwrap();
    let rows = client.list_rows(list.id, &[]).await.unwrap().rows;
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].columns[&ColumnId::Name].text, "CONN, Liz");
    assert_eq!(rows[1].columns[&ColumnId::Name].text, "?");
    assert!(
        rows[1]
            .problem
            .as_deref()
            .is_some_and(|p| p.contains("does not know")),
        "{:?}",
        rows[1].problem
    );
    assert_eq!(rows[2].columns[&ColumnId::Name].text, "BOYLE917, Tuyet839");
}
