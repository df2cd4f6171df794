//! The sentences the lifecycle commands say on stderr (generate, revoke, restore, delete,
//! list): one place to word them, so the next commands find where theirs go.

use crate::store::TokenRecord;
use crate::time::{Timestamp, relative, rfc3339};

use super::escape;

/// How a token is named in a sentence: `'github-ci' (jg5j1yo72p)`.
pub fn token(t: &TokenRecord) -> String {
    named(&t.name, &t.id)
}

pub fn named(name: &str, id: &str) -> String {
    format!("'{}' ({})", escape(name), escape(id))
}

pub fn created_database(db: &dyn std::fmt::Display) -> String {
    format!("created database {db}")
}

/// init: each outcome says what is true now, never "ready" for a database the group
/// could not open.
pub fn shared_converted(path: &str, group: &str) -> String {
    format!("database {path} is now shared with group {group} (file 0660, folder 3770)")
}

pub fn shared_created(path: &str, group: &str) -> String {
    format!("created shared database {path} (group {group})")
}

pub fn already_ready(path: &str) -> String {
    format!("database {path} already exists and is ready")
}

/// generate's summary, under the secret.
pub fn generated(name: &str, id: &str, expires_at: Option<Timestamp>, now: Timestamp) -> String {
    let expiry = match expires_at {
        Some(at) => format!("expires {} ({})", rfc3339(at), relative(now, at)),
        None => "never expires".to_owned(),
    };
    format!(
        "generated '{}' (id {}), {expiry}\ncopy it now: it will not be shown again",
        escape(name),
        escape(id)
    )
}

/// A rotate: the new token, and until when the old secret still verifies.
pub fn rotated(old: &TokenRecord, new: &TokenRecord, now: Timestamp) -> String {
    let expiry = match new.expires_at {
        Some(at) => format!("expires {} ({})", rfc3339(at), relative(now, at)),
        None => "never expires".to_owned(),
    };
    let grace = match old.grace_ends_at {
        Some(at) if at > now => format!(
            "the old secret ({}) verifies until {} ({})",
            escape(&old.id),
            rfc3339(at),
            relative(now, at)
        ),
        _ => format!("the old secret ({}) no longer verifies", escape(&old.id)),
    };
    format!(
        "rotated '{}': new id {}, {expiry}; {grace}\ncopy it now: it will not be shown again",
        escape(&new.name),
        escape(&new.id)
    )
}

/// A revoke or restore, per token: `✓` when it changed, `·` when it already was so.
pub fn changed(t: &TokenRecord, changed: bool, done: &str, already: &str) -> String {
    if changed {
        format!("✓ {} {done}", token(t))
    } else {
        format!("· {} {already}", token(t))
    }
}

pub fn cannot_restore_expired(t: &TokenRecord) -> String {
    format!(
        "{} has expired and cannot be restored: generate a new token instead (tokenctl generate --name ...); nothing was restored",
        token(t)
    )
}

pub fn delete_active_first(t: &TokenRecord) -> String {
    format!(
        "{} is active: revoke it first (tokenctl revoke {}); nothing was deleted",
        token(t),
        escape(&t.id)
    )
}

/// delete's question, naming the tokens when that fits on the line.
pub fn delete_question(names: &[String]) -> String {
    let noun = if names.len() == 1 { "token" } else { "tokens" };
    format!(
        "Delete {} {noun}: {}? This cannot be undone",
        names.len(),
        names.join(", ")
    )
}

/// Names one a line, indented, above a question about them.
pub fn listed(names: &[String]) -> String {
    names
        .iter()
        .map(|name| format!("  {name}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The short form, when the tokens are listed above the question instead.
pub fn delete_question_short(count: usize) -> String {
    let noun = if count == 1 { "token" } else { "tokens" };
    format!("Delete these {count} {noun}? This cannot be undone")
}

pub const NOTHING_DELETED: &str = "nothing deleted";

pub const NOTHING_REVOKED: &str = "nothing revoked";

pub fn deleted(name: &str) -> String {
    format!("✓ deleted {name}")
}

pub const NO_TOKENS_YET: &str = "no tokens yet: create one with 'tokenctl generate --name NAME'";

pub fn limited(shown: usize) -> String {
    format!("; the first {shown} listed (--limit)")
}

pub fn more_failing(count: usize) -> String {
    format!("{count} more tokens with recent failed attempts; see 'tokenctl log'")
}

/// `copy`'s summary: what was copied, from where to where.
pub fn copied(counts: [usize; 4], from: &str, to: &str) -> String {
    let [tokens, days, sources, events] = counts;
    format!(
        "copied {} ({} of usage, {}, {}) from {from} to {to}",
        plural(tokens as u64, "token"),
        plural(days as u64, "day"),
        plural(sources as u64, "source"),
        plural(events as u64, "event"),
    )
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// "3 tokens" / "1 token".
pub fn count(n: usize) -> String {
    if n == 1 {
        "1 token".to_owned()
    } else {
        format!("{n} tokens")
    }
}

/// The question before a bulk act at a terminal: `verb` is "revoke" or "delete".
pub fn bulk_question(verb: &str, n: usize, filters: &str) -> String {
    let mut verb = verb.to_owned();
    if let Some(first) = verb.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    format!("{verb} {} matching {filters}?", count(n))
}

/// After a dry run: what would have happened.
pub fn dry_run(verb: &str, n: usize) -> String {
    format!("dry run: {} would be {verb}; nothing was changed", count(n))
}

pub fn no_match(filters: &str) -> String {
    format!("no token matches {filters}: nothing changed")
}

pub fn bulk_needs_yes(verb: &str) -> String {
    format!(
        "{verb} with filters needs --yes when not at a terminal (it cannot ask for confirmation); \
         --dry-run shows what it would {verb}"
    )
}

pub fn refs_or_filters(verb: &str) -> String {
    format!("{verb} takes token REFs or FILTERS, not both: give one or the other")
}

pub fn nothing_to(verb: &str) -> String {
    format!(
        "{verb} needs token REFs or FILTERS (e.g. {verb} --unused-since 90d); see tokenctl {verb} --help"
    )
}
