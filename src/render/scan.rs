//! `scan`'s findings: lines in ripgrep's style for people, one JSON document for scripts,
//! SARIF 2.1.0 for code-scanning services. Only the `prefix_id_...` form is ever written.

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

use anyhow::Result;
use console::Style;
use serde_json::{Value, json};

use super::{escape, json as tokjson, note, paint, warn};
use crate::scan::{Finding, Origin, Revocation, Standing};
use crate::store::TokenStatus;
use crate::time::Timestamp;
use crate::token;

/// Everything a scan ends with, for any of the formats.
pub struct Report<'a> {
    pub findings: &'a [Finding],
    /// One per finding.
    pub standings: &'a [Standing],
    /// The database asked; None when there was none to ask.
    pub database: Option<&'a Path>,
    pub revocations: &'a [Revocation],
    pub dry_run: bool,
    pub files: u64,
    pub binary: u64,
    /// With --git: how many commits were read.
    pub commits: Option<u64>,
    pub now: Timestamp,
}

/// A path as it may be shown: lossy UTF-8, any token in the name itself redacted, and
/// escaped, since a file name is text anyone could have chosen.
fn shown_path(path: &Path) -> String {
    let text = path.to_string_lossy();
    escape(&token::redact(&text)).into_owned()
}

/// Where a finding is, without the column: `src/a.rs:3`, `<stdin>:3`,
/// `1a2b3c4d5e6f:src/a.rs:3`. Also the place a `--revoke` records in the event.
pub fn place(finding: &Finding) -> String {
    format!("{}:{}", origin(&finding.origin), finding.hit.line)
}

fn origin(origin: &Origin) -> String {
    match origin {
        Origin::File(path) => shown_path(path),
        Origin::Stdin => "<stdin>".to_owned(),
        Origin::Git { commit, path } => {
            format!("{}:{}", short(commit), shown_path(path))
        }
    }
}

fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}

/// What the database says, in words: `active 'github-ci'`, `not in this database`.
fn standing_words(standing: &Standing) -> String {
    match standing {
        Standing::Known(t, status) => format!("{} '{}'", status.as_str(), escape(&t.name)),
        Standing::Deleted { name } => format!("deleted '{}'", escape(name)),
        Standing::Unknown => "not in this database".to_owned(),
        Standing::Unchecked => "not checked (no database)".to_owned(),
    }
}

fn standing_style(standing: &Standing) -> Style {
    match standing {
        Standing::Known(_, TokenStatus::Active) => Style::new().red().bold(),
        Standing::Unchecked => Style::new().yellow().bold(),
        Standing::Known(..) | Standing::Deleted { .. } => Style::new().dim(),
        Standing::Unknown => Style::new(),
    }
}

/// ripgrep's two faces: at a terminal (`heading`), each file's name once above its
/// findings; piped, `path:line:col:` on every line, for grep, editors and scripts.
pub fn human(out: &mut dyn Write, report: &Report, heading: bool, color: bool) -> Result<()> {
    let path_style = Style::new().magenta();
    let number_style = Style::new().green();
    let mut last: Option<&Origin> = None;
    for (finding, standing) in report.findings.iter().zip(report.standings) {
        let at = format!("{}:{}", finding.hit.line, finding.hit.column);
        let what = format!(
            "{} {}",
            paint(&finding.hit.hint(), &Style::new().bold(), color),
            paint(&standing_words(standing), &standing_style(standing), color)
        );
        let here = origin(&finding.origin);
        if heading {
            if last != Some(&finding.origin) {
                if last.is_some() {
                    writeln!(out)?;
                }
                writeln!(out, "{}", paint(&here, &path_style, color))?;
            }
            writeln!(out, "{}: {what}", paint(&at, &number_style, color))?;
        } else {
            writeln!(
                out,
                "{}:{}: {what}",
                paint(&here, &path_style, color),
                paint(&at, &number_style, color)
            )?;
        }
        last = Some(&finding.origin);
    }
    Ok(())
}

