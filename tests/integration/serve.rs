//! `tokenctl serve`: the real server on a port it chose, spoken to over real sockets (and
//! through real nginx and Caddy): SPEC's HTTP contract, revocation, exact usage counts
//! after SIGTERM, a slow client, a database that stops, and the README's proxy configs.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::util::{TestEnv, skip};

/// A running `tokenctl serve`; killed when dropped, stderr kept for asserts.
pub struct Server {
    child: Option<Child>,
    pub addr: String,
    pub metrics: Option<String>,
    stderr: Arc<Mutex<String>>,
    done: mpsc::Receiver<()>,
}

impl Server {
    pub fn start(env: &TestEnv, extra: &[&str]) -> Server {
        Server::start_cmd(env.std_cmd(["serve", "--listen", "127.0.0.1:0"].iter().chain(extra)))
    }

    pub fn start_cmd(mut cmd: std::process::Command) -> Server {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn tokenctl serve");
        let stderr = Arc::new(Mutex::new(String::new()));
        let (ready_tx, ready) = mpsc::channel();
        let (done_tx, done) = mpsc::channel();
        let pipe = child.stderr.take().expect("stderr is piped");
        let log = stderr.clone();
        std::thread::spawn(move || {
            let mut ready_tx = Some(ready_tx);
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                if line.contains("listening on") {
                    if let Some(tx) = ready_tx.take() {
                        let _ = tx.send(line.clone());
                    }
                }
                let mut log = log.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
            let _ = done_tx.send(());
        });
        let line = match ready.recv_timeout(Duration::from_secs(20)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                let _ = done.recv_timeout(Duration::from_secs(5));
                panic!("serve did not get ready: {}", stderr.lock().unwrap());
            }
        };
        let after = line.split("listening on ").nth(1).unwrap();
        let addr = after.split(' ').next().unwrap().to_owned();
        let metrics = after
            .split("(metrics on ")
            .nth(1)
            .map(|m| m.trim_end_matches(')').to_owned());
        Server {
            child: Some(child),
            addr,
            metrics,
            stderr,
            done,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// SIGTERM, then the exit status and everything it wrote on stderr.
    pub fn stop(mut self) -> (Option<i32>, String) {
        let mut child = self.child.take().unwrap();
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(child.id() as i32),
            nix::sys::signal::Signal::SIGTERM,
        )
        .unwrap();
        let status = child.wait().unwrap();
        let _ = self.done.recv_timeout(Duration::from_secs(5));
        (status.code(), self.stderr())
    }

    pub fn get(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        request(&self.addr, "GET", path, headers, None)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    /// Lowercased names, in order.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The whole response as text, to assert a secret is absent from all of it.
    pub fn text(&self) -> String {
        format!("{} {:?} {}", self.status, self.headers, self.body)
    }
}

/// One HTTP/1.1 request on a new connection (Connection: close), read to the end.
pub fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Reply {
    let s = TcpStream::connect(addr).unwrap_or_else(|e| panic!("connect {addr}: {e}"));
    exchange(s, addr, method, path, headers, body)
}

/// A connection to `addr` from the loopback address `from` (any of 127.0.0.0/8 is ours).
fn connect_from(from: &str, addr: &str) -> TcpStream {
    use socket2::{Domain, Socket, Type};
    let s = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    let local: std::net::SocketAddr = format!("{from}:0").parse().unwrap();
    s.bind(&local.into()).unwrap();
    let remote: std::net::SocketAddr = addr.parse().unwrap();
    s.connect(&remote.into())
        .unwrap_or_else(|e| panic!("connect {addr} from {from}: {e}"));
    s.into()
}

fn exchange(
    mut s: TcpStream,
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Reply {
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(b) = body {
        req.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            b.len()
        ));
    }
    req.push_str("\r\n");
    if let Some(b) = body {
        req.push_str(b);
    }
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    parse_reply(&raw)
}

