//! The SQLite engine: opening and vetting the file (`file`, `schema`), pragmas, migrations
//! and the transaction wrapper; the operations live in one file per job beside this one.

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
    Access, Bulk, Change, DayUse, Durability, Edit, Event, FailureDay, Inserted, ListCounts,
    ListQuery, NewToken, Record, Revocation, Rotated, Rotation, SOURCES_KEPT, SortKey, SourceUse,
    Tally, TokenRecord, day_of, retired_name,
};
use crate::error::{Kind, fail};
use crate::time::{Timestamp, from_unix, to_unix};
use crate::token::{TokenHash, TokenId};

mod batch;
mod copy;
mod errors;
mod leaked;
mod lifecycle;
mod reads;
mod rows;
mod schema;
mod verify;
mod vfs;

use errors::{explain, explained, refused};
use rows::{
    By, PRUNE_SOURCES, TOKEN_COLUMNS, find_by, log_change, name_of, reread, timestamp,
    token_from_row,
};
use schema::vet_schema;

/// "tknc": marks the file as tokenctl's, so another application's database is refused.
pub(super) const APPLICATION_ID: i32 = 0x746b_6e63;

/// Applied in order; file N takes the schema from version N-1 to N. Append only.
pub(super) const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_lifecycle.sql"),
];

const SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;

/// Set by `serve` before its first open (`long_lived`); see `configure_library`.
static LONG_LIVED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub fn long_lived() {
    LONG_LIVED.store(true, std::sync::atomic::Ordering::Relaxed);
}

fn long_lived_process() -> bool {
    LONG_LIVED.load(std::sync::atomic::Ordering::Relaxed)
}

/// Runs before anything in this process uses SQLite. A one-shot command (verify, once per
/// deploy-hook call) opens one connection, runs a few statements and exits; SQLite's
/// per-connection lookaside (a free list written through its ~150 KiB at every open) and
/// its page cache's initial bulk allocation are memory it touches for allocations those
/// statements never make, each page a fault (about 2 us on a VM). Without them an open
/// and a query took 36 page faults instead of 65, and 0.1 ms less. `serve`, whose
/// statements run for hours, keeps SQLite's defaults.
fn configure_library() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if long_lived_process() {
            return;
        }
        use std::ffi::{c_int, c_void};
        // SAFETY: called before SQLite is initialised (the first `Store::open` calls this
        // before anything else touches SQLite, `guard_root_chown`'s sqlite3_vfs_find
        // included), with the argument types these two options take: two ints, and a
        // pointer and two ints. A refusal (SQLITE_MISUSE) leaves the defaults.
        unsafe {
            rusqlite::ffi::sqlite3_config(
                rusqlite::ffi::SQLITE_CONFIG_LOOKASIDE,
                0 as c_int,
                0 as c_int,
            );
            rusqlite::ffi::sqlite3_config(
                rusqlite::ffi::SQLITE_CONFIG_PAGECACHE,
                std::ptr::null_mut::<c_void>(),
                0 as c_int,
                0 as c_int,
            );
        }
    });
}

/// Under sustained contention a lock can be hard to win; be patient before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The `-wal` size at which the writer that finds it folds it back into the database
/// (see `settle_wal`). A verify appends about 12 KiB. A process that opens the database
/// alone rebuilds the WAL index by reading the whole WAL: measured here, 0.6 us per KiB
/// (a verify at 384-512 KiB took 3.05 ms, at 0-128 KiB 2.82 ms), while the verify that
/// checkpoints takes 1.5 ms more (its fsyncs). Per verify that costs 0.3*T + 17,800/T us
/// for a limit of T KiB, least near 250 KiB: 256 KiB, one checkpoint per ~21 verifies
/// (0.15 ms a verify on average, 0.19 ms at the 512 KiB used before).
const WAL_CHECKPOINT_BYTES: u64 = 256 << 10;

/// A checkpoint is housekeeping after a committed write: it may wait this long for
/// readers and writers, then leaves the work to the next writer.
const CHECKPOINT_BUSY_TIMEOUT: Duration = Duration::from_millis(100);

/// A read transaction; dropping it ends it (nothing to commit).
pub struct Snapshot<'a>(#[allow(dead_code)] rusqlite::Transaction<'a>);

pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// The `synchronous` setting in force, switched per operation (see `write`).
    sync: Durability,
    created: bool,
    /// When the caller stops waiting (`set_deadline`): a lock wait ends there, or after
    /// BUSY_TIMEOUT, whichever comes first.
    deadline: Option<Instant>,
}

impl Store {
    /// Opens the database at `path`, vetting it before anything is written: a missing file
    /// (unless `Access::Create`), an untrusted one (`file::vet`), a foreign or newer
    /// database, or a read-only file for a writing command are refused with the path
    /// named, and the file is left untouched.
    pub fn open(path: &Path, access: Access) -> Result<Store> {
        Store::open_within(path, access, None)
    }

    /// As `open`, with lock waits ending by `deadline`, the vetting's and later ones'.
    pub fn open_within(path: &Path, access: Access, deadline: Option<Instant>) -> Result<Store> {
        Store::open_with(path, access, deadline, None)
    }

    /// A read-write connection that never waits: a lock wait gives up at once, and SQLite
    /// never sleeps on it (`vfs`). For `serve`'s runtime thread.
    pub fn open_never_waiting(path: &Path) -> Result<Store> {
        configure_library();
        if !vfs::registered() {
            bail!("SQLite refused tokenctl's never-sleeping VFS");
        }
        Store::open_with(
            path,
            Access::ReadWrite,
            Some(Instant::now()),
            Some(vfs::NAME),
        )
    }