/// The closing lines on stderr: what was scanned and found, and what to do about it.
pub fn summary(report: &Report, color: bool) {
    let scanned = match report.commits {
        Some(n) => plural(n, "commit"),
        None if report.binary > 0 => format!(
            "{} ({} skipped)",
            plural(report.files, "file"),
            plural(report.binary, "binary file")
        ),
        None => plural(report.files, "file"),
    };
    if report.findings.is_empty() {
        note(&format!("no tokens found in {scanned}"));
        return;
    }
    let mut seen = HashSet::new();
    let mut counts: Vec<(&str, u64)> = Vec::new();
    for (f, s) in report.findings.iter().zip(report.standings) {
        if !seen.insert((&f.hit.id, f.hit.hash.as_bytes())) {
            continue;
        }
        // Worst first: what needs acting on leads the line.
        let label = match s {
            Standing::Known(_, TokenStatus::Active) => "live",
            Standing::Unchecked => "not checked",
            Standing::Unknown => "not in this database",
            Standing::Known(_, TokenStatus::Revoked) => "revoked",
            Standing::Known(_, TokenStatus::Expired) => "expired",
            Standing::Deleted { .. } => "deleted",
        };
        match counts.iter_mut().find(|(l, _)| *l == label) {
            Some((_, n)) => *n += 1,
            None => counts.push((label, 1)),
        }
    }
    const ORDER: [&str; 6] = [
        "live",
        "not checked",
        "not in this database",
        "revoked",
        "expired",
        "deleted",
    ];
    counts.sort_by_key(|(l, _)| ORDER.iter().position(|o| o == l));
    let breakdown: Vec<String> = counts.iter().map(|(l, n)| format!("{n} {l}")).collect();
    note(&format!(
        "{} found ({}) in {scanned}: {}",
        plural(seen.len() as u64, "token"),
        plural(report.findings.len() as u64, "place"),
        breakdown.join(", ")
    ));
    let live = report.standings.iter().any(Standing::is_live);
    if live && report.revocations.is_empty() {
        warn(
            "a live token is out: revoke it now ('tokenctl revoke ID', or run this scan again with --revoke), then remove it; it stays in every clone of the history",
            color,
        );
    }
}

/// On stderr, in every format: a scan that could not check is not a clean scan.
pub fn unchecked_warning(report: &Report, db: &Path, color: bool) {
    let unchecked = |s: &&Standing| matches!(s, Standing::Unchecked);
    let count = report.standings.iter().filter(unchecked).count();
    if count == 0 {
        return;
    }
    warn(
        &format!(
            "no database at {}: {} could not be checked, so each counts as live; pass --db or set TOKENCTL_DB to the database that issued them",
            shown_path(db),
            plural(count as u64, "token"),
        ),
        color,
    );
}

/// What `--revoke` did, or with `--dry-run` would do, on stderr.
pub fn revocations(report: &Report, asked: bool) {
    // Unchecked ones have had their warning: they cannot be revoked without a database.
    let unchecked = report
        .standings
        .iter()
        .any(|s| matches!(s, Standing::Unchecked));
    if asked && report.revocations.is_empty() && !unchecked {
        note("no live token to revoke");
    }
    for r in report.revocations {
        let what = format!("'{}' ({})", escape(&r.token.name), r.token.id);
        let at = revoke_detail(&report.findings[r.first], r.places);
        if report.dry_run {
            note(&format!("would revoke {what}, {at}"));
        } else if r.changed {
            note(&format!("✓ revoked {what}, {at}"));
        } else {
            note(&format!("· {what} was revoked meanwhile, {at}"));
        }
    }
    if report.dry_run && !report.revocations.is_empty() {
        note("dry run: nothing was changed");
    }
}

/// `found at src/a.rs:3 (and 2 more places)`: what the revoke event records.
pub fn revoke_detail(first: &Finding, places: usize) -> String {
    match places {
        0 | 1 => format!("found at {}", place(first)),
        2 => format!("found at {} (and 1 more place)", place(first)),
        n => format!("found at {} (and {} more places)", place(first), n - 1),
    }
}

fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn status_key(standing: &Standing) -> &'static str {
    match standing {
        Standing::Known(_, status) => status.as_str(),
        Standing::Deleted { .. } => "deleted",
        Standing::Unknown => "unknown",
        Standing::Unchecked => "unchecked",
    }
}

