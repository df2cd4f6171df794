//! SQLite's failures in words a user can act on, naming the file, each with its kind.

use super::*;

/// The refusals both `precheck` (from the raw header) and `vet` (through SQLite) make,
/// worded once.
pub(super) mod refused {
    use std::path::Path;

    use super::SCHEMA_VERSION;
    use crate::error::{Kind, fail};

    pub fn read_only(path: &Path) -> anyhow::Error {
        fail(
            Kind::ReadOnly,
            format!(
                "database {} is read-only for this user: check the permissions of the file and its folder ('verify --no-record' only reads)",
                path.display()
            ),
        )
    }

    pub fn older(path: &Path, version: i32) -> anyhow::Error {
        fail(
            Kind::Older,
            format!(
                "{} uses an older schema (v{version}, this tokenctl uses v{SCHEMA_VERSION}): run 'tokenctl init --db {}' to upgrade it",
                path.display(),
                crate::render::shell_word(&path.display().to_string())
            ),
        )
    }

    /// `app_id`: the other application's id, when it set one.
    pub fn foreign(path: &Path, app_id: Option<i32>) -> anyhow::Error {
        let p = path.display();
        let message = match app_id {
            Some(id) => format!(
                "{p} belongs to another application (application_id {id:#x}), not tokenctl: pass the right --db"
            ),
            None => format!(
                "{p} is a SQLite database of another application, not tokenctl's: pass the right --db"
            ),
        };
        fail(Kind::Untrusted, message)
    }

    pub fn newer(path: &Path, version: i32) -> anyhow::Error {
        fail(
            Kind::Newer,
            format!(
                "{} was written by a newer tokenctl (schema v{version}, this one knows v{SCHEMA_VERSION}): upgrade tokenctl",
                path.display()
            ),
        )
    }
}

/// Turns SQLite's terse errors into what a user can act on, naming the file.
pub(super) fn explain(path: &Path, err: rusqlite::Error) -> anyhow::Error {
    let p = path.display();
    let extended = err.sqlite_error().map_or(0, |e| e.extended_code);
    match err.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => fail(
            Kind::Corrupt,
            format!("{p} is not a tokenctl database (not SQLite, or corrupt): pass the right --db"),
        ),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => fail(
            Kind::Busy,
            format!(
                "database {p} stayed locked by other processes for as long as this command waits (at most {}s): try again",
                BUSY_TIMEOUT.as_secs()
            ),
        ),
        // A WAL database cannot even be read without its -shm file; in a folder this user
        // may not write, SQLite can neither create it nor (without -wal) recover.
        Some(ErrorCode::ReadOnly)
            if matches!(
                extended,
                ffi::SQLITE_READONLY_DIRECTORY
                    | ffi::SQLITE_READONLY_CANTINIT
                    | ffi::SQLITE_READONLY_CANTLOCK
                    | ffi::SQLITE_READONLY_RECOVERY
            ) =>
        {
            fail(
                Kind::ReadOnly,
                format!(
                    "cannot read database {p}: SQLite needs its {p}-wal and {p}-shm files, and this user may not create or write them in that folder: make the folder writable for this user, or have a user who can write it run 'tokenctl list' once"
                ),
            )
        }
        Some(ErrorCode::ReadOnly) => fail(
            Kind::ReadOnly,
            format!(
                "database {p} is read-only for this user: check the permissions of the file, its folder and its -wal/-shm files ('verify --no-record' only reads)"
            ),
        ),
        Some(ErrorCode::CannotOpen) => fail(
            Kind::Io,
            format!(
                "cannot open database {p}: check that it and its folder are readable (and writable, for commands that change it)"
            ),
        ),
        Some(ErrorCode::DiskFull) => disk_full(path),
        // On a full disk SQLite often reports the failed write or -shm growth as I/O errors.
        Some(ErrorCode::SystemIoFailure) if free_bytes(path).is_some_and(|b| b < 1 << 16) => {
            disk_full(path)
        }
        Some(ErrorCode::SystemIoFailure) => fail(
            Kind::Io,
            format!("I/O error on database {p} ({err}): check the disk and the file"),
        ),
        Some(ErrorCode::DatabaseCorrupt) => fail(
            Kind::Corrupt,
            format!("database {p} is corrupt: restore it from a backup"),
        ),
        _ => fail(Kind::Io, format!("database {p}: {err}")),
    }
}

/// `explain` for a rusqlite error that travelled through `?` into an `anyhow::Error`.
pub(super) fn explained(path: &Path, err: anyhow::Error) -> anyhow::Error {
    match err.downcast::<rusqlite::Error>() {
        Ok(e) => explain(path, e),
        Err(other) => other,
    }
}

pub(super) fn disk_full(path: &Path) -> anyhow::Error {
    fail(
        Kind::Io,
        format!(
            "disk full writing database {}: free some space and try again (nothing was changed)",
            path.display()
        ),
    )
}

/// Space left for unprivileged writers on the file system holding `path`'s folder.
fn free_bytes(path: &Path) -> Option<u64> {
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let stats = nix::sys::statvfs::statvfs(folder).ok()?;
    Some(
        stats
            .blocks_available()
            .saturating_mul(stats.fragment_size()),
    )
}
