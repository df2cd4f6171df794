//! Where tokens live: one `Store` that a command cannot tell apart, over two engines
//! (`sqlite`, `postgres`), the only code in tokenctl that speaks SQL.

mod file;
mod postgres;
mod rules;
// Benchmark-only bulk seeding (benches/verify.rs); not part of the tool's interface.
#[doc(hidden)]
pub mod seed;
mod shared;
mod sqlite;
mod target;

pub use shared::{SharedOutcome, prepare_shared};
pub use target::Target;

/// Why `restore` would refuse a token whatever the clock says (compromised, rotated).
pub use rules::refuse::unrestorable as refuse_restore;

use std::time::Instant;

use anyhow::Result;

use crate::time::Timestamp;
use crate::token::{TokenHash, TokenId};

/// The database a command works on; which engine holds it is this type's business only.
pub enum Store {
    Sqlite(sqlite::Store),
    Postgres(postgres::Store),
}

/// A read transaction over several reads; dropping it ends it.
pub enum Snapshot<'a> {
    Sqlite(#[allow(dead_code)] sqlite::Snapshot<'a>),
    Postgres(#[allow(dead_code)] postgres::Snapshot<'a>),
}

/// The same call on whichever engine holds the database.
macro_rules! each {
    ($store:expr, $engine:ident => $call:expr) => {
        match $store {
            Store::Sqlite($engine) => $call,
            Store::Postgres($engine) => $call,
        }
    };
}

/// This process answers many requests (`serve`): call before its first `Store::open`, so
/// SQLite keeps the memory defaults a one-shot command gives up (see the SQLite engine).
pub fn long_lived() {
    sqlite::long_lived();
}

impl Store {
    /// Opens the database `target` names, vetting it before anything is written (see each
    /// engine). Only PostgreSQL starts an async runtime; a SQLite open never does.
    pub fn open(target: &Target, access: Access) -> Result<Store> {
        Ok(match target {
            Target::Sqlite(path) => Store::Sqlite(sqlite::Store::open(path, access)?),
            Target::Postgres(url) => Store::Postgres(postgres::Store::open(url, access)?),
        })
    }

    /// As `open`, giving up at `deadline` (a server's connect included); every later
    /// operation is bounded by it too, until `set_deadline` moves it. For callers that
    /// must answer in time (serve's requests, verify) rather than wait out a hung server.
    pub fn open_within(target: &Target, access: Access, deadline: Instant) -> Result<Store> {
        Ok(match target {
            Target::Sqlite(path) => {
                Store::Sqlite(sqlite::Store::open_within(path, access, Some(deadline))?)
            }
            Target::Postgres(url) => {
                Store::Postgres(postgres::Store::open_within(url, access, Some(deadline))?)
            }
        })
    }

    /// SQLite only: a connection that never waits, for `serve`'s runtime thread (see the
    /// SQLite engine's `vfs`): a read answers at once or fails.
    pub fn open_never_waiting(target: &Target) -> Result<Store> {
        match target {
            Target::Sqlite(path) => Ok(Store::Sqlite(sqlite::Store::open_never_waiting(path)?)),
            Target::Postgres(_) => anyhow::bail!("a never-waiting connection is SQLite's alone"),
        }
    }

    /// SQLite only: changes whenever another connection has committed (see the engine's
    /// `data_version`).
    pub fn data_version(&self) -> Result<i64> {
        match self {
            Store::Sqlite(s) => s.data_version(),
            Store::Postgres(_) => anyhow::bail!("a data version is SQLite's alone"),
        }
    }

    /// The next operations end by `deadline`: a lock wait, or a server that stopped
    /// answering, fails them then (the connection is not to be trusted after that).
    pub fn set_deadline(&mut self, deadline: Instant) -> Result<()> {
        match self {
            Store::Sqlite(s) => s.set_deadline(Some(deadline)),
            Store::Postgres(s) => {
                s.set_deadline(Some(deadline));
                Ok(())
            }
        }
    }

    /// SQLite: folds the whole WAL into the database and empties it, as a one-shot
    /// command's checkpoint does; `serve`, whose checkpoints are passive, calls it when it
    /// stops, so the database file alone then holds everything. Best effort.
    pub fn empty_wal(&mut self) {
        if let Store::Sqlite(s) = self {
            s.empty_wal();
        }
    }

    /// Whether this open created the database (the schema, on a server).
    pub fn created(&self) -> bool {
        each!(self, s => s.created())
    }

    /// Inserts a new token, dated by `clock` read under the write lock.
    pub fn insert(
        &mut self,
        token: &NewToken,
        clock: impl Fn() -> Timestamp,
        actor: &str,
    ) -> Result<Inserted> {
        each!(self, s => s.insert(token, clock, actor))
    }

    /// Finds the token a user means (see `reference`): an exact id, then an exact name, then
    /// a unique id prefix of at least 4 characters; a whole token by its id.
    pub fn resolve(&self, reference: &str) -> Result<TokenRecord> {
        rules::resolve(self, reference)
    }

    /// Resolves every reference first, so a typo in the third one changes nothing.
    pub fn resolve_all(&self, references: &[String]) -> Result<Vec<TokenRecord>> {
        let mut found: Vec<TokenRecord> = Vec::with_capacity(references.len());
        for reference in references {
            let token = self.resolve(reference)?;
            if !found.iter().any(|t| t.id == token.id) {
                found.push(token);
            }
        }
        Ok(found)
    }

    /// Holds one read transaction until dropped, so several reads see the same moment.
    pub fn snapshot(&self) -> Result<Snapshot<'_>> {
        Ok(match self {
            Store::Sqlite(s) => Snapshot::Sqlite(s.snapshot()?),
            Store::Postgres(s) => Snapshot::Postgres(s.snapshot()?),
        })
    }

    pub fn get(&self, id: &str) -> Result<Option<TokenRecord>> {
        each!(self, s => s.get(id))
    }

    /// Tokens whose id starts with `bare`, in id order, at most `limit`.
    fn by_id_prefix(&self, bare: &str, limit: u32) -> Result<Vec<TokenRecord>> {
        each!(self, s => s.by_id_prefix(bare, limit))
    }

    fn by_name(&self, name: &str) -> Result<Option<TokenRecord>> {
        each!(self, s => s.by_name(name))
    }

    /// Revokes each active token, with `why`. Returns each token as re-read after the
    /// change, inside the transaction, with whether it changed (false: already revoked, and
    /// not newly marked compromised); a token that does not read back revoked fails the
    /// whole action, which then changes nothing. An already revoked token given
    /// `compromised` becomes compromised (and takes the reason): that can only tighten.
    ///
    /// `clock` is read once the write lock is held: a revoke that waited for the lock is
    /// dated after every use it waited behind.
    pub fn revoke(
        &mut self,
        ids: &[&str],
        why: &Revocation,
        clock: impl Fn() -> Timestamp,
        actor: &str,
    ) -> Result<Vec<(TokenRecord, bool)>> {
        each!(self, s => s.revoke(ids, why, clock, actor))
    }

    /// Revokes every token matching `query` that is not revoked yet: the selection, judged
    /// by `clock` read under the write lock, and the change are one transaction. `only`
    /// (the plan a person confirmed) keeps the act to tokens that were in it.
    pub fn revoke_matching(
        &mut self,
        query: &ListQuery,
        only: Option<&[String]>,
        why: &Revocation,
        clock: impl Fn() -> Timestamp,
        actor: &str,
    ) -> Result<Vec<(TokenRecord, bool)>> {
        each!(self, s => s.revoke_matching(query, only, why, clock, actor))
    }

    /// Deletes every revoked or expired token matching `query`, as `revoke_matching`
    /// selects; returns them as they were just before.
    pub fn delete_matching(
        &mut self,
        query: &ListQuery,
        only: Option<&[String]>,
        clock: impl Fn() -> Timestamp,
        actor: &str,
    ) -> Result<Vec<TokenRecord>> {
        each!(self, s => s.delete_matching(query, only, clock, actor))
    }

    /// What `revoke_matching` or `delete_matching` would act on now, changing nothing:
    /// the same SQL, read in one statement.
    pub fn plan(&self, query: &ListQuery, act: Bulk, now: Timestamp) -> Result<Vec<TokenRecord>> {
        each!(self, s => s.plan(query, act, now))
    }

    /// Replaces token `id` by a new one (`rotation`) under its name, scopes, prefix,
    /// description, limits and allow-list, in one transaction dated by `clock` read under
    /// the lock. The old token takes the name `<name>~<id>`, links to the new one, and
    /// verifies until now + grace, never past its own expiry; then it reads as revoked.
    /// A revoked or already rotated token is refused, and nothing changes.
    pub fn rotate(
        &mut self,
        id: &str,
        rotation: &Rotation,
        clock: impl Fn() -> Timestamp,
        actor: &str,
    ) -> Result<Rotated> {
        each!(self, s => s.rotate(id, rotation, clock, actor))
    }

    /// Changes token `id` in place (`edit`; the secret stays), judged on the token as it
    /// reads under the lock at `clock`: a new name must be free, a new expiry in the
    /// future, and an expired token gets no new expiry. Each changed field is one
    /// `Change::Edited` event. Returns the token as re-read, and how many fields changed.
    pub fn edit(
        &mut self,
        id: &str,
        edit: &Edit,
        clock: impl Fn() -> Timestamp,
        actor: &str,
    ) -> Result<(TokenRecord, usize)> {
        each!(self, s => s.edit(id, edit, clock, actor))
    }

    /// Makes revoked, unexpired tokens active. Returns each token as re-read after the
    /// change with whether it changed (false: already active). An expired token, judged
    /// by `clock` read under the write lock, fails the whole action, which then changes
    /// nothing: a restore that waited for the lock past the expiry must not revive it.
    pub fn restore(
        &mut self,
        ids: &[&str],
        clock: impl Fn() -> Timestamp,
        actor: &str,
    ) -> Result<Vec<(TokenRecord, bool)>> {
        each!(self, s => s.restore(ids, clock, actor))
    }

    /// Deletes revoked or expired tokens (expired by `clock`, read under the write lock)
    /// with their scopes and usage; the event log keeps their history. An active token
    /// fails the whole action, which then deletes nothing.
    pub fn delete(
        &mut self,
        ids: &[&str],
        clock: impl Fn() -> Timestamp,
        actor: &str,
    ) -> Result<()> {
        each!(self, s => s.delete(ids, clock, actor))
    }

    /// Revokes each `(id, hash, detail)` whose token is still active and has that hash (so
    /// a look-alike id can never revoke another token); `detail` goes into the event.
    /// Returns whether each one changed.
    pub fn revoke_leaked(
        &mut self,
        leaked: &[(&str, TokenHash, &str)],
        now: Timestamp,
        actor: &str,
    ) -> Result<Vec<bool>> {
        each!(self, s => s.revoke_leaked(leaked, now, actor))
    }

    /// The verify transaction. An unknown id, or `source == None` (nothing to record),
    /// never writes or takes a write lock. Something to record is judged again on the
    /// token as it reads under the lock (or by a statement that records only if the
    /// token still reads as judged), so a revoke that returned before this verify started
    /// is seen and concurrent uses are all counted. Usage commits are the engine's
    /// "may lose the last few on power loss" kind; lifecycle commits never are.
    ///
    /// `clock` is read for each judgement: a verify that waited for the lock (or for its
    /// stdin) judges expiry at the moment it decides.
    pub fn check<V>(
        &mut self,
        id: &TokenId,
        clock: impl Fn() -> Timestamp,
        source: Option<&str>,
        decide: impl FnMut(Option<&TokenRecord>, Timestamp) -> (V, Record),
    ) -> Result<(V, Option<TokenRecord>)> {
        each!(self, s => s.check(id, clock, source, decide))
    }

    /// Adds `serve`'s gathered uses and failures, every tally in one transaction (per-token
    /// counts, per-day and per-source rows); a tally of a token deleted since is dropped.
    pub fn record_batch(&mut self, tallies: &[Tally]) -> Result<()> {
        each!(self, s => s.record_batch(tallies))
    }

    /// Streams the tokens `query` selects to `each`, in order, without holding them all.
    pub fn list(
        &self,
        query: &ListQuery,
        now: Timestamp,
        each: impl FnMut(TokenRecord) -> Result<()>,
    ) -> Result<ListCounts> {
        each!(self, s => s.list(query, now, each))
    }

    /// The most recent distinct sources a token was used from.
    pub fn sources(&self, id: &str, limit: u32) -> Result<Vec<SourceUse>> {
        each!(self, s => s.sources(id, limit))
    }

    /// Daily uses and failures of a token from `first_day` on (unix days, inclusive).
    pub fn daily(&self, id: &str, first_day: i64) -> Result<Vec<DayUse>> {
        each!(self, s => s.daily(id, first_day))
    }

    /// Lifecycle events, oldest first, of one token id (or all) at or after `since`.
    pub fn events(&self, token_id: Option<&str>, since: Option<Timestamp>) -> Result<Vec<Event>> {
        each!(self, s => s.events(token_id, since))
    }

    /// Days with failed verify attempts, per token, at or after `since`.
    pub fn failure_days(
        &self,
        token_id: Option<&str>,
        since: Option<Timestamp>,
    ) -> Result<Vec<FailureDay>> {
        each!(self, s => s.failure_days(token_id, since))
    }

    /// Finds a token id (live or deleted) from the event log, for `log REF`.
    /// By exact id, exact name, or a unique id prefix of 4+ characters, as `resolve`.
    pub fn resolve_historic(&self, reference: &str) -> Result<Option<(String, String)>> {
        let found = each!(self, s => s.historic(reference))?;
        rules::one_historic(reference, found)
    }

    /// Everything the database holds, for `copy`.
    pub fn export(&self) -> Result<Dump> {
        each!(self, s => s.export())
    }

    /// Fills an empty database with `dump` in one transaction; refused if it holds tokens.
    pub fn import(&mut self, dump: &Dump) -> Result<()> {
        each!(self, s => s.import(dump))
    }
}

