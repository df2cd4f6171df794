//! The domain rules both engines share, written once: what a REF means, what "active"
//! is in SQL, and the words of the refusals a transaction makes.

use anyhow::Result;

use super::{Store, TokenRecord};
use crate::error::{Kind, fail};
use crate::reference::Reference;

/// Resolves a REF (see `Store::resolve`) through the engine's lookups.
pub fn resolve(store: &Store, reference: &str) -> Result<TokenRecord> {
    let reference = Reference::parse(reference);
    if let Some(id) = reference.id
        && let Some(token) = store.get(id)?
    {
        return Ok(token);
    }
    let named = match reference.name {
        Some(name) => store.by_name(name)?,
        None => None,
    };
    let shown = &reference.shown;
    let mut matches = match reference.id_prefix {
        Some(bare) => store.by_id_prefix(bare, 6)?,
        None => Vec::new(),
    };
    if let Some(token) = named {
        // A name that is also the start of another token's id must not quietly win: a
        // token named after a leaked token's id prefix would absorb its `revoke`.
        if let Some(other) = matches.iter().find(|t| t.id != token.id) {
            return Err(fail(
                Kind::Ambiguous,
                format!(
                    "'{shown}' is the name of token {} and the start of token {}'s id: give the full id",
                    token.id, other.id
                ),
            ));
        }
        return Ok(token);
    }
    match matches.len() {
        0 => {}
        1 => return Ok(matches.remove(0)),
        _ => {
            let ids: Vec<&str> = matches.iter().take(5).map(|t| t.id.as_str()).collect();
            return Err(fail(
                Kind::Ambiguous,
                format!(
                    "'{shown}' matches several tokens ({}{}): give more characters of the id",
                    ids.join(", "),
                    if matches.len() > 5 { ", ..." } else { "" }
                ),
            ));
        }
    }
    Err(fail(
        Kind::NotFound,
        format!(
            "no token matches '{shown}': give an id, an id prefix of 4+ characters, or a name (see 'tokenctl list')"
        ),
    ))
}

/// The history lookup's answer: the engines return up to two `(id, name)` candidates,
/// most recent first.
pub fn one_historic(
    reference: &str,
    found: Vec<(String, String)>,
) -> Result<Option<(String, String)>> {
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one.clone())),
        [a, b, ..] => Err(fail(
            Kind::Ambiguous,
            format!(
                "'{reference}' matches the history of several tokens ({}, {}): give the full id",
                a.0, b.0
            ),
        )),
    }
}

/// "Revoked" in SQL over `tokens t`: by `revoke`, or a rotated token past its grace
/// window (`TokenRecord::status`), `now` being the placeholder of the unix time now.
pub fn revoked_sql(now: &str) -> String {
    format!("(t.revoked_at IS NOT NULL OR t.grace_ends_at <= {now})")
}

/// "Active" in SQL over `tokens t`.
pub fn active_sql(now: &str) -> String {
    format!(
        "t.revoked_at IS NULL AND (t.grace_ends_at IS NULL OR t.grace_ends_at > {now}) \
         AND (t.expires_at IS NULL OR t.expires_at > {now})"
    )
}

/// "Expired" (and not revoked, which wins) in SQL over `tokens t`.
pub fn expired_sql(now: &str) -> String {
    format!(
        "t.revoked_at IS NULL AND (t.grace_ends_at IS NULL OR t.grace_ends_at > {now}) \
         AND t.expires_at <= {now}"
    )
}

/// Revoked or expired: what `delete` may remove.
pub fn deletable_sql(now: &str) -> String {
    format!("(revoked_at IS NOT NULL OR grace_ends_at <= {now} OR expires_at <= {now})")
}

/// Revoked by `revoke`, not expired, not compromised, not rotated: what `restore` may
/// revive.
pub fn restorable_sql(now: &str) -> String {
    format!(
        "revoked_at IS NOT NULL AND NOT compromised AND rotated_to IS NULL \
         AND (expires_at IS NULL OR expires_at > {now})"
    )
}

