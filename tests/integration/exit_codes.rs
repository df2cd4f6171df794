//! SPEC.md's exit codes are a contract with scripts: each one, from the real binary, plus
//! the shape of errors (one line on stderr, nothing on stdout) and a reader closing the pipe.

use std::io::{Read, Write};
use std::process::Stdio;

use predicates::prelude::*;

use crate::util::TestEnv;

/// Every command but `init` and `generate`, with arguments that would otherwise work.
const NEEDS_A_DATABASE: &[&[&str]] = &[
    &["list"],
    &["show", "t"],
    &["revoke", "t"],
    &["restore", "t"],
    &["delete", "t", "--yes"],
    &["verify"],
    &["log"],
];

both!(success_is_0);
fn success_is_0() {
    let env = TestEnv::new();
    let token = env.generate("t", &[]);
    env.verify(&token, &[]).code(0);
    for args in [&["list"][..], &["show", "t"], &["log"], &["init"]] {
        env.cmd(args).assert().code(0);
    }
}

both!(a_failed_command_is_1);
fn a_failed_command_is_1() {
    let env = TestEnv::new();
    env.generate("t", &[]);
    env.cmd(["show", "nope"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::is_match("^error: [^\n]+\n$").unwrap());
}

both!(a_usage_error_is_2);
fn a_usage_error_is_2() {
    let env = TestEnv::new();
    env.cmd(["list", "--no-such-flag"]).assert().code(2);
    env.cmd(["frobnicate"]).assert().code(2);
    env.cmd(["list", "--status", "sideways"]).assert().code(2);
    env.cmd(["list", "--expiring-within", "soon"])
        .assert()
        .code(2);
    env.cmd(Vec::<&str>::new()).assert().code(2);
}

#[test]
fn help_and_version_are_0_on_stdout() {
    let env = TestEnv::new();
    env.cmd(["--help"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Exit codes:"));
    env.cmd(["--version"])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("tokenctl "));
    env.cmd(["verify", "--help"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("--token-env"));
}

both!(verify_malformed_or_unknown_is_10);
fn verify_malformed_or_unknown_is_10() {
    let env = TestEnv::new();
    env.generate("t", &[]);
    env.verify("not a token", &[]).code(10);
    env.verify(&TestEnv::new().generate("other", &[]), &[])
        .code(10);
}

both!(verify_expired_is_11);
fn verify_expired_is_11() {
    let mut env = TestEnv::new();
    env.at("2026-01-01T00:00:00Z");
    let token = env.generate("t", &["--expires", "12h"]);
    env.at("2026-01-01T12:00:00Z");
    env.verify(&token, &[]).code(11);
}

both!(verify_revoked_is_12);
fn verify_revoked_is_12() {
    let env = TestEnv::new();
    let token = env.generate("t", &[]);
    env.cmd(["revoke", "t"]).assert().success();
    env.verify(&token, &[]).code(12);
}

both!(verify_missing_scope_is_13);
fn verify_missing_scope_is_13() {
    let env = TestEnv::new();
    let token = env.generate("t", &["--scope", "a:read"]);
    env.verify(&token, &["--scope", "a:write"]).code(13);
}

#[test]
fn a_missing_database_is_1_naming_the_path() {
    let env = TestEnv::new();
    let db = env.db().display().to_string();
    for args in NEEDS_A_DATABASE {
        env.cmd(*args)
            .write_stdin("tkn_0000000000_x\n")
            .assert()
            .code(1)
            .stdout("")
            .stderr(predicate::str::contains(format!("no database at {db}")))
            .stderr(predicate::str::contains("tokenctl init"));
    }
    assert!(
        !env.db().exists(),
        "no command but init and generate creates it"
    );
}

#[test]
fn a_missing_default_database_is_1_naming_the_path() {
    let env = TestEnv::new().without_db_env();
    let db = env.home().join(".local/share/tokenctl/tokens.db");
    env.cmd(["list"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(db.display().to_string()));
    assert!(!db.parent().unwrap().exists());
}

both!(a_typo_in_db_is_1_not_an_empty_database);
fn a_typo_in_db_is_1_not_an_empty_database() {
    let env = TestEnv::new();
    env.generate("t", &[]);
    let typo = env.root().join("tokens.bd");
    env.cmd(["list", "--db"])
        .arg(&typo)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(typo.display().to_string()));
    assert!(!typo.exists());
}

both!(an_empty_db_path_is_2);
fn an_empty_db_path_is_2() {
    let env = TestEnv::new();
    env.cmd(["list", "--db", ""]).assert().code(2);
}

#[test]
fn a_closed_pipe_ends_quietly_with_0() {
    let env = TestEnv::new();
    env.cmd(["init"]).assert().success();
    // Enough rows that the output cannot fit in the pipe buffer before the reader leaves.
    let values: Vec<String> = (0..3000)
        .map(|i| format!("('{i:010}', 'token-{i}', 'tkn', zeroblob(32), 1767225600, NULL, NULL)"))
        .collect();
    env.sqlite(&format!(
        "INSERT INTO tokens (id, name, prefix, hash, created_at, expires_at, revoked_at) VALUES {}",
        values.join(",")
    ));
    for args in [&["list"][..], &["list", "--json"]] {
        let mut child = env
            .std_cmd(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // `| head -1`: read a little, then close our end.
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 16];
        stdout.read_exact(&mut first).unwrap();
        drop(stdout);
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{args:?}");
    }
}

both!(a_closed_pipe_never_changes_a_verify_verdict);
// Clippy spares #[test] fns this lint, not the fn both!() calls: the same test code as before.
#[allow(clippy::incompatible_msrv)]
fn a_closed_pipe_never_changes_a_verify_verdict() {
    let env = TestEnv::new();
    let token = env.generate("t", &["--scope", "a:b"]);
    let revoked = env.generate("r", &[]);
    env.cmd(["revoke", "r"]).assert().success();
    for (input, args, code) in [
        ("garbage", &["verify", "--json", "-q"][..], 10),
        (revoked.as_str(), &["verify", "--json", "-q"][..], 12),
        (
            token.as_str(),
            &["verify", "--json", "-q", "--scope", "c:d"][..],
            13,
        ),
        (
            token.as_str(),
            &["verify", "--json", "-q", "--scope", "a:b"][..],
            0,
        ),
    ] {
        // `tokenctl verify --json | true`: the reader is gone before the verdict is written.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let mut child = env
            .std_cmd(args)
            .stdin(Stdio::piped())
            .stdout(writer)
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "{input}").unwrap();
        drop(stdin);
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{args:?}");
    }
}
