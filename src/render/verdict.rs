//! What `verify` says: the reason for a denial (or, with -v, the success) on stderr, the
//! expiry warning, and the `{"valid", "code", "token"}` document of `verify --json`.

use serde::Serialize;

use crate::scope::Scope;
use crate::store::TokenRecord;
use crate::time::{Timestamp, relative};
use crate::verdict::Code;

use super::{escape, json};

/// One line naming the outcome and the token (never its secret).
pub fn reason(
    code: Code,
    token: Option<&TokenRecord>,
    missing: &[&Scope],
    client_ip: Option<std::net::IpAddr>,
    now: Timestamp,
) -> String {
    let when = |at: Option<Timestamp>| at.map_or_else(String::new, |at| relative(now, at));
    match (code, token) {
        (Code::Unknown, _) => "unknown token (no such id, or a wrong secret)".to_owned(),
        (Code::Revoked, Some(t)) if t.revoked_at.is_none() && t.rotated_to.is_some() => {
            format!(
                "token revoked: '{}' ({}) was rotated to {}, and its grace window ended {}",
                escape(&t.name),
                escape(&t.id),
                escape(t.rotated_to.as_deref().unwrap_or_default()),
                when(t.grace_ends_at)
            )
        }
        (Code::Revoked, Some(t)) => {
            let why = match (&t.revoke_reason, t.compromised) {
                (Some(r), true) => format!(" as compromised: {}", escape(r)),
                (Some(r), false) => format!(": {}", escape(r)),
                (None, true) => " as compromised".to_owned(),
                (None, false) => String::new(),
            };
            format!(
                "token revoked: '{}' ({}) was revoked {}{why}",
                escape(&t.name),
                escape(&t.id),
                when(t.revoked_at)
            )
        }
        (Code::Expired, Some(t)) => format!(
            "token expired: '{}' ({}) expired {}",
            escape(&t.name),
            escape(&t.id),
            when(t.expires_at)
        ),
        (Code::Exhausted, Some(t)) => format!(
            "token '{}' ({}) has used up its {} uses",
            escape(&t.name),
            escape(&t.id),
            t.usage_count
        ),
        (Code::IpNotAllowed, Some(t)) => format!(
            "token '{}' ({}) is not allowed from {}",
            escape(&t.name),
            escape(&t.id),
            client_ip.map_or_else(
                || "an unknown address (give --client-ip)".to_owned(),
                |ip| ip.to_string()
            )
        ),
        (Code::MissingScope, Some(t)) => {
            let missing: Vec<String> = missing
                .iter()
                .map(|s| escape(s.as_str()).into_owned())
                .collect();
            format!(
                "token '{}' ({}) lacks scope {}",
                escape(&t.name),
                escape(&t.id),
                missing.join(", ")
            )
        }
        (_, Some(t)) => format!("valid: '{}' ({})", escape(&t.name), escape(&t.id)),
        (_, None) => code.as_str().to_owned(),
    }
}

/// For a valid token that expires soon: CI logs should show it before deploys start failing.
pub fn expiry_warning(t: &TokenRecord, now: Timestamp) -> String {
    let at = t
        .expires_at
        .map_or_else(String::new, |at| relative(now, at));
    format!(
        "token '{}' ({}) expires {at}: generate its successor",
        escape(&t.name),
        escape(&t.id)
    )
}

#[derive(Serialize)]
pub struct Outcome<'a> {
    valid: bool,
    code: &'static str,
    /// The asked scopes the token lacks (empty unless `code` is `missing_scope`), so a
    /// script can say which without parsing stderr.
    missing_scopes: Vec<&'a str>,
    token: Option<json::TokenJson<'a>>,
}

pub fn outcome<'a>(
    code: Code,
    token: Option<&'a TokenRecord>,
    missing: &[&'a Scope],
    now: Timestamp,
) -> Outcome<'a> {
    Outcome {
        valid: code == Code::Valid,
        code: code.as_str(),
        missing_scopes: missing.iter().map(|s| s.as_str()).collect(),
        token: token.map(|t| json::token(t, now)),
    }
}

/// `verify -v` on success: what was checked, so a person sees why it passed.
pub fn valid(t: &TokenRecord, asked: &[Scope], now: Timestamp) -> String {
    let scopes = if asked.is_empty() {
        "no scope asked".to_owned()
    } else {
        let asked: Vec<String> = asked
            .iter()
            .map(|s| escape(s.as_str()).into_owned())
            .collect();
        format!("has {}", asked.join(", "))
    };
    let expiry = match t.expires_at {
        Some(at) => format!("expires {}", relative(now, at)),
        None => "never expires".to_owned(),
    };
    format!(
        "valid: '{}' ({}): active, {scopes}, {expiry}",
        escape(&t.name),
        escape(&t.id)
    )
}
