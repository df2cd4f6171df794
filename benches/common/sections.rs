//! BENCHMARKS.md as sections each owned by one bench (`<!-- bench:NAME:begin/end -->`):
//! a bench replaces only its own and carries every other one through, in a fixed order.

// Each bench uses only part of this module.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// The order of the sections in the file; a section not listed here goes last.
pub const ORDER: [&str; 3] = ["verify", "scan", "serve"];

pub fn begin(name: &str) -> String {
    format!("<!-- bench:{name}:begin -->")
}

pub fn end(name: &str) -> String {
    format!("<!-- bench:{name}:end -->")
}

/// The report path: `BENCH_OUT`, else BENCHMARKS.md at the crate root.
pub fn out_path() -> PathBuf {
    std::env::var_os("BENCH_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("BENCHMARKS.md"))
}

/// The sections of `old` by name, each with its markers, in file order. Text outside any
/// section before the first one is the verify bench's output from before it had markers
/// and counts as its section; other text outside sections is dropped.
fn parse(old: &str) -> Vec<(String, String)> {
    let mut sections = Vec::new();
    let mut rest = old;
    let mut first = true;
    while let Some(at) = rest.find("<!-- bench:") {
        let name = rest[at + "<!-- bench:".len()..]
            .split(':')
            .next()
            .unwrap_or("")
            .to_owned();
        let (b, e) = (begin(&name), end(&name));
        if first && !rest[..at].trim().is_empty() {
            sections.push(("verify".to_owned(), rest[..at].trim().to_owned()));
        }
        first = false;
        if !rest[at..].starts_with(&b) {
            // A stray end marker or garbage: skip past it.
            rest = &rest[at + 1..];
            continue;
        }
        match rest[at..].find(&e) {
            Some(stop) => {
                sections.push((name, rest[at..at + stop + e.len()].to_owned()));
                rest = &rest[at + stop + e.len()..];
            }
            // A section cut short keeps what it has, closed.
            None => {
                sections.push((name, format!("{}\n{e}", rest[at..].trim_end())));
                rest = "";
            }
        }
    }
    if first && !rest.trim().is_empty() {
        sections.push(("verify".to_owned(), rest.trim().to_owned()));
    }
    sections
}

/// `old` with the section `name` set to `body` (without markers), every other section
/// carried through unchanged, sections in `ORDER` (unknown ones after, in file order).
pub fn splice(old: &str, name: &str, body: &str) -> String {
    let mut sections: Vec<(String, String)> =
        parse(old).into_iter().filter(|(n, _)| n != name).collect();
    // A section that appears twice keeps its first copy.
    let mut seen = std::collections::HashSet::new();
    sections.retain(|(n, _)| seen.insert(n.clone()));
    sections.push((
        name.to_owned(),
        format!("{}\n{}\n{}", begin(name), body.trim(), end(name)),
    ));
    let rank = |n: &str| ORDER.iter().position(|o| *o == n).unwrap_or(ORDER.len());
    // Stable: unknown sections keep their relative order.
    sections.sort_by_key(|(n, _)| rank(n));
    let mut out = sections
        .into_iter()
        .map(|(_, text)| text)
        .collect::<Vec<_>>()
        .join("\n\n");
    out.push('\n');
    out
}

/// Writes `body` as the section `name` of the report, keeping the others.
pub fn write(name: &str, body: &str) -> Result<PathBuf> {
    check()?;
    let out = out_path();
    let old = match std::fs::read_to_string(&out) {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).with_context(|| format!("reading {}", out.display())),
    };
    std::fs::write(&out, splice(&old, name, body))
        .with_context(|| format!("writing {}", out.display()))?;
    Ok(out)
}

/// The splice's contract on a small file, checked before every write so a broken splice
/// cannot eat the other benches' sections.
pub fn check() -> Result<()> {
    let verify = "<!-- bench:verify:begin -->\n# v\n<!-- bench:verify:end -->";
    let scan = "<!-- bench:scan:begin -->\n## Scan\n<!-- bench:scan:end -->";
    let serve = "<!-- bench:serve:begin -->\n## serve\n<!-- bench:serve:end -->";
    let other = "<!-- bench:other:begin -->\nx\n<!-- bench:other:end -->";
    let file = format!("{scan}\n\n{other}\n\n{serve}\n\n{verify}\n");
    let cases = [
        // Each bench replaces only its own; the others are carried, in ORDER.
        (
            splice(&file, "verify", "# V"),
            format!(
                "<!-- bench:verify:begin -->\n# V\n<!-- bench:verify:end -->\n\n{scan}\n\n{serve}\n\n{other}\n"
            ),
        ),
        (
            splice(&file, "serve", "## S"),
            format!(
                "{verify}\n\n{scan}\n\n<!-- bench:serve:begin -->\n## S\n<!-- bench:serve:end -->\n\n{other}\n"
            ),
        ),
        (
            splice(&file, "scan", "## Scan"),
            format!("{verify}\n\n{scan}\n\n{serve}\n\n{other}\n"),
        ),
        // The old verify output, unmarked at the top, is carried as its section.
        (
            splice(
                &format!("# old verify\n\n{scan}\n\n{serve}\n"),
                "serve",
                "## serve",
            ),
            format!("# old verify\n\n{scan}\n\n{serve}\n"),
        ),
        (
            splice(
                &format!("# old verify\n\n{scan}\n\n{serve}\n"),
                "verify",
                "# v",
            ),
            format!("{verify}\n\n{scan}\n\n{serve}\n"),
        ),
        (splice("", "serve", "## serve"), format!("{serve}\n")),
    ];
    for (i, (got, want)) in cases.iter().enumerate() {
        if got != want {
            bail!("BENCHMARKS.md splice case {i} is wrong:\n--- got\n{got}--- want\n{want}");
        }
    }
    // Idempotent: splicing what is there changes nothing.
    let once = splice(&file, "serve", "## serve");
    if splice(&once, "serve", "## serve") != once {
        bail!("BENCHMARKS.md splice is not idempotent");
    }
    Ok(())
}

/// The targets table a section opens with: each target, what was measured, and whether it
/// holds ("yes", or a bold "no").
pub fn targets(rows: &[(String, String, bool)]) -> String {
    let mut md = String::from("| target | measured | holds |\n|---|---|---|\n");
    for (what, measured, holds) in rows {
        let holds = if *holds { "yes" } else { "**no**" };
        md.push_str(&format!("| {what} | {measured} | {holds} |\n"));
    }
    md
}