/// `{"findings": [...], "live": N, "blocking": N, "database": ..., "revoked": [...]}`.
/// Keys are a contract: add, never rename.
pub fn json(out: &mut dyn Write, report: &Report) -> Result<()> {
    let findings: Vec<Value> = report
        .findings
        .iter()
        .zip(report.standings)
        .map(|(f, s)| {
            let (source, path, commit) = match &f.origin {
                Origin::File(p) => ("file", Some(lossy(p)), None),
                Origin::Stdin => ("stdin", None, None),
                Origin::Git { commit, path } => ("git", Some(lossy(path)), Some(commit.clone())),
            };
            let (name, record) = match s {
                Standing::Known(t, _) => {
                    (Some(t.name.clone()), Some(tokjson::token(t, report.now)))
                }
                Standing::Deleted { name } => (Some(name.clone()), None),
                Standing::Unknown | Standing::Unchecked => (None, None),
            };
            json!({
                "source": source,
                "path": path,
                "commit": commit,
                "line": f.hit.line,
                "column": f.hit.column,
                "hint": f.hit.hint(),
                "prefix": f.hit.prefix,
                "id": f.hit.id,
                "status": status_key(s),
                "live": s.is_live(),
                "blocking": s.blocks(),
                "name": name,
                "token": record,
            })
        })
        .collect();
    let revoked: Vec<Value> = report
        .revocations
        .iter()
        .map(|r| {
            json!({
                "id": r.token.id,
                "name": r.token.name,
                "found_at": place(&report.findings[r.first]),
                "places": r.places,
                "changed": r.changed,
            })
        })
        .collect();
    let doc = json!({
        "findings": findings,
        "live": report.standings.iter().filter(|s| s.is_live()).count(),
        "blocking": report.standings.iter().filter(|s| s.blocks()).count(),
        "database": report.database.map(lossy),
        "files": report.commits.is_none().then_some(report.files),
        "binary_skipped": report.commits.is_none().then_some(report.binary),
        "commits": report.commits,
        "revoked": revoked,
        "dry_run": report.dry_run,
    });
    tokjson::write(out, &doc)
}

/// JSON strings carry any text safely; the path is still redacted like everything else.
fn lossy(path: &Path) -> String {
    token::redact(&path.to_string_lossy()).into_owned()
}

/// The rules a SARIF result points at, in `ruleIndex` order.
const RULES: &[(&str, &str, &str, &str, &str)] = &[
    (
        "tokenctl/live-token",
        "LiveToken",
        "error",
        "9.0",
        "A token that still works is in the code: revoke it ('tokenctl revoke ID' or 'tokenctl scan --revoke'), then remove it from the code and its history.",
    ),
    (
        "tokenctl/unchecked-token",
        "UncheckedToken",
        "error",
        "7.0",
        "A tokenctl token is in the code and no database was reachable to tell whether it works: run the scan with --db pointing at the database that issued it.",
    ),
    (
        "tokenctl/foreign-token",
        "ForeignToken",
        "warning",
        "5.0",
        "A well-formed tokenctl token that this database did not issue: check it with the database that did.",
    ),
    (
        "tokenctl/dead-token",
        "DeadToken",
        "note",
        "1.0",
        "A revoked, expired or deleted token is in the code: it no longer works; remove it.",
    ),
];

fn rule_of(standing: &Standing) -> usize {
    match standing {
        Standing::Known(_, TokenStatus::Active) => 0,
        Standing::Unchecked => 1,
        Standing::Unknown => 2,
        Standing::Known(..) | Standing::Deleted { .. } => 3,
    }
}