pub fn parse_reply(raw: &[u8]) -> Reply {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no response head in {text:?}"));
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {head:?}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Reply {
        status,
        headers,
        body: body.to_owned(),
    }
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

const INVALID: &str = "Bearer realm=\"tokenctl\", error=\"invalid_token\"";
const SCOPE: &str = "Bearer realm=\"tokenctl\", error=\"insufficient_scope\"";

fn id_of(token: &str) -> String {
    token.split('_').nth(1).unwrap().to_owned()
}

fn uses(env: &TestEnv, id: &str) -> (u64, u64) {
    let t = env.show(id);
    (
        t["usage_count"].as_u64().unwrap(),
        t["failed_count"].as_u64().unwrap(),
    )
}

/// A serve whose clock is the machine's, whatever `env.at()` set for other commands.
fn start_now(env: &TestEnv, extra: &[&str]) -> Server {
    let mut cmd = env.std_cmd(["serve", "--listen", "127.0.0.1:0"].iter().chain(extra));
    for var in [
        "TOKENCTL_NOW",
        "LD_PRELOAD",
        "FAKETIME",
        "FAKETIME_DONT_FAKE_MONOTONIC",
    ] {
        cmd.env_remove(var);
    }
    Server::start_cmd(cmd)
}

both!(auth_answers_the_contract);
fn auth_answers_the_contract() {
    let mut env = TestEnv::new();
    // Made an hour ago: the one-minute token has expired by the server's (real) clock.
    let hour_ago = chrono::Utc::now() - chrono::Duration::hours(1);
    env.at(&hour_ago.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    let expired = env.generate("old", &["--expires", "1min"]);
    let good = env.generate(
        "web",
        &["--scope", "deploy:run,volume:upload", "--no-expiry"],
    );
    let revoked = env.generate("gone", &["--no-expiry"]);
    env.cmd(["revoke", &id_of(&revoked)]).assert().success();
    let odd = env.generate("caf\u{e9}", &["--no-expiry"]);
    let server = start_now(&env, &[]);

    let ok = server.get(
        "/auth?scope=deploy:run&scope=volume:upload",
        &[("Authorization", &bearer(&good))],
    );
    assert_eq!(ok.status, 200, "{ok:?}");
    assert_eq!(ok.header("x-token-id"), Some(id_of(&good).as_str()));
    assert_eq!(ok.header("x-token-name"), Some("web"));
    assert_eq!(
        ok.header("x-token-scopes"),
        Some("deploy:run volume:upload")
    );
    assert!(ok.header("www-authenticate").is_none());
    assert!(!ok.text().contains(&good), "the secret is echoed: {ok:?}");

    // Any method: Caddy rewrites to GET, nginx keeps the client's.
    let post = request(
        &server.addr,
        "POST",
        "/auth",
        &[("Authorization", &bearer(&good))],
        None,
    );
    assert_eq!(post.status, 200, "{post:?}");
    // The scheme is case-insensitive (RFC 7235).
    assert_eq!(
        server
            .get("/auth", &[("Authorization", &format!("bearer {good}"))])
            .status,
        200
    );

    let unknown = good.replace(&id_of(&good), "zzzzzzzzzz");
    for (what, headers) in [
        ("none", vec![]),
        ("basic", vec![("Authorization", format!("Basic {good}"))]),
        (
            "garbage",
            vec![("Authorization", "Bearer not-a-token".to_owned())],
        ),
        ("unknown", vec![("Authorization", bearer(&unknown))]),
        ("revoked", vec![("Authorization", bearer(&revoked))]),
        ("expired", vec![("Authorization", bearer(&expired))]),
    ] {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = server.get("/auth", &headers);
        assert_eq!(r.status, 401, "{what}: {r:?}");
        assert_eq!(r.header("www-authenticate"), Some(INVALID), "{what}");
        assert!(r.header("x-token-id").is_none(), "{what}: {r:?}");
    }
    let missing = server.get(
        "/auth?scope=deploy:delete",
        &[("Authorization", &bearer(&good))],
    );
    assert_eq!(missing.status, 403, "{missing:?}");
    assert_eq!(missing.header("www-authenticate"), Some(SCOPE));
    assert!(missing.header("x-token-id").is_none());

    // SPEC rule 7: a name that is not plain header text is sent empty, never raw; and
    // every identity header is sent, empty too (Caddy 2.6 hands the upstream its
    // placeholder text for a missing one).
    let r = server.get("/auth", &[("Authorization", &bearer(&odd))]);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.header("x-token-name"), Some(""), "{r:?}");
    assert_eq!(r.header("x-token-scopes"), Some(""), "{r:?}");
    assert_eq!(r.header("x-token-id"), Some(id_of(&odd).as_str()));

    assert_eq!(server.get("/healthz", &[]).status, 200);
    assert_eq!(server.get("/nothing", &[]).status, 404);
    let (code, stderr) = server.stop();
    assert_eq!(code, Some(0), "{stderr}");
    for secret in [&good, &revoked, &expired, &odd] {
        assert!(!stderr.contains(secret.as_str()), "{stderr}");
    }
}

both!(verify_endpoint_gives_the_verify_json_document);
fn verify_endpoint_gives_the_verify_json_document() {
    let env = TestEnv::new();
    let token = env.generate("api", &["--scope", "deploy:run"]);
    let server = Server::start(&env, &["--log-requests", "--trust-proxy", "127.0.0.1/32"]);
    let body = format!(r#"{{"token": "{token}", "scopes": ["deploy:run"], "source": "ci-7"}}"#);
    let r = request(&server.addr, "POST", "/v1/verify", &[], Some(&body));
    assert_eq!(r.status, 200, "{r:?}");
    assert!(!r.body.contains(&token));
    let doc: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(doc["valid"], true);
    assert_eq!(doc["code"], "valid");
    assert_eq!(doc["token"]["id"], id_of(&token));
    let denied = request(
        &server.addr,
        "POST",
        "/v1/verify",
        &[],
        Some(&format!(
            r#"{{"token": "{token}", "scopes": ["deploy:write"]}}"#
        )),
    );
    assert_eq!(denied.status, 200);
    let doc: serde_json::Value = serde_json::from_str(&denied.body).unwrap();
    assert_eq!(doc["code"], "missing_scope");
    assert_eq!(doc["missing_scopes"][0], "deploy:write");
    let bad = request(
        &server.addr,
        "POST",
        "/v1/verify",
        &[],
        Some(r#"{"token": "nope"}"#),
    );
    let doc: serde_json::Value = serde_json::from_str(&bad.body).unwrap();
    assert_eq!((bad.status, doc["code"].as_str()), (200, Some("malformed")));
    let (code, stderr) = server.stop();
    assert_eq!(code, Some(0));
    assert!(
        stderr.contains(&format!("id={} outcome=valid", id_of(&token))),
        "{stderr}"
    );
    assert!(!stderr.contains(&token), "{stderr}");
    // The use recorded with the (trusted) caller's label as its source.
    let rows = env.sql("SELECT source, uses FROM usage_sources");
    assert_eq!(rows, vec![vec!["ci-7".to_owned(), "1".to_owned()]]);
}

both!(a_revoke_is_seen_by_the_next_request);
fn a_revoke_is_seen_by_the_next_request() {
    let env = TestEnv::new();
    let token = env.generate("web", &["--scope", "deploy:run"]);
    let id = id_of(&token);
    let server = Server::start(&env, &[]);
    let auth = [("Authorization", bearer(&token))];
    let auth: Vec<(&str, &str)> = auth.iter().map(|(k, v)| (*k, v.as_str())).collect();
    // Twice first: on SQLite the second is answered from the token as read by the first,
    // and every change below must still be seen by the very next request.
    for _ in 0..2 {
        assert_eq!(server.get("/auth?scope=deploy:run", &auth).status, 200);
    }
    env.cmd(["revoke", &id]).assert().success();
    assert_eq!(server.get("/auth", &auth).status, 401);
    env.cmd(["restore", &id]).assert().success();
    assert_eq!(server.get("/auth", &auth).status, 200);
    env.cmd(["edit", &id, "--remove-scope", "deploy:run"])
        .assert()
        .success();
    assert_eq!(server.get("/auth?scope=deploy:run", &auth).status, 403);
    env.cmd(["edit", &id, "--expires-at", "2099-01-01"])
        .assert()
        .success();
    let body = format!(r#"{{"token": "{token}"}}"#);
    let verify = || -> serde_json::Value {
        let r = request(&server.addr, "POST", "/v1/verify", &[], Some(&body));
        serde_json::from_str(&r.body).unwrap()
    };
    assert_eq!(verify()["token"]["expires_at"], "2099-01-01T00:00:00Z");
    env.cmd(["revoke", &id]).assert().success();
    assert_eq!(verify()["code"], "revoked");
    env.cmd(["delete", &id, "--yes"]).assert().success();
    assert_eq!(verify()["code"], "unknown");
}

both!(every_use_is_counted_after_sigterm);
fn every_use_is_counted_after_sigterm() {
    const N: u64 = 60;
    let env = TestEnv::new();
    let token = env.generate("web", &["--scope", "deploy:run"]);
    let server = Server::start(&env, &[]);
    let auth = bearer(&token);
    for _ in 0..N {
        assert_eq!(server.get("/auth", &[("Authorization", &auth)]).status, 200);
    }
    for _ in 0..3 {
        assert_eq!(
            server
                .get("/auth?scope=deploy:write", &[("Authorization", &auth)])
                .status,
            403
        );
    }
    let (code, stderr) = server.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(uses(&env, &id_of(&token)), (N, 3));
    let daily = env.sql("SELECT uses, failures FROM usage_daily");
    assert_eq!(daily, vec![vec![N.to_string(), "3".to_owned()]]);
}

#[test]
fn forwarded_addresses_count_only_from_trusted_proxies() {
    let env = TestEnv::new();
    let token = env.generate("web", &[]);
    let auth = bearer(&token);
    let xff = [
        ("Authorization", auth.as_str()),
        ("X-Forwarded-For", "203.0.113.9"),
    ];
    let server = Server::start(&env, &[]);
    assert_eq!(server.get("/auth", &xff).status, 200);
    server.stop();
    let server = Server::start(&env, &["--trust-proxy", "127.0.0.0/8"]);
    assert_eq!(server.get("/auth", &xff).status, 200);
    server.stop();
    let mut rows = env.sql("SELECT source, uses FROM usage_sources ORDER BY source");
    rows.sort();
    assert_eq!(
        rows,
        vec![
            vec!["127.0.0.1".to_owned(), "1".to_owned()],
            vec!["203.0.113.9".to_owned(), "1".to_owned()],
        ]
    );
}

#[test]
fn a_slow_client_or_a_bad_request_does_not_stop_others() {
    let env = TestEnv::new();
    let token = env.generate("web", &[]);
    let server = Server::start(&env, &["--max-connections", "8"]);
    let auth = bearer(&token);
    // Slowloris: headers that never end, on several connections.
    let slow: Vec<TcpStream> = (0..4)
        .map(|_| {
            let mut s = TcpStream::connect(&server.addr).unwrap();
            s.write_all(b"GET /auth HTTP/1.1\r\nHost: x\r\nX-Slow: a")
                .unwrap();
            s
        })
        .collect();
    let at = Instant::now();
    assert_eq!(server.get("/auth", &[("Authorization", &auth)]).status, 200);
    assert!(at.elapsed() < Duration::from_secs(2), "{:?}", at.elapsed());
    // Headers past the bound, bytes that are not HTTP, a body on /auth it never reads.
    let huge = "a".repeat(64 * 1024);
    assert_eq!(server.get("/auth", &[("X-Big", &huge)]).status, 431);
    let mut s = TcpStream::connect(&server.addr).unwrap();
    s.write_all(b"\x00\xff\r\n\r\nGARBAGE / HTTP/9\r\n\r\n")
        .unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let r = request(
        &server.addr,
        "GET",
        "/auth",
        &[("Authorization", &auth), ("Content-Length", "100000000")],
        None,
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(server.get("/healthz", &[]).status, 200);
    // A slow client is cut off (the header timeout), freeing its slot.
    let mut first = slow.into_iter().next().unwrap();
    first
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut rest = Vec::new();
    let _ = first.read_to_end(&mut rest);
    assert!(at.elapsed() < Duration::from_secs(25), "{:?}", at.elapsed());
    let (code, _) = server.stop();
    assert_eq!(code, Some(0));
}

#[test]
fn unix_socket_and_metrics_listener() {
    let env = TestEnv::new();
    let token = env.generate("web", &["--expires", "2d"]);
    let sock = env.root().join("serve.sock");
    let listen = format!("unix:{}", sock.display());
    let server = Server::start_cmd(env.std_cmd([
        "serve",
        "--listen",
        &listen,
        "--metrics-listen",
        "127.0.0.1:0",
    ]));
    assert_eq!(server.addr, listen);
    let mut s = std::os::unix::net::UnixStream::connect(&sock).unwrap();
    write!(s, "GET /auth HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let r = parse_reply(&raw);
    assert_eq!(r.status, 200, "{r:?}");
    let metrics = server
        .metrics
        .clone()
        .expect("metrics address on the ready line");
    // The batch reaches the database within a second; the page reads it from there.
    let id = id_of(&token);
    let deadline = Instant::now() + Duration::from_secs(10);
    let page = loop {
        let page = request(&metrics, "GET", "/metrics", &[], None);
        if page
            .body
            .contains("tokenctl_batch_flushes_total{result=\"ok\"} 1")
            || Instant::now() > deadline
        {
            break page;
        }
    };
    assert!(
        page.body
            .contains("tokenctl_verifies_total{outcome=\"valid\"} 1"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("tokenctl_verify_duration_seconds_count 1"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("tokenctl_database_errors_total 0"),
        "{}",
        page.body
    );
    let line = page
        .body
        .lines()
        .find(|l| {
            l.starts_with(&format!(
                "tokenctl_token_expiry_seconds{{id=\"{id}\",name=\"web\""
            ))
        })
        .unwrap_or_else(|| panic!("{}", page.body));
    let secs: i64 = line.rsplit(' ').next().unwrap().parse().unwrap();
    assert!((172_000..=172_800).contains(&secs), "{line}");
    assert!(page.body.contains(&format!(
        "tokenctl_token_last_used_timestamp_seconds{{id=\"{id}\""
    )));
    assert!(!page.body.contains(&token));
    // Metrics are not on the main listener, nor anywhere by default.
    let (code, _) = server.stop();
    assert_eq!(code, Some(0));
    assert!(!sock.exists(), "the socket is removed at shutdown");
    let plain = Server::start(&env, &[]);
    assert!(plain.metrics.is_none());
    assert_eq!(plain.get("/metrics", &[]).status, 404);
}

/// A PostgreSQL cluster of the test's own, to stop, cut or freeze, with one token in its
/// database.
struct Own {
    cluster: crate::cluster::Cluster,
    db: String,
    env: TestEnv,
    token: String,
    auth: String,
}

impl Own {
    fn start() -> Result<Own, String> {
        let cluster = crate::cluster::Cluster::start("")?;
        let db = cluster.create_db();
        let env = TestEnv::new().with_target(cluster.socket_url(&db));
        let token = env.generate("web", &[]);
        let auth = bearer(&token);
        Ok(Own {
            cluster,
            db,
            env,
            token,
            auth,
        })
    }
}

/// PostgreSQL only: a SQLite file cannot stop answering the way a server does.
#[test]
fn a_stopped_database_gives_503_and_recovers() {
    let own = match Own::start() {
        Ok(own) => own,
        Err(why) => return skip(&why),
    };
    let (cluster, env, token, auth) = (own.cluster, own.env, own.token, own.auth);
    let server = Server::start(&env, &[]);
    assert_eq!(server.get("/auth", &[("Authorization", &auth)]).status, 200);
    cluster.stop_server();
    for _ in 0..3 {
        let r = server.get("/auth", &[("Authorization", &auth)]);
        assert_eq!(r.status, 503, "{r:?}");
        assert_eq!(server.get("/healthz", &[]).status, 503);
    }
    cluster.start_server();
    // Reconnects on the next request, by itself.
    let r = server.get("/auth", &[("Authorization", &auth)]);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(server.get("/healthz", &[]).status, 200);
    let (code, stderr) = server.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains(&token));
    assert_eq!(uses(&env, &id_of(&token)).0, 2, "{stderr}");
}

/// PostgreSQL only: every connection serve keeps is cut while the server stays up (a
/// failover, an idle timeout, `pg_terminate_backend`). Each worker notices only when it
/// next uses its connection; that request still gets its answer, not a 503.
#[test]
fn a_cut_connection_costs_no_request() {
    let own = match Own::start() {
        Ok(own) => own,
        Err(why) => return skip(&why),
    };
    let (cluster, db, env, token, auth) = (own.cluster, own.db, own.env, own.token, own.auth);
    let server = Server::start(&env, &[]);
    let ours = "FROM pg_catalog.pg_stat_activity \
                WHERE datname = current_database() AND application_name = 'tokenctl'";
    let backends = || {
        let pids = cluster.psql(&db, &format!("SELECT pid {ours} ORDER BY pid"));
        pids.unwrap().lines().map(str::to_owned).collect::<Vec<_>>()
    };
    // Health checks use no token, so nothing is counted and the flusher stays away:
    // every connection is a worker's, once the one serve checked the database with at
    // start has gone. Asked until the same two backends are seen twice in a row.
    let mut seen = Vec::new();
    for asked in 0.. {
        assert!(asked < 200, "the second worker never connected: {seen:?}");
        assert_eq!(server.get("/healthz", &[]).status, 200);
        let now = backends();
        if now.len() == 2 && now == seen {
            break;
        }
        seen = now;
    }
    // Waits (up to 10 s) until each backend has exited.
    let cut = cluster.psql(
        &db,
        &format!("SELECT count(pg_catalog.pg_terminate_backend(pid, 10000)) {ours}"),
    );
    assert!(cut.is_ok(), "{cut:?}");
    assert_eq!(backends(), Vec::<String>::new());
    for _ in 0..2 {
        assert_eq!(server.get("/healthz", &[]).status, 200);
    }
    let mut ok = 0;
    for _ in 0..4 {
        let r = server.get("/auth", &[("Authorization", &auth)]);
        assert_eq!(r.status, 200, "{r:?}");
        ok += 1;
    }
    let (code, stderr) = server.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains(&token));
    assert!(stderr.contains("database: reconnected"), "{stderr}");
    assert!(!stderr.contains("try again"), "{stderr}");
    assert_eq!(uses(&env, &id_of(&token)).0, ok, "{stderr}");
}

#[test]
fn two_servers_on_one_postgresql_database() {
    if let Err(why) = crate::cluster::shared() {
        return skip(&why);
    }
    crate::util::Backend::Postgres.run(|| {
        let env = TestEnv::new();
        let token = env.generate("web", &[]);
        let auth = bearer(&token);
        let (a, b) = (Server::start(&env, &[]), Server::start(&env, &[]));
        for _ in 0..20 {
            assert_eq!(a.get("/auth", &[("Authorization", &auth)]).status, 200);
            assert_eq!(b.get("/auth", &[("Authorization", &auth)]).status, 200);
        }
        let (ca, _) = a.stop();
        let b_code_later = b;
        assert_eq!(ca, Some(0));
        env.cmd(["revoke", &id_of(&token)]).assert().success();
        assert_eq!(
            b_code_later
                .get("/auth", &[("Authorization", &auth)])
                .status,
            401
        );
        let (cb, _) = b_code_later.stop();
        assert_eq!(cb, Some(0));
        assert_eq!(uses(&env, &id_of(&token)), (40, 1));
    });
}

// Real proxies in front: the configurations README shows, run as the test's own processes
// on loopback ports, with the example addresses replaced by the ones chosen here.

fn proxy_config(file: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/serve")
        .join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The service behind the proxy: answers 200 with the request head it received as the
/// body, so a test sees exactly which headers reached it.
fn upstream() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { continue };
            std::thread::spawn(move || {
                let mut reader = BufReader::new(s.try_clone().unwrap());
                let mut head = String::new();
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    head.push_str(&line);
                }
                let reply = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{head}",
                    head.len()
                );
                let _ = s.write_all(reply.as_bytes());
            });
        }
    });
    addr
}

/// A proxy process of the test's own, killed when dropped.
struct Proxy(Child, String);

impl Drop for Proxy {
    fn drop(&mut self) {
        // SIGTERM, not SIGKILL: nginx's master then stops its workers, which would
        // otherwise outlive the test holding its pipes.
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(self.0.id() as i32),
            nix::sys::signal::Signal::SIGTERM,
        );
        let _ = self.0.wait();
    }
}

