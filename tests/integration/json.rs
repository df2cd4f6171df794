//! `--json`: the token object's keys, `generate --json` (the only JSON with a secret),
//! `verify --json`'s outcome, and one JSON document from every command.

use serde_json::{Value, json};

use crate::util::TestEnv;

/// SPEC.md's token object: at least these keys, on every command that prints a token.
const TOKEN_KEYS: &[&str] = &[
    "id",
    "name",
    "prefix",
    "status",
    "scopes",
    "created_at",
    "expires_at",
    "revoked_at",
    "last_used_at",
    "usage_count",
    "failed_count",
];

fn assert_token_object(value: &Value) {
    for key in TOKEN_KEYS {
        assert!(value.get(key).is_some(), "no key {key:?} in {value:#}");
    }
    assert!(value.get("token").is_none(), "a secret in {value:#}");
}

fn stdout_json(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

both!(the_token_object);
fn the_token_object() {
    let mut env = TestEnv::new();
    env.at("2026-01-01T00:00:00Z");
    let token = env.generate("t", &["--scope", "b:x", "--scope", "a:y", "--prefix", "ci"]);
    env.at("2026-01-02T00:00:00Z");
    env.verify(&token, &["--source", "laptop"]).code(0);
    let list = env.json(["list", "--json"]);
    let t = &list[0];
    assert_token_object(t);
    assert_eq!(t["id"], token.split('_').nth(1).unwrap());
    assert_eq!(t["name"], "t");
    assert_eq!(t["prefix"], "ci");
    assert_eq!(t["status"], "active");
    assert_eq!(t["scopes"], json!(["a:y", "b:x"]));
    assert_eq!(t["created_at"], "2026-01-01T00:00:00Z");
    assert_eq!(t["expires_at"], "2026-01-31T00:00:00Z");
    assert_eq!(t["revoked_at"], Value::Null);
    assert_eq!(t["last_used_at"], "2026-01-02T00:00:00Z");
    assert_eq!(t["usage_count"], 1);
    assert_eq!(t["failed_count"], 0);
}

both!(status_values);
fn status_values() {
    let mut env = TestEnv::new();
    env.at("2026-01-01T00:00:00Z");
    env.generate("active", &[]);
    env.generate("revoked", &[]);
    env.generate("expired", &["--expires", "1d"]);
    env.cmd(["revoke", "revoked"]).assert().success();
    env.at("2026-01-05T00:00:00Z");
    for status in ["active", "revoked", "expired"] {
        assert_eq!(env.show(status)["status"], status);
    }
    let revoked = env.show("revoked");
    assert_eq!(revoked["revoked_at"], "2026-01-01T00:00:00Z");
}

both!(list_is_an_array_of_tokens);
fn list_is_an_array_of_tokens() {
    let env = TestEnv::new();
    env.cmd(["init"]).assert().success();
    assert_eq!(env.json(["list", "--json"]), json!([]));
    env.generate("a", &[]);
    env.generate("b", &[]);
    let list = env.json(["list", "--json"]);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    list.iter().for_each(assert_token_object);
}

both!(generate_json_has_the_secret_once);
fn generate_json_has_the_secret_once() {
    let env = TestEnv::new();
    let out = env.json(["generate", "--name", "t", "--json"]);
    assert_token_object(&{
        let mut without = out.clone();
        without.as_object_mut().unwrap().remove("token");
        without
    });
    let token = out["token"].as_str().unwrap();
    assert!(token.starts_with(&format!("tkn_{}_", out["id"].as_str().unwrap())));
    let text = out.to_string();
    assert_eq!(text.matches(&token[15..]).count(), 1);
    env.verify(token, &[]).code(0);
}

both!(verify_json_outcomes);
fn verify_json_outcomes() {
    let mut env = TestEnv::new();
    env.at("2026-01-01T00:00:00Z");
    let token = env.generate("t", &["--scope", "a:b", "--expires", "1d"]);
    let outcome = |env: &TestEnv, presented: &str, args: &[&str]| {
        let args: Vec<&str> = ["--json"].iter().chain(args).copied().collect();
        let run = env.verify(presented, &args);
        stdout_json(run.get_output())
    };

    let valid = outcome(&env, &token, &[]);
    assert_eq!(valid["valid"], true);
    assert_eq!(valid["code"], "valid");
    assert_token_object(&valid["token"]);
    assert_eq!(valid["token"]["name"], "t");

    let missing = outcome(&env, &token, &["--scope", "c:d"]);
    assert_eq!(
        (missing["valid"].clone(), missing["code"].clone()),
        (json!(false), json!("missing_scope"))
    );
    assert_token_object(&missing["token"]);

    assert_eq!(
        outcome(&env, "garbage", &[]),
        json!({"valid": false, "code": "malformed", "missing_scopes": [], "token": null})
    );
    let other = TestEnv::new().generate("x", &[]);
    assert_eq!(
        outcome(&env, &other, &[]),
        json!({"valid": false, "code": "unknown", "missing_scopes": [], "token": null})
    );

    env.at("2026-01-03T00:00:00Z");
    assert_eq!(outcome(&env, &token, &[])["code"], "expired");
    env.cmd(["revoke", "t"]).assert().success();
    let revoked = outcome(&env, &token, &[]);
    assert_eq!(revoked["code"], "revoked");
    assert_eq!(revoked["token"]["status"], "revoked");
}

both!(verify_json_keys_stay_the_same_on_every_outcome);
fn verify_json_keys_stay_the_same_on_every_outcome() {
    let env = TestEnv::new();
    let token = env.generate("t", &[]);
    for presented in [token.as_str(), "garbage"] {
        let out = env.verify(presented, &["--json"]);
        let doc = stdout_json(out.get_output());
        let mut keys: Vec<&String> = doc.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, ["code", "missing_scopes", "token", "valid"]);
    }
}

