//! `wardround export` over real FHIR: the copied fixtures always, the whole shared set
//! when `../shared` is present (it is in CI).

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{TimeZone, Utc};
use serde_json::Value;
use sha2::{Digest, Sha256};
use wardround::fhir::{news2, BundleSource};

const AS_OF: &str = "2026-11-21T09:30:00Z";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fhir/r4")
}

fn shared() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/fhir");
    p.is_dir().then_some(p)
}

fn export(dir: &Path, extra: &[&str]) -> (std::process::Output, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_wardround"))
        .args(["export", "--ehr-bundles"])
        .arg(dir)
        .args(["--as-of", AS_OF])
        .args(extra)
        .output()
        .expect("run wardround export");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    (out, stdout)
}

fn rows(dir: &Path) -> Vec<Value> {
    let (out, stdout) = export(dir, &[]);
    assert!(
        out.status.success(),
        "export failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str::<Value>(&stdout)
        .expect("JSON")
        .as_array()
        .cloned()
        .expect("an array")
}

fn row<'a>(rows: &'a [Value], patient: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["patient"] == patient)
        .unwrap_or_else(|| panic!("no row for {patient}"))
}

#[test]
fn json_rows_have_the_documented_shape_and_values() {
    let rows = rows(&fixtures());
    assert_eq!(rows.len(), 14, "1 + 1 + 12 patients");
    for r in &rows {
        let obj = r.as_object().unwrap();
        assert_eq!(obj.keys().collect::<Vec<_>>(), vec!["columns", "patient"]);
        let cols = r["columns"].as_object().unwrap();
        let ids: Vec<&str> = cols.keys().map(String::as_str).collect();
        for id in [
            "bed", "name", "mrn", "age", "sex", "admit", "los", "reason", "news2",
        ] {
            assert!(ids.contains(&id), "missing {id}");
            let cell = &cols[id];
            assert!(
                cell["text"].is_string() && cell.get("value").is_some(),
                "{id}: {cell}"
            );
        }
    }
    let liz = row(&rows, "ee9f8dd8-72d2-4769-8020-89e504b1504b");
    let c = &liz["columns"];
    assert_eq!(
        c["name"]["text"], "CONN, Liz",
        "the official name, not the maiden one"
    );
    assert_eq!(
        c["mrn"]["text"], "27c911c6-f045-4ffa-af5d-6eba57ac94b2",
        "the MR-typed identifier, not SSN"
    );
    assert_eq!(c["sex"]["text"], "F");
    assert_eq!(c["age"]["text"], "39");
    assert_eq!(c["age"]["value"].as_f64().map(f64::floor), Some(39.0));
    // Synthea patients are not in a bed: the ward list shows that plainly.
    for id in ["bed", "admit", "los", "news2"] {
        assert_eq!(c[id]["text"], "—", "{id}");
        assert_eq!(c[id]["value"], Value::Null, "{id}");
    }
    let child = row(&rows, "3fc4d5b0-9e46-4307-8c05-e4cef7602e7f");
    assert_eq!(
        child["columns"]["age"]["text"], "6",
        "born 2020-01-15, as of 2026-11-21"
    );
    let adam = row(&rows, "2");
    assert_eq!(adam["columns"]["mrn"]["text"], "—");
}

#[test]
fn csv_has_a_header_and_one_line_per_patient() {
    let (out, stdout) = export(
        &fixtures(),
        &["--format", "csv", "--columns", "bed,name,news2"],
    );
    assert!(out.status.success());
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "patient,bed,name,news2");
    assert_eq!(lines.len(), 15);
    assert!(
        lines.contains(&"ee9f8dd8-72d2-4769-8020-89e504b1504b,—,\"CONN, Liz\",—"),
        "{stdout}"
    );
}

