//! `rotate`: the new secret under the same name and settings, the old one verifying for
//! its grace window (crossed with the pinned clock) and then denied as revoked, with the
//! link between the two in verify -v, show and log; on both backends (issue 11).

use predicates::prelude::*;

use crate::util::TestEnv;

fn id_of(token: &str) -> String {
    token.split('_').nth(1).unwrap().to_owned()
}

fn rotate(env: &TestEnv, args: &[&str]) -> String {
    let out = env
        .cmd(["rotate"].into_iter().chain(args.iter().copied()))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let secret = String::from_utf8(out).unwrap().trim().to_owned();
    assert!(!secret.contains('\n') && secret.len() > 40, "{secret:?}");
    secret
}

both!(the_old_secret_verifies_for_the_grace_window_and_then_reads_rotated);
fn the_old_secret_verifies_for_the_grace_window_and_then_reads_rotated() {
    let mut env = TestEnv::new();
    env.at("2026-03-01T00:00:00Z");
    let old = env.generate(
        "deploy",
        &[
            "--expires",
            "30d",
            "--scope",
            "deploy:run",
            "--description",
            "ci",
        ],
    );
    let new = rotate(&env, &["deploy", "--grace", "1h"]);
    let (old_id, new_id) = (id_of(&old), id_of(&new));
    // The name moved to the new token, with every setting.
    let t = env.show("deploy");
    assert_eq!(t["id"], new_id.as_str());
    assert_eq!(t["scopes"], serde_json::json!(["deploy:run"]));
    assert_eq!(t["description"], "ci");
    assert_eq!(t["rotated_from"], old_id.as_str());
    assert_eq!(t["expires_at"], "2026-03-31T00:00:00Z");
    // Inside the grace window both verify: no moment in which neither does.
    env.at("2026-03-01T00:59:59Z");
    env.verify(&old, &["--scope", "deploy:run"]).success();
    env.verify(&new, &["--scope", "deploy:run"]).success();
    // At its end the old one is denied as revoked, naming its successor.
    env.at("2026-03-01T01:00:00Z");
    env.verify(&old, &["-v"]).code(12).stderr(
        predicate::str::contains("rotated to").and(predicate::str::contains(new_id.as_str())),
    );
    env.verify(&new, &[]).success();
    let o = env.show(&old_id);
    assert_eq!(o["status"], "revoked");
    assert_eq!(o["rotated_to"], new_id.as_str());
    assert_eq!(o["revoked_at"], "2026-03-01T01:00:00Z");
    env.cmd(["show", &old_id]).assert().stdout(
        predicate::str::contains("rotated to").and(predicate::str::contains(new_id.as_str())),
    );
    env.cmd(["log", "deploy"]).assert().stdout(
        predicate::str::contains("rotated from").and(predicate::str::contains(old_id.as_str())),
    );
    let log = env.json(["log", &old_id, "--json"]);
    let rotated = log["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "rotated")
        .expect("a rotated event")
        .clone();
    assert_eq!(rotated["data"]["to"], new_id.as_str());
    // A rotated token cannot come back, nor be rotated again.
    env.cmd(["restore", &old_id])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("rotated to"));
    env.cmd(["rotate", &old_id])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("already rotated"));
}

both!(without_grace_the_old_secret_stops_at_once);
fn without_grace_the_old_secret_stops_at_once() {
    let mut env = TestEnv::new();
    env.at("2026-03-01T00:00:00Z");
    let old = env.generate("t", &["--no-expiry"]);
    let new = rotate(&env, &["t"]);
    env.verify(&old, &[]).code(12);
    env.verify(&new, &[]).success();
    assert_eq!(env.show("t")["expires_at"], serde_json::Value::Null);
}

both!(a_grace_window_never_outlives_the_old_tokens_expiry);
fn a_grace_window_never_outlives_the_old_tokens_expiry() {
    let mut env = TestEnv::new();
    env.at("2026-03-01T00:00:00Z");
    let old = env.generate("t", &["--expires", "1d"]);
    let new = rotate(&env, &["t", "--grace", "7d", "--expires", "1y"]);
    let o = env.show(&id_of(&old));
    assert_eq!(o["grace_ends_at"], "2026-03-02T00:00:00Z");
    assert_eq!(env.show("t")["expires_at"], "2027-03-01T00:00:00Z");
    env.at("2026-03-02T00:00:00Z");
    env.verify(&old, &[]).code(12);
    env.verify(&new, &[]).success();
}

both!(rotate_json_prints_the_new_token_with_its_secret_once);
fn rotate_json_prints_the_new_token_with_its_secret_once() {
    let env = TestEnv::new();
    env.generate("t", &[]);
    let doc = env.json(["rotate", "t", "--json"]);
    assert_eq!(doc["name"], "t");
    let secret = doc["token"].as_str().unwrap();
    assert_eq!(id_of(secret), doc["id"].as_str().unwrap());
    env.verify(secret, &[]).success();
}

both!(a_revoked_token_is_not_rotated);
fn a_revoked_token_is_not_rotated() {
    let env = TestEnv::new();
    env.generate("t", &[]);
    env.cmd(["revoke", "t"]).assert().success();
    env.cmd(["rotate", "t"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("is revoked"));
}

both!(a_rotate_nobody_can_receive_changes_nothing);
fn a_rotate_nobody_can_receive_changes_nothing() {
    let env = TestEnv::new();
    let old = env.generate("t", &[]);
    let devnull = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/null")
        .unwrap();
    let out = env
        .std_cmd(["rotate", "t", "--grace", "1h"])
        .stdout(devnull)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nobody would receive the secret"));
    let t = env.show("t");
    assert_eq!(t["id"], id_of(&old).as_str());
    assert_eq!(t["rotated_to"], serde_json::Value::Null);
    assert_eq!(env.json(["list", "--json"]).as_array().unwrap().len(), 1);
    env.verify(&old, &[]).success();
}
