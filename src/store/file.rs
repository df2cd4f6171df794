//! The database's files on disk: the real path behind `--db`, creating it safely, and
//! whether it and its `-wal`/`-shm` can be trusted (SPEC.md "Trust no file").
//!
//! Who can write a database can forge its tokens, so every file SQLite reads for it, and
//! the folder that names them, must be writable only by the caller, root, or (for a shared
//! database) its group. The checks run twice: on the names before SQLite sees them, so an
//! untrusted file is refused untouched; and on the descriptors SQLite actually opened
//! (`/proc/self/fd`), so a file swapped or planted between the two is refused too.

use std::ffi::OsString;
use std::fs::{DirBuilder, File, Metadata, OpenOptions};
use std::io::ErrorKind;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt as _;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, anyhow, bail};
use nix::fcntl::{AtFlags, OFlag};
use nix::sys::stat::{FileStat, Mode};
use nix::unistd::{Gid, Group, Uid, User};

use super::Access;

/// Refuses what SQLite would not read as the plain file of that name: `:memory:` and
/// `file:` URIs (this build of SQLite honours URIs in any file name). A file really
/// called like that is still reachable as `./file:...`.
pub fn check_name(given: &Path) -> Result<()> {
    let bytes = given.as_os_str().as_bytes();
    let special = bytes == b":memory:"
        || bytes.len() >= 5 && bytes[..5].eq_ignore_ascii_case(b"file:")
        || bytes.is_empty();
    if special {
        return Err(crate::exit::usage(format!(
            "--db '{}' is not a database file path (':memory:' and 'file:' URIs are not stored anywhere tokenctl can check): give a path such as ./tokens.db",
            given.display()
        )));
    }
    Ok(())
}

/// The file `--db` names, symlinks resolved once: every later check, SQLite's open and the
/// WAL sizing use this path, so they all mean the same file (SQLite itself puts `-wal`
/// beside the link's target). For `Access::Create` a missing file is created 0600 (and a
/// missing folder 0700), after its folder has passed the trust check. Returns whether the
/// file is new.
pub fn locate(given: &Path, access: Access) -> Result<(PathBuf, bool)> {
    check_name(given)?;
    let p = given.display();
    match std::fs::symlink_metadata(given) {
        Ok(_) => {
            let real = std::fs::canonicalize(given).map_err(|e| {
                anyhow!("cannot resolve database path {p} ({e}): if it is a symbolic link, point it at an existing file")
            })?;
            return Ok((real, false));
        }
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(e) => bail!("cannot read database path {p} ({e}): check the permissions of its folder"),
    }
    if !access.creates() {
        // The exact command: a bare 'tokenctl init' would create the default database,
        // not this one.
        bail!(
            "no database at {p}: pass another --db, or create it with: tokenctl init --db {}",
            crate::render::shell_word(&given.display().to_string())
        );
    }
    let name = given.file_name().ok_or_else(|| {
        anyhow!("--db {p} names a folder, not a file: pass a file path such as {p}/tokens.db")
    })?;
    let parent = given.parent().filter(|f| !f.as_os_str().is_empty());
    let folder = parent.unwrap_or(Path::new("."));
    if !folder.exists() {
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(folder)
            .with_context(|| format!("creating folder {}", folder.display()))?;
    }
    let folder = std::fs::canonicalize(folder)
        .with_context(|| format!("resolving folder {}", folder.display()))?;
    let real = folder.join(name);
    // The folder is vetted before anything is created in it: a database made in a folder
    // others can write could be swapped as soon as it exists.
    let dir = open_folder(&folder, &real)?;
    let folder_stat = Stat::of(
        &dir.metadata()
            .with_context(|| format!("reading folder {}", folder.display()))?,
    );
    Trust::private().folder(&folder, &real, &folder_stat)?;
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(nix::libc::O_NOFOLLOW)
        .open(&real)
    {
        Ok(_) => {
            // The new name must be durable too: a secret is printed once its row commits,
            // and a power cut must not take the whole file with it.
            dir.sync_all()
                .with_context(|| format!("syncing the folder of {}", real.display()))?;
            Ok((real, true))
        }
        // Created meanwhile by another process: vetted like any existing file.
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            let real = std::fs::canonicalize(&real)
                .with_context(|| format!("resolving database path {}", real.display()))?;
            Ok((real, false))
        }
        Err(e) => Err(e).with_context(|| format!("creating database {}", real.display())),
    }
}

