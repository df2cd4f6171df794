//! What a new user trips over (issue 9): errors that name the exact remedy, aliases,
//! names and scopes that cannot look alike, and what `-v`, `--json`, `show` and `log` say.

use predicates::prelude::*;

use crate::util::TestEnv;

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_missing_database_names_the_exact_init_command() {
    let env = TestEnv::new();
    let db = env.root().join("none.db");
    let db = db.to_str().unwrap();
    env.cmd(["--db", db, "list"])
        .assert()
        .code(1)
        .stderr(predicate::str::ends_with(format!(
            "create it with: tokenctl init --db {db}\n"
        )));
    // A path with a space is quoted, so the command can be pasted as it is.
    let spaced = env.root().join("my tokens.db");
    env.cmd(["list"])
        .env("TOKENCTL_DB", &spaced)
        .assert()
        .code(1)
        .stderr(predicate::str::ends_with(format!(
            "create it with: tokenctl init --db '{}'\n",
            spaced.display()
        )));
}

#[test]
fn the_first_generate_says_where_it_created_the_database() {
    let env = TestEnv::new();
    let first = env.run(["generate", "--name", "a"]);
    assert!(first.status.success());
    let said = format!("created database {}", env.db().display());
    assert_eq!(
        stderr_of(&first).matches(&said).count(),
        1,
        "{}",
        stderr_of(&first)
    );
    let second = env.run(["generate", "--name", "b"]);
    assert!(!stderr_of(&second).contains("created database"));
}

both!(create_new_and_rm_are_aliases);
fn create_new_and_rm_are_aliases() {
    let env = TestEnv::new();
    env.cmd(["create", "--name", "a"]).assert().success();
    env.cmd(["new", "--name", "b"]).assert().success();
    env.cmd(["revoke", "a"]).assert().success();
    env.cmd(["rm", "--yes", "a"]).assert().success();
    env.cmd(["show", "a"]).assert().code(1);
    env.cmd(["--help"])
        .assert()
        .stdout(predicate::str::contains("create, new").and(predicate::str::contains("rm")));
}

both!(an_empty_tokenctl_db_is_named);
fn an_empty_tokenctl_db_is_named() {
    let env = TestEnv::new();
    env.cmd(["list"])
        .env("TOKENCTL_DB", "")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("TOKENCTL_DB is set but empty"));
}

both!(an_unset_or_empty_token_variable_is_a_usage_error_naming_it);
fn an_unset_or_empty_token_variable_is_a_usage_error_naming_it() {
    let env = TestEnv::new();
    env.generate("t", &[]);
    env.cmd(["verify", "--token-env", "NOPE"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("variable NOPE is not set"));
    env.cmd(["verify", "--token-env", "NOPE"])
        .env("NOPE", "")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("variable NOPE is empty"));
    assert_eq!(env.show("t")["failed_count"], 0);
}

both!(verify_json_names_the_missing_scopes);
fn verify_json_names_the_missing_scopes() {
    let env = TestEnv::new();
    let token = env.generate("t", &["--scope", "a:b"]);
    let out = env
        .verify(&token, &["--json", "-s", "a:b", "-s", "c:d", "-s", "e:f"])
        .code(13)
        .get_output()
        .stdout
        .clone();
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(doc["missing_scopes"], serde_json::json!(["c:d", "e:f"]));
    let out = env
        .verify(&token, &["--json"])
        .code(0)
        .get_output()
        .stdout
        .clone();
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(doc["missing_scopes"], serde_json::json!([]));
}

both!(verbose_success_says_what_was_checked);
fn verbose_success_says_what_was_checked() {
    let mut env = TestEnv::new();
    env.at("2026-01-01T00:00:00Z");
    let token = env.generate(
        "t",
        &["--scope", "a:b", "--scope", "c:d", "--expires", "3mo"],
    );
    env.verify(&token, &["-v", "-s", "a:b", "-s", "c:d"])
        .code(0)
        .stderr(predicate::str::contains("valid: 't' ("))
        .stderr(predicate::str::contains(
            "active, has a:b, c:d, expires in 3mo",
        ));
    env.verify(&token, &["-v"])
        .code(0)
        .stderr(predicate::str::contains("no scope asked"));
}

