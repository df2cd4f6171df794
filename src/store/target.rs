//! The `--db` target, parsed once: a SQLite file or a PostgreSQL URL. A URL's password
//! never leaves this type: `Display` and `Debug` show the URL without it.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::{Kind, fail};

#[derive(Clone, PartialEq, Eq)]
pub enum Target {
    Sqlite(PathBuf),
    Postgres(PgUrl),
}

/// A `postgres://` or `postgresql://` URL, as given (with any password) and as shown.
#[derive(Clone, PartialEq, Eq)]
pub struct PgUrl {
    given: String,
    shown: String,
    password: Option<String>,
}

impl PgUrl {
    /// The URL with its password, for the connection only.
    #[allow(dead_code)]
    pub(crate) fn secret_url(&self) -> &str {
        &self.given
    }

    pub fn has_password(&self) -> bool {
        self.password.is_some()
    }

    /// `text` with the URL's password, should anything have quoted it, blanked out.
    pub fn scrub(&self, text: &str) -> String {
        match &self.password {
            Some(p) if !p.is_empty() => text.replace(p.as_str(), "***"),
            _ => text.to_owned(),
        }
    }
}

impl Target {
    /// Reads `--db`/`TOKENCTL_DB`: a `postgres://`/`postgresql://` URL, else a path.
    pub fn parse(given: &str) -> anyhow::Result<Target> {
        // A URL pasted with a stray space is still a URL, never a file named after it
        // (whose name, password and all, would be printed and suggested to `init`).
        let trimmed = given.trim();
        let lower = trimmed.get(..13).unwrap_or(trimmed).to_ascii_lowercase();
        if !(lower.starts_with("postgres:") || lower.starts_with("postgresql:")) {
            return Ok(Target::Sqlite(PathBuf::from(given)));
        }
        let given = trimmed;
        if !(lower.starts_with("postgres://") || lower.starts_with("postgresql://")) {
            return Err(fail(
                Kind::Unreachable,
                "--db starts like a PostgreSQL URL but has no // after the scheme: write postgres://USER@HOST:PORT/DATABASE",
            ));
        }
        let socket_form = with_user_in_query(given);
        let given = socket_form.as_deref().unwrap_or(given);
        let url = url::Url::parse(given).map_err(|e| {
            fail(
                Kind::Unreachable,
                format!(
                    "--db is not a valid PostgreSQL URL ({e}): write postgres://USER@HOST:PORT/DATABASE"
                ),
            )
        })?;
        let mut password = url.password().map(percent_decode);
        let mut shown = url.clone();
        let _ = shown.set_password(None);
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, v)| {
                if k == "password" {
                    password = Some(v.to_string());
                    false
                } else {
                    true
                }
            })
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        // Shown as written, unless a password pair had to come out of it.
        if url.query_pairs().any(|(k, _)| k == "password") {
            if pairs.is_empty() {
                shown.set_query(None);
            } else {
                shown.query_pairs_mut().clear().extend_pairs(pairs);
            }
        }
        Ok(Target::Postgres(PgUrl {
            given: given.to_owned(),
            shown: shown.to_string(),
            password,
        }))
    }

    /// The SQLite file, for what only files have (sharing, trust, existence).
    pub fn path(&self) -> Option<&Path> {
        match self {
            Target::Sqlite(path) => Some(path),
            Target::Postgres(_) => None,
        }
    }

    /// Whether there is something at the target to open. A server is only known by asking
    /// it, so a PostgreSQL target counts as present and opening it says what is missing.
    pub fn exists(&self) -> bool {
        match self {
            Target::Sqlite(path) => path.exists(),
            Target::Postgres(_) => true,
        }
    }

    /// The text that was given, for the check that no token hides in it; never printed.
    pub(crate) fn given(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Target::Sqlite(path) => path.to_string_lossy(),
            Target::Postgres(url) => std::borrow::Cow::Borrowed(&url.given),
        }
    }
}

