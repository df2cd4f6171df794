//! A database that is not ours, or that we may not write: corrupt, foreign, newer, empty,
//! read-only, on a full disk. One-line error naming the path, exit 1, the file untouched.

use std::collections::BTreeMap;
use std::os::unix::fs::{PermissionsExt, chown};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Output};

use crate::util::TestEnv;

/// The unprivileged user commands run as when the tests run as root, for whom file modes
/// mean nothing (`nobody` on Debian-like systems; only the number is needed).
pub const NOBODY: u32 = 65534;

pub fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

/// A well-formed token (correct checksum) that no database knows.
pub fn stranger() -> String {
    let prefix = tokenctl::token::Prefix::parse("tkn").unwrap();
    let id = tokenctl::token::TokenId::parse("abcdefghij").unwrap();
    tokenctl::token::assemble(&prefix, &id, &"Q".repeat(32))
        .expose()
        .to_owned()
}

/// Every file of a folder with its length and hash, to prove nothing was written or left
/// behind. The `-shm` file's content is left out: it is SQLite's shared-memory index, which
/// every reader of a WAL database writes its read marks into; it holds no data.
pub fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let bytes = std::fs::read(e.path()).unwrap();
            let seen = if name.ends_with("-shm") {
                "index".to_owned()
            } else {
                format!("{} bytes, blake3 {}", bytes.len(), blake3::hash(&bytes))
            };
            (name, seen)
        })
        .collect()
}

/// Folds the WAL into the database and removes `-wal` and `-shm`, as the last connection
/// closing normally does (tokenctl itself keeps them, to save fsyncs).
pub fn fold_wal(db: &Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    drop(conn);
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    assert!(!Path::new(&wal).exists(), "the -wal file survived");
}

/// Asserts a failure of the kind SPEC.md asks for: exit 1, one `error:` line naming the path.
#[track_caller]
pub fn assert_refused(out: &Output, path: &Path, what: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{what}: stderr {stderr:?}");
    assert!(out.stdout.is_empty(), "{what}: stdout {:?}", out.stdout);
    assert_eq!(
        stderr.lines().count(),
        1,
        "{what}: not one line: {stderr:?}"
    );
    assert!(stderr.starts_with("error: "), "{what}: {stderr:?}");
    let name = path.file_name().unwrap().to_string_lossy();
    assert!(
        stderr.contains(&*name),
        "{what}: path not named: {stderr:?}"
    );
    assert!(!stderr.contains("panicked"), "{what}: {stderr:?}");
}

/// Every command that needs an existing database, run against it; `init` and `generate`
/// too when `writers`.
fn every_command(env: &TestEnv, writers: bool) -> Vec<(String, Output)> {
    let token = stranger();
    let mut runs: Vec<(Vec<&str>, Option<String>)> = vec![
        (vec!["list"], None),
        (vec!["list", "--json"], None),
        (vec!["show", "abcdefghij"], None),
        (vec!["log"], None),
        (vec!["revoke", "abcdefghij"], None),
        (vec!["restore", "abcdefghij"], None),
        (vec!["delete", "abcdefghij", "--yes"], None),
        (vec!["verify"], Some(token.clone())),
        (vec!["verify", "--no-record"], Some(token)),
    ];
    if writers {
        runs.push((vec!["init"], None));
        runs.push((vec!["generate", "--name", "n"], None));
    }
    runs.into_iter()
        .map(|(args, stdin)| {
            let mut cmd = env.cmd(&args);
            cmd.write_stdin(stdin.map(|t| format!("{t}\n")).unwrap_or_default());
            (args.join(" "), cmd.output().unwrap())
        })
        .collect()
}

/// Runs every command against the file at `env.db()` and checks each is refused and that
/// the folder is byte-for-byte what it was, with no `-wal`, `-shm` or `-journal` left.
fn refused_untouched(env: &TestEnv, writers: bool, kind: &str) {
    let before = snapshot(env.root());
    for (what, out) in every_command(env, writers) {
        assert_refused(&out, env.db(), &format!("{kind}: {what}"));
        assert_eq!(
            snapshot(env.root()),
            before,
            "{kind}: {what} changed the folder"
        );
    }
}

