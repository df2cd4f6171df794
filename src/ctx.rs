//! The globals every command needs, resolved once: database path, colour per stream,
//! JSON mode and the clock, read at the start so one command sees one "now".

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::store::Target;

use anyhow::{Context as _, Result};

use crate::cli::{ColorChoice, Global};
use crate::time::Timestamp;

pub struct Ctx {
    pub db: Target,
    pub json: bool,
    pub color_stdout: bool,
    pub color_stderr: bool,
    pub stdout_is_tty: bool,
    pub stderr_is_tty: bool,
    pub stdin_is_tty: bool,
    /// When the command started, for what it shows. Times it records, and judgements
    /// that may wait (for a lock, for a person at a prompt), ask `clock()` again at the
    /// moment that matters, inside the store's transaction.
    pub now: Timestamp,
    fixed_now: Option<Timestamp>,
}

impl Ctx {
    pub fn resolve(global: &Global) -> Result<Ctx> {
        let (db, from_env) = match &global.db {
            Some(path) => (Some(path.clone()), false),
            None => (std::env::var_os("TOKENCTL_DB").map(PathBuf::from), true),
        };
        let db = match db {
            Some(path) if path.as_os_str().is_empty() => {
                return Err(crate::exit::usage(if from_env {
                    "TOKENCTL_DB is set but empty: set it to a database path, or unset it for the default"
                } else {
                    "--db is empty: give a database path"
                }));
            }
            Some(path) => path,
            None => default_db()?,
        };
        let db = resolve_target(db, from_env)?;
        let fixed_now = fixed_now()?;
        let now = fixed_now.unwrap_or_else(system_now);
        if now.timestamp() < 0 {
            // Every expiry would read as far in the future: fail closed, for verify too.
            anyhow::bail!(
                "the clock reads {}, before 1970: set the system clock right and try again",
                now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            );
        }
        let stdout_is_tty = std::io::stdout().is_terminal();
        let stderr_is_tty = std::io::stderr().is_terminal();
        Ok(Ctx {
            db,
            json: global.json,
            color_stdout: use_color(global.color, stdout_is_tty),
            color_stderr: use_color(global.color, stderr_is_tty),
            stdout_is_tty,
            stderr_is_tty,
            stdin_is_tty: std::io::stdin().is_terminal(),
            now,
            fixed_now,
        })
    }

    /// The time now (the pinned one, in tests).
    pub fn clock(&self) -> Timestamp {
        self.fixed_now.unwrap_or_else(system_now)
    }

    /// `clock` for threads that outlive the command's borrow of `Ctx` (`serve`).
    pub fn clock_fn(&self) -> impl Fn() -> Timestamp + Send + Sync + Clone + 'static {
        let fixed = self.fixed_now;
        move || fixed.unwrap_or_else(system_now)
    }

    /// Prompts need a person: a terminal to read from and one to draw on.
    pub fn interactive(&self) -> bool {
        self.stdin_is_tty && self.stderr_is_tty
    }
}

/// The system clock. Not `chrono::Utc::now`, which panics on a clock before 1970 (and an
/// abort could dump a core holding a secret): such a time comes out negative instead.
fn system_now() -> Timestamp {
    use std::time::{SystemTime, UNIX_EPOCH};
    let (secs, nanos) = match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(after) => (after.as_secs() as i64, after.subsec_nanos()),
        Err(before) => {
            let before = before.duration();
            let secs = -(before.as_secs() as i64);
            match before.subsec_nanos() {
                0 => (secs, 0),
                n => (secs - 1, 1_000_000_000 - n),
            }
        }
    };
    // Out of chrono's range (hundreds of millennia): refused as before 1970, failing closed.
    chrono::DateTime::from_timestamp(secs, nanos)
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC)
}

/// For commands that hold a secret in memory (verify, generate): no core file, whatever
/// kills the process, and no other process of this user may read its memory (ptrace,
/// /proc/PID/mem). Both only lower privileges, so they do not fail in practice; if they
/// do, the command stops rather than run exposed.
pub fn forbid_core_dumps() -> Result<()> {
    use nix::sys::resource::{Resource, setrlimit};
    setrlimit(Resource::RLIMIT_CORE, 0, 0).context("disabling core dumps (setrlimit)")?;
    nix::sys::prctl::set_dumpable(false).context("disabling core dumps (prctl)")?;
    Ok(())
}

/// `--color` beats the environment; then `NO_COLOR` (non-empty), then `TERM=dumb`, then
/// whether the stream is a terminal.
fn use_color(choice: Option<ColorChoice>, is_tty: bool) -> bool {
    match choice {
        Some(ColorChoice::Always) => true,
        Some(ColorChoice::Never) => false,
        Some(ColorChoice::Auto) | None => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
            !no_color && !dumb && is_tty
        }
    }
}

/// A URL is a PostgreSQL database, anything else a SQLite file. A password in a URL
/// given as an argument is refused: every user of the machine can read argv.
fn resolve_target(given: PathBuf, from_env: bool) -> Result<Target> {
    let Some(text) = given.to_str() else {
        return Ok(Target::Sqlite(given));
    };
    let target = Target::parse(text)?;
    if let Target::Postgres(url) = &target
        && url.has_password()
        && !from_env
    {
        return Err(crate::exit::usage(format!(
            "--db {target}: a password on the command line is visible to every user of this machine (ps, /proc): \
             put the URL in TOKENCTL_DB, the password in PGPASSWORD, or a line in ~/.pgpass (PGPASSFILE), and change the password if others could see this command line"
        )));
    }
    Ok(target)
}

fn default_db() -> Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "tokenctl").context(
        "cannot find a home directory for the default database; pass --db PATH or set TOKENCTL_DB",
    )?;
    Ok(dirs.data_dir().join("tokens.db"))
}

/// A pinned clock: debug builds (the test suite) honour `TOKENCTL_NOW`; release builds
/// ignore it, so nobody can revive an expired token by setting it for `verify`.
fn fixed_now() -> Result<Option<Timestamp>> {
    #[cfg(debug_assertions)]
    if let Some(fixed) = std::env::var_os("TOKENCTL_NOW") {
        let fixed = fixed.to_string_lossy();
        return chrono::DateTime::parse_from_rfc3339(&fixed)
            .map(|t| Some(t.to_utc()))
            .with_context(|| format!("TOKENCTL_NOW={fixed} is not an RFC 3339 time"));
    }
    Ok(None)
}
