//! PostgreSQL under attack and misconfiguration (the security review): objects another role
//! plants in tokenctl's schema, least-privilege verify roles, TLS and auth parameters,
//! pass files, and URLs and messages that must not leak a password or sqlx's internals.

use std::io::{Read as _, Write as _};
use std::os::unix::fs::PermissionsExt;
use std::process::Output;

use crate::cluster::{self, Cluster, PASSWORD, ROLE};
use crate::util::{Backend, TestEnv};

use crate::postgres::{assert_code, text};

fn run_stdin(env: &TestEnv, args: &[&str], stdin: &str) -> Output {
    env.cmd(args)
        .write_stdin(stdin.to_owned())
        .output()
        .unwrap()
}

/// What the reviewer planted (finding 1), each piece recording in `public.ran` the role it
/// ran as: a `hashtext(name)` that beats pg_catalog's `hashtext(text)` on an exact match, an
/// `array_agg(text)` that beats the polymorphic one, an `=` on text[] that beats
/// `anyarray = anyarray`, and an `=` on text of the same signature as the built-in.
const PLANT: &str = r#"
SET ROLE INTRUDER;
CREATE TABLE public.ran (who text, what text);
GRANT INSERT ON public.ran TO PUBLIC;
CREATE FUNCTION public.hashtext(name) RETURNS int LANGUAGE plpgsql AS $$
  BEGIN INSERT INTO public.ran VALUES (current_user, 'hashtext'); RETURN 0; END $$;
CREATE FUNCTION public.agg_step(text[], text) RETURNS text[] LANGUAGE plpgsql AS $$
  BEGIN INSERT INTO public.ran VALUES (current_user, 'array_agg');
  RETURN pg_catalog.array_append($1, $2); END $$;
CREATE AGGREGATE public.array_agg(text) (sfunc = public.agg_step, stype = text[], initcond = '{}');
CREATE FUNCTION public.arrays_eq(text[], text[]) RETURNS bool LANGUAGE plpgsql AS $$
  BEGIN INSERT INTO public.ran VALUES (current_user, 'text[] ='); RETURN true; END $$;
CREATE OPERATOR public.= (leftarg = text[], rightarg = text[], function = public.arrays_eq);
CREATE FUNCTION public.texts_eq(text, text) RETURNS bool LANGUAGE plpgsql AS $$
  BEGIN INSERT INTO public.ran VALUES (current_user, 'text ='); RETURN $1 OPERATOR(pg_catalog.=) $2; END $$;
CREATE OPERATOR public.= (leftarg = text, rightarg = text, function = public.texts_eq);
"#;

#[test]
fn objects_another_role_plants_in_the_schema_never_run_as_tokenctl() {
    Backend::Postgres.run(|| {
        let env = TestEnv::new();
        let db = env.pg_db().expect("a postgres env").to_owned();
        let cluster = cluster::shared().expect("Backend::run checked");
        let intruder = format!("intruder_{db}");
        // PostgreSQL 14's default for public, which README's own grants resemble.
        cluster
            .psql(
                &db,
                &format!("CREATE ROLE {intruder}; GRANT CREATE ON SCHEMA public TO {intruder}"),
            )
            .unwrap();
        cluster
            .psql(&db, &PLANT.replace("INTRUDER", &intruder))
            .unwrap_or_else(|e| panic!("plant: {e}"));

        let out = env.cmd(["init"]).output().unwrap();
        assert_code(&out, 0, "init");
        let warned = String::from_utf8_lossy(&out.stderr).into_owned();
        for what in [
            "function hashtext(name)",
            "aggregate array_agg(text)",
            "operator = (text[], text[])",
        ] {
            assert!(warned.contains(what), "no warning about {what}: {warned}");
        }
        assert!(warned.contains(&intruder), "{warned}");

        let token = env.generate("victim", &["--scope", "deploy:run", "--max-uses", "5"]);
        let other = env.generate("other", &[]);
        assert_code(
            &run_stdin(
                &env,
                &["verify", "--scope", "deploy:run"],
                &format!("{token}\n"),
            ),
            0,
            "verify",
        );
        // The planted `=` on text[] says every scope list matches: it must not be asked.
        assert_code(
            &run_stdin(
                &env,
                &["verify", "--scope", "deploy:other"],
                &format!("{token}\n"),
            ),
            13,
            "verify, lacking scope",
        );
        assert_code(
            &run_stdin(&env, &["verify", "--no-record"], &format!("{other}\n")),
            0,
            "verify --no-record",
        );
        for args in [vec!["list"], vec!["show", "victim"], vec!["log"]] {
            assert_code(&env.cmd(&args).output().unwrap(), 0, &args.join(" "));
        }
        assert_code(
            &env.cmd(["revoke", "victim"]).output().unwrap(),
            0,
            "revoke",
        );
        assert_code(
            &run_stdin(&env, &["verify"], &format!("{token}\n")),
            12,
            "verify after revoke",
        );
        assert_code(
            &env.cmd(["restore", "victim"]).output().unwrap(),
            0,
            "restore",
        );
        assert_code(
            &run_stdin(&env, &["verify"], &format!("{token}\n")),
            0,
            "verify after restore",
        );

        let ran = env.sql("SELECT who || ' ran ' || what FROM public.ran");
        assert!(ran.is_empty(), "planted code ran as tokenctl: {ran:?}");
        let shown = env.show("victim");
        assert_eq!(shown["usage_count"], 2, "{shown}");
        assert_eq!(
            shown["scopes"],
            serde_json::json!(["deploy:run"]),
            "{shown}"
        );
    });
}

