//! FILTERS on revoke and delete (and the new ones on list): `--dry-run` prints what the act
//! then does, `--yes` is needed without a terminal, and the act is one transaction's view.

use std::collections::BTreeSet;

use crate::util::TestEnv;

const NOW: &str = "2026-06-01T10:00:00Z";

fn ids(doc: &serde_json::Value) -> BTreeSet<String> {
    doc.as_array()
        .expect("an array")
        .iter()
        .map(|t| t["id"].as_str().expect("id").to_owned())
        .collect()
}

fn names(env: &TestEnv, args: &[&str]) -> BTreeSet<String> {
    let mut all = vec!["list", "--json"];
    all.extend_from_slice(args);
    env.json(all)
        .as_array()
        .expect("an array")
        .iter()
        .map(|t| t["name"].as_str().expect("name").to_owned())
        .collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

both!(name_scope_and_prefix_filters);
fn name_scope_and_prefix_filters() {
    let mut env = TestEnv::new();
    env.at(NOW);
    env.generate("ci-a", &["--scope", "deploy:run"]);
    env.generate("ci-b", &["--scope", "deploy:*"]);
    env.generate("Ci-c", &["--scope", "*"]);
    env.generate("ci_x%", &["--scope", "volume:upload", "--prefix", "abc"]);
    env.generate("other", &[]);
    // Case-sensitive, * and ? only; % and _ are literal on both engines.
    assert_eq!(names(&env, &["--name", "ci-*"]), set(&["ci-a", "ci-b"]));
    assert_eq!(names(&env, &["--name", "ci-?"]), set(&["ci-a", "ci-b"]));
    assert_eq!(names(&env, &["--name", "ci_x%"]), set(&["ci_x%"]));
    assert_eq!(names(&env, &["--name", "ci%"]), set(&[]));
    assert_eq!(names(&env, &["--name", "[c]i-a"]), set(&[]));
    // A scope filter finds what could do it, as verify judges.
    assert_eq!(
        names(&env, &["--scope", "deploy:run"]),
        set(&["ci-a", "ci-b", "Ci-c"])
    );
    assert_eq!(
        names(&env, &["--scope", "deploy:*"]),
        set(&["ci-b", "Ci-c"])
    );
    assert_eq!(names(&env, &["--prefix", "abc"]), set(&["ci_x%"]));
    assert_eq!(
        names(&env, &["--prefix", "tkn", "--name", "*-a"]),
        set(&["ci-a"])
    );
    env.cmd(["list", "--scope", "Deploy:Run"]).assert().code(2);
}

both!(a_dry_run_prints_what_the_act_then_does);
fn a_dry_run_prints_what_the_act_then_does() {
    let mut env = TestEnv::new();
    env.at("2026-01-01T00:00:00Z");
    let used = env.generate("used", &["--no-expiry"]);
    env.generate("idle-1", &["--no-expiry"]);
    env.generate("idle-2", &["--no-expiry"]);
    env.at("2026-05-01T00:00:00Z");
    env.verify(&used, &[]).code(0);
    env.at(NOW);
    env.generate("new", &["--no-expiry"]);

    let plan = env.json(["revoke", "--unused-since", "90d", "--dry-run", "--json"]);
    let out = env
        .cmd(["revoke", "--unused-since", "90d", "--dry-run"])
        .assert()
        .success();
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("2 tokens would be revoked"), "{err}");
    // Nothing changed.
    assert_eq!(names(&env, &["--status", "revoked"]), set(&[]));

    let act = env.json(["revoke", "--unused-since", "90d", "--yes", "--json"]);
    assert_eq!(ids(&plan), ids(&act));
    assert_eq!(ids(&act).len(), 2);
    assert_eq!(
        names(&env, &["--status", "revoked"]),
        set(&["idle-1", "idle-2"])
    );
    // Already revoked tokens are no longer a revoke's matches.
    let again = env.json(["revoke", "--unused-since", "90d", "--yes", "--json"]);
    assert_eq!(ids(&again).len(), 0);

    // delete's plan: only revoked or expired matches, never an active one.
    let plan = env.json(["delete", "--name", "*", "--dry-run", "--json"]);
    assert_eq!(ids(&plan), ids(&act));
    let gone = env.json(["delete", "--name", "*", "--yes", "--json"]);
    assert_eq!(ids(&gone), ids(&act));
    assert_eq!(names(&env, &[]), set(&["used", "new"]));
}

both!(without_a_terminal_a_filtered_act_needs_yes);
fn without_a_terminal_a_filtered_act_needs_yes() {
    let mut env = TestEnv::new();
    env.at(NOW);
    env.generate("a", &[]);
    let out = env.cmd(["revoke", "--name", "a"]).assert().code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("--yes"), "{err}");
    env.cmd(["delete", "--status", "active"]).assert().code(2);
    assert_eq!(names(&env, &["--status", "active"]), set(&["a"]));
    // REFs and FILTERS together, or neither, are usage errors.
    env.cmd(["revoke", "a", "--name", "a", "--yes"])
        .assert()
        .code(2);
    env.cmd(["revoke"]).assert().code(2);
    env.cmd(["delete", "--yes"]).assert().code(2);
}

both!(the_act_reports_exactly_what_it_changed_while_a_writer_adds_matches);
fn the_act_reports_exactly_what_it_changed_while_a_writer_adds_matches() {
    let mut env = TestEnv::new();
    env.at(NOW);
    for i in 0..5 {
        env.generate(&format!("bulk-{i}"), &[]);
    }
    let writers: Vec<_> = (5..13)
        .map(|i| {
            env.std_cmd(["generate", "--name", &format!("bulk-{i}")])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn a writer")
        })
        .collect();
    let act = env.json(["revoke", "--name", "bulk-*", "--yes", "--json"]);
    for w in writers {
        let out = w.wait_with_output().expect("writer");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let reported = ids(&act);
    assert!(reported.len() >= 5, "{reported:?}");
    let revoked: BTreeSet<String> = env
        .json(["list", "--json", "--status", "revoked"])
        .as_array()
        .expect("array")
        .iter()
        .map(|t| t["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(reported, revoked);
    assert_eq!(names(&env, &[]).len(), 13);
}
