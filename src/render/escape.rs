//! Terminal-safe rendering of untrusted text (token names, notes, scopes read back from storage).
//! Stops escape-sequence injection and bidi/invisible-character spoofing in listings.

use std::borrow::Cow;
use std::fmt::Write;

fn needs_escape(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{1f}'
            | '\u{7f}'..='\u{9f}'
            | '\u{ad}'
            | '\u{34f}'
            | '\u{61c}'
            | '\u{115f}'..='\u{1160}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{3164}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{e0000}'..='\u{e007f}'
    )
}

/// Makes untrusted text safe to print on a terminal. ASCII controls and DEL become
/// `\t`, `\n`, `\r` or `\xNN`; C1, bidi, invisible and tag characters become
/// `\u{NNNN}`. A literal backslash is left as is, which keeps escaping idempotent: text
/// escaped once (an error quoting a name) is safe to pass through again. Borrows when
/// nothing needs escaping (the hot path).
pub fn escape(s: &str) -> Cow<'_, str> {
    let Some(first) = s.find(needs_escape) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str(&s[..first]);
    for c in s[first..].chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            // Writing to a String cannot fail.
            c if needs_escape(c) && c < '\u{80}' => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:04x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn esc(s: &str) -> String {
        escape(s).into_owned()
    }

    #[test]
    fn plain_text_is_borrowed() {
        for s in [
            "",
            "hello world",
            "café",
            "日本語",
            "a\\b",
            "emoji 🦀",
            "ünï-cödé",
        ] {
            assert!(matches!(escape(s), Cow::Borrowed(x) if x == s), "{s}");
        }
    }

    #[test]
    fn c0_and_del() {
        assert_eq!(esc("a\tb\nc\rd"), "a\\tb\\nc\\rd");
        assert_eq!(esc("\x1b[31mred"), "\\x1b[31mred");
        assert_eq!(esc("\0\x07\x08\x7f"), "\\x00\\x07\\x08\\x7f");
        assert_eq!(esc("\x1f"), "\\x1f");
    }

    #[test]
    fn c1_controls() {
        assert_eq!(
            esc("\u{80}\u{85}\u{9b}\u{9f}"),
            "\\u{0080}\\u{0085}\\u{009b}\\u{009f}"
        );
        assert_eq!(esc("\u{a0}"), "\u{a0}");
    }

    #[test]
    fn bidi_controls() {
        for c in [
            '\u{61c}', '\u{200e}', '\u{200f}', '\u{202a}', '\u{202e}', '\u{2066}', '\u{2069}',
        ] {
            assert_eq!(esc(&c.to_string()), format!("\\u{{{:04x}}}", u32::from(c)));
        }
        assert_eq!(esc("abc\u{202e}fed"), "abc\\u{202e}fed");
    }

    #[test]
    fn zero_width_and_invisible() {
        assert_eq!(
            esc("a\u{200b}b\u{200c}c\u{200d}d\u{2060}e\u{feff}"),
            "a\\u{200b}b\\u{200c}c\\u{200d}d\\u{2060}e\\u{feff}"
        );
    }

    #[test]
    fn mixed_keeps_unicode_and_backslash() {
        assert_eq!(esc("日本\x1b\\é"), "日本\\x1b\\é");
    }
}
