//! Drive `tokenctl` in a pseudo-terminal to test its interactive (dialoguer) prompts.
//! Built on expectrl: every wait is "expect this text within a timeout", never a sleep.

// Not every key or helper is used by every test.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::process::Command;
use std::time::{Duration, Instant};

use expectrl::process::unix::WaitStatus;
use expectrl::session::OsSession;
use expectrl::{Eof, Expect, Needle, Regex, Session};

use crate::util::TestEnv;

/// Keys as a terminal sends them. dialoguer reads keys in raw mode, where Enter is a CR.
pub const ENTER: &str = "\r";
pub const DOWN: &str = "\x1b[B";
pub const UP: &str = "\x1b[A";
pub const CTRL_C: &str = "\x03";
pub const ESC: &str = "\x1b";
pub const SPACE: &str = " ";

/// The terminal's cursor codes: dialoguer hides it while a menu is drawn.
pub const HIDE_CURSOR: &str = "\x1b[?25l";
pub const SHOW_CURSOR: &str = "\x1b[?25h";

/// Generous: debug builds on a loaded 2-core CI machine can be slow to start.
const TIMEOUT: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(5);

/// A child process whose stdin, stdout and stderr are all the slave side of one PTY.
pub struct Pty {
    session: OsSession,
    /// Everything read so far, for failure messages.
    seen: String,
    /// The same, as the terminal got it: with ANSI codes, to test colours.
    raw: String,
}

impl TestEnv {
    /// `tokenctl ARGS` in a PTY, with this env's variables.
    pub fn pty<I, S>(&self, args: I) -> Pty
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        Pty::spawn(self.std_cmd(args))
    }

    /// `sh -c SCRIPT` in a PTY of `cols` columns, with this env's variables and
    /// `$TOKENCTL` naming the binary: for what happens around tokenctl (the shell's
    /// next read, the terminal's settings after it exits).
    pub fn pty_sh(&self, cols: u16, script: &str) -> Pty {
        let base = self.std_cmd(std::iter::empty::<&str>());
        let mut cmd = Command::new("sh");
        cmd.env_clear().current_dir(self.root());
        for (key, value) in base.get_envs() {
            if let Some(value) = value {
                cmd.env(key, value);
            }
        }
        cmd.env("TOKENCTL", env!("CARGO_BIN_EXE_tokenctl"));
        // Sized by stty before tokenctl starts, so it can never read the size too early.
        cmd.arg("-c")
            .arg(format!("stty cols {cols} rows 40; {script}"));
        Pty::spawn(cmd)
    }

    /// `tokenctl ARGS` in a PTY of `cols` columns.
    pub fn pty_cols(&self, cols: u16, args: &[&str]) -> Pty {
        let quoted: Vec<String> = args
            .iter()
            .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
            .collect();
        self.pty_sh(cols, &format!("exec \"$TOKENCTL\" {}", quoted.join(" ")))
    }
}

impl Pty {
    pub fn spawn(mut cmd: Command) -> Self {
        // What a user's terminal says. dialoguer also works under TestEnv's TERM=dumb, but a real
        // TERM turns on colours like for a user; `record` strips the escape codes again.
        cmd.env("TERM", "xterm-256color");
        let session = Session::spawn(cmd).expect("spawn in PTY");
        Pty {
            session,
            seen: String::new(),
            raw: String::new(),
        }
    }

    /// Wait until `text` appears in the output; returns the output up to and including it.
    pub fn expect(&mut self, text: &str) -> String {
        self.wait_for(text, text)
    }

    /// Send raw keys (see `ENTER`, `DOWN`, `UP`).
    pub fn send(&mut self, keys: &str) {
        self.session.send(keys).expect("write to PTY");
    }

    /// Type `text` and press Enter.
    pub fn line(&mut self, text: &str) {
        self.send(&format!("{text}{ENTER}"));
    }

    /// Read until the child closes the PTY, reap it, and return (all output, exit code).
    /// Output is everything printed since spawn, with ANSI codes and CRs removed.
    /// Answers generate's scopes question (asked last, in a database with no scopes yet)
    /// with none.
    pub fn no_scopes(&mut self) {
        self.expect("Scopes (resource:action");
        self.send(ENTER);
    }

    pub fn finish(mut self) -> (String, i32) {
        let code = self.exit_code();
        (self.seen, code)
    }

    /// Like `finish`, but the output keeps its ANSI escape codes (still without CRs).
    pub fn finish_raw(mut self) -> (String, i32) {
        let code = self.exit_code();
        (self.raw, code)
    }

    fn exit_code(&mut self) -> i32 {
        self.wait_for(Eof, "end of output");
        let status = self.session.get_process().wait().expect("wait for child");
        match status {
            WaitStatus::Exited(_, code) => code,
            other => panic!("child did not exit normally: {other:?}\n{}", self.seen),
        }
    }

    /// Waits until the program has turned the terminal's echo off (a password prompt
    /// ready to read), so keys sent next are neither echoed nor flushed away.
    pub fn wait_echo_off(&mut self) {
        let deadline = Instant::now() + TIMEOUT;
        while self
            .session
            .get_process()
            .get_echo()
            .expect("read PTY echo flag")
        {
            assert!(
                Instant::now() < deadline,
                "echo still on after {TIMEOUT:?}\n{}",
                self.rest()
            );
            std::thread::sleep(POLL);
        }
        // ptyprocess starts the child with echo already off, so the flag alone proves
        // nothing; the prompt turns it off again with TCSAFLUSH, discarding keys sent
        // before. Sleeping in a terminal read means that has happened.
        let pid = self.session.get_process().pid().as_raw();
        while !reading_terminal(pid) {
            assert!(
                Instant::now() < deadline,
                "not reading the terminal after {TIMEOUT:?}\n{}",
                self.rest()
            );
            std::thread::sleep(POLL);
        }
    }

    /// expectrl's own `expect` spins a CPU core while waiting; this polls every few ms instead,
    /// which matters on a 2-core CI machine where the child needs that core to make progress.
    fn wait_for(&mut self, needle: impl Needle, what: &str) -> String {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let err = match self.session.check(&needle) {
                Ok(found) if !found.is_empty() => return self.record(found.as_bytes()),
                Ok(_) if Instant::now() < deadline => {
                    std::thread::sleep(POLL);
                    continue;
                }
                Ok(_) => format!("timed out after {TIMEOUT:?}"),
                Err(err) => err.to_string(),
            };
            panic!(
                "waiting for {what:?}: {err}\n--- output so far ---\n{}",
                self.rest()
            );
        }
    }

    fn record(&mut self, raw: &[u8]) -> String {
        let text = String::from_utf8_lossy(raw);
        self.raw.push_str(&text.replace('\r', ""));
        let text = console::strip_ansi_codes(&text).replace('\r', "");
        self.seen.push_str(&text);
        text
    }

    /// For a failure message: everything matched so far plus whatever is buffered but unmatched.
    fn rest(&mut self) -> String {
        if let Ok(found) = self.session.check(Regex("(?s).+")) {
            self.record(found.as_bytes());
        }
        self.seen.clone()
    }
}

/// Whether `pid`, or a process below it (the program a `pty_sh` shell runs), sleeps in a
/// terminal read.
fn reading_terminal(pid: i32) -> bool {
    let wchan = std::fs::read_to_string(format!("/proc/{pid}/wchan")).unwrap_or_default();
    if wchan == "wait_woken" {
        return true;
    }
    let children =
        std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
    children
        .split_whitespace()
        .filter_map(|c| c.parse().ok())
        .any(reading_terminal)
}
