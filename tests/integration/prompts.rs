//! What a person at a terminal sees: the interactive generate, the delete confirmation,
//! verify's hidden token prompt, and colours on a terminal only. Real PTYs, no sleeps.

use predicates::prelude::*;

use crate::pty::{CTRL_C, DOWN, ENTER, ESC, HIDE_CURSOR, Pty, SHOW_CURSOR, SPACE};
use crate::util::TestEnv;

/// Chooses the item `downs` below the first of the validity menu. The menu is redrawn
/// after every key, so seeing its last item again means the key was handled.
fn pick(pty: &mut Pty, downs: usize) {
    pty.expect("custom");
    for _ in 0..downs {
        pty.send(DOWN);
        pty.expect("custom");
    }
    pty.send(ENTER);
}

fn no_scopes(pty: &mut Pty) {
    pty.no_scopes();
}

#[test]
fn generate_asks_for_the_name_then_the_validity() {
    let mut env = TestEnv::new();
    env.at("2026-01-31T00:00:00Z");
    let mut pty = env.pty(["generate"]);
    pty.expect("Token name");
    pty.line("github-ci");
    pty.expect("Valid for");
    pick(&mut pty, 1);
    no_scopes(&mut pty);
    let (out, code) = pty.finish();
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("copy it now"), "{out}");
    // Calendar months: the end of April, not 90 days.
    assert_eq!(env.show("github-ci")["expires_at"], "2026-04-30T00:00:00Z");
    let list = env.json(["list", "--json"]);
    let id = list[0]["id"].as_str().unwrap();
    assert!(
        out.contains(&format!("tkn_{id}_")),
        "the secret is shown: {out}"
    );
}

#[test]
fn generate_takes_a_custom_validity() {
    let mut env = TestEnv::new();
    env.at("2026-01-01T00:00:00Z");
    let mut pty = env.pty(["generate", "--name", "t"]);
    pty.expect("Valid for");
    pick(&mut pty, 7);
    pty.expect("Valid for (e.g.");
    pty.line("45d");
    no_scopes(&mut pty);
    let (out, code) = pty.finish();
    assert_eq!(code, 0, "{out}");
    assert_eq!(env.show("t")["expires_at"], "2026-02-15T00:00:00Z");
}

#[test]
fn generate_asks_only_for_what_is_missing() {
    let mut env = TestEnv::new();
    env.at("2026-01-01T00:00:00Z");
    let mut pty = env.pty(["generate", "--expires", "1y"]);
    pty.expect("Token name");
    pty.line("t");
    no_scopes(&mut pty);
    let (out, code) = pty.finish();
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("Valid for"), "{out}");
    assert_eq!(env.show("t")["expires_at"], "2027-01-01T00:00:00Z");
}

#[test]
fn generate_asks_again_for_an_empty_name() {
    let env = TestEnv::new();
    let mut pty = env.pty(["generate", "--no-expiry"]);
    pty.expect("Token name");
    pty.line("   ");
    pty.expect("name is empty");
    pty.line("second-try");
    no_scopes(&mut pty);
    let (out, code) = pty.finish();
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        env.show("second-try")["expires_at"],
        serde_json::Value::Null
    );
}

#[test]
fn generate_asks_again_for_a_taken_name() {
    let env = TestEnv::new();
    env.generate("taken", &[]);
    let mut pty = env.pty(["generate", "--no-expiry"]);
    pty.expect("Token name");
    pty.line("taken");
    pty.expect("a token named 'taken' already exists");
    pty.line("free");
    no_scopes(&mut pty);
    let (out, code) = pty.finish();
    assert_eq!(code, 0, "{out}");
    assert_eq!(env.show("free")["status"], "active");
}

#[test]
fn generate_without_a_terminal_asks_nothing() {
    let env = TestEnv::new();
    env.cmd(["generate"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("--name is required"));
    // Nor does it ask for the validity: the default applies.
    env.generate("t", &[]);
}

#[test]
fn delete_asks_and_yes_deletes() {
    let env = TestEnv::new();
    env.generate("t", &[]);
    env.cmd(["revoke", "t"]).assert().success();
    let mut pty = env.pty(["delete", "t"]);
    pty.expect("Delete 1 token: 't'");
    pty.expect("cannot be undone");
    pty.line("y");
    let (out, code) = pty.finish();
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("deleted 't'"), "{out}");
    env.cmd(["show", "t"]).assert().code(1);
}

#[test]
fn delete_asks_and_no_keeps_the_token() {
    let env = TestEnv::new();
    env.generate("t", &[]);
    env.cmd(["revoke", "t"]).assert().success();
    let mut pty = env.pty(["delete", "t"]);
    pty.expect("cannot be undone");
    pty.line("n");
    let (out, code) = pty.finish();
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("nothing deleted"), "{out}");
    assert_eq!(env.show("t")["status"], "revoked");
}

