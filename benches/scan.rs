//! The scan benchmark: `cargo bench --bench scan` (release build). Builds a corpus of
//! ordinary text and source (at least 100 MB, a few tokens planted), runs ripgrep with the
//! scanner regex and `tokenctl scan` over it in the same run, interleaved, and `scan --git`
//! over a generated history of 1,000 commits beside `git log -p` itself. Replaces the
//! "scan" section of BENCHMARKS.md, carrying the other benches' sections through.
//! Environment: `BENCH_SCAN_MB` (corpus size, default 120), `BENCH_SCAN_RUNS` (default 5),
//! `BENCH_SCAN_COMMITS` (default 1000), `BENCH_OUT` (report path; default BENCHMARKS.md).

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

const REGEX: &str = "[a-z][a-z0-9]{1,15}_[0-9a-z]{10}_[0-9A-Za-z]{38}";

// BENCHMARKS.md's sections, one per bench.
#[path = "common/sections.rs"]
mod sections;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_tokenctl")
}

fn main() {
    if let Err(err) = run() {
        eprintln!("error: {err:#}");
        std::process::exit(1);
    }
}

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// xorshift64*: a fixed corpus on every machine, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const WORDS: &[&str] = &[
    "the",
    "token",
    "request",
    "server",
    "deploy",
    "user",
    "error",
    "value",
    "config",
    "and",
    "of",
    "to",
    "in",
    "is",
    "for",
    "with",
    "on",
    "that",
    "this",
    "from",
    "by",
    "an",
    "be",
    "database",
    "connection",
    "timeout",
    "retry",
    "cache",
    "response",
    "header",
    "message",
    "secret",
    "key",
    "file",
    "path",
    "build",
    "test",
    "release",
    "version",
    "update",
];
const IDENTS: &[&str] = &[
    "user_id",
    "max_retries",
    "http_client",
    "parse_config",
    "read_to_end",
    "is_valid",
    "token_hash",
    "created_at",
    "expires_at",
    "last_used_at",
    "self",
    "buf",
    "len",
    "i",
    "MAX_SIZE",
    "api_key_env",
    "db_path",
    "conn",
    "row",
    "result",
    "err",
    "ctx",
    "out",
];

/// One line of prose, Rust, a log or JSON, or a base64 blob (long alphanumeric runs, the
/// hardest case for a token matcher).
fn line(rng: &mut Rng, out: &mut String) {
    match rng.below(10) {
        0..=3 => {
            for i in 0..(6 + rng.below(12)) {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(rng.pick(WORDS));
            }
            out.push('.');
        }
        4..=6 => {
            let indent = "    ".repeat(rng.below(4));
            let (a, b, c) = (rng.pick(IDENTS), rng.pick(IDENTS), rng.pick(IDENTS));
            match rng.below(4) {
                0 => write!(out, "{indent}let {a} = {b}.{c}()?;"),
                1 => write!(
                    out,
                    "{indent}fn {a}({b}: &str, {c}: usize) -> Result<()> {{"
                ),
                2 => write!(
                    out,
                    "{indent}if {a} > {b}_{c} {{ return Err(\"{a} {c}\".into()); }}"
                ),
                _ => write!(
                    out,
                    "{indent}// {b} {} {} {c}",
                    rng.pick(WORDS),
                    rng.pick(WORDS)
                ),
            }
            .unwrap();
        }
        7 => {
            write!(
                out,
                "2026-11-{:02}T{:02}:{:02}:{:02}Z INFO {} {}={} status={} took={}ms",
                1 + rng.below(28),
                rng.below(24),
                rng.below(60),
                rng.below(60),
                rng.pick(WORDS),
                rng.pick(IDENTS),
                rng.next() % 100_000,
                [200, 201, 404, 500][rng.below(4)],
                rng.below(900)
            )
            .unwrap();
        }
        8 => {
            write!(
                out,
                "{{\"{}\": \"{}\", \"{}\": {}, \"{}\": [\"{}\", \"{}\"]}},",
                rng.pick(IDENTS),
                rng.pick(WORDS),
                rng.pick(IDENTS),
                rng.next() % 1000,
                rng.pick(IDENTS),
                rng.pick(WORDS),
                rng.pick(WORDS)
            )
            .unwrap();
        }
        _ => {
            const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            for _ in 0..76 {
                out.push(char::from(B64[rng.below(64)]));
            }
        }
    }
    out.push('\n');
}

