//! Everything a person or a script reads: tables, the show and log views, JSON, colours,
//! and the escaping of untrusted text. No other module formats for a terminal.

pub mod escape;
pub mod json;
pub mod log;
pub mod messages;
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
