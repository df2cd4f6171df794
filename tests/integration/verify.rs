//! `verify`: where the token comes from, the forms it may take, scopes and wildcards, the
//! order of denials, and what a use or a failed attempt records.

use std::io::Write;
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use predicates::prelude::*;

use crate::util::TestEnv;

/// This token's prefix and id with another secret and a correct checksum: well formed,
/// a known id, a wrong secret.
fn forged(token: &str) -> String {
    let body = format!("{}{}", &token[..15], "A".repeat(32));
    let check = tokenctl::checksum::checksum(body.as_bytes());
    format!("{body}{}", std::str::from_utf8(&check).unwrap())
}

both!(valid_token_is_silent_and_exits_0);
fn valid_token_is_silent_and_exits_0() {
    let env = TestEnv::new();
    let token = env.generate("t", &[]);
    env.verify(&token, &[]).code(0).stdout("").stderr("");
}

both!(a_token_about_to_expire_passes_with_a_warning_unless_quiet);
fn a_token_about_to_expire_passes_with_a_warning_unless_quiet() {
    let mut env = TestEnv::new();
    env.at("2026-01-01T00:00:00Z");
    let token = env.generate("t", &["--expires", "30d"]);
    env.at("2026-01-25T00:00:00Z");
    env.verify(&token, &[]).code(0).stdout("").stderr(
        predicate::str::contains("warning: token 't'")
            .and(predicate::str::contains("expires in 6d")),
    );
    env.verify(&token, &["-q"]).code(0).stderr("");
}

both!(verbose_explains_a_success);
fn verbose_explains_a_success() {
    let env = TestEnv::new();
    let token = env.generate("t", &[]);
    env.verify(&token, &["-v"])
        .code(0)
        .stdout("")
        .stderr(predicate::str::contains("valid: 't'"));
    env.verify(&token, &["--verbose"])
        .code(0)
        .stderr(predicate::str::contains("valid"));
}

both!(denial_names_its_reason_unless_quiet);
fn denial_names_its_reason_unless_quiet() {
    let env = TestEnv::new();
    let token = env.generate("t", &[]);
    env.cmd(["revoke", "t"]).assert().success();
    env.verify(&token, &[])
        .code(12)
        .stdout("")
        .stderr(predicate::str::contains("denied: token revoked"));
    env.verify(&token, &["-q"]).code(12).stderr("");
    env.verify(&token, &["--quiet"]).code(12).stderr("");
}

both!(quiet_and_verbose_exclude_each_other);
fn quiet_and_verbose_exclude_each_other() {
    let env = TestEnv::new();
    let token = env.generate("t", &[]);
    env.verify(&token, &["-q", "-v"]).code(2);
}

both!(token_from_an_environment_variable);
fn token_from_an_environment_variable() {
    let mut env = TestEnv::new();
    let token = env.generate("t", &[]);
    env.var("API_TOKEN", &token);
    env.cmd(["verify", "--token-env", "API_TOKEN"])
        .assert()
        .code(0);
    // A misconfigured job, not a bad token: a usage error.
    env.cmd(["verify", "--token-env", "UNSET_VARIABLE"])
        .assert()
        .code(2);
}

both!(token_as_an_argument_is_refused_with_an_explanation);
fn token_as_an_argument_is_refused_with_an_explanation() {
    let env = TestEnv::new();
    let token = env.generate("t", &[]);
    env.cmd(["verify", &token])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("visible to every user"))
        .stderr(predicate::str::contains("--token-env"))
        .stderr(predicate::str::contains(&token[15..]).not());
    assert_eq!(env.show("t")["usage_count"], 0);
}

both!(bearer_forms_are_accepted);
fn bearer_forms_are_accepted() {
    let env = TestEnv::new();
    let token = env.generate("t", &[]);
    for line in [
        format!("Bearer {token}"),
        format!("Authorization: Bearer {token}"),
        format!("  {token}  "),
        format!("{token}\r"),
    ] {
        env.verify(&line, &[]).code(0);
    }
}

both!(only_the_first_line_of_stdin_counts);
fn only_the_first_line_of_stdin_counts() {
    let env = TestEnv::new();
    let token = env.generate("t", &[]);
    env.cmd(["verify"])
        .write_stdin(format!("{token}\nsomething else\n"))
        .assert()
        .code(0);
    env.cmd(["verify"])
        .write_stdin(format!("\n{token}\n"))
        .assert()
        .code(10);
}

both!(a_token_without_newline_is_read);
fn a_token_without_newline_is_read() {
    let env = TestEnv::new();
    let token = env.generate("t", &[]);
    env.cmd(["verify"]).write_stdin(token).assert().code(0);
}

both!(malformed_tokens_exit_10);
fn malformed_tokens_exit_10() {
    let env = TestEnv::new();
    let token = env.generate("t", &[]);
    let mut typo = token.clone().into_bytes();
    let last = typo.len() - 10;
    typo[last] = if typo[last] == b'a' { b'b' } else { b'a' };
    let typo = String::from_utf8(typo).unwrap();
    for bad in ["", "hello", "Bearer", &token[..token.len() - 1], &typo] {
        env.verify(bad, &[])
            .code(10)
            .stderr(predicate::str::contains("denied"));
    }
    assert_eq!(env.show("t")["failed_count"], 0, "a typo is not an attempt");
}

