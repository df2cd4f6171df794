//! `scan`: real files, stdin and a real git repository made here, every output format and
//! exit code, --revoke, the real pre-commit tool; and never a secret in any output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use tokenctl::token::{Prefix, TokenId, assemble};

use crate::util::{TestEnv, skip};

/// Runs git in `dir` with a fixed identity and no user or system configuration.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@t.invalid"])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn write(path: impl AsRef<Path>, content: impl AsRef<[u8]>) {
    let path = path.as_ref();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

/// `prefix_id_...`, as every output shows a token.
fn hint(token: &str) -> String {
    let mut parts = token.split('_');
    format!("{}_{}_...", parts.next().unwrap(), parts.next().unwrap())
}

/// Fails if any output holds the secret part of any of `tokens`.
fn no_secret(out: &Output, tokens: &[&str]) {
    for token in tokens {
        let secret = &token[token.len() - 38..];
        for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            assert!(
                !String::from_utf8_lossy(bytes).contains(secret),
                "{stream} holds a secret:\n{}",
                String::from_utf8_lossy(bytes)
            );
        }
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A well-formed token with a valid check that no test database issued.
fn foreign() -> String {
    let id = TokenId::parse("zz99yy88xx").unwrap();
    assemble(&Prefix::default(), &id, "Zb3kQ9xLmN2pR7sT1vW4yA6cE8gJ0hK5")
        .expose()
        .to_owned()
}

/// `token` with one character of its secret changed: the check no longer matches.
fn look_alike(token: &str) -> String {
    let mut bytes = token.as_bytes().to_vec();
    let at = token.len() - 10;
    bytes[at] = if bytes[at] == b'a' { b'b' } else { b'a' };
    String::from_utf8(bytes).unwrap()
}

both!(folders_honour_gitignore_skip_binary_files_and_see_glued_tokens);
fn folders_honour_gitignore_skip_binary_files_and_see_glued_tokens() {
    let env = TestEnv::new();
    let live = env.generate("ci", &[]);
    let old = env.generate("old", &[]);
    env.cmd(["revoke", "old"]).assert().success();
    let repo = env.root().join("repo");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    write(repo.join(".gitignore"), "out/\n");
    write(repo.join("out/build.log"), format!("{live}\n"));
    write(repo.join(".env"), format!("{old}\n"));
    write(
        repo.join("config/app.env"),
        format!("# app\nAPI_KEY={live}\n"),
    );
    write(
        repo.join("glued.txt"),
        format!("my{live}\n\"{live}\"\nkey={live}\nhttps://x.invalid/?token%3D{live}&a=1\n"),
    );
    write(
        repo.join("lookalike.txt"),
        format!("{}\n", look_alike(&live)),
    );
    let mut binary = b"\x7fELF\0\0\0".to_vec();
    binary.extend_from_slice(live.as_bytes());
    write(repo.join("data.bin"), binary);

    let out = env.run(["scan", "repo"]);
    let (l, o) = (hint(&live), hint(&old));
    assert_eq!(
        text(&out.stdout),
        format!(
            "repo/.env:1:1: {o} revoked 'old'\n\
             repo/config/app.env:2:9: {l} active 'ci'\n\
             repo/glued.txt:1:3: {l} active 'ci'\n\
             repo/glued.txt:2:2: {l} active 'ci'\n\
             repo/glued.txt:3:5: {l} active 'ci'\n\
             repo/glued.txt:4:28: {l} active 'ci'\n"
        )
    );
    assert_eq!(out.status.code(), Some(20));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(
            "2 tokens found (6 places) in 5 files (1 binary file skipped): 1 live, 1 revoked"
        ),
        "{stderr}"
    );
    no_secret(&out, &[&live, &old]);

    // --no-ignore reads the ignored output too; binary files stay skipped.
    let out = env.run(["scan", "--no-ignore", "repo"]);
    assert!(text(&out.stdout).contains(&format!("repo/out/build.log:1:1: {l} active 'ci'")));
    assert!(!text(&out.stdout).contains("data.bin"));
    no_secret(&out, &[&live, &old]);
}

