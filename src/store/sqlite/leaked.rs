//! `scan --revoke`: revoking tokens found leaked, each with where it was found recorded
//! in its revoke event, all in one transaction.

use anyhow::Result;
use rusqlite::params;

use super::{Change, Store, log_change, name_of};
use crate::store::Durability;
use crate::store::rules;
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
        self.write(Durability::Full, |tx| {
            let mut changed = Vec::with_capacity(leaked.len());
            for (id, hash, detail) in leaked {
                let n = tx.execute(
                    &format!(
                        "UPDATE tokens AS t SET revoked_at = ?2, revoke_reason = ?4, compromised = 1
                         WHERE id = ?1 AND hash = ?3 AND {}",
                        rules::active_sql("?2")
                    ),
                    params![id, to_unix(now), &hash.as_bytes()[..], detail],
                )?;
                if n == 1 {
                    let name = name_of(tx, id)?;
                    // A token found where it should not be is compromised: never restorable.
                    let change = Change::Revoked {
                        reason: Some((*detail).to_owned()),
                        compromised: true,
                    };
                    log_change(tx, now, id, &name, &change, actor, Some(detail))?;
                }
                changed.push(n == 1);
            }
            Ok(changed)
        })
    }
}
