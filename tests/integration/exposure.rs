//! The secret cannot leave through a side door: no panic (and no core file) on a clock
//! before 1970, and a generate whose stdout reaches nobody revokes what it made.

use std::os::unix::process::CommandExt as _;
use std::process::Stdio;

use crate::util::{TestEnv, faketime, skip};

/// One `error:` line, exit 1, no panic.
#[track_caller]
fn assert_clock_refused(out: &std::process::Output, what: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{what}: {stderr}");
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{what}: {stderr}");
    assert!(stderr.contains("before 1970"), "{what}: {stderr}");
    assert!(out.stdout.is_empty(), "{what}: {:?}", out.stdout);
}

fn every_clock_command(env: &TestEnv, token: &str, kind: &str) {
    for args in [
        &["list"][..],
        &["generate", "--name", "late"],
        &["revoke", "early"],
        &["verify", "--token-env", "T"],
    ] {
        let out = env.cmd(args).env("T", token).output().unwrap();
        assert_clock_refused(&out, &format!("{kind}: {}", args.join(" ")));
    }
    assert_eq!(
        format!("{:?}", env.sqlite("SELECT name, revoked_at FROM tokens")),
        r#"[[Text("early"), Null]]"#,
        "{kind}: something was written"
    );
}

/// The pinned clock (TOKENCTL_NOW, or libfaketime for a release binary) before 1970.
#[test]
fn a_pinned_clock_before_1970_is_refused_without_a_panic() {
    let mut env = TestEnv::new();
    let token = env.generate("early", &[]);
    env.at("1969-07-20T20:17:00Z");
    every_clock_command(&env, &token, "pinned");
}

/// The system clock itself before 1970, in either profile (chrono's `Utc::now` panics).
#[test]
fn a_system_clock_before_1970_is_refused_without_a_panic() {
    let Some(lib) = faketime() else {
        skip("faking the system clock needs libfaketime (apt-get install faketime)");
        return;
    };
    let mut env = TestEnv::new();
    let token = env.generate("early", &[]);
    env.var("LD_PRELOAD", &lib.display().to_string())
        .var("FAKETIME", "1969-12-31 23:59:59")
        .var("FAKETIME_DONT_FAKE_MONOTONIC", "1")
        .var("TZ", "UTC");
    every_clock_command(&env, &token, "system clock");
}

/// `generate >&-`: the runtime hands a closed stdout /dev/null, where writes "succeed".
#[test]
fn generate_with_stdout_closed_fails_and_revokes() {
    let env = TestEnv::new();
    let mut cmd = env.std_cmd(["generate", "--name", "lost"]);
    cmd.stderr(Stdio::piped());
    // SAFETY: close(2) only, between fork and exec.
    unsafe {
        cmd.pre_exec(|| nix::unistd::close(1).map_err(std::io::Error::from));
    }
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("revoked"), "{stderr}");
    assert_eq!(env.show("lost")["status"], "revoked");

    let out = env
        .std_cmd(["generate", "--name", "dropped", "--json"])
        .stdout(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(env.show("dropped")["status"], "revoked");
}