both!(stdin_with_a_dash_or_piped);
fn stdin_with_a_dash_or_piped() {
    let env = TestEnv::new();
    let live = env.generate("ci", &[]);
    let input = format!("log line\nAuthorization: Bearer {live}\n");
    for args in [&["scan", "-"][..], &["scan"]] {
        let out = env.cmd(args).write_stdin(input.clone()).output().unwrap();
        assert_eq!(
            text(&out.stdout),
            format!("<stdin>:2:23: {} active 'ci'\n", hint(&live))
        );
        assert_eq!(out.status.code(), Some(20));
        no_secret(&out, &[&live]);
    }
    // Piped but empty: nothing found, and the folder is not scanned instead.
    write(env.root().join("x.txt"), &live);
    env.cmd(["scan"])
        .write_stdin("")
        .assert()
        .code(0)
        .stdout("");
    // No stdin at all (/dev/null, as under cron): the current folder is.
    let out = env.std_cmd(["scan"]).stdin(Stdio::null()).output().unwrap();
    assert_eq!(
        text(&out.stdout),
        format!("x.txt:1:1: {} active 'ci'\n", hint(&live))
    );
    assert_eq!(out.status.code(), Some(20));
}

both!(git_history_on_every_ref_with_deleted_and_renamed_files);
/// The history of a repository: a token added then removed, one in a file renamed later,
/// one on another branch only, one in a binary file (skipped) and one only in ignored output.
fn git_history_on_every_ref_with_deleted_and_renamed_files() {
    let env = TestEnv::new();
    let removed = env.generate("removed", &[]);
    let renamed = env.generate("renamed", &[]);
    let branch = env.generate("branch", &[]);
    let in_binary = env.generate("binary", &[]);
    let ignored = env.generate("ignored", &[]);
    let repo = env.root().join("repo");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    write(repo.join(".gitignore"), "out/\n");
    write(repo.join("out/log.txt"), format!("{ignored}\n"));
    write(repo.join("a.txt"), format!("one\ntoken={removed}\n"));
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "add a"]);
    let added_a = git(&repo, &["rev-parse", "HEAD"]);
    write(repo.join("a.txt"), "one\n");
    write(
        repo.join("conf.yml"),
        format!("x: 1\ny: 2\nkey: \"{renamed}\"\n"),
    );
    let mut binary = b"\0\x01\x02".to_vec();
    binary.extend_from_slice(in_binary.as_bytes());
    write(repo.join("blob.bin"), binary);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "remove it, add conf"]);
    let added_conf = git(&repo, &["rev-parse", "HEAD"]);
    git(&repo, &["mv", "conf.yml", "settings.yml"]);
    git(&repo, &["commit", "-qm", "rename"]);
    git(&repo, &["checkout", "-qb", "feature"]);
    write(
        repo.join("feature.rs"),
        format!("const T: &str = \"{branch}\";\n"),
    );
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "feature"]);
    let on_branch = git(&repo, &["rev-parse", "HEAD"]);
    git(&repo, &["checkout", "-q", "main"]);
    // The working tree holds only the renamed file's token, at its new place.
    env.cmd(["scan", "repo"]).assert().code(20).stdout(format!(
        "repo/settings.yml:3:7: {} active 'renamed'\n",
        hint(&renamed)
    ));

    let out = env.run(["scan", "--git", "repo"]);
    let short = |c: &str| c[..12].to_owned();
    let mut lines: Vec<String> = text(&out.stdout).lines().map(str::to_owned).collect();
    lines.sort();
    let mut want = vec![
        format!(
            "{}:a.txt:2:7: {} active 'removed'",
            short(&added_a),
            hint(&removed)
        ),
        format!(
            "{}:conf.yml:3:7: {} active 'renamed'",
            short(&added_conf),
            hint(&renamed)
        ),
        format!(
            "{}:feature.rs:1:18: {} active 'branch'",
            short(&on_branch),
            hint(&branch)
        ),
    ];
    want.sort();
    assert_eq!(lines, want, "{}", text(&out.stderr));
    assert_eq!(out.status.code(), Some(20));
    assert!(text(&out.stderr).contains("3 tokens found (3 places) in 4 commits: 3 live"));
    no_secret(&out, &[&removed, &renamed, &branch, &in_binary, &ignored]);

    // JSON names the full commit and the path in it.
    let doc: serde_json::Value =
        serde_json::from_slice(&env.run(["scan", "--git", "repo", "--json"]).stdout).unwrap();
    let a = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "removed")
        .unwrap();
    assert_eq!(a["source"], "git");
    assert_eq!(a["commit"], added_a.as_str());
    assert_eq!(
        (a["path"].as_str(), a["line"].as_u64()),
        (Some("a.txt"), Some(2))
    );
    assert_eq!(doc["commits"], 4);

    // Not a repository: exit 1, one line naming it.
    let plain = env.root().join("plain");
    std::fs::create_dir(&plain).unwrap();
    let out = env.run(["scan", "--git", "plain"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr)
            .starts_with("error: cannot read the git history of plain: not a git repository")
    );
}