/// The revoke statement, placeholders (id, now, reason, compromised): revokes an active
/// token, or marks an already revoked one compromised (with the reason), which only
/// tightens; anything else changes nothing and reports no change.
pub fn revoke_sql([id, now, reason, compromised]: [&str; 4]) -> String {
    format!(
        "UPDATE tokens SET
            revoke_reason = CASE WHEN revoked_at IS NULL OR {reason} IS NOT NULL
                            THEN {reason} ELSE revoke_reason END,
            revoked_at = COALESCE(revoked_at, {now}),
            compromised = (compromised OR {compromised})
         WHERE id = {id} AND (revoked_at IS NULL OR ({compromised} AND NOT compromised))"
    )
}

/// What `rotate` lays on the time `now` it read under the lock: when the old secret stops
/// verifying (never past its own expiry) and when the new token expires.
pub fn rotation_windows(
    old: &TokenRecord,
    rotation: &super::Rotation,
    now: crate::time::Timestamp,
) -> Result<(crate::time::Timestamp, Option<crate::time::Timestamp>)> {
    let out_of_range = || {
        fail(
            Kind::Refused,
            "that --grace or --expires is out of range; nothing changed".to_owned(),
        )
    };
    let mut grace_ends = rotation.grace.after(now).ok_or_else(out_of_range)?;
    if let Some(expiry) = old.expires_at {
        grace_ends = grace_ends.min(expiry.max(now));
    }
    let expires = match rotation.expires {
        Some(span) => Some(span.after(now).ok_or_else(out_of_range)?),
        None => match old.expires_at {
            Some(at) => Some(
                now.checked_add_signed(at - old.created_at)
                    .ok_or_else(out_of_range)?,
            ),
            None => None,
        },
    };
    Ok((grace_ends, expires))
}

/// `edit` on the token as it reads under the lock at `now`: the token it becomes and one
/// change per field that differs. Refuses a new expiry on an expired token (it cannot be
/// revived, as `restore` refuses) and an expiry not in the future.
pub fn apply_edit(
    old: &TokenRecord,
    edit: &super::Edit,
    now: crate::time::Timestamp,
) -> Result<(TokenRecord, Vec<super::Change>)> {
    use super::{Change, NewExpiry};
    use crate::time::rfc3339;
    use serde_json::{Value, json};
    let mut new = old.clone();
    let mut changes = Vec::new();
    let mut changed = |field: &str, from: Value, to: Value| {
        if from != to {
            changes.push(Change::Edited {
                field: field.to_owned(),
                from,
                to,
            });
        }
    };
    if let Some(name) = &edit.name {
        new.name = name.clone();
        changed("name", json!(old.name), json!(new.name));
    }
    if let Some(description) = &edit.description {
        new.description = description.clone();
        changed(
            "description",
            json!(old.description),
            json!(new.description),
        );
    }
    if !edit.add_scopes.is_empty() || !edit.remove_scopes.is_empty() {
        new.scopes.retain(|s| !edit.remove_scopes.contains(s));
        for s in &edit.add_scopes {
            if !new.scopes.contains(s) {
                new.scopes.push(s.clone());
            }
        }
        new.scopes.sort();
        changed("scopes", json!(old.scopes), json!(new.scopes));
    }
    if let Some(expiry) = edit.expires {
        if old.expires_at.is_some_and(|t| t <= now) {
            return Err(fail(
                Kind::Refused,
                format!(
                    "token {} has expired and cannot be revived; nothing changed: generate a new token",
                    old.id
                ),
            ));
        }
        new.expires_at = match expiry {
            NewExpiry::Never => None,
            NewExpiry::At(t) => Some(t),
            NewExpiry::After(span) => Some(span.after(now).ok_or_else(|| {
                fail(
                    Kind::Refused,
                    "that --expires is out of range; nothing changed".to_owned(),
                )
            })?),
        };
        if new.expires_at.is_some_and(|t| t <= now) {
            return Err(fail(
                Kind::Refused,
                "the new expiry is not in the future; nothing changed: give a later one".to_owned(),
            ));
        }
        changed(
            "expires_at",
            json!(old.expires_at.map(rfc3339)),
            json!(new.expires_at.map(rfc3339)),
        );
    }
    if let Some(max_uses) = edit.max_uses {
        new.max_uses = max_uses;
        changed("max_uses", json!(old.max_uses), json!(new.max_uses));
    }
    if let Some(cidrs) = &edit.allowed_cidrs {
        new.allowed_cidrs = cidrs.clone();
        changed(
            "allowed_cidrs",
            json!(old.allowed_cidrs),
            json!(new.allowed_cidrs),
        );
    }
    Ok((new, changes))
}

