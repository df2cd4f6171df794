//! `init --shared`: a folder of its own, setgid, sticky and group-writable (3770), holding a
//! database file 0660, so the `-wal`/`-shm` files SQLite creates later stay group-usable.
//!
//! Setgid gives every new file the group; sticky keeps one member from removing or
//! renaming another's files (a swapped `-wal` would be a forged one). Every change goes
//! through a descriptor opened without following links, so a symlink planted at the
//! folder or a file cannot redirect a chmod or chgrp to its target.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Read as _};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;

use anyhow::{Context as _, Result, anyhow, bail};
use nix::fcntl::{AtFlags, OFlag};
use nix::sys::stat::Mode;
use nix::unistd::{Gid, Group, Uid};

use super::file::{self, Role, Stat};

const FOLDER_MODE: u32 = 0o3770;
const FILE_MODE: u32 = 0o660;

/// What `init --shared` found and did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SharedOutcome {
    /// The database file is new.
    Created,
    /// An existing database (or its folder) was given to the group.
    Converted,
    /// Everything was already shared with the group.
    Ready,
}

/// Prepares the folder and the database file (new and empty, or an existing one
/// converted); `Store::open` then fills it in and vets it. Returns the group's name too.
pub fn prepare_shared(db: &Path, group: Option<&str>) -> Result<(SharedOutcome, String)> {
    file::check_name(db)?;
    let folder = match db.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(folder) => folder,
        None => Path::new("."),
    };
    let name = db.file_name().ok_or_else(|| {
        anyhow!(
            "--db {} names a folder, not a file: pass a file path such as {}/tokens.db",
            db.display(),
            db.display()
        )
    })?;
    let gid = match group {
        Some(name) => {
            match Group::from_name(name).with_context(|| format!("looking up group {name}"))? {
                Some(g) => g.gid,
                None => bail!(
                    "no group named '{name}' on this machine: create it or pass another --group"
                ),
            }
        }
        None => match fs::symlink_metadata(folder) {
            Ok(meta) if meta.is_dir() => Gid::from_raw(meta.gid()),
            _ => nix::unistd::getegid(),
        },
    };
    let group_name = file::group_name(gid.as_raw());
    // Checked before anything is created: a half-made folder owned by the wrong group
    // would stand in the way of the member who tries next.
    if !member_of(gid) {
        bail!(
            "you are not a member of group '{group_name}', so the shared database cannot be given to it: ask an administrator to add you (then log in again), or pass another --group"
        );
    }
    let me = nix::unistd::geteuid();
    let f = folder.display();

    let (dir, mut changed) = match fs::symlink_metadata(folder) {
        Err(e) if e.kind() == ErrorKind::NotFound => (create_folder(folder, gid)?, true),
        Err(e) => return Err(e).with_context(|| format!("reading folder {f}")),
        Ok(meta) if meta.file_type().is_symlink() => bail!(
            "folder {f} is a symbolic link: 'init --shared' does not follow it (it would change the permissions of the link's target): pass the real folder"
        ),
        Ok(meta) if !meta.is_dir() => bail!("{f} is not a folder: pass a path inside a folder"),
        Ok(_) => {
            let dir = open_folder(folder)?;
            let stat = Stat::of(
                &dir.metadata()
                    .with_context(|| format!("reading folder {f}"))?,
            );
            let ready = stat.mode == FOLDER_MODE && stat.gid == gid.as_raw();
            // A folder someone else owns is theirs to empty or swap, whatever its mode; a
            // ready one may belong to root or a member who set it up for the group.
            let owner_ok =
                stat.uid == me.as_raw() || ready && (stat.uid == 0 || in_group(stat.uid, gid));
            if !owner_ok {
                bail!(
                    "folder {f} belongs to user {}, who could replace the database in it: give the shared database a folder of your own, or have {} run 'tokenctl init --shared' there",
                    file::user_name(stat.uid),
                    file::user_name(stat.uid)
                );
            }
            if !ready {
                let strangers = fs::read_dir(folder)
                    .with_context(|| format!("reading folder {f}"))?
                    .filter_map(|e| e.ok())
                    .any(|e| {
                        let entry = Path::new(e.file_name().as_os_str()).to_owned();
                        ![Role::Database, Role::Wal, Role::Shm]
                            .iter()
                            .any(|r| r.path(Path::new(name)) == entry)
                    });
                if strangers {
                    bail!(
                        "folder {f} is not set up for sharing and holds other files: give the shared database a folder of its own (it becomes mode 3770, group-owned)"
                    );
                }
            }
            (dir, !ready)
        }
    };

    // Every file is checked before any is changed, so a refusal leaves all as they were.
    let mut plan: Vec<(Role, OwnedFd)> = Vec::new();
    let mut db_exists = false;
    for role in [Role::Database, Role::Wal, Role::Shm] {
        let entry = role.path(Path::new(name));
        let path = folder.join(&entry);
        let p = path.display();
        let stat =
            match nix::sys::stat::fstatat(&dir, entry.as_path(), AtFlags::AT_SYMLINK_NOFOLLOW) {
                Ok(stat) => stat,
                Err(nix::errno::Errno::ENOENT) => continue,
                Err(e) => bail!("cannot read {p} ({e}): check the folder's permissions"),
            };
        db_exists |= role == Role::Database;
        if stat.st_mode & nix::libc::S_IFMT == nix::libc::S_IFLNK {
            bail!(
                "{p} is a symbolic link: 'init --shared' does not follow it: remove it, or pass the real path"
            );
        }
        let named = Stat::of_raw(&stat);
        if !named.regular {
            bail!("{p} is not a regular file: pass the database file's path");
        }
        if named.nlink > 1 {
            bail!(
                "{p} has {} hard links, so a file elsewhere shares its contents: give it a copy of its own ('cp -p {p} {p}.new && mv {p}.new {p}'), then run this again",
                named.nlink
            );
        }
        let ready = named.mode == FILE_MODE
            && named.gid == gid.as_raw()
            && (named.uid == me.as_raw() || named.uid == 0 || in_group(named.uid, gid));
        if ready {
            continue;
        }
        if named.uid != me.as_raw() {
            bail!(
                "{p} belongs to user {} and is not shared with group {group_name}: have them run 'chgrp {group_name} {p} && chmod 660 {p}', or run 'tokenctl init --shared' as them",
                file::user_name(named.uid)
            );
        }
        let fd = nix::fcntl::openat(
            &dir,
            entry.as_path(),
            OFlag::O_RDONLY
                | OFlag::O_NOFOLLOW
                | OFlag::O_NONBLOCK
                | OFlag::O_NOCTTY
                | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| anyhow!("cannot open {p} ({e}): check its permissions"))?;
        let opened = Stat::of(&File::from(fd.try_clone()?).metadata()?);
        if (opened.dev, opened.ino) != (named.dev, named.ino) {
            bail!(
                "{p} was replaced while 'init --shared' looked at it: check who else writes {f}, then try again"
            );
        }
        if role == Role::Database {
            check_is_ours(&fd, &path)?;
        }
        plan.push((role, fd));
    }
    if changed {
        set_group(dir.as_fd(), folder, gid, FOLDER_MODE)?;
    }
    for (role, fd) in &plan {
        set_group(fd.as_fd(), &role.path(db), gid, FILE_MODE)?;
        changed = true;
    }
    if db_exists {
        let outcome = if changed {
            SharedOutcome::Converted
        } else {
            SharedOutcome::Ready
        };
        return Ok((outcome, group_name));
    }
    let fd = nix::fcntl::openat(
        &dir,
        Path::new(name),
        OFlag::O_RDWR | OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
        Mode::from_bits_truncate(FILE_MODE),
    )
    .map_err(|e| {
        anyhow!(
            "creating database {} ({e}): check the folder's permissions",
            db.display()
        )
    })?;
    set_group(fd.as_fd(), db, gid, FILE_MODE)?;
    Ok((SharedOutcome::Created, group_name))
}

