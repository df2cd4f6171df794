//! REF, the way a user names a token: an id, an id prefix, `prefix_id_...`, a name, or a
//! whole token (read for its id only). Pure grammar; the store looks the parts up.

use std::borrow::Cow;

use crate::token::{self, TokenId};

/// The shortest id prefix accepted: shorter ones match too many tokens to mean one.
pub const MIN_ID_PREFIX: usize = 4;

/// What a REF may mean. The store tries `id`, then `name`, then `id_prefix`, and refuses a
/// name that is also the start of another token's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference<'a> {
    /// An exact id to look up first.
    pub id: Option<&'a str>,
    /// An exact name. None for a whole token: no name may hold one (generate refuses it),
    /// and the secret must not travel further than it has to.
    pub name: Option<&'a str>,
    /// 4 to 9 characters that may start an id.
    pub id_prefix: Option<&'a str>,
    /// The REF as messages may quote it: tokens redacted, so `revoke "$TOKEN"` never
    /// echoes the secret.
    pub shown: Cow<'a, str>,
}

impl<'a> Reference<'a> {
    pub fn parse(text: &'a str) -> Reference<'a> {
        if let Some(id) = whole_token_id(text) {
            return Reference {
                id: Some(id),
                name: None,
                id_prefix: None,
                shown: token::redact(text),
            };
        }
        // `list` prints `prefix_id_...`; that form names the id (or id prefix) it shows.
        let bare = text
            .strip_suffix("_...")
            .and_then(|r| r.split_once('_').map(|(_, id)| id))
            .unwrap_or(text);
        let id_like = bare
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase());
        Reference {
            id: Some(bare),
            name: Some(text),
            id_prefix: (id_like && (MIN_ID_PREFIX..TokenId::LEN).contains(&bare.len()))
                .then_some(bare),
            shown: token::redact(text),
        }
    }

    /// The one string a lookup that takes a single key (the event log's id, name or id
    /// prefix) should use: the id of a whole token or of `prefix_id_...`, else the text.
    pub fn key(&self) -> &'a str {
        match (self.id, self.name) {
            (Some(id), None) => id,
            (Some(id), Some(_)) if TokenId::parse(id).is_some() => id,
            (_, Some(name)) => name,
            (None, None) => "",
        }
    }
}

/// The id of `text` when it is one whole token (the scanner's match with a valid check,
/// surrounding whitespace aside), as pasted from a leak.
fn whole_token_id(text: &str) -> Option<&str> {
    let trimmed = text.trim();
    let offset = text.len() - text.trim_start().len();
    let found = token::find(trimmed.as_bytes()).next()?;
    if found.start != 0 || found.end != trimmed.len() {
        return None;
    }
    let at = offset + found.id_at;
    // The id is ASCII, so these are char boundaries.
    Some(&text[at..at + TokenId::LEN])
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "tkn_4k2x9q7m1z_Zb3kQ9xLmN2pR7sT1vW4yA6cE8gJ0hK546EhtK";

    fn parts(text: &str) -> (Option<&str>, Option<&str>, Option<&str>, String) {
        let r = Reference::parse(text);
        (r.id, r.name, r.id_prefix, r.shown.into_owned())
    }

    #[test]
    fn a_whole_token_is_its_id_and_never_shown() {
        for text in [TOKEN.to_owned(), format!(" {TOKEN}\n")] {
            let r = Reference::parse(&text);
            assert_eq!(
                (r.id, r.name, r.id_prefix),
                (Some("4k2x9q7m1z"), None, None)
            );
            assert_eq!(r.shown.trim(), "tkn_4k2x9q7m1z_...");
            assert_eq!(r.key(), "4k2x9q7m1z");
        }
    }

    #[test]
    fn a_look_alike_with_a_bad_check_is_only_text() {
        let bad = format!("{}A", &TOKEN[..TOKEN.len() - 1]);
        let r = Reference::parse(&bad);
        assert_eq!(r.name, Some(bad.as_str()));
        assert_eq!(r.shown, bad);
    }

    #[test]
    fn a_token_inside_longer_text_is_a_name_shown_redacted() {
        let text = format!("x{TOKEN}y");
        let (id, name, prefix, shown) = parts(&text);
        assert_eq!(
            (id, name, prefix),
            (Some(text.as_str()), Some(text.as_str()), None)
        );
        assert_eq!(shown, "xtkn_4k2x9q7m1z_...y");
    }

    #[test]
    fn ids_prefixes_hints_and_names() {
        let id = Some("4k2x9q7m1z");
        assert_eq!(parts("4k2x9q7m1z"), (id, id, None, "4k2x9q7m1z".into()));
        assert_eq!(Reference::parse("4k2x9q7m1z").key(), "4k2x9q7m1z");
        assert_eq!(
            parts("tkn_4k2x9q7m1z_..."),
            (
                id,
                Some("tkn_4k2x9q7m1z_..."),
                None,
                "tkn_4k2x9q7m1z_...".into()
            )
        );
        assert_eq!(Reference::parse("tkn_4k2x9q7m1z_...").key(), "4k2x9q7m1z");
        assert_eq!(
            parts("4k2x"),
            (Some("4k2x"), Some("4k2x"), Some("4k2x"), "4k2x".into())
        );
        assert_eq!(parts("tkn_4k2x_...").2, Some("4k2x"));
        assert_eq!(Reference::parse("tkn_4k2x_...").key(), "tkn_4k2x_...");
        assert_eq!(parts("4k2").2, None);
        assert_eq!(parts("github-ci"), {
            let n = Some("github-ci");
            (n, n, None, "github-ci".into())
        });
        assert_eq!(parts("GitHub").2, None);
        assert_eq!(Reference::parse("github-ci").key(), "github-ci");
    }

    #[test]
    fn every_generated_token_resolves_to_its_id() {
        for prefix in ["ab", "tkn", "a1234567890bcdef"] {
            let (id, secret) = token::make(&token::Prefix::parse(prefix).unwrap()).unwrap();
            let r = Reference::parse(secret.expose());
            assert_eq!(r.id, Some(id.as_str()));
            assert!(!r.shown.contains(&secret.expose()[prefix.len() + 12..]));
        }
    }
}
