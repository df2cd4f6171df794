//! The verify benchmark: `cargo bench --bench verify` (release build). Runs every measurement
//! of issue 4 beside its baselines in the same run and writes BENCHMARKS.md at the crate root.
//!
//! Seeded databases (1k, 100k, 1M tokens, built through `tokenctl::store::seed`) are cached
//! under the target directory's tmp folder. Ratios come from interleaved runs in one session,
//! so a busy machine moves the absolute times more than the ratios. The binary measured is
//! the one `cargo build --release` makes (built first into target/tmp/shipped), not the
//! bench's own `CARGO_BIN_EXE_tokenctl` (see `shipped_binary`).
//! Environment: `BENCH_RUNS` (per-invocation samples, default 300), `BENCH_PER_PROC`
//! (verifies per concurrent process, default 200), `BENCH_USAGE_VERIFIES` (in-process verifies
//! for the size test, default 1000000), `BENCH_BEFORE=/path/to/older/tokenctl` (adds a column
//! for a previous build), `BENCH_BIN=/path/to/tokenctl` (measure another build, e.g. a static
//! one, in every lane), `BENCH_OUT` (report path; default BENCHMARKS.md), `BENCH_ONLY` (a
//! comma-separated subset of verify,concurrency,list,generate,size,postgres; targets of
//! skipped sections are then not reported).
//!
//! The postgres section starts a throwaway cluster with Debian's server binaries (the test
//! suite's harness, tests/integration/cluster.rs), seeds the same 1k tokens there (schema
//! by `tokenctl init`), and times verify there over a Unix socket and over TCP with a
//! password beside the real `psql -c` running the same statement, and 16 concurrent processes.

use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use tokenctl::store::{Access, Record, Store, Target, seed};

// The suite's throwaway cluster: the same initdb/pg_ctl as an unprivileged user, stopped by
// its watchdog however this process ends.
#[path = "common/pg.rs"]
mod pg;
use pg::cluster;

// BENCHMARKS.md's sections, one per bench.
#[path = "common/sections.rs"]
mod sections;

/// The binary under test: `BENCH_BIN`, or the one `cargo build --release` makes (see
/// `shipped_binary`), set once at the start of `run`.
static BIN: std::sync::OnceLock<String> = std::sync::OnceLock::new();

fn bin() -> &'static str {
    BIN.get()
        .map_or(env!("CARGO_BIN_EXE_tokenctl"), String::as_str)
}

