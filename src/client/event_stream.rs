//! Keeps one event stream open: reconnects with backoff and resumes from the last cursor,
//! so the app sees every event exactly once whatever the network does.

use std::time::Duration;

use futures_util::StreamExt;
use reqwest::Method;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::sse::Parser;
use super::{rejection, ApiClient, ClientError};
use crate::model::Event;

/// The server sends a keep-alive every 15 s; silence for this long means a dead link.
const IDLE_LIMIT: Duration = Duration::from_secs(40);
const MAX_BACKOFF: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, PartialEq)]
pub enum StreamUpdate {
    Connected,
    Event(Event),
    /// The link dropped; it is retried after `retry_in`.
    Disconnected {
        reason: String,
        retry_in: Duration,
    },
    /// The session is no longer valid; the stream has stopped.
    SessionEnded,
}

/// Runs until the receiver is dropped or the session ends.
pub fn spawn_event_stream(
    client: ApiClient,
    cursor: i64,
    tx: mpsc::UnboundedSender<StreamUpdate>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut cursor = cursor;
        let mut backoff = Duration::from_millis(250);
        loop {
            match follow(&client, &mut cursor, &tx, &mut backoff).await {
                Ok(()) => return, // receiver gone
                Err(e) if e.is_unauthorized() => {
                    let _ = tx.send(StreamUpdate::SessionEnded);
                    return;
                }
                Err(e) => {
                    let update = StreamUpdate::Disconnected {
                        reason: e.to_string(),
                        retry_in: backoff,
                    };
                    if tx.send(update).is_err() {
                        return;
                    }
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
        }
    })
}

/// Follows the stream until it fails (`Err`) or nobody listens (`Ok`).
async fn follow(
    client: &ApiClient,
    cursor: &mut i64,
    tx: &mpsc::UnboundedSender<StreamUpdate>,
    backoff: &mut Duration,
) -> Result<(), ClientError> {
    let resp = client
        .request(Method::GET, &format!("/api/v1/events?cursor={cursor}"))
        .header("accept", "text/event-stream")
        .send()
        .await
        .map_err(|e| client.unreachable(&e))?;
    if !resp.status().is_success() {
        return Err(rejection(resp).await);
    }
    if tx.send(StreamUpdate::Connected).is_err() {
        return Ok(());
    }
    *backoff = Duration::from_millis(250);
    let mut body = resp.bytes_stream();
    let mut parser = Parser::default();
    loop {
        let chunk = match tokio::time::timeout(IDLE_LIMIT, body.next()).await {
            Err(_) => {
                return Err(ClientError::Unreachable {
                    url: client.base.clone(),
                    reason: "stream went silent".into(),
                })
            }
            Ok(None) => {
                return Err(ClientError::Unreachable {
                    url: client.base.clone(),
                    reason: "stream closed".into(),
                })
            }
            Ok(Some(Err(e))) => return Err(client.unreachable(&e)),
            Ok(Some(Ok(chunk))) => chunk,
        };
        for frame in parser.push(&chunk) {
            let event: Event = match serde_json::from_str(&frame.data) {
                Ok(e) => e,
                Err(e) => {
                    // Step past it, or every reconnect would stumble on it again.
                    if let Some(id) = frame.id.and_then(|i| i.parse().ok()) {
                        *cursor = id;
                    }
                    return Err(ClientError::Protocol(format!("unreadable event: {e}")));
                }
            };
            // Replays after a reconnect can overlap what was seen: the cursor decides.
            if event.cursor <= *cursor {
                continue;
            }
            *cursor = event.cursor;
            if tx.send(StreamUpdate::Event(event)).is_err() {
                return Ok(());
            }
        }
    }
}
