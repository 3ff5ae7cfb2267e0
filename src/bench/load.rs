//! The phases of a run: accounts and conversations, throughput with loss and duplicate
//! counting, paced latency, receipt round trips, idle clients.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{StreamExt as _, TryStreamExt as _};
use serde::Serialize;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::{BenchError, Memory, Options, Report, Target};
use crate::client::admin::NewAccount;
use crate::client::{spawn_event_stream, ApiClient, StreamUpdate};
use crate::model::{EventKind, NewMessage, Priority, ReceiptState};

/// How long to wait for deliveries after the last send before counting the rest lost.
const SETTLE: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Serialize)]
pub struct Percentiles {
    pub n: usize,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

/// Nearest-rank percentiles of durations, in milliseconds (to 0.01 ms).
pub fn percentiles(samples: &[Duration]) -> Percentiles {
    let mut ms: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    ms.sort_by(f64::total_cmp);
    let at = |p: f64| {
        if ms.is_empty() {
            return 0.0;
        }
        let rank = ((p * ms.len() as f64).ceil() as usize).clamp(1, ms.len());
        (ms[rank - 1] * 100.0).round() / 100.0
    };
    Percentiles {
        n: ms.len(),
        p50: at(0.50),
        p95: at(0.95),
        p99: at(0.99),
        max: at(1.0),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Throughput {
    pub messages: usize,
    /// Acknowledged (stored) by the server, per second of sending.
    pub acked_per_s: f64,
    /// Arrived on recipients' streams, per second from the first send to the last arrival.
    pub delivered_per_s: f64,
    /// Acknowledged but never delivered.
    pub lost: usize,
    /// Delivered more than once (each extra copy counted).
    pub duplicated: usize,
    /// Sends the server refused or that failed on the wire.
    pub failed_sends: usize,
    pub latency_under_load_ms: Percentiles,
}

/// A sender and a recipient sharing a conversation.
struct Pair {
    sender: ApiClient,
    recipient: ApiClient,
    conversation: Uuid,
}

/// When each message's send began, and when each copy of it arrived.
#[derive(Default)]
struct Ledger {
    sent: HashMap<Uuid, Instant>,
    arrivals: HashMap<Uuid, Vec<Instant>>,
}

type Shared = Arc<Mutex<Ledger>>;

fn lock(ledger: &Shared) -> std::sync::MutexGuard<'_, Ledger> {
    ledger.lock().unwrap_or_else(|p| p.into_inner())
}

pub async fn run(target: &Target, options: &Options) -> Result<Report, BenchError> {
    let started = Instant::now();
    let rss_at_start = target.rss_mib();
    let admin = ApiClient::new(&target.url)?
        .login("admin", &target.admin_password)
        .await?
        .0;
    let accounts = Accounts::new();
    let pairs = set_up(target, &admin, &accounts, options.senders.max(1)).await?;
    // Open through every phase, as a hospital's workstations are while messages flow.
    let idle = idle_clients(target, &admin, &accounts, options.idle_clients).await?;
    let rss_idle = target.rss_mib();
    let ledger: Shared = Arc::default();
    let (receipt_tx, mut receipts) = mpsc::unbounded_channel();
    let mut streams = Vec::new();
    for pair in &pairs {
        streams.push(listen(pair.recipient.clone(), ledger.clone(), None).await?);
        streams.push(
            listen(
                pair.sender.clone(),
                ledger.clone(),
                Some(receipt_tx.clone()),
            )
            .await?,
        );
    }

    let cpu_before = target.cpu_ms();
    let throughput = throughput(&pairs, &ledger, options.messages_per_sender).await;
    let cpu_per_message = match (cpu_before, target.cpu_ms()) {
        (Some(before), Some(after)) if throughput.messages > 0 => {
            Some(((after - before) as f64 / throughput.messages as f64 * 1000.0).round() / 1000.0)
        }
        _ => None,
    };

    let paced = paced(&pairs[0], &ledger, options.paced_messages).await;
    let round_trips = receipt_round_trips(&pairs[0], &paced, &mut receipts).await?;
    let latencies: Vec<Duration> = {
        let l = lock(&ledger);
        paced
            .iter()
            .filter_map(|id| Some(*l.arrivals.get(id)?.first()? - *l.sent.get(id)?))
            .collect()
    };
    let rss_after_load = target.rss_mib();
    let still_open = idle.still_open();
    for s in streams.into_iter().chain(idle.tasks) {
        s.abort();
    }
    if still_open < options.idle_clients {
        return Err(BenchError::Setup(format!(
            "only {still_open} of {} idle clients stayed connected through the load",
            options.idle_clients
        )));
    }
    Ok(Report {
        server: target.url.clone(),
        store: target.store,
        nodes: target.urls().len(),
        senders: pairs.len(),
        throughput,
        latency_at_10_per_s_ms: percentiles(&latencies),
        receipt_round_trip_ms: percentiles(&round_trips),
        idle_clients: options.idle_clients,
        idle_users: idle.users,
        server_rss_mib: Memory {
            at_start: rss_at_start,
            with_idle_clients: rss_idle,
            after_load: rss_after_load,
        },
        server_cpu_ms_per_message: cpu_per_message,
        seconds: (started.elapsed().as_secs_f64() * 10.0).round() / 10.0,
    })
}

/// Accounts made for one run, named for it so that runs against one server do not meet.
pub(super) struct Accounts {
    run: String,
    password: String,
}

impl Accounts {
    pub(super) fn new() -> Self {
        Accounts {
            run: Uuid::new_v4().simple().to_string()[..8].to_string(),
            password: format!("bench {}", Uuid::new_v4().simple()),
        }
    }

    pub(super) fn name(&self, who: &str) -> String {
        format!("bench-{}-{who}", self.run)
    }

    pub(super) async fn add(&self, admin: &ApiClient, name: &str) -> Result<(), BenchError> {
        admin
            .admin_add_user(&NewAccount {
                username: name,
                display_name: name,
                role: "load",
                password: &self.password,
                admin: false,
                one_time: false,
            })
            .await?;
        Ok(())
    }

    pub(super) async fn login(&self, name: &str, url: &str) -> Result<ApiClient, BenchError> {
        Ok(ApiClient::new(url)?.login(name, &self.password).await?.0)
    }
}

/// Accounts and a two-person team (its channel is the conversation) per pair.
async fn set_up(
    target: &Target,
    admin: &ApiClient,
    accounts: &Accounts,
    n: usize,
) -> Result<Vec<Pair>, BenchError> {
    let urls = target.urls();
    let mut pairs = Vec::with_capacity(n);
    for i in 0..n {
        let (s, r) = (
            accounts.name(&format!("s{i}")),
            accounts.name(&format!("r{i}")),
        );
        for name in [&s, &r] {
            accounts.add(admin, name).await?;
        }
        let team = accounts.name(&i.to_string());
        admin.admin_create_team(&team, None).await?;
        admin.admin_team_member(&team, &s, true).await?;
        admin.admin_team_member(&team, &r, true).await?;
        // With several nodes, the recipient is on the node after the sender's.
        let sender = accounts.login(&s, &urls[i % urls.len()]).await?;
        let recipient = accounts.login(&r, &urls[(i + 1) % urls.len()]).await?;
        let conversation = sender
            .conversations()
            .await?
            .into_iter()
            .find(|c| c.title == team)
            .ok_or_else(|| BenchError::Setup(format!("no channel for team {team}")))?
            .id;
        pairs.push(Pair {
            sender,
            recipient,
            conversation,
        });
    }
    Ok(pairs)
}

/// Opens `client`'s event stream from now on and records what arrives: messages from
/// others into the ledger, read receipts (for a sender) onto `receipts`.
async fn listen(
    client: ApiClient,
    ledger: Shared,
    receipts: Option<mpsc::UnboundedSender<(Uuid, Instant)>>,
) -> Result<tokio::task::JoinHandle<()>, BenchError> {
    let me = client.me().await?;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let stream = spawn_event_stream(client, me.cursor, tx);
    let (connected_tx, connected) = tokio::sync::oneshot::channel();
    let task = tokio::spawn(async move {
        let mut connected_tx = Some(connected_tx);
        while let Some(update) = rx.recv().await {
            let at = Instant::now();
            match update {
                StreamUpdate::Connected => {
                    if let Some(tx) = connected_tx.take() {
                        let _ = tx.send(());
                    }
                }
                StreamUpdate::Event(e) => match e.kind {
                    EventKind::Message { message } if message.sender_id != me.user.id => {
                        lock(&ledger)
                            .arrivals
                            .entry(message.id)
                            .or_default()
                            .push(at);
                    }
                    EventKind::Receipt {
                        message_id,
                        state: ReceiptState::Read,
                        ..
                    } => {
                        if let Some(r) = &receipts {
                            let _ = r.send((message_id, at));
                        }
                    }
                    _ => {}
                },
                _ => {}
            }
        }
        stream.abort();
    });
    tokio::time::timeout(Duration::from_secs(10), connected)
        .await
        .map_err(|_| BenchError::Setup("an event stream did not open in 10 s".into()))?
        .map_err(|_| BenchError::Setup("an event stream failed to open".into()))?;
    Ok(task)
}

async fn send_one(pair: &Pair, ledger: &Shared, text: &str) -> Option<Uuid> {
    let id = crate::model::new_message_id();
    lock(ledger).sent.insert(id, Instant::now());
    let message = NewMessage {
        id,
        body: text.to_string(),
        priority: Priority::Normal,
    };
    pair.sender
        .send(pair.conversation, &message)
        .await
        .ok()
        .map(|_| id)
}

/// Every sender at once, each sending as soon as its last message was acknowledged.
async fn throughput(pairs: &[Pair], ledger: &Shared, per_sender: usize) -> Throughput {
    let started = Instant::now();
    let sends = pairs.iter().map(|pair| async move {
        let mut acked = Vec::with_capacity(per_sender);
        let mut failed = 0;
        for i in 0..per_sender {
            match send_one(pair, ledger, &format!("load message {i}")).await {
                Some(id) => acked.push(id),
                None => failed += 1,
            }
        }
        (acked, failed)
    });
    let results = futures_util::future::join_all(sends).await;
    let sending = started.elapsed();
    let acked: Vec<Uuid> = results.iter().flat_map(|(a, _)| a.clone()).collect();
    let failed: usize = results.iter().map(|(_, f)| f).sum();
    wait_for_arrivals(ledger, &acked).await;
    let l = lock(ledger);
    let mut last_arrival = started;
    let mut latencies = Vec::with_capacity(acked.len());
    let (mut lost, mut duplicated, mut delivered) = (0, 0, 0);
    for id in &acked {
        match l.arrivals.get(id) {
            None => lost += 1,
            Some(copies) => {
                delivered += 1;
                duplicated += copies.len() - 1;
                last_arrival = last_arrival.max(copies[0]);
                if let Some(sent) = l.sent.get(id) {
                    latencies.push(copies[0] - *sent);
                }
            }
        }
    }
    let per_s = |n: usize, d: Duration| (n as f64 / d.as_secs_f64().max(1e-9)).round();
    Throughput {
        messages: acked.len(),
        acked_per_s: per_s(acked.len(), sending),
        delivered_per_s: per_s(delivered, last_arrival - started),
        lost,
        duplicated,
        failed_sends: failed,
        latency_under_load_ms: percentiles(&latencies),
    }
}

/// Waits until every one of `ids` has arrived, or nothing new has for [`SETTLE`].
async fn wait_for_arrivals(ledger: &Shared, ids: &[Uuid]) {
    let mut last_count = 0;
    let mut quiet_since = Instant::now();
    loop {
        let arrived = {
            let l = lock(ledger);
            ids.iter().filter(|id| l.arrivals.contains_key(id)).count()
        };
        if arrived == ids.len() {
            return;
        }
        if arrived != last_count {
            last_count = arrived;
            quiet_since = Instant::now();
        } else if quiet_since.elapsed() > SETTLE {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Messages at 10 a second from one sender: latency without queueing.
async fn paced(pair: &Pair, ledger: &Shared, n: usize) -> Vec<Uuid> {
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let mut sent = Vec::with_capacity(n);
    for i in 0..n {
        tick.tick().await;
        if let Some(id) = send_one(pair, ledger, &format!("paced message {i}")).await {
            sent.push(id);
        }
    }
    wait_for_arrivals(ledger, &sent).await;
    sent
}

/// The recipient reads each message; how long until the sender's stream says so.
async fn receipt_round_trips(
    pair: &Pair,
    messages: &[Uuid],
    receipts: &mut mpsc::UnboundedReceiver<(Uuid, Instant)>,
) -> Result<Vec<Duration>, BenchError> {
    let mut out = Vec::with_capacity(messages.len());
    for id in messages {
        let started = Instant::now();
        pair.recipient.mark(*id, ReceiptState::Read).await?;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            match tokio::time::timeout_at(deadline, receipts.recv()).await {
                Ok(Some((read, at))) if read == *id => {
                    out.push(at - started);
                    break;
                }
                Ok(Some(_)) => continue,
                _ => break, // not within 5 s: left out, and n says so
            }
        }
    }
    Ok(out)
}

/// Event streams held open, doing nothing, by users who take no part in the load.
struct Idle {
    users: usize,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    /// Streams connected now: one that drops and reconnects counts again once back.
    open: Arc<std::sync::atomic::AtomicI64>,
}

impl Idle {
    fn still_open(&self) -> usize {
        usize::try_from(self.open.load(std::sync::atomic::Ordering::SeqCst)).unwrap_or(0)
    }
}

/// A workstation's worth of streams per user: a hospital has many more users than the
/// load's senders, each with a few workstations (and a display) logged in.
const STREAMS_PER_IDLE_USER: usize = 20;

/// Opens `n` event streams that do nothing, spread over `n / 20` accounts of their own,
/// and waits until all are connected.
async fn idle_clients(
    target: &Target,
    admin: &ApiClient,
    accounts: &Accounts,
    n: usize,
) -> Result<Idle, BenchError> {
    let open = Arc::new(std::sync::atomic::AtomicI64::new(0));
    let users = n.div_ceil(STREAMS_PER_IDLE_USER);
    let urls = &target.urls();
    // A few at a time: each account costs the server a password hash to make and log in.
    let clients: Vec<ApiClient> = futures_util::stream::iter(0..users)
        .map(|i| async move {
            let name = accounts.name(&format!("idle{i}"));
            accounts.add(admin, &name).await?;
            accounts.login(&name, &urls[i % urls.len()]).await
        })
        .buffered(4)
        .try_collect()
        .await?;
    let mut tasks = Vec::with_capacity(2 * n);
    let (tx, mut rx) = mpsc::unbounded_channel();
    for i in 0..n {
        let (one_tx, mut one_rx) = mpsc::unbounded_channel();
        tasks.push(spawn_event_stream(
            clients[i % clients.len()].clone(),
            0,
            one_tx,
        ));
        let (tx, open) = (tx.clone(), open.clone());
        tasks.push(tokio::spawn(async move {
            use std::sync::atomic::Ordering::SeqCst;
            let mut connected = false;
            while let Some(u) = one_rx.recv().await {
                match u {
                    StreamUpdate::Connected if !connected => {
                        connected = true;
                        open.fetch_add(1, SeqCst);
                        let _ = tx.send(());
                    }
                    StreamUpdate::Disconnected { .. } if connected => {
                        connected = false;
                        open.fetch_sub(1, SeqCst);
                    }
                    _ => {}
                }
            }
        }));
    }
    let mut connected = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while connected < n {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(())) => connected += 1,
            _ => {
                return Err(BenchError::Setup(format!(
                    "only {connected} of {n} idle clients connected within 120 s"
                )))
            }
        }
    }
    // Let the server settle after the burst of connections.
    tokio::time::sleep(Duration::from_secs(1)).await;
    Ok(Idle { users, tasks, open })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let samples: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        let p = percentiles(&samples);
        assert_eq!(
            (p.n, p.p50, p.p95, p.p99, p.max),
            (100, 50.0, 95.0, 99.0, 100.0)
        );
        assert_eq!(percentiles(&[]).n, 0);
    }
}