/// What `vet` found, to hold SQLite's own descriptors to: the files' identities, and how
/// SQLite should open the database.
pub struct Vetted {
    db: Stat,
    /// This process's descriptors before SQLite opened anything: every later one that is
    /// a regular file must be a file `vet_open_files` knows.
    before: Option<Vec<i32>>,
    /// The `-wal`/`-shm` that existed, so they are recognised by inode too.
    sides: Vec<(Role, Stat)>,
    /// A WAL database with no `-wal` in a folder nobody may write: see `nobody_may_write`.
    pub immutable: bool,
}

/// Checks the database file, its folder and any `-wal`/`-shm`, reached through the
/// folder's descriptor so a symlink swapped in after `locate` is not followed. Returns the
/// database file open for its header to be read; close it before SQLite opens the file,
/// as closing any descriptor of a file drops all of this process's POSIX locks on it.
pub fn vet(real: &Path, access: Access) -> Result<(File, Vetted)> {
    let before = open_fds();
    let (folder, name) = split(real)?;
    let dir = open_folder(folder, real)?;
    let p = real.display();
    let first = nix::sys::stat::fstatat(&dir, name, AtFlags::AT_SYMLINK_NOFOLLOW)
        .map_err(|e| anyhow!("cannot read database {p} ({e}): check its permissions"))?;
    // A folder, FIFO or device at --db is a typo (SQLite calls it a disk I/O error);
    // checked before opening it, as opening a FIFO would block and a device may react.
    if first.st_mode & nix::libc::S_IFMT != nix::libc::S_IFREG {
        bail!(
            "{p} is not a regular file, so not a tokenctl database: pass the database file's path"
        );
    }
    let fd: OwnedFd = nix::fcntl::openat(
        &dir,
        name,
        OFlag::O_RDONLY
            | OFlag::O_NOFOLLOW
            | OFlag::O_NONBLOCK
            | OFlag::O_NOCTTY
            | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| anyhow!("cannot read database {p} ({e}): check its permissions"))?;
    let file = File::from(fd);
    let db = Stat::of(
        &file
            .metadata()
            .with_context(|| format!("reading database {p}"))?,
    );
    let trust = Trust::for_database(&db);
    trust.file(real, &db, Role::Database)?;
    refuse_acl(real, Role::Database.what(), acl_of_fd(&file, ACL_ACCESS))?;
    let folder_stat = Stat::of(
        &dir.metadata()
            .with_context(|| format!("reading folder {}", folder.display()))?,
    );
    trust.folder(folder, real, &folder_stat)?;
    let folder_acl = acl_of_fd(&dir, ACL_ACCESS) || acl_of_fd(&dir, ACL_DEFAULT);
    refuse_acl(folder, "folder", folder_acl)?;
    trust.ancestors(folder, real)?;
    let mut sides = Vec::new();
    for role in [Role::Wal, Role::Shm, Role::Journal] {
        let side = role.path(real);
        let side_name = Path::new(side.file_name().unwrap_or_default());
        match nix::sys::stat::fstatat(&dir, side_name, AtFlags::AT_SYMLINK_NOFOLLOW) {
            Ok(stat) => {
                let stat = Stat::of_raw(&stat);
                trust.file(&side, &stat, role)?;
                refuse_acl(&side, role.what(), acl_of_path(&side))?;
                sides.push((role, stat));
            }
            Err(nix::errno::Errno::ENOENT) => {}
            Err(e) => bail!(
                "cannot read {} ({e}): check the permissions of the folder {}",
                side.display(),
                folder.display()
            ),
        }
    }
    // An empty -wal with no -shm (a copy of the files taken when folded) holds nothing
    // either, and no connection is using it: each has the -shm open (tokenctl never uses
    // exclusive locking mode, the one way around it).
    let wal = sides.iter().find(|(role, _)| *role == Role::Wal);
    let shm = sides.iter().any(|(role, _)| *role == Role::Shm);
    let no_log = match wal {
        None => true,
        Some((_, stat)) => stat.size == 0 && !shm,
    };
    let immutable = access == Access::ReadOnly
        && no_log
        && is_wal_database(&file)
        && nobody_may_write(&dir, &folder_stat);
    Ok((
        file,
        Vetted {
            db,
            before,
            sides,
            immutable,
        },
    ))
}

