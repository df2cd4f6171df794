//! `generate`: the token format, the secret alone on stdout, every flag, and expiry
//! arithmetic (calendar months and years, humantime, dates) against a pinned clock.

use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;

use predicates::prelude::*;

use crate::util::TestEnv;

/// SPEC.md's scanner pattern, anchored: prefix, 10-char id, 32-char secret + 6-char check.
const TOKEN: &str = r"^[a-z][a-z0-9]{1,15}_[0-9a-z]{10}_[0-9A-Za-z]{38}$";

fn expires_at(env: &TestEnv, args: &[&str]) -> serde_json::Value {
    env.generate("t", args);
    env.show("t")["expires_at"].clone()
}

both!(prints_the_secret_alone_on_stdout_and_the_summary_on_stderr);
fn prints_the_secret_alone_on_stdout_and_the_summary_on_stderr() {
    let env = TestEnv::new();
    let out = env
        .cmd(["generate", "--name", "github-ci"])
        .assert()
        .success()
        .stderr(predicate::str::contains("generated 'github-ci'"))
        .stderr(predicate::str::contains(
            "copy it now: it will not be shown again",
        ));
    let out = out.get_output();
    let stdout = String::from_utf8(out.stdout.clone()).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{stdout:?}");
    let token = stdout.trim_end_matches('\n');
    assert!(regex_is_match(TOKEN, token), "{token:?}");
    assert!(token.starts_with("tkn_"));
    let id = &token[4..14];
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(id), "summary names the id: {stderr}");
    assert!(!stderr.contains(token), "secret leaked to stderr");
}

both!(each_token_is_different);
fn each_token_is_different() {
    let env = TestEnv::new();
    let a = env.generate("a", &[]);
    let b = env.generate("b", &[]);
    assert_ne!(a[4..14], b[4..14], "ids");
    assert_ne!(a[15..], b[15..], "secrets");
}

#[test]
fn only_a_hash_is_stored() {
    let env = TestEnv::new();
    let token = env.generate("t", &[]);
    let secret = &token[15..47];
    for table in [
        "tokens",
        "token_scopes",
        "events",
        "usage_daily",
        "usage_sources",
    ] {
        let rows = format!("{:?}", env.sqlite(&format!("SELECT * FROM {table}")));
        assert!(!rows.contains(secret), "secret stored in {table}");
    }
    let hash = env.sqlite("SELECT hash FROM tokens");
    assert_eq!(
        format!("{:?}", hash[0][0]),
        format!(
            "{:?}",
            rusqlite::types::Value::Blob(blake3::hash(token.as_bytes()).as_bytes().to_vec())
        ),
        "the stored hash is blake3(token)"
    );
}

both!(prefix_flag);
fn prefix_flag() {
    let env = TestEnv::new();
    let token = env.generate("deploy", &["--prefix", "deploy"]);
    assert!(token.starts_with("deploy_"), "{token}");
    assert_eq!(env.show("deploy")["prefix"], "deploy");
}

both!(bad_prefix_is_a_usage_error);
fn bad_prefix_is_a_usage_error() {
    let env = TestEnv::new();
    for prefix in ["Tkn", "1ab", "a", "abcdefghijklmnopq", "a_b", ""] {
        env.cmd(["generate", "--name", "t", "--prefix", prefix])
            .assert()
            .code(2)
            .stdout("");
    }
    assert!(!env.exists(), "nothing created for a usage error");
}

both!(description_flag);
fn description_flag() {
    let env = TestEnv::new();
    env.generate("t", &["--description", "deploys from CI"]);
    assert_eq!(env.show("t")["description"], "deploys from CI");
    env.generate("u", &["-d", "short form"]);
    assert_eq!(env.show("u")["description"], "short form");
}

both!(scopes_are_repeatable_sorted_and_deduplicated);
fn scopes_are_repeatable_sorted_and_deduplicated() {
    let env = TestEnv::new();
    env.generate(
        "t",
        &[
            "--scope",
            "volume:upload",
            "-s",
            "unikernel:*",
            "--scope",
            "volume:upload",
        ],
    );
    assert_eq!(
        env.show("t")["scopes"],
        serde_json::json!(["unikernel:*", "volume:upload"])
    );
}