/// Waits for a TCP port to accept (polling, bounded), or panics with the proxy's log.
fn wait_port(addr: &str, child: &mut Child, log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(addr).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "proxy exited {status}: {}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        assert!(Instant::now() < deadline, "{addr} never accepted");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn start_nginx(dir: &Path, serve: &str, up: &str) -> Option<Proxy> {
    let Some(bin) = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
    else {
        skip("no nginx (apt-get install nginx)");
        return None;
    };
    let port = free_port();
    let site = proxy_config("nginx.conf")
        .replace("127.0.0.1:8077", serve)
        .replace("127.0.0.1:9000", up)
        .replace("127.0.0.1:8000", &format!("127.0.0.1:{port}"));
    let d = dir.display();
    let conf = format!(
        "daemon off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
         events {{ worker_connections 1024; }}\n\
         http {{\n access_log off;\n client_body_temp_path {d}/body;\n proxy_temp_path {d}/proxy;\n\
         fastcgi_temp_path {d}/fcgi;\n uwsgi_temp_path {d}/uwsgi;\n scgi_temp_path {d}/scgi;\n{site}\n}}\n"
    );
    let path = dir.join("nginx.conf");
    std::fs::write(&path, conf).unwrap();
    let mut child = std::process::Command::new(bin)
        .args(["-e", &format!("{d}/error.log"), "-p"])
        .arg(dir)
        .arg("-c")
        .arg(&path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn nginx");
    let addr = format!("127.0.0.1:{port}");
    wait_port(&addr, &mut child, &dir.join("error.log"));
    Some(Proxy(child, addr))
}

fn start_caddy(dir: &Path, serve: &str, up: &str) -> Option<Proxy> {
    let Some(bin) = ["/usr/bin/caddy", "/usr/local/bin/caddy"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
    else {
        skip("no caddy (apt-get install caddy)");
        return None;
    };
    let port = free_port();
    let site = proxy_config("Caddyfile")
        .replace("127.0.0.1:8077", serve)
        .replace("127.0.0.1:9000", up)
        .replace("127.0.0.1:8001", &format!("127.0.0.1:{port}"));
    let conf = format!("{{\n\tadmin off\n\tauto_https off\n}}\n\n{site}");
    let path = dir.join("Caddyfile");
    std::fs::write(&path, conf).unwrap();
    let log = dir.join("caddy.log");
    let mut child = std::process::Command::new(bin)
        .args(["run", "--adapter", "caddyfile", "--config"])
        .arg(&path)
        .env("HOME", dir)
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("spawn caddy");
    let addr = format!("127.0.0.1:{port}");
    wait_port(&addr, &mut child, &log);
    Some(Proxy(child, addr))
}

/// The serve flags a proxy configuration's comment says to start serve with (its
/// `#   tokenctl serve --listen 127.0.0.1:8077 ...` line), minus the address.
fn serve_flags(file: &str) -> Vec<String> {
    let config = proxy_config(file);
    let line = config
        .lines()
        .find_map(|l| {
            l.trim_start_matches('#')
                .trim()
                .strip_prefix("tokenctl serve ")
                .filter(|rest| rest.starts_with("--listen "))
        })
        .unwrap_or_else(|| panic!("tests/serve/{file} does not say how serve is started"));
    let words: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(words[..2], ["--listen", "127.0.0.1:8077"], "{line}");
    words[2..].iter().map(|w| w.to_string()).collect()
}

fn start_as_configured(env: &TestEnv, file: &str) -> Server {
    let flags = serve_flags(file);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    start_now(env, &flags)
}

/// What reached the service, lowercased, in a 200 through a proxy.
fn seen_by_service(r: &Reply) -> String {
    assert_eq!(r.status, 200, "{r:?}");
    r.body.to_ascii_lowercase()
}

/// What a client sees through `proxy`, with what reached the service.
fn through_proxy(start: fn(&Path, &str, &str) -> Option<Proxy>, file: &str) {
    let mut env = TestEnv::new();
    let hour_ago = chrono::Utc::now() - chrono::Duration::hours(1);
    env.at(&hour_ago.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    let env = &env;
    let good = env.generate("web", &["--scope", "deploy:run", "--no-expiry"]);
    let plain = env.generate("reader", &["--no-expiry"]);
    let expired = env.generate("old", &["--expires", "1min"]);
    let revoked = env.generate("gone", &["--no-expiry"]);
    env.cmd(["revoke", &id_of(&revoked)]).assert().success();
    let server = start_as_configured(env, file);
    let up = upstream();
    let dir = tempfile::tempdir().unwrap();
    let Some(proxy) = start(dir.path(), &server.addr, &up) else {
        return;
    };
    let at = |path: &str, headers: &[(&str, &str)]| request(&proxy.1, "GET", path, headers, None);

    let ok = at(
        "/api/x",
        &[("Authorization", &bearer(&good)), ("X-Token-Id", "forged")],
    );
    assert_eq!(ok.status, 200, "{ok:?}");
    let seen = ok.body.to_ascii_lowercase();
    assert!(
        seen.contains(&format!("x-token-id: {}", id_of(&good))),
        "{}",
        ok.body
    );
    assert!(seen.contains("x-token-name: web"), "{}", ok.body);
    assert!(seen.contains("x-token-scopes: deploy:run"), "{}", ok.body);
    assert!(
        !seen.contains("forged"),
        "a client's own X-Token-Id reached the service: {}",
        ok.body
    );
    // Every location that proxies: a client's own identity headers never reach the
    // service, whatever the token has (the one without scopes too).
    let forged = [
        ("X-Token-Id", "forged-id"),
        ("X-Token-Name", "forged-name"),
        ("X-Token-Scopes", "forged:scopes"),
    ];
    for (path, token, name, scopes) in [
        ("/api/x", &good, "web", "deploy:run"),
        ("/deploy/now", &good, "web", "deploy:run"),
        ("/api/x", &plain, "reader", ""),
    ] {
        let auth = bearer(token);
        let mut headers = vec![("Authorization", auth.as_str())];
        headers.extend(forged);
        let seen = seen_by_service(&at(path, &headers));
        assert!(
            !seen.contains("forged"),
            "{path}: a client's own X-Token-* reached the service: {seen}"
        );
        assert!(
            seen.contains(&format!("x-token-id: {}\r\n", id_of(token))),
            "{path}: {seen}"
        );
        assert!(
            seen.contains(&format!("x-token-name: {name}\r\n")),
            "{path}: {seen}"
        );
        if scopes.is_empty() {
            // nginx drops an empty header, Caddy passes it empty: never a placeholder.
            assert!(!seen.contains('{'), "{path}: {seen}");
            assert!(
                !seen.contains("x-token-scopes:")
                    || seen.contains("x-token-scopes: \r\n")
                    || seen.contains("x-token-scopes:\r\n"),
                "{path}: {seen}"
            );
        } else {
            assert!(
                seen.contains(&format!("x-token-scopes: {scopes}\r\n")),
                "{path}: {seen}"
            );
        }
    }
    for (what, auth) in [
        ("none", None),
        ("garbage", Some("Bearer tkn_nonsense".to_owned())),
        ("expired", Some(bearer(&expired))),
        ("revoked", Some(bearer(&revoked))),
    ] {
        let headers: Vec<(&str, &str)> =
            auth.iter().map(|a| ("Authorization", a.as_str())).collect();
        let r = at("/api/x", &headers);
        assert_eq!(r.status, 401, "{what}: {r:?}");
        assert_eq!(r.header("www-authenticate"), Some(INVALID), "{what}: {r:?}");
    }
    assert_eq!(
        at("/deploy/now", &[("Authorization", &bearer(&good))]).status,
        200
    );
    let denied = at("/deploy/now", &[("Authorization", &bearer(&plain))]);
    assert_eq!(denied.status, 403, "{denied:?}");
    // A revoke through the CLI is seen by the very next request.
    env.cmd(["revoke", &id_of(&good)]).assert().success();
    assert_eq!(
        at("/api/x", &[("Authorization", &bearer(&good))]).status,
        401
    );
    assert_eq!(
        at("/api/x", &[("Authorization", &bearer(&plain))]).status,
        200
    );
    let (code, stderr) = server.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(uses(env, &id_of(&good)), (4, 1));
    assert_eq!(uses(env, &id_of(&plain)).0, 2);
    // serve gone: fail closed, never through.
    let r = at("/api/x", &[("Authorization", &bearer(&plain))]);
    assert!(r.status >= 500, "{r:?}");
}

both!(nginx_auth_request_in_front);
fn nginx_auth_request_in_front() {
    through_proxy(start_nginx, "nginx.conf");
}

both!(caddy_forward_auth_in_front);
fn caddy_forward_auth_in_front() {
    through_proxy(start_caddy, "Caddyfile");
}

/// `--allow-cidr` behind a proxy started as its configuration says: the client's own
/// address is judged (not the proxy's, 127.0.0.1), and no header the client sends moves it.
fn allow_list_through_proxy(start: fn(&Path, &str, &str) -> Option<Proxy>, file: &str) {
    let env = TestEnv::new();
    let here = env.generate("here", &["--allow-cidr", "127.0.0.5/32"]);
    let proxy_host = env.generate("proxy-host", &["--allow-cidr", "127.0.0.1/32"]);
    let far = env.generate("far", &["--allow-cidr", "10.0.0.0/8"]);
    let server = start_as_configured(&env, file);
    let up = upstream();
    let dir = tempfile::tempdir().unwrap();
    let Some(proxy) = start(dir.path(), &server.addr, &up) else {
        return;
    };
    let from = |ip: &str, token: &str, extra: &[(&str, &str)]| {
        let auth = bearer(token);
        let mut headers = vec![("Authorization", auth.as_str())];
        headers.extend_from_slice(extra);
        exchange(
            connect_from(ip, &proxy.1),
            &proxy.1,
            "GET",
            "/api/x",
            &headers,
            None,
        )
        .status
    };
    assert_eq!(from("127.0.0.5", &here, &[]), 200, "the allowed client");
    assert_eq!(from("127.0.0.6", &here, &[]), 403, "another client");
    assert_eq!(
        from("127.0.0.5", &proxy_host, &[]),
        403,
        "a token bound to the proxy's host, used by a client elsewhere"
    );
    for forged in [
        [("X-Real-IP", "10.9.9.9"), ("X-Forwarded-For", "10.9.9.9")],
        [("X-Real-IP", "10.9.9.9"), ("X-Forwarded-For", "127.0.0.1")],
        [("X-Real-IP", "127.0.0.5"), ("X-Forwarded-For", "127.0.0.5")],
    ] {
        assert_eq!(from("127.0.0.5", &far, &forged), 403, "{forged:?}");
        // From the proxy's own host: the forwarded address is a trusted proxy's too.
        assert_eq!(from("127.0.0.1", &far, &forged), 403, "{forged:?}");
        assert_eq!(from("127.0.0.6", &here, &forged), 403, "{forged:?}");
    }
    let (code, stderr) = server.stop();
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn nginx_allow_list_judges_the_client() {
    allow_list_through_proxy(start_nginx, "nginx.conf");
}

#[test]
fn caddy_allow_list_judges_the_client() {
    allow_list_through_proxy(start_caddy, "Caddyfile");
}

#[test]
fn the_readme_shows_the_configurations_the_tests_run() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for file in ["nginx.conf", "Caddyfile"] {
        assert!(
            readme.contains(&proxy_config(file)),
            "README.md does not show tests/serve/{file} verbatim"
        );
    }
}

both!(a_use_limit_is_exact_at_once);
/// A use-limited token is counted exactly and at once, as verify counts it: 16 requests
/// racing for 3 uses get exactly 3 answers of 200 (the rest 401), and the count is in the
/// database before the server stops.
fn a_use_limit_is_exact_at_once() {
    let env = TestEnv::new();
    let token = env.generate("limited", &["--max-uses", "3"]);
    let server = Server::start(&env, &[]);
    let auth = bearer(&token);
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let racers: Vec<_> = (0..16)
            .map(|_| {
                let (addr, auth) = (&server.addr, &auth);
                s.spawn(move || {
                    request(addr, "GET", "/auth", &[("Authorization", auth)], None).status
                })
            })
            .collect();
        racers.into_iter().map(|r| r.join().unwrap()).collect()
    });
    assert_eq!(
        statuses.iter().filter(|&&s| s == 200).count(),
        3,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|&&s| s == 401).count(),
        13,
        "{statuses:?}"
    );
    // Recorded already, not in a batch waiting for the next flush.
    assert_eq!(env.show("limited")["usage_count"], 3);
    assert_eq!(env.show("limited")["remaining_uses"], 0);
}

