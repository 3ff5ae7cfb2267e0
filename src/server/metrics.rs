//! `/metrics` for Prometheus (OpenMetrics text, by `prometheus-client`): what IT graphs
//! and alerts on. Counters since this node started; routes by template, EHR reads by
//! resource type, never anything about a patient.

use std::sync::LazyLock;
use std::time::Duration;

use prometheus_client::encoding::{EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::Registry;

/// Messages per group commit (see `store::group_commit`); one commit task per store, so
/// one per server process.
pub static COMMIT_BATCHES: LazyLock<Histogram> =
    LazyLock::new(|| Histogram::new(exponential_buckets(1.0, 2.0, 7)));

/// Requests to the EHR by resource type and outcome (see `fhir::http`); the EHR client is
/// the process's.
pub static EHR_REQUESTS: LazyLock<Family<EhrLabels, Histogram>> =
    LazyLock::new(|| Family::new_with_constructor(seconds_buckets));

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct EhrLabels {
    /// `Patient`, `Observation`, `metadata`…
    pub resource: String,
    /// `ok`, an HTTP status, or `error` (no answer).
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    /// The route's template (`/api/v1/lists/{id}/rows`): never the request's own path,
    /// which carries ids and search terms.
    route: String,
}

const CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ClassLabels {
    class: &'static str,
}

/// From 1 ms to about 16 s.
fn seconds_buckets() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

pub struct Metrics {
    registry: Registry,
    streams: Gauge,
    users_connected: Gauge,
    pub messages: Counter,
    pub renotifications: Counter,
    pub escalations: Counter,
    pub login_failures: Counter,
    /// Logins and unlocks refused before their password was checked.
    pub logins_refused: Counter,
    /// Events this node's tail read back from the store: another node's (or out of
    /// turn), never what it committed itself.
    pub events_read_back: Counter,
    responses: Family<ClassLabels, Counter>,
    requests: Family<RouteLabels, Histogram>,
    charts: Histogram,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("wardround");
        let m = Metrics {
            streams: Gauge::default(),
            users_connected: Gauge::default(),
            messages: Counter::default(),
            renotifications: Counter::default(),
            escalations: Counter::default(),
            login_failures: Counter::default(),
            logins_refused: Counter::default(),
            events_read_back: Counter::default(),
            responses: Family::default(),
            requests: Family::new_with_constructor(seconds_buckets),
            charts: seconds_buckets(),
            registry: Registry::default(),
        };
        registry.register(
            "build",
            "This server's version",
            Info::new(vec![("version", env!("CARGO_PKG_VERSION"))]),
        );
        registry.register(
            "connected_clients",
            "Event streams open on this node",
            m.streams.clone(),
        );
        registry.register(
            "connected_users",
            "Users with an event stream open on this node (their streams share one channel)",
            m.users_connected.clone(),
        );
        registry.register(
            "messages",
            "Messages stored (retried sends count once)",
            m.messages.clone(),
        );
        registry.register(
            "renotifications",
            "Urgent re-notifications sent",
            m.renotifications.clone(),
        );
        registry.register(
            "escalations",
            "Urgent messages escalated when their window closed unread",
            m.escalations.clone(),
        );
        registry.register(
            "login_failures",
            "Failed logins and unlocks",
            m.login_failures.clone(),
        );
        registry.register(
            "logins_refused",
            "Logins and unlocks refused unchecked: the name was waiting out its backoff or locked",
            m.logins_refused.clone(),
        );
        registry.register(
            "events_read_back",
            "Events read back from the store by this node's tail: other nodes' writes",
            m.events_read_back.clone(),
        );
        registry.register(
            "http_responses",
            "HTTP responses by status class",
            m.responses.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer a request, by route template (an event stream: until it opened)",
            m.requests.clone(),
        );
        registry.register(
            "ehr_chart_read_seconds",
            "Time to read one patient's chart from the EHR (its requests together)",
            m.charts.clone(),
        );
        registry.register(
            "ehr_request_seconds",
            "Time of one request to the EHR, by resource type and outcome",
            EHR_REQUESTS.clone(),
        );
        registry.register(
            "commit_batch_messages",
            "Messages stored by one group commit",
            COMMIT_BATCHES.clone(),
        );
        registry.register_collector(Box::new(Process));
        // Every class from the start: a rate over a series that appears late reads wrong.
        for class in CLASSES {
            let _ = m.responses.get_or_create(&ClassLabels { class });
        }
        Metrics { registry, ..m }
    }
}