#[test]
fn exit_codes_0_20_1_and_2() {
    let mut env = TestEnv::new();
    env.at("2027-01-01T00:00:00Z");
    let live = env.generate("live", &[]);
    let revoked = env.generate("revoked", &[]);
    let deleted = env.generate("deleted", &[]);
    let expiring = env.generate("expiring", &["--expires", "1d"]);
    env.cmd(["revoke", "revoked", "deleted"]).assert().success();
    env.cmd(["delete", "deleted", "--yes"]).assert().success();
    env.at("2027-01-03T00:00:00Z");
    write(env.root().join("clean.txt"), "nothing here\n");
    write(env.root().join("live.txt"), format!("{live}\n"));
    write(
        env.root().join("dead.txt"),
        format!(
            "{revoked}\n{deleted}\n{expiring}\n{}\n{}\n",
            foreign(),
            look_alike(&live)
        ),
    );

    env.cmd(["scan", "clean.txt"]).assert().code(0).stdout("");
    let out = env.run(["scan", "dead.txt"]);
    assert_eq!(
        text(&out.stdout),
        format!(
            "dead.txt:1:1: {} revoked 'revoked'\n\
             dead.txt:2:1: {} deleted 'deleted'\n\
             dead.txt:3:1: {} expired 'expiring'\n\
             dead.txt:4:1: {} not in this database\n",
            hint(&revoked),
            hint(&deleted),
            hint(&expiring),
            hint(&foreign())
        )
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    no_secret(&out, &[&live, &revoked, &deleted, &expiring]);
    env.cmd(["scan", "live.txt", "dead.txt"]).assert().code(20);

    // No database: nothing can be vouched for, so a found token fails the scan; a clean
    // scan still passes, and the missing database is not created.
    let nowhere = env.root().join("none/tokens.db");
    let no_db = TestEnv::new().with_db(&nowhere);
    write(no_db.root().join("dead.txt"), format!("{revoked}\n"));
    write(no_db.root().join("clean.txt"), "x\n");
    let out = no_db.run(["scan", "dead.txt"]);
    assert_eq!(out.status.code(), Some(20));
    assert_eq!(
        text(&out.stdout),
        format!(
            "dead.txt:1:1: {} not checked (no database)\n",
            hint(&revoked)
        )
    );
    assert!(
        text(&out.stderr).contains("warning: no database at "),
        "{}",
        text(&out.stderr)
    );
    no_db.cmd(["scan", "clean.txt"]).assert().code(0);
    assert!(!nowhere.exists() && !nowhere.parent().unwrap().exists());

    // 1: a path that does not exist (after scanning the rest), --revoke with no database.
    let out = env.run(["scan", "clean.txt", "missing.txt"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("missing.txt"));
    no_db.cmd(["scan", "--revoke", "dead.txt"]).assert().code(1);
    // 2: usage.
    env.cmd(["scan", "--dry-run", "clean.txt"]).assert().code(2);
    env.cmd(["scan", "--json", "--format", "sarif", "clean.txt"])
        .assert()
        .code(2);
    env.cmd(["scan", "--git", "-"]).assert().code(2);
}

both!(json_document);
fn json_document() {
    let env = TestEnv::new();
    let live = env.generate("ci", &[]);
    write(
        env.root().join("a.txt"),
        format!("x {live}\n{}\n", foreign()),
    );
    let out = env.run(["scan", "--json", "a.txt"]);
    assert_eq!(out.status.code(), Some(20));
    no_secret(&out, &[&live]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &doc["findings"][0];
    assert_eq!(f["source"], "file");
    assert_eq!(f["path"], "a.txt");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(1), Some(3))
    );
    assert_eq!(f["hint"], hint(&live).as_str());
    assert_eq!(f["status"], "active");
    assert_eq!(f["live"], true);
    assert_eq!(f["name"], "ci");
    assert_eq!(f["token"]["name"], "ci");
    assert_eq!(doc["findings"][1]["status"], "unknown");
    assert_eq!(doc["findings"][1]["token"], serde_json::Value::Null);
    assert_eq!(
        (doc["live"].as_u64(), doc["blocking"].as_u64()),
        (Some(1), Some(1))
    );
    // --format json is the same document.
    assert_eq!(
        env.run(["scan", "--format", "json", "a.txt"]).stdout,
        out.stdout
    );
}

both!(sarif_has_the_shape_code_scanning_reads);
fn sarif_has_the_shape_code_scanning_reads() {
    let env = TestEnv::new();
    let live = env.generate("ci", &[]);
    let old = env.generate("old", &[]);
    env.cmd(["revoke", "old"]).assert().success();
    write(
        env.root().join("src/my app.rs"),
        format!("let t = \"{live}\";\n// é {old}\n"),
    );
    let out = env.run(["scan", "--format", "sarif", "src"]);
    assert_eq!(out.status.code(), Some(20));
    no_secret(&out, &[&live, &old]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["version"], "2.1.0");
    assert!(doc["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &doc["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "tokenctl");
    let rules = driver["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let levels: Vec<&str> = results
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels, ["error", "note"]);
    for (r, column) in results.iter().zip([10, 6]) {
        let rule = r["ruleId"].as_str().unwrap();
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], rule);
        assert!(rules[index]["shortDescription"]["text"].is_string());
        assert!(!r["message"]["text"].as_str().unwrap().is_empty());
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "src/my%20app.rs");
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
        // Columns count UTF-16 code units, SARIF's default: `é` is one.
        assert_eq!(loc["region"]["startColumn"], column);
        let fingerprints = r["partialFingerprints"].as_object().unwrap();
        assert!(!fingerprints.is_empty());
        assert!(fingerprints.values().all(|v| v.is_string()));
    }
    assert!(
        results[0]["message"]["text"]
            .as_str()
            .unwrap()
            .contains("live")
    );
}