both!(an_address_allow_list_uses_the_peer);
/// The allow-list is judged against the peer's address: 403 outside it, 200 inside.
fn an_address_allow_list_uses_the_peer() {
    let env = TestEnv::new();
    let outside = env.generate("elsewhere", &["--allow-cidr", "10.0.0.0/8"]);
    let inside = env.generate("here", &["--allow-cidr", "127.0.0.0/8"]);
    let server = Server::start(&env, &[]);
    let denied = server.get("/auth", &[("Authorization", &bearer(&outside))]);
    assert_eq!(denied.status, 403, "{}", denied.text());
    assert_eq!(denied.header("www-authenticate"), Some(SCOPE));
    let allowed = server.get("/auth", &[("Authorization", &bearer(&inside))]);
    assert_eq!(allowed.status, 200, "{}", allowed.text());
}

#[test]
fn verify_endpoint_believes_client_ip_and_source_only_from_trusted_peers() {
    let env = TestEnv::new();
    let far = env.generate("far", &["--allow-cidr", "10.0.0.0/8"]);
    let web = env.generate("web", &[]);
    let ask = |server: &Server, token: &str| {
        let body =
            format!(r#"{{"token": "{token}", "client_ip": "10.9.9.9", "source": "hidden"}}"#);
        let r = request(&server.addr, "POST", "/v1/verify", &[], Some(&body));
        assert_eq!(r.status, 200, "{r:?}");
        let doc: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        doc["code"].as_str().unwrap().to_owned()
    };
    // Any caller: judged and recorded by its own address, whatever it names.
    let server = Server::start(&env, &[]);
    assert_eq!(ask(&server, &far), "ip_not_allowed");
    assert_eq!(ask(&server, &web), "valid");
    server.stop();
    assert_eq!(
        env.sql("SELECT source, uses FROM usage_sources"),
        vec![vec!["127.0.0.1".to_owned(), "1".to_owned()]]
    );
    // A trusted caller speaks for its client.
    let server = Server::start(&env, &["--trust-proxy", "127.0.0.1/32"]);
    assert_eq!(ask(&server, &far), "valid");
    server.stop();
    let mut rows = env.sql("SELECT source, uses FROM usage_sources ORDER BY source");
    rows.sort();
    assert_eq!(
        rows,
        vec![
            vec!["127.0.0.1".to_owned(), "1".to_owned()],
            vec!["hidden".to_owned(), "1".to_owned()],
        ]
    );
}

#[test]
fn a_client_that_never_reads_its_answers_is_cut_off() {
    use socket2::{Domain, Socket, Type};
    let env = TestEnv::new();
    env.generate("web", &[]);
    let server = Server::start(&env, &[]);
    // A small receive buffer: serve's answers fill it soon.
    let sock = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    sock.set_recv_buffer_size(4096).unwrap();
    let addr: std::net::SocketAddr = server.addr.parse().unwrap();
    sock.connect(&addr.into()).unwrap();
    let connected = Instant::now();
    let mut s: TcpStream = sock.into();
    s.set_write_timeout(Some(Duration::from_secs(2))).unwrap();
    let batch = "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n".repeat(500);
    // Pipeline, never reading, until serve stops reading too (it waits to write).
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match s.write_all(batch.as_bytes()) {
            Ok(()) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                break;
            }
            Err(e) => panic!("serve closed the connection while it was still reading: {e}"),
        }
        assert!(Instant::now() < deadline, "serve never stopped reading");
    }
    let stalled = Instant::now();
    // serve closes it (10 s); with our requests unread on its side, that is a reset, which
    // the next write sees. Each write waits at most 200 ms for room.
    s.set_write_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    loop {
        match s.write(b"G") {
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::ConnectionReset
                ) =>
            {
                break;
            }
            _ => {}
        }
        assert!(
            stalled.elapsed() < Duration::from_secs(30),
            "a client that does not read still holds its connection after {:?}",
            stalled.elapsed()
        );
    }
    // Not before it stalled: never earlier than the write timeout after connecting.
    assert!(
        connected.elapsed() >= Duration::from_secs(10),
        "{:?}",
        connected.elapsed()
    );
    assert_eq!(server.get("/healthz", &[]).status, 200);
    let (code, stderr) = server.stop();
    assert_eq!(code, Some(0), "{stderr}");
}

