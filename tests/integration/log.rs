//! `log [REF] [--since D]`: lifecycle events by OS user, failed verify attempts summed
//! per token per day, and a deleted token's history found by its id or its old name.

use serde_json::Value;

use crate::util::TestEnv;
use crate::views::{NOW, fixture, os_user};

fn actions(doc: &Value) -> Vec<(String, String)> {
    doc["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            (
                e["token_name"].as_str().unwrap().to_owned(),
                e["action"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

both!(log_records_who_did_what);
fn log_records_who_did_what() {
    let env = fixture();
    let doc = env.json(["log", "--json"]);
    let events = doc["events"].as_array().unwrap();
    assert_eq!(events.len(), 8);
    // The OS user, not $USER (which the test env sets to "tester"): anyone can set that.
    assert!(
        events
            .iter()
            .all(|e| e["actor"] == env.actor(&os_user()).as_str()),
        "{doc:#}"
    );
    assert_eq!(events[0]["at"], "2026-06-01T10:00:00Z");
    let failed = doc["failed_attempts"].as_array().unwrap();
    assert_eq!(failed.len(), 2, "{doc:#}");
    assert_eq!(failed[0]["date"], "2026-11-21");
    assert_eq!(failed[0]["token_name"], "old-laptop");
    assert_eq!(failed[0]["count"], 3);
    assert_eq!(failed[1]["count"], 1);
}

both!(log_actor_ignores_a_spoofed_user_variable);
fn log_actor_ignores_a_spoofed_user_variable() {
    let mut env = TestEnv::new();
    env.at(NOW).var("USER", "mallory").var("LOGNAME", "mallory");
    env.generate("t", &[]);
    let out = env.cmd(["log"]).assert().success().get_output().clone();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("generated"), "{text}");
    assert!(
        text.contains(&format!("by {}", env.actor(&os_user()))),
        "{text}"
    );
    assert!(!text.contains("mallory"), "{text}");
}

both!(log_ref_of_a_live_token);
fn log_ref_of_a_live_token() {
    let env = fixture();
    let doc = env.json(["log", "old-laptop", "--json"]);
    assert_eq!(
        actions(&doc),
        pairs(&[("old-laptop", "generated"), ("old-laptop", "revoked")])
    );
    assert_eq!(doc["failed_attempts"].as_array().unwrap().len(), 2);
    let github = env.json(["log", "github-ci", "--json"]);
    assert_eq!(actions(&github), pairs(&[("github-ci", "generated")]));
    assert!(github["failed_attempts"].as_array().unwrap().is_empty());
}

both!(log_ref_of_a_deleted_token_by_name_and_by_id);
fn log_ref_of_a_deleted_token_by_name_and_by_id() {
    let env = fixture();
    env.cmd(["show", "tmp"]).assert().code(1);
    let by_name = env.json(["log", "tmp", "--json"]);
    let want = pairs(&[("tmp", "generated"), ("tmp", "revoked"), ("tmp", "deleted")]);
    assert_eq!(actions(&by_name), want);
    let id = by_name["events"][0]["token_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let by_id = env.json(["log", &id, "--json"]);
    assert_eq!(actions(&by_id), want);
    let by_prefix = env.json(["log", &id[..5], "--json"]);
    assert_eq!(actions(&by_prefix), want);
    let out = env
        .cmd(["log", &id])
        .assert()
        .success()
        .get_output()
        .clone();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(
        text.lines().all(|l| l.contains(&id) && l.contains("tmp")),
        "{text}"
    );
}

both!(log_ref_that_never_existed_fails);
fn log_ref_that_never_existed_fails() {
    let env = fixture();
    let out = env
        .cmd(["log", "nope"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error:") && stderr.contains("nope"),
        "{stderr}"
    );
}

both!(log_since_limits_events_and_failure_days);
fn log_since_limits_events_and_failure_days() {
    let env = fixture();
    // 2d: from 2026-11-20T12:00Z: the tmp lifecycle and both failure days.
    let doc = env.json(["log", "--since", "2d", "--json"]);
    assert_eq!(
        actions(&doc),
        pairs(&[("tmp", "generated"), ("tmp", "revoked"), ("tmp", "deleted")])
    );
    assert_eq!(doc["failed_attempts"].as_array().unwrap().len(), 2);
    // 12d: the revocation of old-laptop (2026-11-10T12:00Z) is exactly on the edge.
    let doc = env.json(["log", "--since", "12d", "--json"]);
    assert_eq!(
        actions(&doc)[0],
        ("old-laptop".to_owned(), "revoked".to_owned())
    );
    // 1h: nothing happened in the last hour before NOW except tmp's lifecycle at 11:30.
    let doc = env.json(["log", "--since", "1h", "--json"]);
    assert_eq!(actions(&doc).len(), 3);
    // Minutes are "min": a bare "10m" is refused (tests/integration/durations.rs).
    let doc = env.json(["log", "--since", "10min", "--json"]);
    assert!(actions(&doc).is_empty());
    // Combined with REF.
    let doc = env.json(["log", "old-laptop", "--since", "2d", "--json"]);
    assert!(actions(&doc).is_empty());
    assert_eq!(doc["failed_attempts"].as_array().unwrap().len(), 2);
}

both!(log_since_with_nothing_in_range_says_so);
fn log_since_with_nothing_in_range_says_so() {
    let env = fixture();
    let out = env
        .cmd(["log", "github-ci", "--since", "1d"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no events"));
}

both!(log_since_rejects_a_bad_duration);
fn log_since_rejects_a_bad_duration() {
    let env = fixture();
    env.cmd(["log", "--since", "yesterday"]).assert().code(2);
}
