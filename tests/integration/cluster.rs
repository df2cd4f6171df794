//! Throwaway PostgreSQL clusters for the suite: one shared by the whole run (a fresh
//! database per test), or a private one for a test that stops the server or turns on TLS.

// Each test uses a different part of the cluster.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The password of the `tokenctl` role, distinctive so a test can search output for it.
pub const PASSWORD: &str = "Pg-pass-w0rd-q7Xz";

/// The role tokenctl connects as: it owns its test database and nothing else.
pub const ROLE: &str = "tokenctl";

/// A running cluster in a temp dir owned by the server's (unprivileged) user: a Unix
/// socket with trust, 127.0.0.1 with SCRAM passwords.
pub struct Cluster {
    pub root: PathBuf,
    pub port: u16,
    bin: PathBuf,
    /// The system user the server runs as when the suite runs as root (CI does).
    run_as: Option<String>,
    /// The watchdog's stdin: it stops the server and removes `root` at EOF, which comes
    /// when this end is dropped or the test process dies, however it dies (kill -9 too).
    watchdog: Option<(ChildStdin, Child)>,
    next_db: AtomicUsize,
}

/// The cluster shared by the run, or why this machine cannot start one.
pub fn shared() -> Result<&'static Cluster, String> {
    static SHARED: OnceLock<Result<Cluster, String>> = OnceLock::new();
    SHARED
        .get_or_init(|| Cluster::start(""))
        .as_ref()
        .map_err(Clone::clone)
}