/// The binary a user gets from `cargo build --release`, built into a folder of its own.
/// `CARGO_BIN_EXE_tokenctl` is not that binary: a bench is built with the dev-dependencies'
/// features unified into the package's own dependencies (regex's Unicode tables, through
/// predicates and proptest), which made the measured binary 0.6 MB larger, with 8,600 more
/// relocations to apply at every start, than the one users run.
fn shipped_binary() -> Result<String> {
    if let Ok(bin) = std::env::var("BENCH_BIN") {
        return Ok(bin);
    }
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("shipped");
    eprintln!("building the shipped binary: cargo build --release --locked --bin tokenctl");
    let status = Command::new(env!("CARGO"))
        .args([
            "build",
            "--release",
            "--locked",
            "--bin",
            "tokenctl",
            "--target-dir",
        ])
        .arg(&dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .context("running cargo build --release")?;
    if !status.success() {
        bail!("cargo build --release failed: {status}");
    }
    Ok(dir
        .join("release")
        .join("tokenctl")
        .to_string_lossy()
        .into_owned())
}
const TOKEN_ENV: &str = "TOKENCTL_BENCH_TOKEN";

fn main() {
    if let Err(err) = run() {
        eprintln!("error: {err:#}");
        std::process::exit(1);
    }
}

/// Whether a section runs: all of them unless `BENCH_ONLY` names a subset.
fn want(section: &str) -> bool {
    std::env::var("BENCH_ONLY").map_or(true, |only| only.split(',').any(|s| s.trim() == section))
}

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Report {
    rows: Vec<[String; 3]>,
    targets: Vec<(String, String, bool)>,
    notes: Vec<String>,
}

impl Report {
    fn row(&mut self, what: &str, value: String, detail: impl Into<String>) {
        let detail = detail.into();
        println!("{what:<58} {value:>12}  {detail}");
        self.rows.push([what.to_owned(), value, detail]);
    }

    fn target(&mut self, what: &str, measured: String, holds: bool) {
        let verdict = if holds { "holds" } else { "MISSED" };
        println!("TARGET {what}: {measured} -> {verdict}");
        self.targets.push((what.to_owned(), measured, holds));
    }
}

fn run() -> Result<()> {
    let _ = BIN.set(shipped_binary()?);
    let started = Instant::now();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("tokenctl-bench");
    std::fs::create_dir_all(&dir)?;
    let runs = env_num("BENCH_RUNS", 300) as usize;
    let per_proc = env_num("BENCH_PER_PROC", 200) as usize;
    let usage_verifies = env_num("BENCH_USAGE_VERIFIES", 1_000_000);
    let before = std::env::var_os("BENCH_BEFORE").map(PathBuf::from);
    let sqlite3 = which("sqlite3");
    let gnu_time = Path::new("/usr/bin/time")
        .exists()
        .then(|| PathBuf::from("/usr/bin/time"));
    let mut report = Report {
        rows: Vec::new(),
        targets: Vec::new(),
        notes: Vec::new(),
    };
    let load_before = load();

    // Seeding, cached across runs.
    let mut seeded = Vec::new();
    for n in [1_000u64, 100_000, 1_000_000] {
        let (path, secs) = cached_seed(&dir, n)?;
        let size = file_size(&path);
        report.row(
            &format!("seed {n} tokens (one transaction)"),
            secs,
            format!("{:.1} MB", size as f64 / 1e6),
        );
        seeded.push(path);
    }
    let (db1k, db100k, db1m) = (&seeded[0], &seeded[1], &seeded[2]);

    let mut floor_time = None;
    if want("verify") {
        // Per-invocation verify, interleaved with its baselines.
        let mut lanes: Vec<Lane> = vec![
            Lane::new("/bin/true (process floor)", vec!["/bin/true".into()], None),
            Lane::new(
                "tokenctl --version (start-up only)",
                vec![bin().into(), "--version".into()],
                None,
            ),
            Lane::verify("verify, 1k tokens", bin(), db1k, 1_000),
            Lane::verify("verify, 1M tokens", bin(), db1m, 1_000_000),
        ];
        if let Some(old) = &before {
            let old = old.to_string_lossy().into_owned();
            let copy = copy_db(db1k, &dir.join("before-1000.db"))?;
            lanes.push(Lane::verify(
                "verify, 1k tokens, BENCH_BEFORE build",
                &old,
                &copy,
                1_000,
            ));
        }
        let mut shell_before = Vec::new();
        match &sqlite3 {
            Some(shell) => {
                let copy1k = copy_db(db1k, &dir.join("sqlite3-1000.db"))?;
                let copy1m = copy_db(db1m, &dir.join("sqlite3-1000000.db"))?;
                for db in [&copy1k, &copy1m] {
                    shell_before.push((db.clone(), shell_total_uses(shell, db)?));
                }
                lanes.push(Lane::sqlite3(
                    "sqlite3 shell, same work, 1k tokens",
                    shell,
                    &copy1k,
                    1_000,
                ));
                lanes.push(Lane::sqlite3(
                    "sqlite3 shell, same work, 1M tokens",
                    shell,
                    &copy1m,
                    1_000_000,
                ));
            }
            None => report.notes.push(
                "sqlite3 is not installed: the sqlite3 baseline was skipped \
             (apt-get install -y sqlite3)"
                    .into(),
            ),
        }
        rotate(&mut lanes, runs)?;
        let mut medians = Vec::new();
        for lane in &lanes {
            let failures = lane.failures;
            let m = median(&lane.times);
            report.row(
                &format!("{} (median of {})", lane.name, lane.times.len()),
                ms(m),
                if failures > 0 {
                    format!("{failures} FAILED")
                } else {
                    String::new()
                },
            );
            if failures > 0 {
                bail!("{}: {failures} runs failed", lane.name);
            }
            medians.push(m);
        }
        if let Some(shell) = &sqlite3 {
            for (db, before) in &shell_before {
                let uses = shell_total_uses(shell, db)? - before;
                let expected = (runs + 5) as u64;
                if uses != expected {
                    bail!(
                        "the sqlite3 baseline recorded {uses} uses in {} runs: its SQL failed",
                        expected
                    );
                }
            }
        }
        let floor = medians[0];
        floor_time = Some(floor);
        let (v1k, v1m) = (medians[2], medians[3]);
        report.row("verify 1k / /bin/true", ratio(v1k, floor), "");
        report.row("verify 1M / verify 1k", ratio(v1m, v1k), "");
        report.target(
            "verify <= 3.5x /bin/true",
            format!("{} ({} vs {})", ratio(v1k, floor), ms(v1k), ms(floor)),
            v1k.as_secs_f64() <= 3.5 * floor.as_secs_f64(),
        );
        report.target(
            "verify at 1M <= 1.1x verify at 1k",
            format!("{} ({} vs {})", ratio(v1m, v1k), ms(v1m), ms(v1k)),
            v1m.as_secs_f64() <= 1.1 * v1k.as_secs_f64(),
        );
        if before.is_some() {
            let old = medians[4];
            report.row(
                "BENCH_BEFORE build / this build (verify 1k)",
                ratio(old, v1k),
                "",
            );
        }
        if sqlite3.is_some() {
            let base = lanes.len() - 2;
            let (s1k, s1m) = (medians[base], medians[base + 1]);
            report.row("verify 1k / sqlite3 shell 1k", ratio(v1k, s1k), "");
            report.row("verify 1M / sqlite3 shell 1M", ratio(v1m, s1m), "");
            report.target(
                "verify <= 0.8x sqlite3 shell",
                format!(
                    "{} at 1k ({} vs {}), {} at 1M",
                    ratio(v1k, s1k),
                    ms(v1k),
                    ms(s1k),
                    ratio(v1m, s1m)
                ),
                v1k.as_secs_f64() <= 0.8 * s1k.as_secs_f64()
                    && v1m.as_secs_f64() <= 0.8 * s1m.as_secs_f64(),
            );
        } else {
            report.target(
                "verify <= 0.8x sqlite3 shell",
                "not measured: sqlite3 absent".into(),
                false,
            );
        }
    }
    let mut sqlite16 = None;
    if want("concurrency") {
        // Concurrency: N processes at once, each verifying the same token `per_proc` times.
        let conc_db = copy_db(db1k, &dir.join("concurrency-1000.db"))?;
        let conc_db = conc_db.to_string_lossy();
        let mut at16 = None;
        for procs in [1usize, 2, 4, 8, 16] {
            let c = concurrency(&conc_db, &[], procs, per_proc)?;
            report.row(
                &format!("{procs:>2} concurrent: verifies/s | p99 | errors | lost updates"),
                format!("{:.0}/s", c.rate),
                format!(
                    "p99 {} | max {} | {} errors | usage +{} for {} successes",
                    ms(c.p99),
                    ms(c.max),
                    c.errors,
                    c.usage_delta,
                    c.successes
                ),
            );
            if procs == 16 {
                at16 = Some(c);
            }
        }
        let floor = floor_rate(16, per_proc)?;
        report.row(
            "16 concurrent /bin/true (process floor, same harness)",
            format!("{floor:.0}/s"),
            String::new(),
        );
        sqlite16 = at16.as_ref().map(|c| c.rate);
        if let Some(c) = at16 {
            let lost = c.successes as i64 - c.usage_delta as i64;
            report.target(
                ">= 1,000 verifies/s from 16 processes, 0 errors, 0 lost updates",
                format!(
                    "{:.0}/s ({:.2}x of /bin/true's {floor:.0}/s in the same harness), {} errors, {} lost",
                    c.rate,
                    c.rate / floor,
                    c.errors,
                    lost
                ),
                c.rate >= 1000.0 && c.errors == 0 && lost == 0,
            );
        }
    }
    if want("list") {
        // list and list --json of 100k tokens.
        match &gnu_time {
            Some(time) => {
                let mut table = Vec::new();
                let mut json = Vec::new();
                let mut json_small = Vec::new();
                for _ in 0..3 {
                    table.push(timed_rss(time, db100k, &["list"])?);
                    json.push(timed_rss(time, db100k, &["list", "--json"])?);
                    json_small.push(timed_rss(time, db1k, &["list", "--json"])?);
                }
                let pick = |v: &mut Vec<(Duration, u64, Duration)>| {
                    v.sort();
                    v[v.len() / 2]
                };
                let (t_wall, t_rss, _) = pick(&mut table);
                let (j_wall, j_rss, j_first) = pick(&mut json);
                let (_, s_rss, _) = pick(&mut json_small);
                report.row(
                    "list, 100k tokens: wall | peak RSS",
                    ms(t_wall),
                    format!("{:.1} MB", mb(t_rss)),
                );
                report.row(
                    "list --json, 100k tokens: wall | peak RSS | first byte",
                    ms(j_wall),
                    format!("{:.1} MB | first byte after {}", mb(j_rss), ms(j_first)),
                );
                report.row(
                    "list --json, 1k tokens: peak RSS",
                    format!("{:.1} MB", mb(s_rss)),
                    "",
                );
                report.target(
                    "list of 100k <= 1 s and <= 150 MB peak",
                    format!(
                        "table {} / {:.1} MB, json {} / {:.1} MB",
                        ms(t_wall),
                        mb(t_rss),
                        ms(j_wall),
                        mb(j_rss)
                    ),
                    t_wall <= Duration::from_secs(1)
                        && j_wall <= Duration::from_secs(1)
                        && mb(t_rss) <= 150.0
                        && mb(j_rss) <= 150.0,
                );
                // Streaming: memory does not grow with the number of tokens (100x more tokens,
                // under 10 MB more). The first byte waits for SQLite's sort by creation time.
                report.target(
                    "list --json streams",
                    format!(
                        "peak RSS {:.1} MB at 100k vs {:.1} MB at 1k; first byte at {} of {}",
                        mb(j_rss),
                        mb(s_rss),
                        ms(j_first),
                        ms(j_wall)
                    ),
                    mb(j_rss) <= mb(s_rss) + 10.0,
                );
            }
            None => report.notes.push(
                "/usr/bin/time is not installed: list memory was not measured \
             (apt-get install -y time)"
                    .into(),
            ),
        }
    }
    if want("generate") {
        // generate, per invocation (synchronous=FULL: one durable commit each).
        let gen_db = copy_db(db1k, &dir.join("generate-1000.db"))?;
        let mut gen_times = Vec::new();
        let tag = std::process::id();
        for i in 0..50 {
            let start = Instant::now();
            let out = Command::new(bin())
                .args(["--db".as_ref(), gen_db.as_os_str()])
                .args([
                    "generate",
                    "--name",
                    &format!("gen-{tag}-{i}"),
                    "--no-expiry",
                ])
                .stdin(Stdio::null())
                // A pipe: generate refuses to print its secret to /dev/null.
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .output()?;
            gen_times.push(start.elapsed());
            if !out.status.success() {
                bail!("generate failed: {}", String::from_utf8_lossy(&out.stderr));
            }
        }
        let g = median(&gen_times);
        report.row(
            "generate (median of 50)",
            ms(g),
            floor_time.map_or(String::new(), |f| format!("{} of /bin/true", ratio(g, f))),
        );
    }
    if want("size") {
        // Database size after many successful verifies of 100 tokens, in-process through the
        // store's verify transaction (one IMMEDIATE transaction per verify, as the binary does).
        let usage_db = dir.join("usage-100.db");
        remove_db(&usage_db);
        let now0 = chrono::Utc::now();
        seed::seed(&usage_db, 100, now0)?;
        let initial = total_size(&usage_db);
        let start = Instant::now();
        let mut ok = 0u64;
        {
            let mut store = Store::open(&Target::Sqlite(usage_db.clone()), Access::ReadWrite)?;
            let tokens: Vec<_> = (0..100)
                .map(|i| tokenctl::token::parse(seed::token(i).expose()))
                .collect();
            // Spread over 30 days: usage is kept per token per day, so 100 x 30 rows at most.
            let step = 30.0 * 86_400.0 / usage_verifies as f64;
            for i in 0..usage_verifies {
                let presented = match &tokens[(i % 100) as usize] {
                    Ok(p) => p,
                    Err(e) => bail!("seeded token does not parse: {e}"),
                };
                let now = now0 + chrono::Duration::milliseconds((i as f64 * step * 1000.0) as i64);
                let (valid, _) = store.check(
                    &presented.id,
                    || now,
                    Some("bench"),
                    |found, _| {
                        let valid = found
                            .and_then(|t| t.hash)
                            .is_some_and(|h| h.matches(&presented.hash));
                        (valid, if valid { Record::Use } else { Record::Failure })
                    },
                )?;
                ok += u64::from(valid);
            }
        }
        let elapsed = start.elapsed();
        let size = total_size(&usage_db);
        report.row(
            &format!("db size after {usage_verifies} verifies of 100 tokens (30 days)"),
            format!("{:.2} MB", size as f64 / 1e6),
            format!(
                "{ok} ok; was {:.2} MB; {:.0} in-process verifies/s; db+wal+shm",
                initial as f64 / 1e6,
                usage_verifies as f64 / elapsed.as_secs_f64()
            ),
        );
        report.target(
            "db size after 1M verifies of 100 tokens < 5 MB",
            format!("{:.2} MB after {ok} successful verifies", size as f64 / 1e6),
            size < 5_000_000 && ok == usage_verifies && usage_verifies >= 1_000_000,
        );
    }

    if want("postgres") {
        match cluster::Cluster::start(pg::CONF) {
            Ok(pg) => postgres(&mut report, &pg, &dir, db1k, runs, per_proc, sqlite16)?,
            Err(why) => report
                .notes
                .push(format!("PostgreSQL was not measured: {why}")),
        }
    }

    let load_after = load();
    report.notes.push(format!(
        "load average before: {load_before}; after: {load_after} (other work on the machine inflates absolute times; ratios come from interleaved runs)"
    ));
    report.notes.push(format!(
        "total benchmark time {:.0} s",
        started.elapsed().as_secs_f64()
    ));
    write_report(&report, runs, per_proc)?;
    Ok(())
}

/// verify on PostgreSQL beside `psql -c` doing the same statement (socket and TCP with a
/// password), beside SQLite's verify in the same rotation; then 16 concurrent processes.
fn postgres(
    report: &mut Report,
    pg: &cluster::Cluster,
    dir: &Path,
    db1k: &Path,
    runs: usize,
    per_proc: usize,
    sqlite16: Option<f64>,
) -> Result<()> {
    let db = pg.create_db();
    let socket = pg.socket_url(&db);
    let tcp = pg.tcp_url(&db);
    let password = vec![("PGPASSWORD".to_owned(), cluster::PASSWORD.to_owned())];
    pg::seed(pg, bin(), &db, &socket, 1_000)?;
    let psql = pg.psql_bin().to_string_lossy().into_owned();
    let psql_argv = |host: &str| -> Vec<String> {
        [
            psql.as_str(),
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            host,
            "-p",
            &pg.port.to_string(),
            "-U",
            cluster::ROLE,
            "-d",
            &db,
        ]
        .map(str::to_owned)
        .to_vec()
    };
    let sqlite_copy = copy_db(db1k, &dir.join("pg-beside-1000.db"))?;
    let mut lanes = vec![
        Lane::verify("verify, SQLite, 1k tokens", bin(), &sqlite_copy, 1_000),
        Lane::verify_at("verify, PostgreSQL 1k, Unix socket", &socket, vec![], 1_000),
        Lane::verify_at(
            "verify, PostgreSQL 1k, TCP + SCRAM",
            &tcp,
            password.clone(),
            1_000,
        ),
        Lane::psql(
            "psql -c, same statement, Unix socket",
            psql_argv(&pg.root.to_string_lossy()),
            vec![],
        ),
        Lane::psql(
            "psql -c, same statement, TCP + SCRAM",
            psql_argv("127.0.0.1"),
            password.clone(),
        ),
    ];
    let total = || -> Result<u64> {
        let out = pg
            .psql(&db, "SELECT sum(usage_count) FROM tokens")
            .map_err(anyhow::Error::msg)?;
        out.trim()
            .parse()
            .context("sum(usage_count) is not a number")
    };
    let before = total()?;
    rotate(&mut lanes, runs)?;
    let mut medians = Vec::new();
    for lane in &lanes {
        let m = median(&lane.times);
        report.row(
            &format!("{} (median of {})", lane.name, lane.times.len()),
            ms(m),
            if lane.failures > 0 {
                format!("{} FAILED", lane.failures)
            } else {
                String::new()
            },
        );
        if lane.failures > 0 {
            bail!("{}: {} runs failed", lane.name, lane.failures);
        }
        medians.push(m);
    }
    // Two verify lanes and two psql lanes, each counted once per run.
    let uses = total()? - before;
    let expected = 4 * (runs + 5) as u64;
    if uses != expected {
        bail!("PostgreSQL recorded {uses} uses for {expected} runs: a lane did not do its work");
    }
    let (sqlite, socket_v, tcp_v, psql_socket, psql_tcp) =
        (medians[0], medians[1], medians[2], medians[3], medians[4]);
    report.row(
        "verify PostgreSQL socket / psql -c socket",
        ratio(socket_v, psql_socket),
        "",
    );
    report.row(
        "verify PostgreSQL TCP / psql -c TCP",
        ratio(tcp_v, psql_tcp),
        "",
    );
    report.row(
        "verify PostgreSQL socket / verify SQLite",
        ratio(socket_v, sqlite),
        "",
    );
    report.target(
        "verify on PostgreSQL over a socket <= 1.2x psql -c",
        format!(
            "{} ({} vs {}); over TCP with a password {} ({} vs {})",
            ratio(socket_v, psql_socket),
            ms(socket_v),
            ms(psql_socket),
            ratio(tcp_v, psql_tcp),
            ms(tcp_v),
            ms(psql_tcp)
        ),
        socket_v.as_secs_f64() <= 1.2 * psql_socket.as_secs_f64(),
    );

    let c = concurrency(&socket, &[], 16, per_proc)?;
    let lost = c.successes as i64 - c.usage_delta as i64;
    report.row(
        "16 concurrent on PostgreSQL (socket): verifies/s | p99 | errors | lost updates",
        format!("{:.0}/s", c.rate),
        format!(
            "p99 {} | max {} | {} errors | usage +{} for {} successes",
            ms(c.p99),
            ms(c.max),
            c.errors,
            c.usage_delta,
            c.successes
        ),
    );
    report.target(
        "16 processes on PostgreSQL: 0 errors, 0 lost updates",
        format!(
            "{:.0}/s (SQLite: {}), {} errors, {lost} lost",
            c.rate,
            sqlite16.map_or("not measured".to_owned(), |r| format!("{r:.0}/s")),
            c.errors
        ),
        c.errors == 0 && lost == 0,
    );
    Ok(())
}

/// What one verify does on PostgreSQL, as a shell script with psql would do it: the
/// lookup of the token and its scopes, then the use recorded in one statement (the same
/// three tables), the flush skipped as verify skips it. One `-c`: one round trip.
fn pg_verify_sql(id: &str) -> String {
    format!(
        "SET synchronous_commit = off; \
         SELECT t.hash, t.revoked_at, t.expires_at, \
           (SELECT array_agg(scope ORDER BY scope) FROM token_scopes WHERE token_id = t.id) \
           FROM tokens t WHERE t.id = '{id}'; \
         WITH now AS (SELECT extract(epoch FROM now())::bigint AS s), \
         u AS (UPDATE tokens SET usage_count = usage_count + 1, \
           last_used_at = (SELECT s FROM now), last_used_source = 'bench' \
           WHERE id = '{id}' AND revoked_at IS NULL RETURNING id), \
         d AS (INSERT INTO usage_daily (token_id, day, uses) \
           SELECT id, (SELECT s FROM now) / 86400, 1 FROM u \
           ON CONFLICT (token_id, day) DO UPDATE SET uses = usage_daily.uses + 1), \
         x AS (INSERT INTO usage_sources (token_id, source, uses, last_used_at) \
           SELECT id, 'bench', 1, (SELECT s FROM now) FROM u ON CONFLICT (token_id, source) \
           DO UPDATE SET uses = usage_sources.uses + 1, last_used_at = excluded.last_used_at) \
         SELECT count(*) FROM u;"
    )
}

/// How to read the numbers; written into BENCHMARKS.md by every run.
const METHOD: &str = "\
- Per-invocation lanes run in rotation (each round runs every lane once, starting one lane \
later than the round before), after 5 warm-up runs each; the value is the median wall time of \
spawning the process and waiting for it, as a deploy hook would. Each verify presents a \
different seeded token (`tokenctl::store::seed::token(i)`), through `--token-env`.
- The sqlite3 lane runs, in one `sqlite3` process on a copy of the same database: \
`BEGIN IMMEDIATE`, the indexed lookup of the token and its scopes, the usage update of the \
three tables verify updates, `COMMIT`, with `synchronous=NORMAL`; the run fails if the copy's \
usage total did not grow by exactly the number of shell runs. It does not hash or compare.
- Concurrency: N threads each spawn `verify` processes back to back on one token of a \
1k-token database; usage is read with `show --json` before and after.
- Database size: in-process, through `Store::check` (the transaction `verify` runs), 100 \
seeded tokens, the clock advanced evenly over 30 days; the size is the database plus its \
-wal and -shm files.
- verify keeps the -wal/-shm files between runs (SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, \
wal_autocheckpoint=0) and the writer that finds the WAL at 256 KiB or more checkpoints it \
(TRUNCATE); lifecycle commands (synchronous=FULL) fsync their commit and then checkpoint. \
Lock waits nap 0.25-2 ms instead of SQLite's busy_timeout back-off (up to 100 ms naps), \
which cut the 16-process max latency, not the throughput.
- Verifies per second from 16 processes is bound by CPU on this 2-core machine: each \
verify process costs about 2.3-2.5 ms of CPU (perf stat task-clock; mostly exec, page faults \
and process teardown in the kernel), so 2 cores cannot exceed roughly 800-850 processes per \
second whatever the database does. A statically linked build measured the same CPU.
- `list` (the table) holds every token before drawing it (column widths need them all), so \
its peak memory grows with the number of tokens (src/commands/list.rs, src/render/table.rs). \
`list --json` streams; its first byte waits for SQLite to sort by creation time (no index on \
created_at).
- PostgreSQL: a throwaway cluster of Debian's server binaries on this machine (fsync on, \
client and server sharing the 2 cores), schema by `tokenctl init`, the same 1k seeded \
tokens inserted by psql. Its lanes rotate with SQLite's verify of the same 1k database. The psql lanes run the real \
binary (not Debian's Perl wrapper) with `-c` and the statement verify runs for the run's \
token; the run fails unless the database's total usage grew by exactly one per verify and \
psql run. Each verify process opens a new connection, so the server forks a backend for it: \
that, not the statement, is most of the time.";

/// One kind of invocation, timed many times in rotation with the others.
struct Lane {
    name: String,
    argv: Vec<String>,
    /// For verify lanes: the database size, to pick the token of each run.
    tokens: Option<u64>,
    stdin_sql: Option<(PathBuf, u64)>,
    /// For psql lanes: the statement is `pg_verify_sql` of the run's token.
    psql: bool,
    env: Vec<(String, String)>,
    times: Vec<Duration>,
    failures: usize,
}

impl Lane {
    fn new(name: &str, argv: Vec<String>, tokens: Option<u64>) -> Lane {
        Lane {
            name: name.into(),
            argv,
            tokens,
            stdin_sql: None,
            psql: false,
            env: Vec::new(),
            times: Vec::new(),
            failures: 0,
        }
    }

    fn verify(name: &str, bin: &str, db: &Path, tokens: u64) -> Lane {
        let argv = vec![
            bin.into(),
            "--db".into(),
            db.to_string_lossy().into_owned(),
            "verify".into(),
            "--token-env".into(),
            TOKEN_ENV.into(),
        ];
        Lane::new(name, argv, Some(tokens))
    }

    fn verify_at(name: &str, target: &str, env: Vec<(String, String)>, tokens: u64) -> Lane {
        let argv = [bin(), "--db", target, "verify", "--token-env", TOKEN_ENV]
            .map(str::to_owned)
            .to_vec();
        let mut lane = Lane::new(name, argv, Some(tokens));
        lane.env = env;
        lane
    }

    fn psql(name: &str, argv: Vec<String>, env: Vec<(String, String)>) -> Lane {
        let mut lane = Lane::new(name, argv, None);
        lane.psql = true;
        lane.env = env;
        lane
    }

    fn sqlite3(name: &str, shell: &Path, db: &Path, tokens: u64) -> Lane {
        let mut lane = Lane::new(name, vec![shell.to_string_lossy().into_owned()], None);
        lane.stdin_sql = Some((db.to_owned(), tokens));
        lane
    }

    fn once(&mut self, i: usize) -> Result<()> {
        // Spread lookups over the whole table: a different token each run.
        let pick = |n: u64| (i as u64).wrapping_mul(7_919) % n;
        let mut cmd = Command::new(&self.argv[0]);
        cmd.args(&self.argv[1..])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(n) = self.tokens {
            cmd.env(TOKEN_ENV, seed::token(pick(n)).expose());
        }
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        if self.psql {
            cmd.arg("-c")
                .arg(pg_verify_sql(seed::id(pick(1_000)).as_str()));
        }
        if let Some((db, n)) = &self.stdin_sql {
            // The same work as verify, as a shell script would do it: one process, an indexed
            // lookup and the usage update in one write transaction, synchronous=NORMAL.
            let id = seed::id(pick(*n));
            let id = id.as_str();
            let sql = format!(
                "PRAGMA busy_timeout=10000;\n\
                 PRAGMA synchronous=NORMAL;\n\
                 BEGIN IMMEDIATE;\n\
                 SELECT hash, revoked_at, expires_at FROM tokens WHERE id='{id}';\n\
                 SELECT scope FROM token_scopes WHERE token_id='{id}';\n\
                 UPDATE tokens SET usage_count=usage_count+1, last_used_at=strftime('%s','now'), last_used_source='bench' WHERE id='{id}';\n\
                 INSERT INTO usage_daily(token_id,day,uses) VALUES('{id}', strftime('%s','now')/86400, 1) ON CONFLICT DO UPDATE SET uses=uses+1;\n\
                 INSERT INTO usage_sources(token_id,source,uses,last_used_at) VALUES('{id}','bench',1,strftime('%s','now')) ON CONFLICT DO UPDATE SET uses=uses+1, last_used_at=excluded.last_used_at;\n\
                 COMMIT;"
            );
            cmd.args(["-batch", "-init", "/dev/null"]).arg(db).arg(sql);
        }
        let start = Instant::now();
        let status = cmd
            .status()
            .with_context(|| format!("running {}", self.name))?;
        self.times.push(start.elapsed());
        if !status.success() {
            self.failures += 1;
        }
        Ok(())
    }
}

/// Five warm-up runs of each lane (page cache, and the first run of each lane creates its
/// -wal/-shm), then `runs` rounds of every lane, each round starting one lane later so no
/// lane always runs right after the same neighbour.
fn rotate(lanes: &mut [Lane], runs: usize) -> Result<()> {
    for lane in lanes.iter_mut() {
        for i in 0..5 {
            lane.once(i)?;
        }
        lane.times.clear();
    }
    let n = lanes.len();
    for i in 0..runs {
        for k in 0..n {
            lanes[(i + k) % n].once(i + 5)?;
        }
    }
    Ok(())
}

struct Concurrency {
    rate: f64,
    p99: Duration,
    max: Duration,
    errors: usize,
    successes: u64,
    usage_delta: u64,
}

fn concurrency(
    target: &str,
    env: &[(String, String)],
    procs: usize,
    per_proc: usize,
) -> Result<Concurrency> {
    let index = 7;
    let id = seed::id(index);
    let before = usage_count(target, env, id.as_str())?;
    let token = seed::token(index).expose().to_owned();
    let (db, vars) = (target.to_owned(), env.to_vec());
    let (times, errors, wall) = storm(procs, per_proc, move || {
        let mut cmd = Command::new(bin());
        cmd.args(["--db", &db])
            .args(["verify", "--token-env", TOKEN_ENV])
            .env(TOKEN_ENV, &token)
            .envs(vars.iter().map(|(k, v)| (k, v)));
        cmd
    })?;
    let total = times.len();
    let after = usage_count(target, env, id.as_str())?;
    Ok(Concurrency {
        rate: total as f64 / wall.as_secs_f64(),
        p99: times[(total * 99).div_ceil(100).saturating_sub(1)],
        max: times[total - 1],
        errors,
        successes: (total - errors) as u64,
        usage_delta: after.saturating_sub(before),
    })
}

/// The same storm of `/bin/true`: how many processes per second this harness can start and
/// reap at all on this machine, the ceiling any one-shot verify lives under.
fn floor_rate(procs: usize, per_proc: usize) -> Result<f64> {
    let (times, _, wall) = storm(procs, per_proc, || Command::new("/bin/true"))?;
    Ok(times.len() as f64 / wall.as_secs_f64())
}

/// `procs` threads, each running `per_proc` processes back to back, started together:
/// every process's wall time, how many failed, and the wall time of the whole storm.
fn storm(
    procs: usize,
    per_proc: usize,
    make: impl Fn() -> Command + Send + Sync + 'static,
) -> Result<(Vec<Duration>, usize, Duration)> {
    let make = Arc::new(make);
    let barrier = Arc::new(Barrier::new(procs));
    let start = Instant::now();
    let workers: Vec<_> = (0..procs)
        .map(|_| {
            let barrier = Arc::clone(&barrier);
            let make = Arc::clone(&make);
            std::thread::spawn(move || -> Result<(Vec<Duration>, usize)> {
                barrier.wait();
                let mut times = Vec::with_capacity(per_proc);
                let mut errors = 0;
                for _ in 0..per_proc {
                    let t = Instant::now();
                    let status = make()
                        .stdin(Stdio::null())
                        .stdout(Stdio::null())
                        .stderr(Stdio::null())
                        .status()?;
                    times.push(t.elapsed());
                    if !status.success() {
                        errors += 1;
                    }
                }
                Ok((times, errors))
            })
        })
        .collect();
    let mut times = Vec::new();
    let mut errors = 0;
    for w in workers {
        let (t, e) = w.join().map_err(|_| anyhow::anyhow!("worker panicked"))??;
        times.extend(t);
        errors += e;
    }
    let wall = start.elapsed();
    times.sort();
    Ok((times, errors, wall))
}

/// The usage count as the product reports it (`show --json`).
fn usage_count(target: &str, env: &[(String, String)], id: &str) -> Result<u64> {
    let out = Command::new(bin())
        .args(["--db", target])
        .args(["show", id, "--json"])
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stderr(Stdio::null())
        .output()?;
    if !out.status.success() {
        bail!("show {id} failed: {}", out.status);
    }
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    doc.get("usage_count")
        .or_else(|| doc.get("token").and_then(|t| t.get("usage_count")))
        .and_then(serde_json::Value::as_u64)
        .context("show --json has no usage_count")
}

/// Wall time, peak RSS (bytes, from GNU time) and time to the first byte of stdout.
fn timed_rss(time: &Path, db: &Path, args: &[&str]) -> Result<(Duration, u64, Duration)> {
    let start = Instant::now();
    let mut child = Command::new(time)
        .arg("-v")
        .arg(bin())
        .args(["--db".as_ref(), db.as_os_str()])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut stdout = child.stdout.take().context("no stdout")?;
    let mut buf = vec![0u8; 1 << 16];
    let mut first = None;
    let mut bytes = 0usize;
    loop {
        let n = stdout.read(&mut buf)?;
        if n == 0 {
            break;
        }
        first.get_or_insert_with(|| start.elapsed());
        bytes += n;
    }
    let mut err = String::new();
    child
        .stderr
        .take()
        .context("no stderr")?
        .read_to_string(&mut err)?;
    let status = child.wait()?;
    let wall = start.elapsed();
    if !status.success() || bytes == 0 {
        bail!("tokenctl {args:?} failed ({status}): {err}");
    }
    let kb: u64 = err
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.trim().parse().ok())
        .context("no peak RSS in /usr/bin/time -v output")?;
    Ok((wall, kb * 1024, first.unwrap_or(wall)))
}

/// The seeded database of `n` tokens and how long seeding took (`cached` when an earlier
/// run built it: its time is kept beside it, in `seed-N.secs`).
fn cached_seed(dir: &Path, n: u64) -> Result<(PathBuf, String)> {
    let path = dir.join(format!("seed-{n}.db"));
    let secs_file = dir.join(format!("seed-{n}.secs"));
    if path.exists() {
        let earlier = std::fs::read_to_string(&secs_file).unwrap_or_else(|_| "?".into());
        return Ok((path, format!("{} s (cached)", earlier.trim())));
    }
    // Seed beside, then rename: an interrupted run leaves no half-seeded cache.
    let tmp = dir.join(format!("seed-{n}.db.tmp"));
    remove_db(&tmp);
    let start = Instant::now();
    seed::seed(&tmp, n, chrono::Utc::now())?;
    let secs = start.elapsed().as_secs_f64();
    std::fs::rename(&tmp, &path)?;
    remove_db(&tmp);
    let secs = format!("{secs:.1}");
    std::fs::write(&secs_file, &secs)?;
    Ok((path, format!("{secs} s")))
}

/// A fresh copy of a database no process has open: the file and its WAL (not the -shm,
/// which the next opener rebuilds).
fn copy_db(from: &Path, to: &Path) -> Result<PathBuf> {
    remove_db(to);
    std::fs::copy(from, to).with_context(|| format!("copying {}", from.display()))?;
    let (mut wal_from, mut wal_to) = (from.as_os_str().to_owned(), to.as_os_str().to_owned());
    wal_from.push("-wal");
    wal_to.push("-wal");
    if Path::new(&wal_from).exists() {
        std::fs::copy(&wal_from, &wal_to)?;
    }
    Ok(to.to_owned())
}

/// Total uses recorded in a database, read with the sqlite3 shell: checks that the shell
/// baseline really did its update (a shell script error would otherwise look fast).
fn shell_total_uses(shell: &Path, db: &Path) -> Result<u64> {
    let out = Command::new(shell)
        .args(["-batch", "-init", "/dev/null"])
        .arg(db)
        .arg("SELECT sum(usage_count) FROM tokens;")
        .output()?;
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .with_context(|| format!("sqlite3 on {} printed no total", db.display()))
}

fn remove_db(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

fn total_size(path: &Path) -> u64 {
    ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            file_size(Path::new(&p))
        })
        .sum()
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

fn ratio(a: Duration, b: Duration) -> String {
    format!("{:.2}x", a.as_secs_f64() / b.as_secs_f64())
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines().find_map(|l| {
                l.strip_prefix("model name")
                    .map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
            })
        })
        .unwrap_or_else(|| "unknown".into())
}

