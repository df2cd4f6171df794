//! The human views (list, show, log) as a person sees them: snapshots with a fixed clock,
//! TZ=UTC and colours off, the terminal layout through a real PTY, and colour on and off.

use std::time::Duration;

use expectrl::{Eof, Expect, Session};
use snapbox::{assert_data_eq, file};

use crate::util::TestEnv;

/// The clock every view is looked at with.
pub const NOW: &str = "2026-11-22T12:00:00Z";

/// A database with a history an operator would recognise: a busy CI token, a deploy
/// token about to expire, a revoked laptop token someone keeps presenting, an expired one
/// never used, and a deleted one. Leaves the env's clock at `NOW` and TZ at UTC.
pub fn fixture() -> TestEnv {
    let mut env = TestEnv::new();
    env.var("TZ", "UTC");
    env.at("2026-06-01T10:00:00Z");
    let laptop = env.generate("old-laptop", &["--expires", "2y", "--scope", "*"]);
    env.at("2026-07-01T08:00:00Z");
    env.verify(&laptop, &["--source", "laptop"]).code(0);
    env.at("2026-09-01T09:00:00Z");
    let ci = env.generate(
        "github-ci",
        &[
            "--expires",
            "1y",
            "--scope",
            "unikernel:create",
            "--scope",
            "volume:upload",
            "--description",
            "GitHub Actions deploy pipeline",
        ],
    );
    env.at("2026-10-01T10:00:00Z");
    env.generate("expired-one", &["--expires", "30d"]);
    env.at("2026-10-25T10:00:00Z");
    let deploy = env.generate(
        "deploy-hook",
        &[
            "--expires",
            "30d",
            "--prefix",
            "deploy",
            "--scope",
            "unikernel:*",
        ],
    );
    env.at("2026-11-10T12:00:00Z");
    env.cmd(["revoke", "old-laptop"]).assert().success();
    for (at, source) in [
        ("2026-11-20T09:00:00Z", "runner-1.github.com"),
        ("2026-11-20T10:00:00Z", "runner-1.github.com"),
        ("2026-11-20T11:00:00Z", "runner-2.github.com"),
        ("2026-11-21T09:00:00Z", "runner-2.github.com"),
        ("2026-11-22T11:00:00Z", "runner-1.github.com"),
    ] {
        env.at(at);
        env.verify(&ci, &["--source", source]).code(0);
    }
    env.at("2026-11-22T08:00:00Z");
    env.verify(&deploy, &["--source", "deploy.example.org", "-q"])
        .code(0);
    // The leaked laptop token, presented after its revocation.
    for at in [
        "2026-11-21T03:00:00Z",
        "2026-11-21T03:01:00Z",
        "2026-11-21T03:02:00Z",
        "2026-11-22T04:00:00Z",
    ] {
        env.at(at);
        env.verify(&laptop, &["--source", "203.0.113.7", "-q"])
            .code(12);
    }
    env.at("2026-11-22T11:30:00Z");
    env.generate("tmp", &[]);
    env.at("2026-11-22T11:31:00Z");
    env.cmd(["revoke", "tmp"]).assert().success();
    env.cmd(["delete", "tmp", "--yes"]).assert().success();
    env.at(NOW);
    env
}

/// The OS user running the tests, which the event log records as the actor.
pub fn os_user() -> String {
    let uid = nix::unistd::getuid();
    match nix::unistd::User::from_uid(uid) {
        Ok(Some(user)) => user.name,
        _ => format!("uid {uid}"),
    }
}

/// Replaces every token id (random) by a stable stand-in of the same length, `id00000001`
/// in name order, so snapshots keep their column alignment, and the OS user by `USER`.
pub fn stable(env: &TestEnv, text: &str) -> String {
    let log = env.json(["log", "--json"]);
    let mut ids: Vec<(String, String)> = log["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            (
                e["token_name"].as_str().expect("name").to_owned(),
                e["token_id"].as_str().expect("id").to_owned(),
            )
        })
        .collect();
    ids.sort();
    ids.dedup();
    let mut text = text.to_owned();
    for (i, (_, id)) in ids.iter().enumerate() {
        text = text.replace(id.as_str(), &format!("id{:08}", i + 1));
    }
    text.replace(&format!("by {}", env.actor(&os_user())), "by USER")
}

