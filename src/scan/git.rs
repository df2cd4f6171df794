//! A repository's whole history: `git log --all -p --cc` streamed from the git command, the
//! lines each commit added scanned, with their path and line number from the hunk headers.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context as _, Result};

use super::{Finding, Lines, Origin};

#[derive(Debug, Default)]
pub struct History {
    pub findings: Vec<Finding>,
    pub commits: u64,
    pub bytes: u64,
}

/// Every line added by every commit reachable from any ref (branches, tags, remotes, the
/// stash), so a token committed and removed later is still found where it was added.
/// Renames are followed (`-M`), so moving a file does not report its tokens again; binary
/// files (a NUL in the first 8000 bytes, git's own test) have no lines in a patch and are
/// skipped by git itself. A merge shows only the lines it introduced itself, in none of its
/// parents (`--cc`): an "evil merge" is scanned, and what a merge merely brings in from a side
/// branch, scanned in the side's own commits, is not reported twice.
pub fn scan_history(repo: &Path) -> Result<History> {
    let empty_tree = empty_tree(repo)?;
    let mut child = Command::new("git")
        // A repository must not hide text from the scanner: attributes (`*.env -diff`, or
        // `diff=x` with `diff.x.binary`) would turn a text file into "Binary files differ".
        // Its committed .gitattributes are read from the empty tree instead of the work tree,
        // the user's and the system's files not at all (git only reads core.attributesFile).
        .arg(format!("--attr-source={empty_tree}"))
        .args(["-c", "core.attributesFile=/dev/null"])
        .env("GIT_ATTR_NOSYSTEM", "1")
        .arg("-C")
        .arg(repo)
        // The user's configuration must not change what we parse: quoting, prefixes,
        // signatures, colours, external diff drivers, blank context lines written empty,
        // hunks joined across context, a root commit shown without its diff.
        .args([
            "-c",
            "core.quotePath=false",
            "-c",
            "diff.suppressBlankEmpty=false",
            "-c",
            "diff.interHunkContext=0",
            "log",
            "--all",
            "--root",
            "--patch",
            "--cc",
            "--unified=0",
        ])
        .args([
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--find-renames",
        ])
        .args(["--src-prefix=a/", "--dst-prefix=b/", "--no-show-signature"])
        .args(["--no-relative", "--format=%x00%H"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(not_installed)?;
    // Read beside stdout, so a chatty stderr cannot fill its pipe and stall git.
    let stderr = child.stderr.take().map(|mut pipe| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    });
    let stdout = child.stdout.take().context("git's output")?;
    let parsed = parse(BufReader::with_capacity(256 << 10, stdout));
    let status = child.wait().context("waiting for git")?;
    let stderr = stderr.and_then(|t| t.join().ok()).unwrap_or_default();
    if !status.success() {
        return Err(unreadable(repo, &stderr));
    }
    parsed.with_context(|| format!("reading git's history of {}", repo.display()))
}

fn not_installed(err: std::io::Error) -> anyhow::Error {
    match err.kind() {
        std::io::ErrorKind::NotFound => {
            anyhow::anyhow!("git is not installed: --git runs the git command; install git")
        }
        _ => anyhow::Error::new(err).context("starting git"),
    }
}

fn unreadable(repo: &Path, stderr: &str) -> anyhow::Error {
    let why = stderr
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("no message")
        .trim_start_matches("fatal: ");
    anyhow::anyhow!(
        "cannot read the git history of {}: {why}: pass a repository's folder with --git",
        repo.display()
    )
}

/// The empty tree's id in the repository's hash (SHA-1 or SHA-256): git knows it without
/// storing it, so it serves as an attribute source holding no .gitattributes.
fn empty_tree(repo: &Path) -> Result<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["hash-object", "-t", "tree", "--stdin"])
        .stdin(Stdio::null())
        .output()
        .map_err(not_installed)?;
    let id = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if !out.status.success() || id.is_empty() || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(unreadable(repo, &String::from_utf8_lossy(&out.stderr)));
    }
    Ok(id)
}

/// Where the parser is in a patch.
struct Hunk {
    /// The number, in the commit's version of the file, of the next line of it.
    line: u64,
    /// Per parent (one, or a merge's several in a combined diff): its lines still to come.
    old_left: Vec<u64>,
    new_left: u64,
}

impl Hunk {
    fn open(&self) -> bool {
        self.new_left > 0 || self.old_left.iter().any(|&n| n > 0)
    }
}

/// What one line of a hunk is, by its marker columns (one per parent).
enum Row {
    /// In the commit's version of the file, and in none of the parents: what it added.
    Added,
    /// In the commit's version, and in some parent.
    Kept,
    Removed,
}