both!(revoke_records_where_and_dry_run_changes_nothing);
fn revoke_records_where_and_dry_run_changes_nothing() {
    let env = TestEnv::new();
    let live = env.generate("ci", &[]);
    let other = env.generate("other", &[]);
    write(env.root().join("a.txt"), format!("{live}\n\n{live}\n"));
    write(env.root().join("b.txt"), format!("ok\n{other}\n"));

    let out = env.run(["scan", "--revoke", "--dry-run", "a.txt", "b.txt"]);
    assert_eq!(out.status.code(), Some(20));
    let stderr = text(&out.stderr);
    let id = env.show("ci")["id"].as_str().unwrap().to_owned();
    assert!(
        stderr.contains(&format!(
            "would revoke 'ci' ({id}), found at a.txt:1 (and 1 more place)"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("dry run: nothing was changed"));
    assert_eq!(env.show("ci")["status"], "active");
    assert_eq!(env.show("other")["status"], "active");
    no_secret(&out, &[&live, &other]);

    let out = env.run(["scan", "--revoke", "a.txt", "b.txt"]);
    assert_eq!(out.status.code(), Some(20));
    let stderr = text(&out.stderr);
    assert!(stderr.contains(&format!(
        "✓ revoked 'ci' ({id}), found at a.txt:1 (and 1 more place)"
    )));
    assert!(stderr.contains("✓ revoked 'other'"));
    assert_eq!(env.show("ci")["status"], "revoked");
    assert_eq!(env.show("other")["status"], "revoked");
    no_secret(&out, &[&live, &other]);
    let log = env.json(["log", "ci", "--json"]);
    let log = log.to_string();
    assert!(log.contains("found at a.txt:1 (and 1 more place)"), "{log}");

    // Now nothing is live: the same scan passes, and says there is nothing to revoke.
    let out = env.run(["scan", "--revoke", "a.txt", "b.txt"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stderr).contains("no live token to revoke"));
}

/// The user's side of the hook: tokenctl's .pre-commit-hooks.yaml, published in a repository
/// pre-commit clones, referenced from a project's .pre-commit-config.yaml.
#[test]
fn pre_commit_blocks_a_commit_that_adds_a_live_token() {
    if Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_err()
    {
        return skip("pre-commit is not installed (apt-get install pre-commit)");
    }
    let env = TestEnv::new();
    let live = env.generate("ci", &[]);
    let hooks_repo = env.root().join("tokenctl-hooks");
    std::fs::create_dir(&hooks_repo).unwrap();
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml");
    std::fs::copy(&manifest, hooks_repo.join(".pre-commit-hooks.yaml")).unwrap();
    git(&hooks_repo, &["init", "-q"]);
    git(&hooks_repo, &["add", "-A"]);
    git(&hooks_repo, &["commit", "-qm", "hooks"]);
    let rev = git(&hooks_repo, &["rev-parse", "HEAD"]);

    let project = env.root().join("project");
    std::fs::create_dir(&project).unwrap();
    git(&project, &["init", "-q"]);
    write(
        project.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: tokenctl-scan\n",
            hooks_repo.display()
        ),
    );
    let bin_dir = PathBuf::from(env!("CARGO_BIN_EXE_tokenctl"))
        .parent()
        .unwrap()
        .to_owned();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let hooked = |args: &[&str]| {
        Command::new("git")
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t.invalid",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .current_dir(&project)
            .env("PATH", &path)
            .env("HOME", env.home())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("PRE_COMMIT_HOME", env.root().join("pre-commit-cache"))
            .env("TOKENCTL_DB", env.db())
            .output()
            .unwrap()
    };
    let out = Command::new("pre-commit")
        .arg("install")
        .current_dir(&project)
        .env("PATH", &path)
        .env("HOME", env.home())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));

    write(project.join("README"), "hello\n");
    git(&project, &["add", "-A"]);
    let out = hooked(&["commit", "-qm", "clean"]);
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );

    write(project.join("deploy.env"), format!("TOKEN={live}\n"));
    git(&project, &["add", "deploy.env"]);
    let out = hooked(&["commit", "-qm", "leak"]);
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(!out.status.success(), "the commit went through:\n{all}");
    assert!(
        all.contains(&format!("deploy.env:1:7: {} active 'ci'", hint(&live))),
        "{all}"
    );
    no_secret(&out, &[&live]);
    assert_eq!(git(&project, &["rev-list", "--count", "HEAD"]), "1");
}