/// serve started with an open-file limit of `soft` (and `hard`, the hard limit; None
/// keeps the caller's).
fn start_with_nofile(env: &TestEnv, soft: u64, hard: Option<u64>) -> Server {
    use std::os::unix::process::CommandExt as _;
    let mut cmd = env.std_cmd(["serve", "--listen", "127.0.0.1:0"]);
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            use nix::sys::resource::{Resource, getrlimit, setrlimit};
            let (_, now) = getrlimit(Resource::RLIMIT_NOFILE)?;
            setrlimit(Resource::RLIMIT_NOFILE, soft, hard.unwrap_or(now))?;
            Ok(())
        });
    }
    Server::start_cmd(cmd)
}

#[test]
fn serve_raises_its_open_file_limit() {
    use nix::sys::resource::{Resource, getrlimit};
    let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
    if hard < 1024 {
        return skip("the hard open-file limit is below 1024");
    }
    let env = TestEnv::new();
    let token = env.generate("web", &[]);
    let server = start_with_nofile(&env, 64, None);
    // Idle connections past the soft limit it was started with; each is accepted.
    let idle: Vec<TcpStream> = (0..200)
        .map(|_| TcpStream::connect(&server.addr).unwrap())
        .collect();
    let at = Instant::now();
    let r = server.get("/auth", &[("Authorization", &bearer(&token))]);
    assert_eq!(r.status, 200, "{r:?}");
    assert!(
        at.elapsed() < Duration::from_secs(5),
        "a request waited {:?} behind idle connections",
        at.elapsed()
    );
    drop(idle);
    let (code, stderr) = server.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("lowered"), "{stderr}");
}

