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

both!(copy_carries_reasons_compromise_limits_allow_lists_and_rotation_links);
fn copy_carries_reasons_compromise_limits_allow_lists_and_rotation_links() {
    let env = TestEnv::new();
    env.generate("kept", &[]);
    env.cmd([
        "edit",
        "kept",
        "--max-uses",
        "5",
        "--allow-cidr",
        "192.0.2.0/24",
    ])
    .assert()
    .success();
    env.cmd(["rotate", "kept", "--grace", "1d"])
        .assert()
        .success();
    env.generate("leaky", &[]);
    env.cmd(["revoke", "leaky", "--compromised", "--reason", "in a gist"])
        .assert()
        .success();
    let to = env.root().join("copy.db");
    let to = to.to_str().unwrap();
    env.cmd(["copy", "--to", to]).assert().success();
    let ids: Vec<String> = env
        .json(["list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 3);
    for id in &ids {
        let a = env.json(["show", id, "--json"]);
        let b = env.json(["--db", to, "show", id, "--json"]);
        assert_eq!(a, b, "{id}");
    }
    let new = env.show("kept");
    assert_eq!(new["max_uses"], 5);
    assert_eq!(new["allowed_cidrs"], serde_json::json!(["192.0.2.0/24"]));
    assert!(new["rotated_from"].is_string());
    let leaky = env.json(["--db", to, "show", "leaky", "--json"]);
    assert_eq!(leaky["compromised"], true);
    assert_eq!(leaky["revoke_reason"], "in a gist");
    env.cmd(["--db", to, "restore", "leaky"]).assert().code(1);
}

/// A database made by the first schema is upgraded by `init` and keeps its tokens, which
/// read with the new fields at their defaults.
#[test]
fn init_upgrades_a_v1_file_keeping_its_tokens() {
    let env = TestEnv::new();
    let token = env.generate("old", &["--scope", "a:b"]);
    {
        // Back to v1: the columns and the version 0002 added, as an older tokenctl left it.
        let conn = env.conn();
        conn.execute_batch(
            "ALTER TABLE tokens DROP COLUMN revoke_reason;
             ALTER TABLE tokens DROP COLUMN compromised;
             ALTER TABLE tokens DROP COLUMN max_uses;
             ALTER TABLE tokens DROP COLUMN allowed_cidrs;
             ALTER TABLE tokens DROP COLUMN rotated_from;
             ALTER TABLE tokens DROP COLUMN rotated_to;
             ALTER TABLE tokens DROP COLUMN grace_ends_at;
             ALTER TABLE events DROP COLUMN data;
             PRAGMA user_version = 1;",
        )
        .unwrap();
    }
    env.cmd(["list"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("older schema"));
    env.cmd(["init"]).assert().success();
    let t = env.show("old");
    assert_eq!(t["compromised"], false);
    assert_eq!(t["max_uses"], serde_json::Value::Null);
    env.verify(&token, &["--scope", "a:b"]).success();
    env.cmd(["revoke", "old", "--reason", "upgraded"])
        .assert()
        .success();
    assert_eq!(env.show("old")["revoke_reason"], "upgraded");
}
