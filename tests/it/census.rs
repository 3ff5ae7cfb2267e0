//! A ward's census over HTTP: the EHR double serves the demo ward (a ward, its rooms and
//! their beds, with an in-progress inpatient stay per patient), and the census finds who
//! is where by the location's name, id or identifier.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use wardround::ehr_double::{EhrDouble, R4_METADATA};
use wardround::fhir::census::LocationRef;
use wardround::fhir::http::{EhrConfig, HttpSource};
use wardround::fhir::{BundleSource, FhirSource};

/// The demo ward over HTTP, and the beds its stays are in (patient id → bed name).
async fn demo_ward(metadata: &str) -> (Arc<EhrDouble>, HttpSource, BTreeMap<String, String>) {
    let bundle = wardround::demo::ward::generate(wardround::demo::SEED, Utc::now());
    let (ward, _) = BundleSource::from_bundles(vec![("ward".into(), bundle.clone())]);
    let beds = ward
        .charts()
        .map(|c| {
            let bed = c.bed.as_ref().map(|b| b.label.clone()).unwrap_or_default();
            (c.id.clone(), bed)
        })
        .collect();
    let double = EhrDouble::from_bundles(vec![bundle], metadata.as_bytes().to_vec()).unwrap();
    let mut config = EhrConfig::new(&double.serve().await.unwrap());
    config.timeout = Duration::from_secs(10);
    (double, HttpSource::new(config).unwrap(), beds)
}

#[tokio::test]
async fn a_wards_census_is_every_inpatient_in_its_rooms_and_beds_with_their_names() {
    let (double, source, beds) = demo_ward(R4_METADATA).await;
    let census = source.census(&LocationRef::parse("4 West")).await.unwrap();
    assert_eq!(census.location_id, "ward-4w");
    assert_eq!(census.location_name, "4 West");
    let found: BTreeMap<String, String> = census
        .entries
        .iter()
        .map(|e| (e.patient_id.clone(), e.bed.clone().unwrap_or_default()))
        .collect();
    assert_eq!(found, beds, "every patient, each in their bed");
    assert!(
        census.entries.iter().all(|e| e
            .summary()
            .is_some_and(|p| p.id == e.patient_id && p.name.contains(','))),
        "names came with the stays"
    );
    let requests = double.requests();
    assert!(
        requests
            .iter()
            .any(|(q, _)| q.contains("status=in-progress")
                && q.contains("_include=Encounter:patient")),
        "{requests:?}"
    );
    assert!(
        !requests.iter().any(|(q, _)| q.contains("/Patient/")),
        "no patient read one by one"
    );
}

#[tokio::test]
async fn a_census_names_its_location_by_id_identifier_or_name_and_says_what_is_wrong() {
    let (_double, source, beds) = demo_ward(R4_METADATA).await;
    let by_id = source
        .census(&LocationRef::parse("Location/ward-4w"))
        .await
        .unwrap();
    assert_eq!(by_id.entries.len(), beds.len());
    let by_identifier = source
        .census(&LocationRef::parse("urn:wardround:demo:location|ward-4w"))
        .await
        .unwrap();
    assert_eq!(by_identifier.entries.len(), beds.len());
    // A bare id where no location has that name.
    let bare = source.census(&LocationRef::parse("ward-4w")).await.unwrap();
    assert_eq!(bare.location_name, "4 West");

    // A room: only its beds.
    let room = source
        .census(&LocationRef::parse("Location/room-1"))
        .await
        .unwrap();
    assert!(room.entries.len() <= 2, "{:?}", room.entries);
    assert!(room
        .entries
        .iter()
        .all(|e| e.bed.as_deref().is_some_and(|b| b.starts_with("4W-1"))));

    let unknown = source
        .census(&LocationRef::parse("9 North"))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        unknown.ends_with("the EHR has no location named \"9 North\""),
        "{unknown}"
    );
    let hostile = source
        .census(&LocationRef::parse("Location/../Patient/demo-01"))
        .await
        .unwrap_err()
        .to_string();
    assert!(hostile.contains("not a FHIR id"), "{hostile}");
}

