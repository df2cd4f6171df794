//! The reads: lookups for REF resolution, list with its filters, and what show and log
//! need (sources, daily usage, events, failure days, the history lookup).

use super::*;

impl Store {
    pub fn get(&self, id: &str) -> Result<Option<TokenRecord>> {
        find_by(&self.conn, By::Id, id).map_err(|e| explain(&self.path, e))
    }

    /// SQLite's `PRAGMA data_version`: it reads differently whenever another connection
    /// (of any process) has committed since this one last asked; this connection's own
    /// commits leave it as it was.
    pub fn data_version(&self) -> Result<i64> {
        let read = || -> rusqlite::Result<i64> {
            self.conn
                .prepare_cached("PRAGMA data_version")?
                .query_row([], |row| row.get(0))
        };
        read().map_err(|e| explain(&self.path, e))
    }

    pub fn by_name(&self, name: &str) -> Result<Option<TokenRecord>> {
        find_by(&self.conn, By::Name, name).map_err(|e| explain(&self.path, e))
    }

    pub fn by_id_prefix(&self, bare: &str, limit: u32) -> Result<Vec<TokenRecord>> {
        let found = (|| {
            let mut stmt = self.conn.prepare(&format!(
                "SELECT {TOKEN_COLUMNS} FROM tokens t WHERE t.id >= ?1 AND t.id < ?1 || '~' ORDER BY t.id LIMIT ?2"
            ))?;
            let mut rows = stmt.query(params![bare, limit])?;
            let mut matches = Vec::new();
            while let Some(row) = rows.next()? {
                matches.push(token_from_row(row)?);
            }
            Ok(matches)
        })();
        found.map_err(|e| explain(&self.path, e))
    }

    /// Streams the tokens `query` selects to `each`, in order, without holding them all.
    pub fn list(
        &self,
        query: &ListQuery,
        now: Timestamp,
        mut each: impl FnMut(TokenRecord) -> Result<()>,
    ) -> Result<ListCounts> {
        let (filter, binds) = filter_sql(query);
        let order = match query.sort.unwrap_or(SortKey::Created) {
            SortKey::Name => "t.name COLLATE NOCASE, t.id",
            SortKey::Created => "t.created_at DESC, t.id",
            SortKey::Expires => "t.expires_at IS NULL, t.expires_at, t.id",
            SortKey::LastUsed => "t.last_used_at IS NULL, t.last_used_at DESC, t.id",
            SortKey::Uses => "t.usage_count DESC, t.id",
        };
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM tokens t WHERE {filter} ORDER BY {order}");
        let mut stmt = self
            .conn
            .prepare(&sql)
            .map_err(|e| explain(&self.path, e))?;
        let mut rows = stmt
            .query(rusqlite::params_from_iter(filter_params(now, &binds)))
            .map_err(|e| explain(&self.path, e))?;
        let mut shown = 0;
        while let Some(row) = rows.next().map_err(|e| explain(&self.path, e))? {
            each(token_from_row(row).map_err(|e| explain(&self.path, e))?)?;
            shown += 1;
        }
        let total: i64 = self
            .conn
            .query_row("SELECT count(*) FROM tokens", [], |r| r.get(0))
            .map_err(|e| explain(&self.path, e))?;
        let total = total.max(0) as u64;
        Ok(ListCounts { shown, total })
    }

    /// The most recent distinct sources a token was used from.
    pub fn sources(&self, id: &str, limit: u32) -> Result<Vec<SourceUse>> {
        let mut stmt = self.conn.prepare(
            "SELECT source, uses, last_used_at FROM usage_sources WHERE token_id = ?1
             ORDER BY last_used_at DESC, source LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![id, limit], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (source, uses, at) = row?;
            out.push(SourceUse {
                source,
                uses: uses.max(0) as u64,
                last_used_at: timestamp(at)?,
            });
        }
        Ok(out)
    }

    /// Daily uses and failures of a token from `first_day` on (unix days, inclusive).
    pub fn daily(&self, id: &str, first_day: i64) -> Result<Vec<DayUse>> {
        let mut stmt = self.conn.prepare(
            "SELECT day, uses, failures FROM usage_daily WHERE token_id = ?1 AND day >= ?2
             ORDER BY day",
        )?;
        let rows = stmt.query_map(params![id, first_day], |r| {
            Ok(DayUse {
                day: r.get(0)?,
                uses: r.get::<_, i64>(1)?.max(0) as u64,
                failures: r.get::<_, i64>(2)?.max(0) as u64,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Lifecycle events, oldest first, of one token id (or all) at or after `since`.
    pub fn events(&self, token_id: Option<&str>, since: Option<Timestamp>) -> Result<Vec<Event>> {
        let mut stmt = self.conn.prepare(
            "SELECT at, token_id, token_name, action, actor, detail, data FROM events
             WHERE (?1 IS NULL OR token_id = ?1) AND at >= ?2 ORDER BY seq",
        )?;
        let rows = stmt.query_map(params![token_id, since.map_or(i64::MIN, to_unix)], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (at, token_id, token_name, action, actor, detail, data) = row?;
            out.push(Event {
                at: timestamp(at)?,
                token_id,
                token_name,
                action,
                actor,
                detail,
                data,
            });
        }
        Ok(out)
    }

    /// Days with failed verify attempts, per token, at or after `since`.
    pub fn failure_days(
        &self,
        token_id: Option<&str>,
        since: Option<Timestamp>,
    ) -> Result<Vec<FailureDay>> {
        let mut stmt = self.conn.prepare(
            "SELECT u.token_id, t.name, u.day, u.failures FROM usage_daily u
             JOIN tokens t ON t.id = u.token_id
             WHERE u.failures > 0 AND (?1 IS NULL OR u.token_id = ?1) AND u.day >= ?2
             ORDER BY u.day, t.name",
        )?;
        let first_day = since.map_or(i64::MIN, day_of);
        let rows = stmt.query_map(params![token_id, first_day], |r| {
            Ok(FailureDay {
                token_id: r.get(0)?,
                token_name: r.get(1)?,
                day: r.get(2)?,
                failures: r.get::<_, i64>(3)?.max(0) as u64,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Finds a token id (live or deleted) from the event log, for `log REF`.
    /// By exact id, exact name, or a unique id prefix of 4+ characters, as `resolve`.
    pub fn historic(&self, reference: &str) -> Result<Vec<(String, String)>> {
        let mut stmt = self.conn.prepare(
            "SELECT token_id, token_name FROM events
             WHERE token_id = ?1 OR token_name = ?1
                OR (length(?1) >= 4 AND token_id >= ?1 AND token_id < ?1 || '~')
             GROUP BY token_id ORDER BY max(seq) DESC LIMIT 2",
        )?;
        let found: Vec<(String, String)> = stmt
            .query_map([reference], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(found)
    }
}

/// The FILTERS of `query` in SQLite's terms (see `rules::filter_sql`): ?1 is now.
pub(super) fn filter_sql(query: &ListQuery) -> (String, Vec<String>) {
    rules::filter_sql(
        query,
        |n| format!("?{n}"),
        |glob, p| (format!("t.name GLOB {p}"), rules::glob_to_sqlite(glob)),
    )
}

/// The parameters of a `filter_sql` condition, now first.
pub(super) fn filter_params(now: Timestamp, binds: &[String]) -> Vec<rusqlite::types::Value> {
    let mut params = vec![rusqlite::types::Value::Integer(to_unix(now))];
    params.extend(binds.iter().cloned().map(rusqlite::types::Value::Text));
    params
}
