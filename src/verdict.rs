//! What a presented token's stored state means for `verify`: the outcome, in SPEC.md's
//! order of precedence, and what to record. Pure, so every rule is table-tested.

use std::net::IpAddr;

use crate::exit::Status;
use crate::net::Cidr;
use crate::scope::{self, Scope};
use crate::store::{Record, TokenRecord, TokenStatus};
use crate::time::Timestamp;
use crate::token::Presented;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    Valid,
    Malformed,
    Unknown,
    Revoked,
    Expired,
    Exhausted,
    IpNotAllowed,
    MissingScope,
}

impl Code {
    /// Every code, in the order of `index`.
    pub const ALL: [Code; 8] = [
        Code::Valid,
        Code::Malformed,
        Code::Unknown,
        Code::Revoked,
        Code::Expired,
        Code::Exhausted,
        Code::IpNotAllowed,
        Code::MissingScope,
    ];

    /// This code's place in `ALL` (exhaustive: a new code cannot be left out of a count).
    pub fn index(self) -> usize {
        match self {
            Code::Valid => 0,
            Code::Malformed => 1,
            Code::Unknown => 2,
            Code::Revoked => 3,
            Code::Expired => 4,
            Code::Exhausted => 5,
            Code::IpNotAllowed => 6,
            Code::MissingScope => 7,
        }
    }

    /// The `code` of `verify --json`: a contract with scripts.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Valid => "valid",
            Code::Malformed => "malformed",
            Code::Unknown => "unknown",
            Code::Revoked => "revoked",
            Code::Expired => "expired",
            Code::Exhausted => "exhausted",
            Code::IpNotAllowed => "ip_not_allowed",
            Code::MissingScope => "missing_scope",
        }
    }

    pub fn status(self) -> Status {
        match self {
            Code::Valid => Status::Success,
            Code::Malformed | Code::Unknown => Status::Unknown,
            Code::Revoked => Status::Revoked,
            Code::Expired => Status::Expired,
            Code::Exhausted => Status::Exhausted,
            Code::IpNotAllowed => Status::IpNotAllowed,
            Code::MissingScope => Status::MissingScope,
        }
    }
}

/// What is asked of a token, beyond the token itself: by `verify`'s flags or by `serve`
/// from an HTTP request.
#[derive(Debug, Clone, Copy, Default)]
pub struct Request<'a> {
    /// Scopes the token must cover.
    pub scopes: &'a [Scope],
    /// Where the token is presented from; `None` when unknown, which no allow-list admits.
    pub client_ip: Option<IpAddr>,
}

/// Judges the token found under the presented id: unknown (no such id, or a wrong secret),
/// then revoked, then expired, then its use limit, then the client address, then a missing
/// scope (SPEC.md's precedence). A denial of a known token (its secret
/// right) counts as a failed attempt on it; only a valid one counts as a use. A wrong
/// secret records nothing: ids are public, so anyone could mint such tokens, and each
/// recorded one would take the write lock every real verify waits for.
pub fn judge(
    found: Option<&TokenRecord>,
    presented: &Presented,
    request: &Request,
    now: Timestamp,
) -> (Code, Record) {
    let Some(token) = found else {
        return (Code::Unknown, Record::Nothing);
    };
    // Constant-time comparison of the hashes (blake3::Hash's ==).
    if !token
        .hash
        .is_some_and(|stored| stored.matches(&presented.hash))
    {
        return (Code::Unknown, Record::Nothing);
    }
    let code = match token.status(now) {
        TokenStatus::Revoked => Code::Revoked,
        TokenStatus::Expired => Code::Expired,
        TokenStatus::Active if exhausted(token) => Code::Exhausted,
        TokenStatus::Active if !address_allowed(token, request.client_ip) => Code::IpNotAllowed,
        TokenStatus::Active if !missing(token, request.scopes).is_empty() => Code::MissingScope,
        TokenStatus::Active => Code::Valid,
    };
    let record = if code == Code::Valid {
        Record::Use
    } else {
        Record::Failure
    };
    (code, record)
}

/// Whether the use limit is reached: every success counted so far used one.
pub fn exhausted(token: &TokenRecord) -> bool {
    token.max_uses.is_some_and(|max| token.usage_count >= max)
}

