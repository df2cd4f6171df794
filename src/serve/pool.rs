//! The database side of `serve`: worker threads that each keep one connection and read the
//! token per request (no cache, so a returned revoke is seen next), and the usage batch.
//!
//! The stores are blocking (PostgreSQL's runs its own current-thread runtime), so they live
//! on plain threads and the HTTP side talks to them through a bounded queue. On SQLite the
//! runtime thread answers most requests itself first (`Pool::answer_at_once`, through
//! `reader::Reader`).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use super::metrics::Metrics;
use super::reader::Reader;
use crate::error::{Kind, kind_of};
use crate::scope::Scope;
use crate::store::{Access, ListQuery, Record, Store, Tally, Target, TokenRecord, day_of};
use crate::time::Timestamp;
use crate::token::Presented;
use crate::verdict::{self, Code};

pub type Clock = Box<dyn Fn() -> Timestamp + Send + Sync>;

/// What a request asks of the verdict. The lifecycle branches' request type
/// (`{scopes, client_ip, now}`) replaces the arguments of `judge` in `decide` below.
pub struct Ask {
    pub presented: Presented,
    pub scopes: Vec<Scope>,
    pub client_ip: Option<IpAddr>,
    /// Recorded with a use.
    pub source: Source,
}

/// Where a use came from, as recorded: the client's address, a trusted caller's label, or
/// neither. Kept as an address until the flush writes it: formatting one per request cost
/// as much as the verdict.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum Source {
    Addr(IpAddr),
    Label(String),
    Unknown,
}

impl Source {
    /// The source a flushed tally names, back as the key it was counted under (the text
    /// reads the same either way, which is all the database sees).
    fn from_text(text: String) -> Source {
        match text.parse() {
            Ok(ip) => Source::Addr(ip),
            Err(_) if text == "serve" => Source::Unknown,
            Err(_) => Source::Label(text),
        }
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Addr(ip) => ip.fmt(f),
            Source::Label(label) => f.write_str(label),
            Source::Unknown => f.write_str("serve"),
        }
    }
}

pub struct Answer {
    pub code: Code,
    /// The token under the presented id when its secret was right.
    pub token: Option<Arc<TokenRecord>>,
    pub now: Timestamp,
}

enum Job {
    Verify(Box<Ask>, oneshot::Sender<Option<Answer>>),
    Ping(oneshot::Sender<Option<()>>),
    Tokens(oneshot::Sender<Option<Vec<TokenRecord>>>),
}

impl Job {
    /// The request stopped waiting (its deadline passed and it answered 503).
    fn abandoned(&self) -> bool {
        match self {
            Job::Verify(_, reply) => reply.is_closed(),
            Job::Ping(reply) => reply.is_closed(),
            Job::Tokens(reply) => reply.is_closed(),
        }
    }
}

/// Why a job got no answer: the database failed, or every worker is busy.
#[derive(Debug)]
pub struct Unavailable;

pub struct Pool {
    /// Each job with the moment its request stops waiting.
    jobs: SyncSender<(Instant, Job)>,
    /// The metrics page's reads of every token, for `scraper` alone.
    scrapes: SyncSender<(Instant, Job)>,
    scraper: Option<JoinHandle<()>>,
    /// How long a request waits for the database (`--db-timeout`).
    limit: Duration,
    workers: Vec<JoinHandle<()>>,
    batch: Arc<Batch>,
    flusher: Option<(SyncSender<()>, JoinHandle<()>)>,
    /// SQLite only: the runtime thread's own connection (`answer_at_once`); emptied when
    /// it fails, and opened again by the flusher.
    inline: Option<Arc<Inline>>,
    clock: Arc<Clock>,
    metrics: Arc<Metrics>,
}

type Inline = Mutex<Option<Reader>>;

/// Requests that may wait for a worker; beyond that, 503 at once rather than a queue
/// that grows while the database is away.
const QUEUE: usize = 4096;

/// Scrapes that may wait for the scraper; more at once are answered 503.
const SCRAPES: usize = 4;

/// How long past its deadline a request still waits for the worker's answer: the worker's
/// statement ends at the deadline, and its reply must not race the request's own timer.
const REPLY_GRACE: Duration = Duration::from_millis(250);