/// A whole database, rows as stored (times in unix seconds), for `copy`.
#[derive(Debug, Default)]
pub struct Dump {
    pub tokens: Vec<TokenRecord>,
    /// (token_id, day, uses, failures)
    pub daily: Vec<(String, i64, i64, i64)>,
    /// (token_id, source, uses, last_used_at)
    pub sources: Vec<(String, String, i64, i64)>,
    /// In the order they happened.
    pub events: Vec<Event>,
}

/// How a command needs the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// `init`: create the database when it is missing, upgrade an older schema.
    Init,
    /// `generate`: create the file (0600, folder 0700) or the schema when missing; an
    /// older schema is refused (only `init` upgrades, never a hook's command).
    Create,
    /// Everything else that writes: the file must exist and be ours.
    ReadWrite,
    /// Views, and `verify --no-record`: never writes, works on a read-only file.
    ReadOnly,
}

impl Access {
    pub fn creates(self) -> bool {
        matches!(self, Access::Init | Access::Create)
    }
}

/// How hard a commit must hit the disk, chosen by each engine per operation: a lifecycle
/// change (a printed secret, a revoke) must survive power loss; a usage count may lose
/// its last few increments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    Full,
    Normal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenStatus {
    Active,
    Revoked,
    Expired,
}

impl TokenStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenStatus::Active => "active",
            TokenStatus::Revoked => "revoked",
            TokenStatus::Expired => "expired",
        }
    }
}

