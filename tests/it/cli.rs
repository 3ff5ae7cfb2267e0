//! The command line against a real server: `wardround lists …`.

use crate::common;

use common::{run_as_nurse as run, PASSWORD};

#[tokio::test]
async fn lists_are_managed_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let (server, ward) = common::demo_ward_server(dir.path().join("w.sqlite")).await;
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

fn admin(url: &str, args: &[&str]) -> (bool, String, String) {
    common::run_as("admin", url, args)
}

#[tokio::test]
async fn names_from_the_server_cannot_drive_the_terminal_of_whoever_lists_them() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _) = common::demo_ward_server(dir.path().join("w.sqlite")).await;
    let d = &server.domain;
    let nurse = d
        .create_user("nurse", "Alex Morgan", "RN", PASSWORD)
        .await
        .unwrap();
    let team = d.create_team("4 West", &[nurse.id]).await.unwrap();
    d.create_list(team.id, "Evil\u{1b}]0;pwned\u{7}\u{1b}[31mRED", Vec::new())
        .await
        .unwrap();
    let url = server.url();
    let (ok, out, err) = {
        let url = url.clone();
        tokio::task::spawn_blocking(move || run(&url, &["lists"]))
            .await
            .unwrap()
    };
    assert!(ok, "{err}");
    assert!(out.contains("Evil") && out.contains("RED"), "{out}");
    let (ok, _, err) =
        tokio::task::spawn_blocking(move || run(&url, &["export", "--list", "Nope"]))
            .await
            .unwrap();
    assert!(
        !ok && err.contains("Evil"),
        "the error names the lists: {err}"
    );
    for said in [out, err] {
        assert!(
            !said.contains('\u{1b}') && !said.contains('\u{7}'),
            "{said:?}"
        );
    }
}