impl Pool {
    pub fn start(
        target: &Target,
        clock: Arc<Clock>,
        workers: usize,
        metrics: Arc<Metrics>,
        limit: Duration,
    ) -> Pool {
        let (jobs, rx) = sync_channel::<(Instant, Job)>(QUEUE);
        let rx = Arc::new(Mutex::new(rx));
        let batch = Arc::new(Batch::default());
        let workers = (0..workers)
            .map(|_| {
                let (rx, target, clock, batch, metrics) = (
                    rx.clone(),
                    target.clone(),
                    clock.clone(),
                    batch.clone(),
                    metrics.clone(),
                );
                std::thread::spawn(move || work(&rx, &target, &clock, &batch, &metrics))
            })
            .collect();
        // A scrape reads every token: on a thread and connection of its own, so a large
        // database's metrics page never holds up the verifies queued behind it.
        let (scrapes, scrape_rx) = sync_channel::<(Instant, Job)>(SCRAPES);
        let scraper = {
            let rx = Arc::new(Mutex::new(scrape_rx));
            let (target, clock, batch, metrics) = (
                target.clone(),
                clock.clone(),
                batch.clone(),
                metrics.clone(),
            );
            std::thread::spawn(move || work(&rx, &target, &clock, &batch, &metrics))
        };
        let inline = match target {
            Target::Sqlite(_) => Some(Arc::new(Mutex::new(Reader::open(target).ok()))),
            Target::Postgres(_) => None,
        };
        let (stop, stopped) = sync_channel::<()>(1);
        let flusher = {
            let (target, batch, metrics, inline) = (
                target.clone(),
                batch.clone(),
                metrics.clone(),
                inline.clone(),
            );
            std::thread::spawn(move || {
                flush_loop(&stopped, &target, &batch, &metrics, inline.as_deref())
            })
        };
        Pool {
            jobs,
            scrapes,
            scraper: Some(scraper),
            limit,
            workers,
            batch,
            flusher: Some((stop, flusher)),
            inline,
            clock,
            metrics,
        }
    }

    /// Queues `job` and waits for its answer: the worker's database call ends at the
    /// deadline (see `work`), and its answer is awaited a little longer, so a use that was
    /// recorded is never answered 503 (a use-limited token would lose it).
    async fn ask<T>(&self, job: Job, rx: oneshot::Receiver<Option<T>>) -> Option<T> {
        let until = Instant::now() + self.limit;
        let queue = match job {
            Job::Tokens(_) => &self.scrapes,
            _ => &self.jobs,
        };
        match queue.try_send((until, job)) {
            Ok(()) => {}
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => return None,
        }
        tokio::time::timeout_at((until + REPLY_GRACE).into(), rx)
            .await
            .ok()?
            .ok()
            .flatten()
    }

    /// SQLite answers a request on the runtime thread, without the hop to a worker and
    /// back (two thread wake-ups): in WAL mode a read takes no lock a writer holds, and
    /// this connection never waits for one nor sleeps (`Store::open_never_waiting`), so a
    /// read costs microseconds of CPU (and any disk read its pages need). What it
    /// cannot answer so (a lock after all, a failure, a use-limited token, which is judged
    /// and counted in one write) goes to the workers, who wait within the request's
    /// deadline. Measured on 2 cores, 10k tokens (BENCHMARKS.md): 40k requests/s through
    /// the workers, 60k so.
    fn answer_at_once(&self, ask: &Ask) -> Option<Answer> {
        let mut slot = self.inline.as_ref()?.lock().ok()?;
        let reader = slot.as_mut()?;
        match reader.get(ask.presented.id.as_str()) {
            Ok(Some(limited)) if limited.max_uses.is_some() => None,
            Ok(found) => Some(judge_and_count(found, ask, &self.clock, &self.batch)),
            Err(_) => {
                // Counted, not logged: the workers now read, and say what fails for them.
                self.metrics.db_errors.fetch_add(1, Ordering::Relaxed);
                *slot = None;
                None
            }
        }
    }

    pub async fn verify(&self, ask: Ask) -> Result<Answer, Unavailable> {
        if let Some(answer) = self.answer_at_once(&ask) {
            return Ok(answer);
        }
        let (tx, rx) = oneshot::channel();
        self.ask(Job::Verify(Box::new(ask), tx), rx)
            .await
            .ok_or(Unavailable)
    }

    pub async fn ping(&self) -> bool {
        let (tx, rx) = oneshot::channel();
        self.ask(Job::Ping(tx), rx).await.is_some()
    }

    pub async fn tokens(&self) -> Option<Vec<TokenRecord>> {
        let (tx, rx) = oneshot::channel();
        self.ask(Job::Tokens(tx), rx).await
    }

