//! Token format: generation, parsing and at-rest hashing of `<prefix>_<id>_<secret><check>`.
//! Everything that knows the wire shape of a token lives here, so scanners and storage agree.

use std::fmt;

use anyhow::anyhow;
use rand::TryRngCore;
use rand::rngs::OsRng;

use crate::checksum;

pub const DEFAULT_PREFIX: &str = "tkn";

const LOWER_ALNUM: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
const ALNUM: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const SECRET_LEN: usize = 32;
/// Secret body plus check digits: the third `_`-separated field.
const TAIL_LEN: usize = SECRET_LEN + checksum::LEN;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prefix(String);

impl Prefix {
    pub fn parse(s: &str) -> Result<Prefix, String> {
        if valid_prefix(s) {
            Ok(Prefix(s.to_owned()))
        } else {
            Err(format!(
                "invalid prefix '{s}': use 2-16 characters, a lowercase letter then lowercase letters or digits"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for Prefix {
    fn default() -> Self {
        Prefix(DEFAULT_PREFIX.to_owned())
    }
}

/// `[a-z0-9]`: an id's alphabet. (A `contains` on the alphabet would be a memchr call per
/// character, 5% of `serve`'s time.)
fn lower_alnum(c: u8) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

fn valid_prefix(s: &str) -> bool {
    let b = s.as_bytes();
    (2..=16).contains(&b.len())
        && b[0].is_ascii_lowercase()
        && b[1..].iter().all(|&c| lower_alnum(c))
}

/// Public half of a token; safe to log and show.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TokenId(String);

impl TokenId {
    pub const LEN: usize = 10;

    pub fn random() -> anyhow::Result<TokenId> {
        random_chars(LOWER_ALNUM, Self::LEN).map(TokenId)
    }

    pub fn parse(s: &str) -> Option<TokenId> {
        let ok = s.len() == Self::LEN && s.bytes().all(lower_alnum);
        ok.then(|| TokenId(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TokenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The full token string. Deliberately no Display so it cannot leak through `{}`;
/// Debug prints "Secret(<redacted>)". Zeroing memory is not attempted.
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> TokenHash {
        TokenHash::of(&self.0)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// blake3 of the full token: the only form stored at rest.
/// Equality (derived `==` and `matches`) goes through `blake3::Hash`'s `PartialEq`,
/// which is constant-time, so comparisons leak no timing about the stored hash.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct TokenHash(blake3::Hash);

impl TokenHash {
    pub fn of(token: &str) -> TokenHash {
        TokenHash(blake3::hash(token.as_bytes()))
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        self.0.as_bytes()
    }

    pub fn from_slice(b: &[u8]) -> Option<TokenHash> {
        let arr: [u8; 32] = b.try_into().ok()?;
        Some(TokenHash(blake3::Hash::from_bytes(arr)))
    }

    /// Constant time (see the type docs).
    pub fn matches(&self, other: &TokenHash) -> bool {
        self.0 == other.0
    }
}

/// Uniform over `alphabet` by rejection sampling: `b % len` alone would bias the low symbols.
fn random_chars(alphabet: &[u8], n: usize) -> anyhow::Result<String> {
    let limit = 256 - 256 % alphabet.len();
    let mut out = String::with_capacity(n);
    let mut buf = [0u8; 64];
    while out.len() < n {
        OsRng
            .try_fill_bytes(&mut buf)
            .map_err(|e| anyhow!("OS random number generator failed: {e}"))?;
        for &b in buf.iter().filter(|&&b| usize::from(b) < limit) {
            if out.len() == n {
                break;
            }
            out.push(char::from(alphabet[usize::from(b) % alphabet.len()]));
        }
    }
    Ok(out)
}

/// Generate a new token.
pub fn make(prefix: &Prefix) -> anyhow::Result<(TokenId, Secret)> {
    let id = TokenId::random()?;
    let body = random_chars(ALNUM, SECRET_LEN)?;
    let secret = assemble(prefix, &id, &body);
    Ok((id, secret))
}

/// Deterministic constructor used by make and by tests/benchmarks seeding: builds the
/// full string with checksum. `secret_body` is trusted to be 32 chars of `[0-9A-Za-z]`;
/// anything else yields a string that `parse` rejects.
pub fn assemble(prefix: &Prefix, id: &TokenId, secret_body: &str) -> Secret {
    let mut s = format!("{}_{}_{}", prefix.as_str(), id.as_str(), secret_body);
    let check = checksum::checksum(s.as_bytes());
    s.extend(check.iter().map(|&c| char::from(c)));
    Secret(s)
}

/// What a caller presented, after parsing. Holds no clear secret, only its hash.
#[derive(Debug)]
pub struct Presented {
    pub prefix: String,
    pub id: TokenId,
    pub hash: TokenHash,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Malformed {
    Empty,
    Shape,
    Checksum,
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Malformed::Empty => "no token given",
            Malformed::Shape => "not a tokenctl token (expected prefix_id_secret)",
            Malformed::Checksum => "checksum mismatch (typo or truncated token)",
        })
    }
}

impl std::error::Error for Malformed {}

/// Case-insensitive ASCII prefix strip; slicing is safe because `word` is ASCII.
fn strip_word<'a>(s: &'a str, word: &str) -> Option<&'a str> {
    let head = s.as_bytes().get(..word.len())?;
    head.eq_ignore_ascii_case(word.as_bytes())
        .then(|| &s[word.len()..])
}

fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_ascii_whitespace())
}

/// Peels `Authorization:` and `Bearer` off. Both words are also valid token prefixes
/// (`bearer_...`), so each is stripped only when followed by its separator.
fn unwrap_header(input: &str) -> &str {
    let mut s = trim(input);
    if let Some(rest) = strip_word(s, "authorization")
        && let Some(rest) = rest
            .trim_start_matches(|c: char| c.is_ascii_whitespace())
            .strip_prefix(':')
    {
        s = trim(rest);
    }
    if s.eq_ignore_ascii_case("bearer") {
        return "";
    }
    if let Some(rest) = strip_word(s, "bearer")
        && rest.starts_with(|c: char| c.is_ascii_whitespace())
    {
        s = trim(rest);
    }
    s
}

/// Accepts a bare token, `Bearer <token>` or `Authorization: Bearer <token>` (scheme and
/// header name case-insensitive, any ASCII whitespace around/between). Never panics.
/// Checks the exact shape first, then the checksum; the secret is only ever borrowed.
pub fn parse(input: &str) -> Result<Presented, Malformed> {
    let token = unwrap_header(input);
    if token.is_empty() {
        return Err(Malformed::Empty);
    }
    let mut parts = token.split('_');
    let (Some(prefix), Some(id), Some(tail), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Malformed::Shape);
    };
    let id = TokenId::parse(id).ok_or(Malformed::Shape)?;
    if !valid_prefix(prefix)
        || tail.len() != TAIL_LEN
        || !tail.bytes().all(|c| c.is_ascii_alphanumeric())
    {
        return Err(Malformed::Shape);
    }
    // All ASCII from here on, so byte slicing cannot split a char.
    let (body, check) = token.split_at(token.len() - checksum::LEN);
    if checksum::checksum(body.as_bytes()) != check.as_bytes() {
        return Err(Malformed::Checksum);
    }
    Ok(Presented {
        prefix: prefix.to_owned(),
        id,
        hash: TokenHash::of(token),
    })
}

/// For display: "tkn_4k2x9q7m1z_..."
pub fn hint(prefix: &str, id: &str) -> String {
    format!("{prefix}_{id}_...")
}

/// A token found inside longer text by [`find`]: byte offsets into the haystack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    /// Where the prefix starts.
    pub start: usize,
    /// One past the last check digit.
    pub end: usize,
    /// Where the id starts (the prefix is `start..id_at - 1`).
    pub id_at: usize,
}

impl Found {
    pub fn prefix<'a>(&self, haystack: &'a [u8]) -> &'a [u8] {
        &haystack[self.start..self.id_at - 1]
    }