#[tokio::test]
async fn an_administrator_manages_accounts_teams_and_policies_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _) = common::demo_ward_server(dir.path().join("w.sqlite")).await;
    let d = &server.domain;
    d.bootstrap_admin(PASSWORD).await.unwrap().unwrap();
    assert!(
        d.bootstrap_admin(PASSWORD).await.unwrap().is_none(),
        "only once"
    );
    d.create_user("nurse", "Alex Morgan", "RN", PASSWORD)
        .await
        .unwrap();
    let url = server.url();
    let steps: Vec<(Vec<&'static str>, &'static str)> = vec![
        (
            vec![
                "admin",
                "user",
                "add",
                "kpatel",
                "--name",
                "Kiran Patel",
                "--role",
                "RN",
            ],
            "created kpatel (Kiran Patel)",
        ),
        (
            vec!["admin", "team", "create", "5 North"],
            "created team 5 North",
        ),
        (
            vec!["admin", "team", "add-member", "5 North", "kpatel"],
            "kpatel joined 5 North",
        ),
        (
            vec!["admin", "team", "add-member", "5 North", "nurse"],
            "nurse joined 5 North",
        ),
        (
            vec![
                "admin",
                "policy",
                "create",
                "nights",
                "renotify_interval=1m",
                "renotify_window=10m",
                "renotify_until=ack",
            ],
            "renotify_until     ack",
        ),
        (
            vec![
                "admin",
                "policy",
                "set",
                "nights",
                "escalation_target=team:5 North",
            ],
            "escalation_target  team:5 North",
        ),
        (
            vec!["admin", "policy", "assign", "nights", "team:5 North"],
            "assigned nights",
        ),
        (
            vec![
                "admin",
                "policy",
                "apply-package",
                "information_worker",
                "user:kpatel",
            ],
            "assigned information_worker",
        ),
        (
            vec!["admin", "policy", "show", "nights"],
            "renotify_interval  60s",
        ),
        (
            vec!["admin", "policy", "assign", "nights", "user:nurse"],
            "assigned nights",
        ),
        (
            vec!["admin", "policy", "unassign", "user:nurse"],
            "unassigned",
        ),
        (
            vec!["admin", "team", "remove-member", "5 North", "nurse"],
            "nurse left 5 North",
        ),
        (vec!["admin", "user", "disable", "nurse"], "nurse disabled"),
    ];
    for (args, expected) in steps {
        let url = url.clone();
        let shown = args.clone();
        let (ok, out, err) = tokio::task::spawn_blocking(move || admin(&url, &args))
            .await
            .unwrap();
        assert!(ok, "{shown:?}: {err}");
        assert!(out.contains(expected), "{out}");
    }
    let run = |args: &'static [&'static str]| {
        let url = url.clone();
        tokio::task::spawn_blocking(move || admin(&url, args))
    };
    // Tables under headers for people; the same, as the server's JSON, for scripts.
    let (_, users, _) = run(&["admin", "user", "list"]).await.unwrap();
    let table: Vec<Vec<&str>> = users
        .lines()
        .map(|l| {
            l.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect()
        })
        .collect();
    assert_eq!(table[0], ["USERNAME", "NAME", "ROLE", "STATE", "TEAMS"]);
    assert!(
        table.contains(&vec!["kpatel", "Kiran Patel", "RN", "active", "5 North"]),
        "{users}"
    );
    assert!(
        table.contains(&vec!["nurse", "Alex Morgan", "RN", "disabled", "-"]),
        "{users}"
    );
    let (_, users, _) = run(&["admin", "user", "list", "--json"]).await.unwrap();
    let users: Vec<serde_json::Value> = serde_json::from_str(&users).unwrap();
    let kpatel = users.iter().find(|u| u["username"] == "kpatel").unwrap();
    assert_eq!(kpatel["display_name"], "Kiran Patel");
    assert_eq!(kpatel["disabled"], false);
    assert_eq!(kpatel["teams"], serde_json::json!(["5 North"]));
    assert!(kpatel.get("password_hash").is_none());
    let (_, teams, _) = run(&["admin", "team", "list"]).await.unwrap();
    assert!(teams.starts_with("TEAM     MEMBERS\n"), "{teams}");
    assert!(teams.contains("5 North  kpatel"), "{teams}");
    let (_, teams, _) = run(&["admin", "team", "list", "--json"]).await.unwrap();
    let teams: Vec<serde_json::Value> = serde_json::from_str(&teams).unwrap();
    assert!(teams.iter().any(|t| t["name"] == "5 North"), "{teams:?}");
    let (_, policies, _) = run(&["admin", "policy", "list"]).await.unwrap();
    assert!(policies.starts_with("POLICY"), "{policies}");
    assert!(policies.contains("team 5 North"), "{policies}");
    assert!(
        policies
            .lines()
            .any(|l| l.starts_with("information_worker") && l.ends_with("user kpatel")),
        "{policies}"
    );
    let (_, policies, _) = run(&["admin", "policy", "list", "--json"]).await.unwrap();
    let policies: serde_json::Value = serde_json::from_str(&policies).unwrap();
    assert!(policies["assignments"].as_array().unwrap().len() >= 2);
    let (_, nights, _) = run(&["admin", "policy", "show", "nights"]).await.unwrap();
    assert!(nights.starts_with("Policy nights\nSETTING"), "{nights}");
    let (_, nights, _) = run(&["admin", "policy", "show", "nights", "--json"])
        .await
        .unwrap();
    let nights: serde_json::Value = serde_json::from_str(&nights).unwrap();
    assert_eq!(nights["name"], "nights");
    let (ok, _, err) = run(&["admin", "policy", "set", "nights", "renotify_window=soon"])
        .await
        .unwrap();
    assert!(!ok && err.contains("a duration like 90s"), "{err}");

    // What the policies mean for the people they apply to.
    let kpatel = d
        .store()
        .user_by_username("kpatel")
        .await
        .unwrap()
        .unwrap()
        .user;
    let policy = d.effective_policy(&kpatel).await.unwrap();
    assert_eq!(policy.policy.name, "information_worker");
    assert_eq!(policy.source, "user");
    // The disabled nurse cannot log in; a nurse is not an administrator.
    assert!(d.login("nurse", PASSWORD, "").await.is_err());
    d.reset_password("kpatel", PASSWORD).await.unwrap();
    let (ok, _, err) = {
        let url = url.clone();
        tokio::task::spawn_blocking(move || run_as_kp(&url))
            .await
            .unwrap()
    };
    assert!(!ok && err.contains("administrator"), "{err}");
    // The reset password is one-time: the first login sets the user's own, then the
    // command is refused for what it is.
    fn run_as_kp(url: &str) -> (bool, String, String) {
        let stdin = format!("{PASSWORD}\nkiran's own ward password\n");
        common::run_with_stdin("kpatel", url, &["admin", "user", "list"], &stdin)
    }
}