/// README's grant lines for the `deploy` role (its PostgreSQL section), as SQL.
fn readme_deploy_grants(role: &str) -> String {
    let readme = include_str!("../../README.md");
    let section = readme
        .split("## PostgreSQL")
        .nth(1)
        .expect("README has a PostgreSQL section")
        .split("\n## ")
        .next()
        .unwrap_or_default();
    let grants: Vec<String> = section
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("GRANT ") && l.contains(" TO deploy"))
        .map(|l| {
            l.trim_end_matches('"')
                .replace(" TO deploy", &format!(" TO {role}"))
        })
        .collect();
    assert!(
        !grants.is_empty(),
        "README's PostgreSQL section shows no GRANT ... TO deploy lines of its own"
    );
    grants.join("\n")
}

#[test]
fn a_verify_only_role_with_readmes_grants_verifies_and_cannot_change_tokens() {
    Backend::Postgres.run(|| {
        let admin = TestEnv::new();
        let db = admin.pg_db().expect("a postgres env").to_owned();
        let cluster = cluster::shared().expect("Backend::run checked");
        let live = admin.generate("live", &[]);
        let limited = admin.generate("limited", &["--max-uses", "2"]);
        let gone = admin.generate("gone", &[]);
        assert_code(
            &admin.cmd(["revoke", "gone"]).output().unwrap(),
            0,
            "revoke as admin",
        );

        let role = format!("deploy_{db}");
        cluster
            .psql(&db, &format!("CREATE ROLE {role} LOGIN"))
            .unwrap();
        cluster
            .psql(&db, &readme_deploy_grants(&role))
            .unwrap_or_else(|e| panic!("README's grants: {e}"));
        let url = cluster
            .socket_url(&db)
            .replace(&format!("user={ROLE}"), &format!("user={role}"));
        let deploy = |args: &[&str], stdin: &str| {
            let mut all = vec!["--db", url.as_str()];
            all.extend_from_slice(args);
            run_stdin(&admin, &all, stdin)
        };

        assert_code(&deploy(&["verify"], &format!("{live}\n")), 0, "verify");
        assert_code(
            &deploy(&["verify"], &format!("{limited}\n")),
            0,
            "verify limited 1",
        );
        assert_code(
            &deploy(&["verify"], &format!("{limited}\n")),
            0,
            "verify limited 2",
        );
        assert_code(
            &deploy(&["verify"], &format!("{limited}\n")),
            14,
            "verify limited, used up",
        );
        assert_code(
            &deploy(&["verify"], &format!("{gone}\n")),
            12,
            "verify revoked",
        );
        assert_code(
            &deploy(&["verify", "--no-record"], &format!("{live}\n")),
            0,
            "verify --no-record",
        );
        assert_code(&deploy(&["list"], ""), 0, "list");

        for args in [
            vec!["revoke", "live"],
            vec!["restore", "gone"],
            vec!["delete", "gone", "--yes"],
            vec!["generate", "--name", "planted"],
        ] {
            let out = deploy(&args, "");
            eprintln!("{}: {}", args.join(" "), text(&out).trim_end());
            assert_ne!(
                out.status.code(),
                Some(0),
                "{} as the deploy role: {}",
                args.join(" "),
                text(&out)
            );
            assert!(!text(&out).contains("panicked"), "{}", text(&out));
        }
        // Nor by hand with the same password.
        for sql in [
            "UPDATE tokens SET revoked_at = NULL",
            "UPDATE tokens SET expires_at = NULL",
            "DELETE FROM events",
            "DELETE FROM tokens",
            "INSERT INTO token_scopes VALUES ('x', '*')",
        ] {
            let done = cluster.psql(&db, &format!("SET ROLE {role}; {sql}"));
            assert!(done.is_err(), "the deploy role may: {sql}");
        }
        assert_eq!(admin.show("live")["usage_count"], 1);
        assert_eq!(admin.show("limited")["usage_count"], 2);
        assert_eq!(admin.show("live")["status"], "active");
        assert_eq!(admin.show("gone")["status"], "revoked");
        assert_eq!(
            admin.sql("SELECT count(*) FROM tokens"),
            vec![vec!["3".to_owned()]]
        );
    });
}