struct Tokens {
    live: Vec<String>,
    revoked: String,
}

/// A database with three live tokens and a revoked one, made by the binary itself.
fn tokens(db: &Path) -> Result<Tokens> {
    let _ = std::fs::remove_file(db);
    let generate = |name: &str| -> Result<String> {
        let out = Command::new(bin())
            .args(["generate", "--name", name])
            .env("TOKENCTL_DB", db)
            .stderr(Stdio::null())
            .output()?;
        if !out.status.success() {
            bail!("generate failed");
        }
        Ok(String::from_utf8(out.stdout)?.trim().to_owned())
    };
    let live = vec![
        generate("live-1")?,
        generate("live-2")?,
        generate("live-3")?,
    ];
    let revoked = generate("revoked")?;
    let status = Command::new(bin())
        .args(["revoke", "revoked"])
        .env("TOKENCTL_DB", db)
        .stderr(Stdio::null())
        .status()?;
    if !status.success() {
        bail!("revoke failed");
    }
    Ok(Tokens { live, revoked })
}

/// Files of 64 KiB to 1 MiB under `dir/corpus`, `mb` megabytes in all; returns the size.
fn corpus(dir: &Path, mb: u64, tokens: &Tokens) -> Result<u64> {
    let root = dir.join("corpus");
    let _ = std::fs::remove_dir_all(&root);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut total = 0u64;
    let mut n = 0;
    let mut planted: Vec<&str> = tokens.live.iter().map(String::as_str).collect();
    planted.push(&tokens.revoked);
    while total < mb * 1_000_000 {
        let folder = root.join(format!("pkg{:02}/src", n % 40));
        std::fs::create_dir_all(&folder)?;
        let ext = ["rs", "txt", "log", "json", "md"][n % 5];
        let size = (64 << 10) + rng.below(960 << 10);
        let mut text = String::with_capacity(size + 200);
        while text.len() < size {
            line(&mut rng, &mut text);
            // A few tokens, glued as leaks are: in a config line, quoted, in a URL.
            if n % 50 == 7 && text.len() > size / 2 {
                if let Some(t) = planted.pop() {
                    text.push_str(&format!("API_TOKEN=\"{t}\"\n"));
                }
            }
        }
        let path = folder.join(format!("file{n:04}.{ext}"));
        std::fs::write(&path, &text)?;
        total += text.len() as u64;
        n += 1;
    }
    Ok(total)
}

/// Median wall time of `runs` runs of each command, interleaved, stdout discarded.
fn race(commands: &mut [(&str, Command)], runs: usize) -> Result<Vec<Duration>> {
    let mut times = vec![Vec::new(); commands.len()];
    for round in 0..runs + 1 {
        for (i, (name, cmd)) in commands.iter_mut().enumerate() {
            let started = Instant::now();
            let status = cmd.stdout(Stdio::null()).stderr(Stdio::null()).status()?;
            let took = started.elapsed();
            // rg: 0 found; scan: 20, a live token was planted.
            if !matches!(status.code(), Some(0 | 20)) {
                bail!("{name} failed: {status}");
            }
            if round > 0 {
                times[i].push(took);
            }
        }
    }
    Ok(times
        .into_iter()
        .map(|mut t| {
            t.sort();
            t[t.len() / 2]
        })
        .collect())
}

