//! What a connection may cost the server: a deadline for a request's headers (and for an
//! idle keep-alive connection), and a share of connections per address that an
//! authenticated event stream does not use up.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use wardround::client::{spawn_event_stream, ApiClient, StreamUpdate};
use wardround::fhir::BundleSource;
use wardround::server::connections::Limits;
use wardround::server::{self, Options, RunningServer};

use common::{TestStore, PASSWORD};

async fn server_with(store: &TestStore, limits: Limits) -> RunningServer {
    let server = server::start_with(
        "127.0.0.1:0".parse().unwrap(),
        &store.database,
        Arc::new(BundleSource::default()),
        Options {
            limits,
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
    server
}

/// Reads until the server closes the connection (or `within` passes): whether it did.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

async fn healthz_over(stream: &mut TcpStream) -> String {
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: ward\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 1024];
    let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf))
        .await
        .expect("an answer")
        .unwrap();
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

async fn a_half_sent_request_and_an_idle_keep_alive_are_closed(store: TestStore) {
    let limits = Limits {
        header_read_timeout: Duration::from_secs(1),
        ..Limits::default()
    };
    let server = server_with(&store, limits).await;
    let addr = server.url().trim_start_matches("http://").to_string();

    let mut slow = TcpStream::connect(&addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: ward\r\n")
        .await
        .unwrap();
    assert!(
        closed_within(&mut slow, Duration::from_secs(8)).await,
        "headers never finished: closed"
    );

    let mut idle = TcpStream::connect(&addr).await.unwrap();
    assert!(healthz_over(&mut idle).await.starts_with("HTTP/1.1 200"));
    assert!(
        closed_within(&mut idle, Duration::from_secs(8)).await,
        "kept alive, then idle: closed"
    );
}

async fn an_address_gets_its_share_of_connections_and_event_streams_do_not_use_it(
    store: TestStore,
) {
    let limits = Limits {
        per_address: 5,
        exempt_loopback: false,
        ..Limits::default()
    };
    let server = server_with(&store, limits).await;
    let addr = server.url().trim_start_matches("http://").to_string();

    // Four connections held open doing nothing.
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(TcpStream::connect(&addr).await.unwrap());
    }
    // Three workstations' event streams, one after another: each counts only until it is
    // an authenticated stream.
    let mut streams = Vec::new();
    let mut updates = Vec::new();
    for _ in 0..3 {
        let client = ApiClient::new(&server.url())
            .unwrap()
            .login("nurse", PASSWORD)
            .await
            .unwrap()
            .0;
        let (tx, mut rx) = mpsc::unbounded_channel();
        streams.push(spawn_event_stream(client, 0, tx));
        loop {
            match tokio::time::timeout(Duration::from_secs(10), rx.recv()).await {
                Ok(Some(StreamUpdate::Connected)) => break,
                Ok(Some(_)) => continue,
                other => panic!("the stream did not connect: {other:?}"),
            }
        }
        updates.push(rx);
    }
    // The fifth plain connection is still this address's to use…
    let mut fifth = TcpStream::connect(&addr).await.unwrap();
    assert!(healthz_over(&mut fifth).await.starts_with("HTTP/1.1 200"));
    // …and a sixth is closed unanswered.
    let mut sixth = TcpStream::connect(&addr).await.unwrap();
    let _ = sixth
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: ward\r\n\r\n")
        .await;
    assert!(closed_within(&mut sixth, Duration::from_secs(5)).await);
    // One closes: there is room again.
    drop(held.pop());
    drop(fifth);
    let mut again = None;
    for _ in 0..50 {
        let mut s = TcpStream::connect(&addr).await.unwrap();
        let _ = s
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: ward\r\n\r\n")
            .await;
        let mut buf = [0u8; 64];
        if let Ok(Ok(n)) = tokio::time::timeout(Duration::from_secs(2), s.read(&mut buf)).await {
            if n > 0 {
                again = Some(String::from_utf8_lossy(&buf[..n]).into_owned());
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(again.is_some_and(|r| r.starts_with("HTTP/1.1 200")));
    for s in streams {
        s.abort();
    }
}

/// Headers sent in full, then a body that never comes: answered 408 within the body's
/// deadline, not held for ever.
async fn a_body_that_never_arrives_is_given_up(store: TestStore) {
    let server = server_with(&store, Limits::default()).await;
    let addr = server.url().trim_start_matches("http://").to_string();
    let mut slow = TcpStream::connect(&addr).await.unwrap();
    slow.write_all(
        b"POST /api/v1/session HTTP/1.1\r\nHost: ward\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
    )
    .await
    .unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), slow.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "still held after 20 s");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

on_each_store!(
    a_body_that_never_arrives_is_given_up,
    a_half_sent_request_and_an_idle_keep_alive_are_closed,
    an_address_gets_its_share_of_connections_and_event_streams_do_not_use_it,
);