both!(show_of_a_deleted_token_points_at_its_log);
fn show_of_a_deleted_token_points_at_its_log() {
    let env = TestEnv::new();
    env.generate("gone", &[]);
    let id = env.show("gone")["id"].as_str().unwrap().to_owned();
    env.cmd(["revoke", "gone"]).assert().success();
    env.cmd(["delete", "--yes", "gone"]).assert().success();
    env.cmd(["show", "gone"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "was deleted: its history is in 'tokenctl log {id}'"
        )));
    env.cmd(["log", &id])
        .assert()
        .success()
        .stdout(predicate::str::contains("deleted"));
}

both!(expiring_within_and_status_compose);
fn expiring_within_and_status_compose() {
    let mut env = TestEnv::new();
    env.at("2026-01-01T00:00:00Z");
    env.generate("soon", &["--expires", "3d"]);
    env.generate("later", &["--expires", "1y"]);
    env.cmd(["revoke", "soon"]).assert().success();
    let names = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["list", "--json"];
        all.extend_from_slice(args);
        env.json(all)
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        names(&["--expiring-within", "7d", "--status", "revoked"]),
        ["soon"]
    );
    assert!(names(&["--expiring-within", "7d", "--status", "active"]).is_empty());
}

both!(log_of_an_empty_database_says_there_are_no_events_yet);
fn log_of_an_empty_database_says_there_are_no_events_yet() {
    let env = TestEnv::new();
    env.cmd(["init"]).assert().success();
    env.cmd(["log"])
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains("no events yet"));
    env.cmd(["log", "--since", "7d"])
        .assert()
        .success()
        .stderr(predicate::str::contains("no events in this range"));
}

both!(names_with_control_characters_or_spaces_around_them_are_refused);
fn names_with_control_characters_or_spaces_around_them_are_refused() {
    let env = TestEnv::new();
    env.cmd(["generate", "--name", " padded "])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean 'padded'?"));
    for name in ["a\tb", "a\nb", "a\u{1b}[31mb"] {
        env.cmd(["generate", "--name", name])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("control character"));
    }
    assert!(!env.exists(), "nothing was created");
}

both!(a_name_typed_at_the_prompt_is_trimmed);
fn a_name_typed_at_the_prompt_is_trimmed() {
    let env = TestEnv::new();
    let mut pty = env.pty(["generate", "--no-expiry"]);
    pty.expect("Token name");
    pty.line("  spaced  ");
    pty.expect("Scopes");
    pty.send(crate::pty::ENTER);
    let (out, code) = pty.finish();
    assert_eq!(code, 0, "{out}");
    assert_eq!(env.show("spaced")["name"], "spaced");
}