#[test]
fn max_connections_fit_the_open_file_limit() {
    let env = TestEnv::new();
    let token = env.generate("web", &[]);
    let server = start_with_nofile(&env, 128, Some(128));
    assert!(
        server
            .stderr()
            .contains("--max-connections 1024 lowered to 64: the open-file limit is 128"),
        "{}",
        server.stderr()
    );
    let pid = server.pid();
    let cpu = || {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
        let after = stat.rsplit_once(") ").unwrap().1;
        let f: Vec<u64> = after.split(' ').map(|v| v.parse().unwrap_or(0)).collect();
        f[11] + f[12] // utime + stime, in clock ticks (100 a second)
    };
    let before = cpu();
    // More idle connections than fit: the rest wait to be accepted, no accept error spins.
    let idle: Vec<TcpStream> = (0..100)
        .map(|_| TcpStream::connect(&server.addr).unwrap())
        .collect();
    let at = Instant::now();
    let r = server.get("/auth", &[("Authorization", &bearer(&token))]);
    assert_eq!(r.status, 200, "{r:?}");
    assert!(at.elapsed() < Duration::from_secs(25), "{:?}", at.elapsed());
    let spent = cpu() - before;
    assert!(
        spent < 300,
        "serve used {spent} ticks of CPU while connections waited"
    );
    drop(idle);
    let (code, stderr) = server.stop();
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn a_unix_socket_is_0660_whatever_the_umask() {
    use std::os::unix::fs::{FileTypeExt as _, PermissionsExt as _};
    use std::os::unix::process::CommandExt as _;
    let env = TestEnv::new();
    env.generate("web", &[]);
    let sock = env.root().join("serve.sock");
    let listen = format!("unix:{}", sock.display());
    let mut cmd = env.std_cmd(["serve", "--listen", &listen]);
    // SAFETY: umask is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            nix::sys::stat::umask(nix::sys::stat::Mode::empty());
            Ok(())
        });
    }
    let server = Server::start_cmd(cmd);
    let meta = std::fs::symlink_metadata(&sock).unwrap();
    assert!(meta.file_type().is_socket());
    assert_eq!(meta.permissions().mode() & 0o7777, 0o660);
    let (code, stderr) = server.stop();
    assert_eq!(code, Some(0), "{stderr}");
}

