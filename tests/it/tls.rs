//! HTTPS: a server with a certificate, a client that verifies it against the hospital's
//! CA, and nothing in plaintext. Test certificates: tests/fixtures/tls (a test CA and a
//! server certificate for localhost and 127.0.0.1, valid to 2126).

use crate::common;

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::mpsc;
use wardround::client::{spawn_event_stream, ApiClient, ClientError, StreamUpdate};
use wardround::fhir::BundleSource;
use wardround::server::tls::TlsFiles;
use wardround::server::{self, Options, RunningServer};

use common::PASSWORD;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tls")
        .join(name)
}

async fn https_server(dir: &tempfile::TempDir) -> RunningServer {
    let options = Options {
        tls: Some(TlsFiles {
            cert: fixture("server.pem"),
            key: fixture("server.key"),
        }),
        ..Default::default()
    };
    let server = server::start_with(
        "127.0.0.1:0".parse().unwrap(),
        &dir.path().join("w.sqlite"),
        Arc::new(BundleSource::default()),
        options,
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

fn localhost_url(server: &RunningServer) -> String {
    format!("https://localhost:{}", server.addr.port())
}

#[tokio::test]
async fn a_client_that_trusts_the_ca_logs_in_and_streams_over_https() {
    let dir = tempfile::tempdir().unwrap();
    let server = https_server(&dir).await;
    assert!(server.url().starts_with("https://"));
    let ca = std::fs::read(fixture("ca.pem")).unwrap();
    for url in [localhost_url(&server), server.url()] {
        let client = ApiClient::with_ca(&url, Some(&ca))
            .unwrap()
            .login("nurse", PASSWORD)
            .await
            .unwrap()
            .0;
        let me = client.me().await.unwrap();
        assert_eq!(me.user.username, "nurse");
        let (tx, mut rx) = mpsc::unbounded_channel();
        let stream = spawn_event_stream(client, me.cursor, tx);
        let first = tokio::time::timeout(std::time::Duration::from_secs(10), rx.recv())
            .await
            .unwrap();
        assert!(matches!(first, Some(StreamUpdate::Connected)), "{first:?}");
        stream.abort();
    }
}

#[tokio::test]
async fn a_certificate_nobody_vouched_for_is_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let server = https_server(&dir).await;
    let err = ApiClient::new(&localhost_url(&server))
        .unwrap()
        .login("nurse", PASSWORD)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ClientError::Unreachable { reason, .. } if reason.contains("TLS certificate not trusted")),
        "{err}"
    );
}

#[tokio::test]
async fn a_tls_server_refuses_plaintext() {
    let dir = tempfile::tempdir().unwrap();
    let server = https_server(&dir).await;
    let plain = format!("http://127.0.0.1:{}", server.addr.port());
    let err = ApiClient::new(&plain)
        .unwrap()
        .login("nurse", PASSWORD)
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::Unreachable { .. }), "{err:?}");
    // And a raw HTTP request gets no HTTP answer at all.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    tcp.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        tcp.read_to_end(&mut answer),
    )
    .await;
    assert!(
        !String::from_utf8_lossy(&answer).contains("HTTP/1.1 200"),
        "{answer:?}"
    );
}

#[tokio::test]
async fn a_missing_or_wrong_key_stops_the_server_at_start_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    for (cert, key, what) in [
        (
            fixture("nope.pem"),
            fixture("server.key"),
            "TLS certificate",
        ),
        // A certificate where the key should be.
        (fixture("server.pem"), fixture("ca.pem"), "TLS key"),
    ] {
        let err = server::start_with(
            "127.0.0.1:0".parse().unwrap(),
            &dir.path().join("w.sqlite"),
            Arc::new(BundleSource::default()),
            Options {
                tls: Some(TlsFiles { cert, key }),
                ..Default::default()
            },
        )
        .await
        .err()
        .expect("refused");
        let text = err.to_string();
        let file = if what == "TLS key" {
            "ca.pem"
        } else {
            "nope.pem"
        };
        assert!(text.contains(what) && text.contains(file), "{text}");
    }
}
