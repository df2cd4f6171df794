//! Hermetic environment for running the `tokenctl` binary in integration tests.
//! Each `TestEnv` owns a tempdir holding HOME, the XDG dirs and the database, so tests run in parallel and never touch real tokens.

// Every test module uses a different subset of these helpers.
#![allow(dead_code)]

use std::cell::Cell;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use assert_cmd::assert::Assert;
use rusqlite::types::Value;
use tempfile::TempDir;

/// Variables copied from the test runner: PATH so the binary can find helpers, the rest only
/// so backtraces and coverage (cargo-llvm-cov) keep working under `env_clear()`.
const PASS_THROUGH: &[&str] = &["PATH", "RUST_BACKTRACE", "LLVM_PROFILE_FILE"];

/// Says a test cannot run here and why, on stderr as `skipped: WHY`. Where
/// `TOKENCTL_TEST_NO_SKIP=1` (CI, as root, with every tool installed) a skip is a failure.
pub fn skip(why: &str) {
    eprintln!("skipped: {why}");
    if std::env::var_os("TOKENCTL_TEST_NO_SKIP").is_some_and(|v| v == "1") {
        panic!("skipped with TOKENCTL_TEST_NO_SKIP=1: {why}");
    }
}

/// The engine behind `TestEnv::new()`. Plain `#[test]`s run on SQLite; `both!` runs a
/// test's body once per backend, each in its own test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

thread_local! {
    // Each test runs on a thread of its own, so this is per test.
    static BACKEND: Cell<Backend> = const { Cell::new(Backend::Sqlite) };
}

impl Backend {
    /// The backend of the test running on this thread.
    pub fn current() -> Backend {
        BACKEND.get()
    }

    /// Runs `body` with `TestEnv::new()` opening this backend; without PostgreSQL's server
    /// binaries the PostgreSQL run is skipped (a failure under TOKENCTL_TEST_NO_SKIP=1).
    pub fn run(self, body: impl FnOnce()) {
        if self == Backend::Postgres
            && let Err(why) = crate::cluster::shared()
        {
            return skip(&why);
        }
        BACKEND.set(self);
        body();
    }
}

/// One test, two runs: `both!(name);` above a plain `fn name()` makes `name::sqlite` and
/// `name::postgres`, as ripgrep's `rgtest!` runs each test under both regex engines.
/// Inside, `TestEnv::new()` is the run's backend. (A `fn` left without it is dead code.)
macro_rules! both {
    ($name:ident) => {
        mod $name {
            #[test]
            fn sqlite() {
                $crate::util::Backend::Sqlite.run(super::$name)
            }

            #[test]
            fn postgres() {
                $crate::util::Backend::Postgres.run(super::$name)
            }
        }
    };
}

/// libfaketime's preload library, where Debian's `faketime` package puts it.
pub fn faketime() -> Option<PathBuf> {
    [
        "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
        "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
        "/usr/lib/faketime/libfaketime.so.1",
    ]
    .into_iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
}

/// The environment that pins the binary's clock at `rfc3339`. A debug binary reads
/// `TOKENCTL_NOW`; a release one ignores it on purpose (its environment must not revive
/// an expired token), so the release-profile run (`cargo test --release`, whose test build
/// shares the binary's profile) stops its system clock with libfaketime instead: frozen
/// at that second, monotonic clocks left alone so lock timeouts still run.
pub fn clock_env(rfc3339: &str) -> Vec<(&'static str, String)> {
    let mut env = vec![("TOKENCTL_NOW", rfc3339.to_owned())];
    if cfg!(debug_assertions) {
        return env;
    }
    let Some(lib) = faketime() else {
        return env;
    };
    let at = chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap_or_else(|e| panic!("pinned time {rfc3339} is not RFC 3339: {e}"))
        .to_utc();
    env.extend([
        ("LD_PRELOAD", lib.display().to_string()),
        ("FAKETIME", at.format("%Y-%m-%d %H:%M:%S").to_string()),
        ("FAKETIME_DONT_FAKE_MONOTONIC", "1".to_owned()),
        ("TZ", "UTC".to_owned()),
    ]);
    env
}

/// One isolated world for the binary: tempdir, environment, optional frozen clock.
pub struct TestEnv {
    dir: TempDir,
    /// Value of `TOKENCTL_DB`; `None` leaves it unset so the XDG default path is exercised.
    db: Option<PathBuf>,
    /// On PostgreSQL: the database this env owns on the shared cluster (dropped with it)
    /// and the `TOKENCTL_DB` URL that replaces `db`.
    pg: Option<String>,
    target: Option<String>,
    /// Value of `TOKENCTL_NOW` (RFC 3339) for commands built after `at()`.
    now: Option<String>,
    extra: Vec<(String, String)>,
}