/// A stored token: everything but the secret, which the store never had.
#[derive(Debug, Clone)]
pub struct TokenRecord {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub hash: Option<TokenHash>,
    pub description: Option<String>,
    pub scopes: Vec<String>,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    pub usage_count: u64,
    pub last_used_at: Option<Timestamp>,
    pub last_used_source: Option<String>,
    pub failed_count: u64,
    pub last_failed_at: Option<Timestamp>,
    /// Why it was revoked, as the operator said it.
    pub revoke_reason: Option<String>,
    /// Revoked as compromised: never restorable.
    pub compromised: bool,
    /// At most this many successful verifies in all; `None`: no limit.
    pub max_uses: Option<u64>,
    /// The CIDRs a verify's client address must be inside; empty: any address.
    pub allowed_cidrs: Vec<String>,
    /// The token this one replaced by `rotate`.
    pub rotated_from: Option<String>,
    /// The token that replaced this one by `rotate`.
    pub rotated_to: Option<String>,
    /// A rotated token verifies until then and reads as revoked from then on.
    pub grace_ends_at: Option<Timestamp>,
}

impl TokenRecord {
    /// Revoked wins over expired: it is the operator's deliberate act, and verify reports
    /// it first.
    pub fn status(&self, now: Timestamp) -> TokenStatus {
        if self.revoked_at.is_some() || self.grace_ends_at.is_some_and(|t| t <= now) {
            TokenStatus::Revoked
        } else if self.expires_at.is_some_and(|t| t <= now) {
            TokenStatus::Expired
        } else {
            TokenStatus::Active
        }
    }

