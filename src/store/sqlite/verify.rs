//! The verify transaction: judge on a read snapshot, then record under the write lock
//! after judging again, so no use is lost and a returned revoke is always seen.

use super::*;

impl Store {
    /// The verify transaction. Judges on a read snapshot first: an unknown id, or a
    /// `source == None` (nothing to record), never takes the write lock, so a loop of
    /// well-formed garbage cannot queue real verifies behind it. Something to record takes
    /// the write lock, re-reads the token and judges again, so a revoke that returned
    /// before this verify started is seen and concurrent uses are all counted.
    ///
    /// `clock` is read for each judgement, the second one under the lock: a verify that
    /// waited for the lock (or for its stdin) judges expiry at the moment it decides.
    pub fn check<V>(
        &mut self,
        id: &TokenId,
        clock: impl Fn() -> Timestamp,
        source: Option<&str>,
        mut decide: impl FnMut(Option<&TokenRecord>, Timestamp) -> (V, Record),
    ) -> Result<(V, Option<TokenRecord>)> {
        let path = self.path.clone();
        let (verdict, record, token) = {
            // One read transaction: the token and the verdict see one moment.
            let snapshot = self.snapshot()?;
            let token = find_by(&snapshot.0, By::Id, id.as_str()).map_err(|e| explain(&path, e))?;
            let (verdict, record) = decide(token.as_ref(), clock());
            (verdict, record, token)
        };
        let Some(source) = source.filter(|_| record != Record::Nothing) else {
            return Ok((verdict, token));
        };
        self.write(Durability::Normal, |tx| {
            let token = find_by(tx, By::Id, id.as_str())?;
            let now = clock();
            let (verdict, record) = decide(token.as_ref(), now);
            let (at, day) = (to_unix(now), day_of(now));
            match record {
                Record::Use => {
                    tx.prepare_cached(
                        "UPDATE tokens SET usage_count = usage_count + 1,
                             last_used_at = ?2, last_used_source = ?3 WHERE id = ?1",
                    )?
                    .execute(params![id.as_str(), at, source])?;
                    tx.prepare_cached(
                        "INSERT INTO usage_daily (token_id, day, uses) VALUES (?1, ?2, 1)
                         ON CONFLICT DO UPDATE SET uses = uses + 1",
                    )?
                    .execute(params![id.as_str(), day])?;
                    // `uses = 1` afterwards: the source is new to this token.
                    let added: bool = tx
                        .prepare_cached(
                            "INSERT INTO usage_sources (token_id, source, uses, last_used_at)
                             VALUES (?1, ?2, 1, ?3)
                             ON CONFLICT DO UPDATE SET uses = uses + 1, last_used_at = ?3
                             RETURNING uses = 1",
                        )?
                        .query_row(params![id.as_str(), source, at], |r| r.get(0))?;
                    // Bounded, so the file grows with tokens and days, not with every
                    // distinct --source; the one just used always stays. Only a new
                    // source can take a token past the bound: a known one (a deploy
                    // hook's usual case) leaves nothing to prune, and no statement to run.
                    if added {
                        tx.prepare_cached(PRUNE_SOURCES)?.execute(params![
                            id.as_str(),
                            source,
                            SOURCES_KEPT - 1
                        ])?;
                    }
                }
                Record::Failure => {
                    tx.prepare_cached(
                        "UPDATE tokens SET failed_count = failed_count + 1, last_failed_at = ?2
                         WHERE id = ?1",
                    )?
                    .execute(params![id.as_str(), at])?;
                    tx.prepare_cached(
                        "INSERT INTO usage_daily (token_id, day, failures) VALUES (?1, ?2, 1)
                         ON CONFLICT DO UPDATE SET failures = failures + 1",
                    )?
                    .execute(params![id.as_str(), day])?;
                }
                // Deleted between the snapshot and the lock: nothing to record after all.
                Record::Nothing => {}
            }
            Ok((verdict, token))
        })
    }
}
