//! Data safety 1: a real token typed into every flag and position of every command is
//! never printed, stored or named in a file, and a whole token as a REF means its token.

use std::path::Path;

use clap::CommandFactory;

use crate::util::{Backend, TestEnv};

/// One run of the binary with the token somewhere it does not belong.
struct Probe {
    args: Vec<String>,
    /// `TOKENCTL_DB` instead of the test's database.
    db_env: Option<String>,
    /// None: any exit code of the contract (the sweep cannot know which one is right).
    code: Option<i32>,
}

fn probe(args: &[&str], code: i32) -> Probe {
    Probe {
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        db_env: None,
        code: Some(code),
    }
}

/// The 32 random characters: a token is leaked wherever they appear.
fn secret_of(token: &str) -> &str {
    let tail = token.rsplit('_').next().expect("a token has a tail");
    &tail[..32]
}

/// Runs each probe with the token on stdin as well (verify reads it there; nothing else
/// may echo it) and returns one line per broken promise.
fn run_all(env: &TestEnv, token: &str, probes: &[Probe]) -> Vec<String> {
    let secret = secret_of(token);
    let mut broken = Vec::new();
    for p in probes {
        let mut cmd = env.std_cmd(&p.args);
        if let Some(db) = &p.db_env {
            cmd.env("TOKENCTL_DB", db);
        }
        let out = assert_cmd::Command::from_std(cmd)
            .write_stdin(format!("{token}\n"))
            .output()
            .expect("spawn tokenctl");
        let shown = p.args.join(" ").replace(token, "$TOKEN");
        let shown = match &p.db_env {
            Some(_) => format!("TOKENCTL_DB=$TOKEN {shown}"),
            None => shown,
        };
        for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            if String::from_utf8_lossy(bytes).contains(secret) {
                broken.push(format!("{shown}: the secret is on {stream}"));
            }
        }
        let code = out.status.code();
        let contract = [0, 1, 2, 10, 11, 12, 13, 14, 15, 20];
        match (p.code, code) {
            (Some(want), Some(got)) if want == got => {}
            (None, Some(got)) if contract.contains(&got) => {}
            (want, got) => broken.push(format!(
                "{shown}: exit {got:?}, expected {} ({})",
                want.map_or("a contract code".to_owned(), |w| w.to_string()),
                String::from_utf8_lossy(&out.stderr)
                    .replace(secret, "<SECRET>")
                    .trim()
            )),
        }
    }
    broken.extend(files_holding(env.root(), secret));
    broken
}

/// Every file under `dir` (the database, its -wal and -shm, anything a probe created)
/// whose name or content holds the secret.
fn files_holding(dir: &Path, secret: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).expect("read the test dir") {
            let path = entry.expect("read a dir entry").path();
            let shown = path.to_string_lossy().replace(secret, "<SECRET>");
            if shown.len() != path.to_string_lossy().len() {
                found.push(format!("a file is named after the secret: {shown}"));
            }
            if path.is_dir() {
                todo.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                if bytes.windows(secret.len()).any(|w| w == secret.as_bytes()) {
                    found.push(format!("the secret is stored in {shown}"));
                }
            }
        }
    }
    found
}