#[test]
fn an_unknown_column_is_a_clear_error() {
    let (out, _) = export(&fixtures(), &["--columns", "bed,ward"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown column `ward`"), "{err}");
}

#[test]
fn a_broken_file_is_reported_and_the_rest_still_exported() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixtures().join("Liz_Conn_27c911c6-f045-4ffa-af5d-6eba57ac94b2.json"),
        dir.path().join("a.json"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b.json"),
        "{\"resourceType\": \"Bundle\", \"entry\": [",
    )
    .unwrap();
    std::fs::write(dir.path().join("c.json"), r#"{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Patient","id":"x","gender":7}}]}"#).unwrap();
    let (out, stdout) = export(dir.path(), &[]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("b.json"), "{err}");
    assert!(err.contains("c.json: entry 0: Patient"), "{err}");
    let rows: Vec<Value> = serde_json::from_str(&stdout).unwrap();
    assert_eq!(rows.len(), 1);
}

#[test]
fn the_demo_ward_exports_beds_and_scores() {
    let dir = tempfile::tempdir().unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 21, 9, 30, 0).unwrap();
    std::fs::write(
        dir.path().join("ward.json"),
        wardround::demo::ward::generate(wardround::demo::SEED, now),
    )
    .unwrap();
    let rows = rows(dir.path());
    assert!((24..=32).contains(&rows.len()), "{}", rows.len());
    let beds: Vec<&str> = rows
        .iter()
        .map(|r| r["columns"]["bed"]["text"].as_str().unwrap())
        .collect();
    assert!(
        beds.iter()
            .all(|b| b.starts_with("4W-") && b.ends_with(['A', 'B'])),
        "{beds:?}"
    );
    let texts: Vec<&str> = rows
        .iter()
        .map(|r| r["columns"]["news2"]["text"].as_str().unwrap())
        .collect();
    let partial = texts.iter().filter(|t| t.starts_with('≥')).count();
    assert_eq!(
        partial, 2,
        "two patients have no temperature charted: {texts:?}"
    );
    assert!(
        rows.iter()
            .all(|r| r["columns"]["news2"]["value"].is_number()),
        "partial scores are still numbers"
    );
    assert!(rows
        .iter()
        .all(|r| r["columns"]["reason"]["value"].is_string()));
    assert!(rows.iter().all(|r| r["columns"]["los"]["value"]
        .as_f64()
        .is_some_and(|d| d > 0.0)));
}

fn at(h: u32, m: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, h, m, 0).unwrap()
}

fn vitals_bundle(extra: &str) -> Vec<u8> {
    let obs = |code: &str, value: &str| {
        format!(
            r#"{{"resource":{{"resourceType":"Observation","status":"final","subject":{{"reference":"Patient/p"}},
            "effectiveDateTime":"2026-11-21T08:00:00Z","code":{{"coding":[{{"system":"http://loinc.org","code":"{code}"}}]}},{value}}}}}"#
        )
    };
    let q = |v: f64| format!(r#""valueQuantity":{{"value":{v}}}"#);
    let entries = [
        r#"{"resource":{"resourceType":"Patient","id":"p"}}"#.to_string(),
        obs("9279-1", &q(22.0)),
        obs("59408-5", &q(95.0)),
        obs("3150-0", &q(21.0)),
        obs("8480-6", &q(105.0)),
        obs("8867-4", &q(115.0)),
        obs("80288-4", r#""valueCodeableConcept":{"text":"Alert"}"#),
        obs("8310-5", &q(38.5)),
        extra.to_string(),
    ];
    let entries: Vec<String> = entries.into_iter().filter(|e| !e.is_empty()).collect();
    format!(
        r#"{{"resourceType":"Bundle","type":"collection","entry":[{}]}}"#,
        entries.join(",")
    )
    .into_bytes()
}

#[test]
fn news2_is_scored_from_the_latest_vital_signs() {
    let (source, report) = BundleSource::from_bundles(vec![("vitals".into(), vitals_bundle(""))]);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let chart = source.charts().next().unwrap();
    let score = news2::score(chart, at(9, 30));
    // RR 22 → 2, SpO2 95 → 1, air → 0, SBP 105 → 1, HR 115 → 2, alert → 0, 38.5 °C → 1
    assert_eq!(score.total, 7);
    assert!(score.is_complete() && score.is_alarming());
}

#[test]
fn loinc_88330_6_is_never_read_as_news() {
    let decoy = r#"{"resource":{"resourceType":"Observation","status":"final","subject":{"reference":"Patient/p"},
        "effectiveDateTime":"2026-11-21T09:00:00Z","code":{"coding":[{"system":"http://loinc.org","code":"88330-6"}]},
        "valueInteger":0}}"#;
    let (source, _) = BundleSource::from_bundles(vec![("vitals".into(), vitals_bundle(decoy))]);
    assert_eq!(
        news2::score(source.charts().next().unwrap(), at(9, 30)).total,
        7
    );
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn copied_fixtures_match_the_shared_manifest() {
    let Some(shared) = shared() else {
        eprintln!("../shared/fixtures/fhir is absent: skipped");
        return;
    };
    let manifest = std::fs::read_to_string(shared.join("manifest.csv")).unwrap();
    let copied = files(&fixtures().join(".."));
    assert!(copied.len() >= 8, "{copied:?}");
    for path in copied
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
    {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let digest: String = Sha256::digest(std::fs::read(&path).unwrap())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let line = manifest.lines().find(|l| {
            l.split(',')
                .next()
                .is_some_and(|f| f.ends_with(&format!("/{name}")))
        });
        let line = line.unwrap_or_else(|| panic!("{name} is not in the shared manifest"));
        assert!(
            line.contains(&digest),
            "{name} differs from the shared copy"
        );
    }
}