/// Stdout and stderr of a successful run, ids made stable.
fn run(env: &TestEnv, args: &[&str]) -> (String, String) {
    let out = env.cmd(args).assert().success().get_output().clone();
    (
        stable(env, &String::from_utf8(out.stdout).expect("UTF-8 stdout")),
        stable(env, &String::from_utf8(out.stderr).expect("UTF-8 stderr")),
    )
}

/// `tokenctl ARGS` in a real PTY with `vars`; everything it printed, escape codes kept
/// (CRs removed), and its exit code.
pub fn pty_raw(env: &TestEnv, args: &[&str], vars: &[(&str, &str)]) -> (String, i32) {
    let mut cmd = env.std_cmd(args);
    cmd.env("TERM", "xterm-256color");
    for (key, value) in vars {
        cmd.env(key, value);
    }
    let mut session = Session::spawn(cmd).expect("spawn in PTY");
    session.set_expect_timeout(Some(Duration::from_secs(30)));
    let found = session.expect(Eof).expect("read until the child exits");
    let text = String::from_utf8_lossy(found.as_bytes()).replace('\r', "");
    let status = session.get_process().wait().expect("wait for child");
    match status {
        expectrl::process::unix::WaitStatus::Exited(_, code) => (text, code),
        other => panic!("child did not exit normally: {other:?}\n{text}"),
    }
}

both!(list_piped_is_plain_aligned_text);
fn list_piped_is_plain_aligned_text() {
    let env = fixture();
    let (stdout, stderr) = run(&env, &["list"]);
    assert!(!stdout.contains('\x1b'), "no colour in a pipe: {stdout:?}");
    assert!(!stdout.contains('│') && !stdout.contains('─'), "no borders");
    assert_data_eq!(stdout, file!["../snapshots/list_plain.txt"]);
    assert_data_eq!(stderr, file!["../snapshots/list_plain.stderr.txt"]);
}

both!(list_footer_names_the_filter);
fn list_footer_names_the_filter() {
    let env = fixture();
    let (stdout, stderr) = run(&env, &["list", "--status", "active", "--sort", "name"]);
    assert_data_eq!(stdout, file!["../snapshots/list_active.txt"]);
    assert_data_eq!(stderr, file!["../snapshots/list_active.stderr.txt"]);
}

both!(list_at_an_80_column_terminal_fits);
fn list_at_an_80_column_terminal_fits() {
    let env = fixture();
    let (text, code) = pty_raw(&env, &["list"], &[("COLUMNS", "80"), ("NO_COLOR", "1")]);
    assert_eq!(code, 0);
    let text = stable(&env, &text);
    for line in text.lines() {
        assert!(
            line.chars().count() <= 80 || line.starts_with("warning:"),
            "{line:?}"
        );
    }
    assert_data_eq!(text, file!["../snapshots/list_tty_80.txt"]);
}

both!(list_at_a_200_column_terminal_keeps_one_line_per_token);
fn list_at_a_200_column_terminal_keeps_one_line_per_token() {
    let env = fixture();
    let (text, code) = pty_raw(&env, &["list"], &[("COLUMNS", "200"), ("NO_COLOR", "1")]);
    assert_eq!(code, 0);
    let text = stable(&env, &text);
    assert_data_eq!(text, file!["../snapshots/list_tty_200.txt"]);
}

both!(show_active_token);
fn show_active_token() {
    let env = fixture();
    let (stdout, _) = run(&env, &["show", "github-ci"]);
    assert_data_eq!(stdout, file!["../snapshots/show_github_ci.txt"]);
}

