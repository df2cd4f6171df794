//! `scan --revoke`: revoking tokens found leaked, each with where it was found recorded
//! in its revoke event, all in one transaction.

use anyhow::Result;
use rusqlite::params;

use super::{Store, log_event, name_of};
use crate::time::{Timestamp, to_unix};
use crate::token::TokenHash;

impl Store {
    /// Revokes each `(id, hash, detail)` whose token is still active and has that hash (so
    /// a look-alike id can never revoke another token); `detail` goes into the event.
    /// Returns whether each one changed.
    pub fn revoke_leaked(
        &mut self,
        leaked: &[(&str, TokenHash, &str)],
        now: Timestamp,
        actor: &str,
    ) -> Result<Vec<bool>> {
        self.write(|tx| {
            let mut changed = Vec::with_capacity(leaked.len());
            for (id, hash, detail) in leaked {
                let n = tx.execute(
                    "UPDATE tokens SET revoked_at = ?2
                     WHERE id = ?1 AND hash = ?3 AND revoked_at IS NULL
                       AND (expires_at IS NULL OR expires_at > ?2)",
                    params![id, to_unix(now), &hash.as_bytes()[..]],
                )?;
                if n == 1 {
                    let name = name_of(tx, id)?;
                    log_event(tx, now, id, &name, "revoked", actor, Some(detail))?;
                }
                changed.push(n == 1);
            }
            Ok(changed)
        })
    }
}