    pub fn id<'a>(&self, haystack: &'a [u8]) -> &'a [u8] {
        &haystack[self.id_at..self.id_at + TokenId::LEN]
    }

    /// `prefix_id_...`, the form that may be shown in place of the token.
    pub fn hint(&self, haystack: &[u8]) -> String {
        // Both parts are ASCII by construction.
        let text = |b: &[u8]| b.iter().map(|&c| char::from(c)).collect::<String>();
        hint(&text(self.prefix(haystack)), &text(self.id(haystack)))
    }
}

/// Every token in `haystack`, left to right, that matches the scanner regex
/// `[a-z][a-z0-9]{1,15}_[0-9a-z]{10}_[0-9A-Za-z]{38}` *and* carries a valid check.
/// Glued text is no disguise: in `mytkn_...` or `%3dtkn_...` each possible start of the
/// prefix is tried (longest first) until the check confirms one, so look-alikes with a bad
/// check are never reported and a real token is never missed for what precedes it.
/// Anchored on the `_` before the id, so the cost on ordinary text is one look per `_`,
/// found with memchr's SIMD search (`scan` runs this over every byte it reads).
pub fn find(haystack: &[u8]) -> impl Iterator<Item = Found> + '_ {
    let mut from = 0;
    std::iter::from_fn(move || {
        while let Some(offset) = next_underscore(haystack.get(from..)?) {
            let underscore = from + offset;
            from = underscore + 1;
            if let Some(found) = token_at(haystack, underscore) {
                from = found.end;
                return Some(found);
            }
        }
        from = haystack.len();
        None
    })
}