/// SARIF 2.1.0 as GitHub code scanning reads it: rules with a level and a
/// security-severity, results with a region, and a fingerprint per token and file so an
/// alert survives its line moving.
pub fn sarif(out: &mut dyn Write, report: &Report) -> Result<()> {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|(id, name, level, severity, help)| {
            json!({
                "id": id,
                "name": name,
                "shortDescription": {"text": help.split(':').next().unwrap_or(help)},
                "fullDescription": {"text": help},
                "help": {"text": help},
                "defaultConfiguration": {"level": level},
                "properties": {"tags": ["security", "secret"], "security-severity": severity},
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .zip(report.standings)
        .map(|(f, s)| {
            let index = rule_of(s);
            let (uri, base, commit) = match &f.origin {
                Origin::File(p) => {
                    let (uri, base) = file_uri(p);
                    (uri, base, None)
                }
                Origin::Stdin => ("stdin".to_owned(), None, None),
                Origin::Git { commit, path } => {
                    (relative_uri(path), Some("%SRCROOT%"), Some(commit.as_str()))
                }
            };
            let mut artifact = json!({"uri": uri});
            if let Some(base) = base {
                artifact["uriBaseId"] = json!(base);
            }
            let mut text = format!("{} {}", f.hit.hint(), sarif_words(s));
            if let Some(commit) = commit {
                text.push_str(&format!(" (added in commit {commit})"));
            }
            let fingerprint =
                blake3::hash(format!("{}\0{}_{}", uri, f.hit.prefix, f.hit.id).as_bytes());
            json!({
                "ruleId": RULES[index].0,
                "ruleIndex": index,
                "level": RULES[index].2,
                "message": {"text": text},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": artifact,
                        "region": {
                            "startLine": f.hit.line,
                            "startColumn": f.hit.utf16_column,
                            "endColumn": f.hit.utf16_column + token_len(f),
                        },
                    },
                }],
                "partialFingerprints": {"tokenctlToken/v1": &fingerprint.to_hex()[..32]},
                "properties": {"tokenId": f.hit.id, "status": status_key(s), "commit": commit},
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "tokenctl",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    });
    tokjson::write(out, &doc)
}

/// Length of the token on the line: prefix, `_`, id, `_`, secret and check, all ASCII.
fn token_len(f: &Finding) -> u64 {
    (f.hit.prefix.len() + 1 + f.hit.id.len() + 1 + 38) as u64
}

fn sarif_words(standing: &Standing) -> String {
    match standing {
        Standing::Known(t, TokenStatus::Active) => format!(
            "is a live token ('{}'): revoke it (tokenctl revoke {}) and remove it",
            t.name, t.id
        ),
        Standing::Known(t, status) => format!("is {} ('{}'): remove it", status.as_str(), t.name),
        Standing::Deleted { name } => format!("was deleted ('{name}'): remove it"),
        Standing::Unknown => "is a tokenctl token not in this database".to_owned(),
        Standing::Unchecked => {
            "is a tokenctl token that could not be checked (no database)".to_owned()
        }
    }
}

/// A relative path as a URI reference under `%SRCROOT%`; an absolute one as `file://`.
fn file_uri(path: &Path) -> (String, Option<&'static str>) {
    if path.is_absolute() {
        (format!("file://{}", percent(&lossy(path))), None)
    } else {
        (relative_uri(path), Some("%SRCROOT%"))
    }
}

fn relative_uri(path: &Path) -> String {
    let text = lossy(path);
    percent(text.strip_prefix("./").unwrap_or(&text))
}

/// RFC 3986: everything but unreserved characters and `/` percent-encoded.
fn percent(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::Hit;
    use crate::token::TokenHash;

    fn finding(origin: Origin, line: u64) -> Finding {
        Finding {
            origin,
            hit: Hit {
                line,
                column: 9,
                utf16_column: 9,
                prefix: "tkn".into(),
                id: "4k2x9q7m1z".into(),
                hash: TokenHash::of("x"),
            },
        }
    }

    fn report<'a>(findings: &'a [Finding], standings: &'a [Standing]) -> Report<'a> {
        Report {
            findings,
            standings,
            database: None,
            revocations: &[],
            dry_run: false,
            files: 2,
            binary: 0,
            commits: None,
            now: chrono::Utc::now(),
        }
    }

    #[test]
    fn heading_at_a_terminal_and_a_line_each_when_piped() {
        let findings = [
            finding(Origin::File("a b.txt".into()), 3),
            finding(Origin::File("a b.txt".into()), 7),
            finding(
                Origin::Git {
                    commit: "0123456789abcdef0123".into(),
                    path: "x\x1b[2J".into(),
                },
                1,
            ),
        ];
        let standings = [Standing::Unknown, Standing::Unchecked, Standing::Unknown];
        let r = report(&findings, &standings);
        let mut tty = Vec::new();
        human(&mut tty, &r, true, false).unwrap();
        assert_eq!(
            String::from_utf8(tty).unwrap(),
            "a b.txt\n3:9: tkn_4k2x9q7m1z_... not in this database\n7:9: tkn_4k2x9q7m1z_... not checked (no database)\n\n\
             0123456789ab:x\\x1b[2J\n1:9: tkn_4k2x9q7m1z_... not in this database\n"
        );
        let mut piped = Vec::new();
        human(&mut piped, &r, false, false).unwrap();
        let piped = String::from_utf8(piped).unwrap();
        assert!(piped.starts_with("a b.txt:3:9: tkn_4k2x9q7m1z_... not in this database\n"));
        assert!(
            piped
                .ends_with("0123456789ab:x\\x1b[2J:1:9: tkn_4k2x9q7m1z_... not in this database\n")
        );
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(
            relative_uri(Path::new("./dir/a b%.txt")),
            "dir/a%20b%25.txt"
        );
        assert_eq!(file_uri(Path::new("/tmp/é")).0, "file:///tmp/%C3%A9");
        assert_eq!(file_uri(Path::new("src/x")).1, Some("%SRCROOT%"));
    }
}