/// A read-only copy (a replica on a read-only mount, or in a folder with no write bit)
/// has no `-wal`, and a reader there cannot create the `-shm` SQLite needs to read a WAL
/// database. Such a file is opened `immutable` (no locks, no `-shm`), which is safe only
/// because of what was checked: in WAL mode the database file changes only when a
/// checkpoint copies the `-wal` into it, and SQLite removes a `-wal` only after folding
/// all of it in, so with no `-wal` the file alone holds every committed change, and with
/// no one able to create one in the folder (root aside) no writer can start. A change
/// root makes meanwhile overlaps this read, which may then see the state before it, as
/// any read that started first does.
fn nobody_may_write(dir: &File, folder: &Stat) -> bool {
    let read_only_mount = nix::sys::statvfs::fstatvfs(dir.as_fd())
        .is_ok_and(|s| s.flags().contains(nix::sys::statvfs::FsFlags::ST_RDONLY));
    read_only_mount || folder.mode & 0o222 == 0
}

/// Header bytes 18-19 are 2 in a WAL database (1 with a rollback journal, which SQLite
/// reads in place, so it needs no special handling).
fn is_wal_database(file: &File) -> bool {
    use std::os::unix::fs::FileExt as _;
    let mut versions = [0u8; 2];
    file.read_exact_at(&mut versions, 18).is_ok() && versions == [2, 2]
}

/// After SQLite opened the database and read it once (which opens `-wal` and `-shm`),
/// checks every descriptor this process holds on the database, its `-wal` or its `-shm`:
/// the main file must be the one vetted, and each side file must pass the same trust
/// check, now on the inode SQLite reads. SQLite keeps these descriptors for the life of
/// the connection, so nothing swapped in later is read.
///
/// In a trusted folder (writable only by the owner, root and the database's group) no
/// untrusted user can create, rename or remove a name, so the name checks in `vet` already
/// hold here; this catches what they cannot: a folder swapped through a writable parent,
/// and a file planted by a group member of a shared database (whom root must not trust
/// with its chown, see `guard_root_chown`).
pub fn vet_open_files(real: &Path, vetted: &Vetted) -> Result<()> {
    let trust = Trust::for_database(&vetted.db);
    let mut seen_database = false;
    let roles = [Role::Database, Role::Wal, Role::Shm, Role::Journal];
    let names: Vec<PathBuf> = roles.iter().map(|r| r.path(real)).collect();
    // Without /proc (macOS, some sandboxes) the names are checked again instead: that
    // still catches a file planted before SQLite opened it, though not one swapped in
    // the instant between its open and this check.
    let Ok(fds) = std::fs::read_dir("/proc/self/fd") else {
        return recheck_names(real, vetted, &trust);
    };
    for entry in fds.flatten() {
        // The listing's own descriptor, and any closed since, cannot be read: not ours.
        let Ok(target) = std::fs::read_link(entry.path()) else {
            continue;
        };
        let bytes = target.as_os_str().as_bytes();
        let (bytes, deleted) = match bytes.strip_suffix(b" (deleted)") {
            Some(b) => (b, true),
            None => (bytes, false),
        };
        // Through the magic link: the inode the descriptor holds, not the name.
        let Ok(meta) = std::fs::metadata(entry.path()) else {
            continue;
        };
        let stat = Stat::of(&meta);
        // By name, or by inode should the kernel spell the path differently.
        let by_inode = |s: &Stat| (s.dev, s.ino) == (stat.dev, stat.ino);
        let at = names
            .iter()
            .position(|n| n.as_os_str().as_bytes() == bytes)
            .or_else(|| by_inode(&vetted.db).then_some(0))
            .or_else(|| {
                let (role, _) = vetted.sides.iter().find(|(_, s)| by_inode(s))?;
                roles.iter().position(|r| r == role)
            });
        let Some(at) = at else {
            // A file SQLite opened under none of the names vetted: its folder was swapped
            // under it (through a parent others may rename in) between its opens.
            let new = vetted.before.as_ref().is_some_and(|before| {
                let fd = entry.file_name().to_str().and_then(|n| n.parse().ok());
                fd.is_some_and(|fd: i32| !before.contains(&fd))
            });
            if new && stat.regular {
                bail!(
                    "opening database {} also opened {}, which tokenctl did not check, so the database cannot be trusted: check who else can rename the folders above it",
                    real.display(),
                    target.display()
                );
            }
            continue;
        };
        let (role, path) = (roles[at], &names[at]);
        let changed = || {
            anyhow!(
                "{} {} was replaced while tokenctl opened it, so it cannot be trusted: check who else writes that folder, then try again",
                role.what(),
                path.display()
            )
        };
        if deleted {
            return Err(changed());
        }
        if role == Role::Database {
            if (stat.dev, stat.ino) != (vetted.db.dev, vetted.db.ino) {
                return Err(changed());
            }
            seen_database = true;
        }
        trust.file(path, &stat, role)?;
        refuse_acl(path, role.what(), acl_of_path(&entry.path()))?;
    }
    if !seen_database {
        bail!(
            "cannot find the file SQLite opened for database {} among this process's files, so it cannot be checked: pass the database's real path",
            real.display()
        );
    }
    Ok(())
}