/// libpq's `postgres://USER[:PASSWORD]@/DATABASE?host=/socket/dir` (user, empty host),
/// which URL parsers refuse ("empty host"), as `postgres:///DATABASE?host=...&user=USER`:
/// the same connection in a form they accept.
fn with_user_in_query(given: &str) -> Option<String> {
    let (scheme, rest) = given.split_once("://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    let userinfo = authority.strip_suffix('@')?;
    if userinfo.contains('@') {
        return None;
    }
    let (user, password) = match userinfo.split_once(':') {
        Some((u, p)) => (u, Some(p)),
        None => (userinfo, None),
    };
    let mut url = url::Url::parse(&format!("{scheme}://{path}")).ok()?;
    {
        let mut pairs = url.query_pairs_mut();
        if !user.is_empty() {
            pairs.append_pair("user", &percent_decode(user));
        }
        if let Some(p) = password {
            pairs.append_pair("password", &percent_decode(p));
        }
    }
    Some(url.to_string())
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Sqlite(path) => write!(f, "{}", path.display()),
            Target::Postgres(url) => f.write_str(&url.shown),
        }
    }
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Sqlite(path) => f.debug_tuple("Sqlite").field(path).finish(),
            Target::Postgres(url) => f.debug_tuple("Postgres").field(&url.shown).finish(),
        }
    }
}

impl fmt::Debug for PgUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_is_never_shown() {
        for given in [
            "postgres://alice:s3cr%33t@db.example:5433/tokens?sslmode=require",
            "postgresql://alice@db.example/tokens?password=s3cr3t&sslmode=require",
        ] {
            let Target::Postgres(url) = Target::parse(given).unwrap() else {
                panic!("{given} is not a PostgreSQL target");
            };
            assert!(url.has_password(), "{given}");
            let target = Target::parse(given).unwrap();
            for text in [target.to_string(), format!("{target:?}")] {
                assert!(!text.contains("s3cr"), "{text}");
                assert!(text.contains("sslmode=require"), "{text}");
            }
            assert_eq!(url.scrub("auth s3cr3t failed"), "auth *** failed");
        }
        assert!(matches!(
            Target::parse("tokens.db").unwrap(),
            Target::Sqlite(_)
        ));
        let Target::Postgres(url) = Target::parse("postgres:///tokens?host=/run/pg").unwrap()
        else {
            panic!()
        };
        assert!(!url.has_password());
    }

    #[test]
    fn a_url_with_stray_spaces_is_a_url_and_a_broken_one_is_not_echoed() {
        let Target::Postgres(url) =
            Target::parse(" postgres://u:S3cretPw@h/db\n").expect("a URL with spaces")
        else {
            panic!("taken as a SQLite path");
        };
        assert!(url.has_password());
        assert_eq!(format!("{url:?}"), "postgres://u@h/db");
        for broken in ["postgres:u:S3cretPw@h/db", " postgresql:u:S3cretPw@h/db"] {
            let err = Target::parse(broken).expect_err(broken).to_string();
            assert!(!err.contains("S3cret"), "{err}");
            assert!(err.contains("postgres://USER@HOST"), "{err}");
        }
    }

    #[test]
    fn libpqs_socket_form_with_a_user_is_accepted() {
        let Target::Postgres(url) =
            Target::parse("postgres://alice:pw%40x@/tokens?host=/run/pg&port=5433")
                .expect("user@/db?host=")
        else {
            panic!("not a PostgreSQL target");
        };
        assert!(url.has_password());
        let shown = format!("{url:?}");
        assert!(!shown.contains("pw"), "{shown}");
        assert!(
            shown.contains("user=alice") && shown.contains("host=%2Frun%2Fpg"),
            "{shown}"
        );
        let secret = url::Url::parse(url.secret_url()).unwrap();
        let pairs: Vec<(String, String)> = secret
            .query_pairs()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        assert!(
            pairs.contains(&("password".into(), "pw@x".into())),
            "{pairs:?}"
        );
        assert_eq!(secret.path(), "/tokens");
    }
}