both!(oversized_input_is_malformed);
fn oversized_input_is_malformed() {
    let env = TestEnv::new();
    env.generate("t", &[]);
    env.cmd(["verify"])
        .write_stdin("x".repeat(100_000))
        .assert()
        .code(10);
}

both!(unknown_id_exits_10);
fn unknown_id_exits_10() {
    let env = TestEnv::new();
    let token = env.generate("t", &[]);
    let other = TestEnv::new().generate("t", &[]);
    env.verify(&other, &[])
        .code(10)
        .stderr(predicate::str::contains("unknown token"));
    assert_eq!(env.show("t")["failed_count"], 0);
    env.verify(&token, &[]).code(0);
}

both!(wrong_secret_on_a_known_id_is_unknown_and_writes_nothing);
fn wrong_secret_on_a_known_id_is_unknown_and_writes_nothing() {
    let mut env = TestEnv::new();
    let token = env.generate("t", &[]);
    env.at("2026-02-03T04:05:06Z");
    let forged = forged(&token);
    env.verify(&forged, &[])
        .code(10)
        .stderr(predicate::str::contains("unknown token"))
        .stderr(predicate::str::contains("'t'").not());
    let t = env.show("t");
    assert_eq!(t["failed_count"], 0);
    assert_eq!(t["last_failed_at"], serde_json::Value::Null);
    assert_eq!(t["usage_count"], 0);
}

both!(a_use_is_counted_with_its_time_and_source);
fn a_use_is_counted_with_its_time_and_source() {
    let mut env = TestEnv::new();
    env.at("2026-01-01T00:00:00Z");
    let token = env.generate("t", &[]);
    env.at("2026-01-02T03:04:05Z");
    env.verify(&token, &["--source", "deploy-hook"]).code(0);
    env.verify(&token, &["--source", "deploy-hook"]).code(0);
    let t = env.show("t");
    assert_eq!(t["usage_count"], 2);
    assert_eq!(t["last_used_at"], "2026-01-02T03:04:05Z");
    assert_eq!(t["last_used_source"], "deploy-hook");
    assert_eq!(t["sources"][0]["source"], "deploy-hook");
    assert_eq!(t["sources"][0]["uses"], 2);
}

both!(the_default_source_is_the_host_name);
fn the_default_source_is_the_host_name() {
    let env = TestEnv::new();
    let token = env.generate("t", &[]);
    env.verify(&token, &[]).code(0);
    let host = gethostname::gethostname().to_string_lossy().into_owned();
    assert_eq!(env.show("t")["last_used_source"], host.as_str());
}

both!(no_record_checks_without_counting);
fn no_record_checks_without_counting() {
    let env = TestEnv::new();
    let token = env.generate("t", &[]);
    env.verify(&token, &["--no-record"]).code(0);
    assert_eq!(env.show("t")["usage_count"], 0);
}

both!(a_denied_valid_secret_is_not_a_use);
fn a_denied_valid_secret_is_not_a_use() {
    let env = TestEnv::new();
    let token = env.generate("t", &["--scope", "a:read"]);
    env.verify(&token, &["--scope", "a:write"]).code(13);
    let t = env.show("t");
    assert_eq!(t["usage_count"], 0);
    assert_eq!(t["last_used_at"], serde_json::Value::Null);
}

both!(scopes_must_all_be_covered);
fn scopes_must_all_be_covered() {
    let env = TestEnv::new();
    let token = env.generate("t", &["-s", "unikernel:create", "-s", "volume:upload"]);
    env.verify(&token, &["--scope", "unikernel:create"]).code(0);
    env.verify(&token, &["-s", "unikernel:create", "-s", "volume:upload"])
        .code(0);
    env.verify(&token, &["-s", "unikernel:create", "-s", "volume:delete"])
        .code(13)
        .stderr(predicate::str::contains("lacks scope volume:delete"));
    env.verify(&token, &["--scope", "unikernel:*"]).code(13);
}

both!(resource_wildcard_covers_its_actions_only);
fn resource_wildcard_covers_its_actions_only() {
    let env = TestEnv::new();
    let token = env.generate("t", &["--scope", "volume:*"]);
    env.verify(&token, &["--scope", "volume:upload"]).code(0);
    env.verify(&token, &["--scope", "volume:delete"]).code(0);
    env.verify(&token, &["--scope", "unikernel:create"])
        .code(13);
}

both!(star_covers_every_scope);
fn star_covers_every_scope() {
    let env = TestEnv::new();
    let token = env.generate("t", &["--scope", "*"]);
    env.verify(&token, &["-s", "volume:upload", "-s", "unikernel:create"])
        .code(0);
}

both!(a_scopeless_token_passes_only_scopeless_verifies);
fn a_scopeless_token_passes_only_scopeless_verifies() {
    let env = TestEnv::new();
    let token = env.generate("t", &[]);
    env.verify(&token, &[]).code(0);
    env.verify(&token, &["--scope", "volume:upload"]).code(13);
}

