//! Many real processes on one database at once: no lost update, no "database is locked",
//! and a revoke that has returned is seen by every verify that starts after it.

use std::process::{Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;

use crate::util::TestEnv;

/// One `verify` process with `token` on stdin.
fn verify(env: &TestEnv, token: &str, extra: &[&str]) -> Output {
    let args: Vec<&str> = ["verify"]
        .into_iter()
        .chain(extra.iter().copied())
        .collect();
    let mut child = env
        .std_cmd(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn verify");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(format!("{token}\n").as_bytes()).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn int(env: &TestEnv, sql: &str) -> i64 {
    let rows = env.sql(sql);
    rows[0][0]
        .parse()
        .unwrap_or_else(|e| panic!("{sql}: {rows:?}: {e}"))
}

#[track_caller]
fn assert_clean(out: &Output, want: i32, what: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("locked"), "{what}: {stderr}");
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    assert_eq!(out.status.code(), Some(want), "{what}: {stderr}");
}

const PROCESSES: usize = 16;
const ROUNDS: usize = 60;

both!(sixteen_processes_verifying_one_token_lose_no_use);
fn sixteen_processes_verifying_one_token_lose_no_use() {
    let env = Arc::new(TestEnv::new());
    let token = Arc::new(env.generate("hot", &[]));
    let workers: Vec<_> = (0..PROCESSES)
        .map(|_| {
            let (env, token) = (Arc::clone(&env), Arc::clone(&token));
            thread::spawn(move || {
                for _ in 0..ROUNDS {
                    assert_clean(&verify(&env, &token, &[]), 0, "verify");
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let n = (PROCESSES * ROUNDS) as i64;
    assert_eq!(int(&env, "SELECT usage_count FROM tokens"), n);
    assert_eq!(int(&env, "SELECT sum(uses) FROM usage_daily"), n);
    assert_eq!(int(&env, "SELECT sum(uses) FROM usage_sources"), n);
    assert_eq!(int(&env, "SELECT failed_count FROM tokens"), 0);
}

both!(verifies_of_many_tokens_and_a_lifecycle_mix_lose_nothing);
fn verifies_of_many_tokens_and_a_lifecycle_mix_lose_nothing() {
    let env = Arc::new(TestEnv::new());
    let tokens: Vec<String> = (0..4)
        .map(|i| env.generate(&format!("t{i}"), &[]))
        .collect();
    let mut workers = Vec::new();
    // Two verifiers per token, and one that presents a wrong secret for t0 each time.
    for token in tokens.iter().chain(tokens.iter()) {
        let (env, token) = (Arc::clone(&env), token.clone());
        workers.push(thread::spawn(move || {
            for _ in 0..15 {
                assert_clean(&verify(&env, &token, &[]), 0, "verify");
            }
        }));
    }
    let forged = {
        let body = format!("{}{}", &tokens[0][..15], "A".repeat(32));
        let check = tokenctl::checksum::checksum(body.as_bytes());
        format!("{body}{}", std::str::from_utf8(&check).unwrap())
    };
    {
        let env = Arc::clone(&env);
        workers.push(thread::spawn(move || {
            for _ in 0..15 {
                assert_clean(&verify(&env, &forged, &[]), 10, "forged verify");
            }
        }));
    }
    // Meanwhile: generate, revoke, restore, revoke and delete other tokens.
    {
        let env = Arc::clone(&env);
        workers.push(thread::spawn(move || {
            for i in 0..10 {
                let name = format!("churn{i}");
                let out = env.cmd(["generate", "--name", &name]).output().unwrap();
                assert_clean(&out, 0, "generate");
                for action in ["revoke", "restore", "revoke"] {
                    let out = env.cmd([action, &name]).output().unwrap();
                    assert_clean(&out, 0, action);
                }
                if i % 2 == 0 {
                    let out = env.cmd(["delete", &name, "--yes"]).output().unwrap();
                    assert_clean(&out, 0, "delete");
                }
            }
        }));
    }
    for w in workers {
        w.join().unwrap();
    }
    for i in 0..4 {
        let uses = int(
            &env,
            &format!("SELECT usage_count FROM tokens WHERE name = 't{i}'"),
        );
        assert_eq!(uses, 30, "t{i}");
    }
    // Wrong secrets are unknown tokens: they write nothing.
    assert_eq!(
        int(&env, "SELECT failed_count FROM tokens WHERE name = 't0'"),
        0
    );
    assert_eq!(
        int(
            &env,
            "SELECT count(*) FROM tokens WHERE name LIKE 'churn%' AND revoked_at IS NOT NULL"
        ),
        5
    );
    assert_eq!(int(&env, "SELECT count(*) FROM tokens"), 4 + 5);
    // generated + 3 changes each + 5 deletes.
    assert_eq!(int(&env, "SELECT count(*) FROM events"), 4 + 10 * 4 + 5);
}

both!(a_returned_revoke_is_seen_by_every_later_verify);
fn a_returned_revoke_is_seen_by_every_later_verify() {
    const VERIFIERS: usize = 8;
    const AFTER: usize = 8;
    let env = Arc::new(TestEnv::new());
    let token = Arc::new(env.generate("target", &[]));
    let revoked = Arc::new(AtomicBool::new(false));
    let (started, running) = mpsc::channel();
    let workers: Vec<_> = (0..VERIFIERS)
        .map(|_| {
            let (env, token, revoked) =
                (Arc::clone(&env), Arc::clone(&token), Arc::clone(&revoked));
            let started = started.clone();
            thread::spawn(move || {
                // (started after the revoke returned?, exit code)
                let mut seen: Vec<(bool, i32)> = Vec::new();
                let mut after = 0;
                while after < AFTER {
                    let later = revoked.load(Ordering::SeqCst);
                    let out = verify(&env, &token, &["-q"]);
                    let code = out.status.code().unwrap_or(-1);
                    seen.push((later, code));
                    if seen.len() == 1 {
                        started.send(()).unwrap();
                    }
                    after += usize::from(later);
                }
                seen
            })
        })
        .collect();
    drop(started);
    // Revoke only once every verifier is running, so the race is real.
    for _ in 0..VERIFIERS {
        running.recv().unwrap();
    }
    let out = env.cmd(["revoke", "target"]).output().unwrap();
    assert_clean(&out, 0, "revoke");
    revoked.store(true, Ordering::SeqCst);

    let mut successes = 0;
    let mut later = 0;
    for w in workers {
        for (after_revoke, code) in w.join().unwrap() {
            if after_revoke {
                later += 1;
                assert_eq!(
                    code, 12,
                    "a verify started after the revoke returned got {code}"
                );
            } else {
                assert!(code == 0 || code == 12, "unexpected exit {code}");
                successes += i64::from(code == 0);
            }
        }
    }
    assert_eq!(later, VERIFIERS * AFTER);
    assert!(
        successes >= VERIFIERS as i64,
        "each verifier succeeded once before the revoke"
    );
    assert_eq!(int(&env, "SELECT usage_count FROM tokens"), successes);
}
