//! SPEC "Durations": one grammar for --expires, --since, --expiring-within, --unused-since
//! and the validity prompt; a bare `m` is refused, never guessed; output says `mo` and `min`.

use predicates::prelude::*;

use crate::pty::{DOWN, ENTER, Pty};
use crate::util::TestEnv;

const HINT: &str = "write 1mo for a month or 1min for a minute";

fn stdout(env: &TestEnv, args: &[&str]) -> String {
    let out = env.cmd(args).assert().success().get_output().stdout.clone();
    String::from_utf8(out).expect("UTF-8")
}

fn names(env: &TestEnv, args: &[&str]) -> Vec<String> {
    let doc = env.json(["list", "--json"].iter().chain(args));
    doc.as_array()
        .expect("an array")
        .iter()
        .map(|t| t["name"].as_str().expect("name").to_owned())
        .collect()
}

/// Exit 2, nothing on stdout, one line on stderr that carries `why`.
fn refused(env: &TestEnv, args: &[&str], why: &str) {
    let out = env
        .cmd(args)
        .assert()
        .code(2)
        .stdout("")
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).expect("UTF-8");
    assert!(stderr.contains(why), "{args:?}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
}

both!(a_bare_m_or_capital_m_is_refused_and_no_token_is_made);
fn a_bare_m_or_capital_m_is_refused_and_no_token_is_made() {
    let env = TestEnv::new();
    env.cmd(["init"]).assert().success();
    // 90m was 7.5 years, 1h30m 2.5 years, 12h30m 2 years, 3M humantime's 30.44-day month.
    for spec in ["90m", "1h30m", "12h30m", "3M", "1y 6m", "3 m", "2Mo"] {
        refused(&env, &["generate", "--name", "t", "--expires", spec], HINT);
    }
    assert!(env.sql("SELECT id FROM tokens").is_empty());
    // What the hint says works, and means what it says.
    let mut env = env;
    env.at("2026-01-31T12:00:00Z");
    env.generate("minutes", &["--expires", "90min"]);
    assert_eq!(env.show("minutes")["expires_at"], "2026-01-31T13:30:00Z");
    env.generate("mixed", &["--expires", "1h30min"]);
    assert_eq!(env.show("mixed")["expires_at"], "2026-01-31T13:30:00Z");
    env.generate("months", &["--expires", "1y 1mo"]);
    assert_eq!(env.show("months")["expires_at"], "2027-02-28T12:00:00Z");
}

both!(every_duration_flag_refuses_a_bare_m);
fn every_duration_flag_refuses_a_bare_m() {
    let env = TestEnv::new();
    env.generate("t", &[]);
    for args in [
        ["log", "--since", "10m"],
        ["list", "--unused-since", "2m"],
        ["list", "--expiring-within", "1m"],
        ["list", "--expiring-within", "3M"],
    ] {
        refused(&env, &args, HINT);
    }
}

both!(generate_then_list_shows_what_was_asked);
fn generate_then_list_shows_what_was_asked() {
    let mut env = TestEnv::new();
    env.at("2026-01-31T12:00:00Z");
    for (name, spec) in [("quarter", "3mo"), ("long", "1y 6mo"), ("short", "12h")] {
        env.cmd(["generate", "--name", name, "--expires", spec])
            .assert()
            .success()
            .stderr(predicate::str::contains(format!("(in {})", shown(spec))));
    }
    // A few seconds later, as a person would look.
    env.at("2026-01-31T12:00:07Z");
    let list = stdout(&env, &["list", "--sort", "name"]);
    let rows: Vec<&str> = list.lines().skip(1).collect();
    assert!(rows[0].contains(" in 18mo "), "{list}");
    assert!(rows[1].contains(" in 3mo "), "{list}");
    assert!(rows[2].contains(" in 12h "), "{list}");
    // And minutes are never a bare m.
    env.at("2026-01-31T12:05:00Z");
    let list = stdout(&env, &["list"]);
    assert!(list.contains(" 5min ago "), "{list}");
    assert!(!list.contains("5m "), "{list}");
}

/// How generate's summary and list word each of those.
fn shown(spec: &str) -> &str {
    if spec == "1y 6mo" { "18mo" } else { spec }
}

both!(since_counts_minutes_as_min);
fn since_counts_minutes_as_min() {
    let mut env = TestEnv::new();
    env.at("2026-01-31T12:00:00Z");
    env.generate("earlier", &[]);
    env.at("2026-01-31T12:20:00Z");
    env.generate("recent", &[]);
    env.at("2026-01-31T12:25:00Z");
    let doc = env.json(["log", "--since", "10min", "--json"]);
    let text = doc.to_string();
    assert!(
        text.contains("recent") && !text.contains("earlier"),
        "{text}"
    );
    let doc = env.json(["log", "--since", "1h", "--json"]);
    assert!(doc.to_string().contains("earlier"), "{doc}");
    refused(&env, &["log", "--since", "10m"], HINT);
}

