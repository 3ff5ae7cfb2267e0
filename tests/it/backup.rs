//! `wardround backup`: a copy of a live SQLite database, taken while a real server stores
//! messages, opens in a fresh server with every message acknowledged before the backup
//! began; an existing file is replaced only with --force; PostgreSQL is pointed to
//! pg_dump.

use crate::common;

use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::TestStore;
use uuid::Uuid;
use wardround::bench::Target;
use wardround::client::ApiClient;
use wardround::model::{NewMessage, Priority};
use wardround::server::store::Database;

const ADMIN_PASSWORD: &str = "admin password for the backup test";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Runs `wardround backup ARGS` with a HOME of its own; success, stdout, stderr.
fn backup(args: &[&std::ffi::OsStr]) -> (bool, String, String) {
    let home = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wardround"))
        .arg("backup")
        .args(args)
        .env_remove("WARDROUND_DATABASE")
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path())
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

async fn login(url: &str, name: &str) -> ApiClient {
    ApiClient::new(url)
        .unwrap()
        .login(name, common::PASSWORD)
        .await
        .unwrap()
        .0
}

/// Every message of a conversation, page by page.
async fn all_messages(client: &ApiClient, conversation: Uuid) -> HashSet<Uuid> {
    let mut page = client.messages(conversation).await.unwrap();
    let mut ids = HashSet::new();
    while let Some(oldest) = page.first().map(|m| m.id) {
        let before = ids.len();
        ids.extend(page.iter().map(|m| m.id));
        if ids.len() == before {
            break;
        }
        page = client.messages_before(conversation, oldest).await.unwrap();
    }
    ids
}

/// The value of a `what\tvalue` line of the backup's report.
fn reported(stdout: &str, what: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{what}\t")))
        .unwrap_or_else(|| panic!("no {what} in {stdout}"))
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_load_opens_with_every_message_acknowledged_before_it() {
    let store = TestStore::sqlite();
    let Database::Sqlite(live) = store.database.clone() else {
        unreachable!()
    };
    let server = common::serve_process(
        &store,
        &format!("127.0.0.1:{}", free_port()),
        ADMIN_PASSWORD,
    );
    common::sender_and_recipient_on_a_ward(&server.url, ADMIN_PASSWORD).await;
    let sender = login(&server.url, "sender").await;
    let channel = sender.conversations().await.unwrap()[0].id;

    // Two senders write until told to stop; each message counts once the server has
    // acknowledged it.
    let acked: Arc<Mutex<Vec<Uuid>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for writer in 0..2 {
        let (sender, acked, stop) = (sender.clone(), acked.clone(), stop.clone());
        writers.push(tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let message = NewMessage {
                    id: Uuid::new_v4(),
                    body: format!("writer {writer} message {i}"),
                    priority: Priority::Normal,
                };
                sender.send(channel, &message).await.unwrap();
                acked.lock().unwrap().push(message.id);
                i += 1;
            }
        }));
    }
    while acked.lock().unwrap().len() < 100 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    let before: HashSet<Uuid> = acked.lock().unwrap().iter().copied().collect();
    let backups = tempfile::tempdir().unwrap();
    let out = backups.path().join("ward-backup.sqlite");
    let (ok, stdout, stderr) = {
        let (live, out) = (live.clone(), out.clone());
        tokio::task::spawn_blocking(move || {
            backup(&["--database".as_ref(), live.as_os_str(), out.as_os_str()])
        })
        .await
        .unwrap()
    };
    // The writers carried on through the backup.
    let during = acked.lock().unwrap().len();
    while acked.lock().unwrap().len() < during + 20 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await.unwrap();
    }
    assert!(ok, "{stderr}");
    assert_eq!(reported(&stdout, "integrity"), "ok");
    let copied: usize = reported(&stdout, "messages").parse().unwrap();
    assert!(copied >= before.len(), "{stdout}");
    assert_eq!(reported(&stdout, "users"), "3", "admin, sender, recipient");
    assert!(reported(&stdout, "size").ends_with("iB)"), "{stdout}");
    assert!(
        !stdout.contains("writer 0"),
        "no message text in the report"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the copy is for the server's user alone");
    }
    assert_eq!(
        std::fs::read_dir(backups.path()).unwrap().count(),
        1,
        "nothing left beside the copy"
    );

    // Restored as README says: the copy as the database file, with the audit key.
    let restored = tempfile::tempdir().unwrap();
    std::fs::copy(&out, restored.path().join("ward.sqlite")).unwrap();
    std::fs::copy(
        store.dir().join("audit.key"),
        restored.path().join("audit.key"),
    )
    .unwrap();
    let fresh = Target::spawn_at(
        Path::new(env!("CARGO_BIN_EXE_wardround")),
        &format!("127.0.0.1:{}", free_port()),
        &Database::Sqlite(restored.path().join("ward.sqlite")),
        restored.path(),
        ADMIN_PASSWORD,
    )
    .expect("a server opens the copy");
    let recipient = login(&fresh.url, "recipient").await;
    let there = all_messages(&recipient, channel).await;
    let missing: Vec<_> = before.difference(&there).collect();
    assert!(
        missing.is_empty(),
        "{} acknowledged before the backup are not in it",
        missing.len()
    );
    assert_eq!(there.len(), copied, "the report counts what is there");
    drop(server);
}

