//! Hermetic environment for running the `tokenctl` binary in integration tests.
//! Each `TestEnv` owns a tempdir holding HOME, the XDG dirs and the database, so tests run in parallel and never touch real tokens.

// Every test module uses a different subset of these helpers.
#![allow(dead_code)]

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

/// One isolated world for the binary: tempdir, environment, optional frozen clock.
pub struct TestEnv {
    dir: TempDir,
    /// Value of `TOKENCTL_DB`; `None` leaves it unset so the XDG default path is exercised.
    db: Option<PathBuf>,
    /// Value of `TOKENCTL_NOW` (RFC 3339) for commands built after `at()`.
    now: Option<String>,
    extra: Vec<(String, String)>,
}

impl TestEnv {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("create tempdir");
        std::fs::create_dir(dir.path().join("home")).expect("create HOME");
        let db = Some(dir.path().join("tokens.db"));
        TestEnv {
            dir,
            db,
            now: None,
            extra: Vec::new(),
        }
    }

    /// Root of the tempdir (removed when the env is dropped).
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn home(&self) -> PathBuf {
        self.root().join("home")
    }

    /// The database the binary is pointed at (`<tmp>/tokens.db` unless overridden).
    /// Panics after `without_db_env()`: then the binary picks its own path under XDG_DATA_HOME.
    pub fn db(&self) -> &Path {
        self.db
            .as_deref()
            .expect("TOKENCTL_DB is unset in this TestEnv")
    }

    /// Point `TOKENCTL_DB` somewhere else, e.g. a path in a missing directory.
    pub fn with_db(mut self, path: impl Into<PathBuf>) -> Self {
        self.db = Some(path.into());
        self
    }

    /// Leave `TOKENCTL_DB` unset, to test the default location under `XDG_DATA_HOME`.
    pub fn without_db_env(mut self) -> Self {
        self.db = None;
        self
    }

    /// Freeze the binary's clock: later commands get `TOKENCTL_NOW=<rfc3339>`.
    pub fn at(&mut self, rfc3339: &str) -> &mut Self {
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
        if let Some(db) = &self.db {
            cmd.env("TOKENCTL_DB", db);
        }
        if let Some(now) = &self.now {
            cmd.env("TOKENCTL_NOW", now);
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
}

/// A test that cannot run on this machine says why and returns; where every test must run
/// (CI sets TOKENCTL_TEST_NO_SKIP=1), the skip is a failure instead.
pub fn skip(why: &str) {
    println!("skipped: {why}");
    if std::env::var_os("TOKENCTL_TEST_NO_SKIP").is_some_and(|v| v == "1") {
        panic!("skipped: {why} (TOKENCTL_TEST_NO_SKIP=1 makes a skip a failure)");
    }
}
