//! `serve`'s Prometheus counters: what the request path bumps without a lock, read at each
//! scrape into the page `render::metrics` writes.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::render::metrics::Scrape;
use crate::store::TokenRecord;
use crate::time::Timestamp;
use crate::verdict::Code;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 12] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0,
];

#[derive(Default)]
pub struct Metrics {
    outcomes: [AtomicU64; Code::ALL.len()],
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
                self.outcomes[code.index()].fetch_add(1, Ordering::Relaxed);
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

    /// What was counted so far, with the tokens read for this scrape (None: the database
    /// did not answer), for the page `render::metrics` writes.
    pub fn scrape<'a>(&self, tokens: Option<&'a [TokenRecord]>, now: Timestamp) -> Scrape<'a> {
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        Scrape {
            outcomes: Code::ALL
                .iter()
                .zip(&self.outcomes)
                .map(|(c, n)| (*c, get(n)))
                .collect(),
            unavailable: get(&self.unavailable),
            buckets: BUCKETS
                .iter()
                .zip(&self.buckets)
                .map(|(b, n)| (*b, get(n)))
                .collect(),
            latency_count: get(&self.latency_count),
            latency_seconds: get(&self.latency_micros) as f64 / 1e6,
            flushes: get(&self.flushes),
            flushes_failed: get(&self.flushes_failed),
            db_errors: get(&self.db_errors),
            tokens,
            now,
        }
    }
}
