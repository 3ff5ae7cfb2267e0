//! `wardround bench`: a load generator. Simulated clients over real HTTP and event streams
//! against a server on loopback; end-to-end latency (send start → the event on the
//! recipient's stream), acknowledged and delivered messages per second, lost and
//! duplicated messages, the read-receipt round trip, the server's memory and CPU, and
//! idle connected clients. One JSON line out. Bounded in count and time.

mod list_open;
mod load;
mod target;

use std::time::Duration;

use serde::Serialize;

pub use list_open::{run as list_open, ListOpenReport};
pub use load::{percentiles, Percentiles};
pub use target::Target;

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("setting up: {0}")]
    Setup(String),
    #[error("the server: {0}")]
    Server(#[from] crate::client::ClientError),
    #[error("{0}")]
    Refused(String),
    #[error("the run took longer than its limit of {0:?}")]
    TooLong(Duration),
}

#[derive(Debug, Clone)]
pub struct Options {
    /// Senders, each with its own recipient, sending as fast as acknowledgements come.
    pub senders: usize,
    pub messages_per_sender: usize,
    /// Messages at 10 per second for the latency figure.
    pub paced_messages: usize,
    /// Event streams held open, doing nothing, through the whole run, by accounts of
    /// their own: what fan-out costs with a hospital's workstations connected.
    pub idle_clients: usize,
    /// The whole run stops after this.
    pub limit: Duration,
}

impl Default for Options {
    /// The standard load (issue 6): 10 senders, 2,000 messages each; 100 at 10/s; 5,000
    /// idle clients.
    fn default() -> Self {
        Options {
            senders: 10,
            messages_per_sender: 2_000,
            paced_messages: 100,
            idle_clients: 5_000,
            limit: Duration::from_secs(600),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub server: String,
    /// `sqlite` or `postgresql` when this run started the server; unknown otherwise.
    pub store: Option<&'static str>,
    /// Servers on the one database; memory and CPU are theirs added up.
    pub nodes: usize,
    pub senders: usize,
    pub throughput: load::Throughput,
    /// Send start → the recipient's event, at 10 messages a second.
    pub latency_at_10_per_s_ms: Percentiles,
    /// Recipient marks read → the sender's stream says so.
    pub receipt_round_trip_ms: Percentiles,
    pub idle_clients: usize,
    /// The accounts holding the idle streams (none of them sends or receives).
    pub idle_users: usize,
    pub server_rss_mib: Memory,
    /// Server CPU time per message of the throughput phase.
    pub server_cpu_ms_per_message: Option<f64>,
    pub seconds: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Memory {
    pub at_start: Option<f64>,
    /// Once the idle clients are connected, before the load.
    pub with_idle_clients: Option<f64>,
    /// After the load, the idle clients still connected.
    pub after_load: Option<f64>,
}

/// The load against `target`, within `options.limit`.
pub async fn run(target: &Target, options: &Options) -> Result<Report, BenchError> {
    check_loopback(&target.url)?;
    crate::process::raise_open_files_limit();
    tokio::time::timeout(options.limit, load::run(target, options))
        .await
        .map_err(|_| BenchError::TooLong(options.limit))?
}

/// The load generator is for a test bench, never for a hospital's live server.
fn check_loopback(url: &str) -> Result<(), BenchError> {
    let host = url
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split(['/', '?']).next())
        .map(|authority| {
            authority
                .rsplit_once(':')
                .map_or(authority, |(host, _)| host)
        })
        .unwrap_or_default();
    if matches!(host, "127.0.0.1" | "localhost" | "[::1]") {
        Ok(())
    } else {
        Err(BenchError::Refused(format!(
            "the load generator runs against loopback only, not {host:?}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_servers_are_loaded() {
        assert!(check_loopback("http://127.0.0.1:8470").is_ok());
        assert!(check_loopback("https://localhost:8470/").is_ok());
        assert!(check_loopback("http://[::1]:8470").is_ok());
        assert!(check_loopback("https://wardround.hospital.local:8470").is_err());
        assert!(check_loopback("http://127.0.0.1.evil.example:80").is_err());
    }
}