#[tokio::test]
async fn team_templates_make_the_channels_and_a_rounding_list() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _) = common::demo_ward_server(dir.path().join("w.sqlite")).await;
    let d = &server.domain;
    d.bootstrap_admin(PASSWORD).await.unwrap();
    d.create_user("nurse", "Alex Morgan", "RN", PASSWORD)
        .await
        .unwrap();
    let url = server.url();
    let run = |args: Vec<&'static str>| {
        let url = url.clone();
        tokio::task::spawn_blocking(move || admin(&url, &args))
    };
    let (ok, out, err) = run(vec![
        "admin",
        "team",
        "create",
        "--template",
        "ward",
        "6 East",
    ])
    .await
    .unwrap();
    assert!(ok, "{err}");
    assert!(
        out.contains("Announcements, Huddles, Rounds, Staffing, Training, and a rounding list"),
        "{out}"
    );
    let (ok, _, err) = run(vec![
        "admin",
        "team",
        "create",
        "--template",
        "hospital",
        "St Elsewhere",
    ])
    .await
    .unwrap();
    assert!(ok, "{err}");
    let (ok, _, err) = run(vec!["admin", "team", "create", "--template", "clinic", "X"])
        .await
        .unwrap();
    assert!(
        !ok && err.contains("templates are ward and hospital"),
        "{err}"
    );
    for team in ["6 East", "St Elsewhere"] {
        d.add_team_member(team, "nurse").await.unwrap();
    }

    let nurse = wardround::client::ApiClient::new(&url)
        .unwrap()
        .login("nurse", PASSWORD)
        .await
        .unwrap()
        .0;
    let mut channels: Vec<String> = nurse
        .conversations()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.title)
        .collect();
    channels.sort();
    assert_eq!(
        channels,
        [
            "6 East",
            "6 East · Announcements",
            "6 East · Huddles",
            "6 East · Rounds",
            "6 East · Staffing",
            "6 East · Training",
            "St Elsewhere",
            "St Elsewhere · Announcements",
            "St Elsewhere · Compliance",
            "St Elsewhere · Custodial",
            "St Elsewhere · Human Resources",
            "St Elsewhere · Pharmacy",
        ]
    );
    let lists = nurse.lists().await.unwrap();
    assert_eq!(
        lists.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(),
        ["6 East — rounding"]
    );
    let rows = nurse
        .list_rows(lists[0].id, &wardround::model::ColumnId::ALL)
        .await
        .unwrap();
    let view = rows.view.expect("the team default view");
    let ids: Vec<String> = view.columns.iter().map(|c| c.id().into_owned()).collect();
    assert_eq!(
        ids,
        [
            "bed",
            "name",
            "age",
            "los",
            "reason",
            "news2",
            "allergies",
            "code_status",
            "isolation",
            "attending",
            "unread"
        ]
    );
}

#[test]
fn serve_check_config_says_what_is_wrong_and_exits_non_zero() {
    let tls = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls");
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_wardround"))
            .args(["serve", "--check-config", "--database"])
            .arg(dir.path().join("w.sqlite"))
            .args(args)
            .env("HOME", dir.path())
            .env("XDG_CONFIG_HOME", dir.path())
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string(),
        )
    };
    let cert = tls.join("server.pem");
    let key = tls.join("server.key");
    let (ok, out) = run(&[
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
    ]);
    assert!(ok, "{out}");
    assert!(out.contains("ok    tls: certificate"), "{out}");
    assert!(out.contains("ok    ehr: none configured"), "{out}");

    let wrong_key = tls.join("ca.pem");
    let (ok, out) = run(&[
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        wrong_key.to_str().unwrap(),
        "--ehr-bundles",
        "/no/such/dir",
    ]);
    assert!(!ok, "{out}");
    assert!(out.contains("FAIL  tls: TLS key"), "{out}");
    assert!(
        out.contains("FAIL  ehr: /no/such/dir is not a directory"),
        "{out}"
    );
}