/// The stored allow-list (a JSON array of CIDRs, NULL for any address) as a list.
pub fn cidrs_from(stored: Option<String>) -> Result<Vec<String>, serde_json::Error> {
    match stored {
        None => Ok(Vec::new()),
        Some(text) => serde_json::from_str(&text),
    }
}

/// The allow-list as stored: NULL for any address, so "no list" is one value.
pub fn cidrs_to(cidrs: &[String]) -> Option<String> {
    if cidrs.is_empty() {
        None
    } else {
        serde_json::to_string(cidrs).ok()
    }
}

/// The FILTERS of a `ListQuery` as one SQL condition over `tokens t`, shared by list and
/// by the bulk revoke and delete, so what a plan shows is what the act selects. `ph(1)`
/// is the placeholder of the unix time now; text comes back as binds for `ph(2)` on, in
/// order, never inside the SQL. `glob_sql(glob, placeholder)` gives the engine's own
/// case-sensitive match of `t.name` (SQLite GLOB, PostgreSQL LIKE) and its pattern.
pub fn filter_sql(
    query: &super::ListQuery,
    ph: impl Fn(usize) -> String,
    glob_sql: impl Fn(&str, &str) -> (String, String),
) -> (String, Vec<String>) {
    use super::TokenStatus;
    use crate::time::to_unix;
    let now = ph(1);
    let mut binds: Vec<String> = Vec::new();
    let bind = |value: String, binds: &mut Vec<String>| {
        binds.push(value);
        ph(binds.len() + 1)
    };
    let mut filters: Vec<String> = Vec::new();
    match query.status {
        Some(TokenStatus::Active) => filters.push(active_sql(&now)),
        Some(TokenStatus::Revoked) => filters.push(revoked_sql(&now)),
        Some(TokenStatus::Expired) => filters.push(expired_sql(&now)),
        None => {}
    }
    if let Some(before) = query.expiring_before {
        filters.push(format!(
            // Any status: `--expiring-within 7d --status revoked` reads as both filters.
            "t.expires_at > {now} AND t.expires_at <= {}",
            to_unix(before)
        ));
    }
    if let Some(before) = query.unused_before {
        filters.push(format!(
            "coalesce(t.last_used_at, t.created_at) <= {}",
            to_unix(before)
        ));
    }
    if let Some(glob) = &query.name_glob {
        let (cond, pattern) = glob_sql(glob, &ph(binds.len() + 2));
        binds.push(pattern);
        filters.push(cond);
    }
    if let Some(scope) = &query.scope {
        let list: Vec<String> = crate::scope::covering(scope)
            .into_iter()
            .map(|g| bind(g, &mut binds))
            .collect();
        filters.push(format!(
            "EXISTS (SELECT 1 FROM token_scopes s WHERE s.token_id = t.id AND s.scope IN ({}))",
            list.join(", ")
        ));
    }
    if let Some(prefix) = &query.prefix {
        let p = bind(prefix.clone(), &mut binds);
        filters.push(format!("t.prefix = {p}"));
    }
    // The now placeholder must appear for the parameter count to match, whichever filters
    // use it (`--status revoked` alone does not).
    filters.insert(0, format!("{now} IS NOT NULL"));
    (filters.join(" AND "), binds)
}