#[test]
fn every_shared_r4_bundle_exports_without_a_panic() {
    let Some(shared) = shared() else {
        eprintln!("../shared/fixtures/fhir is absent: skipped");
        return;
    };
    let dir = shared.join("r4");
    let rows = rows(&dir);
    let (source, report) = BundleSource::load_dir(&dir).unwrap();
    assert!(report.files >= 30, "{} files", report.files);
    assert_eq!(rows.len(), source.patient_ids().len());
    assert!(rows.len() >= 30);
    for r in &rows {
        assert_eq!(
            r["columns"]["bed"]["text"], "—",
            "Synthea bundles have no bed: {}",
            r["patient"]
        );
        assert!(
            r["columns"]["name"]["value"].is_string(),
            "{}",
            r["patient"]
        );
    }
}

#[tokio::test]
async fn a_server_list_exports_as_a_rounding_sheet_in_bed_order() {
    let dir = tempfile::tempdir().unwrap();
    let (server, ward) = common::demo_ward_server(dir.path().join("w.sqlite")).await;
    let d = &server.domain;
    let nurse = d
        .create_user("nurse", "Alex Morgan", "RN", common::PASSWORD)
        .await
        .unwrap();
    let team = d.create_team("4 West", &[nurse.id]).await.unwrap();
    d.create_list(team.id, "4 West — all beds", ward.patient_ids().to_vec())
        .await
        .unwrap();
    let url = server.url();
    let run = move |list: &'static str| {
        let args = [
            "export",
            "--format",
            "csv",
            "--columns",
            "bed,name,news2",
            "--list",
            list,
        ];
        common::run_as_nurse(&url, &args)
    };
    let (ok, csv, stderr) = tokio::task::spawn_blocking({
        let run = run.clone();
        move || run("4 west — ALL BEDS")
    })
    .await
    .unwrap();
    assert!(ok, "{stderr}");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "patient,bed,name,news2");
    assert_eq!(lines.len(), ward.patient_ids().len() + 1);
    let beds: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    let mut sorted = beds.clone();
    sorted.sort_by(|a, b| wardround::model::natural_cmp(a, b));
    assert_eq!(beds, sorted, "a rounding sheet goes bed by bed");

    let (ok, _, err) = tokio::task::spawn_blocking(move || run("5 East"))
        .await
        .unwrap();
    assert!(!ok);
    assert!(
        err.contains("no list named `5 East`") && err.contains("4 West — all beds"),
        "{err}"
    );
}