#[tokio::test]
async fn a_backup_replaces_a_file_only_when_asked_and_leaves_postgresql_to_pg_dump() {
    let store = TestStore::sqlite();
    let Database::Sqlite(live) = store.database.clone() else {
        unreachable!()
    };
    // A database a server made.
    store
        .database
        .open(
            wardround::server::audit_key::AuditKeys::generate(),
            Default::default(),
        )
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("copy.sqlite");
    std::fs::write(&out, "keep me").unwrap();
    let run = |args: Vec<std::ffi::OsString>| {
        tokio::task::spawn_blocking(move || {
            backup(&args.iter().map(|a| a.as_os_str()).collect::<Vec<_>>())
        })
    };

    let (ok, _, stderr) = run(vec![
        "--database".into(),
        live.clone().into(),
        out.clone().into(),
    ])
    .await
    .unwrap();
    assert!(
        !ok && stderr.contains("already exists") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me");

    let (ok, stdout, stderr) = run(vec![
        "--database".into(),
        live.clone().into(),
        "--force".into(),
        out.clone().into(),
    ])
    .await
    .unwrap();
    assert!(ok, "{stderr}");
    assert_eq!(reported(&stdout, "messages"), "0");
    assert!(std::fs::read(&out)
        .unwrap()
        .starts_with(b"SQLite format 3\0"));

    // Never the database itself, never a database that is not there (nor made).
    let (ok, _, stderr) = run(vec![
        "--database".into(),
        live.clone().into(),
        "--force".into(),
        live.clone().into(),
    ])
    .await
    .unwrap();
    assert!(!ok && stderr.contains("the database itself"), "{stderr}");
    // Nor the files beside it: a copy over the live WAL loses what the server acknowledged.
    let side = |suffix: &str| {
        let mut name = live.clone().into_os_string();
        name.push(suffix);
        std::path::PathBuf::from(name)
    };
    let audit_key = live.parent().unwrap().join("audit.key");
    for target in [
        side("-wal"),
        side("-shm"),
        side("-journal"),
        side(".audit-checkpoints"),
        audit_key,
    ] {
        let before = std::fs::read(&target).ok();
        let (ok, _, stderr) = run(vec![
            "--database".into(),
            live.clone().into(),
            "--force".into(),
            target.clone().into(),
        ])
        .await
        .unwrap();
        assert!(
            !ok && stderr.contains("the server's own files"),
            "{}: {stderr}",
            target.display()
        );
        assert_eq!(
            std::fs::read(&target).ok(),
            before,
            "{} untouched",
            target.display()
        );
    }
    let nowhere = dir.path().join("nowhere.sqlite");
    let (ok, _, stderr) = run(vec![
        "--database".into(),
        nowhere.clone().into(),
        dir.path().join("x.sqlite").into(),
    ])
    .await
    .unwrap();
    assert!(!ok && stderr.contains("no database at"), "{stderr}");
    assert!(!nowhere.exists());
    let (ok, _, stderr) = run(vec![
        "--database".into(),
        live.clone().into(),
        dir.path().join("no/such/dir/x.sqlite").into(),
    ])
    .await
    .unwrap();
    assert!(!ok && stderr.contains("is not a directory"), "{stderr}");

    let (ok, _, stderr) = run(vec![
        "--database".into(),
        "postgres://wardround:s3cret@db.example/wardround".into(),
        dir.path().join("pg.sqlite").into(),
    ])
    .await
    .unwrap();
    assert!(!ok && stderr.contains("pg_dump"), "{stderr}");
    assert!(!stderr.contains("s3cret"), "{stderr}");
}