    fn open_with(
        path: &Path,
        access: Access,
        deadline: Option<Instant>,
        vfs: Option<&std::ffi::CStr>,
    ) -> Result<Store> {
        configure_library();
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
        } else if let Some(vfs) = vfs {
            Connection::open_with_flags_and_vfs(path, flags, vfs)
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
            deadline,
        };
        store.configure()?;
        if access != Access::ReadOnly && store.conn.is_readonly("main").unwrap_or(true) {
            return Err(refused::read_only(path));
        }
        // The first read opens -wal and -shm; what SQLite holds is checked before any of
        // it is believed (the header read is then vetted, not read again).
        let header = store.header().map_err(|e| explain(path, e))?;
        file::vet_open_files(path, &vetted)?;
        store.vet(access, created, header)?;
        Ok(store)
    }

    pub fn created(&self) -> bool {
        self.created
    }

    /// Lock waits from now on end by `deadline` (None: BUSY_TIMEOUT each).
    pub fn set_deadline(&mut self, deadline: Option<Instant>) -> Result<()> {
        self.deadline = deadline;
        self.conn
            .busy_handler(Some(lock_waiter(BUSY_TIMEOUT, deadline)))
            .map_err(|e| explain(&self.path, e))
    }

    fn configure(&mut self) -> Result<()> {
        self.conn
            .busy_handler(Some(lock_waiter(BUSY_TIMEOUT, self.deadline)))
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
        if long_lived_process() {
            // `serve` never truncates the WAL (see `settle_wal`); SQLite trims it to this
            // whenever it writes it again from the start. Half the limit: trimmed to the
            // limit itself, the file would count as due for a checkpoint at every write.
            self.conn
                .pragma_update(None, "journal_size_limit", (wal_limit() / 2) as i64)
                .map_err(|e| explain(&self.path, e))?;
        }
        Ok(())
    }

    /// Folds a WAL grown past `WAL_CHECKPOINT_BYTES` into the database (and truncates it,
    /// but in `serve`); after a lifecycle change (rare, already fsynced) always, so the database file alone
    /// holds every token and revocation, for whoever copies it without its -wal.
    /// Best effort, after the commit: the action already succeeded, and a checkpoint that
    /// cannot finish (busy readers, an I/O error) is retried by the next writer; an I/O
    /// error that persists surfaces in the next transaction.
    fn settle_wal(&mut self, durability: Durability) {
        let mut wal = self.path.clone().into_os_string();
        wal.push("-wal");
        let due = durability == Durability::Full
            || std::fs::metadata(&wal).is_ok_and(|m| m.len() >= wal_limit());
        if !due {
            return;
        }
        // A one-shot command empties the WAL, so the next process to open the database
        // alone has nothing to rebuild. In `serve` every request is a reader in the WAL:
        // TRUNCATE would wait for each and make them all start over, so it copies what it
        // can without waiting, and the WAL is written again from its start (trimmed to the
        // limit, see `configure`) once no reader still needs it.
        self.checkpoint(if long_lived_process() {
            "PRAGMA wal_checkpoint(PASSIVE)"
        } else {
            "PRAGMA wal_checkpoint(TRUNCATE)"
        });
    }

    pub fn empty_wal(&mut self) {
        self.checkpoint("PRAGMA wal_checkpoint(TRUNCATE)");
    }

    /// Runs the checkpoint `pragma`, waiting at most CHECKPOINT_BUSY_TIMEOUT for locks.
    fn checkpoint(&mut self, pragma: &str) {
        let waiter = Some(lock_waiter(CHECKPOINT_BUSY_TIMEOUT, self.deadline));
        if self.conn.busy_handler(waiter).is_ok() {
            let _ = self.conn.query_row(pragma, [], |_| Ok(()));
            let _ = self
                .conn
                .busy_handler(Some(lock_waiter(BUSY_TIMEOUT, self.deadline)));
        }
    }

    /// Checks the file is a tokenctl database this version understands, and migrates an
    /// older (or, for `init`/`generate`, empty) one. `(app_id, version)`: its header.
    fn vet(&mut self, access: Access, created: bool, (app_id, version): (i32, i32)) -> Result<()> {
        let path = self.path.clone();
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

    /// Holds one read transaction until dropped, so several reads see the same moment.
    pub fn snapshot(&self) -> Result<Snapshot<'_>> {
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(|e| explain(&self.path, e))?;
        Ok(Snapshot(tx))
    }
}

/// Waits for a lock in naps of 0.25 to 2 ms, for up to `limit`. SQLite's `busy_timeout`
/// backs off to 100 ms naps, so under contention a waiter sleeps through many free moments
/// of a lock each verify holds for well under a millisecond (long tail latencies); a short
/// nap costs one failed lock attempt, a few microseconds. A `deadline` (the caller's)
/// ends every wait there, however many waits one operation has.
fn lock_waiter(
    limit: Duration,
    deadline: Option<Instant>,
) -> impl FnMut(i32) -> bool + Send + 'static {
    let mut started = Instant::now();
    move |attempt| {
        if attempt == 0 {
            started = Instant::now();
        }
        if started.elapsed() >= limit || deadline.is_some_and(|d| Instant::now() >= d) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
            max_uses: None,
            allowed_cidrs: &[],
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
        let err = store
            .revoke(&[id.as_str()], &Revocation::default(), || now, "test")
            .unwrap_err();
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
        let done = store
            .revoke(&[id.as_str()], &Revocation::default(), || now, "test")
            .unwrap();
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