/// Reads the marker columns of a hunk line against the counts still due, or None when the
/// line does not fit them. A column's `+`: not in that parent; `-`: in that parent, not in the
/// result; space: in both (on a result line), or in neither (on a removed one).
fn row(hunk: &mut Hunk, text: &[u8]) -> Option<Row> {
    let markers = text.get(..hunk.old_left.len())?;
    if markers.contains(&b'-') {
        if markers.contains(&b'+') {
            return None;
        }
        for (m, left) in markers.iter().zip(&hunk.old_left) {
            if (*m == b'-' && *left == 0) || !matches!(m, b'-' | b' ') {
                return None;
            }
        }
        for (m, left) in markers.iter().zip(hunk.old_left.iter_mut()) {
            *left -= u64::from(*m == b'-');
        }
        return Some(Row::Removed);
    }
    if hunk.new_left == 0 {
        return None;
    }
    for (m, left) in markers.iter().zip(&hunk.old_left) {
        if (*m == b' ' && *left == 0) || !matches!(m, b'+' | b' ') {
            return None;
        }
    }
    for (m, left) in markers.iter().zip(hunk.old_left.iter_mut()) {
        *left -= u64::from(*m == b' ');
    }
    hunk.new_left -= 1;
    hunk.line += 1;
    Some(match markers.iter().all(|&m| m == b'+') {
        true => Row::Added,
        false => Row::Kept,
    })
}

/// Parses `git log -p --cc -U0 --format=%x00%H` output: plain patches, and merges' combined
/// diffs (one marker column per parent). Inside a hunk the header's counts say how many lines
/// follow, so an added line that reads like a header (`+++ x`) is content.
pub fn parse(mut input: impl BufRead) -> Result<History> {
    let mut history = History::default();
    let mut commit = String::new();
    let mut path: Option<PathBuf> = None;
    let mut hunk: Option<Hunk> = None;
    let mut line = Vec::with_capacity(4096);
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(history);
        }
        history.bytes += line.len() as u64;
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        if let Some(h) = hunk.as_mut().filter(|h| h.open()) {
            if text.first() == Some(&b'\\') {
                continue;
            }
            let at = h.line;
            match row(h, text) {
                Some(Row::Added) => {
                    if let Some(path) = &path {
                        let mut lines = Lines::starting_at(at);
                        lines.scan(&text[h.old_left.len()..], |hit| {
                            history.findings.push(Finding {
                                origin: Origin::Git {
                                    commit: commit.clone(),
                                    path: path.clone(),
                                },
                                hit,
                            })
                        });
                    }
                    continue;
                }
                Some(Row::Kept | Row::Removed) => continue,
                // Counts that do not add up: trust the line over the header.
                None => hunk = None,
            }
        } else if text.starts_with(b"\\") {
            // "\ No newline at end of file" after a hunk's last line.
            continue;
        }
        if let Some(sha) = text.strip_prefix(b"\0") {
            commit = String::from_utf8_lossy(sha).trim().to_owned();
            history.commits += 1;
            path = None;
            hunk = None;
        } else if text.starts_with(b"diff --git ") || text.starts_with(b"diff --cc ") {
            path = None;
            hunk = None;
        } else if let Some(name) = text.strip_prefix(b"+++ ") {
            path = new_path(name);
        } else if text.starts_with(b"@@") {
            hunk = hunk_header(text);
        }
    }
}

/// The path in `+++ b/src/a.rs`; None for a deletion (`+++ /dev/null`). Git quotes names
/// with unusual bytes C-style and ends one holding a space with a tab.
fn new_path(name: &[u8]) -> Option<PathBuf> {
    let name = name.strip_suffix(b"\t").unwrap_or(name);
    if name == b"/dev/null" {
        return None;
    }
    let name = match name.strip_prefix(b"\"").and_then(|n| n.strip_suffix(b"\"")) {
        Some(quoted) => unquote(quoted),
        None => name.to_vec(),
    };
    let name = name.strip_prefix(b"b/").map(<[u8]>::to_vec).unwrap_or(name);
    use std::os::unix::ffi::OsStringExt;
    Some(PathBuf::from(std::ffi::OsString::from_vec(name)))
}

/// Git's C-style quoting: `\t`, `\n`, `\"`, `\\` and octal `\303\251`.
fn unquote(quoted: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(quoted.len());
    let mut i = 0;
    while i < quoted.len() {
        let c = quoted[i];
        i += 1;
        if c != b'\\' || i == quoted.len() {
            out.push(c);
            continue;
        }
        let e = quoted[i];
        i += 1;
        match e {
            b'0'..=b'7' => {
                let mut n = u32::from(e - b'0');
                for _ in 0..2 {
                    if let Some(d @ b'0'..=b'7') = quoted.get(i) {
                        n = n * 8 + u32::from(d - b'0');
                        i += 1;
                    }
                }
                out.push(n as u8);
            }
            b'a' => out.push(7),
            b'b' => out.push(8),
            b't' => out.push(b'\t'),
            b'n' => out.push(b'\n'),
            b'v' => out.push(11),
            b'f' => out.push(12),
            b'r' => out.push(b'\r'),
            other => out.push(other),
        }
    }
    out
}

