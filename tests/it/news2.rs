//! NEWS2 against the Royal College of Physicians chart (2017): every band of every
//! parameter, partial scores, stale readings, who it does not apply to.

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::{json, Value};
use wardround::fhir::columns::news2_cell;
use wardround::fhir::news2::{score, News2};
use wardround::fhir::BundleSource;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 9, 30, 0).unwrap()
}

#[derive(Clone)]
struct Obs {
    code: &'static str,
    value: Value,
    hours_ago: i64,
}

fn q(code: &'static str, v: f64) -> Obs {
    Obs {
        code,
        value: json!({"valueQuantity": {"value": v}}),
        hours_ago: 1,
    }
}

fn concept(code: &'static str, text: &str) -> Obs {
    Obs {
        code,
        value: json!({"valueCodeableConcept": {"text": text}}),
        hours_ago: 1,
    }
}

/// A set of readings that scores 0 on every parameter.
fn calm() -> Vec<Obs> {
    vec![
        q("9279-1", 16.0),
        q("59408-5", 97.0),
        q("3150-0", 21.0),
        q("8480-6", 120.0),
        q("8867-4", 70.0),
        concept("80288-4", "Alert"),
        q("8310-5", 37.0),
    ]
}

fn with(mut base: Vec<Obs>, o: Obs) -> Vec<Obs> {
    base.retain(|b| b.code != o.code);
    base.push(o);
    base
}

fn scored(obs: &[Obs], born: &str) -> News2 {
    with_chart(obs, born, |chart| score(chart, now()))
}

fn with_chart<T>(
    obs: &[Obs],
    born: &str,
    f: impl FnOnce(&wardround::fhir::PatientChart) -> T,
) -> T {
    let mut entries =
        vec![json!({"resource": {"resourceType": "Patient", "id": "p", "birthDate": born}})];
    for (i, o) in obs.iter().enumerate() {
        let mut r = json!({
            "resourceType": "Observation", "id": format!("o{i}"), "status": "final",
            "subject": {"reference": "Patient/p"},
            "effectiveDateTime": (now() - Duration::hours(o.hours_ago)).to_rfc3339(),
            "code": {"coding": [{"system": "http://loinc.org", "code": o.code}]},
        });
        for (k, v) in o.value.as_object().unwrap() {
            r[k] = v.clone();
        }
        entries.push(json!({"resource": r}));
    }
    let bundle = json!({"resourceType": "Bundle", "type": "collection", "entry": entries});
    let (source, report) =
        BundleSource::from_bundles(vec![("t".into(), serde_json::to_vec(&bundle).unwrap())]);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let chart = source.charts().next().unwrap();
    f(chart)
}

fn total(o: Obs) -> u8 {
    let s = scored(&with(calm(), o), "1956-01-01");
    assert!(s.is_complete(), "{:?}", s.missing);
    s.total
}

#[test]
fn calm_readings_score_zero() {
    let s = scored(&calm(), "1956-01-01");
    assert_eq!((s.total, s.red_score, s.is_complete()), (0, false, true));
}

#[test]
fn respiration_rate_bands() {
    for (v, want) in [
        (8.0, 3),
        (9.0, 1),
        (11.0, 1),
        (12.0, 0),
        (20.0, 0),
        (21.0, 2),
        (24.0, 2),
        (25.0, 3),
    ] {
        assert_eq!(total(q("9279-1", v)), want, "RR {v}");
    }
}

#[test]
fn spo2_scale_1_bands() {
    for (v, want) in [
        (91.0, 3),
        (92.0, 2),
        (93.0, 2),
        (94.0, 1),
        (95.0, 1),
        (96.0, 0),
        (100.0, 0),
    ] {
        assert_eq!(total(q("59408-5", v)), want, "SpO2 {v}");
    }
    assert_eq!(
        total(q("2708-6", 93.0)),
        2,
        "arterial saturation code counts too"
    );
}

#[test]
fn air_or_oxygen() {
    assert_eq!(total(q("3150-0", 21.0)), 0);
    assert_eq!(total(q("3150-0", 28.0)), 2);
    assert_eq!(total(q("3150-0", 0.4)), 2, "FiO2 as a fraction");
    let flow = with(with(calm(), q("3151-8", 2.0)), q("3150-0", 21.0));
    let mut flow = flow;
    // The flow reading is newer than the inspired-fraction one: it decides.
    flow.iter_mut()
        .filter(|o| o.code == "3150-0")
        .for_each(|o| o.hours_ago = 2);
    assert_eq!(scored(&flow, "1956-01-01").total, 2);
}

#[test]
fn systolic_pressure_bands() {
    for (v, want) in [
        (90.0, 3),
        (91.0, 2),
        (100.0, 2),
        (101.0, 1),
        (110.0, 1),
        (111.0, 0),
        (219.0, 0),
        (220.0, 3),
    ] {
        assert_eq!(total(q("8480-6", v)), want, "SBP {v}");
    }
}

