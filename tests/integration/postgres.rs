//! What only PostgreSQL has: passwords and TLS on the way in, a server that can stop under
//! load, clients killed mid-transaction, and a schema a newer tokenctl may have moved on.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use rand::Rng;

use crate::cluster::{self, Cluster, PASSWORD, ROLE};
use crate::crash::{printed_secret, spawn};
use crate::util::{Backend, TestEnv};

/// A verify against a stopped or unreachable server must refuse within this, not hang.
const REFUSAL_BOUND: Duration = Duration::from_secs(15);

pub(crate) fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[track_caller]
pub(crate) fn assert_code(out: &Output, want: i32, what: &str) {
    assert_eq!(out.status.code(), Some(want), "{what}: {}", text(out));
    assert!(!text(out).contains("panicked"), "{what}: {}", text(out));
}

/// A private cluster (for a test that stops it or turns TLS on), or a skip.
fn private(extra_conf: &str, prepare: impl FnOnce(&Cluster)) -> Option<Cluster> {
    match Cluster::start_with(extra_conf, prepare) {
        Ok(c) => Some(c),
        Err(why) => {
            crate::util::skip(&why);
            None
        }
    }
}

/// An env on `db` of a private cluster over TCP, its password in PGPASSWORD.
fn tcp_env(cluster: &Cluster, db: &str) -> TestEnv {
    let mut env = TestEnv::new().with_target(cluster.tcp_url(db));
    env.var("PGPASSWORD", PASSWORD);
    env
}

fn private_db(cluster: &Cluster) -> String {
    cluster.create_db()
}

fn count(cluster: &Cluster, db: &str, sql: &str) -> i64 {
    let out = cluster
        .psql(db, sql)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    out.trim()
        .parse()
        .unwrap_or_else(|e| panic!("{sql}: {out:?}: {e}"))
}

#[test]
fn a_password_in_a_db_argument_is_refused_and_never_printed() {
    Backend::Postgres.run(|| {
        let env = TestEnv::new();
        env.cmd(["init"]).assert().success();
        let cluster = cluster::shared().expect("Backend::run checked");
        let db = env.pg_db().expect("a postgres env");
        let with_pass = format!(
            "postgres://{ROLE}:{PASSWORD}@127.0.0.1:{}/{db}",
            cluster.port
        );
        let long = with_pass.replacen("postgres://", "postgresql://", 1);
        let in_query = format!("{}?password={PASSWORD}", cluster.tcp_url(db));
        for args in [
            vec!["--db", &with_pass, "list"],
            vec![&format!("--db={with_pass}"), "list"],
            vec!["--db", &long, "verify"],
            vec!["--db", &in_query, "list"],
            vec!["--db", &with_pass, "generate", "--name", "x"],
        ] {
            let out = env.cmd(&args).write_stdin("tkn_x\n").output().unwrap();
            let said = text(&out);
            eprintln!("{}", said.trim_end());
            assert_code(&out, 2, &args.join(" ").replace(PASSWORD, "<password>"));
            assert!(
                !said.contains(PASSWORD),
                "the password was printed: {}",
                said.replace(PASSWORD, "<PASSWORD>")
            );
            assert!(
                said.contains("TOKENCTL_DB") && said.contains("PGPASSWORD"),
                "no alternative named: {said}"
            );
        }
        // Nothing was created by the refused generate.
        env.cmd(["list", "--json"])
            .assert()
            .success()
            .stdout("[]\n");
    });
}