/// `channel_binding=require` and `require_auth` would be dropped by sqlx with a log line
/// nobody sees: tokenctl refuses them, in the URL or the environment, before connecting.
#[test]
fn security_parameters_the_client_cannot_honour_are_refused() {
    Backend::Postgres.run(|| {
        let env = TestEnv::new();
        env.cmd(["init"]).assert().success();
        let base = env.target();
        for (url, var) in [
            (format!("{base}&channel_binding=require"), None),
            (format!("{base}&require_auth=scram-sha-256"), None),
            (base.clone(), Some(("PGCHANNELBINDING", "require"))),
            (base.clone(), Some(("PGREQUIREAUTH", "password"))),
            (format!("{base}&sslcrl=/etc/ssl/crl.pem"), None),
        ] {
            let mut cmd = env.cmd(["--db", &url, "list"]);
            if let Some((k, v)) = var {
                cmd.env(k, v);
            }
            let out = cmd.output().unwrap();
            let said = String::from_utf8_lossy(&out.stderr).into_owned();
            eprintln!("{said}");
            assert_code(&out, 1, &format!("{url} {var:?}"));
            assert_eq!(said.trim_end().lines().count(), 1, "{said}");
            assert!(
                said.contains("not supported") && said.contains("remove it"),
                "{said}"
            );
            assert!(out.stdout.is_empty());
        }
        // What the client does honour still connects.
        let fine = format!("{base}&channel_binding=disable");
        assert_code(
            &env.cmd(["--db", &fine, "list"]).output().unwrap(),
            0,
            "channel_binding=disable",
        );
    });
}

/// libpq's rule: `sslmode=require` with a root certificate checks the chain as verify-ca.
/// And an untrusted certificate is called that, not "cannot reach ... server running".
#[test]
fn tls_require_with_a_root_certificate_checks_it_as_libpq_does() {
    let certs = tempfile::tempdir().expect("tempdir");
    let c = certs.path();
    if let Err(why) = crate::postgres::make_certs(c) {
        return crate::util::skip(&why);
    }
    let conf =
        "ssl = on\nssl_cert_file = '{root}/server.crt'\nssl_key_file = '{root}/server.key'\n";
    let cluster = match Cluster::start_with(conf, |cluster| {
        for f in ["server.crt", "server.key"] {
            let to = cluster.root.join(f);
            std::fs::copy(c.join(f), &to).unwrap();
            std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o600)).unwrap();
            cluster.give(&to);
        }
    }) {
        Ok(cluster) => cluster,
        Err(why) => return crate::util::skip(&why),
    };
    let db = cluster.create_db();
    let base = cluster.tcp_url(&db);
    let root = c.join("ca.crt").display().to_string();
    let wrong = c.join("wrong-ca.crt").display().to_string();
    let with = |query: &str| {
        let mut env = TestEnv::new().with_target(format!("{base}?{query}"));
        env.var("PGPASSWORD", PASSWORD);
        env
    };
    let good = with(&format!("sslmode=require&sslrootcert={root}"));
    let out = good.cmd(["init"]).output().unwrap();
    assert_code(&out, 0, "require with the right root");
    // Checked as verify-ca, which here also trusts the public web CAs: said so.
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("warning:") && said.contains("use sslmode=verify-full"),
        "{said}"
    );
    assert_code(
        &with("sslmode=require").cmd(["list"]).output().unwrap(),
        0,
        "require alone",
    );
    for query in [
        format!("sslmode=require&sslrootcert={wrong}"),
        format!("sslmode=verify-full&sslrootcert={wrong}"),
    ] {
        let out = with(&query).cmd(["list"]).output().unwrap();
        let said = String::from_utf8_lossy(&out.stderr).into_owned();
        eprintln!("{query}: {said}");
        assert_code(&out, 1, &query);
        assert!(out.stdout.is_empty(), "{query}: listed");
        assert!(
            said.contains("not trusted") && said.contains("sslrootcert"),
            "{said}"
        );
        assert!(!said.contains("server is running"), "{said}");
        assert!(!said.contains(PASSWORD));
    }
    // The root from the environment counts as well.
    let mut by_env = with("sslmode=require");
    by_env.var("PGSSLROOTCERT", &wrong);
    assert_code(
        &by_env.cmd(["list"]).output().unwrap(),
        1,
        "require, PGSSLROOTCERT wrong",
    );
}

