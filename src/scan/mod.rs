//! Finding leaked tokens: where each one `token::find` sees in bytes sits (line, column),
//! and the walkers that feed it files, stdin (`files`) and every commit of a repository (`git`).

pub mod files;
pub mod git;

use std::path::PathBuf;

use crate::store::{TokenRecord, TokenStatus};
use crate::token::{self, TokenHash};

/// Where a token was found.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Origin {
    File(PathBuf),
    Stdin,
    /// A line a commit added; `path` is relative to the repository's top folder.
    Git {
        commit: String,
        path: PathBuf,
    },
}

/// A token in the text: never the secret, only what may be shown and its hash to look up.
#[derive(Debug, Clone)]
pub struct Hit {
    /// 1-based.
    pub line: u64,
    /// 1-based, in bytes from the start of the line (as ripgrep counts).
    pub column: u64,
    /// 1-based, in UTF-16 code units: the column SARIF readers count by default.
    pub utf16_column: u64,
    pub prefix: String,
    pub id: String,
    pub hash: TokenHash,
}

impl Hit {
    /// `prefix_id_...`.
    pub fn hint(&self) -> String {
        token::hint(&self.prefix, &self.id)
    }
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub origin: Origin,
    pub hit: Hit,
}

/// What the database says about a found token.
#[derive(Debug, Clone)]
pub enum Standing {
    /// In the database, with the same secret: active, revoked or expired.
    Known(Box<TokenRecord>, TokenStatus),
    /// Its id is in the history of this database, but the token was deleted.
    Deleted { name: String },
    /// A well-formed token this database never issued (or whose secret differs).
    Unknown,
    /// No database to ask.
    Unchecked,
}

impl Standing {
    /// Whether the finding fails the scan: a token that still works, or one nobody could
    /// show does not.
    pub fn blocks(&self) -> bool {
        matches!(
            self,
            Standing::Known(_, TokenStatus::Active) | Standing::Unchecked
        )
    }

    pub fn is_live(&self) -> bool {
        matches!(self, Standing::Known(_, TokenStatus::Active))
    }
}

/// A live token `--revoke` acts on: the first of its findings, in how many places it was
/// found, and whether revoking changed it (not in a dry run, nor when it was revoked
/// meanwhile).
#[derive(Debug, Clone)]
pub struct Revocation {
    pub token: TokenRecord,
    pub first: usize,
    pub places: usize,
    pub changed: bool,
}

/// What a scan found, and what it read.
#[derive(Default)]
pub struct Scanned {
    /// In path order (files), or in git's order (newest commit first).
    pub findings: Vec<Finding>,
    /// Files and folders that could not be read, one line each.
    pub errors: Vec<String>,
    pub files: u64,
    pub binary: u64,
    /// With `git`: how many commits were read.
    pub commits: Option<u64>,
}

/// Scans `paths` (`-` is stdin; none: stdin when it is piped, else `.`), or with `git`
/// the history of the repositories at `paths` (none: `.`).
pub fn gather(paths: &[PathBuf], git: bool, ignore_rules: bool) -> anyhow::Result<Scanned> {
    let mut scanned = Scanned::default();
    if git {
        let repos = if paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            paths.to_vec()
        };
        let mut commits = 0;
        for repo in &repos {
            let history = git::scan_history(repo)?;
            commits += history.commits;
            scanned.findings.extend(history.findings);
        }
        scanned.commits = Some(commits);
        return Ok(scanned);
    }
    let implicit = paths.is_empty();
    let (stdin, paths): (Vec<&PathBuf>, Vec<&PathBuf>) =
        paths.iter().partition(|p| p.as_os_str() == "-");
    if !stdin.is_empty() || (implicit && stdin_is_data()) {
        let mut buf = Vec::new();
        let mut input = std::io::stdin().lock();
        files::scan_reader(&mut input, false, &mut buf, |hit| {
            scanned.findings.push(Finding {
                origin: Origin::Stdin,
                hit,
            })
        })?;
        scanned.files += 1;
        if implicit {
            return Ok(scanned);
        }
    }
    let paths: Vec<PathBuf> = match implicit {
        true => vec![PathBuf::from(".")],
        false => paths.into_iter().cloned().collect(),
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let options = files::Options {
        ignore_rules,
        threads,
        strip_dot: implicit,
    };
    let walked = files::scan_paths(&paths, &options);
    scanned.findings.extend(walked.findings);
    scanned.errors = walked.errors;
    scanned.files += walked.files;
    scanned.binary = walked.binary;
    Ok(scanned)
}

/// Stdin is read when it is a pipe or a file, as ripgrep decides: a terminal or /dev/null
/// (cron, CI runners) means "scan this folder".
fn stdin_is_data() -> bool {
    use nix::sys::stat::{SFlag, fstat};
    fstat(std::io::stdin()).is_ok_and(|st| {
        let kind = SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT;
        kind == SFlag::S_IFIFO || kind == SFlag::S_IFREG || kind == SFlag::S_IFSOCK
    })
}

