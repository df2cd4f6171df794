//! Revoking with a reason or as compromised, and what `restore` then refuses: the reason
//! and the compromise in show, log and JSON, on both backends (issue 11).

use predicates::prelude::*;

use crate::util::TestEnv;

fn last_event(env: &TestEnv, reference: &str) -> serde_json::Value {
    let log = env.json(["log", reference, "--json"]);
    log["events"].as_array().unwrap().last().unwrap().clone()
}

both!(a_revoke_reason_shows_in_show_log_and_json);
fn a_revoke_reason_shows_in_show_log_and_json() {
    let env = TestEnv::new();
    env.generate("ci", &[]);
    env.cmd(["revoke", "ci", "--reason", "left the team"])
        .assert()
        .success();
    let t = env.show("ci");
    assert_eq!(t["status"], "revoked");
    assert_eq!(t["revoke_reason"], "left the team");
    assert_eq!(t["compromised"], false);
    env.cmd(["show", "ci"])
        .assert()
        .success()
        .stdout(predicate::str::contains("left the team"));
    env.cmd(["log", "ci"])
        .assert()
        .success()
        .stdout(predicate::str::contains("revoked").and(predicate::str::contains("left the team")));
    let e = last_event(&env, "ci");
    assert_eq!(e["action"], "revoked");
    assert_eq!(e["data"]["reason"], "left the team");
    assert_eq!(e["data"]["compromised"], false);
    // Restorable: a plain revoke is not a compromise.
    env.cmd(["restore", "ci"]).assert().success();
    assert_eq!(env.show("ci")["status"], "active");
}

both!(a_compromised_token_is_never_restored);
fn a_compromised_token_is_never_restored() {
    let env = TestEnv::new();
    let token = env.generate("leaky", &[]);
    env.cmd([
        "revoke",
        "leaky",
        "--compromised",
        "--reason",
        "pasted in chat",
    ])
    .assert()
    .success();
    let t = env.show("leaky");
    assert_eq!(t["compromised"], true);
    assert_eq!(t["revoke_reason"], "pasted in chat");
    env.cmd(["restore", "leaky"]).assert().code(1).stderr(
        predicate::str::contains("compromised")
            .and(predicate::str::contains("generate a new token")),
    );
    assert_eq!(env.show("leaky")["status"], "revoked");
    env.verify(&token, &[]).code(12);
    env.cmd(["show", "leaky"])
        .assert()
        .stdout(predicate::str::contains("never restorable"));
}

both!(an_already_revoked_token_can_still_be_marked_compromised);
fn an_already_revoked_token_can_still_be_marked_compromised() {
    let env = TestEnv::new();
    env.generate("old", &[]);
    env.cmd(["revoke", "old"]).assert().success();
    let done = env.json(["revoke", "old", "--compromised", "--json"]);
    assert_eq!(done[0]["changed"], true);
    assert_eq!(done[0]["compromised"], true);
    // Again: nothing left to tighten.
    let again = env.json(["revoke", "old", "--compromised", "--json"]);
    assert_eq!(again[0]["changed"], false);
    env.cmd(["restore", "old"]).assert().code(1);
}

both!(a_reason_holding_a_token_is_refused);
fn a_reason_holding_a_token_is_refused() {
    let env = TestEnv::new();
    let token = env.generate("t", &[]);
    env.cmd(["revoke", "t", "--reason", &format!("leaked {token}")])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--reason holds a token secret"));
    assert_eq!(env.show("t")["status"], "active");
}