fn recheck_names(real: &Path, vetted: &Vetted, trust: &Trust) -> Result<()> {
    for role in [Role::Database, Role::Wal, Role::Shm, Role::Journal] {
        let path = role.path(real);
        let meta = match std::fs::symlink_metadata(&path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == ErrorKind::NotFound && role != Role::Database => continue,
            Err(e) => bail!(
                "cannot read {} ({e}): check its permissions",
                path.display()
            ),
        };
        let stat = Stat::of(&meta);
        if role == Role::Database && (stat.dev, stat.ino) != (vetted.db.dev, vetted.db.ino) {
            bail!(
                "database {} was replaced while tokenctl opened it, so it cannot be trusted: check who else writes that folder, then try again",
                path.display()
            );
        }
        trust.file(&path, &stat, role)?;
    }
    Ok(())
}

/// SQLite, when run by root, chowns a `-wal` or `-shm` it opens to the database file's
/// owner. A group member of a shared database can make that name a hard link to a file of
/// root's between any check and SQLite's open, and would be handed the file. This replaces
/// the `fchown` SQLite calls with one that first looks at the very descriptor it is given
/// (no race) and leaves alone anything but a regular file with one link; `vet_open_files`
/// then refuses that file.
pub fn guard_root_chown() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: the default VFS lives for the process; xSetSystemCall is given a function
        // with the exact signature of the `fchown` it replaces, before any connection
        // exists in this process (the first `Store::open` calls this first).
        unsafe {
            let vfs = rusqlite::ffi::sqlite3_vfs_find(std::ptr::null());
            if let Some(set) = vfs.as_ref().and_then(|v| v.xSetSystemCall) {
                let guarded: unsafe extern "C" fn(
                    nix::libc::c_int,
                    nix::libc::uid_t,
                    nix::libc::gid_t,
                ) -> nix::libc::c_int = guarded_fchown;
                set(
                    vfs,
                    c"fchown".as_ptr(),
                    Some(std::mem::transmute::<
                        unsafe extern "C" fn(
                            nix::libc::c_int,
                            nix::libc::uid_t,
                            nix::libc::gid_t,
                        ) -> nix::libc::c_int,
                        unsafe extern "C" fn(),
                    >(guarded)),
                );
            }
        }
    });
}

unsafe extern "C" fn guarded_fchown(
    fd: nix::libc::c_int,
    uid: nix::libc::uid_t,
    gid: nix::libc::gid_t,
) -> nix::libc::c_int {
    let mut stat = std::mem::MaybeUninit::<nix::libc::stat>::uninit();
    // SAFETY: fstat writes the struct it is given; it is read only when fstat succeeded.
    unsafe {
        if nix::libc::fstat(fd, stat.as_mut_ptr()) != 0 {
            return -1;
        }
        let stat = stat.assume_init();
        if stat.st_mode & nix::libc::S_IFMT != nix::libc::S_IFREG || stat.st_nlink != 1 {
            return -1;
        }
        nix::libc::fchown(fd, uid, gid)
    }
}

fn split(real: &Path) -> Result<(&Path, &Path)> {
    match (real.parent(), real.file_name()) {
        (Some(folder), Some(name)) => Ok((folder, Path::new(name))),
        _ => bail!(
            "{} is not a file path: pass the database file's path",
            real.display()
        ),
    }
}