both!(scopes_are_lowercase_with_a_hint);
fn scopes_are_lowercase_with_a_hint() {
    let env = TestEnv::new();
    env.cmd(["generate", "--name", "t", "--scope", "Deploy:Run"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("write 'deploy:run'"));
    let token = env.generate("t", &["--scope", "deploy:run"]);
    env.verify(&token, &["--scope", "Deploy:Run"])
        .code(2)
        .stderr(predicate::str::contains("lowercase"));
    env.cmd(["generate", "--help"])
        .assert()
        .stdout(predicate::str::contains("lowercase resource:action"));
}

both!(comma_separated_scopes_are_several);
fn comma_separated_scopes_are_several() {
    let env = TestEnv::new();
    let token = env.generate("t", &["--scope", "a:b,c:d", "-s", "e:f"]);
    assert_eq!(
        env.show("t")["scopes"],
        serde_json::json!(["a:b", "c:d", "e:f"])
    );
    env.verify(&token, &["--scope", "a:b,e:f"]).code(0);
    env.verify(&token, &["--scope", "a:b,x:y"]).code(13);
}

/// `sh -c SCRIPT` with the env's variables and `$TOKENCTL` naming the binary (no terminal).
fn sh(env: &TestEnv, script: &str) -> std::process::Output {
    let base = env.std_cmd(std::iter::empty::<&str>());
    let mut cmd = std::process::Command::new("sh");
    cmd.env_clear().current_dir(env.root());
    for (key, value) in base.get_envs() {
        if let Some(value) = value {
            cmd.env(key, value);
        }
    }
    cmd.env("TOKENCTL", env!("CARGO_BIN_EXE_tokenctl"));
    cmd.arg("-c").arg(script).output().expect("run sh")
}

both!(list_fits_every_width_from_40_columns_and_never_splits_a_word);
fn list_fits_every_width_from_40_columns_and_never_splits_a_word() {
    let env = crate::views::fixture();
    env.generate(
        "nightly-backup-of-the-production-database",
        &[
            "--scope",
            "database:backup,storage:write",
            "--expires",
            "1y",
        ],
    );
    let words = [
        "unikernel",
        "create",
        "upload",
        "volume",
        "production",
        "database",
        "backup",
        "storage",
        "nightly",
        "laptop",
    ];
    for cols in (40..=200).step_by(3).chain([40, 41, 50, 60, 80]) {
        let c = cols.to_string();
        let (raw, code) = crate::views::pty_raw(
            &env,
            &["list"],
            &[
                ("COLUMNS", &c),
                ("NO_COLOR", "1"),
                ("PAGER", "cat"),
                ("LINES", "1000"),
            ],
        );
        assert_eq!(code, 0, "{raw}");
        let text = console::strip_ansi_codes(&raw).into_owned();
        for line in text.lines() {
            assert!(
                line.chars().count() <= cols,
                "{cols} columns: {line:?}\n{text}"
            );
            for piece in line.split(|c: char| !c.is_ascii_alphanumeric()) {
                if piece.len() < 4 {
                    continue;
                }
                assert!(
                    !words.iter().any(|w| w.starts_with(piece) && *w != piece)
                        && !words
                            .iter()
                            .any(|w| w.ends_with(piece) && *w != piece && !piece.contains(w)),
                    "{cols} columns: {piece:?} is part of a word: {line:?}\n{text}"
                );
            }
        }
        for word in ["github-ci", "old-laptop"] {
            assert!(
                text.contains(word) || text.contains(&word.replace('-', "-\n")),
                "{cols}: {word}\n{text}"
            );
        }
        assert!(text.contains("warning:"), "{text}");
    }
}

fn many_tokens(n: usize) -> TestEnv {
    let env = TestEnv::new();
    for i in 0..n {
        env.generate(&format!("t{i:02}"), &[]);
    }
    env
}

both!(a_table_taller_than_the_terminal_goes_through_the_pager);
fn a_table_taller_than_the_terminal_goes_through_the_pager() {
    let env = many_tokens(12);
    let paged = env.root().join("paged.txt");
    let script = |extra: &str| {
        format!(
            "stty rows 10; PAGER='cat > {}' \"$TOKENCTL\" list {extra}; echo done",
            paged.display()
        )
    };
    let mut pty = env.pty_sh(100, &script(""));
    pty.expect("done");
    let text = std::fs::read_to_string(&paged).expect("the pager got the table");
    assert!(
        text.contains("NAME") && text.contains("t00") && text.contains("t11"),
        "{text}"
    );
    let (out, _) = pty.finish();
    assert!(
        !out.contains("t05"),
        "the table went to the pager, not the terminal: {out}"
    );
    assert!(
        out.contains("12 tokens"),
        "the footer stays on the terminal: {out}"
    );

    std::fs::remove_file(&paged).unwrap();
    let mut pty = env.pty_sh(100, &script("--no-pager"));
    pty.expect("done");
    assert!(!paged.exists(), "--no-pager");
    assert!(pty.finish().0.contains("t05"));

    // Short enough, or piped: no pager.
    let mut pty = env.pty_sh(100, &script("--limit 3"));
    pty.expect("done");
    assert!(!paged.exists(), "fits the terminal");
    let piped = sh(
        &env,
        &format!("PAGER='cat > {}' \"$TOKENCTL\" list | cat", paged.display()),
    );
    assert!(String::from_utf8_lossy(&piped.stdout).contains("t05"));
    assert!(!paged.exists(), "piped");
}

both!(limit_no_headers_and_quiet);
fn limit_no_headers_and_quiet() {
    let env = many_tokens(5);
    let out = env
        .cmd(["list", "--limit", "2", "--sort", "name"])
        .assert()
        .success()
        .get_output()
        .clone();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 3, "{stdout}");
    assert!(stdout.contains("t00") && stdout.contains("t01") && !stdout.contains("t02"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the first 2 listed (--limit)"));
    assert_eq!(
        env.json(["list", "--json", "--limit", "1"])
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let out = env
        .cmd(["list", "--no-headers", "--sort", "name"])
        .assert()
        .success()
        .get_output()
        .clone();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with("tkn_"), "{stdout}");
    assert_eq!(stdout.lines().count(), 5);

    let ids: Vec<String> = env
        .json(["list", "--json", "--sort", "name"])
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect();
    env.cmd(["list", "-q", "--sort", "name"])
        .assert()
        .success()
        .stdout(format!("{}\n", ids.join("\n")))
        .stderr("");
    env.cmd(["list", "-q", "--json"]).assert().code(2);
}

both!(quiet_list_feeds_xargs_delete);
fn quiet_list_feeds_xargs_delete() {
    let env = many_tokens(3);
    env.cmd(["revoke", "t00", "t02"]).assert().success();
    let out = sh(
        &env,
        r#""$TOKENCTL" list -q --status revoked | xargs "$TOKENCTL" delete --yes"#,
    );
    assert!(out.status.success(), "{out:?}");
    let left: Vec<String> = env
        .json(["list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(left, ["t01"]);
}

#[test]
fn list_help_states_the_sort_direction() {
    let env = TestEnv::new();
    env.cmd(["list", "--help"]).assert().success().stdout(
        predicate::str::contains("newest first").and(predicate::str::contains("soonest first")),
    );
}

/// The directory of the binary, so completion scripts find `tokenctl` on PATH.
fn bin_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_BIN_EXE_tokenctl"))
        .parent()
        .unwrap()
        .to_owned()
}

fn on_path(program: &str) -> bool {
    std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {program}"))
        .output()
        .is_ok_and(|o| o.status.success())
}

/// An env with two tokens and the `shell`'s completion script written to a file.
fn completion_env(shell: &str) -> (TestEnv, std::path::PathBuf) {
    let mut env = TestEnv::new();
    env.generate("github-ci", &[]);
    env.generate("gitlab-runner", &[]);
    let path = std::env::join_paths(
        std::iter::once(bin_dir()).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    env.var("PATH", path.to_str().unwrap());
    let script = env
        .cmd(["completions", shell])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let file = env.root().join(format!("completion.{shell}"));
    std::fs::write(&file, script).unwrap();
    (env, file)
}

both!(bash_completes_token_names_and_ids_from_the_database);
fn bash_completes_token_names_and_ids_from_the_database() {
    if !on_path("bash") {
        return crate::util::skip("bash is not installed");
    }
    let (env, file) = completion_env("bash");
    let id = env.show("github-ci")["id"].as_str().unwrap().to_owned();
    let complete = |line: &[&str]| -> Vec<String> {
        let words = line
            .iter()
            .map(|w| format!("'{w}'"))
            .collect::<Vec<_>>()
            .join(" ");
        let script = format!(
            r#"source '{}' && COMP_WORDS=({words}) && COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)) && _tokenctl_with_refs tokenctl && printf '%s\n' "${{COMPREPLY[@]}}""#,
            file.display()
        );
        let out = env.cmd(["--version"]).get_program().to_owned();
        let _ = out;
        let run = sh(&env, &format!("bash --norc -c {}", shell_quote(&script)));
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        String::from_utf8_lossy(&run.stdout)
            .lines()
            .map(str::to_owned)
            .collect()
    };
    for command in ["revoke", "show", "delete", "rm", "restore", "log"] {
        let got = complete(&["tokenctl", command, ""]);
        assert!(
            got.contains(&"github-ci".to_owned()) && got.contains(&id),
            "{command}: {got:?}"
        );
    }
    assert_eq!(
        complete(&["tokenctl", "revoke", "github-ci", "gitl"]),
        ["gitlab-runner"]
    );
    assert_eq!(
        complete(&["tokenctl", "--color", "never", "show", "gith"]),
        ["github-ci"]
    );
    // Flags and other commands are still clap's.
    assert!(complete(&["tokenctl", "revoke", "--"]).contains(&"--help".to_owned()));
    assert!(complete(&["tokenctl", "gen"]).contains(&"generate".to_owned()));
    // man completes the commands that have a page.
    assert_eq!(complete(&["tokenctl", "man", "ver"]), ["verify"]);
    // --expires offers the validity presets.
    assert!(complete(&["tokenctl", "generate", "--expires", ""]).contains(&"1y".to_owned()));
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

both!(fish_completes_token_names_from_the_database);
fn fish_completes_token_names_from_the_database() {
    if !on_path("fish") {
        return crate::util::skip("fish is not installed");
    }
    let (env, file) = completion_env("fish");
    let run = sh(
        &env,
        &format!(
            "fish --no-config -c {}",
            shell_quote(&format!(
                "source '{}'; complete -C 'tokenctl revoke git'",
                file.display()
            ))
        ),
    );
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let got: Vec<&str> = out.lines().map(|l| l.split('\t').next().unwrap()).collect();
    assert!(
        got.contains(&"github-ci") && got.contains(&"gitlab-runner"),
        "{out}"
    );
    let run = sh(
        &env,
        &format!(
            "fish --no-config -c {}",
            shell_quote(&format!(
                "source '{}'; complete -C 'tokenctl man ver'",
                file.display()
            ))
        ),
    );
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(out.lines().any(|l| l.starts_with("verify")), "{out}");
    let run = sh(
        &env,
        &format!(
            "fish --no-config -c {}",
            shell_quote(&format!(
                "source '{}'; complete -C 'tokenctl generate --expires '",
                file.display()
            ))
        ),
    );
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(out.lines().any(|l| l.starts_with("1y")), "{out}");
}

both!(zsh_completes_token_names_from_the_database);
fn zsh_completes_token_names_from_the_database() {
    if !on_path("zsh") {
        return crate::util::skip("zsh is not installed");
    }
    let (env, file) = completion_env("zsh");
    // A real interactive zsh in a terminal: completion runs only inside the line editor.
    let zdotdir = env.root().join("zdotdir");
    std::fs::create_dir(&zdotdir).unwrap();
    std::fs::write(
        zdotdir.join(".zshrc"),
        format!(
            "autoload -Uz compinit\ncompinit -u -D\nsource '{}'\nPS1='ready> '\n",
            file.display()
        ),
    )
    .unwrap();
    let mut pty = env.pty_sh(100, &format!("ZDOTDIR='{}' exec zsh -i", zdotdir.display()));
    pty.expect("ready> ");
    // The line editor redraws the line with the word completed.
    pty.send("tokenctl show githu\t");
    pty.expect("tokenctl show github-ci");
    // Ctrl-U clears the line; the shell exits without running it.
    pty.send(&format!("\x15exit{}", crate::pty::ENTER));
    let (out, code) = pty.finish();
    assert_eq!(code, 0, "{out}");
}

#[test]
fn completions_and_man_refuse_json() {
    let env = TestEnv::new();
    for args in [
        &["completions", "bash", "--json"][..],
        &["man", "--json"],
        &["--json", "man", "list"],
    ] {
        env.cmd(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains("not JSON"));
    }
}

#[test]
fn help_puts_the_global_options_apart_and_verify_lists_its_exit_codes() {
    let env = TestEnv::new();
    let out = env
        .cmd(["generate", "--help"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let help = String::from_utf8(out).unwrap();
    let global = help.find("Global options:").expect(&help);
    assert!(
        help.find("--db").unwrap() > global && help.find("--json").unwrap() > global,
        "{help}"
    );
    assert!(help.find("--name").unwrap() < global, "{help}");

    let out = env
        .cmd(["verify", "--help"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let help = String::from_utf8(out).unwrap();
    for code in ["10", "11", "12", "13"] {
        assert!(
            help.lines()
                .any(|l| l.trim_start().starts_with(&format!("{code} "))),
            "{code}: {help}"
        );
    }
    // Exit codes wrap with a hanging indent, under 80 columns.
    let out = env
        .cmd(["--help"])
        .env("COLUMNS", "200")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let help = String::from_utf8(out).unwrap();
    let codes = &help[help.find("Exit codes:").unwrap()..];
    for line in codes.lines().skip(1) {
        assert!(line.chars().count() < 80, "{line:?}");
        assert!(
            line.starts_with("  ")
                && (line.trim_start().starts_with(|c: char| c.is_ascii_digit())
                    || line.starts_with("       ")),
            "{line:?}"
        );
    }
}

both!(with_tokenctl_db_set_usage_lines_do_not_show_db);
fn with_tokenctl_db_set_usage_lines_do_not_show_db() {
    let env = TestEnv::new();
    env.cmd(["show"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("Usage: tokenctl show <REF>"))
        .stderr(predicate::str::contains("--db").not());
}

#[test]
fn man_pages_have_environment_files_exit_status_and_examples() {
    let env = TestEnv::new();
    for args in [&["man"][..], &["man", "verify"], &["man", "list"]] {
        let out = env.cmd(args).assert().success().get_output().stdout.clone();
        let page = String::from_utf8(out).unwrap();
        for section in [
            ".SH ENVIRONMENT",
            ".SH FILES",
            ".SH \"EXIT STATUS\"",
            ".SH EXAMPLES",
        ] {
            assert!(page.contains(section), "{args:?}: {section}");
        }
        for var in ["TOKENCTL_DB", "XDG_DATA_HOME", "NO_COLOR", "PAGER"] {
            assert!(page.contains(&format!("\\fB{var}\\fR")), "{args:?}: {var}");
        }
    }
    let out = env
        .cmd(["man"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(out).unwrap().contains(".SH REFERENCES"));
}

#[test]
fn the_verify_notes_are_filled_not_hard_wrapped() {
    let env = TestEnv::new();
    let out = env
        .cmd(["man", "verify"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let page = String::from_utf8(out).unwrap();
    let notes = &page[page.find(".SH NOTES").unwrap()..];
    let prose = notes.find("named by").unwrap();
    let verbatim = notes.find(".nf").unwrap();
    assert!(prose < verbatim, "the prose is in a no-fill block: {notes}");
    if !on_path("man") {
        return crate::util::skip("man is not installed to render the page");
    }
    let file = env.root().join("tokenctl-verify.1");
    std::fs::write(&file, &page).unwrap();
    let out = std::process::Command::new("man")
        .arg("-l")
        .arg(&file)
        .env("MANWIDTH", "80")
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    for line in shown.lines() {
        assert!(line.chars().count() <= 80, "{line:?}");
    }
    assert!(!shown.contains("named by -\n"), "{shown}");
}

both!(list_gives_up_the_id_decoration_before_wrapping_names);
fn list_gives_up_the_id_decoration_before_wrapping_names() {
    let env = crate::views::fixture();
    // At 100 columns each token fits on one line once the ids are bare (and CREATED gone).
    let (raw, code) = crate::views::pty_raw(
        &env,
        &["list"],
        &[("COLUMNS", "100"), ("NO_COLOR", "1"), ("PAGER", "cat")],
    );
    assert_eq!(code, 0, "{raw}");
    let table: Vec<&str> = raw.lines().take_while(|l| !l.contains("tokens")).collect();
    assert_eq!(table.len(), 2 + 4, "one line per token: {raw}");
    assert!(!raw.contains("_..."), "{raw}");
}

/// Where the words live: the lifecycle commands word nothing themselves and define no
/// JSON shape; render/messages.rs and render/json.rs do.
#[test]
fn lifecycle_commands_leave_their_words_and_shapes_to_render() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/commands");
    for file in ["generate.rs", "delete.rs", "list.rs", "lifecycle.rs"] {
        let code = std::fs::read_to_string(root.join(file)).unwrap();
        for built_here in [
            "#[derive(Serialize)]",
            "render::note(&format!(",
            "render::note(\"",
        ] {
            assert!(!code.contains(built_here), "{file} has {built_here}");
        }
    }
    assert!(
        std::fs::read_to_string(root.join("../policy.rs"))
            .unwrap()
            .contains("EXPIRY_WARNING_DAYS")
    );
}
