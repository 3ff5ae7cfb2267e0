//! Two `wardround serve` processes on one store (a SQLite file; a PostgreSQL database, where
//! they hear of each other's writes by LISTEN/NOTIFY) are two nodes of one service: users
//! on different nodes exchange 1,000 messages with none lost or repeated, a client that
//! reconnects to the other node resumes from its cursor, each re-notification fires once
//! across both, and the audit chain the two append to stays one unbroken chain.

use crate::common;

use common::{TestStore, PASSWORD};
use std::collections::HashMap;
use std::time::Duration;

use tokio::sync::mpsc;
use uuid::Uuid;
use wardround::bench::Target;
use wardround::client::{spawn_event_stream, ApiClient, StreamUpdate};
use wardround::model::{Event, EventKind, NewMessage, PolicyPatch, Priority, GLOBAL};

const ADMIN_PASSWORD: &str = "admin password for the nodes test";

fn node(store: &TestStore) -> Target {
    common::serve_process(store, "127.0.0.1:0", ADMIN_PASSWORD)
}

async fn login(url: &str, name: &str, password: &str) -> ApiClient {
    ApiClient::new(url)
        .unwrap()
        .login(name, password)
        .await
        .unwrap()
        .0
}

/// Events from `rx` until `done` says enough, or 15 s.
async fn collect(
    rx: &mut mpsc::UnboundedReceiver<StreamUpdate>,
    done: impl FnMut(&[Event]) -> bool,
) -> Vec<Event> {
    collect_for(rx, Duration::from_secs(15), done).await
}

async fn collect_for(
    rx: &mut mpsc::UnboundedReceiver<StreamUpdate>,
    limit: Duration,
    mut done: impl FnMut(&[Event]) -> bool,
) -> Vec<Event> {
    let mut events = Vec::new();
    let deadline = tokio::time::Instant::now() + limit;
    while !done(&events) {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(StreamUpdate::Event(e))) => events.push(e),
            Ok(Some(_)) => {}
            _ => break,
        }
    }
    events
}

fn message_ids(events: &[Event]) -> Vec<Uuid> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Message { message } => Some(message.id),
            _ => None,
        })
        .collect()
}

