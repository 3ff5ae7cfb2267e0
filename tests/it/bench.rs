//! `wardround bench` against the server it starts itself: a small load, every figure in
//! its JSON line, and nothing lost or duplicated.

use std::process::Command;

#[test]
fn the_load_generator_reports_a_small_load_with_nothing_lost() {
    let out = Command::new(env!("CARGO_BIN_EXE_wardround"))
        .args([
            "bench",
            "--senders",
            "3",
            "--messages",
            "40",
            "--paced",
            "5",
            "--idle-clients",
            "30",
            "--limit-secs",
            "120",
        ])
        .env("HOME", env!("CARGO_TARGET_TMPDIR"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let line = String::from_utf8_lossy(&out.stdout);
    let r: serde_json::Value = serde_json::from_str(line.trim()).expect("one JSON line");
    let t = &r["throughput"];
    assert_eq!(t["messages"], 120, "{line}");
    assert_eq!(t["lost"], 0, "{line}");
    assert_eq!(t["duplicated"], 0, "{line}");
    assert_eq!(t["failed_sends"], 0, "{line}");
    assert!(t["acked_per_s"].as_f64().unwrap() > 0.0);
    assert_eq!(t["latency_under_load_ms"]["n"], 120);
    assert_eq!(r["latency_at_10_per_s_ms"]["n"], 5);
    assert_eq!(r["receipt_round_trip_ms"]["n"], 5);
    assert_eq!(r["idle_clients"], 30);
    for phase in ["at_start", "after_load", "with_idle_clients"] {
        assert!(
            r["server_rss_mib"][phase].as_f64().is_some_and(|m| m > 1.0),
            "{phase}: {line}"
        );
    }
    assert!(r["server_cpu_ms_per_message"].as_f64().is_some());
}

#[test]
fn the_load_generator_refuses_a_server_off_this_machine() {
    let out = Command::new(env!("CARGO_BIN_EXE_wardround"))
        .args(["--server", "https://wardround.hospital.example", "bench"])
        .env("WARDROUND_ADMIN_PASSWORD", "irrelevant")
        .env("HOME", env!("CARGO_TARGET_TMPDIR"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("loopback only"), "{stderr}");
}
