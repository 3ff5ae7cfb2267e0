//! Reading DSTU2, STU3 and R4: version detection from `metadata`, the same patients across
//! versions, and every fixture of every version read without a failure.

use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use wardround::fhir::columns;
use wardround::fhir::version::{classify, FhirVersion, VersionError};
use wardround::fhir::BundleSource;
use wardround::model::{ColumnId, Row};

fn copied() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fhir")
}

fn shared() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/fhir");
    if !p.is_dir() {
        eprintln!("../shared/fixtures/fhir is absent: the shared-fixture part is skipped");
    }
    p.is_dir().then_some(p)
}

/// What each capability fixture must classify as, by the folder it sits in.
fn expected(path: &Path) -> Result<FhirVersion, VersionError> {
    let name = path.file_name().unwrap().to_string_lossy();
    match path
        .parent()
        .and_then(|p| p.file_name())
        .unwrap()
        .to_string_lossy()
        .as_ref()
    {
        "dstu2" => Ok(FhirVersion::Dstu2),
        "stu3" => Ok(FhirVersion::Stu3),
        "r4" => Ok(FhirVersion::R4),
        "other" if name.starts_with("r4b") => Ok(FhirVersion::R4),
        "other" if name.starts_with("r5") => Err(VersionError::Unsupported("5.0.0".into())),
        other => panic!("no expectation for {other}/{name}"),
    }
}

fn check_capabilities(dir: &Path) -> usize {
    let mut checked = 0;
    for sub in ["dstu2", "stu3", "r4", "other"] {
        for entry in std::fs::read_dir(dir.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            let body = std::fs::read(&path).unwrap();
            assert_eq!(classify(&body), expected(&path), "{}", path.display());
            checked += 1;
        }
    }
    checked
}

#[test]
fn every_capability_fixture_is_classified_to_its_version() {
    assert_eq!(check_capabilities(&copied().join("capability")), 5);
    if let Some(shared) = shared() {
        assert_eq!(check_capabilities(&shared.join("capability")), 11);
    }
}

#[test]
fn r5_is_refused_with_its_version_named() {
    let body =
        std::fs::read(copied().join("capability/other/r5-capabilitystatement-5.0.0.json")).unwrap();
    let err = classify(&body).unwrap_err().to_string();
    assert!(
        err.contains("FHIR 5.0.0") && err.contains("does not support"),
        "{err}"
    );
}

fn rows(dir: &Path, columns: &[ColumnId]) -> Vec<Row> {
    let now = Utc.with_ymd_and_hms(2026, 11, 21, 9, 30, 0).unwrap();
    let (source, report) = BundleSource::load_dir(dir).unwrap();
    assert!(
        report.problems.is_empty(),
        "{}: {:?}",
        dir.display(),
        report.problems
    );
    source
        .charts()
        .map(|c| columns::row(c, columns, now))
        .collect()
}

fn texts(row: &Row) -> Vec<String> {
    row.columns.values().map(|c| c.text.clone()).collect()
}

#[test]
fn the_same_synthea_patients_read_the_same_in_stu3_and_dstu2() {
    let Some(shared) = shared() else { return };
    // SMART shifted dates differently when it converted this population to each version
    // (DSTU2 birth dates are about a year later), and gave the patients different ids, so
    // the comparison is of what does not depend on the shift: name, MRN, sex, and the
    // bed, stay and score columns (empty for both: nobody is an inpatient now).
    let same = [
        ColumnId::Bed,
        ColumnId::Name,
        ColumnId::Mrn,
        ColumnId::Sex,
        ColumnId::Admit,
        ColumnId::Reason,
        ColumnId::News2,
    ];
    let stu3 = rows(&shared.join("stu3/smart-sample-data-synthea"), &same);
    let dstu2 = rows(&shared.join("dstu2/smart-sample-data-synthea"), &same);
    assert_eq!(stu3.len(), 4);
    let mut a: Vec<Vec<String>> = stu3.iter().map(texts).collect();
    let mut b: Vec<Vec<String>> = dstu2.iter().map(texts).collect();
    a.sort();
    b.sort();
    assert_eq!(a, b);
    assert!(
        a.iter()
            .all(|r| r.iter().filter(|t| *t != "—").count() == 3),
        "name, MRN and sex are filled: {a:?}"
    );
    // Age at death does not depend on the shift: Collier died at 64 in both.
    let age = |rows: Vec<Row>| {
        rows.iter()
            .map(|r| r.columns[&ColumnId::Age].text.clone())
            .collect::<Vec<_>>()
    };
    let stu3_ages = age(rows(
        &shared.join("stu3/smart-sample-data-synthea"),
        &[ColumnId::Age],
    ));
    let dstu2_ages = age(rows(
        &shared.join("dstu2/smart-sample-data-synthea"),
        &[ColumnId::Age],
    ));
    assert_eq!(stu3_ages[0], "64");
    assert_eq!(stu3_ages[0], dstu2_ages[0]);
}

