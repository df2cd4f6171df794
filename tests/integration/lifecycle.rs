//! `init`, `revoke`, `restore`, `delete` and how a REF finds a token: by id, id prefix,
//! name or the `prefix_id_...` form `list` prints. Every rule of SPEC.md's lifecycle.

use std::os::unix::fs::PermissionsExt;

use predicates::prelude::*;

use crate::util::TestEnv;

fn id_of(token: &str) -> String {
    token.split('_').nth(1).unwrap().to_owned()
}

fn status(env: &TestEnv, reference: &str) -> String {
    env.show(reference)["status"].as_str().unwrap().to_owned()
}

/// An env at a fixed time with one token that expired yesterday, named "old".
fn with_expired_token() -> TestEnv {
    let mut env = TestEnv::new();
    env.at("2026-01-01T00:00:00Z");
    env.generate("old", &["--expires", "1d"]);
    env.at("2026-01-03T00:00:00Z");
    env
}

#[test]
fn init_creates_an_empty_database_0600() {
    let env = TestEnv::new();
    env.cmd(["init"])
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains("created database"));
    let mode = std::fs::metadata(env.db()).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    env.cmd(["list"])
        .assert()
        .success()
        .stderr(predicate::str::contains("no tokens yet"));
}

both!(init_twice_leaves_the_tokens_alone);
fn init_twice_leaves_the_tokens_alone() {
    let env = TestEnv::new();
    env.generate("t", &[]);
    env.cmd(["init"])
        .assert()
        .success()
        .stderr(predicate::str::contains("already exists"));
    assert_eq!(status(&env, "t"), "active");
}

#[test]
fn init_creates_the_folder_0700() {
    let env = TestEnv::new();
    let db = env.root().join("a/b/tokens.db");
    let env = env.with_db(&db);
    env.cmd(["init"]).assert().success();
    let mode = std::fs::metadata(db.parent().unwrap())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700);
}

#[test]
fn init_group_needs_shared() {
    let env = TestEnv::new();
    env.cmd(["init", "--group", "deploy"]).assert().code(2);
    assert!(!env.db().exists());
}

both!(ref_by_id);
fn ref_by_id() {
    let env = TestEnv::new();
    let token = env.generate("t", &[]);
    assert_eq!(env.show(&id_of(&token))["name"], "t");
}

both!(ref_by_id_prefix_of_four_or_more);
fn ref_by_id_prefix_of_four_or_more() {
    let env = TestEnv::new();
    let id = id_of(&env.generate("t", &[]));
    for len in 4..10 {
        assert_eq!(env.show(&id[..len])["id"], id.as_str());
    }
}

both!(ref_by_id_prefix_of_three_matches_nothing);
fn ref_by_id_prefix_of_three_matches_nothing() {
    let env = TestEnv::new();
    let id = id_of(&env.generate("t", &[]));
    env.cmd(["show", &id[..3]])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no token matches"));
}

both!(ref_by_name);
fn ref_by_name() {
    let env = TestEnv::new();
    let token = env.generate("github-ci", &[]);
    assert_eq!(env.show("github-ci")["id"], id_of(&token));
}

both!(ref_in_the_form_list_prints);
fn ref_in_the_form_list_prints() {
    let env = TestEnv::new();
    let id = id_of(&env.generate("t", &["--prefix", "ci"]));
    let shown = format!("ci_{id}_...");
    env.cmd(["list"])
        .assert()
        .stdout(predicate::str::contains(&shown));
    assert_eq!(env.show(&shown)["id"], id.as_str());
}

