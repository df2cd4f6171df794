//! Files, folders and stdin: walked with ripgrep's `ignore` crate (honouring .gitignore,
//! in parallel), read in chunks cut at line ends, binary files skipped as ripgrep does.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};

use super::{Finding, Lines, Origin};

/// Read size; a longer line makes the buffer grow to hold it.
const CHUNK: usize = 256 << 10;
/// A NUL in this many first bytes makes a file binary (ripgrep's and git's rule of thumb).
const BINARY_PROBE: usize = 8 << 10;

#[derive(Debug, Default)]
pub struct Scanned {
    pub findings: Vec<Finding>,
    /// One line per file or folder that could not be read.
    pub errors: Vec<String>,
    pub files: u64,
    pub bytes: u64,
    pub binary: u64,
}

pub struct Options {
    /// Honour .gitignore, .ignore and git's exclude files.
    pub ignore_rules: bool,
    pub threads: usize,
    /// Show `./src/a.rs` as `src/a.rs`: the walk started at an implicit `.` (as ripgrep).
    pub strip_dot: bool,
}

/// Scans `paths` (files, or folders recursively). Findings come back in path order,
/// whatever order the threads finished in.
pub fn scan_paths(paths: &[PathBuf], options: &Options) -> Scanned {
    let Some((first, rest)) = paths.split_first() else {
        return Scanned::default();
    };
    let mut walk = WalkBuilder::new(first);
    for path in rest {
        walk.add(path);
    }
    // Leaks hide in dot files (.env, .npmrc) more than anywhere: never skip them for
    // being hidden, only git's own folder, whose objects are compressed anyway (--git
    // reads history).
    walk.standard_filters(options.ignore_rules)
        .hidden(false)
        .filter_entry(|entry| entry.file_name() != ".git")
        .threads(options.threads);
    let shared = Mutex::new(Scanned::default());
    let strip_dot = options.strip_dot;
    walk.build_parallel().run(|| {
        let mut buf = Vec::new();
        let mut flush = Flush {
            shared: &shared,
            mine: Scanned::default(),
        };
        Box::new(move |entry| {
            let mine = &mut flush.mine;
            match entry {
                Ok(entry) => {
                    let shown = match strip_dot {
                        true => entry.path().strip_prefix(".").unwrap_or(entry.path()),
                        false => entry.path(),
                    };
                    let kind = entry.file_type();
                    visit(entry.path(), shown, entry.depth(), kind, &mut buf, mine);
                }
                Err(err) => mine.errors.push(err.to_string()),
            }
            // Handed over in batches: little held per thread, little contention.
            if mine.findings.len() + mine.errors.len() > 64 {
                merge(flush.shared, mine);
            }
            WalkState::Continue
        })
    });
    let mut scanned = shared.into_inner().unwrap_or_else(|e| e.into_inner());
    scanned.findings.sort_by(|a, b| {
        (&a.origin, a.hit.line, a.hit.column).cmp(&(&b.origin, b.hit.line, b.hit.column))
    });
    scanned.errors.sort();
    scanned
}

/// A visitor is dropped when its thread finishes: hand over what it still holds.
struct Flush<'a> {
    shared: &'a Mutex<Scanned>,
    mine: Scanned,
}

impl Drop for Flush<'_> {
    fn drop(&mut self) {
        merge(self.shared, &mut self.mine);
    }
}

fn merge(shared: &Mutex<Scanned>, mine: &mut Scanned) {
    let mut all = shared.lock().unwrap_or_else(|e| e.into_inner());
    all.findings.append(&mut mine.findings);
    all.errors.append(&mut mine.errors);
    all.files += std::mem::take(&mut mine.files);
    all.bytes += std::mem::take(&mut mine.bytes);
    all.binary += std::mem::take(&mut mine.binary);
}

fn visit(
    path: &Path,
    shown: &Path,
    depth: usize,
    file_type: Option<std::fs::FileType>,
    buf: &mut Vec<u8>,
    into: &mut Scanned,
) {
    // A path named on the command line is read whatever it is but a folder (as ripgrep
    // does): a symlink to a file, a FIFO (`scan <(cmd)`), a device (`/dev/stdin`). Inside
    // folders only regular files are: symlinks are not followed (ripgrep's default), so a
    // link cannot loop or escape, and a FIFO there would block the walk.
    let read = match file_type {
        Some(t) if t.is_file() => true,
        Some(_) if depth == 0 => !path.metadata().is_ok_and(|m| m.is_dir()),
        _ => false,
    };
    if !read {
        return;
    }
    let origin = Origin::File(shown.to_owned());
    let result = std::fs::File::open(path).and_then(|mut file| {
        scan_reader(&mut file, true, buf, |hit| {
            into.findings.push(Finding {
                origin: origin.clone(),
                hit,
            })
        })
    });
    match result {
        Ok(Outcome::Text(bytes)) => {
            into.files += 1;
            into.bytes += bytes;
        }
        Ok(Outcome::Binary) => into.binary += 1,
        Err(err) => into.errors.push(format!("{}: {err}", path.display())),
    }
}

pub enum Outcome {
    /// Scanned, this many bytes.
    Text(u64),
    /// Skipped: a NUL in the first bytes.
    Binary,
}

/// Scans everything `reader` yields, in chunks cut after the last newline so no token is
/// split. With `skip_binary`, gives up as soon as a NUL shows in the first 8 KiB.
pub fn scan_reader(
    reader: &mut dyn io::Read,
    skip_binary: bool,
    buf: &mut Vec<u8>,
    mut each: impl FnMut(super::Hit),
) -> io::Result<Outcome> {
    let mut lines = Lines::default();
    let mut filled = 0;
    let mut total: u64 = 0;
    loop {
        if buf.len() < filled + CHUNK {
            buf.resize(filled + CHUNK, 0);
        }
        let n = match reader.read(&mut buf[filled..]) {
            Ok(n) => n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(err),
        };
        if skip_binary && total < BINARY_PROBE as u64 {
            let probe_end = filled + n.min(BINARY_PROBE - total as usize);
            if memchr::memchr(0, &buf[filled..probe_end]).is_some() {
                return Ok(Outcome::Binary);
            }
        }
        total += n as u64;
        if n == 0 {
            lines.scan(&buf[..filled], &mut each);
            return Ok(Outcome::Text(total));
        }
        filled += n;
        if let Some(last) = memchr::memrchr(b'\n', &buf[filled - n..filled]) {
            let cut = filled - n + last + 1;
            lines.scan(&buf[..cut], &mut each);
            buf.copy_within(cut..filled, 0);
            filled -= cut;
        }
    }
}
