//! Untrusted text is shown escaped (tables, show, log, errors) and carried intact in JSON;
//! the secret is in no file and in no output but generate's stdout.

use std::path::Path;

use crate::util::TestEnv;

/// Clears the screen, sets the window title, rings the bell, hides text with a carriage
/// return and reverses what follows: everything a hostile name could try on a terminal.
const HOSTILE: &str = "evil\x1b[2J\x1b]0;pwned\x07\rok\u{202e}gpj.exe\u{200b}\u{9b}31m\x7f";

/// The raw characters that must never reach a terminal from data.
fn assert_inert(output: &[u8], what: &str) {
    let text = String::from_utf8_lossy(output);
    for c in text.chars() {
        let bad = (c.is_control() && c != '\n')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200b}');
        assert!(!bad, "{what}: raw {c:?} in {text:?}");
    }
}

fn hostile_env() -> (TestEnv, String, String) {
    let mut env = TestEnv::new();
    env.var("NO_COLOR", "1");
    let description = format!("desc {HOSTILE}");
    let token = env.generate(
        "hostile",
        &["--description", &description, "--scope", "a:b"],
    );
    let id = token[4..14].to_owned();
    // Names and scopes are validated by generate and sources are labels: put hostile ones
    // in directly, as another tool or an older version might have.
    let conn = env.conn();
    conn.execute("UPDATE tokens SET name = ?1 WHERE id = ?2", [HOSTILE, &id])
        .unwrap();
    conn.execute(
        "UPDATE events SET token_name = ?1 WHERE token_id = ?2",
        [HOSTILE, &id],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO token_scopes (token_id, scope) VALUES (?1, ?2)",
        [&id, &format!("scope{HOSTILE}")],
    )
    .unwrap();
    drop(conn);
    env.verify(&token, &["--source", &format!("host{HOSTILE}")])
        .code(0);
    (env, token, id)
}

