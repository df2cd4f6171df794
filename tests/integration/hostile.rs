//! Generated hostile input for verify, durations, dates, names, prefixes and scopes: never
//! a panic or backtrace, only SPEC.md's exit codes, errors on one line. Each case is a process,
//! so the case counts stay modest; `PROPTEST_CASES` raises them for a longer hunt.

use std::io::Write;
use std::process::{Output, Stdio};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::util::TestEnv;

fn runner(cases: u32) -> TestRunner {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

/// The contract every run must keep, whatever it was given.
fn check(out: &Output, allowed: &[i32], what: &str) -> Result<(), TestCaseError> {
    let stderr = String::from_utf8_lossy(&out.stderr);
    prop_assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{what}: {stderr}"
    );
    let code = out.status.code();
    prop_assert!(
        code.is_some_and(|c| allowed.contains(&c)),
        "{what}: exit {code:?}, stderr {stderr}"
    );
    match code {
        Some(0) => {}
        // clap's own usage errors add a usage block after their first line.
        Some(2) => prop_assert!(stderr.starts_with("error: "), "{what}: {stderr}"),
        _ => {
            let lines = stderr.lines().count();
            prop_assert!(lines <= 1, "{what}: {lines} lines: {stderr}");
        }
    }
    Ok(())
}

fn verify_bytes(env: &TestEnv, input: &[u8], extra: &[&str]) -> Output {
    let args: Vec<&str> = ["verify"]
        .into_iter()
        .chain(extra.iter().copied())
        .collect();
    env.cmd(args).write_stdin(input.to_vec()).output().unwrap()
}

/// Inputs near a real token: its pieces, damaged, wrapped, padded, with NULs and bad UTF-8.
fn near_token(token: String) -> impl Strategy<Value = Vec<u8>> {
    let t = token.into_bytes();
    (
        any::<u8>(),
        0..t.len(),
        prop::sample::select(vec![
            &b""[..],
            b"Bearer ",
            b"Authorization: Bearer ",
            b"  ",
            b"\0",
            b"\xff\xfe",
            b"bearer\t",
        ]),
        prop::sample::select(vec![&b""[..], b"\n", b"\r\n", b"\0", b" junk", b"\xc3"]),
        0..4u8,
    )
        .prop_map(move |(byte, at, before, after, how)| {
            let mut body = t.clone();
            match how {
                0 => body[at] = byte,
                1 => body.truncate(at),
                2 => body.insert(at, byte),
                _ => {}
            }
            [before, &body[..], after].concat()
        })
}

#[test]
fn verify_survives_arbitrary_input() {
    let env = TestEnv::new();
    let token = env.generate("real", &["--scope", "a:b"]);
    // 10: malformed or unknown; 0, 13: the real token intact (with or without the scope).
    let codes = [0, 10, 13];
    runner(48)
        .run(&prop::collection::vec(any::<u8>(), 0..300), |input| {
            check(&verify_bytes(&env, &input, &[]), &codes, "random bytes")
        })
        .unwrap();
    runner(64)
        .run(&near_token(token.clone()), |input| {
            let out = verify_bytes(&env, &input, &["--scope", "a:b"]);
            check(&out, &codes, &format!("{input:?}"))
        })
        .unwrap();
    // The same through --token-env, where NUL cannot occur but anything else can.
    runner(24)
        .run(&"\\PC{0,80}", |value| {
            let out = env
                .cmd(["verify", "--token-env", "PRESENTED"])
                .env("PRESENTED", &value)
                .output()
                .unwrap();
            // An empty variable is a misconfigured job, named as such (exit 2).
            let expected: &[i32] = if value.is_empty() { &[2] } else { &codes };
            check(&out, expected, &format!("env {value:?}"))
        })
        .unwrap();
}

