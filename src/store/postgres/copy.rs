//! `copy`: the whole database out as rows, and into an empty one in one transaction.

use anyhow::Result;
use sqlx::Row as _;

use super::Store;
use super::ops::{TOKEN_COLUMNS, time_of};
use crate::store::rules::{cidrs_to, refuse};
use crate::store::{Dump, Event};
use crate::time::to_unix;

impl Store {
    pub fn export(&self) -> Result<Dump> {
        let _snapshot = self.snapshot()?;
        let mut dump = Dump::default();
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM tokens t ORDER BY t.created_at, t.id");
        let rows = self.run(async |c| sqlx::query(&sql).fetch_all(c).await)?;
        for row in &rows {
            // Decoded like every read: through the one row mapping.
            let id: String = row.try_get(0).map_err(|e| self.explain(&e))?;
            let token = self
                .get(&id)?
                .ok_or_else(|| refuse::gone(&id, "nothing was copied"))?;
            dump.tokens.push(token);
        }
        self.run(async |c| {
            for r in sqlx::query("SELECT token_id, day, uses, failures FROM usage_daily ORDER BY token_id, day")
                .fetch_all(&mut *c)
                .await?
            {
                dump.daily.push((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?));
            }
            for r in sqlx::query(
                "SELECT token_id, source, uses, last_used_at FROM usage_sources ORDER BY token_id, source",
            )
            .fetch_all(&mut *c)
            .await?
            {
                dump.sources.push((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?));
            }
            for r in sqlx::query(
                "SELECT at, token_id, token_name, action, actor, detail, data FROM events ORDER BY seq",
            )
            .fetch_all(&mut *c)
            .await?
            {
                dump.events.push(Event {
                    at: time_of(r.try_get(0)?)?,
                    token_id: r.try_get(1)?,
                    token_name: r.try_get(2)?,
                    action: r.try_get(3)?,
                    actor: r.try_get(4)?,
                    detail: r.try_get(5)?,
                    data: r.try_get(6)?,
                });
            }
            Ok(())
        })?;
        Ok(dump)
    }

    pub fn import(&mut self, dump: &Dump) -> Result<()> {
        let target = format!("{:?}", self.url);
        self.write(async |c, _| {
            let held: i64 = sqlx::query_scalar("SELECT pg_catalog.count(*) FROM tokens")
                .fetch_one(&mut *c)
                .await?;
            if held > 0 {
                return Err(refuse::not_empty(&target, held as u64));
            }
            for t in &dump.tokens {
                let Some(hash) = t.hash else {
                    anyhow::bail!("token {} has no valid hash in the source; nothing was copied", t.id);
                };
                sqlx::query(
                    "INSERT INTO tokens (id, name, prefix, hash, description, created_at, expires_at,
                         revoked_at, usage_count, last_used_at, last_used_source, failed_count,
                         last_failed_at, revoke_reason, compromised, max_uses, allowed_cidrs,
                         rotated_from, rotated_to, grace_ends_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                         $17, $18, $19, $20)",
                )
                .bind(&t.id)
                .bind(&t.name)
                .bind(&t.prefix)
                .bind(&hash.as_bytes()[..])
                .bind(&t.description)
                .bind(to_unix(t.created_at))
                .bind(t.expires_at.map(to_unix))
                .bind(t.revoked_at.map(to_unix))
                .bind(t.usage_count as i64)
                .bind(t.last_used_at.map(to_unix))
                .bind(&t.last_used_source)
                .bind(t.failed_count as i64)
                .bind(t.last_failed_at.map(to_unix))
                .bind(&t.revoke_reason)
                .bind(t.compromised)
                .bind(t.max_uses.map(|n| n as i64))
                .bind(cidrs_to(&t.allowed_cidrs))
                .bind(&t.rotated_from)
                .bind(&t.rotated_to)
                .bind(t.grace_ends_at.map(to_unix))
                .execute(&mut *c)
                .await?;
                if !t.scopes.is_empty() {
                    sqlx::query(
                        "INSERT INTO token_scopes (token_id, scope) SELECT $1, pg_catalog.unnest($2::text[])
                         ON CONFLICT DO NOTHING",
                    )
                    .bind(&t.id)
                    .bind(&t.scopes)
                    .execute(&mut *c)
                    .await?;
                }
            }
            for (id, day, uses, failures) in &dump.daily {
                sqlx::query("INSERT INTO usage_daily (token_id, day, uses, failures) VALUES ($1, $2, $3, $4)")
                    .bind(id)
                    .bind(day)
                    .bind(uses)
                    .bind(failures)
                    .execute(&mut *c)
                    .await?;
            }
            for (id, source, uses, at) in &dump.sources {
                sqlx::query(
                    "INSERT INTO usage_sources (token_id, source, uses, last_used_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(source)
                .bind(uses)
                .bind(at)
                .execute(&mut *c)
                .await?;
            }
            for e in &dump.events {
                sqlx::query(
                    "INSERT INTO events (at, token_id, token_name, action, actor, detail, data)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(to_unix(e.at))
                .bind(&e.token_id)
                .bind(&e.token_name)
                .bind(&e.action)
                .bind(&e.actor)
                .bind(&e.detail)
                .bind(&e.data)
                .execute(&mut *c)
                .await?;
            }
            Ok(())
        })
    }
}
