//! `init --shared`: a folder of its own, setgid and group-writable (2770), holding a
//! database file 0660, so the `-wal`/`-shm` files SQLite creates later stay group-usable.

use std::fs::{self, OpenOptions, Permissions};
use std::io::ErrorKind;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

use anyhow::{Context as _, Result, anyhow, bail};
use nix::unistd::{Gid, Group};

const FOLDER_MODE: u32 = 0o2770;
const FILE_MODE: u32 = 0o660;

/// Prepares the folder and the empty database file; `Store::open` then fills it in.
pub fn prepare_shared(db: &Path, group: Option<&str>) -> Result<()> {
    let folder = match db.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(folder) => folder,
        None => Path::new("."),
    };
    let gid = match group {
        Some(name) => {
            match Group::from_name(name).with_context(|| format!("looking up group {name}"))? {
                Some(g) => g.gid,
                None => bail!(
                    "no group named '{name}' on this machine: create it or pass another --group"
                ),
            }
        }
        None => match fs::metadata(folder) {
            Ok(meta) => Gid::from_raw(meta.gid()),
            Err(_) => nix::unistd::getegid(),
        },
    };
    // Checked before anything is created: a half-made folder owned by the wrong group
    // would stand in the way of the member who tries next.
    if !member_of(gid) {
        let name = group_name(gid);
        bail!(
            "you are not a member of group '{name}', so the shared database cannot be given to it: ask an administrator to add you (then log in again), or pass another --group"
        );
    }

    match fs::metadata(folder) {
        Err(e) if e.kind() == ErrorKind::NotFound => {
            fs::DirBuilder::new()
                .recursive(true)
                .create(folder)
                .with_context(|| format!("creating folder {}", folder.display()))?;
            if let Err(e) = set_group(folder, gid, FOLDER_MODE) {
                // Ours and still empty: leave no trace of the failed attempt.
                let _ = fs::remove_dir(folder);
                return Err(e);
            }
        }
        Err(e) => return Err(e).with_context(|| format!("reading folder {}", folder.display())),
        Ok(meta) => {
            let ready = meta.mode() & 0o7777 == FOLDER_MODE && meta.gid() == gid.as_raw();
            let empty = fs::read_dir(folder)
                .map(|mut d| d.next().is_none())
                .unwrap_or(false);
            if !ready && !empty {
                bail!(
                    "folder {} is not set up for sharing and is not empty: give the shared database a folder of its own (it becomes mode 2770, group-owned)",
                    folder.display()
                );
            }
            if !ready {
                set_group(folder, gid, FOLDER_MODE)?;
            }
        }
    }

    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(FILE_MODE)
        .open(db)
    {
        Ok(_) => set_group(db, gid, FILE_MODE),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e).with_context(|| format!("creating database {}", db.display())),
    }
}

/// Whether this process may give files to `gid`: root, or a member (primary or not).
fn member_of(gid: Gid) -> bool {
    nix::unistd::geteuid().is_root()
        || nix::unistd::getegid() == gid
        || nix::unistd::getgroups().is_ok_and(|groups| groups.contains(&gid))
}

fn group_name(gid: Gid) -> String {
    match Group::from_gid(gid) {
        Ok(Some(group)) => group.name,
        _ => gid.to_string(),
    }
}

/// chown to the group, then chmod: the umask must not narrow the mode, and chown can
/// clear the setgid bit, so the mode is set last.
fn set_group(path: &Path, gid: Gid, mode: u32) -> Result<()> {
    std::os::unix::fs::chown(path, None, Some(gid.as_raw())).map_err(|e| {
        anyhow!(
            "cannot give {} to group '{}' ({e}): check that you own it and are a member of the group",
            path.display(),
            group_name(gid)
        )
    })?;
    fs::set_permissions(path, Permissions::from_mode(mode)).map_err(|e| {
        anyhow!(
            "cannot set the mode of {} ({e}): check that you own it",
            path.display()
        )
    })
}
