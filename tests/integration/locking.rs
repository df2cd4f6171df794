//! Who takes the write lock, and when the clock is read: garbage never queues real
//! verifies, and lifecycle changes judge and date themselves under the lock they waited for.

use std::io::Write as _;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::util::TestEnv;

/// A well-formed token (valid check) with a random id: anyone can mint these.
fn garbage() -> String {
    let (_, secret) = tokenctl::token::make(&tokenctl::token::Prefix::default()).unwrap();
    secret.expose().to_owned()
}

/// Holds the database's write lock, as a long writer would, until dropped.
fn hold_write_lock(env: &TestEnv) -> rusqlite::Connection {
    let conn = env.conn();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    conn
}

/// Waits until `child` sleeps in the kernel's nanosleep: tokenctl's only sleep is its lock
/// waiter, so the process is provably waiting for the lock (not yet past it).
fn wait_until_waiting_for_lock(child: &mut Child) {
    let path = format!("/proc/{}/wchan", child.id());
    let deadline = Instant::now() + Duration::from_secs(9);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("exited ({status}) instead of waiting for the lock");
        }
        let wchan = std::fs::read_to_string(&path).unwrap_or_default();
        if wchan.contains("nanosleep") {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "never waited for the lock: {wchan}"
        );
        std::thread::yield_now();
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Waits for the wall clock itself to reach `at`: the thing under test is which second
/// the binary reads, not an ordering between processes.
fn wait_for_clock(at: i64) {
    while unix_now() < at {
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn unknown_tokens_take_no_write_lock() {
    let env = TestEnv::new();
    let known = env.generate("real", &[]);
    env.verify(&known, &["--source", "warm"]).success();
    let count = |sql: &str| format!("{:?}", env.sqlite(sql));
    let before = (
        count("SELECT usage_count, failed_count FROM tokens"),
        count("SELECT count(*) FROM usage_daily"),
    );

    // Ids are public: a real id with a made-up secret (and a valid check) is as unknown.
    let wrong_secret = |i: usize| {
        let body = format!("{}{:0>32}", &known[..15], i);
        let check = tokenctl::checksum::checksum(body.as_bytes());
        format!("{body}{}", std::str::from_utf8(&check).unwrap())
    };
    let lock = hold_write_lock(&env);
    let started = Instant::now();
    for i in 0..20 {
        let presented = if i % 2 == 0 {
            garbage()
        } else {
            wrong_secret(i)
        };
        let out = env
            .cmd(["verify", "--source", "loop"])
            .write_stdin(format!("{presented}\n"))
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(10),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // The lock waiter gives up after 10 s; 20 garbage verifies queued behind the lock
    // would take minutes.
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    // A verify that records nothing still answers while a writer holds the lock.
    env.verify(&known, &["--no-record"]).success();
    drop(lock);

    let after = (
        count("SELECT usage_count, failed_count FROM tokens"),
        count("SELECT count(*) FROM usage_daily"),
    );
    assert_eq!(after, before, "an unknown token wrote something");
    // And a real use is still counted, exactly once.
    env.verify(&known, &[]).success();
    assert_eq!(env.show("real")["usage_count"], 2);
}

#[test]
fn a_restore_that_waited_past_the_expiry_refuses() {
    let env = TestEnv::new();
    env.generate("short", &[]);
    env.cmd(["revoke", "short"]).assert().success();
    // Expiry a few seconds ahead (generate would refuse under a minute).
    let expires = unix_now() + 3;
    env.conn()
        .execute("UPDATE tokens SET expires_at = ?1", [expires])
        .unwrap();

    let lock = hold_write_lock(&env);
    let mut restore = env
        .std_cmd(["restore", "short"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until_waiting_for_lock(&mut restore);
    // The restore started, and passed its early check, while the token was unexpired.
    assert!(
        unix_now() < expires,
        "too slow to test: the token expired first"
    );
    wait_for_clock(expires + 1);
    drop(lock);
    let out = restore.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("expired"), "{stderr}");
    assert_eq!(env.show("short")["status"], "revoked");
}

#[test]
fn a_revoke_is_dated_when_it_gets_the_lock() {
    let env = TestEnv::new();
    env.generate("dated", &[]);
    let lock = hold_write_lock(&env);
    let mut revoke = env
        .std_cmd(["revoke", "dated", "--json"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until_waiting_for_lock(&mut revoke);
    let released = unix_now() + 1;
    wait_for_clock(released);
    drop(lock);
    let out = revoke.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let revoked_at: i64 = env.sqlite("SELECT revoked_at FROM tokens")[0][0]
        .clone()
        .pipe_i64();
    assert!(
        revoked_at >= released,
        "revoked_at {revoked_at} is before the lock was released at {released}"
    );
    let event: i64 = env.sqlite("SELECT at FROM events WHERE action = 'revoked'")[0][0]
        .clone()
        .pipe_i64();
    assert_eq!(event, revoked_at);
}

trait PipeI64 {
    fn pipe_i64(self) -> i64;
}

impl PipeI64 for rusqlite::types::Value {
    fn pipe_i64(self) -> i64 {
        match self {
            rusqlite::types::Value::Integer(i) => i,
            other => panic!("not an integer: {other:?}"),
        }
    }
}

#[test]
fn sources_per_token_are_bounded() {
    let env = TestEnv::new();
    let token = env.generate("busy", &[]);
    let mut last = String::new();
    for i in 0..40 {
        last = format!("runner-{i}-{:08x}", rand::random::<u32>());
        env.verify(&token, &["--source", &last]).success();
    }
    let rows = env.sqlite("SELECT source FROM usage_sources");
    assert_eq!(rows.len(), 16, "{rows:?}");
    let kept = format!("{rows:?}");
    assert!(kept.contains(&last), "the latest source was pruned: {kept}");
    assert_eq!(env.show("busy")["usage_count"], 40);
    assert_eq!(env.show("busy")["last_used_source"], last.as_str());
}

/// A verify waiting for its token on a pipe (the moment it holds, or is about to hold,
/// a secret) has no core limit and is not dumpable. It runs as another user than the
/// test, because only then does non-dumpable show: its /proc files turn root's.
#[test]
fn verify_cannot_dump_core() {
    use std::os::unix::fs::MetadataExt as _;
    use std::os::unix::process::CommandExt as _;
    let env = TestEnv::new();
    env.generate("x", &[]);
    let mut cmd = env.std_cmd(["verify", "--no-record"]);
    let me = nix::unistd::getuid().as_raw();
    let runner = if me == 0 {
        // Root (CI): hand the database to an unprivileged uid and run verify as that uid.
        const NOBODY: u32 = 65534;
        std::fs::set_permissions(
            env.root(),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        for entry in std::fs::read_dir(env.root()).unwrap() {
            let path = entry.unwrap().path();
            if path.to_string_lossy().contains("tokens.db") {
                std::os::unix::fs::chown(&path, Some(NOBODY), Some(NOBODY)).unwrap();
            }
        }
        cmd.uid(NOBODY).gid(NOBODY);
        NOBODY
    } else {
        me
    };
    let mut verify = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = verify.id();
    let deadline = Instant::now() + Duration::from_secs(9);
    loop {
        if let Some(status) = verify.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(verify.stderr.as_mut().unwrap(), &mut err).unwrap();
            panic!("verify exited ({status}) before reading stdin: {err}");
        }
        let wchan = std::fs::read_to_string(format!("/proc/{pid}/wchan")).unwrap_or_default();
        if wchan.contains("pipe") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "verify never read stdin: {wchan}"
        );
        std::thread::yield_now();
    }
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap();
    let fields: Vec<&str> = core.split_whitespace().collect();
    assert_eq!(&fields[4..6], &["0", "0"], "{core}");
    let owner = std::fs::metadata(format!("/proc/{pid}/fd")).unwrap().uid();
    assert_ne!(runner, 0);
    assert_eq!(
        owner, 0,
        "/proc/{pid} belongs to uid {owner}: verify is dumpable"
    );
    let mut stdin = verify.stdin.take().unwrap();
    writeln!(stdin, "{}", garbage()).unwrap();
    drop(stdin);
    assert_eq!(verify.wait().unwrap().code(), Some(10));
}
