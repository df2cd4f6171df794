//! The PostgreSQL engine's own contracts that need no server (a password on the command
//! line, an unreachable server), and `copy`, whose checks take any two databases, run
//! between SQLite and the harness's cluster in every direction.

use predicates::prelude::*;

use crate::util::{Backend, TestEnv};

const PASSWORD: &str = "Hunter2-not-printed";

/// A password inside a `--db` URL is refused before anything connects, and never echoed.
#[test]
fn a_password_in_a_db_url_argument_is_refused() {
    let env = TestEnv::new();
    for url in [
        format!("postgres://alice:{PASSWORD}@127.0.0.1:1/tokens"),
        format!("postgresql://alice@127.0.0.1:1/tokens?sslmode=disable&password={PASSWORD}"),
    ] {
        for args in [
            vec!["--db", url.as_str(), "list"],
            vec!["--db", url.as_str(), "verify", "--no-record"],
            vec!["--db", url.as_str(), "init"],
        ] {
            let out = env.run(&args);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
            assert!(!stderr.contains(PASSWORD), "{stderr}");
            assert!(!String::from_utf8_lossy(&out.stdout).contains(PASSWORD));
            for alternative in ["TOKENCTL_DB", "PGPASSWORD", "pgpass"] {
                assert!(stderr.contains(alternative), "{stderr}");
            }
            assert_eq!(stderr.lines().count(), 1, "{stderr}");
        }
    }
}

/// `copy --to` takes a URL as an argument too: the same refusal.
#[test]
fn a_password_in_copy_to_is_refused() {
    let env = TestEnv::new();
    env.generate("ci", &[]);
    let url = format!("postgres://alice:{PASSWORD}@127.0.0.1:1/tokens");
    env.cmd(["copy", "--to", url.as_str()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(PASSWORD).not())
        .stderr(predicate::str::contains("PGPASSWORD"));
}

/// The same URL in TOKENCTL_DB is accepted; a server that is not there fails closed
/// (exit 1, one line naming host and port), without the password, and quickly.
#[test]
fn an_unreachable_server_fails_verify_closed_naming_host_and_port() {
    // Port 1 on loopback: nothing listens there, so the connect is refused at once.
    let env = TestEnv::new().with_db(format!("postgres://alice:{PASSWORD}@127.0.0.1:1/tokens"));
    let out = env
        .cmd(["verify"])
        .write_stdin("tkn_aaaaaaaaaa_000000000000000000000000000000000000000\n")
        .output()
        .expect("spawn tokenctl");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("127.0.0.1:1"), "{stderr}");
    assert!(!stderr.contains(PASSWORD), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    for args in [&["list"][..], &["init"], &["show", "ci"]] {
        let out = env.run(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(!stderr.contains(PASSWORD), "{stderr}");
    }
}

/// `init --shared` is about a file's group; on a server it is a usage error.
#[test]
fn init_shared_on_a_server_is_a_usage_error() {
    let env = TestEnv::new().with_db("postgres://alice@127.0.0.1:1/tokens");
    env.cmd(["init", "--shared"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("grant"));
}

#[test]
fn copy_sqlite_to_a_new_sqlite_file() {
    let from = TestEnv::new();
    let to = from.root().join("copy").join("to.db");
    copy_round_trip(&from, to.to_str().expect("utf-8 temp path"));
}

/// Fills `from` with tokens of every kind, copies it to `to` (new or empty, any engine)
/// and checks every field, usage, source, failure and event arrived; that the tokens
/// verify there and a revoked one is still refused; and that a second copy into the
/// now non-empty target is refused and changes nothing.
pub fn copy_round_trip(from: &TestEnv, to: &str) {
    let live = from.generate("live", &["--scope", "deploy:run", "--expires", "1y"]);
    let gone = from.generate("gone", &["--no-expiry", "--description", "old one"]);
    let _never = from.generate(
        "never-used",
        &["--scope", "a:b", "--scope", "c:d", "--no-expiry"],
    );
    from.verify(&live, &["--scope", "deploy:run", "--source", "host-a"])
        .success();
    from.verify(&live, &["--scope", "deploy:run", "--source", "host-b"])
        .success();
    from.verify(&live, &["--scope", "volume:upload"]).code(13);
    from.cmd(["revoke", "gone"]).assert().success();
    from.verify(&gone, &[]).code(12);

    let copied = from.json(["--json", "copy", "--to", to]);
    assert_eq!(copied["tokens"], 3, "{copied}");
    assert_eq!(copied["events"], 4, "{copied}");
    assert_eq!(copied["sources"], 2, "{copied}");
    assert!(
        copied["usage_days"].as_u64().is_some_and(|n| n >= 2),
        "{copied}"
    );
    let shown = copied.to_string();
    for secret in [&live, &gone] {
        assert!(!shown.contains(secret.as_str()));
    }

    let before: serde_json::Value = from.json(["--json", "list"]);
    let target = |args: &[&str]| {
        let mut all = vec!["--db", to];
        all.extend_from_slice(args);
        all.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    let after = from.json(target(&["--json", "list"]));
    assert_eq!(before, after, "the tokens read the same on the target");
    for name in ["live", "gone"] {
        // The token, its sources, daily uses and failures, and its history.
        let a = from.json(["--json", "show", name]);
        let b = from.json(target(&["--json", "show", name]));
        assert_eq!(a, b, "{name}");
    }
    let log = |args: Vec<String>| {
        from.cmd(args)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone()
    };
    assert_eq!(
        log(vec!["--json".into(), "log".into()]),
        log(target(&["--json", "log"]))
    );

    from.cmd(target(&["verify", "--scope", "deploy:run"]))
        .write_stdin(format!("{live}\n"))
        .assert()
        .success();
    from.cmd(target(&["verify"]))
        .write_stdin(format!("{gone}\n"))
        .assert()
        .code(12);
    let live_after = from.json(target(&["--json", "show", "live"]));
    assert_eq!(live_after["usage_count"], 3, "{live_after}");

    // The target holds tokens now: a second copy is refused and adds nothing.
    from.cmd(["copy", "--to", to])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("already holds 3 tokens"));
    let listed = from.json(target(&["--json", "list"]));
    assert_eq!(listed.as_array().map(Vec::len), Some(3));
}

/// Copying a database onto itself is refused before anything is opened for writing.
#[test]
fn copy_onto_itself_is_refused() {
    let env = TestEnv::new();
    env.generate("ci", &[]);
    let db = env.db().to_str().expect("utf-8 temp path").to_owned();
    env.cmd(["copy", "--to", db.as_str()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the database being copied"));
}

/// SQLite to PostgreSQL, as a team moves: into an empty database on the throwaway cluster.
#[test]
fn copy_sqlite_to_postgres() {
    let from = TestEnv::new();
    Backend::Postgres.run(|| {
        let into = TestEnv::new();
        copy_round_trip(&from, &into.target());
    });
}

/// And back: a PostgreSQL database into a new SQLite file.
#[test]
fn copy_postgres_to_sqlite() {
    Backend::Postgres.run(|| {
        let from = TestEnv::new();
        let to = from.root().join("back").join("to.db");
        copy_round_trip(&from, to.to_str().expect("utf-8 temp path"));
    });
}

/// Between two PostgreSQL databases (another cluster, a new major version).
#[test]
fn copy_postgres_to_postgres() {
    Backend::Postgres.run(|| {
        let (from, into) = (TestEnv::new(), TestEnv::new());
        copy_round_trip(&from, &into.target());
    });
}