/// A URL pasted with a stray space is still a URL: its password is never printed, and no
/// `init` that would make a SQLite file named after it is suggested.
#[test]
fn a_url_with_a_leading_space_is_a_url_and_its_password_never_printed() {
    let env = TestEnv::new();
    let secret = "S3cretPw-7hq";
    let url = format!(" postgres://someone:{secret}@127.0.0.1:9/tokens");
    for (args, var) in [
        (vec!["--db", url.as_str(), "list"], None),
        (vec!["list"], Some(url.as_str())),
        (
            vec!["list"],
            Some("postgres:someone:S3cretPw-7hq@127.0.0.1:9/tokens"),
        ),
    ] {
        let mut cmd = env.cmd(&args);
        if let Some(v) = var {
            cmd.env("TOKENCTL_DB", v);
        }
        let out = cmd.output().unwrap();
        let said = text(&out);
        eprintln!("{}", said.trim_end().replace(secret, "<SECRET>"));
        assert_ne!(out.status.code(), Some(0), "{said}");
        assert!(!said.contains(secret), "the password was printed: {said}");
        assert!(!said.contains("init"), "suggests init: {said}");
        assert!(!said.contains("panicked"), "{said}");
    }
    assert!(!env.root().join(" postgres:").exists());
}

#[test]
fn a_pass_file_others_may_read_is_named_with_the_fix() {
    Backend::Postgres.run(|| {
        let env = TestEnv::new();
        env.cmd(["init"]).assert().success();
        let cluster = cluster::shared().expect("Backend::run checked");
        let db = env.pg_db().expect("a postgres env");
        let file = env.root().join("pgpass");
        std::fs::write(
            &file,
            format!("127.0.0.1:{}:{db}:{ROLE}:{PASSWORD}\n", cluster.port),
        )
        .unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
        let mut tcp = TestEnv::new().with_target(cluster.tcp_url(db));
        tcp.var("PGPASSFILE", &file.display().to_string());
        let out = tcp.cmd(["list"]).output().unwrap();
        let said = String::from_utf8_lossy(&out.stderr).into_owned();
        eprintln!("{said}");
        assert_code(&out, 1, "list with a 0640 pass file");
        assert!(
            said.contains("group or world access") && said.contains("chmod 0600"),
            "{said}"
        );
        assert!(!said.contains(PASSWORD));
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let out = tcp.cmd(["list"]).output().unwrap();
        assert_code(&out, 0, "list with a 0600 pass file");
        assert!(!String::from_utf8_lossy(&out.stderr).contains("group or world"));
    });
}

#[test]
fn libpqs_socket_url_with_a_user_and_no_host_connects() {
    Backend::Postgres.run(|| {
        let env = TestEnv::new();
        let token = env.generate("sock", &[]);
        let cluster = cluster::shared().expect("Backend::run checked");
        let db = env.pg_db().expect("a postgres env");
        let url = format!(
            "postgres://{ROLE}@/{db}?host={}&port={}",
            cluster.root.display(),
            cluster.port
        );
        let out = run_stdin(&env, &["--db", &url, "verify"], &format!("{token}\n"));
        assert_code(&out, 0, &url);
    });
}

/// `copy` makes the schema itself: a missing database needs `createdb`, not `init`.
#[test]
fn copy_into_a_missing_database_names_createdb_not_init() {
    let cluster = match cluster::shared() {
        Ok(c) => c,
        Err(why) => return crate::util::skip(&why),
    };
    let env = TestEnv::new();
    env.generate("moving", &[]);
    let url = cluster.socket_url("no_such_db_for_copy");
    let out = env.cmd(["copy", "--to", &url]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    eprintln!("{said}");
    assert_ne!(out.status.code(), Some(0));
    assert!(said.contains("createdb no_such_db_for_copy"), "{said}");
    assert!(!said.contains("init"), "{said}");
}

/// Something that is not PostgreSQL answers: said so, without sqlx's source locations.
#[test]
fn a_server_that_is_not_postgres_is_named_without_sqlx_internals() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        if let Ok((mut conn, _)) = listener.accept() {
            let mut buf = [0u8; 8];
            let _ = conn.read(&mut buf);
            let _ = conn.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
        }
    });
    let env = TestEnv::new().with_target(format!("postgres://someone@127.0.0.1:{port}/tokens"));
    let out = env.cmd(["list"]).output().unwrap();
    let _ = server.join();
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    eprintln!("{said}");
    assert_code(&out, 1, "list against an HTTP server");
    assert!(!said.contains("sqlx"), "{said}");
    assert!(said.contains("not as a PostgreSQL server"), "{said}");
}