#[test]
fn the_classic_smart_patient_split_across_two_stu3_bundles_is_one_patient() {
    let Some(shared) = shared() else { return };
    let rows = rows(
        &shared.join("stu3/smart-sample-data-classic"),
        &ColumnId::ALL,
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].columns[&ColumnId::Name].text, "ADAMS, Daniel X");
    assert_eq!(
        rows[0].columns[&ColumnId::Mrn].text,
        "smart-1288992",
        "typed MR under the pre-R4 v2 table URL"
    );
}

/// Per fixture family: patients, then how many have each catalogue column filled, in the
/// order of [`COUNTED`]. The numbers are what the files hold (checked against the files
/// for each family); a change means the reading changed.
const COUNTED: [ColumnId; 16] = [
    ColumnId::Bed,
    ColumnId::Name,
    ColumnId::Mrn,
    ColumnId::Age,
    ColumnId::Sex,
    ColumnId::Attending,
    ColumnId::Admit,
    ColumnId::Los,
    ColumnId::Reason,
    ColumnId::Problems,
    ColumnId::Allergies,
    ColumnId::CodeStatus,
    ColumnId::Isolation,
    ColumnId::Diet,
    ColumnId::Vitals,
    ColumnId::News2,
];

#[rustfmt::skip]
const FAMILIES: &[(&str, usize, [usize; 16])] = &[
    // Synthea: everyone has problems and (old) vitals; nobody is in a bed now, so no
    // stay, no score from stale readings.
    ("r4/smart-sample-data", 22, [0, 22, 22, 22, 22, 0, 0, 0, 0, 22, 11, 0, 0, 0, 22, 0]),
    ("r4/pathling", 5, [0, 5, 5, 5, 5, 3, 0, 0, 0, 5, 2, 0, 0, 0, 5, 0]),
    ("r4/inferno-uscore", 1, [0, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0]),
    // HIV-module-only patients: no vital signs at all.
    ("r4/fhir-data-pipes-hiv", 2, [0, 2, 2, 2, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0]),
    ("stu3/smart-sample-data-synthea", 4, [0, 4, 4, 4, 4, 0, 0, 0, 0, 4, 4, 0, 0, 0, 4, 0]),
    ("stu3/smart-sample-data-classic", 1, [0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0]),
    ("dstu2/smart-sample-data-synthea", 4, [0, 4, 4, 4, 4, 0, 0, 0, 0, 4, 4, 0, 0, 0, 4, 0]),
    // DSTU2's classic patient has an MRN without the MR type: it is not guessed at.
    ("dstu2/smart-sample-data-classic", 1, [0, 1, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0]),
    // The spec's in-progress Encounter example: a place by display only, admitted 2013.
    ("examples/r4", 16, [1, 14, 7, 12, 15, 3, 1, 1, 0, 1, 1, 0, 1, 0, 1, 0]),
    ("examples/stu3", 2, [1, 2, 2, 2, 2, 1, 1, 1, 0, 1, 1, 0, 0, 0, 1, 0]),
    ("examples/dstu2", 3, [0, 3, 2, 2, 2, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0]),
    ("examples/us-core-r4", 1, [0, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0]),
    ("examples/tricky", 12, [0, 12, 0, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
];

#[test]
fn every_fixture_of_every_version_is_read_and_populates_what_it_holds() {
    let Some(shared) = shared() else { return };
    let now = Utc.with_ymd_and_hms(2026, 11, 21, 0, 0, 0).unwrap();
    for (family, patients, filled) in FAMILIES {
        let (source, _report) = BundleSource::load_dir(&shared.join(family)).unwrap();
        let rows: Vec<Row> = source
            .charts()
            .map(|c| columns::row(c, &ColumnId::ALL, now))
            .collect();
        assert_eq!(rows.len(), *patients, "{family}");
        let counts: Vec<usize> = COUNTED
            .iter()
            .map(|c| rows.iter().filter(|r| r.columns[c].value.is_some()).count())
            .collect();
        assert_eq!(counts, filled.to_vec(), "{family}: filled per column");
    }
}
