//! `/metrics` in the Prometheus text format: what IT graphs and alerts on. Counters since
//! this node started; nothing about any patient.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

/// Seconds: EHR reads are tens of milliseconds when well, seconds when not.
const EHR_BUCKETS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Default)]
pub struct Metrics {
    pub streams: AtomicI64,
    pub messages: AtomicU64,
    pub renotifications: AtomicU64,
    pub escalations: AtomicU64,
    pub login_failures: AtomicU64,
    /// Logins and unlocks refused before their password was checked.
    pub logins_refused: AtomicU64,
    /// Responses by status class, 1xx to 5xx.
    responses: [AtomicU64; 5],
    ehr: Histogram,
}

#[derive(Default)]
struct Histogram {
    /// Observations at or under each bound; the last is +Inf.
    buckets: [AtomicU64; EHR_BUCKETS.len() + 1],
    sum_micros: AtomicU64,
    count: AtomicU64,
}

/// Counts a connected event stream while it lives.
pub struct StreamGuard<'a>(&'a Metrics);

impl Drop for StreamGuard<'_> {
    fn drop(&mut self) {
        self.0.streams.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Metrics {
    pub fn add(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn stream(&self) -> StreamGuard<'_> {
        self.streams.fetch_add(1, Ordering::Relaxed);
        StreamGuard(self)
    }

    pub fn response(&self, status: u16) {
        if let Some(class) = (status / 100).checked_sub(1) {
            if let Some(c) = self.responses.get(usize::from(class)) {
                Self::add(c);
            }
        }
    }

    pub fn ehr_read(&self, took: Duration) {
        let secs = took.as_secs_f64();
        let at = EHR_BUCKETS
            .iter()
            .position(|b| secs <= *b)
            .unwrap_or(EHR_BUCKETS.len());
        Self::add(&self.ehr.buckets[at]);
        self.ehr.sum_micros.fetch_add(
            u64::try_from(took.as_micros()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
        Self::add(&self.ehr.count);
    }

    pub fn render(&self) -> String {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let mut out = String::new();
        let mut family = |name: &str, kind: &str, help: &str, value: String| {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
            );
        };
        family(
            "wardround_connected_clients",
            "gauge",
            "Event streams open on this node.",
            self.streams.load(Ordering::Relaxed).to_string(),
        );
        family(
            "wardround_messages_total",
            "counter",
            "Messages stored (retried sends count once).",
            get(&self.messages).to_string(),
        );
        family(
            "wardround_renotifications_total",
            "counter",
            "Urgent re-notifications sent.",
            get(&self.renotifications).to_string(),
        );
        family(
            "wardround_escalations_total",
            "counter",
            "Urgent messages escalated when their window closed unread.",
            get(&self.escalations).to_string(),
        );
        family(
            "wardround_login_failures_total",
            "counter",
            "Failed logins and unlocks.",
            get(&self.login_failures).to_string(),
        );
        family(
            "wardround_logins_refused_total",
            "counter",
            "Logins and unlocks refused unchecked: the name was waiting out its backoff or locked.",
            get(&self.logins_refused).to_string(),
        );
        let _ = writeln!(
            out,
            "# HELP wardround_http_responses_total HTTP responses by status class.\n# TYPE wardround_http_responses_total counter"
        );
        for (i, c) in self.responses.iter().enumerate() {
            let _ = writeln!(
                out,
                "wardround_http_responses_total{{class=\"{}xx\"}} {}",
                i + 1,
                get(c)
            );
        }
        let _ = writeln!(
            out,
            "# HELP wardround_ehr_read_seconds Time to read one patient's chart from the EHR.\n# TYPE wardround_ehr_read_seconds histogram"
        );
        let mut cumulative = 0;
        for (i, bound) in EHR_BUCKETS.iter().enumerate() {
            cumulative += get(&self.ehr.buckets[i]);
            let _ = writeln!(
                out,
                "wardround_ehr_read_seconds_bucket{{le=\"{bound}\"}} {cumulative}"
            );
        }
        cumulative += get(&self.ehr.buckets[EHR_BUCKETS.len()]);
        let _ = writeln!(
            out,
            "wardround_ehr_read_seconds_bucket{{le=\"+Inf\"}} {cumulative}"
        );
        let _ = writeln!(
            out,
            "wardround_ehr_read_seconds_sum {}\nwardround_ehr_read_seconds_count {}",
            get(&self.ehr.sum_micros) as f64 / 1e6,
            get(&self.ehr.count)
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_histogram_is_cumulative_and_ends_at_inf() {
        let m = Metrics::default();
        m.ehr_read(Duration::from_millis(3));
        m.ehr_read(Duration::from_millis(40));
        m.ehr_read(Duration::from_secs(30));
        let text = m.render();
        assert!(
            text.contains("wardround_ehr_read_seconds_bucket{le=\"0.005\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("wardround_ehr_read_seconds_bucket{le=\"0.05\"} 2"),
            "{text}"
        );
        assert!(
            text.contains("wardround_ehr_read_seconds_bucket{le=\"10\"} 2"),
            "{text}"
        );
        assert!(
            text.contains("wardround_ehr_read_seconds_bucket{le=\"+Inf\"} 3"),
            "{text}"
        );
        assert!(
            text.contains("wardround_ehr_read_seconds_count 3"),
            "{text}"
        );
    }
}