/// Creates the folder (its missing parents as the umask makes them) and gives it to the
/// group; the folder itself is made 0700 first, so it is never open to others meanwhile.
fn create_folder(folder: &Path, gid: Gid) -> Result<File> {
    let f = folder.display();
    if let Some(parent) = folder.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent)
            .with_context(|| format!("creating folder {}", parent.display()))?;
    }
    nix::unistd::mkdir(folder, Mode::from_bits_truncate(0o700))
        .map_err(|e| anyhow!("creating folder {f} ({e}): check the permissions of its parent"))?;
    let dir = open_folder(folder)?;
    // What was opened must be the folder just made, not one slipped in after the mkdir.
    let stat = Stat::of(
        &dir.metadata()
            .with_context(|| format!("reading folder {f}"))?,
    );
    let empty = fs::read_dir(folder)
        .map(|mut d| d.next().is_none())
        .unwrap_or(false);
    if stat.uid != nix::unistd::geteuid().as_raw() || !empty {
        bail!(
            "folder {f} was replaced while it was being created: check who else writes its parent"
        );
    }
    if let Err(e) = set_group(dir.as_fd(), folder, gid, FOLDER_MODE) {
        // Ours and still empty: leave no trace of the failed attempt.
        let _ = fs::remove_dir(folder);
        return Err(e);
    }
    Ok(dir)
}

fn open_folder(folder: &Path) -> Result<File> {
    OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_DIRECTORY | nix::libc::O_NOFOLLOW)
        .open(folder)
        .map_err(|e| {
            anyhow!(
                "cannot open folder {} ({e}): pass a real, readable folder",
                folder.display()
            )
        })
}

/// Only an empty file or tokenctl's own database is converted: another application's
/// file is refused before its permissions change (`Store::open` then vets it in full).
fn check_is_ours(fd: &OwnedFd, path: &Path) -> Result<()> {
    let mut header = Vec::with_capacity(100);
    File::from(fd.try_clone()?)
        .take(100)
        .read_to_end(&mut header)
        .with_context(|| format!("reading database {}", path.display()))?;
    let ours = header.len() >= 72
        && header.starts_with(b"SQLite format 3\0")
        && header[68..72] == super::sqlite::APPLICATION_ID.to_be_bytes();
    if !header.is_empty() && !ours {
        bail!(
            "{} is not a tokenctl database, so 'init --shared' leaves it alone: pass the right --db",
            path.display()
        );
    }
    Ok(())
}

/// Whether this process may give files to `gid`: root, or a member (primary or not).
fn member_of(gid: Gid) -> bool {
    nix::unistd::geteuid().is_root() || file::caller_in(gid)
}

fn in_group(uid: u32, gid: Gid) -> bool {
    file::user_in(Uid::from_raw(uid), gid)
}

/// chgrp, then chmod, both on the descriptor: the umask must not narrow the mode, and
/// chown can clear the setgid bit, so the mode is set last.
fn set_group(fd: std::os::fd::BorrowedFd, path: &Path, gid: Gid, mode: u32) -> Result<()> {
    nix::unistd::fchown(fd, None, Some(gid)).map_err(|e| {
        anyhow!(
            "cannot give {} to group '{}' ({e}): check that you own it and are a member of the group",
            path.display(),
            file::group_name(gid.as_raw())
        )
    })?;
    nix::sys::stat::fchmod(fd, Mode::from_bits_truncate(mode)).map_err(|e| {
        anyhow!(
            "cannot set the mode of {} ({e}): check that you own it",
            path.display()
        )
    })
}
