//! What a new user trips over (issue 9): errors that name the exact remedy, aliases,
//! names and scopes that cannot look alike, and what `-v`, `--json`, `show` and `log` say.

use predicates::prelude::*;

use crate::util::TestEnv;

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_missing_database_names_the_exact_init_command() {
    let env = TestEnv::new();
    let db = env.root().join("none.db");
    let db = db.to_str().unwrap();
    env.cmd(["--db", db, "list"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "'tokenctl init --db {db}'"
        )));
    // A path with a space is quoted, so the command can be pasted as it is.
    let spaced = env.root().join("my tokens.db");
    env.cmd(["list"])
        .env("TOKENCTL_DB", &spaced)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "'tokenctl init --db '{}''",
            spaced.display()
        )));
}

#[test]
fn the_first_generate_says_where_it_created_the_database() {
    let env = TestEnv::new();
    let first = env.run(["generate", "--name", "a"]);
    assert!(first.status.success());
    let said = format!("created database {}", env.db().display());
    assert_eq!(
        stderr_of(&first).matches(&said).count(),
        1,
        "{}",
        stderr_of(&first)
    );
    let second = env.run(["generate", "--name", "b"]);
    assert!(!stderr_of(&second).contains("created database"));
}

#[test]
fn create_new_and_rm_are_aliases() {
    let env = TestEnv::new();
    env.cmd(["create", "--name", "a"]).assert().success();
    env.cmd(["new", "--name", "b"]).assert().success();
    env.cmd(["revoke", "a"]).assert().success();
    env.cmd(["rm", "--yes", "a"]).assert().success();
    env.cmd(["show", "a"]).assert().code(1);
    env.cmd(["--help"])
        .assert()
        .stdout(predicate::str::contains("create, new").and(predicate::str::contains("rm")));
}

#[test]
fn an_empty_tokenctl_db_is_named() {
    let env = TestEnv::new();
    env.cmd(["list"])
        .env("TOKENCTL_DB", "")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("TOKENCTL_DB is set but empty"));
}

#[test]
fn an_unset_or_empty_token_variable_is_a_usage_error_naming_it() {
    let env = TestEnv::new();
    env.generate("t", &[]);
    env.cmd(["verify", "--token-env", "NOPE"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("variable NOPE is not set"));
    env.cmd(["verify", "--token-env", "NOPE"])
        .env("NOPE", "")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("variable NOPE is empty"));
    assert_eq!(env.show("t")["failed_count"], 0);
}

#[test]
fn verify_json_names_the_missing_scopes() {
    let env = TestEnv::new();
    let token = env.generate("t", &["--scope", "a:b"]);
    let out = env
        .verify(&token, &["--json", "-s", "a:b", "-s", "c:d", "-s", "e:f"])
        .code(13)
        .get_output()
        .stdout
        .clone();
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(doc["missing_scopes"], serde_json::json!(["c:d", "e:f"]));
    let out = env
        .verify(&token, &["--json"])
        .code(0)
        .get_output()
        .stdout
        .clone();
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(doc["missing_scopes"], serde_json::json!([]));
}

#[test]
fn verbose_success_says_what_was_checked() {
    let mut env = TestEnv::new();
    env.at("2026-01-01T00:00:00Z");
    let token = env.generate(
        "t",
        &["--scope", "a:b", "--scope", "c:d", "--expires", "3mo"],
    );
    env.verify(&token, &["-v", "-s", "a:b", "-s", "c:d"])
        .code(0)
        .stderr(predicate::str::contains("valid: 't' ("))
        .stderr(predicate::str::contains(
            "active, has a:b, c:d, expires in 3mo",
        ));
    env.verify(&token, &["-v"])
        .code(0)
        .stderr(predicate::str::contains("no scope asked"));
}

#[test]
fn show_of_a_deleted_token_points_at_its_log() {
    let env = TestEnv::new();
    env.generate("gone", &[]);
    let id = env.show("gone")["id"].as_str().unwrap().to_owned();
    env.cmd(["revoke", "gone"]).assert().success();
    env.cmd(["delete", "--yes", "gone"]).assert().success();
    env.cmd(["show", "gone"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "was deleted: its history is in 'tokenctl log {id}'"
        )));
    env.cmd(["log", &id])
        .assert()
        .success()
        .stdout(predicate::str::contains("deleted"));
}

#[test]
fn expiring_within_and_status_compose() {
    let mut env = TestEnv::new();
    env.at("2026-01-01T00:00:00Z");
    env.generate("soon", &["--expires", "3d"]);
    env.generate("later", &["--expires", "1y"]);
    env.cmd(["revoke", "soon"]).assert().success();
    let names = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["list", "--json"];
        all.extend_from_slice(args);
        env.json(all)
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        names(&["--expiring-within", "7d", "--status", "revoked"]),
        ["soon"]
    );
    assert!(names(&["--expiring-within", "7d", "--status", "active"]).is_empty());
}

#[test]
fn log_of_an_empty_database_says_there_are_no_events_yet() {
    let env = TestEnv::new();
    env.cmd(["init"]).assert().success();
    env.cmd(["log"])
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains("no events yet"));
    env.cmd(["log", "--since", "7d"])
        .assert()
        .success()
        .stderr(predicate::str::contains("no events in this range"));
}

#[test]
fn names_with_control_characters_or_spaces_around_them_are_refused() {
    let env = TestEnv::new();
    env.cmd(["generate", "--name", " padded "])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean 'padded'?"));
    for name in ["a\tb", "a\nb", "a\u{1b}[31mb"] {
        env.cmd(["generate", "--name", name])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("control character"));
    }
    assert!(!env.db().exists(), "nothing was created");
}

#[test]
fn a_name_typed_at_the_prompt_is_trimmed() {
    let env = TestEnv::new();
    let mut pty = env.pty(["generate", "--no-expiry"]);
    pty.expect("Token name");
    pty.line("  spaced  ");
    pty.expect("Scopes");
    pty.send(crate::pty::ENTER);
    let (out, code) = pty.finish();
    assert_eq!(code, 0, "{out}");
    assert_eq!(env.show("spaced")["name"], "spaced");
}

#[test]
fn scopes_are_lowercase_with_a_hint() {
    let env = TestEnv::new();
    env.cmd(["generate", "--name", "t", "--scope", "Deploy:Run"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("write 'deploy:run'"));
    let token = env.generate("t", &["--scope", "deploy:run"]);
    env.verify(&token, &["--scope", "Deploy:Run"])
        .code(2)
        .stderr(predicate::str::contains("lowercase"));
    env.cmd(["generate", "--help"])
        .assert()
        .stdout(predicate::str::contains("lowercase resource:action"));
}

#[test]
fn comma_separated_scopes_are_several() {
    let env = TestEnv::new();
    let token = env.generate("t", &["--scope", "a:b,c:d", "-s", "e:f"]);
    assert_eq!(
        env.show("t")["scopes"],
        serde_json::json!(["a:b", "c:d", "e:f"])
    );
    env.verify(&token, &["--scope", "a:b,e:f"]).code(0);
    env.verify(&token, &["--scope", "a:b,x:y"]).code(13);
}
