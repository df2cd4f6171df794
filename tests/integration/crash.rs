//! SIGKILL at random instants: generate and verify processes killed mid-flight leave a
//! database that passes `PRAGMA integrity_check` and holds every secret that was printed.

use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Stdio};
use std::time::Duration;

use rand::Rng;
use rusqlite::types::Value;

use crate::util::TestEnv;

const ROUNDS: usize = 120;

pub fn spawn(env: &TestEnv, args: &[&str], stdin: &str) -> Child {
    let mut child = env
        .std_cmd(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn tokenctl");
    {
        use std::io::Write;
        let mut input = child.stdin.take().unwrap();
        // A process killed before it reads its input closes the pipe: that is fine.
        let _ = input.write_all(stdin.as_bytes());
    }
    child
}

/// A printed secret is a whole line in the token's shape; a kill can cut nothing else.
pub fn printed_secret(stdout: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(stdout).expect("stdout is UTF-8");
    let line = text.strip_suffix('\n')?;
    assert!(
        !line.contains('\n'),
        "more than the secret on stdout: {text:?}"
    );
    assert!(
        line.starts_with("tkn_") && line.len() == 4 + 10 + 1 + 38,
        "not a whole secret: {line:?}"
    );
    Some(line.to_owned())
}

#[test]
fn killed_processes_leave_a_sound_database_with_every_printed_secret() {
    let env = TestEnv::new();
    let known = env.generate("known", &[]);
    // Every other round, each write also folds the WAL back into the database (debug builds
    // take the threshold from TOKENCTL_WAL_LIMIT), so kills land inside checkpoints too.
    let mut checkpointing = TestEnv::new().with_db(env.db().to_owned());
    checkpointing.var("TOKENCTL_WAL_LIMIT", "1");
    let mut rng = rand::rng();
    let (mut printed, mut killed, mut finished, mut verifies_ok) = (Vec::new(), 0, 0, 0);
    for round in 0..ROUNDS {
        let name = format!("crash{round}");
        let line = format!("{known}\n");
        let run = if round % 2 == 0 { &env } else { &checkpointing };
        let mut children = vec![
            (true, spawn(run, &["generate", "--name", &name], "")),
            (false, spawn(run, &["verify"], &line)),
            (false, spawn(run, &["verify"], &line)),
        ];
        // Choosing the instant of the kill, not waiting for anything.
        std::thread::sleep(Duration::from_micros(rng.random_range(0..12_000)));
        for (_, child) in &mut children {
            let _ = child.kill();
        }
        for (is_generate, child) in children {
            let out = child.wait_with_output().unwrap();
            if out.status.signal() == Some(9) {
                killed += 1;
            } else {
                finished += 1;
                let code = out.status.code();
                if is_generate {
                    assert_eq!(code, Some(0), "generate ended on its own but failed");
                } else {
                    assert_eq!(code, Some(0), "verify ended on its own but failed");
                    verifies_ok += 1;
                }
            }
            if is_generate {
                printed.extend(printed_secret(&out.stdout));
            }
        }
    }
    eprintln!(
        "crash: {ROUNDS} rounds, {} processes, {killed} killed, {finished} finished, {} secrets printed",
        ROUNDS * 3,
        printed.len()
    );
    assert!(
        killed > ROUNDS / 2,
        "too few kills ({killed}) to mean anything"
    );

    let check = env.sqlite("PRAGMA integrity_check");
    assert_eq!(check, vec![vec![Value::Text("ok".into())]]);
    let uses = match env.sqlite("SELECT usage_count FROM tokens WHERE name = 'known'")[0][0] {
        Value::Integer(n) => n,
        ref v => panic!("{v:?}"),
    };
    assert!(
        uses >= verifies_ok,
        "a verify that exited 0 was not counted"
    );
    assert!(uses <= 2 * ROUNDS as i64, "more uses than verifies started");
    for secret in &printed {
        env.verify(secret, &[]).code(0);
    }
    env.verify(&known, &[]).code(0);
}
