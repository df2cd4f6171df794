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
    now: Timestamp,
) -> String {
    let when = |at: Option<Timestamp>| at.map_or_else(String::new, |at| relative(now, at));
    match (code, token) {
        (Code::Unknown, _) => "unknown token (no such id, or a wrong secret)".to_owned(),
        (Code::Revoked, Some(t)) => format!(
            "token revoked: '{}' ({}) was revoked {}",
            escape(&t.name),
            escape(&t.id),
            when(t.revoked_at)
        ),
        (Code::Expired, Some(t)) => format!(
            "token expired: '{}' ({}) expired {}",
            escape(&t.name),
            escape(&t.id),
            when(t.expires_at)
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
    token: Option<json::TokenJson<'a>>,
}

pub fn outcome(code: Code, token: Option<&TokenRecord>, now: Timestamp) -> Outcome<'_> {
    Outcome {
        valid: code == Code::Valid,
        code: code.as_str(),
        token: token.map(|t| json::token(t, now)),
    }
}
