//! `init --shared`: a setgid, sticky folder (3770) and a 0660 file of the team's group, so two
//! real users of the group can both write, and SQLite's `-wal`/`-shm` stay group-usable.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;

use nix::unistd::{Gid, Group, Uid, User};

use crate::foreign::{assert_refused, is_root};
use crate::util::TestEnv;

/// A throwaway group and two members, removed on drop. Only as root, with the shadow tools.
struct Team {
    group: String,
    gid: Gid,
    users: Vec<(Uid, Gid)>,
    names: Vec<String>,
}

/// The shadow tools lock /etc/group and /etc/passwd and fail when another test holds
/// the lock: one at a time.
pub static SHADOW: Mutex<()> = Mutex::new(());

/// Runs a shadow tool; `Err` only when it is not installed. As root, a tool that runs
/// and fails is a broken machine, not a reason to skip.
pub fn tool(program: &str, args: &[&str]) -> Result<(), String> {
    let status = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("{program} is unavailable ({e})"))?;
    assert!(status.success(), "{program} {args:?} failed: {status}");
    Ok(())
}

impl Team {
    /// The team, or `None` after saying why this machine cannot make one (not root, no
    /// useradd): the test then has nothing to check, and says so rather than pass silently.
    fn or_skip(tag: &str) -> Option<Team> {
        Team::create(tag)
            .map_err(|why| crate::util::skip(&why))
            .ok()
    }

    fn create(tag: &str) -> Result<Team, String> {
        if !is_root() {
            return Err("not running as root: cannot create a group and users".into());
        }
        let _one = SHADOW.lock().unwrap_or_else(|e| e.into_inner());
        let unique = format!("{}{}", std::process::id() % 100_000, tag);
        let group = format!("tkg{unique}");
        tool("groupadd", &[&group])?;
        let mut team = Team {
            gid: Group::from_name(&group)
                .unwrap()
                .expect("group just added")
                .gid,
            group,
            users: Vec::new(),
            names: Vec::new(),
        };
        for who in ["a", "b"] {
            let name = format!("tku{unique}{who}");
            // -N: the user's own primary group is not the team's, as for a real member.
            tool("useradd", &["-M", "-N", "-G", &team.group, &name])?;
            let user = User::from_name(&name).unwrap().expect("user just added");
            team.users.push((user.uid, user.gid));
            team.names.push(name);
        }
        Ok(team)
    }

    /// The binary run as member `i`, with the team as a supplementary group only, and the
    /// strictest umask (077), which SQLite must not let narrow its `-wal`/`-shm` files.
    fn run(&self, i: usize, env: &TestEnv, args: &[&str], stdin: &str) -> Output {
        let (uid, gid) = self.users[i];
        let team = self.gid;
        let mut cmd = env.std_cmd(args);
        // Only async-signal-safe system calls between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(0o077));
                nix::unistd::setgroups(&[gid, team])?;
                nix::unistd::setgid(gid)?;
                nix::unistd::setuid(uid)?;
                Ok(())
            });
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        {
            use std::io::Write;
            let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
        }
        child.wait_with_output().unwrap()
    }
}

impl Drop for Team {
    fn drop(&mut self) {
        let _one = SHADOW.lock().unwrap_or_else(|e| e.into_inner());
        for name in &self.names {
            let _ = Command::new("userdel").arg(name).status();
        }
        let _ = Command::new("groupdel").arg(&self.group).status();
    }
}

fn mode(path: &Path) -> (u32, u32) {
    let meta = std::fs::metadata(path).unwrap();
    (meta.mode() & 0o7777, meta.gid())
}

#[track_caller]
fn ok(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .trim()
        .to_owned()
}