impl TestEnv {
    /// A new world on the running test's backend (`Backend::current`): a SQLite path that
    /// does not exist yet, or a new empty PostgreSQL database reached over the socket.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("create tempdir");
        std::fs::create_dir(dir.path().join("home")).expect("create HOME");
        let db = Some(dir.path().join("tokens.db"));
        let mut env = TestEnv {
            dir,
            db,
            pg: None,
            target: None,
            now: None,
            extra: Vec::new(),
        };
        if Backend::current() == Backend::Postgres {
            let cluster = crate::cluster::shared().expect("Backend::run checked the cluster");
            let name = cluster.create_db();
            env.target = Some(cluster.socket_url(&name));
            env.pg = Some(name);
        }
        env
    }

    /// A SQLite world whose `TOKENCTL_DB` is `target` instead (e.g. a private cluster's URL).
    pub fn with_target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }

    pub fn backend(&self) -> Backend {
        match self.target {
            Some(_) => Backend::Postgres,
            None => Backend::Sqlite,
        }
    }

    /// What `TOKENCTL_DB` says: the SQLite path or the PostgreSQL URL.
    pub fn target(&self) -> String {
        match (&self.target, &self.db) {
            (Some(url), _) => url.clone(),
            (None, Some(path)) => path.display().to_string(),
            (None, None) => panic!("TOKENCTL_DB is unset in this TestEnv"),
        }
    }

    /// Who the event log names for OS user `user`: `user` in a SQLite file, `user@host` in
    /// PostgreSQL, which many hosts share.
    pub fn actor(&self, user: &str) -> String {
        match self.backend() {
            Backend::Sqlite => user.to_owned(),
            Backend::Postgres => {
                format!("{user}@{}", gethostname::gethostname().to_string_lossy())
            }
        }
    }

    /// The PostgreSQL database name of this env on the shared cluster.
    pub fn pg_db(&self) -> Option<&str> {
        self.pg.as_deref()
    }

    /// Whether the database exists: the SQLite file, or tokenctl's tables in PostgreSQL.
    pub fn exists(&self) -> bool {
        match self.backend() {
            Backend::Sqlite => self.db().exists(),
            Backend::Postgres => {
                let n = self.sql(
                    "SELECT count(*) FROM pg_tables \
                     WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
                );
                n[0][0] != "0"
            }
        }
    }

    /// Root of the tempdir (removed when the env is dropped).
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn home(&self) -> PathBuf {
        self.root().join("home")
    }

    /// The SQLite file the binary is pointed at (`<tmp>/tokens.db` unless overridden).
    /// Panics after `without_db_env()`: then the binary picks its own path under XDG_DATA_HOME;
    /// and on PostgreSQL, where `target()` is the one for both.
    pub fn db(&self) -> &Path {
        assert!(
            self.target.is_none(),
            "env.db() is the SQLite file; on PostgreSQL use env.target()"
        );
        self.db
            .as_deref()
            .expect("TOKENCTL_DB is unset in this TestEnv")
    }

    /// Point `TOKENCTL_DB` somewhere else, e.g. a path in a missing directory.
    pub fn with_db(mut self, path: impl Into<PathBuf>) -> Self {
        self.db = Some(path.into());
        self.target = None;
        self
    }

    /// Leave `TOKENCTL_DB` unset, to test the default location under `XDG_DATA_HOME`.
    pub fn without_db_env(mut self) -> Self {
        self.db = None;
        self.target = None;
        self
    }

    /// Freeze the binary's clock: later commands get `TOKENCTL_NOW=<rfc3339>` (debug
    /// binary) or libfaketime (release binary, see `clock_env`).
    pub fn at(&mut self, rfc3339: &str) -> &mut Self {
        if !cfg!(debug_assertions) && faketime().is_none() {
            skip(
                "this release-profile test pins the clock, which needs libfaketime (apt-get install faketime)",
            );
            // Rust's test harness cannot skip from here; running on with the real clock
            // would test nothing, so this test stops as failed.
            panic!("libfaketime is missing: a release binary ignores TOKENCTL_NOW");
        }
        self.now = Some(rfc3339.to_owned());
        self
    }

    /// Set an extra variable (e.g. `NO_COLOR`) on later commands.
    pub fn var(&mut self, key: &str, value: &str) -> &mut Self {
        self.extra.push((key.to_owned(), value.to_owned()));
        self
    }

    /// A plain `std::process::Command` with the hermetic environment; the PTY helper needs this form.
    pub fn std_cmd<I, S>(&self, args: I) -> std::process::Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_tokenctl"));
        cmd.args(args).current_dir(self.root()).env_clear();
        for key in PASS_THROUGH {
            if let Some(value) = std::env::var_os(key) {
                cmd.env(key, value);
            }
        }
        let home = self.home();
        cmd.env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("HOME", home)
            .env("LANG", "C.UTF-8")
            .env("TERM", "dumb")
            .env("USER", "tester");
        if let Some(target) = &self.target {
            cmd.env("TOKENCTL_DB", target);
        } else if let Some(db) = &self.db {
            cmd.env("TOKENCTL_DB", db);
        }
        if let Some(now) = &self.now {
            for (key, value) in clock_env(now) {
                cmd.env(key, value);
            }
        }
        cmd.envs(self.extra.iter().map(|(k, v)| (k, v)));
        cmd
    }

    /// The binary with `args`, ready for `.assert()`; stdin is an empty pipe unless `write_stdin` is used.
    pub fn cmd<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        Command::from_std(self.std_cmd(args))
    }

    /// Run and return the raw output, whatever the exit status.
    pub fn run<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.cmd(args).output().expect("spawn tokenctl")
    }

    /// Run, assert success, and parse stdout as JSON (for `--json` output).
    pub fn json<I, S>(&self, args: I) -> serde_json::Value
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let out = self
            .cmd(args)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        serde_json::from_slice(&out).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}",
                String::from_utf8_lossy(&out)
            )
        })
    }

    /// `generate --name NAME EXTRA...`; asserts success and returns the secret (the single stdout line).
    pub fn generate(&self, name: &str, extra: &[&str]) -> String {
        let args = ["generate", "--name", name]
            .into_iter()
            .chain(extra.iter().copied());
        let out = self
            .cmd(args)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let token = String::from_utf8(out)
            .expect("token is UTF-8")
            .trim()
            .to_owned();
        assert!(
            !token.is_empty() && !token.contains('\n'),
            "expected one line, got {token:?}"
        );
        token
    }

    /// `show REF --json`: the token object (with show's extra keys), to assert on its fields.
    pub fn show(&self, reference: &str) -> serde_json::Value {
        self.json(["show", reference, "--json"])
    }

    /// `verify EXTRA...` with the token on stdin (never argv, so it cannot leak via `ps`).
    pub fn verify(&self, token: &str, extra: &[&str]) -> Assert {
        let args = ["verify"].into_iter().chain(extra.iter().copied());
        self.cmd(args).write_stdin(format!("{token}\n")).assert()
    }

    /// Open the database directly, bypassing the binary; read-write but never creates it.
    pub fn conn(&self) -> rusqlite::Connection {
        let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE;
        rusqlite::Connection::open_with_flags(self.db(), flags).expect("open test database")
    }

    /// All rows of `sql`, e.g. to assert a secret is not stored: `format!("{rows:?}")` has no token.
    pub fn sqlite(&self, sql: &str) -> Vec<Vec<Value>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(sql).expect("prepare SQL");
        let n = stmt.column_count();
        let rows = stmt.query_map([], |row| (0..n).map(|i| row.get(i)).collect());
        rows.expect("run SQL")
            .collect::<Result<_, _>>()
            .expect("read rows")
    }

    /// All rows of `sql` on either backend, each value as text (NULL as ""): SQLite through
    /// rusqlite, PostgreSQL through psql as the superuser.
    pub fn sql(&self, sql: &str) -> Vec<Vec<String>> {
        match (self.backend(), &self.pg) {
            (Backend::Postgres, Some(name)) => {
                let cluster = crate::cluster::shared().expect("this env's cluster runs");
                let out = cluster
                    .psql(name, sql)
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
                out.lines()
                    .map(|line| line.split('\u{1f}').map(str::to_owned).collect())
                    .collect()
            }
            (Backend::Postgres, None) => panic!("env.sql() needs a database on the shared cluster"),
            (Backend::Sqlite, _) => self
                .sqlite(sql)
                .into_iter()
                .map(|row| {
                    row.into_iter()
                        .map(|v| match v {
                            Value::Null => String::new(),
                            Value::Integer(i) => i.to_string(),
                            Value::Real(f) => f.to_string(),
                            Value::Text(t) => t,
                            Value::Blob(b) => String::from_utf8_lossy(&b).into_owned(),
                        })
                        .collect()
                })
                .collect(),
        }
    }
}

impl Drop for TestEnv {
    fn drop(&mut self) {
        if let Some(name) = &self.pg
            && let Ok(cluster) = crate::cluster::shared()
        {
            cluster.drop_db(name);
        }
    }
}