#[test]
fn verify_reads_at_most_4_kib_from_a_writer_that_never_stops() {
    let env = TestEnv::new();
    let token = env.generate("real", &[]);
    for (first, want) in [
        (format!("{token}\n"), 0),
        (String::new(), 10),
        ("\0\u{ff}".repeat(3000), 10),
    ] {
        let mut child = env
            .std_cmd(["verify", "-q"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        // Writes until verify closes its end: the test process ignores SIGPIPE (Rust's
        // default), so that shows up as an EPIPE error here, never as a hang.
        let feeder = std::thread::spawn(move || {
            let junk = vec![b'A'; 64 * 1024];
            let mut sent = stdin.write_all(first.as_bytes()).map(|_| first.len());
            while let Ok(n) = sent {
                sent = stdin.write_all(&junk).map(|_| n + junk.len());
            }
            sent.unwrap_err().kind()
        });
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            feeder.join().unwrap(),
            std::io::ErrorKind::BrokenPipe,
            "the feeder stopped for another reason"
        );
        assert_eq!(out.status.code(), Some(want), "{out:?}");
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    }
}

#[test]
fn generate_survives_hostile_durations_dates_names_prefixes_and_scopes() {
    let env = TestEnv::new();
    env.cmd(["init"]).assert().success();
    let duration = prop_oneof![
        "[0-9]{1,22}[a-zµ]{0,7}",
        "[0-9 ]{0,4}(y|m|d|h|s|ms|ns|days|months|years)( [0-9]{1,3}[a-z]{1,2}){0,2}",
        "\\PC{0,16}",
    ];
    runner(40)
        .run(&duration, |spec| {
            let out = env
                .cmd(["generate", "--name", "d", "--expires", &spec])
                .output()
                .unwrap();
            let _ = env.cmd(["revoke", "d"]).output();
            let _ = env.cmd(["delete", "d", "--yes"]).output();
            check(&out, &[0, 2], &format!("--expires {spec:?}"))
        })
        .unwrap();
    let date = prop_oneof![
        "[+-]?[0-9]{1,6}-[0-9]{1,2}-[0-9]{1,2}(T[0-9]{1,2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2}))?",
        "\\PC{0,24}",
    ];
    runner(40)
        .run(&date, |spec| {
            let out = env
                .cmd(["generate", "--name", "e", "--expires-at", &spec])
                .output()
                .unwrap();
            let _ = env.cmd(["revoke", "e"]).output();
            let _ = env.cmd(["delete", "e", "--yes"]).output();
            check(&out, &[0, 2], &format!("--expires-at {spec:?}"))
        })
        .unwrap();
    // Names: any text an argument can hold (no NUL); 1 only for a name already taken.
    runner(32)
        .run(&"(\\PC|[\\x01-\\x1f\\u{202e}\\u{200b}]){0,40}", |name| {
            let out = env.cmd(["generate", "--name", &name]).output().unwrap();
            check(&out, &[0, 1, 2], &format!("--name {name:?}"))
        })
        .unwrap();
    runner(32)
        .run(&"[a-zA-Z0-9_\\-]{0,20}|\\PC{0,8}", |prefix| {
            let out = env
                .cmd([
                    "generate",
                    "--name",
                    &format!("p{prefix}"),
                    "--prefix",
                    &prefix,
                ])
                .output()
                .unwrap();
            check(&out, &[0, 1, 2], &format!("--prefix {prefix:?}"))
        })
        .unwrap();
    runner(32)
        .run(&"[a-z:*]{0,12}|\\PC{0,12}", |scope| {
            let out = env
                .cmd([
                    "generate",
                    "--name",
                    &format!("s{scope}"),
                    "--scope",
                    &scope,
                ])
                .output()
                .unwrap();
            check(&out, &[0, 1, 2], &format!("--scope {scope:?}"))?;
            let out = env
                .cmd(["verify", "--scope", &scope])
                .write_stdin("x\n")
                .output()
                .unwrap();
            check(&out, &[2, 10], &format!("verify --scope {scope:?}"))
        })
        .unwrap();
}

#[test]
fn views_survive_hostile_filters_and_references() {
    let env = TestEnv::new();
    env.generate("t", &[]);
    runner(32)
        .run(&"\\PC{0,20}|[0-9]{1,25}[a-z]{0,3}", |spec| {
            for args in [
                vec!["list", "--expiring-within", spec.as_str()],
                vec!["list", "--unused-since", spec.as_str()],
                vec!["log", "--since", spec.as_str()],
                vec!["show", spec.as_str()],
                vec!["revoke", spec.as_str()],
            ] {
                let out = env.cmd(&args).output().unwrap();
                check(&out, &[0, 1, 2], &format!("{args:?}"))?;
            }
            Ok(())
        })
        .unwrap();
}

/// Started with standard descriptors closed (a supervisor's `2>&-`), tokenctl keeps its
/// answers: verify's verdict and the use it records, a listing's exit 0, and generate's
/// refusal to make a token whose secret cannot be printed. (The binary opens missing ones
/// on /dev/null first, as Rust's runtime does, so no file it opens takes their numbers.)
#[test]
fn closed_standard_descriptors_are_opened_on_dev_null() {
    use std::os::unix::process::CommandExt as _;
    let env = TestEnv::new();
    let token = env.generate("real", &[]);
    let closed = |mut cmd: std::process::Command, fds: &'static [i32]| {
        // SAFETY: close(2) only, between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                for &fd in fds {
                    nix::libc::close(fd);
                }
                Ok(())
            });
        }
        cmd.status().unwrap().code()
    };
    let mut verify = env.std_cmd(["verify", "--token-env", "TOKEN"]);
    verify.env("TOKEN", &token);
    assert_eq!(closed(verify, &[0, 1, 2]), Some(0));
    let mut unknown = env.std_cmd(["verify", "--token-env", "TOKEN"]);
    unknown.env("TOKEN", format!("{}x", &token[..token.len() - 1]));
    assert_ne!(closed(unknown, &[1, 2]), Some(0));
    assert_eq!(closed(env.std_cmd(["list", "--json"]), &[0, 1]), Some(0));
    // Nothing to print to: refused, and the token is revoked, never left active unseen.
    let blind = closed(env.std_cmd(["generate", "--name", "blind"]), &[1]);
    assert_eq!(blind, Some(1));
    // Nothing was written where it did not belong: the database is whole and as it was.
    let out = env.cmd(["show", "real", "--json"]).assert().success();
    let shown = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(shown.contains("\"usage_count\": 1"), "{shown}");
}
