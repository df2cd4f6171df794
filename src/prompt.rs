//! Questions for a person at a terminal, drawn on stderr with dialoguer so stdout keeps
//! only data. Callers check `Ctx::interactive()` first; scripts are never asked anything.
//! Ctrl-C or Esc at any question gives the terminal back as it was found, and exits 130.

use std::os::fd::AsFd;

use anyhow::{Context as _, Result};
use dialoguer::console::{Key, Term};
use dialoguer::theme::{ColorfulTheme, Theme};
use dialoguer::{Input, MultiSelect, Select};
use nix::sys::signal::{SigHandler, Signal, signal};
use nix::sys::termios::{self, LocalFlags, SetArg};

use crate::exit::Cancelled;
use crate::time::{Timestamp, expires_after};

/// The validity choices of the token pages tokenctl grew from (SPEC's presets), the
/// scripts' default, and no expiry; then "custom". Each label shows its `--expires` form.
const VALIDITY: [(&str, Option<&str>); 7] = [
    ("1 month (1mo)", Some("1mo")),
    ("3 months (3mo)", Some("3mo")),
    ("6 months (6mo)", Some("6mo")),
    ("1 year (1y)", Some("1y")),
    ("2 years (2y)", Some("2y")),
    ("30 days (30d)", Some("30d")),
    ("never", None),
];

/// The validity presets as `--expires` values, for the completion scripts to offer.
pub fn validity_presets() -> Vec<&'static str> {
    VALIDITY.iter().filter_map(|(_, spec)| *spec).collect()
}

pub fn name(check: impl Fn(&str) -> Result<(), String>) -> Result<String> {
    let asking = Asking::new();
    let answer = Input::<String>::with_theme(&ColorfulTheme::default())
        .with_prompt("Token name")
        .validate_with(|input: &String| check(input).map_err(one_line))
        .interact_text_on(&asking.term);
    asking.line_answer(answer, "reading the token name")
}

/// Asks how long the token is valid; returns the answer as an `--expires` value, so the
/// caller measures it from when the token is made, not from when the question was asked;
/// None for a token that never expires.
pub fn validity(now: Timestamp) -> Result<Option<String>> {
    let mut items: Vec<&str> = VALIDITY.iter().map(|(label, _)| *label).collect();
    items.push("custom");
    let asking = Asking::new();
    let choice = Select::with_theme(&ColorfulTheme::default())
        .with_prompt("Valid for")
        .items(&items)
        .default(0)
        .interact_on_opt(&asking.term);
    let choice = asking.menu_answer(choice, items.len(), "reading the validity")?;
    if let Some((_, spec)) = VALIDITY.get(choice) {
        return Ok(spec.map(str::to_owned));
    }
    let asking = Asking::new();
    let spec = Input::<String>::with_theme(&ColorfulTheme::default())
        .with_prompt("Valid for (e.g. 45d, 2w, 1y 6mo)")
        // dialoguer prints the error as is: cleaned like every line on stderr.
        .validate_with(|input: &String| {
            expires_after(input.trim(), now).map(|_| ()).map_err(|why| {
                // The answer is on screen beside the error: say only what is wrong, so
                // the hint still fits the line.
                let prefix = format!("invalid duration '{}': ", input.trim());
                let why = why.strip_prefix(&prefix).unwrap_or(&why);
                one_line(crate::render::escape(why).into_owned())
            })
        })
        .interact_text_on(&asking.term);
    Ok(Some(
        asking
            .line_answer(spec, "reading the validity")?
            .trim()
            .to_owned(),
    ))
}