#[tokio::test]
async fn mrns_from_a_csv_file_are_added_to_a_server_list() {
    use wardround::fhir::FhirSource;
    let dir = tempfile::tempdir().unwrap();
    let (server, ward) = common::demo_ward_server(dir.path().join("w.sqlite")).await;
    let d = &server.domain;
    let nurse = d
        .create_user("nurse", "Alex Morgan", "RN", common::PASSWORD)
        .await
        .unwrap();
    let team = d.create_team("4 West", &[nurse.id]).await.unwrap();
    let list = d.create_list(team.id, "Take list", vec![]).await.unwrap();
    let all = ward
        .search(&wardround::model::PatientQuery {
            name: Some(",".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let csv = dir.path().join("take.csv");
    std::fs::write(
        &csv,
        format!(
            "Name,MRN\n\"{}\",{}\n\"{}\",{}\nUnknown,0000001\n",
            all[0].name, all[0].mrn, all[1].name, all[1].mrn
        ),
    )
    .unwrap();
    let url = server.url();
    let csv_path = csv.display().to_string();
    let (ok, stdout, stderr) = tokio::task::spawn_blocking(move || {
        common::run_as_nurse(&url, &["import-mrns", "--list", "take list", &csv_path])
    })
    .await
    .unwrap();
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("Take list: 2 added") && stdout.contains("0000001\tnot found"),
        "{stdout}"
    );
    let mut stored = d.store().list(list.id).await.unwrap().unwrap().patient_ids;
    stored.sort();
    let mut expected = vec![all[0].id.clone(), all[1].id.clone()];
    expected.sort();
    assert_eq!(stored, expected);
}

#[tokio::test]
async fn a_record_that_does_not_parse_shows_as_a_question_mark_and_says_why() {
    use wardround::fhir::FhirSource;
    use wardround::model::ColumnId;
    let bundle = br#"{"resourceType":"Bundle","type":"collection","entry":[
        {"resource":{"resourceType":"Patient","id":"p","name":[{"family":"Okafor","given":["Ada"]}],"birthDate":"1950-01-01"}},
        {"resource":{"resourceType":"Observation","id":"o1","status":"final","subject":{"reference":"Patient/p"},
          "effectiveDateTime":"2026-11-21T08:00:00Z","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},
          "valueQuantity":{"value":"fast"}}},
        {"resource":{"resourceType":"Patient","id":"q","gender":7}}
    ]}"#;
    let (source, report) = BundleSource::from_bundles(vec![("b".into(), bundle.to_vec())]);
    assert_eq!(report.problems.len(), 2, "{:?}", report.problems);
    let chart = source.chart("p").await.unwrap().unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 21, 9, 30, 0).unwrap();
    let cell = |c| wardround::fhir::columns::cell(&chart, c, now).text;
    assert_eq!(cell(ColumnId::Vitals), "?");
    assert_eq!(cell(ColumnId::News2), "?");
    assert_eq!(
        cell(ColumnId::Name),
        "OKAFOR, Ada",
        "what could be read still shows"
    );
    assert_eq!(
        cell(ColumnId::Allergies),
        "—",
        "allergies do not come from observations"
    );
    let detail = wardround::fhir::detail::detail(&chart, now);
    assert!(
        detail
            .unreadable
            .iter()
            .any(|w| w.starts_with("Observation/o1")),
        "{:?}",
        detail.unreadable
    );
    let err = source.chart("q").await.unwrap_err().to_string();
    assert!(err.contains("Patient/q could not be read"), "{err}");
}

/// EHR text is hostile until cleaned: an export is `cat`ed as often as it is opened in a
/// spreadsheet, so neither may act on what a patient's record says.
#[test]
fn exports_pass_no_terminal_escapes_or_formulas_through() {
    let dir = tempfile::tempdir().unwrap();
    let patient = serde_json::json!({
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": {
            "resourceType": "Patient",
            "id": "hostile\u{1b}]0;owned\u{7}",
            "identifier": [{
                "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]},
                "value": "\t=2+2"
            }],
            "name": [{"family": "CHEN\u{1b}]52;c;cHduZWQ=\u{7}\u{202e}", "given": ["Gr\u{9b}2Jace\u{1b}]0;title\u{7}"]}],
            "gender": "female",
            "birthDate": "1950-01-01"
        }}]
    });
    std::fs::write(dir.path().join("p.json"), patient.to_string()).unwrap();
    for format in ["csv", "json"] {
        let (out, stdout) = export(
            dir.path(),
            &["--format", format, "--columns", "name,mrn,sex"],
        );
        assert!(out.status.success(), "{format}");
        for hostile in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}'] {
            assert!(
                !stdout.contains(hostile),
                "{format} passes {hostile:?} through:\n{stdout:?}"
            );
        }
        assert!(stdout.contains("CHEN"), "{stdout}");
        if format == "csv" {
            assert!(stdout.contains(",'\t=2+2,"), "defused: {stdout:?}");
        } else {
            // JSON escapes a TAB itself; what matters is that the text is the cleaned one.
            let rows: Vec<Value> = serde_json::from_str(&stdout).unwrap();
            assert_eq!(rows[0]["columns"]["mrn"]["text"], "\t=2+2");
            assert_eq!(rows[0]["patient"], "hostile]0;owned");
        }
    }
}

/// A spreadsheet reads times as ISO 8601 with their year and zone, not as the screen
/// shows them.
#[test]
fn csv_times_are_iso_8601_with_the_year() {
    let out = Command::new(env!("CARGO_BIN_EXE_wardround"))
        .args([
            "export",
            "--demo-ward",
            "--format",
            "csv",
            "--columns",
            "bed,admit",
        ])
        .output()
        .expect("run wardround export");
    assert!(out.status.success());
    let csv = String::from_utf8_lossy(&out.stdout);
    let first = csv.lines().nth(1).unwrap();
    let admit = first.rsplit(',').next().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(admit).is_ok() && admit.ends_with('Z'),
        "{first}"
    );
}
