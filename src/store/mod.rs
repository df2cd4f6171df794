//! Where tokens live. The types here are what commands see; `sqlite` is the only code in
//! tokenctl that speaks SQL, so a server backend later is a sibling module, not a rewrite.

// Benchmark-only bulk seeding (benches/verify.rs); not part of the tool's interface.
mod file;
#[doc(hidden)]
pub mod seed;
mod shared;
mod sqlite;

pub use shared::{SharedOutcome, prepare_shared};
pub use sqlite::Store;

use crate::time::Timestamp;
use crate::token::{TokenHash, TokenId};

/// How a command needs the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// `init` and `generate`: create the file (0600, folder 0700) when it is missing.
    Create,
    /// Everything else that writes: the file must exist and be ours.
    ReadWrite,
    /// Views, and `verify --no-record`: never writes, works on a read-only file.
    ReadOnly,
}

/// How hard a commit must hit the disk. A lifecycle change (a printed secret, a revoke)
/// must survive power loss; a usage count may lose its last few increments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    Full,
    Normal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenStatus {
    Active,
    Revoked,
    Expired,
}

impl TokenStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenStatus::Active => "active",
            TokenStatus::Revoked => "revoked",
            TokenStatus::Expired => "expired",
        }
    }
}

/// A stored token: everything but the secret, which the store never had.
#[derive(Debug, Clone)]
pub struct TokenRecord {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub hash: Option<TokenHash>,
    pub description: Option<String>,
    pub scopes: Vec<String>,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    pub usage_count: u64,
    pub last_used_at: Option<Timestamp>,
    pub last_used_source: Option<String>,
    pub failed_count: u64,
    pub last_failed_at: Option<Timestamp>,
}

impl TokenRecord {
    /// Revoked wins over expired: it is the operator's deliberate act, and verify reports
    /// it first.
    pub fn status(&self, now: Timestamp) -> TokenStatus {
        if self.revoked_at.is_some() {
            TokenStatus::Revoked
        } else if self.expires_at.is_some_and(|t| t <= now) {
            TokenStatus::Expired
        } else {
            TokenStatus::Active
        }
    }
}

/// A token about to be inserted by `generate`; the store dates it inside its transaction.
pub struct NewToken<'a> {
    pub id: &'a TokenId,
    pub name: &'a str,
    pub prefix: &'a str,
    pub hash: TokenHash,
    pub description: Option<&'a str>,
    pub scopes: &'a [String],
    pub expires_at: Option<Timestamp>,
}

#[derive(Debug)]
pub enum Inserted {
    Ok,
    NameTaken(Box<TokenRecord>),
    IdTaken,
}

/// What `verify` decided inside its transaction, and so what to record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record {
    /// A successful use: count it, with its source.
    Use,
    /// A denied attempt on a known token, its secret right (revoked, expired, missing scope).
    Failure,
    /// Nothing to record (unknown id).
    Nothing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Name,
    Created,
    Expires,
    LastUsed,
    Uses,
}

#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub status: Option<TokenStatus>,
    /// Tokens not yet expired that expire at or before this time, whatever their status.
    pub expiring_before: Option<Timestamp>,
    /// Tokens not used since this time (never used counts from creation).
    pub unused_before: Option<Timestamp>,
    pub sort: Option<SortKey>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListCounts {
    pub shown: u64,
    pub total: u64,
}

/// One source a token was used from.
#[derive(Debug, Clone)]
pub struct SourceUse {
    pub source: String,
    pub uses: u64,
    pub last_used_at: Timestamp,
}

/// Uses and failures of one token on one UTC day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayUse {
    /// Days since the unix epoch (UTC).
    pub day: i64,
    pub uses: u64,
    pub failures: u64,
}

/// A lifecycle event: generated, revoked, restored, deleted.
#[derive(Debug, Clone)]
pub struct Event {
    pub at: Timestamp,
    pub token_id: String,
    pub token_name: String,
    pub action: String,
    pub actor: String,
    pub detail: Option<String>,
}

/// Failed verify attempts on one token on one day, for `log`.
#[derive(Debug, Clone)]
pub struct FailureDay {
    pub token_id: String,
    pub token_name: String,
    pub day: i64,
    pub failures: u64,
}

/// The unix day of a time, the unit `usage_daily` is kept in.
pub fn day_of(t: Timestamp) -> i64 {
    t.timestamp().div_euclid(86_400)
}
