//! `serve`'s Prometheus page in the text exposition format: the counters serve keeps, and
//! each token's expiry and last use as gauges, with label values escaped.

use std::fmt::Write as _;

use crate::store::TokenRecord;
use crate::time::Timestamp;
use crate::verdict::Code;

/// What serve counted up to a scrape, and the tokens read for it.
pub struct Scrape<'a> {
    /// Verifies answered, by outcome.
    pub outcomes: Vec<(Code, u64)>,
    /// Verifies the database did not answer.
    pub unavailable: u64,
    /// The latency histogram: (upper bound in seconds, count in that bucket alone).
    pub buckets: Vec<(f64, u64)>,
    pub latency_count: u64,
    pub latency_seconds: f64,
    pub flushes: u64,
    pub flushes_failed: u64,
    pub db_errors: u64,
    /// None when the database did not answer this scrape.
    pub tokens: Option<&'a [TokenRecord]>,
    pub now: Timestamp,
}

pub fn page(s: &Scrape<'_>) -> String {
    let mut out = String::with_capacity(4096);
    out.push_str("# HELP tokenctl_verifies_total Verifies answered, by outcome (unavailable: the database did not answer).\n");
    out.push_str("# TYPE tokenctl_verifies_total counter\n");
    for (code, n) in &s.outcomes {
        let _ = writeln!(
            out,
            "tokenctl_verifies_total{{outcome=\"{}\"}} {n}",
            code.as_str()
        );
    }
    let _ = writeln!(
        out,
        "tokenctl_verifies_total{{outcome=\"unavailable\"}} {}",
        s.unavailable
    );
    out.push_str("# HELP tokenctl_verify_duration_seconds Time from request to verdict.\n");
    out.push_str("# TYPE tokenctl_verify_duration_seconds histogram\n");
    let mut cumulative = 0;
    for (bound, n) in &s.buckets {
        cumulative += n;
        let _ = writeln!(
            out,
            "tokenctl_verify_duration_seconds_bucket{{le=\"{bound}\"}} {cumulative}"
        );
    }
    let count = s.latency_count;
    let _ = writeln!(
        out,
        "tokenctl_verify_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
    );
    let _ = writeln!(
        out,
        "tokenctl_verify_duration_seconds_sum {}",
        s.latency_seconds
    );
    let _ = writeln!(out, "tokenctl_verify_duration_seconds_count {count}");
    out.push_str("# HELP tokenctl_batch_flushes_total Usage batches written, by result.\n");
    out.push_str("# TYPE tokenctl_batch_flushes_total counter\n");
    let _ = writeln!(
        out,
        "tokenctl_batch_flushes_total{{result=\"ok\"}} {}",
        s.flushes
    );
    let _ = writeln!(
        out,
        "tokenctl_batch_flushes_total{{result=\"error\"}} {}",
        s.flushes_failed
    );
    out.push_str(
        "# HELP tokenctl_database_errors_total Failed database operations (each one reconnects).\n",
    );
    out.push_str("# TYPE tokenctl_database_errors_total counter\n");
    let _ = writeln!(out, "tokenctl_database_errors_total {}", s.db_errors);
    out.push_str("# HELP tokenctl_database_up Whether the database answered this scrape.\n");
    out.push_str("# TYPE tokenctl_database_up gauge\n");
    let _ = writeln!(out, "tokenctl_database_up {}", u8::from(s.tokens.is_some()));
    let tokens = s.tokens.unwrap_or_default();
    let now = s.now;
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
