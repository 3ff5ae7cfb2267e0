//! Tests against PostgreSQL run when `WARDROUND_TEST_POSTGRES_URL` is set at build time;
//! otherwise cargo lists them as ignored, with the reason, rather than passing them in
//! silence.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(wardround_postgres_tests)");
    println!("cargo::rerun-if-env-changed=WARDROUND_TEST_POSTGRES_URL");
    println!("cargo::rerun-if-changed=build.rs");
    if std::env::var_os("WARDROUND_TEST_POSTGRES_URL").is_some_and(|v| !v.is_empty()) {
        println!("cargo::rustc-cfg=wardround_postgres_tests");
    }
}
