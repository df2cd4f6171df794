//! `serve`'s usage batch: many tokens' uses and failures, gathered in memory, written in
//! one transaction, so a busy server takes the write lock once a second, not per request.

use super::*;

/// As verify's: the most recent distinct sources a token keeps.
const SOURCES_KEPT: u32 = 16;

impl Store {
    /// Adds every tally in one transaction; a tally of a token deleted since is dropped.
    pub fn record_batch(&mut self, tallies: &[Tally]) -> Result<()> {
        if tallies.is_empty() {
            return Ok(());
        }
        self.write(Durability::Normal, |tx| {
            for t in tallies {
                let id = t.token_id.as_str();
                if let Some(at) = t.last_used_at.map(to_unix) {
                    // Two servers flush in any order: the newest use wins the "last" fields.
                    tx.prepare_cached(
                        "UPDATE tokens SET usage_count = usage_count + ?2,
                             last_used_source = CASE WHEN ?3 >= coalesce(last_used_at, ?3)
                                 THEN ?4 ELSE last_used_source END,
                             last_used_at = max(coalesce(last_used_at, ?3), ?3)
                         WHERE id = ?1",
                    )?
                    .execute(params![id, t.uses as i64, at, t.source])?;
                    // `uses = ?3` afterwards: the row is new, the only case in which the
                    // token can now hold more sources than it keeps. A flush that only
                    // adds to known sources (a busy server's usual one) prunes nothing.
                    let added: bool = tx
                        .prepare_cached(
                            "INSERT INTO usage_sources (token_id, source, uses, last_used_at)
                             SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM tokens WHERE id = ?1)
                             ON CONFLICT DO UPDATE SET uses = uses + ?3,
                                 last_used_at = max(last_used_at, ?4)
                             RETURNING uses = ?3",
                        )?
                        .query_row(params![id, t.source, t.uses as i64, at], |r| r.get(0))
                        .optional()?
                        .unwrap_or(false);
                    if added {
                        tx.prepare_cached(
                            "DELETE FROM usage_sources WHERE token_id = ?1 AND source <> ?2
                               AND source NOT IN (
                                 SELECT source FROM usage_sources WHERE token_id = ?1 AND source <> ?2
                                 ORDER BY last_used_at DESC, source LIMIT ?3)",
                        )?
                        .execute(params![id, t.source, SOURCES_KEPT - 1])?;
                    }
                }
                if let Some(at) = t.last_failed_at.map(to_unix) {
                    tx.prepare_cached(
                        "UPDATE tokens SET failed_count = failed_count + ?2,
                             last_failed_at = max(coalesce(last_failed_at, ?3), ?3)
                         WHERE id = ?1",
                    )?
                    .execute(params![id, t.failures as i64, at])?;
                }
                tx.prepare_cached(
                    "INSERT INTO usage_daily (token_id, day, uses, failures)
                     SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM tokens WHERE id = ?1)
                     ON CONFLICT DO UPDATE SET uses = uses + ?3, failures = failures + ?4",
                )?
                .execute(params![id, t.day, t.uses as i64, t.failures as i64])?;
            }
            Ok(())
        })
    }
}
