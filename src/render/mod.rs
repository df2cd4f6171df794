//! Everything a person or a script reads: tables, the show and log views, JSON, colours,
//! and the escaping of untrusted text. No other module formats for a terminal.

pub mod escape;
pub mod json;
pub mod log;
pub mod messages;
pub mod metrics;
pub mod redact;
pub mod scan;
pub mod show;
pub mod table;
pub mod verdict;

use std::io::Write;

use console::Style;

use crate::store::TokenStatus;

/// What every untrusted text goes through before a terminal sees it: tokens redacted to
/// `prefix_id_...`, then controls escaped (see `redact::clean`).
pub use redact::clean as escape;

/// Active green, revoked yellow, expired red: the colours operators know from dashboards.
pub fn status_style(status: TokenStatus) -> Style {
    match status {
        TokenStatus::Active => Style::new().green(),
        TokenStatus::Revoked => Style::new().yellow(),
        TokenStatus::Expired => Style::new().red(),
    }
}

/// `style` applied only when this stream gets colours; decided by the caller, once.
pub fn paint(text: &str, style: &Style, color: bool) -> String {
    if color {
        style.clone().force_styling(true).apply_to(text).to_string()
    } else {
        text.to_owned()
    }
}

/// A line for a person on stderr, redacted and escaped line by line: a message may quote a
/// name, a path or a pasted token, and forgetting to escape one must not let it repaint the
/// terminal or print a secret (both steps are idempotent, so text cleaned before is unchanged). Failing to write it (stderr closed)
/// must not fail or panic the command: the data on stdout is what counts.
pub fn note(message: &str) {
    let _ = writeln!(std::io::stderr(), "{}", escape_lines(message));
}

/// A warning on stderr, in yellow where stderr gets colours.
pub fn warn(message: &str, color: bool) {
    let label = paint("warning:", &Style::new().yellow().bold(), color);
    let _ = writeln!(std::io::stderr(), "{label} {}", escape_lines(message));
}

fn escape_lines(message: &str) -> String {
    message
        .split('\n')
        .map(|line| escape(line))
        .collect::<Vec<_>>()
        .join("\n")
}

/// An event's detail for a person: escaped, with an RFC 3339 time in it ("expires
/// 2027-09-01T09:00:00Z", as the store records it) cut to its local date, which is all
/// a history line needs.
/// An event's details in words: from its structured change, or the prose an event from
/// before schema v2 carries.
pub fn event_detail(e: &crate::store::Event) -> Option<String> {
    use crate::store::Change;
    let day = |secs: i64| {
        crate::time::from_unix(secs).map_or_else(
            || secs.to_string(),
            |t| {
                t.with_timezone(&chrono::Local)
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            },
        )
    };
    let text = match e.change() {
        None => return e.detail.as_deref().map(detail),
        Some(Change::Generated {
            expires_at,
            rotated_from,
        }) => {
            // The day, as events before v2 wrote it; a grace end needs its hour.
            let date = |secs: i64| day(secs).split(' ').next().unwrap_or_default().to_owned();
            let mut text = expires_at.map_or_else(
                || "never expires".to_owned(),
                |at| format!("expires {}", date(at)),
            );
            if let Some(from) = rotated_from {
                text.push_str(&format!(", rotated from {}", escape(&from)));
            }
            text
        }
        Some(Change::Edited { field, from, to }) => {
            format!(
                "{}: {} -> {}",
                escape(&field),
                escape(&from.to_string()),
                escape(&to.to_string())
            )
        }
        Some(Change::Rotated { to, grace_ends_at }) => {
            format!(
                "to {}, old secret verifies until {}",
                escape(&to),
                day(grace_ends_at)
            )
        }
        Some(Change::Revoked {
            reason,
            compromised,
        }) => match (reason, compromised) {
            (Some(r), true) => format!("compromised: {}", escape(&r)),
            (Some(r), false) => escape(&r).into_owned(),
            (None, true) => "compromised".to_owned(),
            (None, false) => return None,
        },
        Some(Change::Restored | Change::Deleted) => return e.detail.as_deref().map(detail),
    };
    Some(text)
}

pub fn detail(text: &str) -> String {
    text.split(' ')
        .map(|word| match chrono::DateTime::parse_from_rfc3339(word) {
            Ok(t) => t
                .with_timezone(&chrono::Local)
                .format("%Y-%m-%d")
                .to_string(),
            Err(_) => escape(word).into_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `text` as one shell word, quoted only when it needs to be, for commands a message tells
/// the user to run (`tokenctl init --db '/srv/my tokens.db'`).
pub fn shell_word(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-+:@%=,".contains(&b));
    if plain {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}