fn assert_none_broken(broken: &[String], probes: usize) {
    // Files are checked after every batch: the same finding comes back each time.
    let mut seen = std::collections::HashSet::new();
    let broken: Vec<&String> = broken.iter().filter(|b| seen.insert(*b)).collect();
    assert!(
        broken.is_empty(),
        "{} broken promises over {probes} probes:\n{}",
        broken.len(),
        broken
            .iter()
            .map(|b| b.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

both!(a_token_in_every_flag_and_position_is_never_printed_or_stored);
fn a_token_in_every_flag_and_position_is_never_printed_or_stored() {
    let env = TestEnv::new();
    let t = env.generate("victim", &["--scope", "deploy:run"]);
    env.generate("other", &[]);
    let glued = format!("x{t}y");
    let g = glued.as_str();
    let t = t.as_str();
    let db_arg = format!("--db={t}");
    let mut probes = vec![
        // Globals, and where clap itself answers.
        probe(&["--db", t, "list"], 2),
        probe(&[&db_arg, "generate", "--name", "via-db"], 2),
        probe(&["--db", t, "init"], 2),
        probe(&["--color", t, "list"], 2),
        probe(&[t], 2),
        probe(&["help", t], 2),
        probe(&["list", &format!("--{t}")], 2),
        probe(&["list", &format!("--sort={t}")], 2),
        Probe {
            args: vec!["list".to_owned()],
            db_env: Some(t.to_owned()),
            code: Some(2),
        },
        // init
        probe(&["init", t], 2),
        // --shared is about a file's group: a usage error on PostgreSQL.
        probe(
            &["init", "--shared", "--group", t],
            match env.backend() {
                Backend::Sqlite => 1,
                Backend::Postgres => 2,
            },
        ),
        // generate: every value, glued inside longer text too
        probe(&["generate", "--name", t], 2),
        probe(&["generate", "--name", g], 2),
        probe(&["generate", "-n", g], 2),
        probe(&["generate", "--name", "d", "--description", t], 2),
        probe(&["generate", "--name", "d", "--description", g], 2),
        probe(&["generate", "--name", "s", "--scope", t], 2),
        probe(
            &["generate", "--name", "s", "--scope", &format!("a:{t}")],
            2,
        ),
        probe(&["generate", "--name", "p", "--prefix", t], 2),
        probe(&["generate", "--name", "e", "--expires", t], 2),
        probe(&["generate", "--name", "e", "--expires-at", t], 2),
        probe(&["generate", "--name", "a", t], 2),
        // list
        probe(&["list", "--status", t], 2),
        probe(&["list", "--expiring-within", t], 2),
        probe(&["list", "--unused-since", t], 2),
        probe(&["list", "--sort", t], 2),
        probe(&["list", t], 2),
        // show and log: a whole token is its id; glued, it matches nothing
        probe(&["show", t], 0),
        probe(&["--json", "show", t], 0),
        probe(&["show", g], 1),
        probe(&["show", "other", t], 2),
        probe(&["log", t], 0),
        probe(&["log", g], 1),
        probe(&["log", "--since", t], 2),
        // verify: the token belongs on stdin, and only there
        probe(&["verify", t], 2),
        probe(&["verify", "--token-env", t], 2),
        probe(&["verify", &format!("--token-env={t}")], 2),
        probe(&["verify", "--scope", t], 2),
        probe(&["verify", "--source", t], 2),
        probe(&["verify", "--source", g], 2),
        probe(&["verify", "--no-record", "--source", g], 2),
        probe(&["verify", "-v", "--scope", "deploy:run"], 0),
        // the lifecycle, by the whole token (revoked right after these)
        probe(&["delete", "--yes", t], 1),
        probe(&["revoke", g], 1),
        // completions and man pages
        probe(&["completions", t], 2),
        probe(&["man", t], 2),
        probe(&["man", "--json", t], 2),
    ];
    let revoke = [probe(&["revoke", t], 0)];
    let after = [
        probe(&["--json", "revoke", t, "other"], 0),
        probe(&["restore", t], 0),
        probe(&["restore", g], 1),
        probe(&["revoke", t], 0),
        probe(&["delete", t], 2),
        probe(&["delete", "--yes", g], 1),
        probe(&["delete", "--yes", t], 0),
        // A deleted token's history, found by the whole token's id.
        probe(&["log", t], 0),
        probe(&["show", t], 1),
        probe(&["revoke", t], 1),
    ];
    let mut broken = run_all(&env, t, &probes);
    broken.extend(run_all(&env, t, &revoke));
    // `revoke "$TOKEN"` revoked that token, by its id, and no other.
    let verified = env.verify(t, &[]).get_output().status.code();
    let statuses = (
        env.show("victim")["status"].clone(),
        env.show("other")["status"].clone(),
    );
    if verified != Some(12) || statuses != ("revoked".into(), "active".into()) {
        broken.push(format!(
            "revoke $TOKEN did not revoke it: verify exits {verified:?}, statuses {statuses:?}"
        ));
    }
    broken.extend(run_all(&env, t, &after));
    probes.extend(revoke);
    probes.extend(after);
    assert_none_broken(&broken, probes.len());
    let names: Vec<String> = env
        .json(["list", "--json"])
        .as_array()
        .expect("list --json is an array")
        .iter()
        .map(|t| t["name"].to_string())
        .collect();
    assert_eq!(
        names,
        ["\"other\""],
        "a probe generated a token, or delete did not"
    );
}

both!(a_token_in_any_flag_the_command_line_has_is_never_printed_or_stored);
/// The sweep over the command tree itself: a flag or argument added later is probed too,
/// with the token as its value (and every required argument given), so nothing it prints
/// or stores can hold the secret.
fn a_token_in_any_flag_the_command_line_has_is_never_printed_or_stored() {
    let env = TestEnv::new();
    let t = env.generate("victim", &[]);
    env.generate("other", &[]);
    let mut root = tokenctl::cli::Cli::command();
    root.build();
    let mut probes = Vec::new();
    for sub in root.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = sub.get_name();
        // Enough for the command to get past clap to its own checks: its required
        // positionals, and a fresh name for generate, which refuses none without a terminal.
        let filler = |arg: &clap::Arg| {
            arg.get_possible_values()
                .first()
                .map_or("other".to_owned(), |v| v.get_name().to_owned())
        };
        let positionals: Vec<&clap::Arg> = sub.get_positionals().collect();
        let required = |skip: Option<&str>| {
            positionals
                .iter()
                .filter(|a| a.is_required_set() && Some(a.get_id().as_str()) != skip)
                .map(|a| filler(a))
                .collect::<Vec<_>>()
        };
        for (i, arg) in sub.get_arguments().enumerate() {
            let takes_value = arg.get_num_args().is_none_or(|n| n.takes_values());
            if !takes_value || arg.is_global_set() {
                continue;
            }
            let mut args = vec![name.to_owned()];
            if let Some(long) = arg.get_long() {
                if name == "generate" && long != "name" {
                    args.extend(["--name".to_owned(), format!("sweep-{i}")]);
                }
                args.extend(required(None));
                args.extend([format!("--{long}"), t.clone()]);
            } else if arg.is_positional() {
                // The token in this position, the other required ones filled.
                let skip = Some(arg.get_id().as_str());
                args.extend(required(skip));
                args.push(t.clone());
            } else {
                continue;
            }
            for json in [false, true] {
                let mut args = args.clone();
                if json {
                    args.insert(0, "--json".to_owned());
                }
                probes.push(Probe {
                    args,
                    db_env: None,
                    code: None,
                });
            }
        }
    }
    assert!(
        probes.len() >= 40,
        "the sweep found only {} probes",
        probes.len()
    );
    let broken = run_all(&env, &t, &probes);
    assert_none_broken(&broken, probes.len());
}

/// An older tokenctl let a token into a name, a description, a source or an event detail:
/// every view prints it redacted.
#[test]
fn a_token_stored_by_an_older_version_is_printed_redacted() {
    let env = TestEnv::new();
    let t = env.generate("victim", &[]);
    let id = t.split('_').nth(1).expect("a token has an id").to_owned();
    let glued = format!("x{t}y");
    let conn = env.conn();
    conn.execute(
        "UPDATE tokens SET name = ?1, description = ?1, last_used_source = ?1, last_used_at = created_at",
        [&glued],
    )
    .expect("plant the token");
    conn.execute(
        "INSERT INTO usage_sources (token_id, source, uses, last_used_at) VALUES (?1, ?2, 1, 0)",
        [&id, &glued],
    )
    .expect("plant a source");
    conn.execute(
        "UPDATE events SET token_name = ?1, detail = ?1, actor = ?1",
        [&glued],
    )
    .expect("plant an event");
    drop(conn);
    let secret = secret_of(&t);
    let hint = format!("xtkn_{id}_...y");
    for args in [
        &["list"][..],
        &["--json", "list"],
        &["show", &id],
        &["--json", "show", &id],
        &["log"],
        &["--json", "log"],
        &["revoke", &id],
        &["--json", "restore", &id],
    ] {
        let out = env.run(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !text.contains(secret),
            "{args:?} printed the secret:\n{text}"
        );
        assert!(
            text.contains(&hint),
            "{args:?} did not show {hint}:\n{text}"
        );
    }
}

both!(a_token_typed_as_the_name_at_the_prompt_is_refused);
/// The name typed at generate's prompt is stored like `--name`: one holding a token is
/// refused there and asked for again.
fn a_token_typed_as_the_name_at_the_prompt_is_refused() {
    let env = TestEnv::new();
    let t = env.generate("victim", &[]);
    let mut pty = env.pty(["generate", "--no-expiry"]);
    pty.expect("Token name");
    pty.line(&format!("x{t}y"));
    pty.expect("holds a token secret");
    pty.line("second-try");
    pty.no_scopes();
    let (out, code) = pty.finish();
    assert_eq!(code, 0, "{out}");
    assert_eq!(env.show("second-try")["name"], "second-try");
    assert_none_broken(&files_holding(env.root(), secret_of(&t)), 1);
}