#[test]
fn pulse_bands() {
    for (v, want) in [
        (40.0, 3),
        (41.0, 1),
        (50.0, 1),
        (51.0, 0),
        (90.0, 0),
        (91.0, 1),
        (110.0, 1),
        (111.0, 2),
        (130.0, 2),
        (131.0, 3),
    ] {
        assert_eq!(total(q("8867-4", v)), want, "pulse {v}");
    }
}

#[test]
fn consciousness() {
    assert_eq!(total(concept("80288-4", "Alert")), 0);
    assert_eq!(total(concept("80288-4", "New confusion")), 3);
    assert_eq!(total(concept("80288-4", "Responds to voice")), 3);
    let gcs = |v: f64| {
        scored(
            &with(
                calm().into_iter().filter(|o| o.code != "80288-4").collect(),
                q("9269-2", v),
            ),
            "1956-01-01",
        )
    };
    assert_eq!(gcs(15.0).total, 0);
    assert_eq!(gcs(14.0).total, 3);
}

#[test]
fn temperature_bands() {
    for (v, want) in [
        (35.0, 3),
        (35.1, 1),
        (36.0, 1),
        (36.1, 0),
        (38.0, 0),
        (38.1, 1),
        (39.0, 1),
        (39.1, 2),
    ] {
        assert_eq!(total(q("8310-5", v)), want, "temperature {v}");
    }
}

#[test]
fn a_single_red_parameter_is_flagged_even_with_a_low_total() {
    let s = scored(&with(calm(), q("8867-4", 35.0)), "1956-01-01");
    assert_eq!(s.total, 3);
    assert!(s.red_score && s.is_alarming());
    assert_eq!(news2_cell(&s).flag, Some(wardround::model::Flag::Warning));
    let five = scored(
        &with(with(calm(), q("9279-1", 22.0)), q("8867-4", 115.0)),
        "1956-01-01",
    );
    assert_eq!(five.total, 4);
    assert!(!five.is_alarming());
    assert_eq!(news2_cell(&five).flag, None);
}

#[test]
fn missing_parameters_give_a_partial_score_that_says_so() {
    let obs: Vec<Obs> = with(calm(), q("9279-1", 25.0))
        .into_iter()
        .filter(|o| o.code != "8310-5")
        .collect();
    let s = scored(&obs, "1956-01-01");
    assert_eq!(s.missing, vec!["temperature"]);
    assert_eq!(s.total, 3);
    let cell = news2_cell(&s);
    assert_eq!(cell.text, "≥3");
}

#[test]
fn readings_older_than_a_day_do_not_score() {
    let stale: Vec<Obs> = calm()
        .into_iter()
        .map(|o| Obs { hours_ago: 25, ..o })
        .collect();
    let s = scored(&stale, "1956-01-01");
    assert_eq!(s.missing.len(), 7);
    assert_eq!(news2_cell(&s).text, "—");
}

#[test]
fn children_get_no_news2() {
    let s = scored(&calm(), "2016-05-01");
    assert!(s.excluded.is_some());
    assert_eq!(news2_cell(&s).text, "—");
}

#[test]
fn an_ehr_sent_news2_wins_and_loinc_88330_6_is_ignored() {
    let mut obs = with(calm(), q("9279-1", 25.0));
    obs.push(Obs {
        code: "88330-6",
        value: json!({"valueInteger": 9}),
        hours_ago: 0,
    });
    assert_eq!(scored(&obs, "1956-01-01").total, 3);
    obs.push(q("1104051000000101", 5.0));
    let s = scored(&obs, "1956-01-01");
    assert!(s.from_ehr);
    assert_eq!(s.total, 5);
}

#[test]
fn the_trend_scores_each_earlier_observation_set_with_what_was_known_then() {
    // Calm 8 h ago; 4 h ago breathing faster (2); now faster still and hypoxic (3 + 3).
    let at = |o: Obs, hours_ago| Obs { hours_ago, ..o };
    let mut obs: Vec<Obs> = calm().into_iter().map(|o| at(o, 8)).collect();
    obs.push(at(q("9279-1", 22.0), 4));
    obs.push(at(q("9279-1", 26.0), 1));
    obs.push(at(q("59408-5", 90.0), 1));
    let trend = with_chart(&obs, "1956-01-01", |chart| {
        wardround::fhir::news2::history(chart, now(), 4)
    });
    let totals: Vec<(i64, u8)> = trend
        .iter()
        .map(|(t, s)| ((now() - *t).num_hours(), s.total))
        .collect();
    assert_eq!(totals, [(1, 6), (4, 2), (8, 0)]);
    assert!(trend[0].1.red_score);
    // Older than two days is not the patient's course now.
    let old: Vec<Obs> = calm().into_iter().map(|o| at(o, 60)).collect();
    let trend = with_chart(&old, "1956-01-01", |chart| {
        wardround::fhir::news2::history(chart, now(), 4)
    });
    assert!(trend.is_empty());
}