#[test]
fn two_members_of_the_group_share_one_database() {
    let Some(team) = Team::or_skip("s") else {
        return;
    };
    let env = TestEnv::new();
    // A world-writable, sticky parent (like /srv or /tmp) the members may create in.
    let parent = env.root().join("srv");
    std::fs::create_dir(&parent).unwrap();
    std::fs::set_permissions(env.root(), PermissionsExt::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&parent, PermissionsExt::from_mode(0o1777)).unwrap();
    let folder = parent.join("team");
    let env = env.with_db(folder.join("tokens.db"));
    let db = env.db().to_owned();
    let group = team.group.clone();

    ok(&team.run(0, &env, &["init", "--shared", "--group", &group], ""));
    let gid = team.gid.as_raw();
    assert_eq!(mode(&folder), (0o3770, gid), "folder");
    assert_eq!(mode(&db), (0o660, gid), "database");

    let token_a = ok(&team.run(0, &env, &["generate", "--name", "from-a"], ""));
    // Start again without side files, so the second member is the one who creates them.
    crate::foreign::fold_wal(&db);
    let token_b = ok(&team.run(1, &env, &["generate", "--name", "from-b"], ""));
    let mut checked = 0;
    for suffix in ["-wal", "-shm"] {
        let mut side = db.as_os_str().to_owned();
        side.push(suffix);
        let side = Path::new(&side);
        if side.exists() {
            assert_eq!(
                mode(side),
                (0o660, gid),
                "{suffix} made by the second member"
            );
            checked += 1;
        }
    }
    eprintln!("shared: {checked} side files created by the second member checked");
    ok(&team.run(1, &env, &["verify"], &format!("{token_a}\n")));
    ok(&team.run(0, &env, &["verify"], &format!("{token_b}\n")));
    ok(&team.run(1, &env, &["revoke", "from-a"], ""));
    let out = team.run(0, &env, &["verify", "-q"], &format!("{token_a}\n"));
    assert_eq!(out.status.code(), Some(12));

    // Whoever created them, SQLite's side files must stay usable by the whole group.
    for suffix in ["-wal", "-shm"] {
        let mut side = db.as_os_str().to_owned();
        side.push(suffix);
        let side = Path::new(&side);
        if side.exists() {
            let (m, g) = mode(side);
            assert_eq!(g, gid, "{suffix} is not the team's");
            assert_eq!(m & 0o060, 0o060, "{suffix} is not group read-write: {m:o}");
        }
    }
    let list = ok(&team.run(1, &env, &["list", "--json"], ""));
    let list: serde_json::Value = serde_json::from_str(&list).unwrap();
    let uses: Vec<u64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["usage_count"].as_u64().unwrap())
        .collect();
    assert_eq!(uses, vec![1, 1], "{list}");
    // A non-member is kept out.
    let out = crate::foreign::unprivileged_run(&env, &["list"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn unknown_group_is_refused() {
    let env = TestEnv::new();
    let db = env.root().join("team/tokens.db");
    let env = env.with_db(&db);
    let out = env
        .cmd(["init", "--shared", "--group", "no-such-group-tkn"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no-such-group-tkn") && err.lines().count() == 1,
        "{err}"
    );
    assert!(!db.exists());
}

#[test]
fn existing_non_empty_folder_is_refused() {
    let env = TestEnv::new();
    let folder = env.root().join("busy");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("notes.txt"), "keep me").unwrap();
    let before = mode(&folder);
    let env = env.with_db(folder.join("tokens.db"));
    let out = env.cmd(["init", "--shared"]).output().unwrap();
    assert_refused(&out, &folder, "non-empty folder");
    assert!(!env.db().exists());
    assert_eq!(mode(&folder), before, "the folder's mode was changed");
}

#[test]
fn a_non_member_is_refused_before_anything_is_created() {
    let Some(team) = Team::or_skip("n") else {
        return;
    };
    let env = TestEnv::new();
    let parent = env.root().join("srv");
    std::fs::create_dir(&parent).unwrap();
    std::fs::set_permissions(&parent, PermissionsExt::from_mode(0o1777)).unwrap();
    let folder = parent.join("team");
    let env = env.with_db(folder.join("tokens.db"));
    let out = crate::foreign::unprivileged_run(&env, &["init", "--shared", "--group", &team.group]);
    assert_refused(&out, Path::new(&team.group), "non-member");
    assert!(!folder.exists(), "a half-made folder was left behind");
}