#[test]
fn a_password_from_the_environment_or_a_pass_file_connects_over_tcp() {
    Backend::Postgres.run(|| {
        let cluster = cluster::shared().expect("Backend::run checked");
        let env = TestEnv::new();
        let db = env.pg_db().expect("a postgres env").to_owned();
        let token = env.generate("hook", &[]);
        let url = cluster.tcp_url(&db);
        let with_pass = format!(
            "postgres://{ROLE}:{PASSWORD}@127.0.0.1:{}/{db}",
            cluster.port
        );

        // TOKENCTL_DB may hold the password: the environment is not argv.
        let in_env = TestEnv::new().with_target(&with_pass);
        in_env.verify(&token, &[]).code(0);

        let mut pgpassword = TestEnv::new().with_target(&url);
        pgpassword.var("PGPASSWORD", PASSWORD);
        pgpassword.verify(&token, &[]).code(0);

        let passfile = TestEnv::new().with_target(&url);
        let line = format!("127.0.0.1:{}:{db}:{ROLE}:{PASSWORD}\n", cluster.port);
        let file = passfile.root().join("pgpass");
        write_private(&file, &line);
        let mut passfile = passfile;
        passfile.var("PGPASSFILE", &file.display().to_string());
        passfile.verify(&token, &[]).code(0);

        let home_pgpass = TestEnv::new().with_target(&url);
        write_private(&home_pgpass.home().join(".pgpass"), &line);
        home_pgpass.verify(&token, &[]).code(0);

        // And a wrong one fails closed without printing either.
        let wrong = "Wrong-pass-9Kq";
        let mut bad = TestEnv::new().with_target(&url);
        bad.var("PGPASSWORD", wrong);
        let out = bad
            .cmd(["verify"])
            .write_stdin(format!("{token}\n"))
            .output()
            .unwrap();
        eprintln!("wrong password: {}", text(&out).trim_end());
        assert_code(&out, 1, "verify with a wrong password");
        assert!(!text(&out).contains(wrong), "{}", text(&out));
        assert!(!text(&out).contains(PASSWORD), "{}", text(&out));

        // No password at all over TCP: refused, the same way.
        let none = TestEnv::new().with_target(&url);
        let out = none
            .cmd(["verify"])
            .write_stdin(format!("{token}\n"))
            .output()
            .unwrap();
        assert_code(&out, 1, "verify without a password");

        let uses = env.sql("SELECT usage_count FROM tokens");
        assert_eq!(uses, vec![vec!["4".to_owned()]], "four verifies connected");
    });
}