/// One request over a Unix socket, read to the end.
fn unix_get(sock: &Path, path: &str, headers: &[(&str, &str)]) -> Reply {
    let mut s = std::os::unix::net::UnixStream::connect(sock).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut req = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    parse_reply(&raw)
}

/// Over a Unix socket a forged X-Forwarded-For cannot get past an allow-list: the headers
/// count only under `--trust-proxy unix`, not because some CIDR is trusted.
#[test]
fn a_unix_socket_peer_is_trusted_only_when_named() {
    let env = TestEnv::new();
    let token = env.generate("lan", &["--allow-cidr", "10.0.0.0/8"]);
    let auth = bearer(&token);
    let forged = [
        ("Authorization", auth.as_str()),
        ("X-Forwarded-For", "10.1.2.3"),
    ];
    let sock = env.root().join("serve.sock");
    let listen = format!("unix:{}", sock.display());
    for (trust, want) in [
        (None, 403),
        (Some("127.0.0.0/8"), 403),
        (Some("unix"), 200),
        (Some("127.0.0.0/8,unix"), 200),
    ] {
        let mut args = vec!["serve", "--listen", &listen];
        if let Some(t) = trust {
            args.extend(["--trust-proxy", t]);
        }
        let server = Server::start_cmd(env.std_cmd(args));
        let r = unix_get(&sock, "/auth", &forged);
        assert_eq!(r.status, want, "--trust-proxy {trust:?}: {}", r.text());
        let r = unix_get(&sock, "/auth", &[("Authorization", &auth)]);
        assert_eq!(r.status, 403, "no header, no address: {}", r.text());
        let (code, stderr) = server.stop();
        assert_eq!(code, Some(0), "{stderr}");
    }
}

/// `--db-timeout` is 2 s by default; the rest is room for a loaded machine. Before the
/// bound existed a hung database answered 503 after 5 s at best.
const DB_BOUND: Duration = Duration::from_millis(3500);

/// `n` requests at once, each with its own connection: all of them, and how long the
/// slowest took.
fn at_once(server: &Server, n: usize, path: &str, auth: &str) -> (Vec<Reply>, Duration) {
    let addr = server.addr.as_str();
    let at = Instant::now();
    let replies = std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|_| s.spawn(|| request(addr, "GET", path, &[("Authorization", auth)], None)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .collect::<Vec<_>>()
    });
    (replies, at.elapsed())
}

/// Each outcome is counted under its own name: a used-up token or one tried from outside
/// its networks is not a `valid` verify (an alert on them must be able to fire).
#[test]
fn metrics_count_every_outcome_under_its_name() {
    let env = TestEnv::new();
    let once = env.generate("once", &["--max-uses", "1"]);
    let lan = env.generate("lan", &["--allow-cidr", "10.0.0.0/8"]);
    let server = Server::start_cmd(env.std_cmd([
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--metrics-listen",
        "127.0.0.1:0",
    ]));
    let auth = |t: &str| format!("Bearer {t}");
    let ask = |t: &str| {
        request(
            &server.addr,
            "GET",
            "/auth",
            &[("Authorization", &auth(t))],
            None,
        )
        .status
    };
    assert_eq!(ask(&once), 200);
    assert_eq!(ask(&once), 401);
    assert_eq!(ask(&lan), 403);
    let count = |outcome: &str| {
        metric(
            &server,
            &format!("tokenctl_verifies_total{{outcome=\"{outcome}\"}}"),
        )
    };
    assert_eq!(count("valid"), 1);
    assert_eq!(count("exhausted"), 1);
    assert_eq!(count("ip_not_allowed"), 1);
    let (code, _) = server.stop();
    assert_eq!(code, Some(0));
}

fn metric(server: &Server, name: &str) -> u64 {
    let page = request(
        server.metrics.as_ref().unwrap(),
        "GET",
        "/metrics",
        &[],
        None,
    );
    let line = page
        .body
        .lines()
        .find(|l| l.split(' ').next() == Some(name))
        .unwrap_or_else(|| panic!("no {name} in {}", page.body));
    line.rsplit(' ').next().unwrap().parse().unwrap()
}

/// PostgreSQL only: a server that accepts connections and never answers (every process
/// SIGSTOPped). Each request answers 503 within the bound, however many hang at once and
/// in a row (the workers are not pinned), and the next request after SIGCONT succeeds.
#[test]
fn a_frozen_database_gives_503_in_time_and_recovers() {
    let own = match Own::start() {
        Ok(own) => own,
        Err(why) => return skip(&why),
    };
    let (cluster, env, token, auth) = (own.cluster, own.env, own.token, own.auth);
    let server = Server::start_cmd(env.std_cmd([
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--metrics-listen",
        "127.0.0.1:0",
    ]));
    assert_eq!(server.get("/auth", &[("Authorization", &auth)]).status, 200);
    /// A failed assert must not leave the server stopped for the watchdog to wait on.
    struct Thaw<'a>(&'a crate::cluster::Cluster);
    impl Drop for Thaw<'_> {
        fn drop(&mut self) {
            self.0.thaw();
        }
    }
    cluster.freeze();
    let frozen = Thaw(&cluster);
    // More at once than serve has database workers, twice: the second wave finds the
    // workers free again, not still waiting on the first wave's hung connections.
    for wave in 0..2 {
        let (replies, took) = at_once(&server, 6, "/auth", &auth);
        for r in &replies {
            assert_eq!(r.status, 503, "wave {wave}: {}", r.text());
        }
        assert!(took < DB_BOUND, "wave {wave} took {took:?}");
    }
    let at = Instant::now();
    assert_eq!(server.get("/healthz", &[]).status, 503);
    assert!(metric(&server, "tokenctl_database_errors_total") >= 1);
    assert_eq!(metric(&server, "tokenctl_database_up"), 0);
    assert!(at.elapsed() < DB_BOUND * 2, "{:?}", at.elapsed());
    // The one-shot CLI fails closed too, in one line, in bounded time (a deploy hook).
    let at = Instant::now();
    let out = env
        .cmd(["verify"])
        .write_stdin(format!("{token}\n"))
        .output()
        .unwrap();
    let took = at.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("did not answer"), "{stderr}");
    assert!(took < Duration::from_secs(12), "verify took {took:?}");
    drop(frozen);
    // No restart, no retry: the very next request reconnects.
    let r = server.get("/auth", &[("Authorization", &auth)]);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(server.get("/healthz", &[]).status, 200);
    let (code, stderr) = server.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains(&token));
    assert_eq!(uses(&env, &id_of(&token)).0, 2, "{stderr}");
}