#[test]
fn ambiguous_id_prefix_is_refused_listing_the_candidates() {
    let env = TestEnv::new();
    env.generate("a", &[]);
    env.generate("b", &[]);
    env.generate("c", &[]);
    // Random ids rarely share four characters; give two of them the same start.
    env.sqlite("UPDATE tokens SET id = 'abcd111111' WHERE name = 'a'");
    env.sqlite("UPDATE tokens SET id = 'abcd222222' WHERE name = 'b'");
    env.cmd(["revoke", "abcd"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("'abcd' matches several tokens"))
        .stderr(predicate::str::contains("abcd111111"))
        .stderr(predicate::str::contains("abcd222222"));
    assert_eq!(status(&env, "a"), "active");
    assert_eq!(status(&env, "b"), "active");
    // One more character makes it unambiguous.
    env.cmd(["revoke", "abcd1"]).assert().success();
    assert_eq!(status(&env, "a"), "revoked");
}

both!(unknown_ref_is_refused);
fn unknown_ref_is_refused() {
    let env = TestEnv::new();
    env.generate("t", &[]);
    for command in ["show", "revoke", "restore", "delete"] {
        env.cmd([command, "nope"])
            .assert()
            .code(1)
            .stdout("")
            .stderr(predicate::str::contains("no token matches 'nope'"));
    }
}

both!(revoke_then_restore);
fn revoke_then_restore() {
    let env = TestEnv::new();
    env.generate("t", &[]);
    env.cmd(["revoke", "t"])
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains("'t'").and(predicate::str::contains("revoked")));
    assert_eq!(status(&env, "t"), "revoked");
    env.cmd(["restore", "t"])
        .assert()
        .success()
        .stderr(predicate::str::contains("restored"));
    assert_eq!(status(&env, "t"), "active");
    assert_eq!(env.show("t")["revoked_at"], serde_json::Value::Null);
}

both!(revoke_records_the_time);
fn revoke_records_the_time() {
    let mut env = TestEnv::new();
    env.generate("t", &[]);
    env.at("2026-03-04T05:06:07Z");
    env.cmd(["revoke", "t"]).assert().success();
    assert_eq!(env.show("t")["revoked_at"], "2026-03-04T05:06:07Z");
}

both!(revoke_is_idempotent);
fn revoke_is_idempotent() {
    let mut env = TestEnv::new();
    env.at("2026-01-01T00:00:00Z");
    env.generate("t", &[]);
    env.cmd(["revoke", "t"]).assert().success();
    env.at("2026-01-02T00:00:00Z");
    env.cmd(["revoke", "t"])
        .assert()
        .success()
        .stderr(predicate::str::contains("was already revoked"));
    assert_eq!(
        env.show("t")["revoked_at"],
        "2026-01-01T00:00:00Z",
        "a second revoke keeps the first time"
    );
}

both!(restore_of_an_active_token_says_so);
fn restore_of_an_active_token_says_so() {
    let env = TestEnv::new();
    env.generate("t", &[]);
    env.cmd(["restore", "t"])
        .assert()
        .success()
        .stderr(predicate::str::contains("was already active"));
}

both!(revoke_and_restore_take_several_refs);
fn revoke_and_restore_take_several_refs() {
    let env = TestEnv::new();
    env.generate("a", &[]);
    let b = env.generate("b", &[]);
    env.cmd(["revoke", "a", &id_of(&b)]).assert().success();
    assert_eq!(status(&env, "a"), "revoked");
    assert_eq!(status(&env, "b"), "revoked");
    env.cmd(["restore", "a", "b"]).assert().success();
    assert_eq!(status(&env, "a"), "active");
    assert_eq!(status(&env, "b"), "active");
}

both!(one_unknown_ref_changes_nothing);
fn one_unknown_ref_changes_nothing() {
    let env = TestEnv::new();
    env.generate("a", &[]);
    env.cmd(["revoke", "a", "nope"]).assert().code(1);
    assert_eq!(status(&env, "a"), "active");
}

both!(revoke_needs_a_ref);
fn revoke_needs_a_ref() {
    let env = TestEnv::new();
    env.generate("a", &[]);
    env.cmd(["revoke"]).assert().code(2);
}

