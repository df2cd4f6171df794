//! The store's typed failures: what went wrong, in kinds a caller can tell apart, with the
//! one-line message the user reads. Exit codes (and later HTTP statuses) come from the kind.

use std::fmt;

use crate::exit::Status;

/// What kind of failure a store operation met. Every kind is exit 1 today (SPEC: "the
/// command could not do its work"); the kind decides hints and HTTP statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// No database there, and this command does not create one.
    Missing,
    /// A REF that matches no token.
    NotFound,
    /// A REF that matches several tokens.
    Ambiguous,
    /// A name already used by another token.
    NameTaken,
    /// A rule refused the change (restore an expired token, delete an active one).
    Refused,
    /// Locked by others for longer than the store waits.
    Busy,
    /// This user may not write the database.
    ReadOnly,
    /// A file or folder another user could have planted or changed, or another
    /// application's database.
    Untrusted,
    /// Written by a newer tokenctl.
    Newer,
    /// An older schema that only `init` upgrades.
    Older,
    /// Objects tokenctl never creates (triggers, views, rules) on its tables.
    Tampered,
    /// Not readable as a database, or damaged.
    Corrupt,
    /// The database server cannot be reached or refused the connection.
    Unreachable,
    /// Anything else between tokenctl and its storage (disk full, I/O errors).
    Io,
}

/// A store failure: its kind and the sentence that says what to do.
#[derive(Debug)]
pub struct StoreError {
    pub kind: Kind,
    message: String,
}

impl StoreError {
    pub fn new(kind: Kind, message: impl Into<String>) -> StoreError {
        StoreError {
            kind,
            message: message.into(),
        }
    }

    /// The exit status this failure ends a command with.
    pub fn status(&self) -> Status {
        Status::Failure
    }

    /// The HTTP status `serve` answers a failure of this kind with: only a database that
    /// cannot answer is the server's fault in a way a proxy should see as 503.
    pub fn http_status(&self) -> u16 {
        match self.kind {
            Kind::NotFound => 404,
            Kind::Ambiguous | Kind::NameTaken | Kind::Refused => 409,
            Kind::Busy | Kind::Unreachable => 503,
            _ => 500,
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for StoreError {}

/// Shorthand: an `anyhow::Error` holding a `StoreError`.
pub fn fail(kind: Kind, message: impl Into<String>) -> anyhow::Error {
    StoreError::new(kind, message).into()
}

/// The kind of store failure inside an error chain, if there is one.
pub fn kind_of(err: &anyhow::Error) -> Option<Kind> {
    err.chain()
        .find_map(|cause| cause.downcast_ref::<StoreError>())
        .map(|e| e.kind)
}
