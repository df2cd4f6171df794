//! `copy`: the whole database out as rows, and into an empty one in one transaction.

use anyhow::Result;
use rusqlite::params;

use super::{Store, TOKEN_COLUMNS, explain, timestamp, token_from_row};
use crate::store::rules::{cidrs_to, refuse};
use crate::store::{Dump, Durability, Event};
use crate::time::to_unix;

impl Store {
    pub fn export(&self) -> Result<Dump> {
        let _snapshot = self.snapshot()?;
        let read = || -> rusqlite::Result<Dump> {
            let mut dump = Dump::default();
            let mut stmt = self.conn.prepare(&format!(
                "SELECT {TOKEN_COLUMNS} FROM tokens t ORDER BY t.created_at, t.id"
            ))?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                dump.tokens.push(token_from_row(row)?);
            }
            let mut stmt = self.conn.prepare(
                "SELECT token_id, day, uses, failures FROM usage_daily ORDER BY token_id, day",
            )?;
            dump.daily = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let mut stmt = self.conn.prepare(
                "SELECT token_id, source, uses, last_used_at FROM usage_sources ORDER BY token_id, source",
            )?;
            dump.sources = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let mut stmt = self.conn.prepare(
                "SELECT at, token_id, token_name, action, actor, detail, data FROM events ORDER BY seq",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                dump.events.push(Event {
                    at: timestamp(r.get(0)?)?,
                    token_id: r.get(1)?,
                    token_name: r.get(2)?,
                    action: r.get(3)?,
                    actor: r.get(4)?,
                    detail: r.get(5)?,
                    data: r.get(6)?,
                });
            }
            Ok(dump)
        };
        read().map_err(|e| explain(&self.path, e))
    }

    pub fn import(&mut self, dump: &Dump) -> Result<()> {
        let target = self.path.display().to_string();
        self.write(Durability::Full, |tx| {
            let held: i64 = tx.query_row("SELECT count(*) FROM tokens", [], |r| r.get(0))?;
            if held > 0 {
                return Err(refuse::not_empty(&target, held as u64));
            }
            let mut token = tx.prepare(
                "INSERT INTO tokens (id, name, prefix, hash, description, created_at, expires_at,
                     revoked_at, usage_count, last_used_at, last_used_source, failed_count,
                     last_failed_at, revoke_reason, compromised, max_uses, allowed_cidrs,
                     rotated_from, rotated_to, grace_ends_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                     ?17, ?18, ?19, ?20)",
            )?;
            let mut scope =
                tx.prepare("INSERT OR IGNORE INTO token_scopes (token_id, scope) VALUES (?1, ?2)")?;
            for t in &dump.tokens {
                let Some(hash) = t.hash else {
                    anyhow::bail!("token {} has no valid hash in the source; nothing was copied", t.id);
                };
                token.execute(params![
                    t.id,
                    t.name,
                    t.prefix,
                    &hash.as_bytes()[..],
                    t.description,
                    to_unix(t.created_at),
                    t.expires_at.map(to_unix),
                    t.revoked_at.map(to_unix),
                    t.usage_count as i64,
                    t.last_used_at.map(to_unix),
                    t.last_used_source,
                    t.failed_count as i64,
                    t.last_failed_at.map(to_unix),
                    t.revoke_reason,
                    t.compromised,
                    t.max_uses.map(|n| n as i64),
                    cidrs_to(&t.allowed_cidrs),
                    t.rotated_from,
                    t.rotated_to,
                    t.grace_ends_at.map(to_unix),
                ])?;
                for s in &t.scopes {
                    scope.execute(params![t.id, s])?;
                }
            }
            let mut daily = tx.prepare(
                "INSERT INTO usage_daily (token_id, day, uses, failures) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for (id, day, uses, failures) in &dump.daily {
                daily.execute(params![id, day, uses, failures])?;
            }
            let mut source = tx.prepare(
                "INSERT INTO usage_sources (token_id, source, uses, last_used_at) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for (id, s, uses, at) in &dump.sources {
                source.execute(params![id, s, uses, at])?;
            }
            let mut event = tx.prepare(
                "INSERT INTO events (at, token_id, token_name, action, actor, detail, data)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for e in &dump.events {
                event.execute(params![
                    to_unix(e.at),
                    e.token_id,
                    e.token_name,
                    e.action,
                    e.actor,
                    e.detail,
                    e.data
                ])?;
            }
            Ok(())
        })
    }
}