both!(at_a_terminal_findings_sit_under_their_file_in_colour);
fn at_a_terminal_findings_sit_under_their_file_in_colour() {
    let env = TestEnv::new();
    let live = env.generate("ci", &[]);
    write(env.root().join("a.txt"), format!("{live}\nx {live}\n"));
    write(env.root().join("b.txt"), format!("{live}\n"));
    let (out, code) = env.pty(["scan", "a.txt", "b.txt"]).finish();
    assert_eq!(code, 20, "{out}");
    let l = hint(&live);
    assert!(
        out.starts_with(&format!(
            "a.txt\n1:1: {l} active 'ci'\n2:3: {l} active 'ci'\n\nb.txt\n1:1: {l} active 'ci'\n"
        )),
        "{out}"
    );
    let (raw, _) = env.pty(["scan", "a.txt"]).finish_raw();
    assert!(raw.contains("\x1b["), "no colours at a terminal: {raw:?}");
    assert!(!raw.contains(&live[live.len() - 38..]));
}

both!(a_closed_pipe_keeps_exit_20);
/// `scan | head -1`: the reader leaving early must not turn a leak into a clean exit.
fn a_closed_pipe_keeps_exit_20() {
    let env = TestEnv::new();
    let live = env.generate("ci", &[]);
    // Far more than one buffer of output, so writing fails while findings are still printed.
    write(
        env.root().join("many.txt"),
        format!("{live}\n").repeat(2000),
    );
    write(env.root().join("one.txt"), format!("{live}\n"));
    for file in ["many.txt", "one.txt"] {
        let mut child = env
            .std_cmd(["scan", file])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        assert_eq!(child.wait().unwrap().code(), Some(20), "{file}");
    }
}

