//! The serve benchmark: `cargo bench --bench serve` (release build). wrk (Debian's) on the
//! same 2 cores, keep-alive, 10k seeded tokens, usage recorded: requests/s, p50 and p99 of
//! (a) `tokenctl serve` directly, (b) nginx auth_request to serve in front of a static
//! upstream (tests/serve/nginx.conf), (c) the same nginx without auth. Replaces the
//! "serve" section of BENCHMARKS.md, leaving the others as they are.
//! `BENCH_SERVE_SECS` (default 8), `BENCH_SERVE_CONNS` (default 32), `BENCH_OUT`.

use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

pub const BEGIN: &str = "<!-- bench:serve:begin -->";
pub const END: &str = "<!-- bench:serve:end -->";
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
    let wrk = which(&["/usr/bin/wrk"]).context("wrk is not installed (apt-get install wrk)")?;
    let nginx = which(&["/usr/sbin/nginx"]);
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("tokens.db");
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
    let script = dir.path().join("tokens.lua");
    std::fs::write(&script, lua)?;

    let mut serve = Command::new(env!("CARGO_BIN_EXE_tokenctl"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("TOKENCTL_DB", &db)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()?;
    let mut lines = BufReader::new(serve.stderr.take().context("stderr")?).lines();
    let addr = loop {
        let Some(line) = lines.next() else {
            bail!("serve exited before it was ready")
        };
        if let Some(a) = line?.split("listening on ").nth(1) {
            break a.to_owned();
        }
    };
    std::thread::spawn(move || lines.for_each(drop));
    let serve = Killed(serve);
    let mut rows = vec![];
    rows.push((
        "(a) tokenctl serve, /auth".to_owned(),
        bench(&wrk, &format!("http://{addr}/auth"), &script, conns, secs)?,
    ));

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
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", auth_port)).is_err() {
            if Instant::now() > deadline {
                bail!("nginx did not start");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        rows.push((
            "(b) nginx auth_request -> serve, static upstream".to_owned(),
            bench(
                &wrk,
                &format!("http://127.0.0.1:{auth_port}/"),
                &script,
                conns,
                secs,
            )?,
        ));
        rows.push((
            "(c) the same nginx without auth".to_owned(),
            bench(
                &wrk,
                &format!("http://127.0.0.1:{plain_port}/"),
                &script,
                conns,
                secs,
            )?,
        ));
    } else {
        eprintln!("no nginx: (b) and (c) not measured");
    }
    drop(serve);

    let mut md = String::new();
    use std::fmt::Write as _;
    writeln!(md, "{BEGIN}\n## serve\n")?;
    writeln!(
        md,
        "`cargo bench --bench serve`: wrk -t1 -c{conns} -d{secs}s, keep-alive, on the same 2 cores as the servers; {TOKENS} tokens in SQLite, each request a different one, usage recorded (batched). nginx: 1 worker, tests/serve/nginx.conf.\n"
    )?;
    writeln!(md, "| setup | requests/s | p50 | p99 |\n|---|---|---|---|")?;
    for (what, r) in &rows {
        writeln!(md, "| {what} | {:.0} | {} | {} |", r.rps, r.p50, r.p99)?;
    }
    writeln!(
        md,
        "\nPostgreSQL and OpenBao were not measured by this bench.\n{END}"
    )?;
    print!("{md}");
    let out = std::env::var_os("BENCH_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("BENCHMARKS.md"));
    let old = std::fs::read_to_string(&out).unwrap_or_default();
    std::fs::write(&out, replace_section(&old, md.trim_end()))?;
    std::io::stdout().flush()?;
    Ok(())
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

struct Run {
    rps: f64,
    p50: String,
    p99: String,
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
    Ok(Run {
        rps,
        p50: field("50%"),
        p99: field("99%"),
    })
}

/// `old` with its serve section replaced by `section`, or with `section` appended.
fn replace_section(old: &str, section: &str) -> String {
    match (old.find(BEGIN), old.find(END)) {
        (Some(begin), Some(end)) if end > begin => {
            format!("{}{section}{}", &old[..begin], &old[end + END.len()..])
        }
        _ if old.is_empty() => format!("{section}\n"),
        _ => format!("{}\n\n{section}\n", old.trim_end()),
    }
}