both!(bad_scope_argument_is_a_usage_error);
fn bad_scope_argument_is_a_usage_error() {
    let env = TestEnv::new();
    let token = env.generate("t", &[]);
    env.verify(&token, &["--scope", "has space"]).code(2);
}

both!(expired_token_exits_11);
fn expired_token_exits_11() {
    let mut env = TestEnv::new();
    env.at("2026-01-01T00:00:00Z");
    let token = env.generate("t", &["--expires", "1mo"]);
    env.at("2026-01-31T23:59:59Z");
    env.verify(&token, &[]).code(0);
    env.at("2026-02-01T00:00:00Z");
    env.verify(&token, &[])
        .code(11)
        .stderr(predicate::str::contains("token expired"));
    assert_eq!(env.show("t")["failed_count"], 1);
}

both!(revoked_wins_over_expired_wins_over_missing_scope);
fn revoked_wins_over_expired_wins_over_missing_scope() {
    let mut env = TestEnv::new();
    env.at("2026-01-01T00:00:00Z");
    let token = env.generate("t", &["--expires", "1d", "--scope", "a:read"]);
    env.verify(&token, &["--scope", "a:write"]).code(13);
    env.at("2026-01-03T00:00:00Z");
    env.verify(&token, &["--scope", "a:write"]).code(11);
    env.cmd(["revoke", "t"]).assert().success();
    env.verify(&token, &["--scope", "a:write"]).code(12);
}

both!(a_revoked_then_restored_token_is_valid_again);
fn a_revoked_then_restored_token_is_valid_again() {
    let env = TestEnv::new();
    let token = env.generate("t", &[]);
    env.cmd(["revoke", "t"]).assert().success();
    env.verify(&token, &[]).code(12);
    env.cmd(["restore", "t"]).assert().success();
    env.verify(&token, &[]).code(0);
}

both!(a_never_expiring_token_is_valid_in_a_century);
fn a_never_expiring_token_is_valid_in_a_century() {
    let mut env = TestEnv::new();
    env.at("2026-01-01T00:00:00Z");
    let token = env.generate("t", &["--no-expiry"]);
    env.at("2126-01-01T00:00:00Z");
    env.verify(&token, &[]).code(0);
}

both!(no_output_ever_contains_the_presented_secret);
fn no_output_ever_contains_the_presented_secret() {
    let mut env = TestEnv::new();
    env.at("2026-01-01T00:00:00Z");
    let token = env.generate("t", &["--expires", "1d", "--scope", "a:b"]);
    let secret = &token[15..];
    let mut runs = vec![
        env.verify(&token, &["-v", "--json"]),
        env.verify(&token, &["--scope", "c:d", "--json"]),
    ];
    env.at("2026-01-03T00:00:00Z");
    runs.push(env.verify(&token, &["-v", "--json"]));
    runs.push(env.verify(&token[..token.len() - 1], &["-v", "--json"]));
    for run in runs {
        let out = run.get_output();
        for stream in [&out.stdout, &out.stderr] {
            assert!(!String::from_utf8_lossy(stream).contains(secret));
        }
    }
}

both!(an_unset_token_variable_is_named);
fn an_unset_token_variable_is_named() {
    let env = TestEnv::new();
    env.generate("t", &[]);
    env.cmd(["verify", "--token-env", "DEPLOY_TOKEN"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("variable DEPLOY_TOKEN is not set"));
}

both!(a_caller_keeping_stdin_open_gets_its_answer_after_one_line);
fn a_caller_keeping_stdin_open_gets_its_answer_after_one_line() {
    let env = TestEnv::new();
    let token = env.generate("t", &[]);
    let mut child = env
        .std_cmd(["verify"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{token}").unwrap();
    // stdin stays open until verify has answered: it must not wait for EOF.
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait().unwrap().code()).unwrap());
    let code = rx.recv_timeout(Duration::from_secs(60));
    drop(stdin);
    assert_eq!(code, Ok(Some(0)), "verify waited for the end of stdin");
}

both!(a_secret_in_a_flag_is_refused_and_never_echoed_or_stored);
fn a_secret_in_a_flag_is_refused_and_never_echoed_or_stored() {
    let env = TestEnv::new();
    let token = env.generate("t", &[]);
    for args in [
        &["verify", "--source", &token][..],
        &["verify", "--scope", &token][..],
    ] {
        env.cmd(args)
            .write_stdin(format!("{token}\n"))
            .assert()
            .code(2)
            .stdout("")
            .stderr(
                predicate::str::contains("token secret")
                    .and(predicate::str::contains(&token[15..]).not()),
            );
    }
    for flag in ["--name", "--description", "--scope"] {
        let mut args = vec!["generate", flag, &token];
        if flag != "--name" {
            args.extend(["--name", "other"]);
        }
        env.cmd(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(&token[15..]).not());
    }
    let stored = format!("{:?}", env.sql("SELECT * FROM tokens"));
    assert!(!stored.contains(&token[15..]));
}
