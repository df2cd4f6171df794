//! A VFS for a connection that must never sleep: `serve`'s runtime thread reads on one, and
//! while it waits, every connection it serves waits.
//!
//! Lock waits already end at once (its busy handler's deadline has passed). SQLite's retry
//! loop for a WAL snapshot does not ask the busy handler: it sleeps through the VFS, for
//! about 10 s in all, when another process holds every read slot of the `-shm` file, which
//! on a shared database any member of its group can do. Through this VFS those sleeps
//! return at once: the loop gives up after its 100 tries (SQLITE_PROTOCOL) in well under a
//! millisecond, and the request goes to a worker, whose wait its deadline bounds.
//!
//! Everything else is the default (unix) VFS's own: a copy of its method table with only
//! `xSleep` replaced, so locks are shared with the process's other connections as ever.

use std::ffi::{CStr, c_int};
use std::sync::OnceLock;

use rusqlite::ffi;

pub const NAME: &CStr = c"tokenctl-never-sleeps";

/// Registers the VFS (once); false if SQLite refused, and then the caller does without.
/// Call after `configure_library`: the lookup initialises SQLite.
pub fn registered() -> bool {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    *REGISTERED.get_or_init(|| {
        // SAFETY: sqlite3_vfs_find returns the default VFS, which SQLite never frees; the
        // copy is leaked so it outlives every connection; only its name, its link in
        // SQLite's list (set by register) and its sleep differ from the original.
        unsafe {
            let default = ffi::sqlite3_vfs_find(std::ptr::null());
            if default.is_null() {
                return false;
            }
            let mut vfs: ffi::sqlite3_vfs = *default;
            vfs.zName = NAME.as_ptr();
            vfs.pNext = std::ptr::null_mut();
            vfs.xSleep = Some(no_sleep);
            ffi::sqlite3_vfs_register(Box::leak(Box::new(vfs)), 0) == ffi::SQLITE_OK
        }
    })
}

/// SQLite's contract: sleep about `micros`, return how long was slept. None is.
unsafe extern "C" fn no_sleep(_vfs: *mut ffi::sqlite3_vfs, _micros: c_int) -> c_int {
    0
}