fn write_report(report: &Report, runs: usize, per_proc: usize) -> Result<()> {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let sqlite = Command::new("sqlite3")
        .arg("--version")
        .output()
        .ok()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_owned()
        })
        .unwrap_or_else(|| "absent".into());
    let mut md = String::new();
    writeln!(md, "# tokenctl benchmarks\n")?;
    writeln!(
        md,
        "Reproduce (release build; seeded databases are cached under the target dir):\n"
    )?;
    writeln!(md, "    cargo bench --bench verify\n")?;
    writeln!(
        md,
        "- date: {}\n- binary: {} ({:.1} MB)\n- machine: {cores} cores, {}\n- sqlite3 shell: {sqlite}; tokenctl's SQLite: {} (bundled)\n- samples: {runs} interleaved runs per per-invocation lane; {per_proc} verifies per concurrent process\n",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        bin(),
        mb(file_size(Path::new(bin()))),
        cpu_model(),
        rusqlite::version(),
    )?;
    writeln!(md, "## Targets\n")?;
    md.push_str(&sections::targets(&report.targets));
    writeln!(
        md,
        "\n## Measurements\n\n| measurement | value | detail |\n|---|---|---|"
    )?;
    for [what, value, detail] in &report.rows {
        let cells = [what, value, detail].map(|c| c.replace('|', "\\|"));
        writeln!(md, "| {} | {} | {} |", cells[0], cells[1], cells[2])?;
    }
    writeln!(md, "\n## Notes\n\n{METHOD}\n")?;
    for note in &report.notes {
        writeln!(md, "- {note}")?;
    }
    // The scan and serve benches own their sections of the file: they are carried through.
    let out = sections::write("verify", &md)?;
    println!("wrote {}", out.display());
    Ok(())
}