    /// Stops the workers, then flushes what they counted; returns the tallies that could
    /// not be written (the database gone at shutdown), which the caller reports.
    pub fn shutdown(mut self) -> usize {
        drop(self.jobs);
        drop(self.scrapes);
        for w in self.workers.drain(..).chain(self.scraper.take()) {
            let _ = w.join();
        }
        if let Some((stop, flusher)) = self.flusher.take() {
            let _ = stop.send(());
            let _ = flusher.join();
        }
        self.batch.len()
    }
}

/// A token without a use limit, as just read: judged, and its use or failure counted in
/// the batch.
fn judge_and_count(
    found: Option<Arc<TokenRecord>>,
    ask: &Ask,
    clock: &Clock,
    batch: &Batch,
) -> Answer {
    let now = clock();
    let (code, record) = decide(found.as_deref(), ask, now);
    let token = found.filter(|_| code != Code::Unknown);
    if let Some(t) = &token {
        batch.add(&t.id, &ask.source, record, now);
    }
    Answer { code, token, now }
}

/// The one place a request meets the verdict `verify` uses.
fn decide(token: Option<&TokenRecord>, ask: &Ask, now: Timestamp) -> (Code, Record) {
    let request = verdict::Request {
        scopes: &ask.scopes,
        client_ip: ask.client_ip.map(crate::net::canonical),
    };
    verdict::judge(token, &ask.presented, &request, now)
}

fn work(
    rx: &Mutex<Receiver<(Instant, Job)>>,
    target: &Target,
    clock: &Clock,
    batch: &Batch,
    metrics: &Metrics,
) {
    let mut store: Option<Store> = None;
    let (mut last_complaint, mut last_reconnect) = (None, None);
    loop {
        // Held only while waiting, so workers take turns at the queue.
        let job = match rx.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok((until, mut job)) = job else { return };
        // Its request already answered 503: a database that is away is not asked again
        // for each request that queued behind the one it hung on.
        if job.abandoned() || Instant::now() >= until {
            continue;
        }
        // A connection kept from an earlier job may have been cut since (a restarted
        // server, a terminated backend, an idle timeout): a job that lost it before
        // anything was read or written is tried once more on a new one, so the first
        // request after the database is back is not answered 503 by whichever worker
        // saw the loss. Any other failure (a timeout, a lock, SQLite's errors) is not.
        let (mut kept, mut cut) = (store.is_some(), false);
        loop {
            if let Some(s) = store.as_mut() {
                if let Err(e) = s.set_deadline(until) {
                    metrics.db_errors.fetch_add(1, Ordering::Relaxed);
                    complain(&mut last_complaint, &e);
                    store = None;
                }
            }
            if store.is_none() {
                kept = false;
                // A server that accepts but does not answer holds the connect until `until`.
                match Store::open_within(target, Access::ReadWrite, until) {
                    Ok(s) => store = Some(s),
                    Err(e) => {
                        metrics.db_errors.fetch_add(1, Ordering::Relaxed);
                        complain(&mut last_complaint, &e);
                    }
                }
            }
            // Dropping the job's sender answers "unavailable".
            let Some(s) = store.as_mut() else { break };
            let Err(failed) = run(s, job, clock, batch) else {
                if cut {
                    say(
                        &mut last_reconnect,
                        "reconnected (a kept connection had been cut)",
                    );
                }
                break;
            };
            // A connection that failed once (a deadline that passed mid-statement too) is
            // not trusted again: it is dropped, and the next try reconnects.
            metrics.db_errors.fetch_add(1, Ordering::Relaxed);
            store = None;
            match failed.untouched {
                Some(again)
                    if kept
                        && kind_of(&failed.error) == Some(Kind::Unreachable)
                        && !again.abandoned()
                        && Instant::now() < until =>
                {
                    // Said only if the new connection fails too, with its own reason.
                    (job, cut) = (again, true);
                }
                _ => {
                    complain(&mut last_complaint, &failed.error);
                    break;
                }
            }
        }
    }
}

/// Why a job failed, and the job itself when nothing of it was done yet.
struct Failed {
    error: anyhow::Error,
    untouched: Option<Job>,
}