/// A merge that adds a token itself ("evil merge") is scanned; a token a merge only brings
/// in from a side branch is reported once, at the side's commit that added it.
#[test]
fn git_merges_show_what_they_added_once() {
    let env = TestEnv::new();
    let evil = env.generate("evil", &[]);
    let side = env.generate("side", &[]);
    let repo = env.root().join("repo");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    write(repo.join("a.txt"), "one\ntwo\n");
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "base"]);
    git(&repo, &["checkout", "-qb", "side"]);
    write(repo.join("a.txt"), format!("one\nkey={side}\ntwo\n"));
    git(&repo, &["commit", "-qam", "side"]);
    let on_side = git(&repo, &["rev-parse", "HEAD"]);
    git(&repo, &["checkout", "-q", "main"]);
    write(repo.join("b.txt"), "main\n");
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "main"]);
    git(&repo, &["merge", "-q", "--no-commit", "--no-ff", "side"]);
    write(repo.join("evil.txt"), format!("x\n{evil}\n"));
    git(&repo, &["add", "evil.txt"]);
    git(&repo, &["commit", "-qm", "merge"]);
    let merge = git(&repo, &["rev-parse", "HEAD"]);
    // The merge brings the side's token into main's a.txt too: one finding, not two.
    let out = env.run(["scan", "--git", "repo"]);
    let mut lines: Vec<String> = text(&out.stdout).lines().map(str::to_owned).collect();
    lines.sort();
    let mut want = vec![
        format!(
            "{}:evil.txt:2:1: {} active 'evil'",
            &merge[..12],
            hint(&evil)
        ),
        format!(
            "{}:a.txt:2:5: {} active 'side'",
            &on_side[..12],
            hint(&side)
        ),
    ];
    want.sort();
    assert_eq!(lines, want, "{}", text(&out.stderr));
    assert_eq!(out.status.code(), Some(20));
    no_secret(&out, &[&evil, &side]);
}

/// The repository's own .gitattributes cannot hide a text file from `--git` (`-diff` makes
/// git print "Binary files differ"), while a file with a NUL is still skipped as binary.
#[test]
fn git_ignores_the_repositorys_attributes_but_skips_binary_files() {
    let env = TestEnv::new();
    let hidden = env.generate("hidden", &[]);
    let in_binary = env.generate("binary", &[]);
    let repo = env.root().join("repo");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    write(
        repo.join(".gitattributes"),
        "*.env -diff\n*.txt diff=plain\n",
    );
    write(repo.join("prod.env"), format!("TOKEN={hidden}\n"));
    let mut binary = b"\0\x01".to_vec();
    binary.extend_from_slice(format!("\n{in_binary}\n").as_bytes());
    write(repo.join("blob.txt"), binary);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "env"]);
    let commit = git(&repo, &["rev-parse", "HEAD"]);
    let out = env.run(["scan", "--git", "repo"]);
    assert_eq!(
        text(&out.stdout),
        format!(
            "{}:prod.env:1:7: {} active 'hidden'\n",
            &commit[..12],
            hint(&hidden)
        ),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(20));
    no_secret(&out, &[&hidden, &in_binary]);
}

