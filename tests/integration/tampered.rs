//! A schema tokenctl did not make (a trigger that undoes a revoke, a view) is refused by
//! every command, untouched; and what revoke/restore report is what the database holds.

use crate::foreign::{assert_refused, snapshot, stranger};
use crate::util::TestEnv;

/// Every command against the tampered file: each is refused, and the folder stays as it
/// was. The caller keeps the connection that tampered open, so its `-wal` stays (as
/// tokenctl leaves a database) and nothing the commands do could hide behind a re-creation.
fn refused_untouched(env: &TestEnv, kind: &str) {
    let before = snapshot(env.root());
    let token = stranger();
    let runs: [(&[&str], bool); 10] = [
        (&["list"], false),
        (&["show", "victim"], false),
        (&["log"], false),
        (&["revoke", "victim"], false),
        (&["restore", "victim"], false),
        (&["delete", "victim", "--yes"], false),
        (&["verify"], true),
        (&["verify", "--no-record"], true),
        (&["init"], false),
        (&["generate", "--name", "n"], false),
    ];
    for (args, stdin) in runs {
        let what = format!("{kind}: {}", args.join(" "));
        let mut cmd = env.cmd(args);
        cmd.write_stdin(if stdin {
            format!("{token}\n")
        } else {
            String::new()
        });
        let out = cmd.output().unwrap();
        assert_refused(&out, env.db(), &what);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("tampered"), "{what}: {stderr}");
        assert_eq!(snapshot(env.root()), before, "{what} changed the folder");
    }
}

#[test]
fn a_trigger_that_undoes_revoke_is_refused() {
    let env = TestEnv::new();
    env.generate("victim", &[]);
    let tamperer = env.conn();
    tamperer
        .execute_batch(
            "CREATE TRIGGER keep_alive AFTER UPDATE OF revoked_at ON tokens
             BEGIN UPDATE tokens SET revoked_at = NULL WHERE id = new.id; END",
        )
        .unwrap();
    refused_untouched(&env, "trigger");
    drop(tamperer);
    let err = String::from_utf8(env.run(["revoke", "victim"]).stderr).unwrap();
    assert!(err.contains("trigger 'keep_alive'"), "{err}");
    // Nothing was revoked behind the refusal either.
    assert_eq!(
        format!("{:?}", env.sqlite("SELECT revoked_at FROM tokens")),
        "[[Null]]"
    );
}

#[test]
fn a_view_or_an_altered_table_is_refused() {
    let env = TestEnv::new();
    env.generate("victim", &[]);
    let tamperer = env.conn();
    tamperer
        .execute_batch("CREATE VIEW tokens_v AS SELECT * FROM tokens")
        .unwrap();
    refused_untouched(&env, "view");

    let env = TestEnv::new();
    env.generate("victim", &[]);
    let tamperer = env.conn();
    tamperer
        .execute_batch("ALTER TABLE tokens ADD COLUMN extra TEXT")
        .unwrap();
    refused_untouched(&env, "added column");

    let env = TestEnv::new();
    env.generate("victim", &[]);
    let tamperer = env.conn();
    tamperer
        .execute_batch("CREATE INDEX tokens_hash ON tokens (hash)")
        .unwrap();
    refused_untouched(&env, "extra index");
    drop(tamperer);
}

/// `ANALYZE` statistics only steer SQLite's planner: an operator who ran it is not refused.
#[test]
fn planner_statistics_are_not_tampering() {
    let env = TestEnv::new();
    let token = env.generate("victim", &[]);
    env.conn().execute_batch("ANALYZE").unwrap();
    env.cmd(["revoke", "victim"]).assert().success();
    env.verify(&token, &[]).code(12);
}

/// The planner-statistics names are allowed for tables only: a trigger named like one,
/// slipped in through writable_schema, is still an unknown object.
#[test]
fn a_trigger_named_like_planner_statistics_is_refused() {
    let env = TestEnv::new();
    env.generate("victim", &[]);
    let tamperer = env.conn();
    tamperer
        .execute_batch(
            "PRAGMA writable_schema = ON;
             INSERT INTO sqlite_schema VALUES ('trigger', 'sqlite_stat4', 'tokens', 0,
               'CREATE TRIGGER sqlite_stat4 AFTER UPDATE OF failed_count ON tokens
                BEGIN UPDATE tokens SET revoked_at = NULL WHERE id = new.id; END');
             PRAGMA writable_schema = OFF;",
        )
        .unwrap();
    refused_untouched(&env, "trigger named sqlite_stat4");
}