#[tokio::test]
async fn doctor_checks_the_server_login_and_stream_and_fails_when_it_is_down() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _) = common::demo_ward_server(dir.path().join("w.sqlite")).await;
    server
        .domain
        .create_user("nurse", "Alex Morgan", "RN", PASSWORD)
        .await
        .unwrap();
    let url = server.url();
    let (ok, out, err) = {
        let url = url.clone();
        tokio::task::spawn_blocking(move || run(&url, &["doctor", "--json"]))
            .await
            .unwrap()
    };
    assert!(ok, "{out}{err}");
    let checks: serde_json::Value = serde_json::from_str(&out).unwrap();
    let status = |name: &str| {
        checks
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["check"] == name)
            .map(|c| c["status"].as_str().unwrap().to_string())
    };
    for name in [
        "config",
        "dns",
        "tcp",
        "version",
        "clock skew",
        "ehr",
        "login",
        "event stream",
    ] {
        assert_eq!(status(name).as_deref(), Some("pass"), "{name}: {out}");
    }
    assert_eq!(
        status("tls").as_deref(),
        Some("warn"),
        "plain HTTP is a warning"
    );
    // Its output is piped here: there is no terminal to measure, and it says so.
    assert_eq!(status("terminal size").as_deref(), Some("warn"), "{out}");
    assert!(out.contains("not a terminal"), "{out}");

    server.stop().await;
    let (ok, out, _) = tokio::task::spawn_blocking(move || run(&url, &["doctor"]))
        .await
        .unwrap();
    assert!(!ok, "a stopped server fails the doctor");
    assert!(out.contains("FAIL  tcp"), "{out}");
    assert!(out.contains("Is the server running?"), "{out}");
    // What needs the connection is listed as not run, not left out.
    for name in ["tls", "version", "ehr", "login", "event stream"] {
        assert!(
            out.lines().any(|l| l.starts_with("SKIPPED  ")
                && l.split_whitespace().nth(1) == name.split_whitespace().next()
                && l.contains("not checked: needs tcp")),
            "{name}: {out}"
        );
    }
}

#[test]
fn a_postgresql_server_out_of_reach_stops_serve_with_the_reason_and_no_password() {
    let dir = tempfile::tempdir().unwrap();
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    let url = "postgres://wardround:s3cret-pw@127.0.0.1:1/ward";
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_wardround"))
            .args(args)
            .env("WARDROUND_DATABASE", url)
            .env("HOME", dir.path())
            .env("XDG_CONFIG_HOME", dir.path())
            .output()
            .unwrap()
    };
    let out = run(&["serve", "--listen", "127.0.0.1:0"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("cannot open the database at postgres://wardround:***@127.0.0.1:1/ward"),
        "{err}"
    );
    assert!(err.to_lowercase().contains("refused"), "says why: {err}");
    assert!(!err.contains("s3cret-pw"), "{err}");

    let out = run(&["serve", "--check-config"]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(
        said.contains("FAIL  database: postgres://wardround:***@"),
        "{said}"
    );
    assert!(!said.contains("s3cret-pw"), "{said}");
}

/// A new account's password is IT's and one-time: the first command the user runs asks
/// for their own (here on standard input), and `wardround password` changes it later.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_time_password_is_replaced_at_the_first_login_and_changed_later() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _) = common::demo_ward_server(dir.path().join("w.sqlite")).await;
    server.domain.bootstrap_admin(PASSWORD).await.unwrap();
    let url = server.url();
    let (ok, out, err) = admin(
        &url,
        &["admin", "user", "add", "kpatel", "--name", "Kiran Patel"],
    );
    assert!(ok, "{err}");
    let one_time = out
        .lines()
        .find_map(|l| l.strip_prefix("one-time password: "))
        .expect("a one-time password")
        .trim()
        .to_string();
    let run = |args: &[&str], stdin: String| {
        let (url, args): (String, Vec<String>) =
            (url.clone(), args.iter().map(|a| a.to_string()).collect());
        std::thread::spawn(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            common::run_with_stdin("kpatel", &url, &args, &stdin)
        })
        .join()
        .unwrap()
    };
    // Without a new one the command stops and says why.
    let (ok, _, err) = run(&["lists"], format!("{one_time}\n"));
    assert!(!ok);
    assert!(err.contains("one-time password"), "{err}");
    let (ok, _, err) = run(&["lists"], format!("{one_time}\nmy own ward password\n"));
    assert!(ok, "{err}");
    assert!(err.contains("password changed"), "{err}");
    let (ok, _, err) = run(&["lists"], format!("{one_time}\n"));
    assert!(!ok, "the one-time password is spent: {err}");
    let (ok, _, err) = run(
        &["password"],
        "my own ward password\nsomething else entirely\n".into(),
    );
    assert!(ok, "{err}");
    let (ok, _, err) = run(&["lists"], "something else entirely\n".into());
    assert!(ok, "{err}");
}