#[test]
fn delete_with_yes_does_not_ask() {
    let env = TestEnv::new();
    env.generate("t", &[]);
    env.cmd(["revoke", "t"]).assert().success();
    let (out, code) = env.pty(["delete", "t", "--yes"]).finish();
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("cannot be undone"), "{out}");
}

#[test]
fn verify_reads_the_token_at_a_terminal_without_echo() {
    let env = TestEnv::new();
    let token = env.generate("t", &[]);
    let mut pty = env.pty(["verify", "-v"]);
    pty.expect("Token");
    pty.wait_echo_off();
    pty.send(&format!("{token}{ENTER}"));
    let (out, code) = pty.finish();
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("valid: 't'"), "{out}");
    assert!(!out.contains(&token[15..]), "the secret was echoed: {out}");
    assert_eq!(env.show("t")["usage_count"], 1);
}

/// After a cancelled menu: the cursor hidden for it was shown again, last.
fn assert_cursor_back(raw: &str) {
    let hidden = raw.rfind(HIDE_CURSOR).expect("the menu hid the cursor");
    assert!(
        raw[hidden..].contains(SHOW_CURSOR),
        "cursor left hidden: {raw:?}"
    );
}

/// A revoked token named `t`, ready to be deleted.
fn revoked_t() -> TestEnv {
    let env = TestEnv::new();
    env.generate("t", &[]);
    env.cmd(["revoke", "t"]).assert().success();
    env
}

#[test]
fn ctrl_c_and_esc_at_the_validity_menu_give_the_terminal_back() {
    for key in [CTRL_C, ESC] {
        let env = TestEnv::new();
        let mut pty = env.pty(["generate", "--name", "t"]);
        pty.expect("custom");
        pty.send(key);
        let (raw, code) = pty.finish_raw();
        assert_eq!(code, 130, "{key:?}: {raw:?}");
        assert_cursor_back(&raw);
        // The menu is wiped: its last drawing is followed by line clears.
        let last_item = raw.rfind("custom").unwrap();
        assert!(
            raw[last_item..].matches("\x1b[2K").count() >= 6,
            "{key:?}: menu left drawn: {raw:?}"
        );
        assert!(raw.contains("cancelled"), "{raw:?}");
        assert!(!env.db().exists(), "nothing is created");
    }
}

#[test]
fn ctrl_c_at_the_name_prompt_exits_130() {
    let env = TestEnv::new();
    let mut pty = env.pty(["generate"]);
    pty.expect("Token name");
    pty.send("half");
    pty.expect("half");
    pty.send(CTRL_C);
    let (out, code) = pty.finish();
    assert_eq!(code, 130, "{out}");
}

#[test]
fn ctrl_c_and_esc_at_the_delete_question_keep_the_token() {
    for key in [CTRL_C, ESC] {
        let env = revoked_t();
        let mut pty = env.pty(["delete", "t"]);
        pty.expect("cannot be undone");
        pty.send(key);
        let (raw, code) = pty.finish_raw();
        assert_eq!(code, 130, "{key:?}: {raw:?}");
        assert!(
            raw.rfind(HIDE_CURSOR) <= raw.rfind(SHOW_CURSOR),
            "cursor left hidden: {raw:?}"
        );
        assert_eq!(env.show("t")["status"], "revoked");
    }
}

#[test]
fn delete_waits_for_enter_and_leaves_nothing_for_the_shell() {
    let env = revoked_t();
    let mut pty = env.pty_sh(
        80,
        r#""$TOKENCTL" delete t; read rest; echo "left=[$rest]""#,
    );
    pty.expect("cannot be undone");
    pty.send(&format!("yes{ENTER}"));
    pty.expect("deleted 't'");
    // The shell's own `read` gets only what is typed after tokenctl is done.
    pty.send(ENTER);
    pty.expect("left=[");
    let rest = pty.expect("]");
    assert_eq!(rest, "]", "typed keys leaked to the shell");
    env.cmd(["show", "t"]).assert().code(1);
}

#[test]
fn delete_of_many_tokens_asks_in_one_line() {
    let env = TestEnv::new();
    let names: Vec<String> = (0..20).map(|i| format!("build-agent-{i:02}")).collect();
    for name in &names {
        env.generate(name, &[]);
    }
    let mut args = vec!["revoke"];
    args.extend(names.iter().map(String::as_str));
    env.cmd(&args).assert().success();
    args[0] = "delete";
    let mut pty = env.pty_cols(80, &args);
    let shown = pty.expect("cannot be undone");
    let question = shown.lines().last().unwrap();
    assert!(question.contains("Delete these 20 tokens?"), "{shown}");
    assert!(question.chars().count() < 80, "{question:?}");
    for name in &names {
        assert!(
            shown.contains(&format!("'{name}'")),
            "{name} is named: {shown}"
        );
    }
    pty.line("no");
    let (out, code) = pty.finish();
    assert_eq!(code, 1, "{out}");
}