/// Asks which scopes the token gets: a pick from the scopes already in use (so the same
/// permission is spelt the same way), then any others typed in. Returns the raw words;
/// the caller parses them as it parses `--scope`.
pub fn scopes(known: &[String], check: impl Fn(&str) -> Result<(), String>) -> Result<Vec<String>> {
    let mut chosen = Vec::new();
    if !known.is_empty() {
        let asking = Asking::new();
        // Never taller than the terminal: dialoguer pages a longer list.
        let rows = usize::from(asking.term.size().0).saturating_sub(2).max(3);
        let picked = MultiSelect::with_theme(&ColorfulTheme::default())
            .with_prompt("Scopes (space picks, Enter accepts)")
            .items(known)
            .max_length(rows)
            .interact_on_opt(&asking.term);
        let shown = known.len().min(rows);
        for i in asking.menu_answer(picked, shown, "reading the scopes")? {
            chosen.push(known[i].clone());
        }
    }
    let asking = Asking::new();
    let prompt = if known.is_empty() {
        "Scopes (resource:action, comma separated; Enter for none)"
    } else {
        "Other scopes (comma separated; Enter for none)"
    };
    let typed = Input::<String>::with_theme(&ColorfulTheme::default())
        .with_prompt(prompt)
        .allow_empty(true)
        .validate_with(|input: &String| split_scopes(input).try_for_each(&check).map_err(one_line))
        .interact_text_on(&asking.term);
    let typed = asking.line_answer(typed, "reading the scopes")?;
    chosen.extend(split_scopes(&typed).map(str::to_owned));
    Ok(chosen)
}

fn split_scopes(text: &str) -> impl Iterator<Item = &str> {
    text.split([',', ' ']).filter(|s| !s.is_empty())
}

/// A yes/no question that acts only on Enter, so `yes` typed out does not leave `es` for
/// the shell. Anything but y or yes is a no.
pub fn confirm(question: &str) -> Result<bool> {
    let theme = ColorfulTheme::default();
    let term = Term::stderr();
    let mut prompt = String::new();
    let _ = theme.format_confirm_prompt(&mut prompt, question, Some(false));
    let mut typed = String::new();
    let draw = |typed: &str| -> std::io::Result<()> {
        term.clear_line()?;
        term.write_str(&prompt)?;
        term.write_str(typed)?;
        term.flush()
    };
    draw(&typed).context("drawing the confirmation")?;
    loop {
        // Raw: Ctrl-C comes back as a key instead of killing the process mid-prompt.
        match term.read_key_raw().context("reading the confirmation")? {
            Key::Enter => break,
            Key::Escape | Key::CtrlC => {
                let _ = term.clear_line();
                return Err(Cancelled.into());
            }
            Key::Backspace => {
                typed.pop();
            }
            Key::Char(c) if !c.is_control() && typed.chars().count() < 8 => typed.push(c),
            _ => continue,
        }
        draw(&typed).context("drawing the confirmation")?;
    }
    let yes = matches!(typed.trim().to_lowercase().as_str(), "y" | "yes");
    let mut done = String::new();
    let _ = theme.format_confirm_prompt_selection(&mut done, question, Some(yes));
    term.clear_line()
        .and_then(|()| term.write_line(&done))
        .context("drawing the confirmation")?;
    Ok(yes)
}

/// Reads a token typed at a terminal without echoing it. Read byte by byte with echo and
/// signals off, so Ctrl-C arrives as a key and echo is always turned back on, even when
/// the shell around us ignores SIGINT.
pub fn secret() -> Result<String> {
    let theme = ColorfulTheme::default();
    let term = Term::stderr();
    let mut prompt = String::new();
    let _ = theme.format_password_prompt(&mut prompt, "Token");
    term.write_str(&prompt)
        .context("drawing the token prompt")?;
    let stdin = std::io::stdin();
    let fd = stdin.as_fd();
    let original = termios::tcgetattr(fd).context("reading the terminal's settings")?;
    let mut quiet = original.clone();
    quiet.local_flags &= !(LocalFlags::ECHO | LocalFlags::ICANON | LocalFlags::ISIG);
    quiet.control_chars[termios::SpecialCharacterIndices::VMIN as usize] = 1;
    quiet.control_chars[termios::SpecialCharacterIndices::VTIME as usize] = 0;
    termios::tcsetattr(fd, SetArg::TCSAFLUSH, &quiet).context("turning the terminal's echo off")?;
    let read = read_hidden(fd);
    let restored = termios::tcsetattr(fd, SetArg::TCSAFLUSH, &original);
    let _ = term.write_line("");
    restored.context("turning the terminal's echo back on")?;
    read
}

