//! Login hardening over HTTP on a controlled clock: backoff, lockout, what IT does about
//! it, session expiry and revocation.

use crate::common;

use std::sync::Arc;

use chrono::{Duration, Utc};
use wardround::client::{ApiClient, ClientError};
use wardround::fhir::BundleSource;
use wardround::server::clock::ManualClock;
use wardround::server::{self, Options, RunningServer};

use common::{TestStore, PASSWORD};

async fn server(store: &TestStore) -> (RunningServer, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let server = server::start_with(
        "127.0.0.1:0".parse().unwrap(),
        &store.database,
        Arc::new(BundleSource::default()),
        Options {
            clock: clock.clone(),
            scheduler: false,
            tls: None,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    server
        .domain
        .create_user("nurse", "Alex Morgan", "RN", PASSWORD)
        .await
        .unwrap();
    (server, clock)
}

/// The status of a login attempt, and its Retry-After when there is one.
async fn attempt(server: &RunningServer, username: &str, password: &str) -> (u16, Option<u64>) {
    let resp = reqwest::Client::new()
        .post(format!("{}/api/v1/session", server.url()))
        .json(&serde_json::json!({ "username": username, "password": password }))
        .send()
        .await
        .unwrap();
    let retry = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    (resp.status().as_u16(), retry)
}

async fn failed_logins_back_off_then_lock_until_it_unlocks(store: TestStore) {
    let (server, clock) = server(&store).await;
    let mut seen = Vec::new();
    for _ in 0..10 {
        seen.push(attempt(&server, "nurse", "guess").await.0);
        seen.push(attempt(&server, "nurse", PASSWORD).await.0);
    }
    // A right password after each failure resets the count: nobody ever waits.
    assert_eq!(
        seen,
        [401, 201].repeat(10),
        "success in between resets the count"
    );

    // Now ten failures in a row, each waiting out its backoff.
    let mut waits = Vec::new();
    let mut last = 0;
    for _ in 0..12 {
        let (status, retry) = attempt(&server, "nurse", "guess").await;
        if status == 429 {
            let secs = retry.expect("Retry-After");
            waits.push(secs);
            clock.advance(Duration::seconds(i64::try_from(secs).unwrap()));
            let (status, _) = attempt(&server, "nurse", "guess").await;
            last = status;
        } else {
            last = status;
        }
        if last == 403 {
            break;
        }
    }
    assert_eq!(
        waits,
        vec![1, 2, 4, 8, 16, 32, 60],
        "doubling, capped at a minute"
    );
    assert_eq!(last, 403, "locked");
    assert_eq!(
        attempt(&server, "nurse", PASSWORD).await.0,
        403,
        "even with the right password"
    );
    let anon = ApiClient::new(&server.url()).unwrap();
    let err = anon.login("nurse", PASSWORD).await.unwrap_err();
    assert!(
        matches!(&err, ClientError::Rejected { status: 403, detail } if detail.contains("ask IT")),
        "{err:?}"
    );

    // IT resets the password: unlocked, with the new one.
    server
        .domain
        .reset_password("nurse", "a brand new password")
        .await
        .unwrap();
    assert_eq!(
        attempt(&server, "nurse", "a brand new password").await.0,
        201
    );
}

async fn unknown_names_get_the_same_answers_as_known_ones(store: TestStore) {
    let (server, clock) = server(&store).await;
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for _ in 0..4 {
        known.push(attempt(&server, "nurse", "guess").await);
        unknown.push(attempt(&server, "nobody", "guess").await);
        clock.advance(Duration::milliseconds(100));
    }
    assert_eq!(known, unknown);
    assert_eq!(known.last(), Some(&(429, Some(1))));
}

async fn a_session_expires_after_a_shift_and_ends_at_logout(store: TestStore) {
    let (server, clock) = server(&store).await;
    let anon = ApiClient::new(&server.url()).unwrap();
    let (client, _) = anon.login("nurse", PASSWORD).await.unwrap();
    clock.advance(Duration::hours(12));
    assert!(client.me().await.is_ok(), "still within the shift");
    clock.advance(Duration::hours(1) + Duration::minutes(1));
    let err = client.me().await.unwrap_err();
    assert!(err.is_unauthorized(), "{err:?}");

    let (client, _) = anon.login("nurse", PASSWORD).await.unwrap();
    client.logout().await.unwrap();
    assert!(client.me().await.unwrap_err().is_unauthorized());

    // Disabling the account ends the sessions it has.
    let (client, _) = anon.login("nurse", PASSWORD).await.unwrap();
    server
        .domain
        .set_account_disabled("nurse", true)
        .await
        .unwrap();
    assert!(client.me().await.unwrap_err().is_unauthorized());
}

async fn unlocking_checks_the_sessions_own_password_and_counts_failures(store: TestStore) {
    let (server, clock) = server(&store).await;
    let anon = ApiClient::new(&server.url()).unwrap();
    let (client, _) = anon.login("nurse", PASSWORD).await.unwrap();
    client.verify_password(PASSWORD).await.unwrap();
    let mut statuses = Vec::new();
    for _ in 0..4 {
        match client.verify_password("wrong").await {
            Err(ClientError::Rejected { status, .. }) => statuses.push(status),
            other => panic!("{other:?}"),
        }
        clock.advance(Duration::milliseconds(10));
    }
    assert_eq!(statuses, [401, 401, 401, 429], "the same backoff as logins");
    // The count is the name's: a login now waits too.
    assert_eq!(attempt(&server, "nurse", PASSWORD).await.0, 429);
    clock.advance(Duration::seconds(2));
    client.verify_password(PASSWORD).await.unwrap();
}

/// The wrong guesses the server checked for a name, from its metrics.
async fn checked_failures(server: &RunningServer) -> u64 {
    let text = reqwest::get(format!("{}/metrics", server.url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("wardround_login_failures_total "))
        .and_then(|n| n.trim().parse().ok())
        .expect("wardround_login_failures_total")
}

/// Fifty attempts at once, again and again, each round after the longest wait: however
/// the attempts race, the name gets ten checked guesses in all, and the right password
/// afterwards (even inside a burst) does not unlock it.
async fn a_burst_of_logins_gets_no_more_guesses_than_one_at_a_time(store: TestStore) {
    let (server, clock) = server(&store).await;
    let burst = |password: &'static str| {
        let server = &server;
        futures_util::future::join_all((0..50).map(move |i| async move {
            let password = if i == 25 { password } else { "guess" };
            attempt(server, "nurse", password).await.0
        }))
    };
    for _ in 0..12 {
        let statuses = burst("guess").await;
        assert!(
            statuses.iter().all(|s| [401, 403, 429].contains(s)),
            "{statuses:?}"
        );
        clock.advance(Duration::seconds(61));
    }
    assert_eq!(checked_failures(&server).await, 10);
    let statuses = burst(PASSWORD).await;
    assert!(statuses.iter().all(|&s| s == 403), "{statuses:?}");
    assert_eq!(attempt(&server, "nurse", PASSWORD).await.0, 403);
    assert_eq!(
        checked_failures(&server).await,
        10,
        "nothing checked once locked"
    );
    // However the name is typed.
    assert_eq!(attempt(&server, "NURSE", "guess").await.0, 403);
    // Every checked guess is on the record; the hundreds refused unchecked are counted,
    // not written, or a script could fill the audit log as fast as it sends.
    let audited = server
        .domain
        .store()
        .audit_entries(&wardround::server::store::AuditFilter {
            actor: Some("nurse".into()),
            limit: 10_000,
            ..Default::default()
        })
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == wardround::model::AuditAction::LoginFailed)
        .count();
    assert_eq!(audited, 10);
    let metrics = reqwest::get(format!("{}/metrics", server.url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let refused: u64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("wardround_logins_refused_total "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap();
    assert!(refused > 500, "{refused}");
}

/// `wardround admin --database …` as IT would run it on the server, with the server's
/// HOME (where a PostgreSQL node keeps its audit key).
fn admin_offline(store: &TestStore, args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wardround"))
        .arg("admin")
        .arg("--database")
        .arg(store.database.arg())
        .args(args)
        .env("HOME", store.dir().join("home"))
        .env("XDG_CONFIG_HOME", store.dir().join("home"))
        .env_remove("WARDROUND_AUDIT_KEY")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// Anyone can lock `admin` with wrong passwords; whoever holds the server's files gets it
/// back without a login, on the record, while the server runs.
async fn a_locked_administrator_is_unlocked_at_the_servers_files(store: TestStore) {
    let node = common::serve_process(&store, "127.0.0.1:0", PASSWORD);
    let url = node.url.clone();
    let attempt_at = |password: &'static str| {
        let url = url.clone();
        async move {
            reqwest::Client::new()
                .post(format!("{url}/api/v1/session"))
                .json(&serde_json::json!({ "username": "admin", "password": password }))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    // Three wrong guesses as anyone could make; the rest of the way to the lock takes two
    // minutes of backoff on the server's own clock, so the lock is set as it would be.
    for _ in 0..3 {
        assert_eq!(attempt_at("guess").await, 401);
    }
    store
        .execute("UPDATE login_failures SET failures = 10, locked = true WHERE username = 'admin'")
        .await;
    assert_eq!(attempt_at(PASSWORD).await, 403, "locked");

    // Run away from the server's files (a PostgreSQL node keeps its key in its own data
    // dir), it refuses rather than sign with a key of its own: the server could not
    // verify those rows.
    if matches!(
        store.database,
        wardround::server::store::Database::Postgres(_)
    ) {
        let elsewhere = tempfile::tempdir().unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_wardround"))
            .args(["admin", "--database"])
            .arg(store.database.arg())
            .args(["unlock", "admin"])
            .env("HOME", elsewhere.path())
            .env("XDG_CONFIG_HOME", elsewhere.path())
            .env("XDG_DATA_HOME", elsewhere.path())
            .env_remove("WARDROUND_AUDIT_KEY")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && err.contains("no audit key"),
            "{err}"
        );
        assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
    }
    let (ok, out, err) = admin_offline(&store, &["unlock", "admin"]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("admin: unlocked"), "{out}");
    assert_eq!(attempt_at(PASSWORD).await, 201, "unlocked");

    let (ok, out, err) = admin_offline(&store, &["reset-password", "admin"]);
    assert!(ok, "{err}");
    let password = out.rsplit(' ').next().unwrap().trim().to_string();
    assert!(password.len() >= 12, "{out}");
    let (ok, _, err) = admin_offline(&store, &["user", "list"]);
    assert!(
        !ok && err.contains("only `unlock NAME` and `reset-password NAME`"),
        "{err}"
    );
    if let wardround::server::store::Database::Sqlite(path) = &store.database {
        let typo = path.with_file_name("wardround-typo.sqlite");
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_wardround"))
            .args(["admin", "--database"])
            .arg(&typo)
            .args(["unlock", "admin"])
            .output()
            .unwrap();
        assert!(!out.status.success());
        assert!(!typo.exists(), "a mistyped path makes no database");
    }
    let (ok, _, err) = admin_offline(&store, &["user", "list"]);
    assert!(
        !ok && err.contains("only `unlock NAME` and `reset-password NAME`"),
        "{err}"
    );

    let (admin, resp) = ApiClient::new(&url)
        .unwrap()
        .login("admin", &password)
        .await
        .unwrap();
    assert!(resp.must_change_password, "the reset password is one-time");
    admin
        .change_password(&password, "the administrator's own")
        .await
        .unwrap();
    let query = wardround::client::admin::AuditQuery {
        actor: None,
        patient: None,
        since: None,
    };
    let rows = admin.admin_audit(&query).await.unwrap();
    let done: Vec<(String, &str)> = rows
        .iter()
        .filter(|e| e.actor.starts_with("local:"))
        .map(|e| (e.action.as_str(), e.detail.as_str()))
        .collect();
    assert_eq!(
        done,
        [
            ("account_unlocked".to_string(), "user admin"),
            ("password_reset".to_string(), "user admin")
        ]
    );
    assert!(admin
        .admin_audit_verify()
        .await
        .unwrap()
        .broken_at
        .is_none());
}

/// A disabled account used to answer its right password with 403 and a wrong one with
/// 401: a guesser learnt the password.
async fn a_disabled_account_answers_its_right_password_as_a_wrong_one(store: TestStore) {
    let (server, clock) = server(&store).await;
    server
        .domain
        .set_account_disabled("nurse", true)
        .await
        .unwrap();
    let wrong = attempt(&server, "nurse", "guess").await;
    clock.advance(Duration::seconds(1));
    let right = attempt(&server, "nurse", PASSWORD).await;
    assert_eq!(wrong, (401, None));
    assert_eq!(right, wrong);
}

async fn status_of(resp: reqwest::Response) -> (u16, serde_json::Value) {
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or_default())
}

/// A password IT chose opens nothing but the change to one of the user's own; it works
/// once, and the user's own must pass the rules.
async fn a_one_time_password_opens_nothing_but_setting_ones_own(store: TestStore) {
    let (server, _clock) = server(&store).await;
    let d = &server.domain;
    d.bootstrap_admin(PASSWORD).await.unwrap();
    let url = server.url();
    let admin = ApiClient::new(&url)
        .unwrap()
        .login("admin", PASSWORD)
        .await
        .unwrap()
        .0;
    let one_time = "it set this one 4W";
    admin
        .admin_add_user(&wardround::client::admin::NewAccount {
            username: "kpatel",
            display_name: "Kiran Patel",
            role: "RN",
            password: one_time,
            admin: false,
            one_time: true,
        })
        .await
        .unwrap();
    let (kiran, resp) = ApiClient::new(&url)
        .unwrap()
        .login("kpatel", one_time)
        .await
        .unwrap();
    assert!(resp.must_change_password);
    // Whoever else logged in with the one-time password (it passed through other hands).
    let (other, _) = ApiClient::new(&url)
        .unwrap()
        .login("kpatel", one_time)
        .await
        .unwrap();
    let err = kiran.conversations().await.unwrap_err();
    assert!(
        matches!(&err, ClientError::Rejected { status: 403, detail } if detail.contains("one-time")),
        "{err:?}"
    );
    assert!(kiran.me().await.is_ok(), "who am I is answered");
    // The rules: long enough, not blank, not a common password (the name: unit test).
    for weak in [
        "short pw",
        "            ",
        "KPATEL",
        "1qaz2wsx3edc",
        "123qweasdzxc",
    ] {
        let err = kiran.change_password(one_time, weak).await.unwrap_err();
        assert!(
            matches!(err, ClientError::Rejected { status: 422, .. }),
            "{weak:?}: {err:?}"
        );
    }
    let err = kiran
        .change_password("not the one", "my own ward password")
        .await
        .unwrap_err();
    assert!(
        matches!(err, ClientError::Rejected { status: 401, .. }),
        "{err:?}"
    );
    kiran
        .change_password(one_time, "my own ward password")
        .await
        .unwrap();
    assert!(
        kiran.conversations().await.is_ok(),
        "this session goes on, opened up"
    );
    assert!(
        other.me().await.unwrap_err().is_unauthorized(),
        "the others end"
    );
    // The one-time password is gone; the new one is the user's.
    assert_eq!(attempt(&server, "kpatel", one_time).await.0, 401);
    let (_, resp) = ApiClient::new(&url)
        .unwrap()
        .login("kpatel", "my own ward password")
        .await
        .unwrap();
    assert!(!resp.must_change_password);
    // A reset makes it one-time again.
    admin
        .admin_reset_password("kpatel", "another one from IT")
        .await
        .unwrap();
    let (_, resp) = ApiClient::new(&url)
        .unwrap()
        .login("kpatel", "another one from IT")
        .await
        .unwrap();
    assert!(resp.must_change_password);
    // Weak passwords are refused to IT too.
    let resp = reqwest::Client::new()
        .post(format!("{url}/api/v1/admin/users"))
        .bearer_auth(admin_token(&url).await)
        .json(&serde_json::json!({"username": "weak", "display_name": "W", "password": "12345678"}))
        .send()
        .await
        .unwrap();
    let (status, body) = status_of(resp).await;
    assert_eq!(status, 422, "{body}");
    let audit: Vec<String> = d
        .audit_query(Some("kpatel".into()), None, None)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action.as_str())
        .collect();
    assert!(audit.contains(&"password_changed".to_string()), "{audit:?}");
    assert!(
        audit.contains(&"password_change_failed".to_string()),
        "{audit:?}"
    );
}

async fn admin_token(url: &str) -> String {
    ApiClient::new(url)
        .unwrap()
        .login("admin", PASSWORD)
        .await
        .unwrap()
        .1
        .token
}

/// Two changes of one password at once (two tabs, a double click): one wins, the other
/// is told, and no client believes in a password that does not work.
async fn two_password_changes_at_once_make_one_change(store: TestStore) {
    let (server, _clock) = server(&store).await;
    let client = ApiClient::new(&server.url())
        .unwrap()
        .login("nurse", PASSWORD)
        .await
        .unwrap()
        .0;
    let (a, b) = tokio::join!(
        client.change_password(PASSWORD, "first new ward password"),
        client.change_password(PASSWORD, "second new ward password"),
    );
    let won: Vec<&str> = [
        (&a, "first new ward password"),
        (&b, "second new ward password"),
    ]
    .into_iter()
    .filter(|(r, _)| r.is_ok())
    .map(|(_, p)| p)
    .collect();
    assert_eq!(won.len(), 1, "{a:?} {b:?}");
    let lost = if a.is_ok() { &b } else { &a };
    assert!(
        matches!(lost, Err(ClientError::Rejected { status: 409, .. })),
        "{lost:?}"
    );
    assert_eq!(attempt(&server, "nurse", won[0]).await.0, 201);
}

on_each_store!(
    two_password_changes_at_once_make_one_change,
    a_one_time_password_opens_nothing_but_setting_ones_own,
    a_disabled_account_answers_its_right_password_as_a_wrong_one,
    a_locked_administrator_is_unlocked_at_the_servers_files,
    a_burst_of_logins_gets_no_more_guesses_than_one_at_a_time,
    failed_logins_back_off_then_lock_until_it_unlocks,
    unknown_names_get_the_same_answers_as_known_ones,
    a_session_expires_after_a_shift_and_ends_at_logout,
    unlocking_checks_the_sessions_own_password_and_counts_failures,
);