/// One job on `s`; its answer is sent here, and a failure leaves it unanswered.
fn run(s: &mut Store, job: Job, clock: &Clock, batch: &Batch) -> Result<(), Failed> {
    let again = |error, job| Failed {
        error,
        untouched: Some(job),
    };
    match job {
        Job::Verify(ask, reply) => match s.get(ask.presented.id.as_str()) {
            // A use limit is counted exactly and at once, as verify counts it: judged
            // and recorded in one transaction, never from a batch.
            Ok(Some(limited)) if limited.max_uses.is_some() => {
                let mut decided_at = clock();
                let source = ask.source.to_string();
                let judged = s.check(&ask.presented.id, clock, Some(&source), |found, now| {
                    decided_at = now;
                    decide(found, &ask, now)
                });
                // Not tried again: the use may have been committed when the answer to
                // the commit was lost.
                let (code, token) = judged.map_err(|error| Failed {
                    error,
                    untouched: None,
                })?;
                let token = token.filter(|_| code != Code::Unknown).map(Arc::new);
                let now = decided_at;
                let _ = reply.send(Some(Answer { code, token, now }));
                Ok(())
            }
            Ok(found) => {
                let found = found.map(Arc::new);
                let _ = reply.send(Some(judge_and_count(found, &ask, clock, batch)));
                Ok(())
            }
            Err(e) => Err(again(e, Job::Verify(ask, reply))),
        },
        Job::Ping(reply) => match s.get("") {
            Ok(_) => {
                let _ = reply.send(Some(()));
                Ok(())
            }
            Err(e) => Err(again(e, Job::Ping(reply))),
        },
        Job::Tokens(reply) => {
            let mut all = Vec::new();
            match s.list(&ListQuery::default(), clock(), |t| {
                all.push(t);
                Ok(())
            }) {
                Ok(_) => {
                    let _ = reply.send(Some(all));
                    Ok(())
                }
                Err(e) => Err(again(e, Job::Tokens(reply))),
            }
        }
    }
}

/// One line a second at most: a database that is down must not flood the journal at
/// the request rate.
fn complain(last: &mut Option<Instant>, e: &anyhow::Error) {
    say(last, &format!("{e:#}"));
}

fn say(last: &mut Option<Instant>, message: &str) {
    if last.is_none_or(|t| t.elapsed() >= Duration::from_secs(1)) {
        *last = Some(Instant::now());
        let message = crate::render::escape(message);
        eprintln!("tokenctl serve: database: {message}");
    }
}

/// Uses and failures counted since the last flush, per (token, source, day).
#[derive(Default)]
struct Batch(Mutex<HashMap<(String, Source, i64), Counts>>);

/// One key's counts; the key's strings are not copied again until the flush.
#[derive(Default)]
struct Counts {
    uses: u64,
    failures: u64,
    last_used_at: Option<Timestamp>,
    last_failed_at: Option<Timestamp>,
}

impl Batch {
    fn add(&self, id: &str, source: &Source, record: Record, now: Timestamp) {
        if record == Record::Nothing {
            return;
        }
        let day = day_of(now);
        let Ok(mut map) = self.0.lock() else { return };
        let counts = map.entry((id.to_owned(), source.clone(), day)).or_default();
        match record {
            Record::Use => {
                counts.uses += 1;
                counts.last_used_at = counts.last_used_at.max(Some(now));
            }
            Record::Failure => {
                counts.failures += 1;
                counts.last_failed_at = counts.last_failed_at.max(Some(now));
            }
            Record::Nothing => {}
        }
    }

    /// Everything counted so far. The map is swapped out under the lock and turned into
    /// tallies after it: requests, which take the same lock, never wait for that work.
    fn take(&self) -> Vec<Tally> {
        let map = match self.0.lock() {
            Ok(mut map) => std::mem::take(&mut *map),
            Err(_) => return Vec::new(),
        };
        map.into_iter()
            .map(|((token_id, source, day), c)| Tally {
                token_id,
                source: source.to_string(),
                day,
                uses: c.uses,
                failures: c.failures,
                last_used_at: c.last_used_at,
                last_failed_at: c.last_failed_at,
            })
            .collect()
    }

    /// Puts back tallies a failed flush could not write, adding to any counted since.
    fn put_back(&self, tallies: Vec<Tally>) {
        let Ok(mut map) = self.0.lock() else { return };
        for t in tallies {
            let source = Source::from_text(t.source);
            let have = map.entry((t.token_id, source, t.day)).or_default();
            have.uses += t.uses;
            have.failures += t.failures;
            have.last_used_at = have.last_used_at.max(t.last_used_at);
            have.last_failed_at = have.last_failed_at.max(t.last_failed_at);
        }
    }

