//! The runtime thread's SQLite connection, and the tokens it has read since the database
//! last changed (see `Reader`).

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Result;

use crate::store::{Store, Target, TokenRecord};

/// The runtime thread's connection, and the tokens it has read since the database last
/// changed. A request is answered from that record only when its own check, SQLite's data
/// version read at the request, proves no connection of any process has committed since
/// the record was read: then the record is exactly what reading it again would return.
/// So a revoke (an edit, a flush, any commit) that has returned is seen by the next
/// request, as when every request reads.
pub struct Reader {
    store: Store,
    /// The data version the last request read.
    seen: i64,
    /// Counts the changes of `seen`. SQLite's data version is a 32-bit counter, one step
    /// per change this connection notices, which a client can drive (each refused
    /// use-limited verify commits): it comes round again after 2^32 changes, where this
    /// never does. It moves at most twice between two requests (once at the row read), so
    /// a change is never missed.
    epoch: u64,
    /// Each token read, with the epoch it was read in (or after). A record of an older
    /// epoch is replaced when its token is read again, not all at once: emptying the set
    /// at each change dropped 10k records on the runtime thread in one go, a stall of
    /// milliseconds.
    read: HashMap<String, (u64, Arc<TokenRecord>)>,
    /// The epoch `read` was last pruned in (see `get`).
    pruned: Option<u64>,
}

/// Tokens a reader holds at most; others are read each time (a garbage id is never held:
/// only tokens that exist are kept).
const READ_KEPT: usize = 16_384;

impl Reader {
    pub fn open(target: &Target) -> Result<Reader> {
        let store = Store::open_never_waiting(target)?;
        let seen = store.data_version()?;
        let read = HashMap::new();
        Ok(Reader {
            store,
            seen,
            epoch: 0,
            read,
            pruned: None,
        })
    }

    pub fn get(&mut self, id: &str) -> Result<Option<Arc<TokenRecord>>> {
        // Asked before the token is read: a commit between the two makes the record newer
        // than its epoch, never older, and the next request reads it again.
        let version = self.store.data_version()?;
        if version != self.seen {
            self.seen = version;
            self.epoch += 1;
        }
        let epoch = self.epoch;
        if let Some((at, token)) = self.read.get(id) {
            if *at == epoch {
                return Ok(Some(token.clone()));
            }
        }
        let Some(token) = self.store.get(id)?.map(Arc::new) else {
            self.read.remove(id);
            return Ok(None);
        };
        if let Some(kept) = self.read.get_mut(id) {
            *kept = (epoch, token.clone());
        } else {
            if self.read.len() >= READ_KEPT && self.pruned != Some(epoch) {
                // Full: the records no request can use any more go (tokens deleted or no
                // longer asked for), at most once an epoch; more tokens than this asked
                // for in one epoch are read each time.
                self.read.retain(|_, (at, _)| *at == epoch);
                self.pruned = Some(epoch);
            }
            if self.read.len() < READ_KEPT {
                self.read.insert(id.to_owned(), (epoch, token.clone()));
            }
        }
        Ok(Some(token))
    }
}