/// SQLite: another process holds `BEGIN EXCLUSIVE`. Reads go on (WAL), so a plain token is
/// still judged; a token with a use limit must write, and answers 503 within the bound
/// instead of waiting out the lock, without holding the workers the plain token needs.
#[test]
fn a_locked_sqlite_database_gives_503_in_time() {
    let env = TestEnv::new();
    let limited = env.generate("limited", &["--max-uses", "5"]);
    let plain = env.generate("plain", &[]);
    let server = Server::start_cmd(env.std_cmd([
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--metrics-listen",
        "127.0.0.1:0",
    ]));
    let holder = env.conn();
    holder.busy_timeout(Duration::from_secs(10)).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let (replies, took) = at_once(&server, 4, "/auth", &bearer(&limited));
    for r in &replies {
        assert_eq!(r.status, 503, "{}", r.text());
    }
    assert!(took < DB_BOUND, "took {took:?}");
    let at = Instant::now();
    let r = server.get("/auth", &[("Authorization", &bearer(&plain))]);
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(at.elapsed() < DB_BOUND, "{:?}", at.elapsed());
    assert!(metric(&server, "tokenctl_database_errors_total") >= 1);
    holder.execute_batch("COMMIT").unwrap();
    let r = server.get("/auth", &[("Authorization", &bearer(&limited))]);
    assert_eq!(r.status, 200, "{}", r.text());
    let (code, stderr) = server.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(uses(&env, &id_of(&limited)).0, 1, "{stderr}");
}

/// Someone who can write the `-shm` (on a shared database, its whole group) holds every
/// WAL read slot. SQLite's retry loop for a snapshot then sleeps about 10 s without asking
/// the busy handler; serve's runtime thread reads too, and must not sleep with it: the
/// request still gets its 503 within the bound, and once the slots are free again, 200.
#[test]
fn held_wal_read_slots_do_not_stall_the_server() {
    use std::os::fd::AsRawFd;
    let env = TestEnv::new();
    let token = env.generate("web", &[]);
    let server = Server::start(&env, &[]);
    let auth = bearer(&token);
    assert_eq!(server.get("/auth", &[("Authorization", &auth)]).status, 200);
    let mut shm = env.db().as_os_str().to_owned();
    shm.push("-shm");
    let shm = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&shm)
        .unwrap();
    // SQLite's -shm lock bytes start at 120; the five read slots are 123..=127.
    let lock = |kind| {
        let mut region: nix::libc::flock = unsafe { std::mem::zeroed() };
        region.l_type = kind;
        region.l_whence = nix::libc::SEEK_SET as i16;
        region.l_start = 123;
        region.l_len = 5;
        // SAFETY: a plain fcntl lock request on a descriptor this test owns.
        let rc = unsafe { nix::libc::fcntl(shm.as_raw_fd(), nix::libc::F_SETLKW, &region) };
        assert_eq!(rc, 0, "{}", std::io::Error::last_os_error());
    };
    lock(nix::libc::F_WRLCK as i16);
    let at = Instant::now();
    let r = server.get("/auth", &[("Authorization", &auth)]);
    assert_eq!(r.status, 503, "{}", r.text());
    assert!(at.elapsed() < DB_BOUND, "{:?}", at.elapsed());
    lock(nix::libc::F_UNLCK as i16);
    let at = Instant::now();
    let r = server.get("/auth", &[("Authorization", &auth)]);
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(at.elapsed() < DB_BOUND, "{:?}", at.elapsed());
    let (code, stderr) = server.stop();
    assert_eq!(code, Some(0), "{stderr}");
}

/// A use in the batch of a token deleted before the flush writes it is dropped: no usage
/// row outlives its token. The test holds the write lock, so the flush comes after the
/// delete. (SQLite: the flush tells a deleted token by its UPDATE changing no row; this
/// guards that rewrite, and passed on the WHERE EXISTS it replaced as well.)
#[test]
fn a_use_of_a_token_deleted_before_the_flush_is_dropped() {
    let env = TestEnv::new();
    let gone = env.generate("gone", &[]);
    let kept = env.generate("kept", &[]);
    let server = Server::start(&env, &[]);
    let holder = env.conn();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    for token in [&gone, &kept] {
        let r = server.get("/auth", &[("Authorization", &bearer(token))]);
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let id = id_of(&gone);
    holder
        .execute("DELETE FROM token_scopes WHERE token_id = ?1", [&id])
        .unwrap();
    assert_eq!(
        holder
            .execute("DELETE FROM tokens WHERE id = ?1", [&id])
            .unwrap(),
        1
    );
    holder.execute_batch("COMMIT").unwrap();
    let (code, stderr) = server.stop();
    assert_eq!(code, Some(0), "{stderr}");
    for table in ["usage_daily", "usage_sources"] {
        let rows = env.sql(&format!("SELECT token_id FROM {table}"));
        assert_eq!(rows, [[id_of(&kept)]], "{table}");
    }
    assert_eq!(uses(&env, &id_of(&kept)).0, 1);
}

both!(serve_keeps_the_sixteen_most_recent_sources);
/// A token keeps at most 16 sources through serve's batches, as through verify: new ones
/// push older ones out, and a flush that only adds to known ones keeps them all.
fn serve_keeps_the_sixteen_most_recent_sources() {
    let env = TestEnv::new();
    let token = env.generate("web", &[]);
    let ask = |server: &Server, source: &str| {
        let body = format!(r#"{{"token": "{token}", "source": "{source}"}}"#);
        let r = request(&server.addr, "POST", "/v1/verify", &[], Some(&body));
        assert_eq!(r.status, 200, "{r:?}");
    };
    let server = Server::start(&env, &["--trust-proxy", "127.0.0.1/32"]);
    for i in 0..20 {
        ask(&server, &format!("s{i:02}"));
    }
    server.stop();
    let server = Server::start(&env, &["--trust-proxy", "127.0.0.1/32"]);
    ask(&server, "s19");
    server.stop();
    let sources: Vec<String> = env
        .sql("SELECT source FROM usage_sources")
        .into_iter()
        .map(|row| row[0].clone())
        .collect();
    // Uses within one second tie on their time; the names break the tie.
    assert_eq!(sources.len(), 16, "{sources:?}");
    assert!(sources.contains(&"s19".to_owned()), "{sources:?}");
    assert_eq!(env.show("web")["usage_count"], 21);
}
