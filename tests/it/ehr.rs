//! The EHR the HTTP tests talk to: `wardround::ehr_double` over the fixture files.

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use wardround::ehr_double::EhrDouble;

/// The double as the tests use it: from fixture files they know are there.
pub struct TestEhr;

impl TestEhr {
    pub fn from_bundles(bundles: Vec<Vec<u8>>, metadata: &Path) -> Arc<EhrDouble> {
        EhrDouble::from_bundles(bundles, std::fs::read(metadata).unwrap()).unwrap()
    }

    pub fn from_dir(dir: &Path, metadata: &Path) -> Arc<EhrDouble> {
        EhrDouble::from_dir(dir, metadata).unwrap()
    }

    pub fn bundles_in(dir: &Path) -> Vec<Vec<u8>> {
        EhrDouble::bundles_in(dir).unwrap()
    }
}

/// Starts it on loopback: its base URL.
pub async fn serve(ehr: &Arc<EhrDouble>) -> String {
    ehr.serve().await.unwrap()
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fhir")
}

pub fn shared() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/fhir");
    if !p.is_dir() {
        eprintln!("../shared/fixtures/fhir is absent: the shared-fixture part is skipped");
    }
    p.is_dir().then_some(p)
}
