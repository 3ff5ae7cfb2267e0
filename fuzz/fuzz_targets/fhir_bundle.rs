//! Any bytes where a FHIR Bundle is expected: loading them and computing every column and
//! the detail for every patient must never panic (broken records become `?` with a reason).
#![no_main]

use libfuzzer_sys::fuzz_target;
use wardround::fhir::{columns, BundleSource};
use wardround::model::ColumnId;

fuzz_target!(|data: &[u8]| {
    let (source, _report) = BundleSource::from_bundles(vec![("fuzz".to_string(), data.to_vec())]);
    let now = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
    for chart in source.charts() {
        let _ = columns::row(chart, &ColumnId::ALL, now);
        let _ = wardround::fhir::detail::detail(chart, now);
    }
});
