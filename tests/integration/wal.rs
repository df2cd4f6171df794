//! The write-ahead log stays bounded: tokenctl turns off SQLite's checkpoint-on-close and
//! auto-checkpoint, so the writer that finds the `-wal` file big must fold it back itself.
//!
//! Two honest ways to see many checkpoint cycles in CI time: a few hundred real processes
//! with the limit lowered through `TOKENCTL_WAL_LIMIT` (honoured by debug builds only), and
//! twenty thousand verifies through the library's own verify transaction at the real limit.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use tokenctl::store::{Access, Record, Store, Target, seed};

use crate::util::TestEnv;

/// The release limit (`WAL_CHECKPOINT_BYTES` in src/store/sqlite/mod.rs).
const RELEASE_LIMIT: u64 = 256 << 10;

fn wal(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push("-wal");
    PathBuf::from(p)
}

fn shm(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push("-shm");
    PathBuf::from(p)
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

#[test]
fn wal_is_checkpointed_by_the_process_that_finds_it_big() {
    // A release binary ignores TOKENCTL_WAL_LIMIT: it is tested at its shipped limit, with
    // enough (fast) verifies to cross it as often.
    const LIMIT: u64 = if cfg!(debug_assertions) {
        64 << 10
    } else {
        RELEASE_LIMIT
    };
    const VERIFIES: u64 = if cfg!(debug_assertions) { 200 } else { 600 };
    let mut env = TestEnv::new();
    env.var("TOKENCTL_WAL_LIMIT", &LIMIT.to_string());
    let token = env.generate("deploy", &["--no-expiry"]);
    let (mut peak, mut resets) = (0, 0);
    let mut last = size(&wal(env.db()));
    for _ in 0..VERIFIES {
        env.verify(&token, &[]).success();
        let now = size(&wal(env.db()));
        // Sequential verifies never contend, so every checkpoint completes: after each
        // process the WAL is below the limit (it is checked after every commit).
        assert!(
            now < LIMIT,
            "WAL at {now} bytes after a verify, limit {LIMIT}"
        );
        if now < last {
            resets += 1;
        }
        peak = peak.max(now);
        last = now;
    }
    // ~12 KiB per verify: a 64 KiB limit is crossed every few verifies, 256 KiB every ~21.
    assert!(
        resets >= 10,
        "only {resets} checkpoints in {VERIFIES} verifies"
    );
    assert!(
        peak > LIMIT / 2,
        "the WAL never grew (peak {peak}): is WAL mode on?"
    );
    let shown = env.show("deploy");
    assert_eq!(shown["usage_count"], VERIFIES);
    let check = env.sqlite("PRAGMA integrity_check");
    assert_eq!(format!("{check:?}"), r#"[[Text("ok")]]"#);
}

#[test]
fn wal_stays_bounded_over_many_in_process_verifies() {
    const VERIFIES: u64 = 20_000;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("tokens.db");
    let now = chrono::Utc::now();
    seed::seed(&db, 10, now).expect("seed");
    let tokens: Vec<_> = (0..10)
        .map(|i| tokenctl::token::parse(seed::token(i).expose()).expect("seeded token"))
        .collect();
    let mut store = Store::open(&Target::Sqlite(db.clone()), Access::ReadWrite).expect("open");
    let mut peak = 0;
    for i in 0..VERIFIES {
        let presented = &tokens[(i % 10) as usize];
        let (valid, _) = store
            .check(
                &presented.id,
                || now,
                Some("test"),
                |found, _| {
                    let valid = found
                        .and_then(|t| t.hash)
                        .is_some_and(|h| h.matches(&presented.hash));
                    (valid, if valid { Record::Use } else { Record::Failure })
                },
            )
            .expect("verify transaction");
        assert!(valid, "seeded token {i} did not verify");
        peak = peak.max(size(&wal(&db)));
    }
    // Without the checkpoint this WAL would pass 200 MB; with it, one limit's worth.
    assert!(
        peak < RELEASE_LIMIT + (64 << 10),
        "WAL peaked at {peak} bytes"
    );
    let uses = store
        .get(seed::id(3).as_str())
        .expect("get")
        .expect("token 3");
    assert_eq!(uses.usage_count, VERIFIES / 10);
}

#[test]
fn kept_wal_and_shm_files_have_the_database_mode() {
    let env = TestEnv::new();
    let token = env.generate("deploy", &["--no-expiry"]);
    env.verify(&token, &[]).success();
    // They now outlive the process, so their mode matters between runs.
    for path in [env.db().to_owned(), wal(env.db()), shm(env.db())] {
        let mode = std::fs::metadata(&path)
            .unwrap_or_else(|e| panic!("{} is missing: {e}", path.display()))
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{} has mode {mode:o}", path.display());
    }
}

#[test]
fn after_a_lifecycle_change_the_database_file_alone_holds_every_token() {
    let env = TestEnv::new();
    let token = env.generate("deploy", &["--no-expiry"]);
    env.verify(&token, &[]).success();
    env.cmd(["generate", "--name", "ci", "--no-expiry"])
        .assert()
        .success();
    // A naive backup: the main file without its -wal.
    let copy = env.root().join("copy.db");
    std::fs::copy(env.db(), &copy).expect("copy the database file");
    let list = env.json(["--db", copy.to_str().expect("utf-8 path"), "list", "--json"]);
    let names: Vec<&str> = list
        .as_array()
        .expect("list --json is an array")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(names.len(), 2, "the copy holds {names:?}");
}

/// serve's checkpoints are passive while it runs (every request is a reader in the WAL);
/// when it stops, it empties the WAL, so the database file alone holds every use.
#[test]
fn after_serve_stops_the_database_file_alone_holds_every_use() {
    serve_three_uses_then_copy_the_file_alone(&[]);
}

/// The same when nothing was left for the usage flush: a use-limited token's uses are
/// written at once, by the request.
#[test]
fn after_serve_stops_the_file_alone_holds_uses_written_at_once() {
    serve_three_uses_then_copy_the_file_alone(&["--max-uses", "5"]);
}

fn serve_three_uses_then_copy_the_file_alone(generate: &[&str]) {
    let env = TestEnv::new();
    let token = env.generate("web", generate);
    let server = crate::serve::Server::start(&env, &[]);
    for _ in 0..3 {
        let r = server.get("/auth", &[("Authorization", &format!("Bearer {token}"))]);
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let (code, stderr) = server.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(size(&wal(env.db())), 0, "{stderr}");
    let copy = env.root().join("copy.db");
    std::fs::copy(env.db(), &copy).expect("copy the database file");
    let shown = env.json([
        "--db",
        copy.to_str().expect("utf-8 path"),
        "show",
        "web",
        "--json",
    ]);
    assert_eq!(shown["usage_count"], 3, "{shown}");
}