#[test]
fn corrupt_file_is_refused_untouched() {
    let env = TestEnv::new();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let bytes: Vec<u8> = (0..16384)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    std::fs::write(env.db(), &bytes).unwrap();
    refused_untouched(&env, true, "random bytes");
}

#[test]
fn corrupt_tokenctl_database_is_refused() {
    let env = TestEnv::new();
    env.generate("a", &[]);
    fold_wal(env.db());
    // Keep the SQLite header (so it opens) and trash the pages after it.
    let mut bytes = std::fs::read(env.db()).unwrap();
    for b in bytes.iter_mut().skip(4096) {
        *b = 0xA5;
    }
    std::fs::write(env.db(), &bytes).unwrap();
    let before = snapshot(env.root());
    for args in [&["list"][..], &["show", "a"], &["revoke", "a"]] {
        let out = env.run(args);
        assert_refused(&out, env.db(), "trashed pages");
        // Corruption past the header shows only through SQLite, which sets up its WAL
        // files first: the database itself must stay as it was.
        assert_eq!(snapshot(env.root())["tokens.db"], before["tokens.db"]);
    }
}

#[test]
fn another_applications_database_is_refused_untouched() {
    for app_id in [0, 0x1234_5678] {
        let env = TestEnv::new();
        let conn = rusqlite::Connection::open(env.db()).unwrap();
        conn.execute_batch(&format!(
            "PRAGMA application_id = {app_id};
             CREATE TABLE tokens (id TEXT PRIMARY KEY, name TEXT);
             INSERT INTO tokens VALUES ('abcdefghij', 'theirs');"
        ))
        .unwrap();
        drop(conn);
        refused_untouched(&env, true, &format!("application_id {app_id:#x}"));
        let err = env.run(["list"]).stderr;
        assert!(
            String::from_utf8_lossy(&err).contains("another application"),
            "{}",
            String::from_utf8_lossy(&err)
        );
    }
}

/// Another application's database with a hot `-journal` (its writer died mid-transaction):
/// SQLite would roll the journal back into the file on first read; we must not let it.
#[test]
fn another_applications_hot_journal_is_not_rolled_back() {
    let scratch = TestEnv::new();
    let original = scratch.root().join("theirs.db");
    let conn = rusqlite::Connection::open(&original).unwrap();
    conn.execute_batch(
        "PRAGMA cache_size = 1; CREATE TABLE t (a); INSERT INTO t VALUES (1);
         BEGIN; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
         INSERT INTO t SELECT printf('%.200c', 'x') FROM n;",
    )
    .unwrap();
    // Copies taken mid-transaction are a database and the hot journal of a dead writer.
    let env = TestEnv::new();
    std::fs::copy(&original, env.db()).unwrap();
    let mut journal = original.into_os_string();
    journal.push("-journal");
    let mut copy = env.db().as_os_str().to_owned();
    copy.push("-journal");
    std::fs::copy(&journal, &copy).unwrap();
    drop(conn);
    refused_untouched(&env, true, "hot journal");
}

#[test]
fn newer_schema_is_refused_untouched() {
    let env = TestEnv::new();
    env.generate("a", &[]);
    let conn = env.conn();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    fold_wal(env.db());
    refused_untouched(&env, true, "user_version 99");
    let err = String::from_utf8(env.run(["list"]).stderr).unwrap();
    assert!(err.contains("newer tokenctl"), "{err}");
}

#[test]
fn empty_file_is_refused_except_by_init_and_generate() {
    let env = TestEnv::new();
    std::fs::write(env.db(), b"").unwrap();
    refused_untouched(&env, false, "empty file");
    let err = String::from_utf8(env.run(["list"]).stderr).unwrap();
    assert!(err.contains("empty file"), "{err}");
    // init and generate take an empty file as a database to create.
    let token = env.generate("first", &[]);
    env.verify(&token, &[]).code(0);
}