/// A `--name` glob (`*` any run, `?` one character, all else literal) as a LIKE pattern
/// with `\` as its escape.
pub fn glob_to_like(glob: &str) -> String {
    let mut out = String::with_capacity(glob.len());
    for c in glob.chars() {
        match c {
            '*' => out.push('%'),
            '?' => out.push('_'),
            '%' | '_' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// The same glob for SQLite's GLOB, whose only other special character is `[`.
pub fn glob_to_sqlite(glob: &str) -> String {
    glob.replace('[', "[[]")
}

/// The refusals a lifecycle transaction makes after re-reading what it changed.
pub mod refuse {
    use crate::error::{Kind, fail};

    pub fn still_active(id: &str) -> anyhow::Error {
        fail(
            Kind::Tampered,
            format!(
                "token {id} still reads as active after the revoke; nothing was changed: check the database for tampering"
            ),
        )
    }

    pub fn expired_restore(id: &str) -> anyhow::Error {
        fail(
            Kind::Refused,
            format!("token {id} has expired and cannot be restored; nothing restored"),
        )
    }

    /// What `restore` never revives, whatever its state: a compromised or rotated token.
    pub fn unrestorable(token: &crate::store::TokenRecord) -> anyhow::Result<()> {
        if token.compromised {
            return Err(fail(
                Kind::Refused,
                format!(
                    "token {} was revoked as compromised and can never be restored; nothing restored: generate a new token instead",
                    token.id
                ),
            ));
        }
        if let Some(to) = &token.rotated_to {
            return Err(fail(
                Kind::Refused,
                format!(
                    "token {} was rotated to {to} and cannot be restored; nothing restored: use {to}, or rotate it",
                    token.id
                ),
            ));
        }
        Ok(())
    }

    /// What `rotate` refuses before it writes: a revoked or already rotated token.
    pub fn unrotatable(
        token: &crate::store::TokenRecord,
        now: crate::time::Timestamp,
    ) -> anyhow::Result<()> {
        if let Some(to) = &token.rotated_to {
            return Err(fail(
                Kind::Refused,
                format!(
                    "token {} was already rotated to {to}; nothing changed: rotate {to} instead",
                    token.id
                ),
            ));
        }
        if token.revoked_at.is_some() || token.status(now) == crate::store::TokenStatus::Revoked {
            return Err(fail(
                Kind::Refused,
                format!(
                    "token {} is revoked; nothing changed: restore it first, or generate a new token",
                    token.id
                ),
            ));
        }
        Ok(())
    }

    pub fn name_taken(name: &str, other: &str) -> anyhow::Error {
        fail(
            Kind::NameTaken,
            format!(
                "a token named '{}' already exists ({other}); nothing changed: choose another --name",
                crate::render::escape::escape(name)
            ),
        )
    }

    pub fn still_revoked(id: &str) -> anyhow::Error {
        fail(
            Kind::Tampered,
            format!(
                "token {id} still reads as revoked after the restore; nothing was changed: check the database for tampering"
            ),
        )
    }

    /// `outcome`: what did not happen, "nothing changed" or "nothing deleted".
    pub fn gone(id: &str, outcome: &str) -> anyhow::Error {
        fail(
            Kind::NotFound,
            format!("token {id} was deleted meanwhile; {outcome}"),
        )
    }

    pub fn active_delete(id: &str) -> anyhow::Error {
        fail(
            Kind::Refused,
            format!("token {id} is active (restored meanwhile?); nothing deleted"),
        )
    }

    pub fn still_there(id: &str) -> anyhow::Error {
        fail(
            Kind::Tampered,
            format!(
                "token {id} is still there after the delete; nothing was deleted: check the database for tampering"
            ),
        )
    }

    pub fn not_empty(target: &str, tokens: u64) -> anyhow::Error {
        let tokens = match tokens {
            1 => "1 token".to_owned(),
            n => format!("{n} tokens"),
        };
        fail(
            Kind::Refused,
            format!(
                "{target} already holds {tokens}: copy only into an empty or new database; nothing was copied"
            ),
        )
    }
}
