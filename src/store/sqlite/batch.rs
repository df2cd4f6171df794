//! `serve`'s usage batch: many tokens' uses and failures, gathered in memory, written in
//! one transaction, so a busy server takes the write lock once a second, not per request.

use super::*;

/// A tally's counts onto its token; no row changed means the token was deleted since,
/// and the tally is dropped. Two servers flush in any order: the newest use (failure)
/// wins the "last" fields.
const ADD_TO_TOKEN: &str = "UPDATE tokens SET
        usage_count = usage_count + ?2,
        last_used_source = CASE WHEN ?3 >= coalesce(last_used_at, ?3) THEN ?4 ELSE last_used_source END,
        last_used_at = CASE WHEN ?3 IS NULL THEN last_used_at ELSE max(coalesce(last_used_at, ?3), ?3) END,
        failed_count = failed_count + ?5,
        last_failed_at = CASE WHEN ?6 IS NULL THEN last_failed_at ELSE max(coalesce(last_failed_at, ?6), ?6) END
    WHERE id = ?1";

/// A use from a source the token already has. No row changed means the source is new
/// (`ADD_NEW_SOURCE`), the only case in which the token can now hold more sources than it
/// keeps. Two statements rather than an upsert with `RETURNING`: SQLite gathers returned
/// rows in a temporary table it creates and drops at each execution, which was a third of
/// a flush's instructions (457M to 297M for 10k tallies, measured with callgrind).
const ADD_TO_SOURCE: &str =
    "UPDATE usage_sources SET uses = uses + ?3, last_used_at = max(last_used_at, ?4)
    WHERE token_id = ?1 AND source = ?2";

const ADD_NEW_SOURCE: &str = "INSERT INTO usage_sources (token_id, source, uses, last_used_at)
    VALUES (?1, ?2, ?3, ?4)";

const ADD_TO_DAY: &str = "INSERT INTO usage_daily (token_id, day, uses, failures)
    VALUES (?1, ?2, ?3, ?4)
    ON CONFLICT DO UPDATE SET uses = uses + ?3, failures = failures + ?4";

/// Tallies written between two yields of the CPU (see `record_batch`).
const YIELD_EVERY: usize = 8;

/// How long into a flush it still yields: the write lock is held meanwhile, and on cores
/// that are busy anyway each yield can cost a whole slice (10k tallies took 1.7 to 2.0 s
/// with yields to the end, 0.16 to 0.24 s without, beside a compiler on both cores).
/// A flush of 10k tallies takes about 35 ms of CPU; past this, it runs to its end.
const YIELD_FOR: Duration = Duration::from_millis(100);

impl Store {
    /// Adds every tally in one transaction, in token order: the three tables are all keyed
    /// by token first, so consecutive tallies touch the same pages (a tenth less work on
    /// 10k tokens than in the order they were counted).
    ///
    /// The CPU is yielded every `YIELD_EVERY` tallies (about 30 us of work), for the
    /// flush's first `YIELD_FOR`, with the write lock held (a use-limited verify or a
    /// command that writes waits that much longer, within its own timeout). `serve`'s
    /// flusher has slept most of the second, so the scheduler lets it run on when a
    /// request's thread wakes behind it on the same core, until a tick ends its slice
    /// (4 ms at 250 Hz): `perf sched` showed serve's runtime thread and the load generator
    /// waiting 2.4 to 4.0 ms behind it, once or twice a flush. A yield costs a syscall
    /// when nothing waits. BENCHMARKS.md's SQLite lane (10k tokens, 32 connections, about
    /// 60k requests a second), runs interleaved on a quiet machine: median p99 1.04 to
    /// 1.33 ms with it, 1.33 to 1.77 ms without, in four batches of 4 or 5 runs each, at
    /// the same request rate. On a noisy one the difference drowned (2.12 against 2.01).
    pub fn record_batch(&mut self, tallies: &[Tally]) -> Result<()> {
        if tallies.is_empty() {
            return Ok(());
        }
        let mut sorted: Vec<&Tally> = tallies.iter().collect();
        sorted.sort_unstable_by(|a, b| (&a.token_id, &a.source).cmp(&(&b.token_id, &b.source)));
        self.write(Durability::Normal, |tx| {
            let mut to_token = tx.prepare_cached(ADD_TO_TOKEN)?;
            let mut to_source = tx.prepare_cached(ADD_TO_SOURCE)?;
            let mut new_source = tx.prepare_cached(ADD_NEW_SOURCE)?;
            let mut prune = tx.prepare_cached(PRUNE_SOURCES)?;
            let mut to_day = tx.prepare_cached(ADD_TO_DAY)?;
            let started = Instant::now();
            for (i, t) in sorted.into_iter().enumerate() {
                if i % YIELD_EVERY == YIELD_EVERY - 1 && started.elapsed() < YIELD_FOR {
                    std::thread::yield_now();
                }
                let id = t.token_id.as_str();
                let used_at = t.last_used_at.map(to_unix);
                let failed_at = t.last_failed_at.map(to_unix);
                let (uses, failures) = (t.uses as i64, t.failures as i64);
                if to_token.execute(params![id, uses, used_at, t.source, failures, failed_at])? == 0
                {
                    continue;
                }
                if let Some(at) = used_at {
                    if to_source.execute(params![id, t.source, uses, at])? == 0 {
                        new_source.execute(params![id, t.source, uses, at])?;
                        prune.execute(params![id, t.source, SOURCES_KEPT - 1])?;
                    }
                }
                to_day.execute(params![id, t.day, uses, failures])?;
            }
            Ok(())
        })
    }
}
