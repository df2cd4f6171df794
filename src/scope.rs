//! Permission scopes (`resource:action`, `resource:*`, `*`) and the rule for when grants cover a request.
//! Kept to one `:` so that matching stays a plain string comparison with no hierarchy surprises.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Scope(String);

const MAX_SEGMENT: usize = 64;

/// The grammar, for help texts and hints.
pub const GRAMMAR: &str =
    "lowercase resource:action of a-z 0-9 . _ - (unikernel:create), resource:* or *";

/// Lowercase only: `Deploy:Run` stored and `deploy:run` asked would never match, and
/// nothing on screen would say why.
fn valid_segment(s: &str) -> bool {
    (1..=MAX_SEGMENT).contains(&s.len())
        && s.bytes().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'_' | b'.' | b'-')
        })
}

impl Scope {
    pub fn parse(s: &str) -> Result<Scope, String> {
        let ok = s == "*"
            || s.split_once(':').is_some_and(|(resource, action)| {
                valid_segment(resource) && (action == "*" || valid_segment(action))
            });
        if ok {
            return Ok(Scope(s.to_owned()));
        }
        let lower = s.to_ascii_lowercase();
        if lower != s && Scope::parse(&lower).is_ok() {
            return Err(format!(
                "invalid scope '{s}': scopes are lowercase resource:action: write '{lower}'"
            ));
        }
        Err(format!(
            "invalid scope '{s}': use {GRAMMAR}; give several as --scope a:b --scope c:d or --scope a:b,c:d"
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// True when the granted scopes cover `asked`: "*" covers everything; "res:*" covers
/// "res:anything" (and "res:*"); otherwise exact equality.
pub fn covers<'a>(granted: impl IntoIterator<Item = &'a str>, asked: &Scope) -> bool {
    let asked = asked.as_str();
    granted.into_iter().any(|g| {
        g == "*"
            || g == asked
            // Keep the ':' in the compared prefix so "uni:*" does not cover "unikernel:x".
            || g.strip_suffix('*')
                .is_some_and(|res| res.ends_with(':') && asked.starts_with(res))
    })
}

/// Every granted scope that covers `asked` on its own (see `covers`): what a store looks
/// for when asked which tokens can do `asked`.
pub fn covering(asked: &Scope) -> Vec<String> {
    let asked = asked.as_str();
    let mut out = vec!["*".to_owned()];
    if let Some((resource, _)) = asked.split_once(':') {
        out.push(format!("{resource}:*"));
    }
    if !out.iter().any(|g| g == asked) {
        out.push(asked.to_owned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sc(s: &str) -> Scope {
        Scope::parse(s).unwrap()
    }

    #[test]
    fn parse_accepts_grammar() {
        for s in ["*", "unikernel:create", "a:*", "a-b_c.d:x-y_z.1"] {
            assert_eq!(sc(s).as_str(), s);
            assert_eq!(sc(s).to_string(), s);
        }
        let long = "r".repeat(64);
        assert!(Scope::parse(&format!("{long}:{long}")).is_ok());
    }

    #[test]
    fn parse_rejects() {
        let long = "r".repeat(65);
        let bad = [
            "",
            "**",
            "a",
            ":",
            "a:",
            ":b",
            "*:a",
            "a*:b",
            "a:b*",
            "a:b:c",
            "a b:c",
            "a:b ",
            "é:x",
            "a:*x",
            "a/b:c",
            "Deploy:run",
            "deploy:RUN",
            &format!("{long}:x"),
            &format!("x:{long}"),
        ];
        for s in bad {
            let err = Scope::parse(s).unwrap_err();
            assert!(
                err.starts_with(&format!("invalid scope '{s}'")),
                "{s}: {err}"
            );
            assert!(err.contains("resource:action"));
        }
    }

    #[test]
    fn uppercase_gets_the_lowercase_spelling_as_a_hint() {
        let err = Scope::parse("Deploy:Run").unwrap_err();
        assert!(err.contains("write 'deploy:run'"), "{err}");
    }

    #[test]
    fn covers_table() {
        let cases: &[(&[&str], &str, bool)] = &[
            (&["*"], "unikernel:create", true),
            (&["*"], "*", true),
            (&["*"], "a:*", true),
            (&["unikernel:*"], "unikernel:create", true),
            (&["unikernel:*"], "unikernel:*", true),
            (&["unikernel:*"], "volume:create", false),
            (&["unikernel:*"], "*", false),
            (&["uni:*"], "unikernel:create", false),
            (&["unikernel:create"], "unikernel:create", true),
            (&["unikernel:create"], "unikernel:destroy", false),
            (&["unikernel:create"], "unikernel:*", false),
            (&["unikernel:create"], "*", false),
            (&["Unikernel:create"], "unikernel:create", false),
            (&[], "unikernel:create", false),
            (&["a:b", "c:*"], "c:d", true),
            (&["a:b", "c:*"], "a:c", false),
            (&["unikernel:cr"], "unikernel:create", false),
        ];
        for (granted, asked, want) in cases {
            let got = covers(granted.iter().copied(), &sc(asked));
            assert_eq!(got, *want, "{granted:?} covers {asked}");
        }
    }

    #[test]
    fn covers_accepts_owned_strings() {
        let granted = [String::from("a:*")];
        assert!(covers(granted.iter().map(String::as_str), &sc("a:b")));
    }

    #[test]
    fn covering_lists_exactly_the_grants_that_cover() {
        let grants = ["*", "a:*", "a:b", "a:c", "ab:*", "b:*", "b:a"];
        for asked in ["a:b", "a:*", "*", "b:a", "z:z"] {
            let asked = sc(asked);
            let mut want: Vec<&str> = grants
                .iter()
                .copied()
                .filter(|g| covers([*g], &asked))
                .collect();
            let listed = covering(&asked);
            let mut got: Vec<&str> = grants
                .iter()
                .copied()
                .filter(|g| listed.iter().any(|l| l == g))
                .collect();
            want.sort();
            got.sort();
            assert_eq!(got, want, "{asked}");
        }
    }
}