    /// When it stopped verifying as revoked: by `revoke`, or at the end of its rotation's
    /// grace window.
    pub fn revoked_since(&self, now: Timestamp) -> Option<Timestamp> {
        self.revoked_at.or(self.grace_ends_at.filter(|t| *t <= now))
    }

    /// Successful verifies left under the use limit; `None`: no limit.
    pub fn remaining_uses(&self) -> Option<u64> {
        self.max_uses.map(|m| m.saturating_sub(self.usage_count))
    }
}

/// A token about to be inserted by `generate`; the store dates it inside its transaction.
pub struct NewToken<'a> {
    pub id: &'a TokenId,
    pub name: &'a str,
    pub prefix: &'a str,
    pub hash: TokenHash,
    pub description: Option<&'a str>,
    pub scopes: &'a [String],
    pub expires_at: Option<Timestamp>,
    /// At most this many successful verifies; `None`: no limit.
    pub max_uses: Option<u64>,
    /// Canonical CIDR blocks (`net::Cidr`'s text) a verify must come from; empty: any.
    pub allowed_cidrs: &'a [String],
}

#[derive(Debug)]
pub enum Inserted {
    Ok,
    NameTaken(Box<TokenRecord>),
    IdTaken,
}

/// What `verify` decided inside its transaction, and so what to record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record {
    /// A successful use: count it, with its source.
    Use,
    /// A denied attempt on a known token, its secret right (revoked, expired, missing scope).
    Failure,
    /// Nothing to record (unknown id).
    Nothing,
}