/// A repository of `commits` commits made with git fast-import: 200 files of source, each
/// commit editing two of them (30 lines added, 10 removed); a few tokens added along the
/// way, one of them removed again later.
fn history(dir: &Path, commits: usize, tokens: &Tokens) -> Result<PathBuf> {
    let repo = dir.join("history");
    let _ = std::fs::remove_dir_all(&repo);
    std::fs::create_dir_all(&repo)?;
    let git = |args: &[&str]| -> Result<()> {
        let status = Command::new("git").args(args).current_dir(&repo).status()?;
        if !status.success() {
            bail!("git {args:?} failed");
        }
        Ok(())
    };
    git(&["init", "-q", "-b", "main"])?;
    let mut rng = Rng(42);
    let mut files: Vec<Vec<String>> = (0..200)
        .map(|_| {
            (0..200)
                .map(|_| {
                    let mut l = String::new();
                    line(&mut rng, &mut l);
                    l
                })
                .collect()
        })
        .collect();
    let mut stream = String::new();
    let mut planted = tokens.live.clone();
    for c in 0..commits {
        let changed: Vec<usize> = if c == 0 {
            (0..files.len()).collect()
        } else {
            vec![rng.below(files.len()), rng.below(files.len())]
        };
        for &f in &changed {
            if c > 0 {
                let file = &mut files[f];
                for _ in 0..10 {
                    let at = rng.below(file.len());
                    file.remove(at);
                }
                for _ in 0..30 {
                    let mut l = String::new();
                    line(&mut rng, &mut l);
                    let at = rng.below(file.len());
                    file.insert(at, l);
                }
            }
        }
        if c % 300 == 150 {
            if let Some(t) = planted.pop() {
                files[changed[0]].push(format!("token = \"{t}\"\n"));
            }
        }
        if c == commits - 10 {
            // The leak "fixed" by deleting the line: still in history.
            for file in files.iter_mut() {
                file.retain(|l| !l.starts_with("token = "));
            }
        }
        writeln!(stream, "commit refs/heads/main")?;
        writeln!(
            stream,
            "committer Bench <bench@invalid> {} +0000",
            1_700_000_000 + c * 60
        )?;
        writeln!(stream, "data 10\ncommit {c:03}")?;
        let touched: Vec<usize> = if c == commits - 10 {
            (0..files.len()).collect()
        } else {
            changed
        };
        for f in touched {
            let body: String = files[f].concat();
            writeln!(
                stream,
                "M 100644 inline src/mod{f:03}.rs\ndata {}\n{body}",
                body.len()
            )?;
        }
    }
    let mut child = Command::new("git")
        .args(["fast-import", "--quiet"])
        .current_dir(&repo)
        .stdin(Stdio::piped())
        .spawn()?;
    child
        .stdin
        .take()
        .context("fast-import stdin")?
        .write_all(stream.as_bytes())?;
    if !child.wait()?.success() {
        bail!("git fast-import failed");
    }
    Ok(repo)
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1e3)
}

fn mbps(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}