fn read_hidden(fd: std::os::fd::BorrowedFd) -> Result<String> {
    let mut secret = Vec::new();
    let mut buf = [0u8; 64];
    loop {
        let n = match nix::unistd::read(fd, &mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(nix::errno::Errno::EINTR) => continue,
            Err(err) => return Err(err).context("reading the token"),
        };
        let keys = &buf[..n];
        // An arrow key arrives as one escape sequence in one read: ignore it. A lone Esc
        // is the person giving up.
        if keys.starts_with(b"\x1b[") || keys.starts_with(b"\x1bO") {
            continue;
        }
        for &byte in keys {
            match byte {
                b'\r' | b'\n' => return Ok(String::from_utf8_lossy(&secret).into_owned()),
                0x03 | 0x1b => return Err(Cancelled.into()),
                0x04 if secret.is_empty() => return Ok(String::new()),
                0x7f | 0x08 => {
                    secret.pop();
                }
                0x15 => secret.clear(),
                _ if secret.len() < 4096 => secret.push(byte),
                _ => {}
            }
        }
    }
    Ok(String::from_utf8_lossy(&secret).into_owned())
}

/// While a dialoguer question is up, SIGINT is ignored: console reads Ctrl-C in raw mode,
/// returns it as an `Interrupted` error and raises SIGINT, which would otherwise kill the
/// process with the cursor hidden and the menu still drawn.
struct Asking {
    term: Term,
    previous: Option<SigHandler>,
}

impl Asking {
    fn new() -> Self {
        // SAFETY: installs SIG_IGN, no handler code runs; restored in Drop.
        let previous = unsafe { signal(Signal::SIGINT, SigHandler::SigIgn) }.ok();
        Asking {
            term: Term::stderr(),
            previous,
        }
    }

    /// A typed answer; Ctrl-C clears the question's line.
    fn line_answer(&self, answer: dialoguer::Result<String>, what: &'static str) -> Result<String> {
        answer.map_err(|err| {
            if interrupted(&err) {
                let _ = self.term.clear_line();
                Cancelled.into()
            } else {
                anyhow::Error::new(err).context(what)
            }
        })
    }

    /// A menu's answer: Esc (None) and Ctrl-C cancel; after Ctrl-C the menu (`shown` items
    /// and the question above them) is still drawn and is wiped here.
    fn menu_answer<T>(
        &self,
        answer: dialoguer::Result<Option<T>>,
        shown: usize,
        what: &'static str,
    ) -> Result<T> {
        match answer {
            Ok(Some(value)) => Ok(value),
            Ok(None) => Err(Cancelled.into()),
            Err(err) if interrupted(&err) => {
                let _ = self.term.clear_last_lines(shown + 1);
                Err(Cancelled.into())
            }
            Err(err) => Err(anyhow::Error::new(err).context(what)),
        }
    }
}

impl Drop for Asking {
    fn drop(&mut self) {
        let _ = self.term.show_cursor();
        let _ = self.term.flush();
        if let Some(previous) = self.previous {
            // SAFETY: puts back the disposition that was there before `new`.
            let _ = unsafe { signal(Signal::SIGINT, previous) };
        }
    }
}

fn interrupted(err: &dialoguer::Error) -> bool {
    let dialoguer::Error::IO(io) = err;
    io.kind() == std::io::ErrorKind::Interrupted
}

/// A validation error longer than the line wraps, and dialoguer then clears one line too
/// few on the next redraw, so errors pile up: keep it to the terminal's width.
fn one_line(message: String) -> String {
    let width = usize::from(Term::stderr().size().1);
    // "✘ " before it, and one column spare so the cursor never wraps.
    let room = width.saturating_sub(3).max(10);
    console::truncate_str(&message, room, "…").into_owned()
}

/// Width of the terminal prompts draw on, for callers that word a question to fit.
pub fn width() -> usize {
    usize::from(Term::stderr().size().1)
}
