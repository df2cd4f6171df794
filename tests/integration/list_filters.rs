//! `list --sort`, `--status`, `--expiring-within` and `--unused-since`: which tokens come
//! back, in which order, and what the footer says about the ones hidden.

use crate::util::TestEnv;
use crate::views::{NOW, fixture};

/// Names in the order `list --json ARGS` returns them.
fn names(env: &TestEnv, args: &[&str]) -> Vec<String> {
    let mut all = vec!["list", "--json"];
    all.extend_from_slice(args);
    env.json(all)
        .as_array()
        .expect("an array")
        .iter()
        .map(|t| t["name"].as_str().expect("name").to_owned())
        .collect()
}

/// The footer line (stderr) of a human `list ARGS`.
fn footer(env: &TestEnv, args: &[&str]) -> String {
    let mut all = vec!["list"];
    all.extend_from_slice(args);
    let out = env.cmd(all).assert().success().get_output().clone();
    String::from_utf8(out.stderr)
        .expect("UTF-8")
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

both!(sort_by_each_key);
fn sort_by_each_key() {
    let env = fixture();
    assert_eq!(
        names(&env, &["--sort", "name"]),
        ["deploy-hook", "expired-one", "github-ci", "old-laptop"]
    );
    // Newest first: what was just made is what one looks for.
    assert_eq!(
        names(&env, &["--sort", "created"]),
        ["deploy-hook", "expired-one", "github-ci", "old-laptop"]
    );
    assert_eq!(names(&env, &[]), names(&env, &["--sort", "created"]));
    // Soonest expiry first (the expired one is in the past), never-expiring last.
    assert_eq!(
        names(&env, &["--sort", "expires"]),
        ["expired-one", "deploy-hook", "github-ci", "old-laptop"]
    );
    // Most recently used first, never used last.
    assert_eq!(
        names(&env, &["--sort", "last-used"]),
        ["github-ci", "deploy-hook", "old-laptop", "expired-one"]
    );
    let by_uses = names(&env, &["--sort", "uses"]);
    assert_eq!(by_uses[0], "github-ci");
    assert_eq!(by_uses[3], "expired-one");
}

both!(sort_by_name_ignores_case);
fn sort_by_name_ignores_case() {
    let mut env = TestEnv::new();
    env.at(NOW);
    for name in ["beta", "Alpha", "gamma"] {
        env.generate(name, &[]);
    }
    assert_eq!(names(&env, &["--sort", "name"]), ["Alpha", "beta", "gamma"]);
}

both!(sort_rejects_an_unknown_key);
fn sort_rejects_an_unknown_key() {
    let env = fixture();
    env.cmd(["list", "--sort", "size"]).assert().code(2);
}

both!(status_filters);
fn status_filters() {
    let env = fixture();
    let mut active = names(&env, &["--status", "active", "--sort", "name"]);
    active.sort();
    assert_eq!(active, ["deploy-hook", "github-ci"]);
    assert_eq!(names(&env, &["--status", "revoked"]), ["old-laptop"]);
    assert_eq!(names(&env, &["--status", "expired"]), ["expired-one"]);
    assert_eq!(names(&env, &["--status", "all"]).len(), 4);
    assert_eq!(
        footer(&env, &["--status", "revoked"]),
        "1 token shown, 3 hidden by --status revoked"
    );
    assert_eq!(
        footer(&env, &["--status", "all"]),
        "4 tokens; ! expires within 7 days"
    );
    env.cmd(["list", "--status", "gone"]).assert().code(2);
}

both!(expiring_within_takes_active_tokens_only);
fn expiring_within_takes_active_tokens_only() {
    let env = fixture();
    // deploy-hook expires in 1d 22h; the expired and the revoked ones are not "expiring".
    assert_eq!(names(&env, &["--expiring-within", "2d"]), ["deploy-hook"]);
    assert!(names(&env, &["--expiring-within", "1d"]).is_empty());
    assert_eq!(
        names(&env, &["--expiring-within", "1y", "--sort", "name"]),
        ["deploy-hook", "github-ci"]
    );
    assert_eq!(
        footer(&env, &["--expiring-within", "1d"]),
        "no token matches --expiring-within 1d (4 hidden)"
    );
    assert_eq!(
        footer(&env, &["--expiring-within", "7d"]),
        "1 token shown, 3 hidden by --expiring-within 7d; ! expires within 7 days"
    );
}

both!(unused_since_counts_never_used_from_creation);
fn unused_since_counts_never_used_from_creation() {
    let mut env = TestEnv::new();
    env.at("2026-10-01T00:00:00Z");
    env.generate("old-never-used", &["--no-expiry"]);
    let used = env.generate("used-long-ago", &["--no-expiry"]);
    env.verify(&used, &[]).code(0);
    env.at("2026-11-12T00:00:00Z");
    env.generate("new-never-used", &["--no-expiry"]);
    let busy = env.generate("busy", &["--no-expiry"]);
    env.at("2026-11-20T00:00:00Z");
    env.verify(&busy, &[]).code(0);
    env.at(NOW);
    assert_eq!(
        names(&env, &["--unused-since", "30d", "--sort", "name"]),
        ["old-never-used", "used-long-ago"]
    );
    assert_eq!(
        names(&env, &["--unused-since", "5d", "--sort", "name"]),
        ["new-never-used", "old-never-used", "used-long-ago"]
    );
    assert!(names(&env, &["--unused-since", "1y"]).is_empty());
    assert_eq!(
        footer(&env, &["--unused-since", "30d"]),
        "2 tokens shown, 2 hidden by --unused-since 30d"
    );
}

both!(filters_combine);
fn filters_combine() {
    let env = fixture();
    assert_eq!(
        names(&env, &["--status", "active", "--unused-since", "1d"]),
        Vec::<String>::new()
    );
    assert_eq!(
        names(&env, &["--status", "revoked", "--unused-since", "30d"]),
        ["old-laptop"]
    );
}

both!(bad_durations_are_usage_errors);
fn bad_durations_are_usage_errors() {
    let env = fixture();
    for flag in ["--expiring-within", "--unused-since"] {
        let out = env
            .cmd(["list", flag, "soon"])
            .assert()
            .code(2)
            .get_output()
            .clone();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.starts_with("error:"), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}

both!(empty_database_says_how_to_start);
fn empty_database_says_how_to_start() {
    let mut env = TestEnv::new();
    env.at(NOW);
    env.cmd(["init"]).assert().success();
    let out = env.cmd(["list"]).assert().success().get_output().clone();
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("tokenctl generate"));
    assert_eq!(env.json(["list", "--json"]), serde_json::json!([]));
}