/// The directory holding `initdb`, `pg_ctl`, `postgres` and the real `psql`: Debian's
/// newest `/usr/lib/postgresql/N/bin`, else wherever `initdb` is on PATH.
pub fn server_bin() -> Option<PathBuf> {
    let mut debian: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    debian.sort();
    if let Some((_, bin)) = debian.pop() {
        return Some(bin);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .find(|dir| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file())
}

fn is_root() -> bool {
    nix::unistd::Uid::effective().is_root()
}

/// The unprivileged user for the server when we are root: `postgres`, else one we add.
fn server_user() -> String {
    const OURS: &str = "tokenctl-pg";
    for name in ["postgres", OURS] {
        if nix::unistd::User::from_name(name).ok().flatten().is_some() {
            return name.to_owned();
        }
    }
    let status = Command::new("useradd")
        .args(["--system", "-M", "-s", "/usr/sbin/nologin", OURS])
        .status()
        .expect("run useradd for the PostgreSQL server user");
    // A parallel test binary may have added it first.
    assert!(
        status.success() || nix::unistd::User::from_name(OURS).ok().flatten().is_some(),
        "useradd {OURS} failed: {status}"
    );
    OURS.to_owned()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind a free loopback port")
        .port()
}

impl Cluster {
    /// initdb, configure, start. `extra_conf` is appended to postgresql.conf (paths in it
    /// may use `{root}`); files it names must be in place before (see `start_with`).
    /// `Err` only when this machine has no server binaries: anything else is a broken
    /// machine, and panics.
    pub fn start(extra_conf: &str) -> Result<Cluster, String> {
        Cluster::start_with(extra_conf, |_| {})
    }

    /// As `start`, with `prepare` run between initdb and start (files it puts under
    /// `root` for the server to read go through `give`).
    pub fn start_with(extra_conf: &str, prepare: impl FnOnce(&Cluster)) -> Result<Cluster, String> {
        let bin = server_bin()
            .ok_or("no PostgreSQL server binaries (initdb, pg_ctl): apt-get install postgresql")?;
        let run_as = is_root().then(server_user);
        let root = tempfile::Builder::new()
            .prefix("tokenctl-pg-")
            .tempdir()
            .expect("create the cluster's temp dir")
            .keep();
        let mut cluster = Cluster {
            root,
            port: free_port(),
            bin,
            run_as,
            watchdog: None,
            next_db: AtomicUsize::new(0),
        };
        cluster.give(&cluster.root);
        cluster.watch();
        let data = cluster.data();
        cluster.server(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "-N",
                "--no-instructions",
            ],
        );
        let conf = format!(
            "listen_addresses = '127.0.0.1'\nport = {}\nunix_socket_directories = '{}'\n\
             max_connections = 200\nfsync = off\nfull_page_writes = off\n\
             password_encryption = 'scram-sha-256'\n{}\n",
            cluster.port,
            cluster.root.display(),
            extra_conf.replace("{root}", &cluster.root.display().to_string()),
        );
        let hba = "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n";
        cluster.append(&format!("{data}/postgresql.conf"), &conf);
        cluster.append(&format!("{data}/pg_hba.conf"), hba);
        prepare(&cluster);
        cluster.start_server();
        cluster
            .psql(
                "postgres",
                &format!("CREATE ROLE {ROLE} LOGIN PASSWORD '{PASSWORD}'"),
            )
            .unwrap_or_else(|e| panic!("create role {ROLE}: {e}"));
        Ok(cluster)
    }

    /// Hands `path` to the server's user (a no-op when the suite is not root).
    pub fn give(&self, path: &Path) {
        let Some(user) = &self.run_as else { return };
        let u = nix::unistd::User::from_name(user)
            .ok()
            .flatten()
            .expect("server user exists");
        std::os::unix::fs::chown(path, Some(u.uid.as_raw()), Some(u.gid.as_raw()))
            .unwrap_or_else(|e| panic!("chown {}: {e}", path.display()));
    }

    fn data(&self) -> String {
        self.root.join("data").display().to_string()
    }

    /// Writes as the server's user: pg_hba.conf replaces initdb's, postgresql.conf appends.
    fn append(&self, path: &str, text: &str) {
        let replace = path.ends_with("pg_hba.conf");
        let mut file = std::fs::OpenOptions::new()
            .append(!replace)
            .write(true)
            .truncate(replace)
            .open(path)
            .unwrap_or_else(|e| panic!("open {path}: {e}"));
        file.write_all(text.as_bytes())
            .unwrap_or_else(|e| panic!("write {path}: {e}"));
    }

    /// A server program, as the server's user; panics with its output if it fails.
    fn server(&self, program: &str, args: &[&str]) {
        let out = self
            .as_server(program)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("run {program}: {e}"));
        assert!(
            out.status.success(),
            "{program} {args:?} failed: {}\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn as_server(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        let mut cmd = match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(path);
                c
            }
            None => Command::new(path),
        };
        cmd.current_dir(&self.root)
            .env_clear()
            .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
            .env("LANG", "C");
        cmd
    }

    /// The watchdog: `sh` in its own process group (a ^C to the test run does not reach
    /// it) that blocks on a pipe only this process writes, then stops and removes the cluster.
    fn watch(&mut self) {
        let mut stop: Vec<String> = Vec::new();
        if let Some(user) = &self.run_as {
            stop.extend(["runuser".into(), "-u".into(), user.clone(), "--".into()]);
        }
        stop.push(self.bin.join("pg_ctl").display().to_string());
        stop.extend(["-D".into(), self.data(), "-m".into(), "immediate".into()]);
        stop.extend(["-s".into(), "-w".into(), "stop".into()]);
        let mut child = {
            use std::os::unix::process::CommandExt;
            Command::new("sh")
                .arg("-c")
                .arg(r#"cat >/dev/null; "$@" 2>/dev/null; rm -rf -- "$CLUSTER_ROOT""#)
                .arg("watchdog")
                .args(&stop)
                .env("CLUSTER_ROOT", &self.root)
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .expect("spawn the cluster's watchdog")
        };
        let stdin = child.stdin.take().expect("watchdog stdin is piped");
        self.watchdog = Some((stdin, child));
    }

    /// `pg_ctl start`, waiting until it accepts connections.
    pub fn start_server(&self) {
        let data = self.data();
        let log = self.root.join("server.log").display().to_string();
        self.server("pg_ctl", &["-D", &data, "-l", &log, "-s", "-w", "start"]);
    }

    /// `pg_ctl stop -m fast`: clients are cut off, the server is down when this returns.
    pub fn stop_server(&self) {
        self.server(
            "pg_ctl",
            &["-D", &self.data(), "-s", "-m", "fast", "-w", "stop"],
        );
    }

    /// SIGSTOP to the postmaster, then to each of its processes (stopped, it forks no
    /// more): the server keeps its sockets, so connects are accepted by the kernel and
    /// nothing answers, as on a hung host. The server's user is ours to signal as root.
    pub fn freeze(&self) {
        for pid in self.server_pids() {
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGSTOP);
        }
    }

    /// SIGCONT to every process `freeze` stopped.
    pub fn thaw(&self) {
        for pid in self.server_pids() {
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGCONT);
        }
    }

    /// The postmaster first, then its children (from /proc).
    fn server_pids(&self) -> Vec<nix::unistd::Pid> {
        let pidfile = format!("{}/postmaster.pid", self.data());
        let text = std::fs::read_to_string(&pidfile).expect("read postmaster.pid");
        let main: i32 = text
            .lines()
            .next()
            .and_then(|l| l.trim().parse().ok())
            .expect("a pid in postmaster.pid");
        let mut pids = vec![nix::unistd::Pid::from_raw(main)];
        for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<i32>().ok())
            else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
                continue;
            };
            // "pid (comm) state ppid ...": comm may hold anything, so split after its ')'.
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse::<i32>().ok());
            if ppid == Some(main) {
                pids.push(nix::unistd::Pid::from_raw(pid));
            }
        }
        pids
    }

    /// The real psql (not Debian's Perl wrapper in /usr/bin).
    pub fn psql_bin(&self) -> PathBuf {
        self.bin.join("psql")
    }

    /// Runs `sql` as the superuser over the socket; rows as lines, fields split by U+001F.
    pub fn psql(&self, db: &str, sql: &str) -> Result<String, String> {
        let out = Command::new(self.psql_bin())
            .args([
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-F",
                "\u{1f}",
            ])
            .arg("-h")
            .arg(&self.root)
            .args([
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                "-d",
                db,
                "-c",
                sql,
            ])
            .env_clear()
            .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("run psql: {e}"))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
        }
    }

    /// A new empty database owned by `tokenctl`: what a DBA hands a team before `init`.
    pub fn create_db(&self) -> String {
        let name = format!("t_{}", self.next_db.fetch_add(1, Ordering::Relaxed));
        self.psql(
            "postgres",
            &format!("CREATE DATABASE {name} OWNER {ROLE} STRATEGY FILE_COPY"),
        )
        .unwrap_or_else(|e| panic!("create database {name}: {e}"));
        name
    }

    pub fn drop_db(&self, name: &str) {
        // Best effort: the whole cluster goes at the end of the run anyway.
        let _ = self.psql(
            "postgres",
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        );
    }

    /// The target for `db` over the Unix socket (trust: no password).
    pub fn socket_url(&self, db: &str) -> String {
        format!(
            "postgres:///{db}?host={}&port={}&user={ROLE}",
            self.root.display(),
            self.port
        )
    }

    /// The target for `db` over TCP, without its password (that comes from PGPASSWORD,
    /// the pass file or `TOKENCTL_DB`).
    pub fn tcp_url(&self, db: &str) -> String {
        format!("postgres://{ROLE}@127.0.0.1:{}/{db}", self.port)
    }

    pub fn server_log(&self) -> String {
        std::fs::read_to_string(self.root.join("server.log")).unwrap_or_default()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Some((stdin, mut child)) = self.watchdog.take() {
            drop(stdin);
            let _ = child.wait();
        }
    }
}