/// A bulk act over FILTERS, and so which matches it may touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bulk {
    /// Matches not yet revoked.
    Revoke,
    /// Matches revoked or expired.
    Delete,
}

impl Bulk {
    /// The rule over `tokens t` in SQL, `now` the placeholder of the time now.
    pub(crate) fn rule_sql(self, now: &str) -> String {
        match self {
            // Not `NOT revoked_sql`: a NULL grace end would make that NULL, never true.
            Bulk::Revoke => format!(
                "t.revoked_at IS NULL AND (t.grace_ends_at IS NULL OR t.grace_ends_at > {now})"
            ),
            Bulk::Delete => format!("({} OR t.expires_at <= {now})", rules::revoked_sql(now)),
        }
    }
}

/// Uses and failures of one token from one source on one UTC day, as `serve` gathers them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    pub token_id: String,
    pub source: String,
    /// Days since the unix epoch (UTC).
    pub day: i64,
    pub uses: u64,
    pub failures: u64,
    /// Set when `uses > 0`: the newest use's time.
    pub last_used_at: Option<Timestamp>,
    /// Set when `failures > 0`.
    pub last_failed_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Name,
    Created,
    Expires,
    LastUsed,
    Uses,
}

#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub status: Option<TokenStatus>,
    /// Tokens not yet expired that expire at or before this time, whatever their status.
    pub expiring_before: Option<Timestamp>,
    /// Tokens not used since this time (never used counts from creation).
    pub unused_before: Option<Timestamp>,
    /// Names matching this glob (`*`, `?`), case-sensitively.
    pub name_glob: Option<String>,
    /// Tokens whose scopes cover this one (as verify would judge them).
    pub scope: Option<crate::scope::Scope>,
    pub prefix: Option<String>,
    pub sort: Option<SortKey>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListCounts {
    pub shown: u64,
    pub total: u64,
}

/// One source a token was used from.
#[derive(Debug, Clone)]
pub struct SourceUse {
    pub source: String,
    pub uses: u64,
    pub last_used_at: Timestamp,
}

/// Uses and failures of one token on one UTC day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayUse {
    /// Days since the unix epoch (UTC).
    pub day: i64,
    pub uses: u64,
    pub failures: u64,
}

