//! `--max-uses` (exit 14, exact under concurrency) and `--allow-cidr` with `verify
//! --client-ip` (exit 15), through the real binary on both engines.

use std::io::Write;
use std::process::{Child, Stdio};

use crate::util::TestEnv;

fn int(env: &TestEnv, sql: &str) -> i64 {
    env.sql(sql)[0][0].parse().expect("a number")
}

/// A verify process waiting for its token on stdin.
fn waiting_verify(env: &TestEnv) -> Child {
    env.std_cmd(["verify", "-q"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn verify")
}

both!(sixteen_processes_race_for_three_uses_and_exactly_three_win);
fn sixteen_processes_race_for_three_uses_and_exactly_three_win() {
    let env = TestEnv::new();
    let token = env.generate("limited", &["--max-uses", "3"]);
    // Every process is started and blocked on stdin before any gets its token, so all 16
    // judge at once rather than one after another.
    let mut children: Vec<Child> = (0..16).map(|_| waiting_verify(&env)).collect();
    for child in &mut children {
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(format!("{token}\n").as_bytes())
            .expect("write token");
    }
    let codes: Vec<i32> = children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().expect("verify");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                !err.contains("locked") && !err.contains("panicked"),
                "{err}"
            );
            out.status.code().expect("an exit code")
        })
        .collect();
    assert_eq!(codes.iter().filter(|&&c| c == 0).count(), 3, "{codes:?}");
    assert_eq!(codes.iter().filter(|&&c| c == 14).count(), 13, "{codes:?}");
    assert_eq!(int(&env, "SELECT usage_count FROM tokens"), 3);
    assert_eq!(int(&env, "SELECT failed_count FROM tokens"), 13);
    let shown = env.show("limited");
    assert_eq!(shown["max_uses"], 3);
    assert_eq!(shown["remaining_uses"], 0);
}

both!(a_use_limit_counts_down_then_exits_14);
fn a_use_limit_counts_down_then_exits_14() {
    let env = TestEnv::new();
    let token = env.generate("two", &["--max-uses", "2"]);
    assert_eq!(env.show("two")["remaining_uses"], 2);
    env.verify(&token, &[]).code(0);
    // --no-record judges without using one.
    env.verify(&token, &["--no-record"]).code(0);
    assert_eq!(env.show("two")["remaining_uses"], 1);
    env.verify(&token, &[]).code(0);
    let out = env.verify(&token, &["--json"]).code(14);
    let doc: serde_json::Value =
        serde_json::from_slice(&out.get_output().stdout).expect("verify --json");
    assert_eq!(doc["valid"], false);
    assert_eq!(doc["code"], "exhausted");
    assert_eq!(doc["token"]["remaining_uses"], 0);
    let out = env.verify(&token, &[]).code(14);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("used up"), "{err}");
    // A token without a limit has none.
    env.generate("free", &[]);
    assert_eq!(env.show("free")["remaining_uses"], serde_json::Value::Null);
    env.cmd(["generate", "--name", "zero", "--max-uses", "0"])
        .assert()
        .code(2);
    env.cmd(["generate", "--name", "neg", "--max-uses", "-1"])
        .assert()
        .code(2);
}

both!(an_allow_list_admits_only_addresses_inside_it);
fn an_allow_list_admits_only_addresses_inside_it() {
    let env = TestEnv::new();
    let v4 = env.generate(
        "v4",
        &["--allow-cidr", "192.0.2.7/32", "--allow-cidr", "10.0.0.0/8"],
    );
    let v6 = env.generate("v6", &["--allow-cidr", "2001:db8::1/128"]);
    let cases: &[(&str, &str, i32)] = &[
        (&v4, "192.0.2.7", 0),
        (&v4, "192.0.2.8", 15),
        (&v4, "10.200.0.1", 0),
        (&v4, "11.0.0.1", 15),
        // What a dual-stack socket reports for an IPv4 peer.
        (&v4, "::ffff:192.0.2.7", 0),
        (&v6, "2001:db8::1", 0),
        (&v6, "[2001:db8::1]", 0),
        (&v6, "2001:db8::2", 15),
        (&v6, "192.0.2.7", 15),
    ];
    for (token, ip, want) in cases {
        env.verify(token, &["--client-ip", ip]).code(*want);
    }
    // No address given: an allow-list admits nothing.
    let out = env.verify(&v4, &["--json"]).code(15);
    let doc: serde_json::Value =
        serde_json::from_slice(&out.get_output().stdout).expect("verify --json");
    assert_eq!(doc["code"], "ip_not_allowed");
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("--client-ip"), "{err}");
    // A token without an allow-list ignores the address.
    let any = env.generate("any", &[]);
    env.verify(&any, &["--client-ip", "203.0.113.9"]).code(0);
    env.verify(&any, &[]).code(0);
    assert_eq!(
        env.show("v4")["allowed_cidrs"],
        serde_json::json!(["10.0.0.0/8", "192.0.2.7/32"])
    );
    // Bad values are usage errors, before anything is stored or judged.
    for bad in ["10.0.0.1/8", "10.0.0.0/33", "example.com", "10.0.0.0/08"] {
        env.cmd(["generate", "--name", "bad", "--allow-cidr", bad])
            .assert()
            .code(2);
    }
    env.verify(&v4, &["--client-ip", "300.1.1.1"]).code(2);
    assert_eq!(int(&env, "SELECT count(*) FROM tokens"), 3);
}

both!(precedence_revoked_expired_limit_address_scope);
fn precedence_revoked_expired_limit_address_scope() {
    let mut env = TestEnv::new();
    env.at("2026-01-01T00:00:00Z");
    let args = [
        "--max-uses",
        "1",
        "--allow-cidr",
        "10.0.0.0/8",
        "--scope",
        "a:b",
        "--expires",
        "30d",
    ];
    let t = env.generate("t", &args);
    let inside = ["--client-ip", "10.0.0.1"];
    // Address before scope.
    env.verify(&t, &["--client-ip", "11.0.0.1", "--scope", "c:d"])
        .code(15);
    env.verify(&t, &["--client-ip", "10.0.0.1", "--scope", "c:d"])
        .code(13);
    env.verify(&t, &inside).code(0);
    // Use limit before address.
    env.verify(&t, &["--client-ip", "11.0.0.1"]).code(14);
    // Expired before use limit.
    env.at("2026-03-01T00:00:00Z");
    env.verify(&t, &inside).code(11);
    // Revoked before expired.
    env.cmd(["revoke", "t"]).assert().success();
    env.verify(&t, &inside).code(12);
}
