//! Pages long output through `$PAGER` (`less -FRX` by default, as git and gh do) when it is
//! taller than the terminal; falls back to printing when no pager can be started.

use std::io::Write;
use std::process::{Command, Stdio};

use anyhow::{Context as _, Result};
use nix::sys::signal::{SigHandler, Signal, signal};

const DEFAULT: &str = "less -FRX";

/// Writes `text` through the pager; `Ok(false)` when there is none to run, so the caller
/// prints it itself.
pub fn page(text: &[u8]) -> Result<bool> {
    let pager = match std::env::var("PAGER") {
        Ok(pager) if pager.trim().is_empty() || pager.trim() == "cat" => return Ok(false),
        Ok(pager) => pager,
        Err(_) if on_path("less") => DEFAULT.to_owned(),
        Err(_) => return Ok(false),
    };
    let mut command = Command::new("sh");
    command.arg("-c").arg(&pager).stdin(Stdio::piped());
    // As git does: a bare `PAGER=less` still keeps colours and short output on screen.
    if std::env::var_os("LESS").is_none() {
        command.env("LESS", "FRX");
    }
    let Ok(mut child) = command.spawn() else {
        return Ok(false);
    };
    // Ctrl-C belongs to the pager while it runs (less uses it to stop a search).
    // SAFETY: installs SIG_IGN, no handler code runs; restored below.
    let previous = unsafe { signal(Signal::SIGINT, SigHandler::SigIgn) }.ok();
    let written = child.stdin.take().map(|mut stdin| stdin.write_all(text));
    let waited = child.wait();
    if let Some(previous) = previous {
        // SAFETY: puts back the disposition that was there before.
        let _ = unsafe { signal(Signal::SIGINT, previous) };
    }
    match written {
        // The reader quit the pager before the end: that is their choice, not an error.
        Some(Err(err)) if err.kind() != std::io::ErrorKind::BrokenPipe => {
            return Err(err).context("writing to the pager");
        }
        _ => {}
    }
    waited.with_context(|| format!("waiting for the pager ({pager})"))?;
    Ok(true)
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}
