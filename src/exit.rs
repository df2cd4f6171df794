//! The exit statuses of SPEC.md and the one place that turns an error into a status.
//! Commands return `Status` for outcomes (verify's 10-15) and errors for failures.

use std::fmt;
use std::process::ExitCode;

/// What a command ended with. The numbers are a contract with scripts: never renumber.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Success = 0,
    Failure = 1,
    Usage = 2,
    /// verify: bad format, bad checksum, no such id or wrong secret.
    Unknown = 10,
    Expired = 11,
    Revoked = 12,
    MissingScope = 13,
    /// verify: the token's use limit is reached.
    Exhausted = 14,
    /// verify: the client address is outside the token's allow-list (or not given).
    IpNotAllowed = 15,
    /// scan: a live token was found, or one no database could vouch for.
    Leaked = 20,
    /// A person pressed Ctrl-C or Esc at a prompt: 128 + SIGINT, as shells report it.
    Interrupted = 130,
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> ExitCode {
        ExitCode::from(status as u8)
    }
}

/// A mistake in how tokenctl was called, found after clap: exit 2, like clap's own errors.
#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// A prompt was cancelled (Ctrl-C, Esc) before anything was changed: exit 130.
#[derive(Debug)]
pub struct Cancelled;

impl fmt::Display for Cancelled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cancelled: nothing was changed")
    }
}

impl std::error::Error for Cancelled {}

/// Shorthand for returning a usage error from a command.
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    UsageError(message.into()).into()
}

/// The status for an error: usage errors are 2, everything else the command could not do is 1.
pub fn status_of(err: &anyhow::Error) -> Status {
    if err.chain().any(|cause| cause.is::<Cancelled>()) {
        Status::Interrupted
    } else if err.chain().any(|cause| cause.is::<UsageError>()) {
        Status::Usage
    } else if let Some(store) = err
        .chain()
        .find_map(|cause| cause.downcast_ref::<crate::error::StoreError>())
    {
        store.status()
    } else {
        Status::Failure
    }
}

/// True when the error is stdout or stderr going away (`tokenctl list | head -1`), which
/// is the reader's choice, not a failure: such a run ends quietly with 0, as ripgrep does.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    use std::io::ErrorKind::BrokenPipe;
    err.chain().any(|cause| {
        // serde_json hides the io::Error it wraps from `source()`: ask it directly.
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind)
                == Some(BrokenPipe)
    })
}
