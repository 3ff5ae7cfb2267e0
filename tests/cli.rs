//! The command line against a real server: `wardround lists …`.

mod common;

use common::{run_as_nurse as run, PASSWORD};

#[tokio::test]
async fn lists_are_managed_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let (server, ward) = common::demo_ward_server(dir.path()).await;
    let d = &server.domain;
    let nurse = d
        .create_user("nurse", "Alex Morgan", "RN", PASSWORD)
        .await
        .unwrap();
    let team = d.create_team("4 West", &[nurse.id]).await.unwrap();
    d.create_list(team.id, "4 West — all beds", ward.patient_ids().to_vec())
        .await
        .unwrap();
    let url = server.url();
    let steps: Vec<(Vec<&'static str>, &'static str)> = vec![
        (vec!["lists", "new", "Take list"], "created Take list"),
        (
            vec!["lists", "rename", "take list", "Post-take"],
            "renamed to Post-take",
        ),
        (
            vec!["lists", "duplicate", "4 west — all beds", "Board round"],
            "created Board round",
        ),
        (vec!["lists", "delete", "Post-take"], "deleted Post-take"),
    ];
    for (args, expected) in steps {
        let url = url.clone();
        let (ok, out, err) = tokio::task::spawn_blocking(move || run(&url, &args))
            .await
            .unwrap();
        assert!(ok, "{err}");
        assert!(out.contains(expected), "{out}");
    }
    let url2 = url.clone();
    let (ok, out, _) = tokio::task::spawn_blocking(move || run(&url2, &["lists"]))
        .await
        .unwrap();
    assert!(ok);
    let n = ward.patient_ids().len();
    assert_eq!(
        out,
        format!("4 West — all beds\t{n} patients\nBoard round\t{n} patients\n")
    );
    let (ok, _, err) = tokio::task::spawn_blocking(move || run(&url, &["lists", "delete", "Nope"]))
        .await
        .unwrap();
    assert!(!ok && err.contains("no list named `Nope`"), "{err}");
}
