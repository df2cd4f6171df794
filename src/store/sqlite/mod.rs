//! The SQLite engine: opening the file (`file` vets it), pragmas, migrations, and one
//! transaction per user action with the rule in its WHERE clause.

use std::fs::File;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, bail};
use rusqlite::config::DbConfig;
use rusqlite::{
    Connection, ErrorCode, OpenFlags, OptionalExtension, Row, TransactionBehavior, ffi, params,
};

use super::file;
use super::rules::{self, refuse};
use super::{
    Access, DayUse, Durability, Event, FailureDay, Inserted, ListCounts, ListQuery, NewToken,
    Record, SortKey, SourceUse, TokenRecord, TokenStatus, day_of,
};
use crate::error::{Kind, fail};
use crate::time::{Timestamp, from_unix, to_unix};
use crate::token::{TokenHash, TokenId};

mod copy;
mod leaked;

/// "tknc": marks the file as tokenctl's, so another application's database is refused.
pub(super) const APPLICATION_ID: i32 = 0x746b_6e63;

/// Applied in order; file N takes the schema from version N-1 to N. Append only.
pub(super) const MIGRATIONS: &[&str] = &[include_str!("migrations/0001_init.sql")];

const SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;

/// Under sustained contention a lock can be hard to win; be patient before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The `-wal` size at which the writer that finds it folds it back into the database
/// (see `settle_wal`). A verify appends about 12 KiB. A process that opens the database
/// alone rebuilds the WAL index by reading the whole WAL (about 0.9 ms per MiB here),
/// while a checkpoint costs a few fsyncs: 512 KiB, one checkpoint per ~40 verifies,
/// balances the two (measured in BENCHMARKS.md).
const WAL_CHECKPOINT_BYTES: u64 = 512 << 10;

/// A checkpoint is housekeeping after a committed write: it may wait this long for
/// readers and writers, then leaves the work to the next writer.
const CHECKPOINT_BUSY_TIMEOUT: Duration = Duration::from_millis(100);

/// Distinct sources kept per token (the most recent ones): `show` lists 5 of them.
const SOURCES_KEPT: u32 = 16;

const TOKEN_COLUMNS: &str = "t.id, t.name, t.prefix, t.hash, t.description, \
     (SELECT json_group_array(scope) FROM token_scopes s WHERE s.token_id = t.id), \
     t.created_at, t.expires_at, t.revoked_at, t.usage_count, t.last_used_at, \
     t.last_used_source, t.failed_count, t.last_failed_at";

/// A read transaction; dropping it ends it (nothing to commit).
pub struct Snapshot<'a>(#[allow(dead_code)] rusqlite::Transaction<'a>);

pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// The `synchronous` setting in force, switched per operation (see `write`).
    sync: Durability,
    created: bool,
}

impl Store {
    /// Opens the database at `path`, vetting it before anything is written: a missing file
    /// (unless `Access::Create`), an untrusted one (`file::vet`), a foreign or newer
    /// database, or a read-only file for a writing command are refused with the path
    /// named, and the file is left untouched.
    pub fn open(path: &Path, access: Access) -> Result<Store> {
        file::guard_root_chown();
        let (real, created) = file::locate(path, access)?;
        let path = real.as_path();
        let (header, vetted) = file::vet(path, access)?;
        precheck(path, &header, access)?;
        // Closed before SQLite opens the file: closing any descriptor of a file drops all
        // of this process's POSIX locks on it, SQLite's included.
        drop(header);
        let immutable = vetted.immutable;
        let flags = match access {
            Access::ReadOnly => OpenFlags::SQLITE_OPEN_READ_ONLY,
            Access::Init | Access::Create | Access::ReadWrite => OpenFlags::SQLITE_OPEN_READ_WRITE,
        } | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        // The real path, never a URI: only the immutable read of a read-only copy is one.
        let conn = if immutable {
            Connection::open_with_flags(
                file::uri(path, "immutable=1"),
                flags | OpenFlags::SQLITE_OPEN_URI,
            )
        } else {
            Connection::open_with_flags(path, flags)
        }
        .map_err(|e| explain(path, e))
        .with_context(|| format!("opening database {}", path.display()))?;
        let mut store = Store {
            conn,
            path: path.to_owned(),
            sync: Durability::Normal,
            created,
        };
        store.configure()?;
        if access != Access::ReadOnly && store.conn.is_readonly("main").unwrap_or(true) {
            return Err(refused::read_only(path));
        }
        // The first read opens -wal and -shm; what SQLite holds is checked before any of
        // it is believed.
        store.header().map_err(|e| explain(path, e))?;
        file::vet_open_files(path, &vetted)?;
        store.vet(access, created)?;
        Ok(store)
    }

    pub fn created(&self) -> bool {
        self.created
    }