both!(unused_since_counts_calendar_months_back);
fn unused_since_counts_calendar_months_back() {
    let mut env = TestEnv::new();
    // Two months before Mar 31 is Jan 31 (59 days); two months after it would be 61 days.
    env.at("2026-01-30T12:00:00Z");
    env.generate("idle", &["--no-expiry"]);
    env.at("2026-02-01T00:00:00Z");
    env.generate("newer", &["--no-expiry"]);
    env.at("2026-03-31T00:00:00Z");
    assert_eq!(names(&env, &["--unused-since", "2mo"]), ["idle"]);
    assert_eq!(names(&env, &["--unused-since", "2months"]), ["idle"]);
    refused(&env, &["list", "--unused-since", "2m"], HINT);
}

both!(expiring_within_takes_weeks);
fn expiring_within_takes_weeks() {
    let mut env = TestEnv::new();
    env.at("2026-01-01T00:00:00Z");
    env.generate("six-days", &["--expires", "6d"]);
    env.generate("eight-days", &["--expires", "8d"]);
    env.generate("a-month", &["--expires", "1mo"]);
    env.at("2026-01-01T00:00:05Z");
    assert_eq!(names(&env, &["--expiring-within", "1w"]), ["six-days"]);
    assert_eq!(
        names(&env, &["--expiring-within", "1mo", "--sort", "expires"]),
        ["six-days", "eight-days", "a-month"]
    );
    refused(&env, &["list", "--expiring-within", "1m"], HINT);
}

both!(negative_and_unitless_durations_say_what_to_write);
fn negative_and_unitless_durations_say_what_to_write() {
    let env = TestEnv::new();
    env.cmd(["init"]).assert().success();
    refused(
        &env,
        &["generate", "--name", "t", "--expires", "-1d"],
        "cannot be negative",
    );
    refused(&env, &["log", "--since", "-2h"], "cannot be negative");
    refused(
        &env,
        &["generate", "--name", "t", "--expires", "10"],
        "the number 10 needs a unit",
    );
    // Two words are two arguments to clap: refused too, never half read.
    env.cmd(["generate", "--name", "t", "--expires", "1", "month"])
        .assert()
        .code(2)
        .stdout("");
    // Quoted, it is one duration.
    env.generate("quoted", &["--expires", "1 month"]);
    assert_eq!(env.sql("SELECT id FROM tokens").len(), 1);
}

#[test]
fn help_teaches_mo_and_min() {
    let env = TestEnv::new();
    let help = stdout(&env, &["generate", "--help"]);
    assert!(help.contains("1mo 3mo 6mo 1y 2y"), "{help}");
    assert!(help.contains(HINT), "{help}");
}

/// Chooses the item `downs` below the first of the validity menu (see prompts.rs).
fn pick(pty: &mut Pty, downs: usize) {
    pty.expect("custom");
    for _ in 0..downs {
        pty.send(DOWN);
        pty.expect("custom");
    }
    pty.send(ENTER);
}

both!(the_validity_presets_are_spec_presets_then_never_and_custom);
fn the_validity_presets_are_spec_presets_then_never_and_custom() {
    let cases = [
        (0, Some("2026-02-28T12:00:00Z")),
        (1, Some("2026-04-30T12:00:00Z")),
        (2, Some("2026-07-31T12:00:00Z")),
        (3, Some("2027-01-31T12:00:00Z")),
        (4, Some("2028-01-31T12:00:00Z")),
        (5, Some("2026-03-02T12:00:00Z")),
        (6, None),
    ];
    for (downs, want) in cases {
        let mut env = TestEnv::new();
        env.at("2026-01-31T12:00:00Z");
        let mut pty = env.pty(["generate", "--name", "t"]);
        let menu = pty.expect("custom");
        for label in [
            "1 month (1mo)",
            "3 months (3mo)",
            "2 years (2y)",
            "30 days (30d)",
            "never",
        ] {
            assert!(menu.contains(label), "{menu}");
        }
        for _ in 0..downs {
            pty.send(DOWN);
            pty.expect("custom");
        }
        pty.send(ENTER);
        pty.no_scopes();
        let (out, code) = pty.finish();
        assert_eq!(code, 0, "{out}");
        let got = env.show("t")["expires_at"].clone();
        assert_eq!(got.as_str(), want, "item {downs}: {out}");
    }
}

both!(the_custom_validity_refuses_a_bare_m_and_asks_again);
fn the_custom_validity_refuses_a_bare_m_and_asks_again() {
    let mut env = TestEnv::new();
    env.at("2026-01-31T12:00:00Z");
    let mut pty = env.pty(["generate", "--name", "t"]);
    pick(&mut pty, 7);
    pty.expect("Valid for (e.g.");
    pty.line("18m");
    pty.expect(HINT);
    pty.line("1y 6mo");
    pty.no_scopes();
    let (out, code) = pty.finish();
    assert_eq!(code, 0, "{out}");
    assert_eq!(env.show("t")["expires_at"], "2027-07-31T12:00:00Z");
}