/// `@@ -12,3 +14,5 @@ context`, or a merge's `@@@ -12,3 -12,4 +14,5 @@@`: the new side's
/// first line and the counts (a missing count is 1).
fn hunk_header(text: &[u8]) -> Option<Hunk> {
    let text = std::str::from_utf8(text).ok()?;
    let mut parts = text.split(' ');
    let ats = parts.next()?;
    let parents = ats.len().checked_sub(1).filter(|&n| n > 0)?;
    if !ats.bytes().all(|b| b == b'@') {
        return None;
    }
    let range = |r: &str| -> Option<(u64, u64)> {
        match r.split_once(',') {
            Some((start, count)) => Some((start.parse().ok()?, count.parse().ok()?)),
            None => Some((r.parse().ok()?, 1)),
        }
    };
    let mut old_left = Vec::with_capacity(parents);
    for _ in 0..parents {
        old_left.push(range(parts.next()?.strip_prefix('-')?)?.1);
    }
    let (line, new_left) = range(parts.next()?.strip_prefix('+')?)?;
    Some(Hunk {
        line,
        old_left,
        new_left,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::{Prefix, TokenId, assemble};

    fn token() -> String {
        let id = TokenId::parse("4k2x9q7m1z").unwrap();
        assemble(&Prefix::default(), &id, "Zb3kQ9xLmN2pR7sT1vW4yA6cE8gJ0hK5")
            .expose()
            .to_owned()
    }

    #[test]
    fn added_lines_with_their_numbers() {
        let t = token();
        let log = format!(
            "\0aaaa\n\ndiff --git a/x b/x\nnew file mode 100644\n--- /dev/null\n+++ b/x\n@@ -0,0 +1,2 @@\n+one\n+key={t}\n\
             \0bbbb\n\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -2 +1,0 @@\n-key={t}\n@@ -5,0 +7 @@ fn f()\n++++ {t}\n\
             diff --git a/\"sp ce\" b/\"sp ce\"\n--- /dev/null\n+++ \"b/sp\\303\\251 ce\"\t\n@@ -0,0 +1 @@\n+{t}\n\\ No newline at end of file\n\
             diff --git a/gone b/gone\n--- a/gone\n+++ /dev/null\n@@ -1 +0,0 @@\n-{t}\n"
        );
        let h = parse(log.as_bytes()).unwrap();
        let got: Vec<(String, String, u64, u64)> = h
            .findings
            .iter()
            .map(|f| match &f.origin {
                Origin::Git { commit, path } => (
                    commit.clone(),
                    path.display().to_string(),
                    f.hit.line,
                    f.hit.column,
                ),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            got,
            [
                ("aaaa".into(), "x".into(), 2, 5),
                ("bbbb".into(), "x".into(), 7, 5),
                ("bbbb".into(), "spé ce".into(), 1, 1),
            ]
        );
        assert_eq!(h.commits, 2);
    }

    /// A merge's combined diff: only a line in none of the parents (`++`) is the merge's own.
    #[test]
    fn merges_report_only_what_they_introduced() {
        let t = token();
        let log = format!(
            "\0mmmm\n\ndiff --cc x\nindex 1,2..3\n--- a/x\n+++ b/x\n@@@ -2,2 -2,2 +2,3 @@@\n -S2\n +from side {t}\n- M3\n+ from main {t}\n++evil {t}\n\
             diff --cc new\n--- /dev/null\n+++ b/new\n@@@ -1,0 -1,0 +1,1 @@@\n++{t}\n"
        );
        let h = parse(log.as_bytes()).unwrap();
        let got: Vec<(String, u64, u64)> = h
            .findings
            .iter()
            .map(|f| match &f.origin {
                Origin::Git { path, .. } => (path.display().to_string(), f.hit.line, f.hit.column),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(got, [("x".into(), 4, 6), ("new".into(), 1, 1)]);
    }

    #[test]
    fn hunk_headers() {
        let h = hunk_header(b"@@ -3 +4,0 @@").unwrap();
        assert_eq!((h.line, h.old_left, h.new_left), (4, vec![1], 0));
        let h = hunk_header(b"@@@ -2,2 -2 +2,3 @@@").unwrap();
        assert_eq!((h.line, h.old_left, h.new_left), (2, vec![2, 1], 3));
        assert!(hunk_header(b"@@ nonsense").is_none());
        assert_eq!(unquote(br#"a\tb\\\"\101"#), b"a\tb\\\"A");
    }
}