/// A FIFO or device named on the command line is read (`scan <(cmd)`, `scan /dev/stdin`),
/// with the same binary check; only folders are walked.
#[test]
fn named_fifos_and_devices_are_read() {
    let env = TestEnv::new();
    let live = env.generate("ci", &[]);
    let out = env
        .cmd(["scan", "/dev/stdin"])
        .write_stdin(format!("log\n{live}\n"))
        .output()
        .unwrap();
    assert_eq!(
        text(&out.stdout),
        format!("/dev/stdin:2:1: {} active 'ci'\n", hint(&live))
    );
    assert_eq!(out.status.code(), Some(20), "{}", text(&out.stderr));
    no_secret(&out, &[&live]);

    // Process substitution: bash hands over /dev/fd/N, a pipe.
    let scan = env.std_cmd(["scan"]);
    let mut bash = Command::new("bash");
    bash.arg("-c")
        .arg(r#"exec "$0" scan <(printf 'x %s\n' "$1")"#)
        .arg(scan.get_program())
        .arg(&live)
        .stdin(Stdio::null());
    for (key, value) in scan.get_envs() {
        match value {
            Some(value) => bash.env(key, value),
            None => bash.env_remove(key),
        };
    }
    let out = bash.output().unwrap();
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("/dev/fd/")
            && stdout.ends_with(&format!(":1:3: {} active 'ci'\n", hint(&live))),
        "{stdout}{}",
        text(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(20));
    no_secret(&out, &[&live]);

    // A device full of NULs is binary, skipped and counted.
    let out = env.run(["scan", "/dev/zero"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("in 0 files (1 binary file skipped)"),
        "{}",
        text(&out.stderr)
    );
}

/// The repository's own configuration (or the user's) cannot change what `--git` reads: a
/// root commit hidden by `log.showRoot=false`, blank context lines written empty
/// (`diff.suppressBlankEmpty`) inside hunks joined by `diff.interHunkContext`.
#[test]
fn git_reads_the_same_history_whatever_the_configuration() {
    let env = TestEnv::new();
    let root = env.generate("root", &[]);
    let later = env.generate("later", &[]);
    let repo = env.root().join("repo");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    for (key, value) in [
        ("log.showRoot", "false"),
        ("diff.suppressBlankEmpty", "true"),
        ("diff.interHunkContext", "5"),
    ] {
        git(&repo, &["config", key, value]);
    }
    write(repo.join("a.txt"), format!("{root}\n\nx\n\ny\n"));
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "root"]);
    let first = git(&repo, &["rev-parse", "HEAD"]);
    write(repo.join("a.txt"), format!("{root}\n\nx2\n\ny {later}\n"));
    git(&repo, &["commit", "-qam", "later"]);
    let second = git(&repo, &["rev-parse", "HEAD"]);
    let out = env.run(["scan", "--git", "repo"]);
    let mut lines: Vec<String> = text(&out.stdout).lines().map(str::to_owned).collect();
    lines.sort();
    let mut want = vec![
        format!("{}:a.txt:1:1: {} active 'root'", &first[..12], hint(&root)),
        format!(
            "{}:a.txt:5:3: {} active 'later'",
            &second[..12],
            hint(&later)
        ),
    ];
    want.sort();
    assert_eq!(lines, want, "{}", text(&out.stderr));
    no_secret(&out, &[&root, &later]);
}