#[tokio::test]
async fn an_administrator_defines_roles_and_imports_a_rota_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _) = common::demo_ward_server(dir.path().join("w.sqlite")).await;
    let d = &server.domain;
    d.bootstrap_admin(PASSWORD).await.unwrap().unwrap();
    d.create_user("tom", "Tom Reid", "Registrar", PASSWORD)
        .await
        .unwrap();
    d.create_team_with_channel("5 North").await.unwrap();
    d.add_team_member("5 North", "tom").await.unwrap();
    let now = chrono::Utc::now();
    let rota = dir.path().join("rota.csv");
    std::fs::write(
        &rota,
        format!(
            "role,username,start,end\n\"Medical registrar on call\",tom,{},{}\n",
            (now - chrono::Duration::hours(1)).to_rfc3339(),
            (now + chrono::Duration::hours(11)).to_rfc3339()
        ),
    )
    .unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "Medical registrar on call,tom,tomorrow\n").unwrap();
    let url = server.url();
    let run = |args: Vec<String>| {
        let url = url.clone();
        tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            admin(&url, &args)
        })
    };
    let words = |s: &[&str]| s.iter().map(|w| w.to_string()).collect::<Vec<_>>();
    let (ok, out, err) = run(words(&[
        "admin",
        "role",
        "create",
        "Medical registrar on call",
        "--team",
        "5 North",
        "--fallback",
        "team:5 North",
    ]))
    .await
    .unwrap();
    assert!(ok, "{err}");
    assert!(
        out.contains("created role Medical registrar on call in 5 North (fallback team:5 North)"),
        "{out}"
    );
    let (ok, _, err) = run(words(&[
        "admin",
        "role",
        "create",
        "MEDICAL registrar on call",
        "--team",
        "5 North",
    ]))
    .await
    .unwrap();
    assert!(
        !ok && err.contains("already"),
        "names are unique in any case: {err}"
    );
    let (ok, out, err) = run(vec![
        "admin".into(),
        "role".into(),
        "import-rota".into(),
        rota.display().to_string(),
    ])
    .await
    .unwrap();
    assert!(ok, "{err}");
    assert!(out.contains("imported 1 shifts"), "{out}");
    let (ok, _, err) = run(vec![
        "admin".into(),
        "role".into(),
        "import-rota".into(),
        bad.display().to_string(),
    ])
    .await
    .unwrap();
    assert!(!ok && err.contains("line 1"), "{err}");
    let (ok, out, _) = run(words(&["admin", "role", "list"])).await.unwrap();
    assert!(ok);
    assert_eq!(
        out,
        "ROLE                       TEAM     HELD BY   FALLBACK\n\
         Medical registrar on call  5 North  Tom Reid  team:5 North\n"
    );
    let (ok, out, _) = run(words(&["admin", "role", "list", "--json"]))
        .await
        .unwrap();
    assert!(ok);
    let roles: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(roles[0]["holders"][0]["display_name"], "Tom Reid");
    let (ok, out, _) = run(words(&[
        "admin",
        "role",
        "delete",
        "medical registrar on call",
    ]))
    .await
    .unwrap();
    assert!(ok && out.contains("deleted role"), "{out}");
    let (_, out, _) = run(words(&["admin", "role", "list"])).await.unwrap();
    assert_eq!(
        out, "ROLE  TEAM  HELD BY  FALLBACK\n",
        "headers alone: no role"
    );
}

/// Shell completions and the manual page come from the command line's own definition,
/// without a config or a server.
#[test]
fn completions_and_the_manual_page_describe_every_command() {
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_wardround"))
            .args(args)
            .env("HOME", "/nonexistent")
            .output()
            .unwrap()
    };
    for shell in ["bash", "zsh", "fish"] {
        let out = run(&["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8_lossy(&out.stdout);
        for command in ["lists", "import-mrns", "doctor", "ehr-double"] {
            assert!(script.contains(command), "{shell} completes {command}");
        }
        assert!(script.contains("census"), "{shell}: lists new --census");
    }
    let page = run(&["man"]);
    assert!(page.status.success());
    let page = String::from_utf8_lossy(&page.stdout);
    assert!(
        page.starts_with(".ie") || page.contains(".TH wardround 1"),
        "{page}"
    );
    assert!(
        page.contains("completions") && page.contains("doctor"),
        "{page}"
    );
    let wrong = run(&["completions", "tcsh"]);
    assert!(!wrong.status.success());
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("possible values"));
}
