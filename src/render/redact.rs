//! The one redaction step: a token inside any text tokenctl prints (stderr, the human views,
//! JSON strings read from storage) becomes `prefix_id_...` before it is escaped or encoded.

use std::borrow::Cow;
use std::io::Write;

use serde::Serializer;

use crate::token;

/// Untrusted text made safe to print on a terminal: tokens redacted first (escaping leaves a
/// token intact, but redacting the escaped form would be matching a different string),
/// then control and invisible characters escaped. Borrows when there is nothing to do.
pub fn clean(text: &str) -> Cow<'_, str> {
    match token::redact(text) {
        Cow::Borrowed(text) => super::escape::escape(text),
        Cow::Owned(text) => Cow::Owned(super::escape::escape(&text).into_owned()),
    }
}

/// For `#[serde(serialize_with)]` on a JSON string read from storage: a token stored by an
/// older tokenctl (in a name, a description, a source) is never printed back.
pub fn json_str<S: Serializer>(text: &str, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&token::redact(text))
}

/// [`json_str`] for an optional field.
pub fn json_opt<S: Serializer>(text: &Option<&str>, s: S) -> Result<S::Ok, S::Error> {
    match text {
        Some(text) => json_str(text, s),
        None => s.serialize_none(),
    }
}

/// [`json_str`] for a list of strings.
pub fn json_all<S: Serializer>(texts: &[String], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(texts.iter().map(|t| token::redact(t)))
}

/// clap's own errors quote what was typed (`unrecognized subcommand 'tkn_...'`): printed
/// redacted, with clap's colours and to clap's stream. Help and version, which quote
/// nothing, and errors holding no token are left to clap as they are.
pub fn clap_error(err: &clap::Error) {
    if err.use_stderr() {
        let styled = err.render().ansi().to_string();
        if let Cow::Owned(redacted) = token::redact(&styled) {
            // anstream decides colours as clap's own `print` does (NO_COLOR, a terminal).
            let _ = write!(anstream::stderr(), "{redacted}");
            return;
        }
    }
    let _ = err.print();
}

/// A panic is a bug, but its message can quote any value the code held: one line on
/// stderr, redacted and escaped like every other, instead of the default hook's.
pub fn panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let _ = writeln!(
            std::io::stderr(),
            "error: tokenctl hit a bug, please report it: {}",
            clean(&info.to_string())
        );
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "tkn_4k2x9q7m1z_Zb3kQ9xLmN2pR7sT1vW4yA6cE8gJ0hK546EhtK";

    #[test]
    fn clean_redacts_then_escapes() {
        assert_eq!(
            clean(&format!("\x1b[31m{TOKEN}\n")),
            "\\x1b[31mtkn_4k2x9q7m1z_...\\n"
        );
        assert_eq!(clean(&format!("x{TOKEN}y")), "xtkn_4k2x9q7m1z_...y");
        assert!(matches!(clean("plain name"), Cow::Borrowed("plain name")));
        assert_eq!(clean("a\tb"), "a\\tb");
    }

    #[test]
    fn json_strings_are_redacted() {
        #[derive(serde::Serialize)]
        struct Doc<'a> {
            #[serde(serialize_with = "json_str")]
            name: &'a str,
            #[serde(serialize_with = "json_opt")]
            description: Option<&'a str>,
            #[serde(serialize_with = "json_opt")]
            none: Option<&'a str>,
            #[serde(serialize_with = "json_all")]
            scopes: Vec<String>,
        }
        let description = format!("see {TOKEN}");
        let doc = Doc {
            name: TOKEN,
            description: Some(&description),
            none: None,
            scopes: vec![format!("a:{TOKEN}"), "b:c".to_owned()],
        };
        assert_eq!(
            serde_json::to_string(&doc).unwrap(),
            r#"{"name":"tkn_4k2x9q7m1z_...","description":"see tkn_4k2x9q7m1z_...","none":null,"scopes":["a:tkn_4k2x9q7m1z_...","b:c"]}"#
        );
    }
}
