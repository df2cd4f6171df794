//! `serve`'s Prometheus page: counters the request path bumps without a lock, and the
//! per-token gauges (seconds to expiry, last use) read from the database at each scrape.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::store::TokenRecord;
use crate::time::Timestamp;
use crate::verdict::Code;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 12] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0,
];

const CODES: [Code; 6] = [
    Code::Valid,
    Code::Malformed,
    Code::Unknown,
    Code::Revoked,
    Code::Expired,
    Code::MissingScope,
];

#[derive(Default)]
pub struct Metrics {
    outcomes: [AtomicU64; 6],
    unavailable: AtomicU64,
    buckets: [AtomicU64; BUCKETS.len()],
    latency_count: AtomicU64,
    latency_micros: AtomicU64,
    pub flushes: AtomicU64,
    pub flushes_failed: AtomicU64,
    pub db_errors: AtomicU64,
}

impl Metrics {
    /// One verify answered with `code`, or not answered (`None`: the database failed).
    pub fn verified(&self, code: Option<Code>, took: Duration) {
        match code {
            Some(code) => {
                let i = CODES.iter().position(|c| *c == code).unwrap_or(0);
                self.outcomes[i].fetch_add(1, Ordering::Relaxed);
            }
            None => {
                self.unavailable.fetch_add(1, Ordering::Relaxed);
            }
        }
        let secs = took.as_secs_f64();
        if let Some(i) = BUCKETS.iter().position(|b| secs <= *b) {
            self.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_micros.fetch_add(
            took.as_micros().try_into().unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    /// The exposition text; `tokens` is None when the database did not answer.
    pub fn render(&self, tokens: Option<&[TokenRecord]>, now: Timestamp) -> String {
        let mut out = String::with_capacity(4096);
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        out.push_str("# HELP tokenctl_verifies_total Verifies answered, by outcome (unavailable: the database did not answer).\n");
        out.push_str("# TYPE tokenctl_verifies_total counter\n");
        for (code, n) in CODES.iter().zip(&self.outcomes) {
            let _ = writeln!(
                out,
                "tokenctl_verifies_total{{outcome=\"{}\"}} {}",
                code.as_str(),
                get(n)
            );
        }
        let _ = writeln!(
            out,
            "tokenctl_verifies_total{{outcome=\"unavailable\"}} {}",
            get(&self.unavailable)
        );
        out.push_str("# HELP tokenctl_verify_duration_seconds Time from request to verdict.\n");
        out.push_str("# TYPE tokenctl_verify_duration_seconds histogram\n");
        let mut cumulative = 0;
        for (bound, n) in BUCKETS.iter().zip(&self.buckets) {
            cumulative += get(n);
            let _ = writeln!(
                out,
                "tokenctl_verify_duration_seconds_bucket{{le=\"{bound}\"}} {cumulative}"
            );
        }
        let count = get(&self.latency_count);
        let _ = writeln!(
            out,
            "tokenctl_verify_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let _ = writeln!(
            out,
            "tokenctl_verify_duration_seconds_sum {}",
            get(&self.latency_micros) as f64 / 1e6
        );
        let _ = writeln!(out, "tokenctl_verify_duration_seconds_count {count}");
        out.push_str("# HELP tokenctl_batch_flushes_total Usage batches written, by result.\n");
        out.push_str("# TYPE tokenctl_batch_flushes_total counter\n");
        let _ = writeln!(
            out,
            "tokenctl_batch_flushes_total{{result=\"ok\"}} {}",
            get(&self.flushes)
        );
        let _ = writeln!(
            out,
            "tokenctl_batch_flushes_total{{result=\"error\"}} {}",
            get(&self.flushes_failed)
        );
        out.push_str("# HELP tokenctl_database_errors_total Failed database operations (each one reconnects).\n");
        out.push_str("# TYPE tokenctl_database_errors_total counter\n");
        let _ = writeln!(
            out,
            "tokenctl_database_errors_total {}",
            get(&self.db_errors)
        );
        out.push_str("# HELP tokenctl_database_up Whether the database answered this scrape.\n");
        out.push_str("# TYPE tokenctl_database_up gauge\n");
        let _ = writeln!(out, "tokenctl_database_up {}", u8::from(tokens.is_some()));
        let tokens = tokens.unwrap_or_default();
        out.push_str("# HELP tokenctl_token_expiry_seconds Seconds until the token expires (negative: expired); tokens that never expire are absent.\n");
        out.push_str("# TYPE tokenctl_token_expiry_seconds gauge\n");
        for t in tokens {
            if let Some(at) = t.expires_at {
                let _ = writeln!(
                    out,
                    "tokenctl_token_expiry_seconds{{{}}} {}",
                    labels(t, now),
                    (at - now).num_seconds()
                );
            }
        }
        out.push_str("# HELP tokenctl_token_last_used_timestamp_seconds Unix time of the token's last use (0: never), as flushed.\n");
        out.push_str("# TYPE tokenctl_token_last_used_timestamp_seconds gauge\n");
        for t in tokens {
            let at = t.last_used_at.map_or(0, |t| t.timestamp());
            let _ = writeln!(
                out,
                "tokenctl_token_last_used_timestamp_seconds{{{}}} {at}",
                labels(t, now)
            );
        }
        out.push_str("# HELP tokenctl_token_last_failed_timestamp_seconds Unix time of the last denied attempt with the right secret (revoked, expired, missing scope; 0: never).\n");
        out.push_str("# TYPE tokenctl_token_last_failed_timestamp_seconds gauge\n");
        for t in tokens {
            let at = t.last_failed_at.map_or(0, |t| t.timestamp());
            let _ = writeln!(
                out,
                "tokenctl_token_last_failed_timestamp_seconds{{{}}} {at}",
                labels(t, now)
            );
        }
        out
    }
}

fn labels(t: &TokenRecord, now: Timestamp) -> String {
    format!(
        "id=\"{}\",name=\"{}\",status=\"{}\"",
        label_value(&t.id),
        label_value(&t.name),
        t.status(now).as_str()
    )
}

/// The exposition format's escapes; control characters become spaces so a name can never
/// break a line of the page.
fn label_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}