/// The folder, never through a symlink in its last component.
fn open_folder(folder: &Path, db: &Path) -> Result<File> {
    OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_DIRECTORY | nix::libc::O_NOFOLLOW)
        .open(folder)
        .map_err(|e| {
            anyhow!(
                "cannot open the folder {} of database {} ({e}): check that it is a readable folder, not a link",
                folder.display(),
                db.display()
            )
        })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Database,
    Wal,
    Shm,
    /// A rollback journal: SQLite plays a hot one back into the database on open.
    Journal,
}

impl Role {
    fn what(self) -> &'static str {
        match self {
            Role::Database => "database",
            Role::Wal => "write-ahead log",
            Role::Shm => "shared-memory file",
            Role::Journal => "rollback journal",
        }
    }

    pub fn path(self, db: &Path) -> PathBuf {
        let suffix = match self {
            Role::Database => return db.to_owned(),
            Role::Wal => "-wal",
            Role::Shm => "-shm",
            Role::Journal => "-journal",
        };
        let mut side: OsString = db.as_os_str().to_owned();
        side.push(suffix);
        PathBuf::from(side)
    }
}

/// The parts of a stat that trust depends on, from `Metadata` or a raw `fstatat`.
#[derive(Debug, Clone, Copy)]
pub struct Stat {
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub nlink: u64,
    pub dev: u64,
    pub ino: u64,
    pub size: u64,
    pub regular: bool,
}

impl Stat {
    pub fn of(meta: &Metadata) -> Stat {
        Stat {
            mode: meta.mode() & 0o7777,
            uid: meta.uid(),
            gid: meta.gid(),
            nlink: meta.nlink(),
            dev: meta.dev(),
            ino: meta.ino(),
            size: meta.size(),
            regular: meta.file_type().is_file(),
        }
    }

    // The widths of nlink_t, dev_t and ino_t differ between platforms.
    #[allow(clippy::unnecessary_cast)]
    pub fn of_raw(stat: &FileStat) -> Stat {
        Stat {
            mode: stat.st_mode & 0o7777,
            uid: stat.st_uid,
            gid: stat.st_gid,
            nlink: stat.st_nlink as u64,
            dev: stat.st_dev as u64,
            ino: stat.st_ino as u64,
            size: stat.st_size.max(0) as u64,
            regular: stat.st_mode & nix::libc::S_IFMT == nix::libc::S_IFREG,
        }
    }
}

/// Who may own and write a database's files: the caller and root, and for a shared
/// database (its file group-writable, of a group the caller is in) the group's members.
pub struct Trust {
    caller: Uid,
    group: Option<Gid>,
}

impl Trust {
    pub fn private() -> Trust {
        Trust {
            caller: nix::unistd::geteuid(),
            group: None,
        }
    }

    pub fn for_database(db: &Stat) -> Trust {
        let gid = Gid::from_raw(db.gid);
        // Root may use any group's files, as if it were a member.
        let shared = db.mode & 0o020 != 0 && (nix::unistd::geteuid().is_root() || caller_in(gid));
        Trust {
            caller: nix::unistd::geteuid(),
            group: shared.then_some(gid),
        }
    }

    fn owner_trusted(&self, uid: u32) -> bool {
        uid == self.caller.as_raw()
            || uid == 0
            || self.group.is_some_and(|g| user_in(Uid::from_raw(uid), g))
    }