#[test]
fn a_long_validation_error_stays_one_line() {
    let env = TestEnv::new();
    let mut pty = env.pty_cols(80, &["generate", "--name", "t"]);
    pick(&mut pty, 7);
    pty.expect("Valid for (e.g.");
    pty.line("soon");
    pty.expect("✘");
    pty.line("45d");
    no_scopes(&mut pty);
    let (out, code) = pty.finish();
    assert_eq!(code, 0, "{out}");
    let line = out.lines().find(|l| l.contains('✘')).unwrap();
    let error = &line[line.find('✘').unwrap()..];
    assert!(error.chars().count() < 80, "wraps at 80 columns: {error:?}");
}

#[test]
fn ctrl_c_at_the_hidden_token_prompt_turns_echo_back_on() {
    for key in [CTRL_C, ESC] {
        let env = TestEnv::new();
        env.generate("t", &[]);
        // A shell that ignores SIGINT does not restore the terminal for its child. (The
        // PTY starts with echo off: turn it on as a user's terminal has it.)
        let mut pty = env.pty_sh(
            80,
            r#"stty echo; trap '' INT; "$TOKENCTL" verify; echo "rc=$?"; stty -a | tr ' ' '
' | grep -x -e echo -e -echo"#,
        );
        pty.expect("Token");
        pty.wait_echo_off();
        pty.send("tkn_");
        pty.send(key);
        pty.expect("rc=130");
        let (out, code) = pty.finish();
        assert_eq!(code, 0, "{out}");
        assert!(
            out.trim_end().ends_with("\necho"),
            "{key:?}: echo left off: {out}"
        );
    }
}

#[test]
fn generate_asks_for_scopes_offering_those_in_use() {
    let mut env = TestEnv::new();
    env.at("2026-01-01T00:00:00Z");
    env.generate(
        "old",
        &["--scope", "deploy:run", "--scope", "volume:upload"],
    );
    let mut pty = env.pty(["generate", "--expires", "1y"]);
    pty.expect("Token name");
    pty.line("new");
    pty.expect("Scopes (space picks");
    pty.expect("volume:upload");
    pty.send(SPACE);
    pty.expect("volume:upload");
    pty.send(ENTER);
    pty.expect("Other scopes");
    pty.line("logs:read");
    let (out, code) = pty.finish();
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        env.show("new")["scopes"],
        serde_json::json!(["deploy:run", "logs:read"])
    );
}

#[test]
fn generate_with_name_and_expiry_asks_nothing_at_a_terminal() {
    let env = TestEnv::new();
    let (out, code) = env.pty(["generate", "--name", "t", "--no-expiry"]).finish();
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("Scopes"), "{out}");
}

/// The raw `list` output at a terminal, escape codes included.
fn list_at_a_terminal(env: &TestEnv, args: &[&str]) -> String {
    let (out, code) = env.pty(["list"].iter().chain(args)).finish_raw();
    assert_eq!(code, 0, "{out}");
    out
}

/// An env with one token in each status: active, revoked and expired.
fn three_statuses() -> TestEnv {
    let mut env = TestEnv::new();
    env.at("2026-01-01T00:00:00Z");
    env.generate("a", &[]);
    env.generate("r", &[]);
    env.generate("e", &["--expires", "1d"]);
    env.cmd(["revoke", "r"]).assert().success();
    env.at("2026-01-05T00:00:00Z");
    env
}

#[test]
fn list_colours_statuses_at_a_terminal() {
    let env = three_statuses();
    let out = list_at_a_terminal(&env, &[]);
    for (status, sgr) in [
        ("active", "\x1b[32m"),
        ("revoked", "\x1b[33m"),
        ("expired", "\x1b[31m"),
    ] {
        assert!(
            out.contains(&format!("{sgr}{status}")),
            "{status} in {out:?}"
        );
    }
}

#[test]
fn no_color_turns_colours_off() {
    let mut env = three_statuses();
    env.var("NO_COLOR", "1");
    let out = list_at_a_terminal(&env, &[]);
    assert!(out.contains("revoked"), "{out}");
    assert!(!out.contains('\x1b'), "{out:?}");
    assert!(!list_at_a_terminal(&env, &["--color", "never"]).contains('\x1b'));
}

#[test]
fn color_flag_beats_no_color_and_the_pipe() {
    let mut env = three_statuses();
    env.var("NO_COLOR", "1");
    assert!(list_at_a_terminal(&env, &["--color", "always"]).contains("\x1b["));
    env.cmd(["list", "--color", "always"])
        .assert()
        .stdout(predicate::str::contains("\x1b["));
}

#[test]
fn no_colours_in_a_pipe() {
    let env = three_statuses();
    env.cmd(["list"])
        .assert()
        .stdout(predicate::str::contains("active").and(predicate::str::contains("\x1b").not()));
    env.cmd(["list", "--color", "auto"])
        .assert()
        .stdout(predicate::str::contains("\x1b").not());
}