both!(restore_refuses_an_expired_token_with_a_hint);
fn restore_refuses_an_expired_token_with_a_hint() {
    let env = with_expired_token();
    env.cmd(["restore", "old"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "has expired and cannot be restored",
        ))
        .stderr(predicate::str::contains("tokenctl generate"));
}

both!(restore_refuses_a_revoked_token_that_has_since_expired);
fn restore_refuses_a_revoked_token_that_has_since_expired() {
    let mut env = TestEnv::new();
    env.at("2026-01-01T00:00:00Z");
    env.generate("t", &["--expires", "1d"]);
    env.cmd(["revoke", "t"]).assert().success();
    env.at("2026-01-03T00:00:00Z");
    env.cmd(["restore", "t"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot be restored"));
    assert_eq!(status(&env, "t"), "revoked");
}

both!(delete_refuses_an_active_token);
fn delete_refuses_an_active_token() {
    let env = TestEnv::new();
    env.generate("t", &[]);
    env.cmd(["delete", "t", "--yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is active: revoke it first"));
    assert_eq!(status(&env, "t"), "active");
}

both!(delete_of_a_mix_deletes_nothing_when_one_is_active);
fn delete_of_a_mix_deletes_nothing_when_one_is_active() {
    let env = TestEnv::new();
    env.generate("gone", &[]);
    env.generate("live", &[]);
    env.cmd(["revoke", "gone"]).assert().success();
    env.cmd(["delete", "gone", "live", "--yes"])
        .assert()
        .code(1);
    assert_eq!(env.sql("SELECT id FROM tokens").len(), 2);
}

both!(delete_without_a_terminal_needs_yes);
fn delete_without_a_terminal_needs_yes() {
    let env = TestEnv::new();
    env.generate("t", &[]);
    env.cmd(["revoke", "t"]).assert().success();
    env.cmd(["delete", "t"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--yes"));
    assert_eq!(status(&env, "t"), "revoked");
}

both!(delete_a_revoked_token);
fn delete_a_revoked_token() {
    let env = TestEnv::new();
    env.generate("t", &["--scope", "a:b"]);
    env.cmd(["revoke", "t"]).assert().success();
    env.cmd(["delete", "t", "--yes"])
        .assert()
        .success()
        .stderr(predicate::str::contains("deleted 't'"));
    env.cmd(["show", "t"]).assert().code(1);
    assert!(env.sql("SELECT * FROM token_scopes").is_empty());
}

both!(delete_an_expired_token_with_short_yes);
fn delete_an_expired_token_with_short_yes() {
    let env = with_expired_token();
    env.cmd(["delete", "old", "-y"]).assert().success();
    assert!(env.sql("SELECT id FROM tokens").is_empty());
}

both!(a_deleted_name_can_be_reused);
fn a_deleted_name_can_be_reused() {
    let env = TestEnv::new();
    env.generate("t", &[]);
    env.cmd(["revoke", "t"]).assert().success();
    env.cmd(["delete", "t", "--yes"]).assert().success();
    env.generate("t", &[]);
    assert_eq!(status(&env, "t"), "active");
}

both!(a_revoked_name_is_still_taken);
fn a_revoked_name_is_still_taken() {
    let env = TestEnv::new();
    env.generate("t", &[]);
    env.cmd(["revoke", "t"]).assert().success();
    env.cmd(["generate", "--name", "t"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("already exists"));
}

both!(a_name_that_is_another_tokens_id_prefix_does_not_capture_it);
fn a_name_that_is_another_tokens_id_prefix_does_not_capture_it() {
    let env = TestEnv::new();
    env.generate("victim", &[]);
    let id = env.json(["show", "victim", "--json"])["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // A decoy named after the start of the victim's id must not absorb its revoke.
    env.generate(&id[..6], &[]);
    env.cmd(["revoke", &id[..6]])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("give the full id"));
    assert_eq!(env.json(["show", "victim", "--json"])["status"], "active");
    env.cmd(["revoke", &id]).assert().success();
}