fn run() -> Result<()> {
    let started = Instant::now();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("tokenctl-bench-scan");
    std::fs::create_dir_all(&dir)?;
    let mb = env_num("BENCH_SCAN_MB", 120);
    let runs = env_num("BENCH_SCAN_RUNS", 5) as usize;
    let commits = env_num("BENCH_SCAN_COMMITS", 1000) as usize;
    let db = dir.join("tokens.db");
    let tokens = tokens(&db)?;
    let bytes = corpus(&dir, mb, &tokens)?;
    let corpus = dir.join("corpus");
    let mut rows: Vec<(String, String)> = Vec::new();
    let mut targets: Vec<(String, String, bool)> = Vec::new();
    println!(
        "corpus: {:.1} MB in {}",
        bytes as f64 / 1e6,
        corpus.display()
    );

    // Same files, same regex, both with line and column numbers, both on every core.
    let mut rg = Command::new("rg");
    rg.args([
        "--no-config",
        "--line-number",
        "--column",
        "--no-heading",
        "-e",
        REGEX,
    ])
    .arg(&corpus);
    let mut scan = Command::new(bin());
    scan.arg("scan").arg(&corpus).env("TOKENCTL_DB", &db);
    let rg_version = Command::new("rg")
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|v| v.lines().next().map(str::to_owned));
    let Some(rg_version) = rg_version else {
        bail!("ripgrep (rg) is not installed: apt-get install -y ripgrep");
    };
    // Both must see the same tokens, or the race means nothing.
    let found = Command::new(bin())
        .args(["scan", "--json"])
        .arg(&corpus)
        .env("TOKENCTL_DB", &db)
        .output()?;
    let doc: serde_json::Value = serde_json::from_slice(&found.stdout)?;
    let scan_found = doc["findings"].as_array().map_or(0, Vec::len);
    let rg_found = String::from_utf8(
        Command::new("rg")
            .args(["--no-config", "-c", "-e", REGEX])
            .arg(&corpus)
            .output()?
            .stdout,
    )?
    .lines()
    .filter_map(|l| l.rsplit(':').next()?.parse::<usize>().ok())
    .sum::<usize>();
    println!("tokens found: scan {scan_found}, rg {rg_found} lines");
    let times = race(&mut [("rg", rg), ("tokenctl scan", scan)], runs)?;
    let (rg_t, scan_t) = (times[0], times[1]);
    let ratio = mbps(bytes, scan_t) / mbps(bytes, rg_t);
    rows.push((
        format!(
            "rg, scanner regex, {:.0} MB (median of {runs})",
            bytes as f64 / 1e6
        ),
        format!("{} ({:.0} MB/s)", ms(rg_t), mbps(bytes, rg_t)),
    ));
    rows.push((
        format!("tokenctl scan, same files (median of {runs})"),
        format!("{} ({:.0} MB/s)", ms(scan_t), mbps(bytes, scan_t)),
    ));
    rows.push((
        "findings".into(),
        format!("scan {scan_found} (4 planted: 3 live, 1 revoked), rg {rg_found} matching lines"),
    ));
    targets.push((
        "scan >= 0.5x ripgrep's throughput".into(),
        format!(
            "{ratio:.2}x ({:.0} vs {:.0} MB/s)",
            mbps(bytes, scan_t),
            mbps(bytes, rg_t)
        ),
        ratio >= 0.5,
    ));

    // History.
    let made = Instant::now();
    let repo = history(&dir, commits, &tokens)?;
    println!(
        "history of {commits} commits made in {:.1} s",
        made.elapsed().as_secs_f64()
    );
    let mut log = Command::new("git");
    log.args(["log", "--all", "--patch", "--unified=0", "--format=%x00%H"])
        .current_dir(&repo);
    let mut git_scan = Command::new(bin());
    git_scan
        .args(["scan", "--git"])
        .arg(&repo)
        .env("TOKENCTL_DB", &db);
    let found = Command::new(bin())
        .args(["scan", "--git", "--json"])
        .arg(&repo)
        .env("TOKENCTL_DB", &db)
        .output()?;
    let doc: serde_json::Value = serde_json::from_slice(&found.stdout)?;
    let git_found = doc["findings"].as_array().map_or(0, Vec::len);
    let times = race(
        &mut [("git log -p", log), ("tokenctl scan --git", git_scan)],
        runs.min(3),
    )?;
    rows.push((
        format!("git log --all -p -U0, {commits} commits (git alone)"),
        ms(times[0]),
    ));
    rows.push((
        format!("tokenctl scan --git, {commits} commits"),
        format!(
            "{} ({git_found} findings, {} commits read)",
            ms(times[1]),
            doc["commits"]
        ),
    ));
    targets.push((
        format!("scan --git over {commits} commits in seconds"),
        format!(
            "{:.2} s ({:.2}x git log -p alone)",
            times[1].as_secs_f64(),
            times[1].as_secs_f64() / times[0].as_secs_f64()
        ),
        times[1] < Duration::from_secs(10),
    ));

    for (what, value) in &rows {
        println!("{what:<60} {value}");
    }
    for (what, measured, holds) in &targets {
        println!(
            "TARGET {what}: {measured} -> {}",
            if *holds { "holds" } else { "MISSED" }
        );
    }

    let mut md = String::new();
    writeln!(md, "## Scan\n")?;
    writeln!(
        md,
        "Reproduce: `cargo bench --bench scan` (needs `rg` and `git`).\n"
    )?;
    writeln!(
        md,
        "- date: {}\n- {rg_version}; {}\n- corpus: {:.1} MB in {} files of generated prose, Rust, logs, JSON and base64 lines (64 KiB-1 MiB each), 4 tokens planted; page cache warm, one warm-up run each, then {runs} interleaved runs\n",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        String::from_utf8_lossy(&Command::new("git").arg("--version").output()?.stdout).trim(),
        bytes as f64 / 1e6,
        count_files(&corpus),
    )?;
    md.push_str(&sections::targets(&targets));
    writeln!(md, "\n| measurement | value |\n|---|---|")?;
    for (what, value) in &rows {
        writeln!(md, "| {what} | {value} |")?;
    }
    writeln!(
        md,
        "\nrg runs `rg --no-config --line-number --column --no-heading -e '{REGEX}'`; `tokenctl scan` also checks each candidate's CRC, hashes the token and looks it up in a SQLite database (read-only). Both walk with the `ignore` crate on every core. The history is made with `git fast-import`: 200 files, each commit editing two (30 lines added, 10 removed), 3 tokens added along the way and removed near the end; `scan --git` streams `git log --all -p -U0` and scans the added lines, so git's own diffing is most of its time.\n\ntotal benchmark time {:.0} s",
        started.elapsed().as_secs_f64()
    )?;
    let out = sections::write("scan", &md)?;
    println!("wrote the scan section of {}", out.display());
    Ok(())
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    let p = e.path();
                    if p.is_dir() { count_files(&p) } else { 1 }
                })
                .sum()
        })
        .unwrap_or(0)
}
