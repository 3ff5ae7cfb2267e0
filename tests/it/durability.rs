//! A server killed mid-load (SIGKILL: no shutdown, no flush) and started again on the
//! same store: every message it acknowledged reaches its recipient exactly once, and the
//! clients carry on by themselves (the sender retrying its unacknowledged message with the
//! same id, the recipient's stream resuming from its cursor).

use crate::common;

use common::TestStore;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;
use uuid::Uuid;
use wardround::bench::Target;
use wardround::client::{spawn_event_stream, ApiClient, StreamUpdate};
use wardround::model::{EventKind, NewMessage, Priority};

const ADMIN_PASSWORD: &str = "admin password for the fault test";

fn start(store: &TestStore, listen: &str) -> Target {
    common::serve_process(store, listen, ADMIN_PASSWORD)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Sends until the server has it, as the app's outbox does: the same id every time, so
/// a send that was stored but whose answer was lost is not stored twice.
async fn deliver(client: &ApiClient, conversation: Uuid, message: &NewMessage) {
    loop {
        match client.send(conversation, message).await {
            Ok(_) => return,
            Err(e) if e.is_transient() => tokio::time::sleep(Duration::from_millis(50)).await,
            Err(e) => panic!("refused for good: {e}"),
        }
    }
}

async fn every_acknowledged_message_survives_a_kill_and_arrives_exactly_once(store: TestStore) {
    let listen = format!("127.0.0.1:{}", free_port());
    let mut server = start(&store, &listen);
    let url = server.url.clone();

    common::sender_and_recipient_on_a_ward(&url, ADMIN_PASSWORD).await;
    let login = |name: &'static str| {
        let url = url.clone();
        async move {
            ApiClient::new(&url)
                .unwrap()
                .login(name, common::PASSWORD)
                .await
                .unwrap()
                .0
        }
    };
    let sender = login("sender").await;
    let recipient = login("recipient").await;
    let channel = sender.conversations().await.unwrap()[0].id;

    // The recipient's stream counts every copy of every message.
    let arrivals: Arc<Mutex<HashMap<Uuid, usize>>> = Arc::default();
    let reconnects = Arc::new(Mutex::new(0usize));
    let (tx, mut rx) = mpsc::unbounded_channel();
    let cursor = recipient.me().await.unwrap().cursor;
    let _stream = spawn_event_stream(recipient.clone(), cursor, tx);
    {
        let (arrivals, reconnects) = (arrivals.clone(), reconnects.clone());
        tokio::spawn(async move {
            while let Some(u) = rx.recv().await {
                match u {
                    StreamUpdate::Event(e) => {
                        if let EventKind::Message { message } = e.kind {
                            *arrivals.lock().unwrap().entry(message.id).or_default() += 1;
                        }
                    }
                    StreamUpdate::Connected => *reconnects.lock().unwrap() += 1,
                    _ => {}
                }
            }
        });
    }

    // Four senders' worth of load; the server dies under it, then comes back.
    let acked: Arc<Mutex<Vec<Uuid>>> = Arc::default();
    let mut load = Vec::new();
    for worker in 0..4 {
        let (sender, acked) = (sender.clone(), acked.clone());
        load.push(tokio::spawn(async move {
            for i in 0..150 {
                let message = NewMessage {
                    id: Uuid::new_v4(),
                    body: format!("worker {worker} message {i}"),
                    priority: if i % 25 == 0 {
                        Priority::Urgent
                    } else {
                        Priority::Normal
                    },
                };
                deliver(&sender, channel, &message).await;
                acked.lock().unwrap().push(message.id);
            }
        }));
    }
    while acked.lock().unwrap().len() < 200 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill();
    let at_kill = acked.lock().unwrap().len();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _server = start(&store, &listen);
    for l in load {
        l.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert_eq!(acked.len(), 600);
    assert!(at_kill < 600, "the kill came mid-load");

    // Everything acknowledged arrives, once.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let missing = {
            let a = arrivals.lock().unwrap();
            acked.iter().filter(|id| !a.contains_key(id)).count()
        };
        if missing == 0 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{missing} acknowledged messages never arrived"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let a = arrivals.lock().unwrap();
    let twice: Vec<_> = a.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "delivered more than once: {twice:?}");
    assert_eq!(a.len(), 600, "nothing arrived that was not sent");
    assert!(
        *reconnects.lock().unwrap() >= 2,
        "the stream reconnected by itself"
    );
}

on_each_store!(every_acknowledged_message_survives_a_kill_and_arrives_exactly_once);