fn write_private(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

#[test]
fn clients_killed_mid_transaction_lose_no_printed_secret() {
    const ROUNDS: usize = 40;
    Backend::Postgres.run(|| {
        let env = TestEnv::new();
        let known = env.generate("known", &[]);
        let line = format!("{known}\n");
        let mut rng = rand::rng();
        let (mut printed, mut killed, mut verifies_ok) = (Vec::new(), 0, 0);
        for round in 0..ROUNDS {
            let name = format!("crash{round}");
            let mut children = vec![
                (true, spawn(&env, &["generate", "--name", &name], "")),
                (false, spawn(&env, &["verify"], &line)),
                (false, spawn(&env, &["revoke", "--reason", "x", &name], "")),
                (false, spawn(&env, &["verify"], &line)),
            ];
            // Choosing the instant of the kill (a connect and a transaction take some
            // milliseconds here), not waiting for anything.
            std::thread::sleep(Duration::from_micros(rng.random_range(0..40_000)));
            for (_, child) in &mut children {
                let _ = child.kill();
            }
            for (i, (is_generate, child)) in children.into_iter().enumerate() {
                let out = child.wait_with_output().unwrap();
                if out.status.signal() == Some(9) {
                    killed += 1;
                } else if i % 2 == 1 {
                    assert_eq!(
                        out.status.code(),
                        Some(0),
                        "verify ended on its own but failed"
                    );
                    verifies_ok += 1;
                }
                if is_generate {
                    printed.extend(printed_secret(&out.stdout));
                }
            }
        }
        eprintln!(
            "postgres crash: {ROUNDS} rounds, {killed} killed, {} secrets printed",
            printed.len()
        );
        assert!(killed > ROUNDS, "too few kills ({killed}) to mean anything");
        // A killed client's transaction is rolled back, its locks gone: nothing waits.
        let stuck = env.sql(
            "SELECT count(*) FROM pg_stat_activity \
             WHERE datname = current_database() AND state LIKE 'idle in transaction%'",
        );
        assert_eq!(stuck, vec![vec!["0".to_owned()]]);
        let uses: i64 = env.sql("SELECT usage_count FROM tokens WHERE name = 'known'")[0][0]
            .parse()
            .unwrap();
        assert!(
            uses >= verifies_ok,
            "a verify that exited 0 was not counted"
        );
        assert!(uses <= 2 * ROUNDS as i64, "more uses than verifies started");
        for secret in &printed {
            // A printed secret's token exists; its revoke may have landed (12) or not (0).
            let out = env
                .cmd(["verify"])
                .write_stdin(format!("{secret}\n"))
                .output()
                .unwrap();
            let code = out.status.code();
            assert!(matches!(code, Some(0 | 12)), "{secret}: {}", text(&out));
        }
        env.verify(&known, &[]).code(0);
        env.cmd(["list"]).assert().success();
    });
}

/// Verifiers run the whole time; the server stops, verifies fail closed naming it, it
/// starts again and the next verify succeeds. No verify hangs, none succeeds while it is down.
#[test]
fn verify_fails_closed_while_the_server_is_down_and_recovers_after() {
    const LOADERS: usize = 4;
    let Some(cluster) = private("", |_| {}) else {
        return;
    };
    let db = private_db(&cluster);
    let env = Arc::new(tcp_env(&cluster, &db));
    let token = Arc::new(env.generate("hook", &[]));
    let stop = Arc::new(AtomicBool::new(false));
    let (started, running) = mpsc::channel();
    let loaders: Vec<_> = (0..LOADERS)
        .map(|_| {
            let (env, token, stop, started) = (
                Arc::clone(&env),
                Arc::clone(&token),
                Arc::clone(&stop),
                started.clone(),
            );
            std::thread::spawn(move || {
                let mut codes = Vec::new();
                while !stop.load(Ordering::SeqCst) {
                    let at = Instant::now();
                    let out = env
                        .cmd(["verify", "-q"])
                        .write_stdin(format!("{token}\n"))
                        .output()
                        .unwrap();
                    assert!(at.elapsed() < REFUSAL_BOUND, "a verify hung");
                    codes.push(out.status.code());
                    if codes.len() == 1 {
                        started.send(()).unwrap();
                    }
                }
                codes
            })
        })
        .collect();
    drop(started);
    for _ in 0..LOADERS {
        running.recv().unwrap();
    }

    cluster.stop_server();
    let at = Instant::now();
    let out = env
        .cmd(["verify"])
        .write_stdin(format!("{token}\n"))
        .output()
        .unwrap();
    assert!(
        at.elapsed() < REFUSAL_BOUND,
        "verify took {:?}",
        at.elapsed()
    );
    assert_code(&out, 1, "verify while the server is down");
    let said = String::from_utf8_lossy(&out.stderr);
    eprintln!("server down: {said}");
    assert_eq!(said.trim_end().lines().count(), 1, "one line: {said}");
    assert!(said.contains("127.0.0.1"), "names the host: {said}");
    assert!(
        said.contains(&cluster.port.to_string()),
        "names the port: {said}"
    );
    assert!(!said.contains(PASSWORD));

    cluster.start_server();
    env.verify(&token, &[]).code(0);
    stop.store(true, Ordering::SeqCst);
    let mut ok = 0;
    for l in loaders {
        for code in l.join().unwrap() {
            assert!(
                matches!(code, Some(0 | 1)),
                "a verify under a restart exited {code:?}"
            );
            ok += i64::from(code == Some(0));
        }
    }
    let uses = count(&cluster, &db, "SELECT usage_count FROM tokens");
    // A verify cut off after its commit fails closed yet counts: never the other way.
    assert!(uses > ok, "uses {uses} < successes {ok} + the last verify");
}

#[test]
fn a_newer_schema_is_refused_and_left_untouched() {
    Backend::Postgres.run(|| {
        let env = TestEnv::new();
        let token = env.generate("t", &[]);
        env.sql(NEWER_SCHEMA);
        let before = dump(&env);
        for args in [
            vec!["verify"],
            vec!["list"],
            vec!["generate", "--name", "u"],
            vec!["revoke", "t"],
            vec!["init"],
        ] {
            let out = env
                .cmd(&args)
                .write_stdin(format!("{token}\n"))
                .output()
                .unwrap();
            eprintln!("{}", text(&out).trim_end());
            assert_code(&out, 1, &args.join(" "));
            assert!(
                text(&out).contains("newer"),
                "{args:?} does not say the schema is newer: {}",
                text(&out)
            );
        }
        assert_eq!(dump(&env), before, "the newer database was changed");
    });
}

/// What a tokenctl from the future leaves: its schema version one past ours.
const NEWER_SCHEMA: &str = "UPDATE tokenctl_schema SET version = version + 1";

/// Every row of every table, in a stable order: to see that nothing changed.
fn dump(env: &TestEnv) -> String {
    let tables = env.sql(
        "SELECT schemaname || '.' || tablename FROM pg_tables \
         WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
    );
    let mut all = String::new();
    for t in tables {
        let rows = env.sql(&format!("SELECT t::text FROM {} t ORDER BY 1", t[0]));
        all += &format!("{}: {rows:?}\n", t[0]);
    }
    all
}

/// TLS against the cluster with certificates made here: verify-full with the right root
/// connects, a wrong root or a name the certificate lacks fails closed.
#[test]
fn tls_verify_full_accepts_the_right_root_and_refuses_a_wrong_one() {
    let certs = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("tempdir: {e}"),
    };
    let c = certs.path();
    if let Err(why) = make_certs(c) {
        return crate::util::skip(&why);
    }
    let conf =
        "ssl = on\nssl_cert_file = '{root}/server.crt'\nssl_key_file = '{root}/server.key'\n";
    let Some(cluster) = private(conf, |cluster| {
        for f in ["server.crt", "server.key"] {
            let to = cluster.root.join(f);
            std::fs::copy(c.join(f), &to).unwrap();
            std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o600)).unwrap();
            cluster.give(&to);
        }
        // TCP only with TLS: a connection that works is an encrypted one.
        let hba = cluster.root.join("data/pg_hba.conf");
        std::fs::write(
            &hba,
            "local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\n",
        )
        .unwrap();
    }) else {
        return;
    };
    let db = private_db(&cluster);
    let base = cluster.tcp_url(&db);
    let with = |query: &str| {
        let target = match query {
            "" => base.clone(),
            q => format!("{base}?{q}"),
        };
        let mut env = TestEnv::new().with_target(target);
        env.var("PGPASSWORD", PASSWORD);
        env
    };
    let root = c.join("ca.crt").display().to_string();
    let wrong = c.join("wrong-ca.crt").display().to_string();

    let good = with(&format!("sslmode=verify-full&sslrootcert={root}"));
    let token = good.generate("over-tls", &[]);
    good.verify(&token, &[]).code(0);

    let mut by_env = with("");
    by_env
        .var("PGSSLMODE", "verify-full")
        .var("PGSSLROOTCERT", &root);
    by_env.verify(&token, &[]).code(0);

    for (query, what) in [
        (
            format!("sslmode=verify-full&sslrootcert={wrong}"),
            "a wrong root",
        ),
        (
            format!("sslmode=verify-ca&sslrootcert={wrong}"),
            "a wrong root (verify-ca)",
        ),
        (
            "sslmode=disable".to_owned(),
            "no TLS where the server demands it",
        ),
    ] {
        let env = with(&query);
        let out = env
            .cmd(["verify"])
            .write_stdin(format!("{token}\n"))
            .output()
            .unwrap();
        eprintln!("{what}: {}", text(&out).trim_end());
        assert_code(&out, 1, what);
        assert!(!text(&out).contains(PASSWORD));
    }
    let uses = count(&cluster, &db, "SELECT usage_count FROM tokens");
    assert_eq!(uses, 2, "only the verifies with the right root connected");
}