both!(no_scope_means_no_scopes);
fn no_scope_means_no_scopes() {
    let env = TestEnv::new();
    env.generate("t", &[]);
    assert_eq!(env.show("t")["scopes"], serde_json::json!([]));
}

both!(bad_scope_is_a_usage_error);
fn bad_scope_is_a_usage_error() {
    let env = TestEnv::new();
    env.cmd(["generate", "--name", "t", "--scope", "has space"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::starts_with("error: "));
}

both!(short_name_flag);
fn short_name_flag() {
    let env = TestEnv::new();
    env.cmd(["generate", "-n", "short"]).assert().success();
    assert_eq!(env.show("short")["name"], "short");
}

both!(empty_name_is_a_usage_error);
fn empty_name_is_a_usage_error() {
    let env = TestEnv::new();
    env.cmd(["generate", "--name", "  "])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("name is empty"));
}

both!(taken_name_is_refused_without_printing_a_secret);
fn taken_name_is_refused_without_printing_a_secret() {
    let env = TestEnv::new();
    env.generate("github-ci", &[]);
    env.cmd(["generate", "--name", "github-ci"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "a token named 'github-ci' already exists",
        ));
    assert_eq!(env.sql("SELECT id FROM tokens").len(), 1);
}

both!(default_validity_is_30_days);
fn default_validity_is_30_days() {
    let mut env = TestEnv::new();
    env.at("2026-01-15T10:20:30Z");
    assert_eq!(expires_at(&env, &[]), "2026-02-14T10:20:30Z");
}

both!(month_and_year_presets_are_calendar_months_and_years);
fn month_and_year_presets_are_calendar_months_and_years() {
    // (now, --expires, expires_at): Jan 31 + 1mo is the end of February, not March 3rd.
    let cases = [
        ("2026-01-31T12:00:00Z", "1mo", "2026-02-28T12:00:00Z"),
        ("2028-01-31T12:00:00Z", "1mo", "2028-02-29T12:00:00Z"),
        ("2026-03-15T00:00:00Z", "1mo", "2026-04-15T00:00:00Z"),
        ("2026-11-30T08:00:00Z", "3mo", "2027-02-28T08:00:00Z"),
        ("2026-01-15T00:00:00Z", "3mo", "2026-04-15T00:00:00Z"),
        ("2026-08-31T00:00:00Z", "6mo", "2027-02-28T00:00:00Z"),
        ("2026-01-15T00:00:00Z", "6mo", "2026-07-15T00:00:00Z"),
        ("2028-02-29T00:00:00Z", "1y", "2029-02-28T00:00:00Z"),
        ("2026-05-05T05:05:05Z", "1y", "2027-05-05T05:05:05Z"),
        ("2026-05-05T05:05:05Z", "2y", "2028-05-05T05:05:05Z"),
    ];
    for (now, spec, expected) in cases {
        let mut env = TestEnv::new();
        env.at(now);
        assert_eq!(
            expires_at(&env, &["--expires", spec]),
            expected,
            "{now} + {spec}"
        );
    }
}

both!(other_durations_are_humantime);
fn other_durations_are_humantime() {
    let cases = [
        ("30d", "2026-01-31T00:00:00Z"),
        ("12h", "2026-01-01T12:00:00Z"),
        ("90days", "2026-04-01T00:00:00Z"),
        ("2w", "2026-01-15T00:00:00Z"),
    ];
    for (spec, expected) in cases {
        let mut env = TestEnv::new();
        env.at("2026-01-01T00:00:00Z");
        assert_eq!(expires_at(&env, &["--expires", spec]), expected, "{spec}");
    }
}

both!(bad_durations_are_usage_errors);
fn bad_durations_are_usage_errors() {
    let env = TestEnv::new();
    for spec in ["", "soon", "0d", "-1d", "1x", "200y"] {
        env.cmd(["generate", "--name", "t", "--expires", spec])
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::starts_with("error: "));
    }
}