/// Whether a request from `client` may use the token: any address when it has no
/// allow-list; otherwise a known address inside one of its blocks. A stored block that no
/// longer parses admits nothing: fail closed.
pub fn address_allowed(token: &TokenRecord, client: Option<IpAddr>) -> bool {
    if token.allowed_cidrs.is_empty() {
        return true;
    }
    let Some(client) = client else {
        return false;
    };
    token
        .allowed_cidrs
        .iter()
        .filter_map(|c| Cidr::parse(c).ok())
        .any(|block| block.contains(client))
}

/// The asked scopes the token's scopes do not cover.
pub fn missing<'a>(token: &TokenRecord, asked: &'a [Scope]) -> Vec<&'a Scope> {
    asked
        .iter()
        .filter(|s| !scope::covers(token.scopes.iter().map(String::as_str), s))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::{Prefix, TokenHash, make, parse};

    fn at(s: &str) -> Timestamp {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    /// Counters are indexed by `index`: each code has its own slot, and `ALL` names them.
    #[test]
    fn every_code_has_its_own_slot() {
        for (i, code) in Code::ALL.iter().enumerate() {
            assert_eq!(code.index(), i, "{code:?}");
        }
    }

    fn stored(hash: TokenHash, scopes: &[&str]) -> TokenRecord {
        TokenRecord {
            id: String::new(),
            name: "t".into(),
            prefix: "tkn".into(),
            hash: Some(hash),
            description: None,
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            created_at: at("2026-01-01T00:00:00Z"),
            expires_at: Some(at("2026-02-01T00:00:00Z")),
            revoked_at: None,
            usage_count: 0,
            last_used_at: None,
            last_used_source: None,
            failed_count: 0,
            last_failed_at: None,
            revoke_reason: None,
            compromised: false,
            max_uses: None,
            allowed_cidrs: Vec::new(),
            rotated_from: None,
            rotated_to: None,
            grace_ends_at: None,
        }
    }

    #[test]
    fn precedence_and_what_is_recorded() {
        let (_, secret) = make(&Prefix::default()).unwrap();
        let presented = parse(secret.expose()).unwrap();
        let (_, other) = make(&Prefix::default()).unwrap();
        let asked = [Scope::parse("deploy:run").unwrap()];
        let now = at("2026-01-15T00:00:00Z");
        let after_expiry = at("2026-03-01T00:00:00Z");
        let mut revoked = stored(secret.hash(), &[]);
        revoked.revoked_at = Some(at("2026-01-10T00:00:00Z"));

        let cases = [
            (None, now, &asked[..], (Code::Unknown, Record::Nothing)),
            // A wrong secret for a real id: as unknown, and nothing written.
            (
                Some(stored(other.hash(), &["*"])),
                now,
                &asked[..],
                (Code::Unknown, Record::Nothing),
            ),
            // Revoked wins over expired, which wins over a missing scope.
            (
                Some(revoked),
                after_expiry,
                &asked[..],
                (Code::Revoked, Record::Failure),
            ),
            (
                Some(stored(secret.hash(), &[])),
                after_expiry,
                &asked[..],
                (Code::Expired, Record::Failure),
            ),
            (
                Some(stored(secret.hash(), &["deploy:read"])),
                now,
                &asked[..],
                (Code::MissingScope, Record::Failure),
            ),
            (
                Some(stored(secret.hash(), &["deploy:*"])),
                now,
                &asked[..],
                (Code::Valid, Record::Use),
            ),
            (
                Some(stored(secret.hash(), &[])),
                now,
                &[][..],
                (Code::Valid, Record::Use),
            ),
        ];
        for (i, (found, now, asked, want)) in cases.into_iter().enumerate() {
            assert_eq!(
                judge(
                    found.as_ref(),
                    &presented,
                    &Request {
                        scopes: asked,
                        client_ip: None
                    },
                    now
                ),
                want,
                "case {i}"
            );
        }
    }

    #[test]
    fn use_limit_then_address_then_scope() {
        let (_, secret) = make(&Prefix::default()).unwrap();
        let presented = parse(secret.expose()).unwrap();
        let now = at("2026-01-15T00:00:00Z");
        let after_expiry = at("2026-03-01T00:00:00Z");
        let ip = |s: &str| Some(crate::net::parse_ip(s).unwrap());
        let token = |max: Option<u64>, used: u64, cidrs: &[&str], scopes: &[&str]| {
            let mut t = stored(secret.hash(), scopes);
            t.max_uses = max;
            t.usage_count = used;
            t.allowed_cidrs = cidrs.iter().map(|c| c.to_string()).collect();
            t
        };
        let deploy = [Scope::parse("deploy:run").unwrap()];
        let none: [Scope; 0] = [];
        let mut revoked = token(Some(1), 1, &["10.0.0.0/8"], &[]);
        revoked.revoked_at = Some(at("2026-01-10T00:00:00Z"));
        #[rustfmt::skip]
        type Case<'a> = (TokenRecord, Timestamp, Option<IpAddr>, &'a [Scope], Code);
        let cases: Vec<Case> = vec![
            // Everything wrong: revoked first, then expired, then the limit, then the
            // address, then the scope.
            (
                revoked,
                after_expiry,
                ip("11.0.0.1"),
                &deploy,
                Code::Revoked,
            ),
            (
                token(Some(1), 1, &["10.0.0.0/8"], &[]),
                after_expiry,
                ip("11.0.0.1"),
                &deploy,
                Code::Expired,
            ),
            (
                token(Some(1), 1, &["10.0.0.0/8"], &[]),
                now,
                ip("11.0.0.1"),
                &deploy,
                Code::Exhausted,
            ),
            (
                token(Some(2), 1, &["10.0.0.0/8"], &[]),
                now,
                ip("11.0.0.1"),
                &deploy,
                Code::IpNotAllowed,
            ),
            (
                token(Some(2), 1, &["10.0.0.0/8"], &[]),
                now,
                None,
                &deploy,
                Code::IpNotAllowed,
            ),
            (
                token(Some(2), 1, &["10.0.0.0/8"], &[]),
                now,
                ip("10.0.0.1"),
                &deploy,
                Code::MissingScope,
            ),
            (
                token(Some(2), 1, &["10.0.0.0/8"], &["deploy:run"]),
                now,
                ip("10.0.0.1"),
                &deploy,
                Code::Valid,
            ),
            // The last use is a use; a limit of 0 admits none.
            (token(Some(1), 0, &[], &[]), now, None, &none, Code::Valid),
            (
                token(Some(0), 0, &[], &[]),
                now,
                None,
                &none,
                Code::Exhausted,
            ),
            (
                token(None, u64::MAX, &[], &[]),
                now,
                None,
                &none,
                Code::Valid,
            ),
            // Edges of the allow-list.
            (
                token(None, 0, &["192.0.2.7/32"], &[]),
                now,
                ip("192.0.2.7"),
                &none,
                Code::Valid,
            ),
            (
                token(None, 0, &["192.0.2.7/32"], &[]),
                now,
                ip("192.0.2.8"),
                &none,
                Code::IpNotAllowed,
            ),
            (
                token(None, 0, &["192.0.2.7/32"], &[]),
                now,
                ip("::ffff:192.0.2.7"),
                &none,
                Code::Valid,
            ),
            (
                token(None, 0, &["2001:db8::1/128"], &[]),
                now,
                ip("2001:db8::1"),
                &none,
                Code::Valid,
            ),
            (
                token(None, 0, &["2001:db8::1/128"], &[]),
                now,
                ip("2001:db8::2"),
                &none,
                Code::IpNotAllowed,
            ),
            (
                token(None, 0, &[], &[]),
                now,
                ip("2001:db8::2"),
                &none,
                Code::Valid,
            ),
            // A stored block that does not parse admits nothing.
            (
                token(None, 0, &["garbage"], &[]),
                now,
                ip("10.0.0.1"),
                &none,
                Code::IpNotAllowed,
            ),
        ];
        for (i, (found, now, client_ip, scopes, want)) in cases.into_iter().enumerate() {
            let request = Request { scopes, client_ip };
            let (code, record) = judge(Some(&found), &presented, &request, now);
            assert_eq!(code, want, "case {i}");
            let want_record = if want == Code::Valid {
                Record::Use
            } else {
                Record::Failure
            };
            assert_eq!(record, want_record, "case {i}");
        }
    }
}