/// Below this length a plain loop finds the `_`: memchr's first call asks the CPU which
/// vector units it has (CPUID, a trap to the hypervisor in a VM: about 90 µs here), which
/// a `verify` that only checks its short option values must not pay.
const SHORT: usize = 256;

fn next_underscore(haystack: &[u8]) -> Option<usize> {
    if haystack.len() < SHORT {
        haystack.iter().position(|&b| b == b'_')
    } else {
        memchr::memchr(b'_', haystack)
    }
}

/// The token whose first `_` (after the prefix) is at `underscore`, if there is one.
fn token_at(h: &[u8], underscore: usize) -> Option<Found> {
    let id_at = underscore + 1;
    let tail_at = id_at + TokenId::LEN + 1;
    let end = tail_at + TAIL_LEN;
    let id = h.get(id_at..id_at + TokenId::LEN)?;
    if !id.iter().all(|&c| lower_alnum(c)) || h.get(tail_at - 1) != Some(&b'_') {
        return None;
    }
    let tail = h.get(tail_at..end)?;
    if !tail.iter().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let check = &h[end - checksum::LEN..end];
    // The run of [a-z0-9] before the `_`, at most 16 long: every letter in it may start
    // the prefix, as long as at least two characters remain.
    let mut earliest = underscore;
    while earliest > 0 && underscore - (earliest - 1) <= 16 && lower_alnum(h[earliest - 1]) {
        earliest -= 1;
    }
    (earliest..underscore.saturating_sub(1))
        .filter(|&start| h[start].is_ascii_lowercase())
        .find(|&start| checksum::checksum(&h[start..end - checksum::LEN]) == check)
        .map(|start| Found { start, end, id_at })
}

/// `text` with every token in it (see [`find`]) replaced by its `prefix_id_...` form.
/// Borrowed back unchanged when there is none, which is almost always.
pub fn redact(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut found = find(bytes).peekable();
    if found.peek().is_none() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for f in found {
        // Token bytes are ASCII, so these offsets are char boundaries.
        out.push_str(&text[last..f.start]);
        out.push_str(&f.hint(bytes));
        last = f.end;
    }
    out.push_str(&text[last..]);
    std::borrow::Cow::Owned(out)
}