#[test]
fn a_folder_or_fifo_at_db_is_refused_without_hanging() {
    let env = TestEnv::new();
    let fifo = env.root().join("fifo.db");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    for path in [env.root().join("home"), fifo] {
        let env = TestEnv::new().with_db(&path);
        for args in [&["list"][..], &["init"], &["generate", "--name", "x"]] {
            let out = env.run(args);
            assert_refused(&out, &path, &format!("{} {args:?}", path.display()));
        }
    }
}

/// A command run as an unprivileged user, so file modes apply even when the suite runs as
/// root; the folders it must reach are opened up for it.
fn unprivileged(env: &TestEnv, args: &[&str], stdin: &str) -> Output {
    let mut cmd: Command = env.std_cmd(args);
    if is_root() {
        std::fs::set_permissions(env.root(), std::fs::Permissions::from_mode(0o755)).unwrap();
        cmd.uid(NOBODY).gid(NOBODY);
    }
    cmd.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    {
        use std::io::Write;
        let mut input = child.stdin.take().unwrap();
        // A command that fails before reading its input closes the pipe: not our concern.
        let _ = input.write_all(stdin.as_bytes());
    }
    child.wait_with_output().unwrap()
}

/// `unprivileged` with no input, for other files' tests.
pub fn unprivileged_run(env: &TestEnv, args: &[&str]) -> Output {
    unprivileged(env, args, "")
}

/// A database in its own folder, owned by the unprivileged user, with one token.
fn owned_db() -> (TestEnv, String) {
    let env = TestEnv::new();
    let folder = env.root().join("d");
    std::fs::create_dir(&folder).unwrap();
    let env = env.with_db(folder.join("tokens.db"));
    let token = env.generate("t", &[]);
    fold_wal(env.db());
    if is_root() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            chown(entry.unwrap().path(), Some(NOBODY), Some(NOBODY)).unwrap();
        }
        chown(&folder, Some(NOBODY), Some(NOBODY)).unwrap();
    }
    (env, token)
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn usage_count(env: &TestEnv) -> i64 {
    let rows = env.sqlite("SELECT usage_count FROM tokens");
    match rows[0][0] {
        rusqlite::types::Value::Integer(n) => n,
        ref v => panic!("{v:?}"),
    }
}

#[test]
fn read_only_file_fails_closed_unless_no_record() {
    let (env, token) = owned_db();
    let folder = env.db().parent().unwrap().to_owned();
    chmod(env.db(), 0o444);
    let before = snapshot(&folder);
    let line = format!("{token}\n");

    let out = unprivileged(&env, &["verify"], &line);
    assert_refused(&out, env.db(), "verify, read-only file");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("read-only") && err.contains("--no-record"),
        "{err}"
    );
    assert_eq!(
        snapshot(&folder),
        before,
        "a refused verify changed the folder"
    );
    for args in [
        &["generate", "--name", "x"][..],
        &["revoke", "t"],
        &["init"],
    ] {
        let out = unprivileged(&env, args, "");
        assert_refused(&out, env.db(), &args.join(" "));
    }

    let out = unprivileged(&env, &["verify", "--no-record"], &line);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let out = unprivileged(&env, &["list"], "");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let after = snapshot(&folder);
    assert_eq!(after["tokens.db"], before["tokens.db"], "the file changed");
    // Readers of a WAL database create -wal and -shm (with the database's own mode).
    chmod(env.db(), 0o644);
    assert_eq!(usage_count(&env), 0, "--no-record recorded a use");
}

