//! `edit`: a token changed in place, the secret untouched, one event per change with
//! what it was and what it became; the refusals (a taken name, an expiry in the past, an
//! expired token revived); on both backends (issue 11).

use predicates::prelude::*;

use crate::util::TestEnv;

fn edits(env: &TestEnv, reference: &str) -> Vec<serde_json::Value> {
    let log = env.json(["log", reference, "--json"]);
    log["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "edited")
        .cloned()
        .collect()
}

both!(edit_changes_every_field_and_logs_each_change_the_secret_stays);
fn edit_changes_every_field_and_logs_each_change_the_secret_stays() {
    let mut env = TestEnv::new();
    env.at("2026-05-01T00:00:00Z");
    let token = env.generate("ci", &["--scope", "repo:read", "--expires", "30d"]);
    env.cmd([
        "edit",
        "ci",
        "--name",
        "ci-main",
        "--description",
        "main pipeline",
        "--add-scope",
        "deploy:run",
        "--remove-scope",
        "repo:read",
        "--expires",
        "1y",
        "--max-uses",
        "10",
        "--allow-cidr",
        "10.0.0.0/8",
    ])
    .assert()
    .success()
    .stdout("");
    let t = env.show("ci-main");
    assert_eq!(t["description"], "main pipeline");
    assert_eq!(t["scopes"], serde_json::json!(["deploy:run"]));
    assert_eq!(t["expires_at"], "2027-05-01T00:00:00Z");
    assert_eq!(t["max_uses"], 10);
    assert_eq!(t["allowed_cidrs"], serde_json::json!(["10.0.0.0/8"]));
    let e = edits(&env, "ci-main");
    let fields: Vec<&str> = e
        .iter()
        .map(|e| e["data"]["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "name",
            "description",
            "scopes",
            "expires_at",
            "max_uses",
            "allowed_cidrs"
        ]
    );
    assert_eq!(e[0]["data"]["from"], "ci");
    assert_eq!(e[0]["data"]["to"], "ci-main");
    assert_eq!(e[3]["data"]["from"], "2026-05-31T00:00:00Z");
    env.cmd(["log", "ci-main"]).assert().stdout(
        predicate::str::contains("edited").and(predicate::str::contains("\"ci\" -> \"ci-main\"")),
    );
    // Same secret, new settings.
    env.verify(
        &token,
        &["--scope", "deploy:run", "--client-ip", "10.1.2.3"],
    )
    .success();
    // The new allow-list holds: no address, or one outside it, is refused (exit 15).
    env.verify(&token, &["--scope", "deploy:run"]).code(15);
    env.verify(&token, &["--client-ip", "192.0.2.1"]).code(15);
    // Lifting the limits is a change too; the same value again is none.
    env.cmd(["edit", "ci-main", "--no-max-uses", "--any-address"])
        .assert()
        .success();
    let t = env.show("ci-main");
    assert_eq!(t["max_uses"], serde_json::Value::Null);
    assert_eq!(t["allowed_cidrs"], serde_json::Value::Null);
    let again = env.json(["edit", "ci-main", "--name", "ci-main", "--json"]);
    assert_eq!(again["changed"], false);
    assert_eq!(edits(&env, "ci-main").len(), 8);
}

both!(renaming_a_revoked_token_frees_its_name);
fn renaming_a_revoked_token_frees_its_name() {
    let env = TestEnv::new();
    env.generate("deploy", &[]);
    env.cmd(["revoke", "deploy"]).assert().success();
    env.cmd(["edit", "deploy", "--name", "deploy-old"])
        .assert()
        .success();
    env.generate("deploy", &[]);
    assert_eq!(env.show("deploy-old")["status"], "revoked");
    assert_eq!(env.show("deploy")["status"], "active");
}

both!(edit_refuses_a_taken_name_a_past_expiry_and_reviving_an_expired_token);
fn edit_refuses_a_taken_name_a_past_expiry_and_reviving_an_expired_token() {
    let mut env = TestEnv::new();
    env.at("2026-05-01T00:00:00Z");
    env.generate("a", &[]);
    env.generate("b", &["--expires", "1d"]);
    env.cmd(["edit", "a", "--name", "b"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("already exists"));
    env.cmd(["edit", "a", "--expires-at", "2026-04-01"])
        .assert()
        .code(2);
    env.cmd(["edit", "a"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nothing to change"));
    env.cmd(["edit", "a", "--allow-cidr", "10.0.0.0/33"])
        .assert()
        .code(2);
    env.at("2026-05-03T00:00:00Z");
    env.cmd(["edit", "b", "--expires", "1y"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot be revived"));
    assert_eq!(env.show("b")["status"], "expired");
    assert!(edits(&env, "a").is_empty());
}