/// A CA, a server certificate it signs for 127.0.0.1 and localhost, and an unrelated CA.
pub(crate) fn make_certs(dir: &Path) -> Result<(), String> {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    for ca in ["ca", "wrong-ca"] {
        openssl(
            dir,
            &[
                &["req", "-x509"],
                &ec[..],
                &[
                    "-keyout",
                    &format!("{ca}.key"),
                    "-out",
                    &format!("{ca}.crt"),
                ],
                &["-days", "2", "-subj", &format!("/CN=tokenctl test {ca}")],
                &["-addext", "basicConstraints=critical,CA:TRUE"],
                &["-addext", "keyUsage=critical,keyCertSign,cRLSign"],
            ]
            .concat(),
        )?;
    }
    openssl(
        dir,
        &[
            &["req"],
            &ec[..],
            &[
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
                "-subj",
                "/CN=localhost",
            ],
        ]
        .concat(),
    )?;
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=critical,CA:FALSE\n\
         keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .map_err(|e| e.to_string())?;
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.crt",
            "-days",
            "2",
            "-extfile",
            "server.ext",
        ],
    )
}

fn openssl(dir: &Path, args: &[&str]) -> Result<(), String> {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("openssl is unavailable ({e}): apt-get install openssl"))?;
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(())
}

#[test]
fn a_database_without_the_schema_is_refused_naming_init() {
    Backend::Postgres.run(|| {
        let env = TestEnv::new();
        for args in [
            vec!["list"],
            vec!["show", "x"],
            vec!["verify"],
            vec!["revoke", "x"],
        ] {
            let out = env.cmd(&args).write_stdin("tkn_x\n").output().unwrap();
            assert_code(&out, 1, &args.join(" "));
            let said = String::from_utf8_lossy(&out.stderr);
            assert!(said.contains("tokenctl init"), "{args:?}: {said}");
            assert!(out.stdout.is_empty(), "{args:?}");
        }
        assert!(!env.exists(), "a refused command created the schema");
        env.cmd(["init"]).assert().success();
        assert!(env.exists());
        env.cmd(["list", "--json"])
            .assert()
            .success()
            .stdout("[]\n");
    });
}

#[test]
fn only_a_hash_is_stored_on_postgres() {
    Backend::Postgres.run(|| {
        let env = TestEnv::new();
        let token = env.generate("t", &["--scope", "deploy:run"]);
        env.verify(&token, &[]).code(0);
        let all = dump(&env);
        assert!(!all.contains(&token), "the secret is stored: {all}");
        let secret = token.rsplit('_').next().expect("a token has parts");
        assert!(!all.contains(secret), "the secret part is stored: {all}");
        let hash: String = blake3::hash(token.as_bytes())
            .as_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let stored = env.sql("SELECT encode(hash, 'hex') FROM tokens");
        assert_eq!(stored, vec![vec![hash]]);
    });
}