both!(every_command_prints_one_json_document_without_a_secret);
fn every_command_prints_one_json_document_without_a_secret() {
    let env = TestEnv::new();
    let token = env.generate("t", &["--scope", "a:b"]);
    let secret = &token[15..];
    env.generate("gone", &[]);
    let runs: Vec<Vec<&str>> = vec![
        vec!["init", "--json"],
        vec!["list", "--json"],
        vec!["show", "t", "--json"],
        vec!["log", "--json"],
        vec!["revoke", "gone", "--json"],
        vec!["restore", "gone", "--json"],
        vec!["revoke", "gone", "--json"],
        vec!["delete", "gone", "--yes", "--json"],
    ];
    for args in runs {
        let out = env.cmd(&args).assert().success();
        let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
        let _: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{args:?}: not one JSON document ({e}): {text}"));
        assert!(!text.contains(secret), "{args:?} printed the secret");
    }
    let verified = env.verify(&token, &["--json"]);
    assert!(!String::from_utf8_lossy(&verified.get_output().stdout).contains(secret));
}

both!(revoke_restore_delete_json_are_arrays_of_tokens);
fn revoke_restore_delete_json_are_arrays_of_tokens() {
    let env = TestEnv::new();
    env.generate("t", &[]);
    let revoked = env.json(["revoke", "t", "--json"]);
    assert_token_object(&revoked[0]);
    assert_eq!(revoked[0]["status"], "revoked");
    assert_eq!(revoked[0]["changed"], true);
    assert_eq!(env.json(["revoke", "t", "--json"])[0]["changed"], false);
    let restored = env.json(["restore", "t", "--json"]);
    assert_eq!(restored[0]["status"], "active");
    assert_eq!(restored[0]["changed"], true);
    env.cmd(["revoke", "t"]).assert().success();
    let deleted = env.json(["delete", "t", "--yes", "--json"]);
    assert_token_object(&deleted[0]);
    assert_eq!(deleted[0]["deleted"], true);
}

#[test]
fn init_json() {
    let env = TestEnv::new();
    let created = env.json(["init", "--json"]);
    assert_eq!(created["created"], true);
    assert_eq!(created["shared"], false);
    assert_eq!(created["path"], env.db().display().to_string());
    assert_eq!(env.json(["init", "--json"])["created"], false);
}

both!(errors_under_json_print_no_stdout);
fn errors_under_json_print_no_stdout() {
    let env = TestEnv::new();
    env.cmd(["list", "--json"]).assert().code(1).stdout("");
}