/// A read-only copy: no `-wal`/`-shm`, a folder nobody may write. Reading works (SQLite
/// opens it immutable: nothing can change it); recording a use cannot, and says why.
#[test]
fn read_only_folder_without_wal_files_reads_but_does_not_record() {
    let (env, token) = owned_db();
    let folder = env.db().parent().unwrap().to_owned();
    let before = snapshot(&folder);
    assert_eq!(
        before.len(),
        1,
        "expected no -wal/-shm: {:?}",
        before.keys()
    );
    chmod(&folder, 0o555);
    let line = format!("{token}\n");
    let out = unprivileged(&env, &["verify"], &line);
    assert_refused(&out, env.db(), "verify");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("folder") && err.contains("tokens.db-shm"),
        "{err}"
    );
    for args in [&["verify", "--no-record"][..], &["list"]] {
        let out = unprivileged(&env, args, &line);
        assert_eq!(out.status.code(), Some(0), "{}: {out:?}", args.join(" "));
    }
    let out = unprivileged(
        &env,
        &["verify", "--no-record", "-q"],
        &format!("{}\n", stranger()),
    );
    assert_eq!(out.status.code(), Some(10), "{out:?}");
    assert_eq!(snapshot(&folder), before);
    // A copy of the files taken when the log was folded: an empty -wal, no -shm.
    chmod(&folder, 0o755);
    std::fs::write(folder.join("tokens.db-wal"), b"").unwrap();
    chmod(&folder, 0o555);
    let out = unprivileged(&env, &["verify", "--no-record"], &line);
    assert_eq!(out.status.code(), Some(0), "with an empty -wal: {out:?}");
    assert!(!folder.join("tokens.db-shm").exists());
    chmod(&folder, 0o755);
}

/// Once `-wal` and `-shm` exist and are writable, SQLite needs to create nothing, so a
/// read-only folder does not stop a verify from recording its use.
#[test]
fn read_only_folder_with_writable_wal_files_still_records() {
    let (env, token) = owned_db();
    let folder = env.db().parent().unwrap().to_owned();
    let out = unprivileged(&env, &["list"], "");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(folder.join("tokens.db-shm").exists());
    chmod(&folder, 0o555);
    let line = format!("{token}\n");
    let out = unprivileged(&env, &["verify"], &line);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let out = unprivileged(&env, &["verify", "--no-record"], &line);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    chmod(&folder, 0o755);
    assert_eq!(usage_count(&env), 1);
}

/// `-wal` and `-shm` that exist but belong to someone else (0644): SQLite reads through
/// them, so `--no-record` works; a recording verify fails closed and says what to do.
#[test]
fn side_files_of_another_user_allow_only_no_record() {
    if !is_root() {
        crate::util::skip("needs root to give the files to another user");
        return;
    }
    let (env, token) = owned_db();
    let folder = env.db().parent().unwrap().to_owned();
    // The owner reads once (creating -wal/-shm), then hands everything to root, whom
    // every user trusts.
    let out = unprivileged(&env, &["list"], "");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    for entry in std::fs::read_dir(&folder).unwrap() {
        let path = entry.unwrap().path();
        chown(&path, Some(0), Some(0)).unwrap();
        chmod(&path, 0o644);
    }
    chown(&folder, Some(0), Some(0)).unwrap();
    chmod(&folder, 0o755);
    let before = snapshot(&folder);
    let line = format!("{token}\n");
    let out = unprivileged(&env, &["verify"], &line);
    assert_refused(&out, env.db(), "verify");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("read-only") && err.contains("--no-record"),
        "{err}"
    );
    let out = unprivileged(&env, &["verify", "--no-record"], &line);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let out = unprivileged(&env, &["list"], "");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let after = snapshot(&folder);
    assert_eq!(after["tokens.db"], before["tokens.db"]);
    assert_eq!(after["tokens.db-wal"], before["tokens.db-wal"]);
    assert_eq!(usage_count(&env), 0);
}