both!(show_revoked_token_under_attack);
fn show_revoked_token_under_attack() {
    let env = fixture();
    let (stdout, _) = run(&env, &["show", "old-laptop"]);
    assert_data_eq!(stdout, file!["../snapshots/show_old_laptop.txt"]);
}

both!(show_token_expiring_soon_and_never_used);
fn show_token_expiring_soon_and_never_used() {
    let env = fixture();
    let (stdout, _) = run(&env, &["show", "deploy-hook"]);
    assert!(stdout.contains("active (expires soon)"), "{stdout}");
    let (stdout, _) = run(&env, &["show", "expired-one"]);
    assert_data_eq!(stdout, file!["../snapshots/show_expired_one.txt"]);
}

both!(show_json_carries_what_the_view_shows);
fn show_json_carries_what_the_view_shows() {
    let env = fixture();
    let doc = env.json(["show", "github-ci", "--json"]);
    assert_eq!(doc["name"], "github-ci");
    assert_eq!(doc["usage_count"], 5);
    let sources = doc["sources"].as_array().expect("sources");
    assert_eq!(sources.len(), 2);
    assert_eq!(sources[0]["source"], "runner-1.github.com");
    assert_eq!(sources[0]["uses"], 3);
    assert_eq!(sources[0]["last_used_at"], "2026-11-22T11:00:00Z");
    let days: Vec<_> = doc["daily_usage"]
        .as_array()
        .expect("daily_usage")
        .iter()
        .map(|d| (d["date"].as_str().unwrap().to_owned(), d["uses"].as_u64()))
        .collect();
    assert_eq!(
        days,
        [
            ("2026-11-20".to_owned(), Some(3)),
            ("2026-11-21".to_owned(), Some(1)),
            ("2026-11-22".to_owned(), Some(1)),
        ]
    );
    assert_eq!(doc["events"][0]["action"], "generated");
    assert_eq!(doc["events"][0]["actor"], env.actor(&os_user()).as_str());
    let laptop = env.json(["show", "old-laptop", "--json"]);
    assert_eq!(laptop["failed_count"], 4);
    let failures: u64 = laptop["daily_usage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["failures"].as_u64().unwrap())
        .sum();
    assert_eq!(failures, 4);
}

both!(log_of_everything);
fn log_of_everything() {
    let env = fixture();
    let (stdout, _) = run(&env, &["log"]);
    assert_data_eq!(stdout, file!["../snapshots/log_all.txt"]);
}

both!(log_of_a_deleted_token);
fn log_of_a_deleted_token() {
    let env = fixture();
    let (stdout, _) = run(&env, &["log", "tmp"]);
    assert_data_eq!(stdout, file!["../snapshots/log_deleted.txt"]);
}

both!(colours_at_a_terminal_by_default);
fn colours_at_a_terminal_by_default() {
    let env = fixture();
    for args in [&["list"][..], &["show", "github-ci"][..], &["log"][..]] {
        let (text, code) = pty_raw(&env, args, &[]);
        assert_eq!(code, 0, "{args:?}: {text}");
        assert!(
            text.contains("\x1b["),
            "{args:?} should be coloured: {text:?}"
        );
    }
}

both!(no_color_turns_colours_off_and_color_always_wins);
fn no_color_turns_colours_off_and_color_always_wins() {
    let env = fixture();
    for args in [&["list"][..], &["show", "github-ci"][..], &["log"][..]] {
        let (text, code) = pty_raw(&env, args, &[("NO_COLOR", "1")]);
        assert_eq!(code, 0);
        assert!(!text.contains('\x1b'), "{args:?} NO_COLOR: {text:?}");
        let mut always = args.to_vec();
        always.extend(["--color", "always"]);
        let (text, code) = pty_raw(&env, &always, &[("NO_COLOR", "1")]);
        assert_eq!(code, 0);
        assert!(
            text.contains("\x1b["),
            "{always:?} beats NO_COLOR: {text:?}"
        );
        let mut never = args.to_vec();
        never.extend(["--color", "never"]);
        let (text, _) = pty_raw(&env, &never, &[]);
        assert!(!text.contains('\x1b'), "{never:?}: {text:?}");
    }
}

both!(color_always_in_a_pipe_colours_the_status);
fn color_always_in_a_pipe_colours_the_status() {
    let env = fixture();
    let out = env
        .cmd(["list", "--color", "always"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("\x1b["), "{text:?}");
    assert!(console::strip_ansi_codes(&text).contains("revoked"));
}

both!(failed_column_appears_only_when_a_token_has_failures);
fn failed_column_appears_only_when_a_token_has_failures() {
    let mut env = TestEnv::new();
    env.at(NOW);
    let token = env.generate("quiet", &[]);
    env.verify(&token, &[]).code(0);
    let (stdout, stderr) = run(&env, &["list"]);
    assert!(!stdout.contains("FAILED"), "{stdout}");
    assert!(!stderr.contains("warning"), "{stderr}");
    // A denied verify counts against the token.
    env.verify(&token, &["--scope", "x:y", "-q"]).code(13);
    let (stdout, stderr) = run(&env, &["list"]);
    assert!(
        stdout.lines().next().unwrap().ends_with("FAILED"),
        "{stdout}"
    );
    assert!(stdout.lines().nth(1).unwrap().ends_with(" 1"), "{stdout}");
    assert!(
        stderr.contains("'quiet'") && stderr.contains("1 failed verify attempt,"),
        "{stderr}"
    );
}

both!(revoked_token_presented_again_is_called_out);
fn revoked_token_presented_again_is_called_out() {
    let env = fixture();
    let (_, stderr) = run(&env, &["list"]);
    let warning = stderr
        .lines()
        .find(|l| l.starts_with("warning:"))
        .expect("a warning line");
    assert!(warning.contains("'old-laptop'"), "{warning}");
    assert!(warning.contains("after it was revoked"), "{warning}");
    // JSON stays a document on stdout with nothing on stderr.
    let out = env
        .cmd(["list", "--json"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert!(
        out.stderr.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&out.stderr)
    );
}

both!(expiring_marker_only_within_seven_days);
fn expiring_marker_only_within_seven_days() {
    let mut env = TestEnv::new();
    env.at(NOW);
    env.generate("six-days", &["--expires", "6d"]);
    env.generate("eight-days", &["--expires", "8d"]);
    let (stdout, stderr) = run(&env, &["list", "--sort", "name"]);
    let lines: Vec<_> = stdout.lines().collect();
    assert!(
        lines[1].contains("eight-days") && lines[1].contains("in 8d  "),
        "{stdout}"
    );
    assert!(
        lines[2].contains("six-days") && lines[2].contains("in 6d !"),
        "{stdout}"
    );
    assert!(stderr.contains("! expires within 7 days"), "{stderr}");
}

both!(verify_warns_on_stderr_when_expiry_is_near);
fn verify_warns_on_stderr_when_expiry_is_near() {
    let mut env = TestEnv::new();
    env.at(NOW);
    let soon = env.generate("soon", &["--expires", "3d"]);
    let later = env.generate("later", &["--expires", "30d"]);
    let out = env.verify(&soon, &[]).code(0).get_output().clone();
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("warning:") && stderr.contains("in 3d"),
        "{stderr}"
    );
    let out = env.verify(&soon, &["-q"]).code(0).get_output().clone();
    assert!(out.stderr.is_empty() && out.stdout.is_empty());
    let out = env.verify(&soon, &["--json"]).code(0).get_output().clone();
    serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("stdout stays JSON");
    let out = env.verify(&later, &[]).code(0).get_output().clone();
    assert!(out.stderr.is_empty());
    // A denial keeps its own exit code and gets no expiry warning.
    let out = env
        .verify(&soon, &["--scope", "x:y"])
        .code(13)
        .get_output()
        .clone();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("expires"));
}