/// Whether `text` holds a token anywhere (see [`find`]).
pub fn contains_token(text: &str) -> bool {
    find(text.as_bytes()).next().is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn id(s: &str) -> TokenId {
        TokenId::parse(s).unwrap()
    }

    const BODY: &str = "Zb3kQ9xLmN2pR7sT1vW4yA6cE8gJ0hK5";
    /// Checksum cross-checked with Python: zlib.crc32 -> base62 "46EhtK".
    const GOLDEN: &str = "tkn_4k2x9q7m1z_Zb3kQ9xLmN2pR7sT1vW4yA6cE8gJ0hK546EhtK";

    #[test]
    fn assemble_golden() {
        let s = assemble(&Prefix::default(), &id("4k2x9q7m1z"), BODY);
        assert_eq!(s.expose(), GOLDEN);
        let p = parse(GOLDEN).unwrap();
        assert_eq!((p.prefix.as_str(), p.id.as_str()), ("tkn", "4k2x9q7m1z"));
        assert_eq!(p.hash, s.hash());
        assert_eq!(
            p.hash.as_bytes(),
            blake3::hash(GOLDEN.as_bytes()).as_bytes()
        );
    }

    #[test]
    fn prefix_rules() {
        for ok in ["tkn", "ab", "a1", "abcdefghijklmnop", "x9y8"] {
            assert_eq!(Prefix::parse(ok).unwrap().as_str(), ok);
        }
        for bad in [
            "",
            "a",
            "1a",
            "Tkn",
            "tk_n",
            "tk-n",
            "abcdefghijklmnopq",
            "té",
        ] {
            let err = Prefix::parse(bad).unwrap_err();
            assert!(
                err.starts_with(&format!("invalid prefix '{bad}': use 2-16")),
                "{err}"
            );
        }
        assert_eq!(Prefix::default().as_str(), DEFAULT_PREFIX);
    }

    #[test]
    fn token_id_rules() {
        assert!(TokenId::parse("0123456789").is_some());
        for bad in [
            "",
            "012345678",
            "01234567890",
            "ABCDEFGHIJ",
            "abcdefghi_",
            "ééééé",
        ] {
            assert_eq!(TokenId::parse(bad), None, "{bad}");
        }
        let r = TokenId::random().unwrap();
        assert_eq!(TokenId::parse(r.as_str()), Some(r.clone()));
        assert_eq!(r.to_string(), r.as_str());
    }

    #[test]
    fn hash_bytes_round_trip() {
        let h = TokenHash::of("x");
        assert_eq!(TokenHash::from_slice(h.as_bytes()), Some(h));
        assert!(h.matches(&h));
        assert!(!h.matches(&TokenHash::of("y")));
        assert_eq!(TokenHash::from_slice(&[0; 31]), None);
        assert_eq!(TokenHash::from_slice(&[0; 33]), None);
    }

    #[test]
    fn scanner_shape_and_hint() {
        let (id, s) = make(&Prefix::default()).unwrap();
        let t = s.expose();
        assert_eq!(t.len(), 3 + 1 + 10 + 1 + 38);
        assert!(t.starts_with(&format!("tkn_{id}_")));
        assert!(t[15..].bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_eq!(hint("tkn", "4k2x9q7m1z"), "tkn_4k2x9q7m1z_...");
    }

    fn golden() -> String {
        let id = TokenId::parse("4k2x9q7m1z").unwrap();
        assemble(&Prefix::default(), &id, "Zb3kQ9xLmN2pR7sT1vW4yA6cE8gJ0hK5")
            .expose()
            .to_owned()
    }

    /// Short haystacks take a plain loop, long ones memchr: a token is found on either
    /// side of the switch, wherever it sits, among other underscores.
    #[test]
    fn find_is_the_same_below_and_above_the_short_cut() {
        let t = golden();
        for len in [SHORT - 80, SHORT - 1, SHORT, SHORT + 1, 4 * SHORT] {
            for at in [0, 7, len - t.len()] {
                let mut text = "a_".repeat(len / 2 + 1);
                text.truncate(len);
                text.replace_range(at..at + t.len(), &t);
                let found: Vec<Found> = find(text.as_bytes()).collect();
                assert_eq!(found.len(), 1, "len {len} at {at}");
                assert_eq!(found[0].start, at, "len {len}");
            }
        }
    }

    #[test]
    fn find_sees_tokens_glued_to_other_text() {
        let t = golden();
        for text in [
            t.clone(),
            format!("my{t}"),
            format!("\"{t}\""),
            format!("key={t};"),
            format!("https://x/?token%3d{t}&a=1"),
            format!("a_b_c {t}xyz"),
            format!("Bearer {t}\n"),
            format!("9{t}"),
        ] {
            let found: Vec<Found> = find(text.as_bytes()).collect();
            assert_eq!(found.len(), 1, "{text}");
            assert_eq!(&text.as_bytes()[found[0].start..found[0].end], t.as_bytes());
            assert_eq!(found[0].hint(text.as_bytes()), "tkn_4k2x9q7m1z_...");
        }
    }

    #[test]
    fn find_ignores_look_alikes_and_finds_several() {
        let t = golden();
        let mut bad = t.clone().into_bytes();
        let last = bad.len() - 1;
        bad[last] = if bad[last] == b'A' { b'B' } else { b'A' };
        let bad = String::from_utf8(bad).unwrap();
        assert_eq!(find(bad.as_bytes()).count(), 0);
        assert_eq!(find(&t.as_bytes()[..t.len() - 1]).count(), 0);
        let two = format!("{t} and {t},{bad} {t}");
        assert_eq!(find(two.as_bytes()).count(), 3);
        assert_eq!(
            redact(&two),
            format!("tkn_4k2x9q7m1z_... and tkn_4k2x9q7m1z_...,{bad} tkn_4k2x9q7m1z_...")
        );
        assert!(matches!(
            redact("no token here"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert!(contains_token(&format!("é{t}é")));
        assert_eq!(redact(&format!("é{t}é")), "étkn_4k2x9q7m1z_...é");
    }

    #[test]
    fn find_takes_every_generated_prefix() {
        for p in ["ab", "tkn", "a1234567890bcdef", "z9"] {
            let (_, secret) = make(&Prefix::parse(p).unwrap()).unwrap();
            let text = format!("xx_{}_yy", secret.expose());
            let found: Vec<Found> = find(text.as_bytes()).collect();
            assert_eq!(found.len(), 1, "{p}");
            assert_eq!(found[0].prefix(text.as_bytes()), p.as_bytes());
        }
    }

    #[test]
    fn debug_redacts_secret() {
        let (_, s) = make(&Prefix::default()).unwrap();
        let dbg = format!("{s:?}");
        assert_eq!(dbg, "Secret(<redacted>)");
        assert!(!dbg.contains(&s.expose()[15..]));
    }

    #[test]
    fn bearer_forms() {
        let want = parse(GOLDEN).unwrap().hash;
        for form in [
            format!("{GOLDEN}\r\n"),
            format!("  \t{GOLDEN} "),
            format!("Bearer {GOLDEN}"),
            format!("bearer\t {GOLDEN}\r\n"),
            format!("BEARER {GOLDEN}"),
            format!("Authorization: Bearer {GOLDEN}"),
            format!("authorization:bearer   {GOLDEN}\r\n"),
            format!(" AUTHORIZATION \t:\tBeArEr {GOLDEN}"),
        ] {
            assert_eq!(parse(&form).map(|p| p.hash), Ok(want), "{form:?}");
        }
        // `bearer` and `authorization...` are also valid prefixes; they must still parse.
        for prefix in ["bearer", "authorizationab"] {
            let s = assemble(&Prefix::parse(prefix).unwrap(), &id("0123456789"), BODY);
            assert_eq!(parse(s.expose()).unwrap().prefix, prefix);
            assert!(parse(&format!("Bearer {}", s.expose())).is_ok());
        }
    }

    #[test]
    fn malformed_kinds() {
        for empty in [
            "",
            "  \r\n",
            "Bearer",
            "Bearer  ",
            "Authorization:",
            "Authorization: Bearer \n",
        ] {
            assert_eq!(parse(empty).unwrap_err(), Malformed::Empty, "{empty:?}");
        }
        let truncated = &GOLDEN[..GOLDEN.len() - 1];
        let shapes = [
            "Basic abc",
            "tkn_abc",
            "Bearer:tkn",
            truncated,
            &format!("{GOLDEN}_"),
        ];
        for shape in shapes {
            assert_eq!(parse(shape).unwrap_err(), Malformed::Shape, "{shape:?}");
        }
        // Glued on, "Bearer" is read as part of the prefix: bad shape, or bad checksum if lowercase.
        let glued = format!("Bearer{GOLDEN}");
        assert_eq!(parse(&glued).unwrap_err(), Malformed::Shape);
        assert_eq!(
            parse(&format!("bearer{GOLDEN}")).unwrap_err(),
            Malformed::Checksum
        );
        let mut bad = GOLDEN.to_owned();
        bad.replace_range(20..21, "x");
        assert_eq!(parse(&bad).unwrap_err(), Malformed::Checksum);
        assert_eq!(
            Malformed::Checksum.to_string(),
            "checksum mismatch (typo or truncated token)"
        );
        assert_eq!(Malformed::Empty.to_string(), "no token given");
        assert!(
            Malformed::Shape
                .to_string()
                .starts_with("not a tokenctl token")
        );
    }

    /// Every byte value a typo could plausibly produce, plus non-ASCII.
    fn edit_chars() -> Vec<char> {
        let mut v: Vec<char> = (0x20u8..0x7f).map(char::from).collect();
        v.extend(['\t', '\0', 'é', '日']);
        v
    }

    fn assert_all_edits_rejected(token: &str) {
        let chars: Vec<char> = token.chars().collect();
        for i in 0..chars.len() {
            for &c in edit_chars().iter().filter(|&&c| c != chars[i]) {
                let mut v = chars.clone();
                v[i] = c;
                let s: String = v.iter().collect();
                assert!(parse(&s).is_err(), "substitution accepted: {s:?}");
            }
            let mut v = chars.clone();
            v.remove(i);
            let s: String = v.iter().collect();
            assert!(parse(&s).is_err(), "deletion accepted: {s:?}");
        }
        // Whitespace at the ends is legitimately trimmed, so insert only non-space chars.
        for i in 0..=chars.len() {
            for &c in edit_chars().iter().filter(|c| !c.is_ascii_whitespace()) {
                let mut v = chars.clone();
                v.insert(i, c);
                let s: String = v.iter().collect();
                assert!(parse(&s).is_err(), "insertion accepted: {s:?}");
            }
        }
    }

    /// The alphabets on their own, not only through the checksum: a character outside
    /// them with the checksum made to match is still not a token, to `parse` or `find`.
    #[test]
    fn characters_outside_the_alphabets_are_refused_with_a_valid_checksum() {
        let resealed = |at: usize, c: char| {
            let mut t = GOLDEN.to_owned();
            t.replace_range(at..at + 1, &c.to_string());
            let body = &t[..t.len() - checksum::LEN];
            let check = checksum::checksum(body.as_bytes());
            format!("{body}{}", std::str::from_utf8(&check).unwrap())
        };
        // In the id (lowercase and digits only) and in the secret (letters and digits).
        for t in [
            resealed(4, 'K'),
            resealed(9, '-'),
            resealed(20, '-'),
            resealed(20, '+'),
        ] {
            assert_eq!(parse(&t).unwrap_err(), Malformed::Shape, "{t}");
            assert_eq!(find(t.as_bytes()).count(), 0, "{t}");
        }
        let t = resealed(20, 'Q');
        assert!(parse(&t).is_ok(), "{t}");
        assert_eq!(find(t.as_bytes()).count(), 1, "{t}");
    }

    #[test]
    fn every_single_edit_of_golden_is_rejected() {
        assert_all_edits_rejected(GOLDEN);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn make_parse_round_trip(prefix in "[a-z][a-z0-9]{1,15}") {
            let prefix = Prefix::parse(&prefix).unwrap();
            let (id, secret) = make(&prefix).unwrap();
            let p = parse(secret.expose()).unwrap();
            prop_assert_eq!(p.prefix.as_str(), prefix.as_str());
            prop_assert_eq!(&p.id, &id);
            prop_assert!(p.hash.matches(&secret.hash()));
        }

        #[test]
        fn single_edits_rejected(prefix in "[a-z][a-z0-9]{1,15}") {
            let (_, secret) = make(&Prefix::parse(&prefix).unwrap()).unwrap();
            assert_all_edits_rejected(secret.expose());
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn parse_never_panics(s in any::<String>()) {
            let _ = parse(&s);
            let _ = redact(&s);
        }

        #[test]
        fn a_token_is_found_whatever_surrounds_it(
            before in "[a-z0-9_%=\"é ]{0,24}", after in "[A-Za-z0-9_ ]{0,8}"
        ) {
            let t = golden();
            let text = format!("{before}{t}{after}");
            prop_assert!(redact(&text).contains("tkn_4k2x9q7m1z_..."));
            prop_assert!(!redact(&text).contains(&t[15..]));
        }

        #[test]
        fn parse_never_panics_near_shape(
            s in "(?i:(authorization ?: ?)?(bearer )?)[a-zé_]{0,17}_[0-9a-z日_]{0,11}_[0-9A-Za-z\\PC]{0,40}\\s*"
        ) {
            let _ = parse(&s);
        }
    }
}