/// The live tokens, each once, at the first place it was found.
pub fn plan(standings: &[Standing]) -> Vec<Revocation> {
    let mut plan: Vec<Revocation> = Vec::new();
    for (index, s) in standings.iter().enumerate() {
        let Standing::Known(token, _) = s else {
            continue;
        };
        if !s.is_live() {
            continue;
        }
        match plan.iter_mut().find(|r| r.token.id == token.id) {
            Some(r) => r.places += 1,
            None => plan.push(Revocation {
                token: (**token).clone(),
                first: index,
                places: 1,
                changed: false,
            }),
        }
    }
    plan
}

/// Counts lines across the pieces of one text, so a reader can feed it in chunks.
#[derive(Debug, Clone, Copy)]
pub struct Lines {
    /// The line the next byte belongs to.
    line: u64,
}

impl Default for Lines {
    fn default() -> Self {
        Lines { line: 1 }
    }
}

impl Lines {
    pub fn starting_at(line: u64) -> Lines {
        Lines { line }
    }

    /// Every token in `piece`, which must end at a line boundary (or be the text's end),
    /// so that a token never straddles two pieces.
    pub fn scan(&mut self, piece: &[u8], mut each: impl FnMut(Hit)) {
        let mut counted = 0;
        let mut line_start = 0;
        for found in token::find(piece) {
            let before = &piece[counted..found.start];
            let newlines = count_newlines(before);
            if newlines > 0 {
                self.line += newlines;
                // memrchr finds it: `before` has a newline.
                line_start = counted + memchr::memrchr(b'\n', before).map_or(0, |at| at + 1);
            }
            counted = found.start;
            // ASCII by construction (see `token::find`).
            let Ok(text) = std::str::from_utf8(&piece[found.start..found.end]) else {
                continue;
            };
            let before_token = &piece[line_start..found.start];
            each(Hit {
                line: self.line,
                column: (before_token.len() + 1) as u64,
                utf16_column: String::from_utf8_lossy(before_token).encode_utf16().count() as u64
                    + 1,
                prefix: String::from_utf8_lossy(found.prefix(piece)).into_owned(),
                id: String::from_utf8_lossy(found.id(piece)).into_owned(),
                hash: TokenHash::of(text),
            });
        }
        self.line += count_newlines(&piece[counted..]);
    }
}

/// Written as a plain filter so the compiler vectorises it: this pass touches every byte.
fn count_newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

/// Every token in `text`, numbered from line 1.
pub fn hits(text: &[u8]) -> Vec<Hit> {
    let mut found = Vec::new();
    Lines::default().scan(text, |hit| found.push(hit));
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::{Prefix, TokenId, assemble};

    fn token(prefix: &str) -> String {
        let id = TokenId::parse("4k2x9q7m1z").unwrap();
        assemble(
            &Prefix::parse(prefix).unwrap(),
            &id,
            "Zb3kQ9xLmN2pR7sT1vW4yA6cE8gJ0hK5",
        )
        .expose()
        .to_owned()
    }

    #[test]
    fn lines_and_columns_are_ripgreps() {
        let t = token("tkn");
        let text = format!("first\nkey={t}\n\n  \"{t}\" and mytkn {t}\nlast");
        let at: Vec<(u64, u64)> = hits(text.as_bytes())
            .iter()
            .map(|h| (h.line, h.column))
            .collect();
        assert_eq!(at, [(2, 5), (4, 4), (4, 69)]);
        let wide = hits(format!("é😀 {t}").as_bytes());
        assert_eq!((wide[0].column, wide[0].utf16_column), (8, 5));
        assert_eq!(hits(text.as_bytes())[0].hint(), "tkn_4k2x9q7m1z_...");
        assert_eq!(
            hits(text.as_bytes())[0].hash,
            crate::token::TokenHash::of(&t)
        );
    }

    #[test]
    fn pieces_continue_the_count() {
        let t = token("ci");
        let mut lines = Lines::default();
        let mut at = Vec::new();
        lines.scan(b"a\nb\n", |h| at.push(h.line));
        lines.scan(format!("x {t}\n").as_bytes(), |h| at.push(h.line));
        lines.scan(format!("\n\n{t}").as_bytes(), |h| at.push(h.line));
        assert_eq!(at, [3, 6]);
        let mut git = Lines::starting_at(40);
        git.scan(t.as_bytes(), |h| at.push(h.line));
        assert_eq!(at, [3, 6, 40]);
    }

    #[test]
    fn look_alikes_and_prefixes() {
        let t = token("tkn");
        let mut bad = t.clone().into_bytes();
        bad[20] = if bad[20] == b'a' { b'b' } else { b'a' };
        let bad = String::from_utf8(bad).unwrap();
        assert!(hits(bad.as_bytes()).is_empty());
        let glued = format!("mytkn_x {t} %3D{t}");
        let found = hits(glued.as_bytes());
        assert_eq!(found.len(), 2);
        assert!(found.iter().all(|h| h.prefix == "tkn"));
    }

    #[test]
    fn standing_blocks_live_and_unchecked_only() {
        assert!(Standing::Unchecked.blocks());
        assert!(!Standing::Unknown.blocks());
        assert!(!Standing::Deleted { name: "x".into() }.blocks());
    }
}
