//! `serve`'s usage batch on PostgreSQL: every tally in one transaction, in token order so
//! two servers flushing at once wait for each other instead of deadlocking.

use anyhow::Result;

use super::Store;
use crate::store::Tally;
use crate::time::to_unix;

use crate::store::SOURCES_KEPT;

const ADD_USES: &str = "WITH u AS (
        UPDATE tokens SET usage_count = usage_count + $2,
            last_used_source = CASE WHEN $3 >= COALESCE(last_used_at, $3) THEN $4 ELSE last_used_source END,
            last_used_at = GREATEST(COALESCE(last_used_at, $3), $3)
        WHERE id = $1 RETURNING id),
    s AS (
        INSERT INTO usage_sources (token_id, source, uses, last_used_at) SELECT id, $4, $2, $3 FROM u
        ON CONFLICT (token_id, source) DO UPDATE SET uses = usage_sources.uses + $2,
            last_used_at = GREATEST(usage_sources.last_used_at, $3))
    DELETE FROM usage_sources WHERE token_id IN (SELECT id FROM u) AND source <> $4
      AND source NOT IN (
        SELECT source FROM usage_sources WHERE token_id = $1 AND source <> $4
        ORDER BY last_used_at DESC, source LIMIT $5)";

const ADD_FAILURES: &str = "UPDATE tokens SET failed_count = failed_count + $2,
        last_failed_at = GREATEST(COALESCE(last_failed_at, $3), $3) WHERE id = $1";

const ADD_DAY: &str = "INSERT INTO usage_daily (token_id, day, uses, failures)
    SELECT id, $2, $3, $4 FROM tokens WHERE id = $1
    ON CONFLICT (token_id, day) DO UPDATE SET uses = usage_daily.uses + $3,
        failures = usage_daily.failures + $4";

impl Store {
    pub fn record_batch(&mut self, tallies: &[Tally]) -> Result<()> {
        if tallies.is_empty() {
            return Ok(());
        }
        let mut sorted: Vec<&Tally> = tallies.iter().collect();
        sorted.sort_by(|a, b| a.token_id.cmp(&b.token_id));
        self.run(async |c| {
            sqlx::raw_sql("BEGIN; SET LOCAL synchronous_commit = off")
                .execute(&mut *c)
                .await?;
            for t in &sorted {
                if let Some(at) = t.last_used_at.map(to_unix) {
                    sqlx::query(ADD_USES)
                        .bind(&t.token_id)
                        .bind(t.uses as i64)
                        .bind(at)
                        .bind(&t.source)
                        .bind(i64::from(SOURCES_KEPT) - 1)
                        .execute(&mut *c)
                        .await?;
                }
                if let Some(at) = t.last_failed_at.map(to_unix) {
                    sqlx::query(ADD_FAILURES)
                        .bind(&t.token_id)
                        .bind(t.failures as i64)
                        .bind(at)
                        .execute(&mut *c)
                        .await?;
                }
                sqlx::query(ADD_DAY)
                    .bind(&t.token_id)
                    .bind(t.day)
                    .bind(t.uses as i64)
                    .bind(t.failures as i64)
                    .execute(&mut *c)
                    .await?;
            }
            sqlx::raw_sql("COMMIT").execute(&mut *c).await?;
            Ok(())
        })
    }
}