#[tokio::test]
async fn without_include_on_offer_the_census_asks_for_its_patients_forty_at_a_time() {
    let plain = R4_METADATA.replace(r#","searchInclude":["Encounter:patient"]"#, "");
    assert_ne!(plain, R4_METADATA);
    let (double, source, beds) = demo_ward(&plain).await;
    let census = source.census(&LocationRef::parse("4 West")).await.unwrap();
    assert_eq!(census.entries.len(), beds.len());
    assert!(
        census.entries.iter().all(|e| e.summary().is_some()),
        "names all the same"
    );
    let requests = double.requests();
    assert!(!requests.iter().any(|(q, _)| q.contains("_include")));
    assert_eq!(
        requests
            .iter()
            .filter(|(q, _)| q.contains("/Patient?_id="))
            .count(),
        1,
        "one search for the ward's patients: {requests:?}"
    );
    assert!(!requests.iter().any(|(q, _)| q.contains("/Patient/")));
}

/// The same ward from an STU3 and a DSTU2 server (the DSTU2 one without `_include`): the
/// census finds everyone in their bed, and every patient's NEWS2 over HTTP is what R4's is.
#[tokio::test]
async fn stu3_and_dstu2_servers_give_the_same_census_and_news2_as_r4() {
    use wardround::ehr_double::{DSTU2_METADATA, STU3_METADATA};
    use wardround::fhir::version::FhirVersion;
    use wardround::model::ColumnId;
    let now = Utc::now();
    let r4 = demo_ward(R4_METADATA).await;
    let news2 = |chart: &wardround::fhir::PatientChart| {
        wardround::fhir::columns::cell(chart, ColumnId::News2, now).text
    };
    let mut expected = BTreeMap::new();
    for id in r4.2.keys() {
        let chart = r4.1.chart(id).await.unwrap().unwrap();
        expected.insert(id.clone(), news2(&chart));
    }
    assert!(
        expected
            .values()
            .filter(|s| s.parse::<u32>().is_ok())
            .count()
            > 20,
        "most patients scored: {expected:?}"
    );
    for (version, metadata) in [
        (FhirVersion::Stu3, STU3_METADATA),
        (FhirVersion::Dstu2, DSTU2_METADATA),
    ] {
        let bundle = wardround::demo::ward::generate_in(wardround::demo::SEED, now, version);
        let double = EhrDouble::from_bundles(vec![bundle], metadata.as_bytes().to_vec()).unwrap();
        let mut config = EhrConfig::new(&double.serve().await.unwrap());
        config.timeout = Duration::from_secs(10);
        let source = HttpSource::new(config).unwrap();
        assert_eq!(source.version().await.unwrap(), version);
        let census = source.census(&LocationRef::parse("4 West")).await.unwrap();
        let found: BTreeMap<String, String> = census
            .entries
            .iter()
            .map(|e| (e.patient_id.clone(), e.bed.clone().unwrap_or_default()))
            .collect();
        assert_eq!(found, r4.2, "{version:?}: everyone, each in their bed");
        assert!(
            census.entries.iter().all(|e| e.summary().is_some()),
            "{version:?}: names with the census"
        );
        for (id, score) in &expected {
            let chart = source.chart(id).await.unwrap().unwrap();
            assert_eq!(&news2(&chart), score, "{version:?}: NEWS2 of {id}");
            assert!(chart.bed.is_some(), "{version:?}: {id} in a bed");
        }
    }
}

#[tokio::test]
async fn bundles_on_disk_give_a_census_by_ward_or_room_name() {
    let bundle = wardround::demo::ward::generate(wardround::demo::SEED, Utc::now());
    let (ward, _) = BundleSource::from_bundles(vec![("ward".into(), bundle)]);
    let census = ward.census(&LocationRef::parse("4 west")).await.unwrap();
    assert_eq!(census.entries.len(), ward.patient_ids().len());
    let room = ward
        .census(&LocationRef::parse("4W-1"))
        .await
        .unwrap_or_else(|e| panic!("room 1 is empty in this ward? {e}"));
    assert!(room
        .entries
        .iter()
        .all(|e| e.bed.as_deref().is_some_and(|b| b.starts_with("4W-1"))));
    let by_id = ward
        .census(&LocationRef::parse("Location/ward-4w"))
        .await
        .unwrap_err()
        .to_string();
    assert!(by_id.contains("by name only"), "{by_id}");
}

/// The demo's EHR answers the app's patient search as a FHIR server does: by any part of
/// a name from its start, by birth date, by MRN.
#[tokio::test]
async fn the_demo_ehr_finds_a_patient_by_name_birth_date_or_mrn() {
    use wardround::model::PatientQuery;
    let (_double, source, _) = demo_ward(R4_METADATA).await;
    let bundle = wardround::demo::ward::generate(wardround::demo::SEED, Utc::now());
    let (ward, _) = BundleSource::from_bundles(vec![("ward".into(), bundle)]);
    let chart = ward.charts().next().unwrap();
    let family = chart.patient.name[0].family.clone().unwrap();
    let given = chart.patient.name[0].given[0].clone();
    let born = chart.patient.birth_date.clone().unwrap();
    let ask = |name: Option<String>, birth_date: Option<String>| PatientQuery {
        name,
        birth_date,
        ..Default::default()
    };
    for query in [
        ask(Some(family.to_lowercase()), None),
        ask(Some(family[..3].to_uppercase()), None),
        ask(Some(format!("{family}, {given}")), None),
        ask(Some(given.clone()), Some(born.clone())),
        ask(None, Some(born.clone())),
    ] {
        let found = source.search(&query).await.unwrap();
        assert!(
            found.iter().any(|p| p.id == chart.id),
            "{query:?} found {found:?}"
        );
    }
    let none = source
        .search(&ask(Some(format!("{family}zz")), None))
        .await
        .unwrap();
    assert!(none.is_empty(), "{none:?}");
}