#[test]
fn hostile_text_is_escaped_in_every_human_view() {
    let (env, token, id) = hostile_env();
    let name_ref = HOSTILE.to_owned();
    let views: Vec<Vec<&str>> = vec![
        vec!["list"],
        vec!["list", "--status", "active"],
        vec!["show", &id],
        vec!["show", &name_ref],
        vec!["log"],
        vec!["log", &id],
    ];
    for args in &views {
        let out = env.run(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
        assert_inert(&out.stdout, &format!("{args:?} stdout"));
        assert_inert(&out.stderr, &format!("{args:?} stderr"));
        let shown = String::from_utf8_lossy(&out.stdout);
        if args[0] != "log" || args.len() > 1 {
            assert!(
                shown.contains("evil\\x1b[2J"),
                "{args:?}: escaped name missing: {shown}"
            );
        }
    }
    let show = String::from_utf8(env.run(["show", &id]).stdout).unwrap();
    assert!(show.contains("scope"), "{show}");
    assert!(show.contains("\\u{202e}"), "{show}");

    // Errors and verify's explanations quote names and references too.
    let conn = env.conn();
    conn.execute("UPDATE tokens SET revoked_at = 1", [])
        .unwrap();
    drop(conn);
    let denied = env.verify(&token, &[]).code(12).get_output().clone();
    assert_inert(&denied.stderr, "verify denial");
    assert!(String::from_utf8_lossy(&denied.stderr).contains("evil\\x1b"));
    let bad_ref = format!("nothing{HOSTILE}");
    for (args, code) in [
        (vec!["show", bad_ref.as_str()], 1),
        (vec!["revoke", bad_ref.as_str()], 1),
        (vec!["delete", bad_ref.as_str(), "--yes"], 1),
        // A name with control characters is refused before it is looked up.
        (vec!["generate", "--name", HOSTILE], 2),
    ] {
        let out = env.run(&args);
        assert_eq!(out.status.code(), Some(code), "{args:?}");
        assert_inert(&out.stderr, &format!("{args:?} error"));
        assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
    }
}

#[test]
fn hostile_text_round_trips_through_json() {
    let (env, token, id) = hostile_env();
    for args in [
        vec!["list", "--json"],
        vec!["show", id.as_str(), "--json"],
        vec!["log", "--json"],
    ] {
        let out = env.run(&args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        // serde_json escapes every C0 control; a raw one would break line-based readers.
        assert!(
            !out.stdout.iter().any(|&b| b < 0x20 && b != b'\n'),
            "{args:?}: raw control byte in JSON"
        );
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let text = doc.to_string();
        assert!(
            text.contains(&serde_json::to_string(HOSTILE).unwrap()[1..20]),
            "{args:?}"
        );
    }
    let list = env.json(["list", "--json"]);
    assert_eq!(list[0]["name"], HOSTILE);
    let scopes: Vec<&str> = list[0]["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(
        scopes.contains(&format!("scope{HOSTILE}").as_str()),
        "{scopes:?}"
    );
    let out = env
        .cmd(["verify", "--json"])
        .write_stdin(format!("{token}\n"))
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["token"]["name"], HOSTILE);
}

/// Every file under `dir`, recursively.
fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn the_secret_is_in_no_file_and_no_other_output() {
    let env = TestEnv::new();
    let generated = env
        .cmd(["generate", "--name", "t", "--scope", "a:b"])
        .output()
        .unwrap();
    assert_eq!(generated.status.code(), Some(0));
    let token = String::from_utf8(generated.stdout.clone()).unwrap();
    let token = token.trim();
    let body = &token[15..47];
    assert_eq!(body.len(), 32);
    let needles: [&[u8]; 2] = [token.as_bytes(), body.as_bytes()];
    assert!(
        !contains(&generated.stderr, body.as_bytes()),
        "generate's stderr"
    );

    let line = format!("{token}\n");
    let mut outputs = Vec::new();
    for (args, stdin) in [
        (vec!["verify"], line.as_str()),
        (vec!["verify", "-v", "--json"], &line),
        (vec!["verify", "--scope", "x:y"], &line),
        (vec!["verify", "--no-record"], &line),
        (vec!["list"], ""),
        (vec!["list", "--json"], ""),
        (vec!["show", "t"], ""),
        (vec!["show", "t", "--json"], ""),
        (vec!["log"], ""),
        (vec!["revoke", "t"], ""),
        (vec!["verify"], &line),
        (vec!["restore", "t"], ""),
        (vec!["verify", "--json"], &line),
    ] {
        let out = env.cmd(&args).write_stdin(stdin).output().unwrap();
        outputs.push((args, out));
    }
    // The secret as an argument is refused without echoing it.
    outputs.push((
        vec!["verify TOKEN"],
        env.cmd(["verify", token]).output().unwrap(),
    ));
    for (args, out) in &outputs {
        for needle in needles {
            assert!(
                !contains(&out.stdout, needle),
                "{args:?} stdout has the secret"
            );
            assert!(
                !contains(&out.stderr, needle),
                "{args:?} stderr has the secret"
            );
        }
    }
    let mut all = Vec::new();
    files(env.root(), &mut all);
    assert!(all.iter().any(|p| p.ends_with("tokens.db")), "{all:?}");
    for path in &all {
        let bytes = std::fs::read(path).unwrap();
        for needle in needles {
            assert!(
                !contains(&bytes, needle),
                "{} holds the secret",
                path.display()
            );
        }
    }
    eprintln!("safety: searched {} files: {all:?}", all.len());
}

#[test]
fn a_database_path_with_escape_sequences_is_printed_escaped() {
    let env = TestEnv::new();
    let path = env.root().join("\u{1b}]0;pwned\u{7}\u{1b}[31mred.db");
    let out = env.cmd(["init", "--db"]).arg(&path).output().unwrap();
    assert!(out.status.success());
    assert!(
        !out.stderr.contains(&0x1b),
        "{:?}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("\\x1b]0;pwned"));
}