/// Counts a connected event stream while it lives.
pub struct StreamGuard<'a>(&'a Metrics);

impl Drop for StreamGuard<'_> {
    fn drop(&mut self) {
        self.0.streams.dec();
    }
}

impl Metrics {
    pub fn stream(&self) -> StreamGuard<'_> {
        self.streams.inc();
        StreamGuard(self)
    }

    /// A request to `route` (its template) answered with `status` after `took`.
    pub fn request(&self, method: &str, route: &str, status: u16, took: Duration) {
        let class = CLASSES[usize::from(status / 100).clamp(1, 5) - 1];
        self.responses.get_or_create(&ClassLabels { class }).inc();
        self.requests
            .get_or_create(&RouteLabels {
                method: method.to_string(),
                route: route.to_string(),
            })
            .observe(took.as_secs_f64());
    }

    pub fn ehr_read(&self, took: Duration) {
        self.charts.observe(took.as_secs_f64());
    }

    /// The OpenMetrics text, with `users_connected` (the hub's) as of now.
    pub fn render(&self, users_connected: usize) -> String {
        self.users_connected
            .set(i64::try_from(users_connected).unwrap_or(i64::MAX));
        let mut out = String::new();
        // Writing to a String does not fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// The process's memory, CPU and open files, read at each scrape (`crate::process`).
#[derive(Debug)]
struct Process;

impl prometheus_client::collector::Collector for Process {
    fn encode(
        &self,
        mut encoder: prometheus_client::encoding::DescriptorEncoder,
    ) -> Result<(), std::fmt::Error> {
        let me = std::process::id();
        let (Some(cpu_ms), Some(rss)) = (crate::process::cpu_ms(me), crate::process::rss_bytes(me))
        else {
            return Ok(()); // not Linux
        };
        let cpu = ConstCounter::new(cpu_ms as f64 / 1000.0);
        cpu.encode(encoder.encode_descriptor(
            "process_cpu_seconds",
            "CPU time used by this process (user and system)",
            None,
            cpu.metric_type(),
        )?)?;
        for (name, help, value) in [
            (
                "process_resident_memory_bytes",
                "Resident memory of this process",
                i64::try_from(rss).unwrap_or(i64::MAX),
            ),
            (
                "process_open_fds",
                "Files and sockets this process has open",
                crate::process::open_files(me).unwrap_or(0),
            ),
        ] {
            let gauge = ConstGauge::new(value);
            gauge.encode(encoder.encode_descriptor(name, help, None, gauge.metric_type())?)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_timed_by_route_template_and_counted_by_class() {
        let m = Metrics::default();
        m.request(
            "GET",
            "/api/v1/lists/{id}/rows",
            200,
            Duration::from_millis(3),
        );
        m.request(
            "GET",
            "/api/v1/lists/{id}/rows",
            404,
            Duration::from_millis(40),
        );
        let text = m.render(0);
        assert!(
            text.contains(
                r#"wardround_http_request_duration_seconds_count{method="GET",route="/api/v1/lists/{id}/rows"} 2"#
            ),
            "{text}"
        );
        assert!(
            text.contains(r#"wardround_http_responses_total{class="4xx"} 1"#),
            "{text}"
        );
        assert!(text.contains("wardround_build_info{version="), "{text}");
        assert!(text.trim_end().ends_with("# EOF"), "{text}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_process_reports_its_memory_cpu_and_open_files() {
        let text = Metrics::default().render(0);
        for name in [
            "wardround_process_cpu_seconds_total ",
            "wardround_process_resident_memory_bytes ",
            "wardround_process_open_fds ",
        ] {
            let value: f64 = text
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or_else(|| panic!("{name} in {text}"));
            assert!(value > 0.0 || name.contains("cpu"), "{name}{value}");
        }
    }
}