    /// The one-line fix for a file's mode: 600, or 660 for a shared database.
    fn file_mode(&self) -> &'static str {
        if self.group.is_some() { "660" } else { "600" }
    }

    pub fn file(&self, path: &Path, stat: &Stat, role: Role) -> Result<()> {
        let (p, what) = (path.display(), role.what());
        if !stat.regular {
            bail!("{what} {p} is not a regular file: remove it");
        }
        if role == Role::Database && self.caller.is_root() && stat.uid != 0 {
            let owner = user_name(stat.uid);
            bail!(
                "root does not open a database owned by another user: {p} belongs to {owner}: run the command as {owner}, or 'chown root {p}' if root should own it"
            );
        }
        if !self.owner_trusted(stat.uid) {
            let owner = user_name(stat.uid);
            let me = user_name(self.caller.as_raw());
            bail!(
                "{what} {p} is owned by user {owner}, not by you or root, so {owner} could forge tokens: if it is yours, run 'sudo chown {me} {p}'; otherwise remove it"
            );
        }
        if stat.mode & 0o002 != 0 {
            bail!(
                "{what} {p} is writable by every user, who could forge tokens: run 'chmod {} {p}'",
                self.file_mode()
            );
        }
        if stat.mode & 0o020 != 0 && self.group != Some(Gid::from_raw(stat.gid)) {
            bail!(
                "{what} {p} is writable by group {}, who could forge tokens: run 'chmod {} {p}'",
                group_name(stat.gid),
                self.file_mode()
            );
        }
        if stat.nlink > 1 {
            bail!(
                "{what} {p} has {} hard links, so a file elsewhere shares its contents: remove the other links, or give it a copy of its own ('cp -p {p} {p}.new && mv {p}.new {p}')",
                stat.nlink
            );
        }
        Ok(())
    }

    pub fn folder(&self, folder: &Path, db: &Path, stat: &Stat) -> Result<()> {
        let (f, p) = (folder.display(), db.display());
        let mine = stat.uid == self.caller.as_raw();
        let own_folder = "keep the database in a folder of your own ('mkdir -m 700 DIR', then --db DIR/tokens.db)";
        if !self.owner_trusted(stat.uid) {
            bail!(
                "folder {f} of database {p} is owned by user {}, who could swap the database's files: {own_folder}",
                user_name(stat.uid)
            );
        }
        let fix = if self.group.is_some() {
            "chmod 3770"
        } else {
            "chmod 700"
        };
        // A sticky folder others may write is a shared one (/tmp as root, a team's folder):
        // closing it would break everyone else's use of it. A shared database's own folder
        // is sticky by design (3770), and `fix` keeps it so.
        let sticky = stat.mode & 0o1000 != 0;
        if stat.mode & 0o002 != 0 {
            if mine && (!sticky || self.group.is_some()) {
                bail!(
                    "folder {f} of database {p} is writable by every user, who could swap the database's files: run '{fix} {f}'"
                );
            }
            bail!(
                "folder {f} of database {p} is writable by every user, who could swap the database's files: {own_folder}"
            );
        }
        if stat.mode & 0o020 != 0 && self.group != Some(Gid::from_raw(stat.gid)) {
            let group = group_name(stat.gid);
            if mine && !sticky {
                bail!(
                    "folder {f} of database {p} is writable by group {group}, who could swap the database's files: run 'chmod 700 {f}'"
                );
            }
            bail!(
                "folder {f} of database {p} is writable by group {group}, who could swap the database's files: {own_folder}"
            );
        }
        Ok(())
    }
}

impl Trust {
    /// Every folder above the database's: whoever may rename entries in one of them can
    /// swap the whole folder under tokenctl between two of SQLite's opens. Each must be
    /// owned by a trusted user, and one that others may write must be sticky (as /tmp is),
    /// so that they cannot rename what is not theirs.
    pub fn ancestors(&self, folder: &Path, db: &Path) -> Result<()> {
        for above in folder.ancestors().skip(1) {
            if above.as_os_str().is_empty() {
                break;
            }
            let meta = std::fs::symlink_metadata(above)
                .with_context(|| format!("reading folder {}", above.display()))?;
            let stat = Stat::of(&meta);
            let a = above.display();
            if !self.owner_trusted(stat.uid) {
                bail!(
                    "folder {a} above database {} is owned by user {}, who could swap the folders below it: keep the database under folders of your own",
                    db.display(),
                    user_name(stat.uid)
                );
            }
            let others_write = stat.mode & 0o002 != 0
                || stat.mode & 0o020 != 0 && self.group != Some(Gid::from_raw(stat.gid));
            if others_write && stat.mode & 0o1000 == 0 {
                bail!(
                    "folder {a} above database {} is writable by other users and not sticky, so they could swap the folders below it: run 'chmod o-w,g-w {a}' (or 'chmod +t {a}'), or keep the database elsewhere",
                    db.display()
                );
            }
        }
        Ok(())
    }
}

const ACL_ACCESS: &std::ffi::CStr = c"system.posix_acl_access";
const ACL_DEFAULT: &std::ffi::CStr = c"system.posix_acl_default";

