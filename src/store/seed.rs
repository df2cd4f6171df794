//! Bulk seeding for the benchmarks (benches/verify.rs), never used by the tool itself: a
//! database of thousands to millions of tokens in one transaction, each derived from its index.
//!
//! Token `i` is a pure function of `i` (`token(i)`), so a benchmark recomputes the token it
//! presents instead of printing or storing secrets; only their blake3 hashes are written.

use std::path::Path;

use anyhow::{Context as _, Result};
use rusqlite::{Connection, params};

use super::{Access, Store, Target};
use crate::time::{Timestamp, to_unix};
use crate::token::{self, Prefix, Secret, TokenId};

const ALNUM: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const LOWER_ALNUM: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// The scope every seeded token carries, so lookups read a scope row as real ones do.
pub const SCOPE: &str = "deploy:run";

/// The id of seeded token `index`: `b` then the index in base 36, zero padded to 9
/// characters. Ids ascend with the index, so bulk inserts append to the primary key.
pub fn id(index: u64) -> TokenId {
    let mut digits = [b'0'; 9];
    let mut rest = index;
    for slot in digits.iter_mut().rev() {
        *slot = LOWER_ALNUM[(rest % 36) as usize];
        rest /= 36;
    }
    let text: String = std::iter::once('b')
        .chain(digits.iter().map(|&b| char::from(b)))
        .collect();
    TokenId::parse(&text).unwrap_or_else(|| unreachable!("seed ids are 10 base-36 characters"))
}

/// The full token of seeded token `index`: a deterministic, well-formed token with a valid
/// checksum. Not secret: anyone with the index can compute it, which is the point.
pub fn token(index: u64) -> Secret {
    let mut hasher = blake3::Hasher::new_derive_key("tokenctl benchmark seed v1");
    hasher.update(&index.to_le_bytes());
    let body: String = hasher.finalize().as_bytes()[..]
        .iter()
        .map(|&b| char::from(ALNUM[usize::from(b) % ALNUM.len()]))
        .collect();
    token::assemble(&Prefix::default(), &id(index), &body)
}

/// Creates the tokenctl database at `path` (which must not exist yet) holding `count`
/// active seeded tokens, created before `now` and expiring a year after it.
pub fn seed(path: &Path, count: u64, now: Timestamp) -> Result<()> {
    // The store's own code creates the file, its mode and the schema.
    drop(Store::open(
        &Target::Sqlite(path.to_owned()),
        Access::Create,
    )?);
    let mut conn = Connection::open(path).with_context(|| format!("opening {}", path.display()))?;
    // Throwaway benchmark data: no fsyncs, a big page cache, one transaction.
    conn.execute_batch("PRAGMA synchronous = OFF; PRAGMA cache_size = -262144;")?;
    let tx = conn.transaction()?;
    {
        let mut insert = tx.prepare(
            "INSERT INTO tokens (id, name, prefix, hash, created_at, expires_at)
             VALUES (?1, ?2, 'tkn', ?3, ?4, ?5)",
        )?;
        let mut scope = tx.prepare("INSERT INTO token_scopes (token_id, scope) VALUES (?1, ?2)")?;
        let now_s = to_unix(now);
        let expires = now_s + 365 * 86_400;
        for index in 0..count {
            let id = id(index);
            let hash = token(index).hash();
            let created = now_s - 1 - (count - index) as i64;
            insert.execute(params![
                id.as_str(),
                format!("bench-{index:07}"),
                &hash.as_bytes()[..],
                created,
                expires
            ])?;
            scope.execute(params![id.as_str(), SCOPE])?;
        }
    }
    tx.commit()?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_tokens_parse_and_ids_ascend() {
        for index in [0, 1, 35, 36, 999_999, 1_000_000] {
            let secret = token(index);
            let parsed = token::parse(secret.expose()).expect("seeded token parses");
            assert_eq!(parsed.id, id(index));
            assert_eq!(parsed.hash, secret.hash());
        }
        assert!(id(35) < id(36) && id(999_999) < id(1_000_000));
    }
}