/// What `edit` changes; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct Edit {
    pub name: Option<String>,
    /// `Some(None)` clears the description.
    pub description: Option<Option<String>>,
    pub add_scopes: Vec<String>,
    pub remove_scopes: Vec<String>,
    pub expires: Option<NewExpiry>,
    /// `Some(None)` lifts the use limit.
    pub max_uses: Option<Option<u64>>,
    /// `Some(empty)`: any address.
    pub allowed_cidrs: Option<Vec<String>>,
}

/// A new expiry, laid on the time the store reads under the lock.
#[derive(Debug, Clone, Copy)]
pub enum NewExpiry {
    After(crate::time::Span),
    At(Timestamp),
    Never,
}

/// The new token of a `rotate`: its id and hash, and the windows the store lays on the
/// time it reads under the lock.
pub struct Rotation<'a> {
    pub new_id: &'a TokenId,
    pub hash: TokenHash,
    /// How long the old secret keeps verifying (zero: it stops now).
    pub grace: crate::time::Span,
    /// The new token's validity; `None`: the old one's span (never, if it had none).
    pub expires: Option<crate::time::Span>,
}

#[derive(Debug)]
pub enum Rotated {
    /// Both tokens as re-read after the change.
    Ok {
        old: Box<TokenRecord>,
        new: Box<TokenRecord>,
    },
    IdTaken,
}

/// The name a rotated-away token keeps, so the new one can take its name (names are unique).
pub fn retired_name(name: &str, id: &str) -> String {
    format!("{name}~{id}")
}

/// Why tokens are revoked: what `show`, `log` and JSON then say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Revocation {
    pub reason: Option<String>,
    /// Never restorable.
    pub compromised: bool,
}

/// A lifecycle change as the event log keeps it: the action, and its details as data
/// (times in unix seconds), stored as JSON in `events.data` so no reader parses prose.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Change {
    Generated {
        expires_at: Option<i64>,
        /// Made by `rotate` from this token.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rotated_from: Option<String>,
    },
    /// One field changed by `edit`: what it was and what it became.
    Edited {
        field: String,
        from: serde_json::Value,
        to: serde_json::Value,
    },
    /// Replaced by `to`; verifies until `grace_ends_at`.
    Rotated {
        to: String,
        grace_ends_at: i64,
    },
    Revoked {
        #[serde(default)]
        reason: Option<String>,
        #[serde(default)]
        compromised: bool,
    },
    Restored,
    Deleted,
}

impl Change {
    /// The `action` column.
    pub fn action(&self) -> &'static str {
        match self {
            Change::Generated { .. } => "generated",
            Change::Edited { .. } => "edited",
            Change::Rotated { .. } => "rotated",
            Change::Revoked { .. } => "revoked",
            Change::Restored => "restored",
            Change::Deleted => "deleted",
        }
    }

    /// The `data` column.
    pub fn data(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// A lifecycle event: generated, edited, rotated, revoked, restored, deleted.
#[derive(Debug, Clone)]
pub struct Event {
    pub at: Timestamp,
    pub token_id: String,
    pub token_name: String,
    pub action: String,
    pub actor: String,
    pub detail: Option<String>,
    /// Structured details, a JSON object as stored (schema v2 on); see `change`.
    pub data: Option<String>,
}

impl Event {
    /// The change with its details; `None` for an event written before schema v2, which
    /// has only `action` and the prose `detail`.
    pub fn change(&self) -> Option<Change> {
        serde_json::from_str(self.data.as_deref()?).ok()
    }
}

/// Failed verify attempts on one token on one day, for `log`.
#[derive(Debug, Clone)]
pub struct FailureDay {
    pub token_id: String,
    pub token_name: String,
    pub day: i64,
    pub failures: u64,
}

/// The distinct sources a token keeps, the most recent ones, on every backend and through
/// verify and serve alike: the file grows with tokens and days, not with every source.
pub(crate) const SOURCES_KEPT: u32 = 16;

/// The unix day of a time, the unit `usage_daily` is kept in.
pub fn day_of(t: Timestamp) -> i64 {
    t.timestamp().div_euclid(86_400)
}