/// An access control list can grant any user write access that the mode bits do not
/// show (they show only its mask), so a file or folder carrying one is not trusted.
fn refuse_acl(path: &Path, what: &str, has: bool) -> Result<()> {
    if has {
        let p = path.display();
        bail!(
            "{what} {p} has an access control list, which may let other users write it: remove it with 'setfacl -b {p}'"
        );
    }
    Ok(())
}

/// Whether the open file carries the extended attribute `name` (absent, or unsupported by
/// the file system, is no).
fn acl_of_fd(file: &File, name: &std::ffi::CStr) -> bool {
    use std::os::fd::AsRawFd as _;
    // SAFETY: a size query (no buffer) on a descriptor we hold.
    unsafe { nix::libc::fgetxattr(file.as_raw_fd(), name.as_ptr(), std::ptr::null_mut(), 0) >= 0 }
}

/// `acl_of_fd` by path, following a final link only when it is /proc's magic link to an
/// open descriptor (the caller passes one of those, or a name already checked not to be
/// a link).
fn acl_of_path(path: &Path) -> bool {
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: a size query (no buffer) on a NUL-terminated path.
    unsafe { nix::libc::getxattr(c.as_ptr(), ACL_ACCESS.as_ptr(), std::ptr::null_mut(), 0) >= 0 }
}

/// The descriptor numbers this process has open, from /proc (None without it).
fn open_fds() -> Option<Vec<i32>> {
    let fds = std::fs::read_dir("/proc/self/fd").ok()?;
    Some(
        fds.flatten()
            .filter_map(|e| e.file_name().to_str()?.parse().ok())
            .collect(),
    )
}

/// Whether this process has `gid` (primary or supplementary).
pub fn caller_in(gid: Gid) -> bool {
    nix::unistd::getegid() == gid
        || nix::unistd::getgroups().is_ok_and(|groups| groups.contains(&gid))
}

/// Whether another user is in `gid`, by their primary group or the group's member list.
pub fn user_in(uid: Uid, gid: Gid) -> bool {
    let Ok(Some(user)) = User::from_uid(uid) else {
        return false;
    };
    user.gid == gid
        || Group::from_gid(gid).is_ok_and(|g| g.is_some_and(|g| g.mem.contains(&user.name)))
}

pub fn user_name(uid: u32) -> String {
    match User::from_uid(Uid::from_raw(uid)) {
        Ok(Some(user)) => user.name,
        _ => uid.to_string(),
    }
}

pub fn group_name(gid: u32) -> String {
    match Group::from_gid(Gid::from_raw(gid)) {
        Ok(Some(group)) => group.name,
        _ => gid.to_string(),
    }
}

/// `file:` URI of a path for SQLite, every byte outside the unreserved set escaped.
pub fn uri(path: &Path, query: &str) -> String {
    let mut out = String::from("file:");
    for &b in path.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out.push('?');
    out.push_str(query);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SQLite really calls the guarded fchown: its VFS hands back our function.
    #[test]
    fn sqlite_chowns_through_the_guard() {
        guard_root_chown();
        // SAFETY: reading the default VFS's syscall table, as SQLite's own tests do.
        let installed = unsafe {
            let vfs = rusqlite::ffi::sqlite3_vfs_find(std::ptr::null());
            let get = (*vfs).xGetSystemCall.expect("unix VFS has xGetSystemCall");
            get(vfs, c"fchown".as_ptr())
        };
        let ours = guarded_fchown as unsafe extern "C" fn(_, _, _) -> _ as usize;
        assert_eq!(installed.map(|f| f as usize), Some(ours));
    }

    #[test]
    fn uris_escape_everything_but_plain_path_bytes() {
        assert_eq!(
            uri(Path::new("/a b/t?.db#1%"), "immutable=1"),
            "file:/a%20b/t%3F.db%231%25?immutable=1"
        );
    }

    #[test]
    fn memory_and_uri_names_are_refused() {
        for name in [":memory:", "file:x.db", "FILE:/tmp/x.db?mode=memory", ""] {
            assert!(check_name(Path::new(name)).is_err(), "{name}");
        }
        for name in ["./file:x.db", "tokens.db", "/srv/file.db", "memory"] {
            assert!(check_name(Path::new(name)).is_ok(), "{name}");
        }
    }
}
