//! The event stream (SSE). A client names the last cursor it saw (`?cursor=` or the
//! standard `Last-Event-ID` header) and receives every later event exactly once: first
//! replayed from the store, then as the node's tail reads them (see `server::tail`).

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::Stream;
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use super::caller::Caller;
use crate::server::problem::{ApiQuery, Problem};
use crate::server::store::RawEvent;
use crate::server::Domain;

const REPLAY_PAGE: u32 = 500;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Resume {
    /// The last cursor the client saw (`Me.cursor` on a first connection); wins over
    /// `Last-Event-ID`. 0 or absent: from the start.
    cursor: Option<i64>,
}

/// The event stream (server-sent events); resume with ?cursor= or Last-Event-ID
///
/// Each SSE event's `id` is its cursor and its `data` one `Event`
/// (`#/components/schemas/Event`) as JSON. Comments keep a quiet stream alive every 15 s;
/// the stream ends when the session does.
#[utoipa::path(
    get,
    path = "/events",
    operation_id = "events",
    params(
        Resume,
        (
            "Last-Event-ID" = Option<i64>,
            Header,
            description = "The standard SSE resumption header: the last cursor seen"
        ),
    ),
    responses((
        status = 200,
        content_type = "text/event-stream",
        body = String,
        description = "Events after the cursor, replayed from the store and then live"
    ))
)]
pub async fn stream(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiQuery(resume): ApiQuery<Resume>,
    headers: HeaderMap,
    ticket: Option<axum::Extension<crate::server::connections::Ticket>>,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, Problem> {
    // A workstation's own stream, authenticated: it does not count against its address.
    if let Some(axum::Extension(ticket)) = ticket {
        ticket.exempt();
    }
    let from_header = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let cursor = resume.cursor.or(from_header).unwrap_or(0).max(0);
    let (tx, rx) = mpsc::channel(256);
    tokio::spawn(pump(domain, session, cursor, tx));
    Ok(Sse::new(ReceiverStream::new(rx))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

fn to_sse(e: &RawEvent) -> SseEvent {
    SseEvent::default()
        .id(e.cursor.to_string())
        .data(e.to_json())
}

/// How often a quiet stream looks whether its session still stands.
const SESSION_CHECK: Duration = Duration::from_secs(15);

/// Feeds one client's stream until it goes away, or its session ends (logout, a password
/// change or reset, a disabled account): then the stream closes, and the client's
/// reconnection hears 401.
async fn pump(
    domain: Domain,
    session: crate::server::domain::Session,
    mut last: i64,
    tx: mpsc::Sender<Result<SseEvent, Infallible>>,
) {
    let user = session.user.id;
    let _counted = domain.metrics().stream();
    let mut check = tokio::time::interval(SESSION_CHECK);
    check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let hub = domain.hub().clone();
    let closed = hub.closed();
    tokio::pin!(closed);
    // Subscribe before replaying: the hub then carries everything the replay may not
    // have seen, and what both carry is told apart by cursor.
    let mut live = hub.subscribe(user);
    let mut replay = true;
    loop {
        if replay {
            match domain
                .store()
                .raw_events_after(user, last, REPLAY_PAGE)
                .await
            {
                Ok(events) => {
                    if !events.is_empty() && !domain.still_live(&session).await {
                        return;
                    }
                    let full = events.len() == REPLAY_PAGE as usize;
                    for e in events {
                        last = e.cursor;
                        if tx.send(Ok(to_sse(&e))).await.is_err() {
                            return;
                        }
                    }
                    replay = full;
                    continue;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "event replay failed; the client resumes");
                    return; // the client reconnects and resumes from `last`
                }
            }
        }
        tokio::select! {
            _ = tx.closed() => return,
            () = &mut closed => return,
            _ = check.tick() => {
                if !domain.still_live(&session).await {
                    return;
                }
            }
            received = live.events.recv() => match received {
                // In cursor order, after every event the hub carried before.
                Ok(e) if e.raw.cursor > last => {
                    if !domain.still_live(&session).await {
                        return;
                    }
                    last = e.raw.cursor;
                    if tx.send(Ok(to_sse(&e.raw))).await.is_err() {
                        return;
                    }
                }
                Ok(_) => {}
                // Missed some: the store has them (this user's streams only).
                Err(RecvError::Lagged(_)) => replay = true,
                Err(RecvError::Closed) => return,
            }
        }
    }
}