async fn two_nodes_on_one_store_deliver_once_and_renotify_once(store: TestStore) {
    let one = node(&store);
    let two = node(&store);
    assert_ne!(one.url, two.url);

    let admin = common::sender_and_recipient_on_a_ward(&one.url, ADMIN_PASSWORD).await;
    let mut patch = PolicyPatch::default();
    patch.set("renotify_interval", "5s").unwrap();
    patch.set("renotify_window", "10s").unwrap();
    admin.admin_set_policy(GLOBAL, &patch).await.unwrap();

    // The sender on node one, the recipient on node two; they exchange 1,000 messages
    // (urgent among them), each listening on their own node.
    let sender = login(&one.url, "sender", PASSWORD).await;
    let on_two = login(&two.url, "recipient", PASSWORD).await;
    let channel = sender.conversations().await.unwrap()[0].id;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let stream = spawn_event_stream(on_two.clone(), on_two.me().await.unwrap().cursor, tx);
    let (back_tx, mut back_rx) = mpsc::unbounded_channel();
    let _back = spawn_event_stream(sender.clone(), sender.me().await.unwrap().cursor, back_tx);

    // Both at once, so the two nodes' commits contend for the event and audit locks.
    let send_all = |client: ApiClient, body: &'static str, urgent_every: Option<usize>| async move {
        let mut ids = Vec::new();
        for i in 0..500 {
            let m = NewMessage {
                id: Uuid::new_v4(),
                body: format!("{body} {i}"),
                priority: match urgent_every {
                    Some(n) if i % n == 0 => Priority::Urgent,
                    _ => Priority::Normal,
                },
            };
            client.send(channel, &m).await.unwrap();
            ids.push(m.id);
        }
        ids
    };
    let (sent, replies) = tokio::join!(
        send_all(sender.clone(), "across nodes", Some(100)),
        send_all(on_two.clone(), "reply", None),
    );
    let from = |events: &[Event], who: Uuid| -> Vec<Uuid> {
        events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Message { message } if message.sender_id == who => Some(message.id),
                _ => None,
            })
            .collect()
    };
    let sender_id = sender.me().await.unwrap().user.id;
    let recipient_id = on_two.me().await.unwrap().user.id;
    let events = collect(&mut rx, |e| from(e, sender_id).len() >= 500).await;
    assert_eq!(
        from(&events, sender_id),
        sent,
        "all, once, in order, on node two"
    );
    let back = collect(&mut back_rx, |e| from(e, recipient_id).len() >= 500).await;
    assert_eq!(
        from(&back, recipient_id),
        replies,
        "and the replies on node one"
    );
    let cursor = events.last().unwrap().cursor;

    // The recipient's client drops, and comes back through node one.
    stream.abort();
    let mut later = Vec::new();
    for i in 0..50 {
        let m = NewMessage {
            id: Uuid::new_v4(),
            body: format!("while away {i}"),
            priority: Priority::Normal,
        };
        // Half of them through node two: either node takes sends.
        let via = if i % 2 == 0 {
            sender.clone()
        } else {
            login(&two.url, "sender", PASSWORD).await
        };
        via.send(channel, &m).await.unwrap();
        later.push(m.id);
    }
    let on_one = login(&one.url, "recipient", PASSWORD).await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _stream = spawn_event_stream(on_one, cursor, tx);
    // Its own replies may still be after the cursor; the 50 sent while away must be.
    let away = |e: &[Event]| -> Vec<Uuid> {
        message_ids(e)
            .into_iter()
            .filter(|id| !replies.contains(id))
            .collect()
    };
    let events = collect(&mut rx, |e| away(e).len() >= 50).await;
    assert_eq!(
        away(&events),
        later,
        "resumed from the cursor: no loss, no repeat"
    );

    // An urgent message nobody reads: both nodes run the scheduler, each slot fires once.
    let urgent = NewMessage {
        id: Uuid::new_v4(),
        body: "urgent across nodes".into(),
        priority: Priority::Urgent,
    };
    sender.send(channel, &urgent).await.unwrap();
    // Until the last slot (at 10 s, when the window closes) has fired, with room for a
    // loaded machine; then a while longer, for any second firing to show.
    let is_last = |e: &Event| matches!(&e.kind, EventKind::Renotify { message, attempt: 2, .. } if message.id == urgent.id);
    let mut events = collect_for(&mut rx, Duration::from_secs(30), |e| e.iter().any(is_last)).await;
    events.extend(collect_for(&mut rx, Duration::from_secs(3), |_| false).await);
    let mut attempts: HashMap<u32, usize> = HashMap::new();
    for e in &events {
        if let EventKind::Renotify {
            message, attempt, ..
        } = &e.kind
        {
            if message.id == urgent.id {
                *attempts.entry(*attempt).or_default() += 1;
            }
        }
    }
    assert_eq!(
        attempts,
        HashMap::from([(1, 1), (2, 1)]),
        "one re-notification per interval across the two nodes"
    );

    // A quiet client on node two (it sends nothing that would make it look in the store)
    // hears of messages written on node one: the nodes tell each other.
    let quiet = login(&two.url, "recipient", PASSWORD).await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _quiet = spawn_event_stream(quiet.clone(), quiet.me().await.unwrap().cursor, tx);
    let mut told = Vec::new();
    for i in 0..10 {
        let m = NewMessage {
            id: Uuid::new_v4(),
            body: format!("from the other node {i}"),
            priority: Priority::Normal,
        };
        sender.send(channel, &m).await.unwrap();
        told.push(m.id);
    }
    let events = collect(&mut rx, |e| message_ids(e).len() >= 10).await;
    assert_eq!(
        message_ids(&events),
        told,
        "node one's writes, told to node two"
    );

    // Every send was audited by whichever node took it, some while the other node held
    // the audit lock: still one unbroken chain.
    let verdict = admin.admin_audit_verify().await.unwrap();
    assert_eq!(verdict.broken_at, None, "{verdict:?}");
    assert!(verdict.rows > 1_060, "{verdict:?}");
}

/// What the metrics say a node read back from PostgreSQL.
async fn read_back(node: &Target) -> u64 {
    let text = reqwest::get(format!("{}/metrics", node.url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("wardround_events_read_back_total "))
        .and_then(|n| n.trim().parse().ok())
        .expect("wardround_events_read_back_total")
}

/// Each NOTIFY names its node: a node hands out what it committed itself and reads back
/// only what another node wrote (PostgreSQL; SQLite nodes look at the file instead).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(wardround_postgres_tests),
    ignore = "PostgreSQL: set WARDROUND_TEST_POSTGRES_URL to run"
)]
async fn a_node_reads_back_other_nodes_events_and_never_its_own() {
    let store = TestStore::postgres().await;
    let one = node(&store);
    common::sender_and_recipient_on_a_ward(&one.url, ADMIN_PASSWORD).await;
    let sender = login(&one.url, "sender", PASSWORD).await;
    let channel = sender.conversations().await.unwrap()[0].id;
    let before = read_back(&one).await;
    for i in 0..200 {
        let m = NewMessage {
            id: Uuid::new_v4(),
            body: format!("on one node {i}"),
            priority: Priority::Normal,
        };
        sender.send(channel, &m).await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        read_back(&one).await,
        before,
        "its own events are not read back"
    );

    let two = node(&store);
    let on_two = login(&two.url, "sender", PASSWORD).await;
    for i in 0..20 {
        let m = NewMessage {
            id: Uuid::new_v4(),
            body: format!("on the other node {i}"),
            priority: Priority::Normal,
        };
        on_two.send(channel, &m).await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    // Each message is an event for the sender and one for the recipient.
    assert!(
        read_back(&one).await >= before + 40,
        "the other node's are: {}",
        read_back(&one).await
    );
}

on_each_store!(two_nodes_on_one_store_deliver_once_and_renotify_once);