    fn len(&self) -> usize {
        self.0.lock().map_or(0, |m| m.len())
    }
}

/// How often counted usage reaches the database; SPEC says at least once a second.
/// Flushes start on this cadence, not this long after the last one ended, so a use waits
/// at most this plus one flush (about 50 ms for 10k tokens' tallies) before it is
/// written. Not more often: under load each flush writes nearly every token in use, so
/// its CPU, taken from requests on the same cores, grows with the flush rate. Measured
/// with BENCHMARKS.md's SQLite lane (10k tokens, about 60k requests a second): about
/// 95 ms of CPU a second at 500 ms, 70 ms at 800 ms.
const FLUSH_EVERY: Duration = Duration::from_millis(800);

/// A flush that takes longer is given up (the tallies kept for the next one), so a server
/// that stopped answering holds neither the flusher nor shutdown for long.
const FLUSH_LIMIT: Duration = Duration::from_secs(10);

fn flush_loop(
    stop: &Receiver<()>,
    target: &Target,
    batch: &Batch,
    metrics: &Metrics,
    inline: Option<&Inline>,
) {
    let mut store: Option<Store> = None;
    let mut last_complaint = None;
    let mut next = Instant::now() + FLUSH_EVERY;
    loop {
        let wait = next.saturating_duration_since(Instant::now());
        let stopping = !matches!(stop.recv_timeout(wait), Err(RecvTimeoutError::Timeout));
        // Counted from this turn's start, not its end: a flush that overran its turn is
        // followed by the next at once, never by a burst to catch up.
        next = Instant::now() + FLUSH_EVERY;
        if let Some(slot) = inline.filter(|_| !stopping) {
            if slot.lock().is_ok_and(|s| s.is_none()) {
                let opened = Reader::open(target);
                if let (Ok(reader), Ok(mut slot)) = (opened, slot.lock()) {
                    *slot = Some(reader);
                }
            }
        }
        // At shutdown a database that is briefly away gets a few more tries.
        let tries = if stopping { 5 } else { 1 };
        for attempt in 0..tries {
            if attempt > 0 {
                std::thread::sleep(Duration::from_millis(200));
            }
            if flush(&mut store, target, batch, metrics, &mut last_complaint) {
                break;
            }
        }
        if stopping {
            // Even when nothing was flushed (use-limited tokens are written at once).
            if store.is_none() {
                let until = Instant::now() + FLUSH_LIMIT;
                store = Store::open_within(target, Access::ReadWrite, until).ok();
            }
            if let Some(s) = store.as_mut() {
                s.empty_wal();
            }
            return;
        }
    }
}

fn flush(
    store: &mut Option<Store>,
    target: &Target,
    batch: &Batch,
    metrics: &Metrics,
    last_complaint: &mut Option<Instant>,
) -> bool {
    let tallies = batch.take();
    if tallies.is_empty() {
        return true;
    }
    let until = Instant::now() + FLUSH_LIMIT;
    if let Some(s) = store.as_mut() {
        if s.set_deadline(until).is_err() {
            *store = None;
        }
    }
    if store.is_none() {
        match Store::open_within(target, Access::ReadWrite, until) {
            Ok(s) => *store = Some(s),
            Err(e) => {
                metrics.db_errors.fetch_add(1, Ordering::Relaxed);
                metrics.flushes_failed.fetch_add(1, Ordering::Relaxed);
                complain(last_complaint, &e);
                batch.put_back(tallies);
                return false;
            }
        }
    }
    let Some(s) = store.as_mut() else {
        return false;
    };
    match s.record_batch(&tallies) {
        Ok(()) => {
            metrics.flushes.fetch_add(1, Ordering::Relaxed);
            true
        }
        Err(e) => {
            metrics.db_errors.fetch_add(1, Ordering::Relaxed);
            metrics.flushes_failed.fetch_add(1, Ordering::Relaxed);
            complain(last_complaint, &e);
            *store = None;
            batch.put_back(tallies);
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Source;

    /// A failed flush puts its tallies back under the key they were counted by: every
    /// source reads back as itself.
    #[test]
    fn a_source_reads_back_as_the_key_it_was_counted_under() {
        for source in [
            Source::Addr("192.0.2.7".parse().unwrap()),
            Source::Addr("2001:db8::1".parse().unwrap()),
            Source::Label("billing-worker".to_owned()),
            Source::Unknown,
        ] {
            assert!(Source::from_text(source.to_string()) == source);
        }
    }
}