#[test]
fn unreadable_file_is_refused_by_name() {
    let (env, token) = owned_db();
    chmod(env.db(), 0o000);
    for (args, stdin) in [
        (&["list"][..], String::new()),
        (&["verify"], format!("{token}\n")),
        (&["verify", "--no-record"], format!("{token}\n")),
        (&["generate", "--name", "x"], String::new()),
    ] {
        let out = unprivileged(&env, args, &stdin);
        assert_refused(&out, env.db(), &args.join(" "));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("permission"), "{err}");
    }
    chmod(env.db(), 0o644);
}

/// A tiny tmpfs, unmounted on drop. Needs root (CAP_SYS_ADMIN); `None` elsewhere.
struct Tmpfs(std::path::PathBuf);

impl Tmpfs {
    fn mount(at: &Path, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(at).unwrap();
        let ok = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(at)
            .output()
            .is_ok_and(|o| o.status.success());
        ok.then(|| Tmpfs(at.to_owned()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// Fills the file system holding `dir` up to the last byte.
fn fill(dir: &Path) {
    use std::io::Write;
    let mut f = std::fs::File::create(dir.join("filler")).unwrap();
    let block = [0u8; 4096];
    while f.write_all(&block).is_ok() {}
    let _ = f.sync_all();
}

#[test]
fn full_disk_fails_clearly_and_prints_no_secret() {
    let holder = TestEnv::new();
    let at = holder.root().join("small");
    let Some(disk) = Tmpfs::mount(&at, "256k") else {
        crate::util::skip("cannot mount a tmpfs here (needs root): full disk not simulated");
        return;
    };
    let env = TestEnv::new().with_db(disk.0.join("tokens.db"));
    let token = env.generate("before", &[]);
    fill(&disk.0);
    let db_before = std::fs::read(env.db()).unwrap();
    for (args, stdin) in [
        (&["generate", "--name", "after"][..], String::new()),
        (&["revoke", "before"], String::new()),
        (&["verify"], format!("{token}\n")),
    ] {
        let out = env.cmd(args).write_stdin(stdin).output().unwrap();
        assert_refused(&out, env.db(), &args.join(" "));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("disk full") || err.contains("space"), "{err}");
        assert_eq!(std::fs::read(env.db()).unwrap(), db_before);
    }
    // Space again: everything works, nothing was lost or half-done.
    std::fs::remove_file(disk.0.join("filler")).unwrap();
    env.verify(&token, &[]).code(0);
    let list = env.json(["list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["status"], "active");
    let check = env.sqlite("PRAGMA integrity_check");
    assert_eq!(format!("{check:?}"), r#"[[Text("ok")]]"#);
}

/// A replica on a read-only mount: nobody can create a `-wal` or `-shm` there, so the
/// file is read as it is; a recording verify still fails closed.
#[test]
fn a_replica_on_a_read_only_mount_answers_no_record() {
    let source = TestEnv::new();
    let token = source.generate("t", &[]);
    fold_wal(source.db());
    let holder = TestEnv::new();
    let at = holder.root().join("replica");
    let Some(disk) = Tmpfs::mount(&at, "1m") else {
        crate::util::skip("cannot mount a tmpfs here (needs root): read-only mount not simulated");
        return;
    };
    let db = disk.0.join("tokens.db");
    std::fs::copy(source.db(), &db).unwrap();
    let remount = Command::new("mount")
        .args(["-o", "remount,ro"])
        .arg(&disk.0)
        .status()
        .unwrap();
    assert!(remount.success());
    let env = TestEnv::new().with_db(&db);
    env.verify(&token, &["--no-record"]).code(0);
    env.verify(&stranger(), &["--no-record", "-q"]).code(10);
    env.cmd(["list"]).assert().success();
    let out = env
        .cmd(["verify"])
        .write_stdin(format!("{token}\n"))
        .output()
        .unwrap();
    assert_refused(&out, &db, "recording verify on a read-only mount");
    let left: Vec<_> = std::fs::read_dir(&disk.0).unwrap().collect();
    assert_eq!(left.len(), 1, "{left:?}");
}