    fn configure(&mut self) -> Result<()> {
        self.conn
            .busy_handler(Some(lock_waiter(BUSY_TIMEOUT)))
            .map_err(|e| explain(&self.path, e))?;
        self.conn
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| explain(&self.path, e))?;
        // By default the last connection to close checkpoints and deletes the -wal and -shm
        // files: about four fsyncs, most of a one-shot verify's time. Instead the files stay
        // (created with the database file's mode, so a shared database's group keeps
        // access), nothing checkpoints implicitly, and `settle_wal` bounds the WAL. A FULL
        // commit still fsyncs the WAL; a NORMAL one (usage) may be lost on power failure
        // until the next checkpoint, never torn.
        self.conn
            .set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)
            .map_err(|e| explain(&self.path, e))?;
        self.conn
            .pragma_update(None, "wal_autocheckpoint", 0)
            .map_err(|e| explain(&self.path, e))?;
        Ok(())
    }

    /// Folds a WAL grown past `WAL_CHECKPOINT_BYTES` into the database and truncates it;
    /// after a lifecycle change (rare, already fsynced) always, so the database file alone
    /// holds every token and revocation, for whoever copies it without its -wal.
    /// Best effort, after the commit: the action already succeeded, and a checkpoint that
    /// cannot finish (busy readers, an I/O error) is retried by the next writer; an I/O
    /// error that persists surfaces in the next transaction.
    fn settle_wal(&mut self, durability: Durability) {
        let mut wal = self.path.clone().into_os_string();
        wal.push("-wal");
        let due = durability == Durability::Full
            || std::fs::metadata(&wal).is_ok_and(|m| m.len() >= wal_limit());
        let waiter = Some(lock_waiter(CHECKPOINT_BUSY_TIMEOUT));
        if due && self.conn.busy_handler(waiter).is_ok() {
            let _ = self
                .conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
            let _ = self.conn.busy_handler(Some(lock_waiter(BUSY_TIMEOUT)));
        }
    }

    /// Checks the file is a tokenctl database this version understands, and migrates an
    /// older (or, for `init`/`generate`, empty) one.
    fn vet(&mut self, access: Access, created: bool) -> Result<()> {
        let path = self.path.clone();
        let (app_id, version) = self.header().map_err(|e| explain(&path, e))?;
        if app_id == 0 && version == 0 {
            let objects: i64 = self
                .conn
                .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
                .map_err(|e| explain(&path, e))?;
            if objects > 0 {
                return Err(refused::foreign(&path, None));
            }
            if !access.creates() {
                return Err(fail(
                    Kind::Missing,
                    format!(
                        "{} is an empty file, not a tokenctl database: run 'tokenctl init --db {}'",
                        path.display(),
                        path.display()
                    ),
                ));
            }
        } else if app_id != APPLICATION_ID {
            return Err(refused::foreign(&path, Some(app_id)));
        }
        if version > SCHEMA_VERSION {
            return Err(refused::newer(&path, version));
        }
        if version == SCHEMA_VERSION {
            vet_schema(&self.conn, &path)?;
        }
        if version < SCHEMA_VERSION {
            // A new database is built by whoever creates it; an existing one is upgraded
            // by `init` alone, never behind a deploy hook's back.
            if version > 0 && access != Access::Init {
                return Err(refused::older(&path, version));
            }
            self.set_sync(Durability::Full)?;
            self.migrate(created).map_err(|e| explained(&path, e))?;
        }
        Ok(())
    }

    fn header(&self) -> rusqlite::Result<(i32, i32)> {
        let app_id = self
            .conn
            .pragma_query_value(None, "application_id", |r| r.get(0))?;
        let version = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?;
        Ok((app_id, version))
    }

    fn migrate(&mut self, created: bool) -> Result<()> {
        // WAL lets verifies read while another process writes. It persists in the file,
        // and cannot be switched inside a transaction, so it is set once, here.
        if created || self.header()?.1 == 0 {
            self.conn
                .pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))?;
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Re-read inside the write lock: another process may have migrated meanwhile.
        let version: i32 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        for (index, sql) in MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (index + 1) as i32)?;
        }
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        // An older schema may carry objects of its own; refused before anything commits.
        vet_schema(&tx, &self.path)?;
        Ok(tx.commit()?)
    }

    /// Runs `f` in one IMMEDIATE transaction: the write lock is taken up front, so a
    /// read-then-write inside cannot be overtaken by another process.
    ///
    /// `durability`: FULL fsyncs the commit and folds the WAL (lifecycle changes); NORMAL
    /// (usage) may lose its last commits on power loss, never tear.
    fn write<T>(
        &mut self,
        durability: Durability,
        f: impl FnOnce(&rusqlite::Transaction) -> Result<T>,
    ) -> Result<T> {
        self.set_sync(durability)?;
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| explain(&path, e))?;
        let value = f(&tx).map_err(|e| explained(&path, e))?;
        tx.commit().map_err(|e| explain(&path, e))?;
        self.settle_wal(durability);
        Ok(value)
    }

    /// `synchronous` for the next transaction (set outside one, as SQLite requires).
    fn set_sync(&mut self, durability: Durability) -> Result<()> {
        if self.sync != durability {
            let sync = match durability {
                Durability::Full => "FULL",
                Durability::Normal => "NORMAL",
            };
            self.conn
                .pragma_update(None, "synchronous", sync)
                .map_err(|e| explain(&self.path, e))?;
            self.sync = durability;
        }
        Ok(())
    }

    /// Inserts a new token, dated by `clock` read under the write lock.
    pub fn insert(
        &mut self,
        token: &NewToken,
        clock: impl Fn() -> Timestamp,
        actor: &str,
    ) -> Result<Inserted> {
        self.write(Durability::Full, |tx| {
            let created_at = clock();
            if let Some(existing) = find_by(tx, "t.name = ?1", token.name)? {
                return Ok(Inserted::NameTaken(Box::new(existing)));
            }
            let taken: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM tokens WHERE id = ?1)",
                [token.id.as_str()],
                |r| r.get(0),
            )?;
            if taken {
                return Ok(Inserted::IdTaken);
            }
            tx.execute(
                "INSERT INTO tokens (id, name, prefix, hash, description, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    token.id.as_str(),
                    token.name,
                    token.prefix,
                    &token.hash.as_bytes()[..],
                    token.description,
                    to_unix(created_at),
                    token.expires_at.map(to_unix),
                ],
            )?;
            let mut scope =
                tx.prepare("INSERT OR IGNORE INTO token_scopes (token_id, scope) VALUES (?1, ?2)")?;
            for s in token.scopes {
                scope.execute(params![token.id.as_str(), s])?;
            }
            let detail = match token.expires_at {
                Some(t) => format!("expires {}", crate::time::rfc3339(t)),
                None => "never expires".to_owned(),
            };
            log_event(
                tx,
                created_at,
                token.id.as_str(),
                token.name,
                "generated",
                actor,
                Some(&detail),
            )?;
            Ok(Inserted::Ok)
        })
    }

    /// Holds one read transaction until dropped, so several reads see the same moment.
    pub fn snapshot(&self) -> Result<Snapshot<'_>> {
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(|e| explain(&self.path, e))?;
        Ok(Snapshot(tx))
    }

    pub fn get(&self, id: &str) -> Result<Option<TokenRecord>> {
        find_by(&self.conn, "t.id = ?1", id).map_err(|e| explain(&self.path, e))
    }

    pub fn by_name(&self, name: &str) -> Result<Option<TokenRecord>> {
        find_by(&self.conn, "t.name = ?1", name).map_err(|e| explain(&self.path, e))
    }

    pub fn by_id_prefix(&self, bare: &str, limit: u32) -> Result<Vec<TokenRecord>> {
        let found = (|| {
            let mut stmt = self.conn.prepare(&format!(
                "SELECT {TOKEN_COLUMNS} FROM tokens t WHERE t.id >= ?1 AND t.id < ?1 || '~' ORDER BY t.id LIMIT ?2"
            ))?;
            let mut rows = stmt.query(params![bare, limit])?;
            let mut matches = Vec::new();
            while let Some(row) = rows.next()? {
                matches.push(token_from_row(row)?);
            }
            Ok(matches)
        })();
        found.map_err(|e| explain(&self.path, e))
    }

    /// Revokes each active token. Returns each token as re-read after the change, inside
    /// the transaction, with whether it changed (false: already revoked); a token that does
    /// not read back revoked fails the whole action, which then changes nothing.
    ///
    /// `clock` is read once the write lock is held: a revoke that waited for the lock is
    /// dated after every use it waited behind.
    pub fn revoke(
        &mut self,
        ids: &[&str],
        clock: impl Fn() -> Timestamp,
        actor: &str,
    ) -> Result<Vec<(TokenRecord, bool)>> {
        self.write(Durability::Full, |tx| {
            let now = clock();
            let mut done = Vec::with_capacity(ids.len());
            for id in ids {
                let n = tx.execute(
                    "UPDATE tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
                    params![id, to_unix(now)],
                )?;
                if n == 1 {
                    let name = name_of(tx, id)?;
                    log_event(tx, now, id, &name, "revoked", actor, None)?;
                }
                let token = reread(tx, id)?;
                if token.revoked_at.is_none() {
                    return Err(refuse::still_active(id));
                }
                done.push((token, n == 1));
            }
            Ok(done)
        })
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
        self.write(Durability::Full, |tx| {
            let now = clock();
            let mut done = Vec::with_capacity(ids.len());
            for id in ids {
                let n = tx.execute(
                    &format!(
                        "UPDATE tokens SET revoked_at = NULL WHERE id = ?1 AND {}",
                        rules::restorable_sql("?2")
                    ),
                    params![id, to_unix(now)],
                )?;
                if n == 1 {
                    let name = name_of(tx, id)?;
                    log_event(tx, now, id, &name, "restored", actor, None)?;
                }
                let token = reread(tx, id)?;
                // Revoked wins in `status()`, so ask about the expiry itself.
                if token.expires_at.is_some_and(|t| t <= now) {
                    return Err(refuse::expired_restore(id));
                }
                if token.revoked_at.is_some() {
                    return Err(refuse::still_revoked(id));
                }
                done.push((token, n == 1));
            }
            Ok(done)
        })
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
        self.write(Durability::Full, |tx| {
            let now = clock();
            for id in ids {
                let Some(name) = tx
                    .query_row("SELECT name FROM tokens WHERE id = ?1", [id], |r| {
                        r.get::<_, String>(0)
                    })
                    .optional()?
                else {
                    return Err(refuse::gone(id, "nothing deleted"));
                };
                let n = tx.execute(
                    &format!(
                        "DELETE FROM tokens WHERE id = ?1 AND {}",
                        rules::deletable_sql("?2")
                    ),
                    params![id, to_unix(now)],
                )?;
                if n == 0 {
                    return Err(refuse::active_delete(id));
                }
                for table in ["token_scopes", "usage_daily", "usage_sources"] {
                    tx.execute(&format!("DELETE FROM {table} WHERE token_id = ?1"), [id])?;
                }
                if find_by(tx, "t.id = ?1", id)?.is_some() {
                    return Err(refuse::still_there(id));
                }
                log_event(tx, now, id, &name, "deleted", actor, None)?;
            }
            Ok(())
        })
    }

    /// The verify transaction. Judges on a read snapshot first: an unknown id, or a
    /// `source == None` (nothing to record), never takes the write lock, so a loop of
    /// well-formed garbage cannot queue real verifies behind it. Something to record takes
    /// the write lock, re-reads the token and judges again, so a revoke that returned
    /// before this verify started is seen and concurrent uses are all counted.
    ///
    /// `clock` is read for each judgement, the second one under the lock: a verify that
    /// waited for the lock (or for its stdin) judges expiry at the moment it decides.
    pub fn check<V>(
        &mut self,
        id: &TokenId,
        clock: impl Fn() -> Timestamp,
        source: Option<&str>,
        mut decide: impl FnMut(Option<&TokenRecord>, Timestamp) -> (V, Record),
    ) -> Result<(V, Option<TokenRecord>)> {
        let path = self.path.clone();
        let (verdict, record, token) = {
            // One read transaction: the token and the verdict see one moment.
            let snapshot = self.snapshot()?;
            let token =
                find_by(&snapshot.0, "t.id = ?1", id.as_str()).map_err(|e| explain(&path, e))?;
            let (verdict, record) = decide(token.as_ref(), clock());
            (verdict, record, token)
        };
        let Some(source) = source.filter(|_| record != Record::Nothing) else {
            return Ok((verdict, token));
        };
        self.write(Durability::Normal, |tx| {
            let token = find_by(tx, "t.id = ?1", id.as_str())?;
            let now = clock();
            let (verdict, record) = decide(token.as_ref(), now);
            let (at, day) = (to_unix(now), day_of(now));
            match record {
                Record::Use => {
                    tx.prepare_cached(
                        "UPDATE tokens SET usage_count = usage_count + 1,
                             last_used_at = ?2, last_used_source = ?3 WHERE id = ?1",
                    )?
                    .execute(params![id.as_str(), at, source])?;
                    tx.prepare_cached(
                        "INSERT INTO usage_daily (token_id, day, uses) VALUES (?1, ?2, 1)
                         ON CONFLICT DO UPDATE SET uses = uses + 1",
                    )?
                    .execute(params![id.as_str(), day])?;
                    tx.prepare_cached(
                        "INSERT INTO usage_sources (token_id, source, uses, last_used_at)
                         VALUES (?1, ?2, 1, ?3)
                         ON CONFLICT DO UPDATE SET uses = uses + 1, last_used_at = ?3",
                    )?
                    .execute(params![id.as_str(), source, at])?;
                    // Bounded, so the file grows with tokens and days, not with every
                    // distinct --source; the one just used always stays.
                    tx.prepare_cached(
                        "DELETE FROM usage_sources WHERE token_id = ?1 AND source <> ?2
                           AND source NOT IN (
                             SELECT source FROM usage_sources WHERE token_id = ?1 AND source <> ?2
                             ORDER BY last_used_at DESC, source LIMIT ?3)",
                    )?
                    .execute(params![
                        id.as_str(),
                        source,
                        SOURCES_KEPT - 1
                    ])?;
                }
                Record::Failure => {
                    tx.prepare_cached(
                        "UPDATE tokens SET failed_count = failed_count + 1, last_failed_at = ?2
                         WHERE id = ?1",
                    )?
                    .execute(params![id.as_str(), at])?;
                    tx.prepare_cached(
                        "INSERT INTO usage_daily (token_id, day, failures) VALUES (?1, ?2, 1)
                         ON CONFLICT DO UPDATE SET failures = failures + 1",
                    )?
                    .execute(params![id.as_str(), day])?;
                }
                // Deleted between the snapshot and the lock: nothing to record after all.
                Record::Nothing => {}
            }
            Ok((verdict, token))
        })
    }

    /// Streams the tokens `query` selects to `each`, in order, without holding them all.
    pub fn list(
        &self,
        query: &ListQuery,
        now: Timestamp,
        mut each: impl FnMut(TokenRecord) -> Result<()>,
    ) -> Result<ListCounts> {
        let now_s = to_unix(now);
        let mut filters: Vec<String> = Vec::new();
        match query.status {
            Some(TokenStatus::Active) => filters.push(rules::active_sql("?1")),
            Some(TokenStatus::Revoked) => filters.push("t.revoked_at IS NOT NULL".into()),
            Some(TokenStatus::Expired) => filters.push(rules::expired_sql("?1")),
            None => {}
        }
        if let Some(before) = query.expiring_before {
            filters.push(format!(
                // Any status: `--expiring-within 7d --status revoked` reads as both filters.
                "t.expires_at > ?1 AND t.expires_at <= {}",
                to_unix(before)
            ));
        }
        if let Some(before) = query.unused_before {
            filters.push(format!(
                "coalesce(t.last_used_at, t.created_at) <= {}",
                to_unix(before)
            ));
        }
        // ?1 must appear for the parameter count to match, whichever filters use it
        // (`--status revoked` alone does not).
        filters.insert(0, "?1 IS NOT NULL".to_owned());
        let filter = filters.join(" AND ");
        let order = match query.sort.unwrap_or(SortKey::Created) {
            SortKey::Name => "t.name COLLATE NOCASE, t.id",
            SortKey::Created => "t.created_at DESC, t.id",
            SortKey::Expires => "t.expires_at IS NULL, t.expires_at, t.id",
            SortKey::LastUsed => "t.last_used_at IS NULL, t.last_used_at DESC, t.id",
            SortKey::Uses => "t.usage_count DESC, t.id",
        };
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM tokens t WHERE {filter} ORDER BY {order}");
        let mut stmt = self
            .conn
            .prepare(&sql)
            .map_err(|e| explain(&self.path, e))?;
        let mut rows = stmt.query([now_s]).map_err(|e| explain(&self.path, e))?;
        let mut shown = 0;
        while let Some(row) = rows.next().map_err(|e| explain(&self.path, e))? {
            each(token_from_row(row).map_err(|e| explain(&self.path, e))?)?;
            shown += 1;
        }
        let total: i64 = self
            .conn
            .query_row("SELECT count(*) FROM tokens", [], |r| r.get(0))
            .map_err(|e| explain(&self.path, e))?;
        let total = total.max(0) as u64;
        Ok(ListCounts { shown, total })
    }

    /// The most recent distinct sources a token was used from.
    pub fn sources(&self, id: &str, limit: u32) -> Result<Vec<SourceUse>> {
        let mut stmt = self.conn.prepare(
            "SELECT source, uses, last_used_at FROM usage_sources WHERE token_id = ?1
             ORDER BY last_used_at DESC, source LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![id, limit], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (source, uses, at) = row?;
            out.push(SourceUse {
                source,
                uses: uses.max(0) as u64,
                last_used_at: timestamp(at)?,
            });
        }
        Ok(out)
    }

    /// Daily uses and failures of a token from `first_day` on (unix days, inclusive).
    pub fn daily(&self, id: &str, first_day: i64) -> Result<Vec<DayUse>> {
        let mut stmt = self.conn.prepare(
            "SELECT day, uses, failures FROM usage_daily WHERE token_id = ?1 AND day >= ?2
             ORDER BY day",
        )?;
        let rows = stmt.query_map(params![id, first_day], |r| {
            Ok(DayUse {
                day: r.get(0)?,
                uses: r.get::<_, i64>(1)?.max(0) as u64,
                failures: r.get::<_, i64>(2)?.max(0) as u64,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Lifecycle events, oldest first, of one token id (or all) at or after `since`.
    pub fn events(&self, token_id: Option<&str>, since: Option<Timestamp>) -> Result<Vec<Event>> {
        let mut stmt = self.conn.prepare(
            "SELECT at, token_id, token_name, action, actor, detail FROM events
             WHERE (?1 IS NULL OR token_id = ?1) AND at >= ?2 ORDER BY seq",
        )?;
        let rows = stmt.query_map(params![token_id, since.map_or(i64::MIN, to_unix)], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (at, token_id, token_name, action, actor, detail) = row?;
            out.push(Event {
                at: timestamp(at)?,
                token_id,
                token_name,
                action,
                actor,
                detail,
            });
        }
        Ok(out)
    }

    /// Days with failed verify attempts, per token, at or after `since`.
    pub fn failure_days(
        &self,
        token_id: Option<&str>,
        since: Option<Timestamp>,
    ) -> Result<Vec<FailureDay>> {
        let mut stmt = self.conn.prepare(
            "SELECT u.token_id, t.name, u.day, u.failures FROM usage_daily u
             JOIN tokens t ON t.id = u.token_id
             WHERE u.failures > 0 AND (?1 IS NULL OR u.token_id = ?1) AND u.day >= ?2
             ORDER BY u.day, t.name",
        )?;
        let first_day = since.map_or(i64::MIN, day_of);
        let rows = stmt.query_map(params![token_id, first_day], |r| {
            Ok(FailureDay {
                token_id: r.get(0)?,
                token_name: r.get(1)?,
                day: r.get(2)?,
                failures: r.get::<_, i64>(3)?.max(0) as u64,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Finds a token id (live or deleted) from the event log, for `log REF`.
    /// By exact id, exact name, or a unique id prefix of 4+ characters, as `resolve`.
    pub fn historic(&self, reference: &str) -> Result<Vec<(String, String)>> {
        let mut stmt = self.conn.prepare(
            "SELECT token_id, token_name FROM events
             WHERE token_id = ?1 OR token_name = ?1
                OR (length(?1) >= 4 AND token_id >= ?1 AND token_id < ?1 || '~')
             GROUP BY token_id ORDER BY max(seq) DESC LIMIT 2",
        )?;
        let found: Vec<(String, String)> = stmt
            .query_map([reference], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(found)
    }
}

/// blake3 of the schema the migrations create (every object's type, name, table and SQL,
/// see `schema_digest`), for the current version. Any other object, a trigger that undoes
/// a revoke, a view, an altered table, means the file was tampered with.
const SCHEMA_DIGEST: &str = "25a64a99445e3e198739b9f7958b0cc1655e70b4ad0c39834e4657dba68a7ac8";

/// SQLite's planner statistics (`ANALYZE`): they steer query plans, never results.
const IGNORED_OBJECTS: &str = "('sqlite_stat1', 'sqlite_stat4')";

type SchemaObject = (String, String, String, Option<String>);

fn schema_objects(conn: &Connection) -> rusqlite::Result<Vec<SchemaObject>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT type, name, tbl_name, sql FROM sqlite_schema
         WHERE name NOT IN {IGNORED_OBJECTS} ORDER BY type, name"
    ))?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    rows.collect()
}

fn schema_digest(objects: &[SchemaObject]) -> String {
    let mut hasher = blake3::Hasher::new();
    for (kind, name, table, sql) in objects {
        for field in [Some(kind), Some(name), Some(table), sql.as_ref()] {
            // Length-prefixed, so no two different schemas hash the same bytes.
            let bytes = field.map_or(&[][..], |f| f.as_bytes());
            hasher.update(&(field.map_or(-1, |_| bytes.len() as i64)).to_le_bytes());
            hasher.update(bytes);
        }
    }
    hasher.finalize().to_hex().to_string()
}

/// Refuses, untouched, a database whose schema is not exactly what the migrations made.
fn vet_schema(conn: &Connection, path: &Path) -> Result<()> {
    let objects = schema_objects(conn).map_err(|e| explain(path, e))?;
    if schema_digest(&objects) == SCHEMA_DIGEST {
        return Ok(());
    }
    let odd = objects
        .iter()
        .find(|(kind, ..)| kind != "table" && kind != "index")
        .or_else(|| {
            objects
                .iter()
                .find(|(_, name, ..)| !EXPECTED_NAMES.contains(&name.as_str()))
        });
    let what = match odd {
        Some((kind, name, table, _)) => {
            format!("{kind} '{name}' on {table}, which tokenctl never creates")
        }
        None => "a table or index that differs from the one tokenctl created".to_owned(),
    };
    Err(fail(
        Kind::Tampered,
        format!(
            "{} has a tampered schema: {what}; nothing was changed: restore the database from a backup",
            path.display()
        ),
    ))
}

/// The objects the migrations create, to name an intruder in the refusal.
const EXPECTED_NAMES: &[&str] = &[
    "tokens",
    "token_scopes",
    "usage_daily",
    "usage_sources",
    "events",
    "events_token",
    "sqlite_autoindex_tokens_2",
];

/// Waits for a lock in naps of 0.25 to 2 ms, for up to `limit`. SQLite's `busy_timeout`
/// backs off to 100 ms naps, so under contention a waiter sleeps through many free moments
/// of a lock each verify holds for well under a millisecond (long tail latencies); a short
/// nap costs one failed lock attempt, a few microseconds.
fn lock_waiter(limit: Duration) -> impl FnMut(i32) -> bool + Send + 'static {
    let mut started = Instant::now();
    move |attempt| {
        if attempt == 0 {
            started = Instant::now();
        }
        if started.elapsed() >= limit {
            return false;
        }
        std::thread::sleep(Duration::from_micros(250 << attempt.clamp(0, 3)));
        true
    }
}

/// `WAL_CHECKPOINT_BYTES`; debug builds (the test suite) may lower it with
/// `TOKENCTL_WAL_LIMIT` so a test sees many checkpoint cycles in a few hundred verifies.
fn wal_limit() -> u64 {
    #[cfg(debug_assertions)]
    if let Ok(Ok(limit)) = std::env::var("TOKENCTL_WAL_LIMIT").map(|v| v.parse()) {
        return limit;
    }
    WAL_CHECKPOINT_BYTES
}

/// Reads the 100-byte SQLite header before SQLite sees the file, so that a file which is
/// plainly not ours (not SQLite, another application's, a newer tokenctl's) is refused
/// without SQLite creating `-wal`/`-shm` files beside it, as it would for a WAL database.
/// A header can lag the WAL, but the id is set once and the version only grows, so what
/// it refuses is right; anything it lets through is vetted again through SQLite.
fn precheck(path: &Path, file: &File, access: Access) -> Result<()> {
    let p = path.display();
    // SQLite would quietly open a read-only file read-only, and set up its WAL files
    // before a write fails; refuse first, touching nothing.
    if access != Access::ReadOnly
        && nix::unistd::access(path, nix::unistd::AccessFlags::W_OK).is_err()
    {
        return Err(refused::read_only(path));
    }
    let mut header = Vec::with_capacity(100);
    file.take(100)
        .read_to_end(&mut header)
        .map_err(|e| anyhow!("cannot read database {p} ({e}): check its permissions"))?;
    if header.is_empty() {
        // An empty file: `vet` decides (init and generate fill it in, others refuse it).
        return Ok(());
    }
    if header.len() < 100 || !header.starts_with(b"SQLite format 3\0") {
        bail!("{p} is not a tokenctl database (not SQLite, or corrupt): pass the right --db");
    }
    let be = |at: usize| {
        i32::from_be_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
    };
    let (version, app_id) = (be(60), be(68));
    // tokenctl switches a file to WAL (header bytes 18-19 = 2) before creating any table,
    // so a rollback-journal file that has a schema (cookie at 40) but not our id was made
    // by something else. Refusing it here also keeps SQLite from rolling back a hot
    // `-journal` of that application, which would change its file.
    let rollback_with_schema = header[18] == 1 && be(40) != 0;
    if app_id == 0 && rollback_with_schema {
        return Err(refused::foreign(path, None));
    }
    if app_id != 0 && app_id != APPLICATION_ID {
        return Err(refused::foreign(path, Some(app_id)));
    }
    if app_id == APPLICATION_ID && version > SCHEMA_VERSION {
        return Err(refused::newer(path, version));
    }
    Ok(())
}

/// The refusals both `precheck` (from the raw header) and `vet` (through SQLite) make,
/// worded once.
mod refused {
    use std::path::Path;

    use super::SCHEMA_VERSION;
    use crate::error::{Kind, fail};

    pub fn read_only(path: &Path) -> anyhow::Error {
        fail(
            Kind::ReadOnly,
            format!(
                "database {} is read-only for this user: check the permissions of the file and its folder ('verify --no-record' only reads)",
                path.display()
            ),
        )
    }

    pub fn older(path: &Path, version: i32) -> anyhow::Error {
        fail(
            Kind::Older,
            format!(
                "{} uses an older schema (v{version}, this tokenctl uses v{SCHEMA_VERSION}): run 'tokenctl init --db {}' to upgrade it",
                path.display(),
                crate::render::shell_word(&path.display().to_string())
            ),
        )
    }

    /// `app_id`: the other application's id, when it set one.
    pub fn foreign(path: &Path, app_id: Option<i32>) -> anyhow::Error {
        let p = path.display();
        let message = match app_id {
            Some(id) => format!(
                "{p} belongs to another application (application_id {id:#x}), not tokenctl: pass the right --db"
            ),
            None => format!(
                "{p} is a SQLite database of another application, not tokenctl's: pass the right --db"
            ),
        };
        fail(Kind::Untrusted, message)
    }

    pub fn newer(path: &Path, version: i32) -> anyhow::Error {
        fail(
            Kind::Newer,
            format!(
                "{} was written by a newer tokenctl (schema v{version}, this one knows v{SCHEMA_VERSION}): upgrade tokenctl",
                path.display()
            ),
        )
    }
}

/// Turns SQLite's terse errors into what a user can act on, naming the file.
fn explain(path: &Path, err: rusqlite::Error) -> anyhow::Error {
    let p = path.display();
    let extended = err.sqlite_error().map_or(0, |e| e.extended_code);
    match err.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => fail(
            Kind::Corrupt,
            format!("{p} is not a tokenctl database (not SQLite, or corrupt): pass the right --db"),
        ),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => fail(
            Kind::Busy,
            format!(
                "database {p} stayed locked by other processes for over {}s: try again",
                BUSY_TIMEOUT.as_secs()
            ),
        ),
        // A WAL database cannot even be read without its -shm file; in a folder this user
        // may not write, SQLite can neither create it nor (without -wal) recover.
        Some(ErrorCode::ReadOnly)
            if matches!(
                extended,
                ffi::SQLITE_READONLY_DIRECTORY
                    | ffi::SQLITE_READONLY_CANTINIT
                    | ffi::SQLITE_READONLY_CANTLOCK
                    | ffi::SQLITE_READONLY_RECOVERY
            ) =>
        {
            fail(
                Kind::ReadOnly,
                format!(
                    "cannot read database {p}: SQLite needs its {p}-wal and {p}-shm files, and this user may not create or write them in that folder: make the folder writable for this user, or have a user who can write it run 'tokenctl list' once"
                ),
            )
        }
        Some(ErrorCode::ReadOnly) => fail(
            Kind::ReadOnly,
            format!(
                "database {p} is read-only for this user: check the permissions of the file, its folder and its -wal/-shm files ('verify --no-record' only reads)"
            ),
        ),
        Some(ErrorCode::CannotOpen) => fail(
            Kind::Io,
            format!(
                "cannot open database {p}: check that it and its folder are readable (and writable, for commands that change it)"
            ),
        ),
        Some(ErrorCode::DiskFull) => disk_full(path),
        // On a full disk SQLite often reports the failed write or -shm growth as I/O errors.
        Some(ErrorCode::SystemIoFailure) if free_bytes(path).is_some_and(|b| b < 1 << 16) => {
            disk_full(path)
        }
        Some(ErrorCode::SystemIoFailure) => fail(
            Kind::Io,
            format!("I/O error on database {p} ({err}): check the disk and the file"),
        ),
        Some(ErrorCode::DatabaseCorrupt) => fail(
            Kind::Corrupt,
            format!("database {p} is corrupt: restore it from a backup"),
        ),
        _ => fail(Kind::Io, format!("database {p}: {err}")),
    }
}

/// `explain` for a rusqlite error that travelled through `?` into an `anyhow::Error`.
fn explained(path: &Path, err: anyhow::Error) -> anyhow::Error {
    match err.downcast::<rusqlite::Error>() {
        Ok(e) => explain(path, e),
        Err(other) => other,
    }
}

fn disk_full(path: &Path) -> anyhow::Error {
    fail(
        Kind::Io,
        format!(
            "disk full writing database {}: free some space and try again (nothing was changed)",
            path.display()
        ),
    )
}

/// Space left for unprivileged writers on the file system holding `path`'s folder.
fn free_bytes(path: &Path) -> Option<u64> {
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let stats = nix::sys::statvfs::statvfs(folder).ok()?;
    Some(
        stats
            .blocks_available()
            .saturating_mul(stats.fragment_size()),
    )
}

fn find_by(
    conn: &Connection,
    condition: &str,
    value: &str,
) -> rusqlite::Result<Option<TokenRecord>> {
    let sql = format!("SELECT {TOKEN_COLUMNS} FROM tokens t WHERE {condition}");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query([value])?;
    match rows.next()? {
        Some(row) => token_from_row(row).map(Some),
        None => Ok(None),
    }
}

fn name_of(conn: &Connection, id: &str) -> rusqlite::Result<String> {
    conn.query_row("SELECT name FROM tokens WHERE id = ?1", [id], |r| r.get(0))
}

/// The token as it reads now, inside the transaction that changed it: what is reported
/// is what the database holds, not what was meant.
fn reread(conn: &Connection, id: &str) -> Result<TokenRecord> {
    find_by(conn, "t.id = ?1", id)?.ok_or_else(|| refuse::gone(id, "nothing changed"))
}

fn log_event(
    conn: &Connection,
    at: Timestamp,
    token_id: &str,
    token_name: &str,
    action: &str,
    actor: &str,
    detail: Option<&str>,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO events (at, token_id, token_name, action, actor, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        to_unix(at),
        token_id,
        token_name,
        action,
        actor,
        detail
    ])?;
    Ok(())
}

fn timestamp(secs: i64) -> rusqlite::Result<Timestamp> {
    from_unix(secs).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Integer,
            format!("time {secs} out of range").into(),
        )
    })
}

fn opt_timestamp(secs: Option<i64>) -> rusqlite::Result<Option<Timestamp>> {
    secs.map(timestamp).transpose()
}

fn token_from_row(row: &Row) -> rusqlite::Result<TokenRecord> {
    let hash: Vec<u8> = row.get(3)?;
    let scopes_json: String = row.get(5)?;
    let mut scopes: Vec<String> = serde_json::from_str(&scopes_json).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(5, rusqlite::types::Type::Text, Box::new(e))
    })?;
    scopes.sort();
    Ok(TokenRecord {
        id: row.get(0)?,
        name: row.get(1)?,
        prefix: row.get(2)?,
        hash: TokenHash::from_slice(&hash),
        description: row.get(4)?,
        scopes,
        created_at: timestamp(row.get(6)?)?,
        expires_at: opt_timestamp(row.get(7)?)?,
        revoked_at: opt_timestamp(row.get(8)?)?,
        usage_count: row.get::<_, i64>(9)?.max(0) as u64,
        last_used_at: opt_timestamp(row.get(10)?)?,
        last_used_source: row.get(11)?,
        failed_count: row.get::<_, i64>(12)?.max(0) as u64,
        last_failed_at: opt_timestamp(row.get(13)?)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `SCHEMA_DIGEST` is the schema the migrations build; after adding a migration, put
    /// the digest this test prints there.
    #[test]
    fn the_schema_digest_is_what_the_migrations_create() {
        let conn = Connection::open_in_memory().unwrap();
        for sql in MIGRATIONS {
            conn.execute_batch(sql).unwrap();
        }
        let digest = schema_digest(&schema_objects(&conn).unwrap());
        assert_eq!(digest, SCHEMA_DIGEST, "set SCHEMA_DIGEST to {digest}");
        let names: Vec<String> = schema_objects(&conn)
            .unwrap()
            .into_iter()
            .map(|o| o.1)
            .collect();
        let mut expected: Vec<&str> = EXPECTED_NAMES.to_vec();
        expected.sort();
        let mut names: Vec<&str> = names.iter().map(String::as_str).collect();
        names.sort();
        assert_eq!(names, expected);
    }

    /// What revoke and restore report is the row as it reads after the change: a trigger
    /// that undoes it (here a TEMP one, which only this connection sees, so `vet` cannot)
    /// makes the action fail and change nothing, instead of printing "revoked".
    #[test]
    fn revoke_and_restore_report_what_the_database_holds() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let mut store = Store::open(&path, Access::Create).unwrap();
        let now = from_unix(1_800_000_000).unwrap();
        let (id, secret) = crate::token::make(&crate::token::Prefix::default()).unwrap();
        let new = NewToken {
            id: &id,
            name: "victim",
            prefix: "tkn",
            hash: secret.hash(),
            description: None,
            scopes: &[],
            expires_at: None,
        };
        assert!(matches!(
            store.insert(&new, || now, "test").unwrap(),
            Inserted::Ok
        ));
        store
            .conn
            .execute_batch(
                "CREATE TEMP TRIGGER undo AFTER UPDATE OF revoked_at ON main.tokens
                 BEGIN UPDATE main.tokens SET revoked_at = NULL WHERE id = new.id; END",
            )
            .unwrap();
        let err = store.revoke(&[id.as_str()], || now, "test").unwrap_err();
        assert!(
            format!("{err:#}").contains("still reads as active"),
            "{err:#}"
        );
        let events: i64 = store
            .conn
            .query_row(
                "SELECT count(*) FROM events WHERE action = 'revoked'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(events, 0, "the failed revoke was logged");

        store.conn.execute_batch("DROP TRIGGER temp.undo").unwrap();
        let done = store.revoke(&[id.as_str()], || now, "test").unwrap();
        assert_eq!(done[0].0.revoked_at, Some(now));
        assert!(done[0].1);
        store
            .conn
            .execute_batch(
                "CREATE TEMP TRIGGER redo AFTER UPDATE OF revoked_at ON main.tokens
                 BEGIN UPDATE main.tokens SET revoked_at = 1 WHERE id = new.id; END",
            )
            .unwrap();
        let err = store.restore(&[id.as_str()], || now, "test").unwrap_err();
        assert!(
            format!("{err:#}").contains("still reads as revoked"),
            "{err:#}"
        );
    }
}