both!(expires_at_takes_a_day_or_an_rfc3339_time);
fn expires_at_takes_a_day_or_an_rfc3339_time() {
    let mut env = TestEnv::new();
    env.at("2026-01-01T00:00:00Z");
    env.generate("day", &["--expires-at", "2027-01-31"]);
    assert_eq!(env.show("day")["expires_at"], "2027-01-31T00:00:00Z");
    env.generate("time", &["--expires-at", "2026-06-30T18:00:00+02:00"]);
    assert_eq!(env.show("time")["expires_at"], "2026-06-30T16:00:00Z");
}

both!(expires_at_in_the_past_or_garbled_is_a_usage_error);
fn expires_at_in_the_past_or_garbled_is_a_usage_error() {
    let mut env = TestEnv::new();
    env.at("2026-01-01T00:00:00Z");
    for date in [
        "2025-12-31",
        "2026-01-01T00:00:00Z",
        "31/01/2027",
        "tomorrow",
    ] {
        env.cmd(["generate", "--name", "t", "--expires-at", date])
            .assert()
            .code(2)
            .stdout("");
    }
}

both!(no_expiry);
fn no_expiry() {
    let env = TestEnv::new();
    env.generate("t", &["--no-expiry"]);
    assert_eq!(env.show("t")["expires_at"], serde_json::Value::Null);
    env.cmd(["generate", "--name", "u", "--no-expiry"])
        .assert()
        .stderr(predicate::str::contains("never expires"));
}

both!(expiry_flags_exclude_each_other);
fn expiry_flags_exclude_each_other() {
    let env = TestEnv::new();
    for args in [
        ["--expires", "30d", "--no-expiry"],
        ["--expires", "30d", "--expires-at=2030-01-01"],
        ["--no-expiry", "--expires-at", "2030-01-01"],
    ] {
        env.cmd(["generate", "--name", "t"])
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("cannot be used with"));
    }
}

#[test]
fn creates_the_database_0600_in_a_new_folder_0700() {
    let env = TestEnv::new();
    let db = env.root().join("new/deeper/tokens.db");
    let env = env.with_db(&db);
    env.generate("t", &[]);
    assert_eq!(mode(&db), 0o600);
    assert_eq!(mode(db.parent().unwrap()), 0o700);
    assert_eq!(mode(&env.root().join("new")), 0o700);
}

#[test]
fn creates_the_default_database_in_the_data_directory() {
    let env = TestEnv::new().without_db_env();
    env.generate("t", &[]);
    let db = env.home().join(".local/share/tokenctl/tokens.db");
    assert!(db.exists());
    assert_eq!(mode(&db), 0o600);
    assert_eq!(mode(db.parent().unwrap()), 0o700);
}

#[test]
fn db_flag_beats_the_environment() {
    let env = TestEnv::new();
    let other = env.root().join("other.db");
    env.cmd(["generate", "--name", "t", "--db"])
        .arg(&other)
        .assert()
        .success();
    assert!(other.exists());
    assert!(!env.db().exists());
}

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

fn regex_is_match(pattern: &str, text: &str) -> bool {
    predicate::str::is_match(pattern).unwrap().eval(text)
}

both!(a_secret_nobody_reads_is_revoked);
fn a_secret_nobody_reads_is_revoked() {
    let env = TestEnv::new();
    let mut child = env
        .std_cmd(["generate", "--name", "lost"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // `tokenctl generate | false`: the reader is gone before the secret is written.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("could not print the secret"), "{stderr}");
    assert!(stderr.contains("was revoked"), "{stderr}");
    assert_eq!(env.show("lost")["status"], "revoked");
}

both!(an_expiry_must_be_a_minute_to_a_hundred_years_away);
fn an_expiry_must_be_a_minute_to_a_hundred_years_away() {
    let mut env = TestEnv::new();
    env.at("2026-01-01T00:00:00Z");
    for args in [
        &["--expires", "30s"][..],
        &["--expires", "500ms"][..],
        &["--expires-at", "2026-01-01T00:00:30Z"][..],
        &["--expires-at", "2200-01-01"][..],
    ] {
        env.cmd(["generate", "--name", "t"].iter().chain(args))
            .assert()
            .code(2);
    }
    env.cmd(["generate", "--name", "t", "--expires", "1min"])
        .assert()
        .success();
}
