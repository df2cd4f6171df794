//! What commands ask of a PostgreSQL database: lookups, the lifecycle writes with the
//! rule in their WHERE clause, and verify's check-and-record statement.

use anyhow::Result;
use sqlx::Row as _;
use sqlx::postgres::{PgConnection, PgRow};

use super::Store;
use crate::store::SOURCES_KEPT;
use crate::store::rules::{self, refuse};
use crate::store::{
    Bulk, Change, DayUse, Edit, Event, FailureDay, Inserted, ListCounts, ListQuery, NewToken,
    Record, Revocation, Rotated, Rotation, SortKey, SourceUse, TokenRecord, day_of, retired_name,
};
use crate::time::{Timestamp, from_unix, to_unix};
use crate::token::{TokenHash, TokenId};

pub(super) const TOKEN_COLUMNS: &str = "t.id, t.name, t.prefix, t.hash, t.description, \
     COALESCE((SELECT pg_catalog.array_agg(s.scope ORDER BY s.scope) FROM token_scopes s WHERE s.token_id = t.id), '{}') AS scopes, \
     t.created_at, t.expires_at, t.revoked_at, t.usage_count, t.last_used_at, \
     t.last_used_source, t.failed_count, t.last_failed_at, \
     t.revoke_reason, t.compromised, t.max_uses, t.allowed_cidrs, t.rotated_from, t.rotated_to, \
     t.grace_ends_at";

/// Records a use only if the token still reads as it was judged (not revoked or
/// restored, same expiry and scopes since): one statement, one round trip, its own
/// transaction, which may skip the synchronous flush (a usage count may lose its last
/// increments on a crash, never a lifecycle change). Read Committed re-checks the WHERE
/// clause on the row a concurrent revoke just changed, so no use of a revoked token is
/// counted and none is lost.
const RECORD_USE: &str = "WITH u AS (
        UPDATE tokens SET usage_count = usage_count + 1, last_used_at = $2, last_used_source = $3
        WHERE id = $1 AND revoked_at IS NOT DISTINCT FROM $4 AND expires_at IS NOT DISTINCT FROM $5
          AND COALESCE((SELECT pg_catalog.array_agg(scope ORDER BY scope) FROM token_scopes WHERE token_id = $1), '{}')
              OPERATOR(pg_catalog.=) $6::text[]
          AND max_uses IS NOT DISTINCT FROM $9 AND allowed_cidrs IS NOT DISTINCT FROM $10
          AND grace_ends_at IS NOT DISTINCT FROM $11
          -- The use limit, exact: a concurrent use that committed first is seen here (the
          -- row is re-checked after its lock), and this one then counts nothing.
          AND (max_uses IS NULL OR usage_count < max_uses)
        RETURNING id),
    d AS (
        INSERT INTO usage_daily (token_id, day, uses) SELECT id, $7, 1 FROM u
        ON CONFLICT (token_id, day) DO UPDATE SET uses = usage_daily.uses + 1),
    s AS (
        INSERT INTO usage_sources (token_id, source, uses, last_used_at) SELECT id, $3, 1, $2 FROM u
        ON CONFLICT (token_id, source) DO UPDATE SET uses = usage_sources.uses + 1, last_used_at = $2),
    x AS (
        DELETE FROM usage_sources WHERE token_id IN (SELECT id FROM u) AND source <> $3
          AND source NOT IN (
            SELECT source FROM usage_sources WHERE token_id = $1 AND source <> $3
            ORDER BY last_used_at DESC, source LIMIT $8))
    SELECT (SELECT pg_catalog.count(*) FROM u), pg_catalog.set_config('synchronous_commit', 'off', true)";

const RECORD_FAILURE: &str = "WITH u AS (
        UPDATE tokens SET failed_count = failed_count + 1, last_failed_at = $2 WHERE id = $1
        RETURNING id),
    d AS (
        INSERT INTO usage_daily (token_id, day, failures) SELECT id, $3, 1 FROM u
        ON CONFLICT (token_id, day) DO UPDATE SET failures = usage_daily.failures + 1)
    SELECT (SELECT pg_catalog.count(*) FROM u), pg_catalog.set_config('synchronous_commit', 'off', true)";

fn token_from_row(row: &PgRow) -> Result<TokenRecord, sqlx::Error> {
    let hash: Vec<u8> = row.try_get(3)?;
    let time = |i: usize| -> Result<Timestamp, sqlx::Error> {
        let secs: i64 = row.try_get(i)?;
        from_unix(secs)
            .ok_or_else(|| sqlx::Error::Decode(format!("time {secs} out of range").into()))
    };
    let opt_time = |i: usize| -> Result<Option<Timestamp>, sqlx::Error> {
        match row.try_get::<Option<i64>, _>(i)? {
            None => Ok(None),
            Some(secs) => from_unix(secs)
                .map(Some)
                .ok_or_else(|| sqlx::Error::Decode(format!("time {secs} out of range").into())),
        }
    };
    Ok(TokenRecord {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        prefix: row.try_get(2)?,
        hash: TokenHash::from_slice(&hash),
        description: row.try_get(4)?,
        scopes: row.try_get(5)?,
        created_at: time(6)?,
        expires_at: opt_time(7)?,
        revoked_at: opt_time(8)?,
        usage_count: row.try_get::<i64, _>(9)?.max(0) as u64,
        last_used_at: opt_time(10)?,
        last_used_source: row.try_get(11)?,
        failed_count: row.try_get::<i64, _>(12)?.max(0) as u64,
        last_failed_at: opt_time(13)?,
        revoke_reason: row.try_get(14)?,
        compromised: row.try_get(15)?,
        max_uses: row.try_get::<Option<i64>, _>(16)?.map(|n| n.max(0) as u64),
        allowed_cidrs: rules::cidrs_from(row.try_get(17)?)
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        rotated_from: row.try_get(18)?,
        rotated_to: row.try_get(19)?,
        grace_ends_at: opt_time(20)?,
    })
}

pub(super) fn time_of(secs: i64) -> Result<Timestamp, sqlx::Error> {
    from_unix(secs).ok_or_else(|| sqlx::Error::Decode(format!("time {secs} out of range").into()))
}

async fn find(
    c: &mut PgConnection,
    condition: &str,
    value: &str,
) -> Result<Option<TokenRecord>, sqlx::Error> {
    let sql = format!("SELECT {TOKEN_COLUMNS} FROM tokens t WHERE {condition}");
    match sqlx::query(&sql).bind(value).fetch_optional(c).await? {
        Some(row) => token_from_row(&row).map(Some),
        None => Ok(None),
    }
}

/// Logs a typed change: its action, and its details as data.
async fn log_change(
    c: &mut PgConnection,
    at: Timestamp,
    id: &str,
    name: &str,
    change: &Change,
    actor: &str,
    detail: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO events (at, token_id, token_name, action, actor, detail, data)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(to_unix(at))
    .bind(id)
    .bind(name)
    .bind(change.action())
    .bind(actor)
    .bind(detail)
    .bind(change.data())
    .execute(c)
    .await?;
    Ok(())
}

async fn name_of(c: &mut PgConnection, id: &str) -> Result<String, sqlx::Error> {
    sqlx::query_scalar("SELECT name FROM tokens WHERE id = $1")
        .bind(id)
        .fetch_one(c)
        .await
}

async fn reread(c: &mut PgConnection, id: &str) -> Result<TokenRecord> {
    find(c, "t.id = $1", id)
        .await?
        .ok_or_else(|| refuse::gone(id, "nothing changed"))
}

impl Store {
    fn actor(&self, actor: &str) -> String {
        format!("{actor}@{}", self.host)
    }

    pub fn insert(
        &mut self,
        token: &NewToken,
        clock: impl Fn() -> Timestamp,
        actor: &str,
    ) -> Result<Inserted> {
        let actor = self.actor(actor);
        self.write(async |c, _| {
            let created_at = clock();
            if let Some(existing) = find(c, "t.name = $1", token.name).await? {
                return Ok(Inserted::NameTaken(Box::new(existing)));
            }
            let taken: bool =
                sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM tokens WHERE id = $1)")
                    .bind(token.id.as_str())
                    .fetch_one(&mut *c)
                    .await?;
            if taken {
                return Ok(Inserted::IdTaken);
            }
            sqlx::query(
                "INSERT INTO tokens (id, name, prefix, hash, description, created_at, expires_at,
                                     max_uses, allowed_cidrs)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(token.id.as_str())
            .bind(token.name)
            .bind(token.prefix)
            .bind(&token.hash.as_bytes()[..])
            .bind(token.description)
            .bind(to_unix(created_at))
            .bind(token.expires_at.map(to_unix))
            .bind(token.max_uses.map(|n| n.min(i64::MAX as u64) as i64))
            .bind(rules::cidrs_to(token.allowed_cidrs))
            .execute(&mut *c)
            .await?;
            if !token.scopes.is_empty() {
                sqlx::query(
                    "INSERT INTO token_scopes (token_id, scope) SELECT $1, pg_catalog.unnest($2::text[])
                     ON CONFLICT DO NOTHING",
                )
                .bind(token.id.as_str())
                .bind(token.scopes)
                .execute(&mut *c)
                .await?;
            }
            let change = Change::Generated {
                expires_at: token.expires_at.map(to_unix),
                rotated_from: None,
            };
            log_change(
                c,
                created_at,
                token.id.as_str(),
                token.name,
                &change,
                &actor,
                None,
            )
            .await?;
            Ok(Inserted::Ok)
        })
    }

    pub fn get(&self, id: &str) -> Result<Option<TokenRecord>> {
        self.run(async |c| find(c, "t.id = $1", id).await)
    }

    pub fn by_name(&self, name: &str) -> Result<Option<TokenRecord>> {
        self.run(async |c| find(c, "t.name = $1", name).await)
    }

    pub fn by_id_prefix(&self, bare: &str, limit: u32) -> Result<Vec<TokenRecord>> {
        self.run(async |c| {
            let sql = format!(
                "SELECT {TOKEN_COLUMNS} FROM tokens t WHERE t.id >= $1 AND t.id < $1 || '~' ORDER BY t.id LIMIT $2"
            );
            let rows = sqlx::query(&sql).bind(bare).bind(i64::from(limit)).fetch_all(c).await?;
            rows.iter().map(token_from_row).collect()
        })
    }

    pub fn revoke(
        &mut self,
        ids: &[&str],
        why: &Revocation,
        clock: impl Fn() -> Timestamp,
        actor: &str,
    ) -> Result<Vec<(TokenRecord, bool)>> {
        let actor = self.actor(actor);
        self.write(async |c, _| revoke_ids(c, ids, why, clock(), &actor).await)
    }

    pub fn revoke_matching(
        &mut self,
        query: &ListQuery,
        only: Option<&[String]>,
        why: &Revocation,
        clock: impl Fn() -> Timestamp,
        actor: &str,
    ) -> Result<Vec<(TokenRecord, bool)>> {
        let actor = self.actor(actor);
        self.write(async |c, _| {
            let now = clock();
            let ids = matching_ids(c, query, Bulk::Revoke, now, only).await?;
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            revoke_ids(c, &ids, why, now, &actor).await
        })
    }

    pub fn delete_matching(
        &mut self,
        query: &ListQuery,
        only: Option<&[String]>,
        clock: impl Fn() -> Timestamp,
        actor: &str,
    ) -> Result<Vec<TokenRecord>> {
        let actor = self.actor(actor);
        self.write(async |c, _| {
            let now = clock();
            let ids = matching_ids(c, query, Bulk::Delete, now, only).await?;
            let mut gone = Vec::with_capacity(ids.len());
            for id in &ids {
                gone.push(reread(c, id).await?);
            }
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            delete_ids(c, &ids, now, &actor).await?;
            Ok(gone)
        })
    }

    pub fn plan(&self, query: &ListQuery, act: Bulk, now: Timestamp) -> Result<Vec<TokenRecord>> {
        let (filter, binds) = filter_sql(query);
        let sql = format!(
            "SELECT {TOKEN_COLUMNS} FROM tokens t WHERE {filter} AND {} ORDER BY t.created_at DESC, t.id",
            act.rule_sql("$1::bigint")
        );
        let rows = self.run(async |c| {
            let mut q = sqlx::query(&sql).bind(to_unix(now));
            for b in &binds {
                q = q.bind(b);
            }
            q.fetch_all(c).await
        })?;
        rows.iter()
            .map(|row| token_from_row(row).map_err(|e| self.explain(&e)))
            .collect()
    }

    pub fn rotate(
        &mut self,
        id: &str,
        rotation: &Rotation<'_>,
        clock: impl Fn() -> Timestamp,
        actor: &str,
    ) -> Result<Rotated> {
        let actor = self.actor(actor);
        self.write(async |c, _| {
            let now = clock();
            let old = reread(c, id).await?;
            refuse::unrotatable(&old, now)?;
            let new_id = rotation.new_id.as_str();
            let taken: bool =
                sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM tokens WHERE id = $1)")
                    .bind(new_id)
                    .fetch_one(&mut *c)
                    .await?;
            if taken {
                return Ok(Rotated::IdTaken);
            }
            let (grace_ends, expires) = rules::rotation_windows(&old, rotation, now)?;
            let retired = retired_name(&old.name, id);
            let n = sqlx::query(
                "UPDATE tokens SET name = $2, rotated_to = $3, grace_ends_at = $4
                 WHERE id = $1 AND revoked_at IS NULL AND rotated_to IS NULL",
            )
            .bind(id)
            .bind(&retired)
            .bind(new_id)
            .bind(to_unix(grace_ends))
            .execute(&mut *c)
            .await?
            .rows_affected();
            if n != 1 {
                return Err(refuse::gone(id, "nothing changed"));
            }
            sqlx::query(
                "INSERT INTO tokens (id, name, prefix, hash, description, created_at, expires_at,
                     max_uses, allowed_cidrs, rotated_from)
                 SELECT $2, $3, prefix, $4, description, $5, $6, max_uses, allowed_cidrs, id
                 FROM tokens WHERE id = $1",
            )
            .bind(id)
            .bind(new_id)
            .bind(&old.name)
            .bind(&rotation.hash.as_bytes()[..])
            .bind(to_unix(now))
            .bind(expires.map(to_unix))
            .execute(&mut *c)
            .await?;
            sqlx::query(
                "INSERT INTO token_scopes (token_id, scope)
                 SELECT $2, scope FROM token_scopes WHERE token_id = $1",
            )
            .bind(id)
            .bind(new_id)
            .execute(&mut *c)
            .await?;
            let change = Change::Rotated {
                to: new_id.to_owned(),
                grace_ends_at: to_unix(grace_ends),
            };
            log_change(c, now, id, &retired, &change, &actor, None).await?;
            let change = Change::Generated {
                expires_at: expires.map(to_unix),
                rotated_from: Some(id.to_owned()),
            };
            log_change(c, now, new_id, &old.name, &change, &actor, None).await?;
            Ok(Rotated::Ok {
                old: Box::new(reread(c, id).await?),
                new: Box::new(reread(c, new_id).await?),
            })
        })
    }

    pub fn edit(
        &mut self,
        id: &str,
        edit: &Edit,
        clock: impl Fn() -> Timestamp,
        actor: &str,
    ) -> Result<(TokenRecord, usize)> {
        let actor = self.actor(actor);
        self.write(async |c, _| {
            let now = clock();
            let old = reread(c, id).await?;
            let (new, changes) = rules::apply_edit(&old, edit, now)?;
            if new.name != old.name
                && let Some(other) = find(c, "t.name = $1", &new.name).await?
            {
                return Err(refuse::name_taken(&new.name, &other.id));
            }
            sqlx::query(
                "UPDATE tokens SET name = $2, description = $3, expires_at = $4, max_uses = $5,
                     allowed_cidrs = $6
                 WHERE id = $1",
            )
            .bind(id)
            .bind(&new.name)
            .bind(&new.description)
            .bind(new.expires_at.map(to_unix))
            .bind(new.max_uses.map(|n| n as i64))
            .bind(rules::cidrs_to(&new.allowed_cidrs))
            .execute(&mut *c)
            .await?;
            if new.scopes != old.scopes {
                sqlx::query("DELETE FROM token_scopes WHERE token_id = $1")
                    .bind(id)
                    .execute(&mut *c)
                    .await?;
                sqlx::query(
                    "INSERT INTO token_scopes (token_id, scope) SELECT $1, pg_catalog.unnest($2::text[])
                     ON CONFLICT DO NOTHING",
                )
                .bind(id)
                .bind(&new.scopes)
                .execute(&mut *c)
                .await?;
            }
            for change in &changes {
                log_change(c, now, id, &new.name, change, &actor, None).await?;
            }
            Ok((reread(c, id).await?, changes.len()))
        })
    }

    pub fn restore(
        &mut self,
        ids: &[&str],
        clock: impl Fn() -> Timestamp,
        actor: &str,
    ) -> Result<Vec<(TokenRecord, bool)>> {
        let actor = self.actor(actor);
        self.write(async |c, _| {
            let now = clock();
            let mut done = Vec::with_capacity(ids.len());
            let sql = format!(
                "UPDATE tokens SET revoked_at = NULL WHERE id = $1 AND {}",
                rules::restorable_sql("$2")
            );
            for id in ids {
                let n = sqlx::query(&sql)
                    .bind(id)
                    .bind(to_unix(now))
                    .execute(&mut *c)
                    .await?
                    .rows_affected();
                if n == 1 {
                    let name = name_of(c, id).await?;
                    log_change(c, now, id, &name, &Change::Restored, &actor, None).await?;
                }
                let token = reread(c, id).await?;
                refuse::unrestorable(&token)?;
                if token.expires_at.is_some_and(|t| t <= now) {
                    return Err(refuse::expired_restore(id));
                }
                if token.revoked_at.is_some() {
                    return Err(refuse::still_revoked(id));
                }
                done.push((token, n == 1));
            }
            Ok(done)
        })
    }

    pub fn delete(
        &mut self,
        ids: &[&str],
        clock: impl Fn() -> Timestamp,
        actor: &str,
    ) -> Result<()> {
        let actor = self.actor(actor);
        self.write(async |c, _| delete_ids(c, ids, clock(), &actor).await)
    }

    pub fn revoke_leaked(
        &mut self,
        leaked: &[(&str, TokenHash, &str)],
        now: Timestamp,
        actor: &str,
    ) -> Result<Vec<bool>> {
        let actor = self.actor(actor);
        self.write(async |c, _| {
            let sql = format!(
                "UPDATE tokens AS t SET revoked_at = $2, revoke_reason = $4, compromised = true
                 WHERE id = $1 AND hash = $3 AND {}",
                rules::active_sql("$2")
            );
            let mut changed = Vec::with_capacity(leaked.len());
            for (id, hash, detail) in leaked {
                let n = sqlx::query(&sql)
                    .bind(id)
                    .bind(to_unix(now))
                    .bind(&hash.as_bytes()[..])
                    .bind(detail)
                    .execute(&mut *c)
                    .await?
                    .rows_affected();
                if n == 1 {
                    let name = name_of(c, id).await?;
                    // A token found where it should not be is compromised: never restorable.
                    let change = Change::Revoked {
                        reason: Some((*detail).to_owned()),
                        compromised: true,
                    };
                    log_change(c, now, id, &name, &change, &actor, Some(detail)).await?;
                }
                changed.push(n == 1);
            }
            Ok(changed)
        })
    }

    /// Judges on the token as read (no lock); records by a statement that only counts if
    /// the token still reads as judged. When it does not (a revoke, restore or delete
    /// landed in between), the token is re-read under a row lock and judged again.
    pub fn check<V>(
        &mut self,
        id: &TokenId,
        clock: impl Fn() -> Timestamp,
        source: Option<&str>,
        mut decide: impl FnMut(Option<&TokenRecord>, Timestamp) -> (V, Record),
    ) -> Result<(V, Option<TokenRecord>)> {
        let token = self.get(id.as_str())?;
        let now = clock();
        let (verdict, record) = decide(token.as_ref(), now);
        let Some(source) = source.filter(|_| record != Record::Nothing) else {
            return Ok((verdict, token));
        };
        let Some(judged) = token else {
            return Ok((verdict, None));
        };
        match record {
            Record::Use => {
                let recorded = self.run(async |c| record_use(c, &judged, now, source).await)?;
                if recorded {
                    return Ok((verdict, Some(judged)));
                }
            }
            Record::Failure => {
                self.run(async |c| record_failure(c, id.as_str(), now).await)?;
                return Ok((verdict, Some(judged)));
            }
            Record::Nothing => return Ok((verdict, Some(judged))),
        }
        // The token changed between the read and the record: judge it again, locked.
        self.run(async |c| {
            sqlx::raw_sql("BEGIN; SET LOCAL synchronous_commit = off")
                .execute(&mut *c)
                .await?;
            let sql = format!("SELECT {TOKEN_COLUMNS} FROM tokens t WHERE t.id = $1 FOR UPDATE");
            let token = match sqlx::query(&sql)
                .bind(id.as_str())
                .fetch_optional(&mut *c)
                .await?
            {
                Some(row) => Some(token_from_row(&row)?),
                None => None,
            };
            let now = clock();
            let (verdict, record) = decide(token.as_ref(), now);
            match (&token, record) {
                (Some(t), Record::Use) => {
                    record_use(c, t, now, source).await?;
                }
                (Some(_), Record::Failure) => record_failure(c, id.as_str(), now).await?,
                _ => {}
            }
            sqlx::raw_sql("COMMIT").execute(&mut *c).await?;
            Ok((verdict, token))
        })
    }

    pub fn list(
        &self,
        query: &ListQuery,
        now: Timestamp,
        mut each: impl FnMut(TokenRecord) -> Result<()>,
    ) -> Result<ListCounts> {
        let (filter, binds) = filter_sql(query);
        let order = match query.sort.unwrap_or(SortKey::Created) {
            SortKey::Name => "pg_catalog.lower(t.name), t.id",
            SortKey::Created => "t.created_at DESC, t.id",
            SortKey::Expires => "t.expires_at IS NULL, t.expires_at, t.id",
            SortKey::LastUsed => "t.last_used_at IS NULL, t.last_used_at DESC, t.id",
            SortKey::Uses => "t.usage_count DESC, t.id",
        };
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM tokens t WHERE {filter} ORDER BY {order}");
        let rows = self.run(async |c| {
            let mut q = sqlx::query(&sql).bind(to_unix(now));
            for b in &binds {
                q = q.bind(b);
            }
            q.fetch_all(c).await
        })?;
        let total: i64 = self.run(async |c| {
            sqlx::query_scalar("SELECT pg_catalog.count(*) FROM tokens")
                .fetch_one(c)
                .await
        })?;
        let mut shown = 0;
        for row in &rows {
            each(token_from_row(row).map_err(|e| self.explain(&e))?)?;
            shown += 1;
        }
        Ok(ListCounts {
            shown,
            total: total.max(0) as u64,
        })
    }

    pub fn sources(&self, id: &str, limit: u32) -> Result<Vec<SourceUse>> {
        self.run(async |c| {
            let rows = sqlx::query(
                "SELECT source, uses, last_used_at FROM usage_sources WHERE token_id = $1
                 ORDER BY last_used_at DESC, source LIMIT $2",
            )
            .bind(id)
            .bind(i64::from(limit))
            .fetch_all(c)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(SourceUse {
                        source: r.try_get(0)?,
                        uses: r.try_get::<i64, _>(1)?.max(0) as u64,
                        last_used_at: time_of(r.try_get(2)?)?,
                    })
                })
                .collect()
        })
    }

    pub fn daily(&self, id: &str, first_day: i64) -> Result<Vec<DayUse>> {
        self.run(async |c| {
            let rows = sqlx::query(
                "SELECT day, uses, failures FROM usage_daily WHERE token_id = $1 AND day >= $2
                 ORDER BY day",
            )
            .bind(id)
            .bind(first_day)
            .fetch_all(c)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(DayUse {
                        day: r.try_get(0)?,
                        uses: r.try_get::<i64, _>(1)?.max(0) as u64,
                        failures: r.try_get::<i64, _>(2)?.max(0) as u64,
                    })
                })
                .collect()
        })
    }

    pub fn events(&self, token_id: Option<&str>, since: Option<Timestamp>) -> Result<Vec<Event>> {
        self.run(async |c| {
            let rows = sqlx::query(
                "SELECT at, token_id, token_name, action, actor, detail, data FROM events
                 WHERE ($1::text IS NULL OR token_id = $1) AND at >= $2 ORDER BY seq",
            )
            .bind(token_id)
            .bind(since.map_or(i64::MIN, to_unix))
            .fetch_all(c)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(Event {
                        at: time_of(r.try_get(0)?)?,
                        token_id: r.try_get(1)?,
                        token_name: r.try_get(2)?,
                        action: r.try_get(3)?,
                        actor: r.try_get(4)?,
                        detail: r.try_get(5)?,
                        data: r.try_get(6)?,
                    })
                })
                .collect()
        })
    }

    pub fn failure_days(
        &self,
        token_id: Option<&str>,
        since: Option<Timestamp>,
    ) -> Result<Vec<FailureDay>> {
        self.run(async |c| {
            let rows = sqlx::query(
                "SELECT u.token_id, t.name, u.day, u.failures FROM usage_daily u
                 JOIN tokens t ON t.id = u.token_id
                 WHERE u.failures > 0 AND ($1::text IS NULL OR u.token_id = $1) AND u.day >= $2
                 ORDER BY u.day, t.name",
            )
            .bind(token_id)
            .bind(since.map_or(i64::MIN, day_of))
            .fetch_all(c)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(FailureDay {
                        token_id: r.try_get(0)?,
                        token_name: r.try_get(1)?,
                        day: r.try_get(2)?,
                        failures: r.try_get::<i64, _>(3)?.max(0) as u64,
                    })
                })
                .collect()
        })
    }

    pub fn historic(&self, reference: &str) -> Result<Vec<(String, String)>> {
        self.run(async |c| {
            let rows = sqlx::query(
                "SELECT token_id, (pg_catalog.array_agg(token_name ORDER BY seq DESC))[1] FROM events
                 WHERE token_id = $1 OR token_name = $1
                    OR (pg_catalog.length($1) >= 4 AND token_id >= $1 AND token_id < $1 || '~')
                 GROUP BY token_id ORDER BY pg_catalog.max(seq) DESC LIMIT 2",
            )
            .bind(reference)
            .fetch_all(c)
            .await?;
            rows.iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
                .collect()
        })
    }
}

/// `RECORD_USE` for `judged`; false when the token no longer reads as judged.
async fn record_use(
    c: &mut PgConnection,
    judged: &TokenRecord,
    now: Timestamp,
    source: &str,
) -> Result<bool, sqlx::Error> {
    let row = sqlx::query(RECORD_USE)
        .bind(&judged.id)
        .bind(to_unix(now))
        .bind(source)
        .bind(judged.revoked_at.map(to_unix))
        .bind(judged.expires_at.map(to_unix))
        .bind(&judged.scopes)
        .bind(day_of(now))
        .bind(i64::from(SOURCES_KEPT) - 1)
        .bind(judged.max_uses.map(|n| n.min(i64::MAX as u64) as i64))
        .bind(rules::cidrs_to(&judged.allowed_cidrs))
        .bind(judged.grace_ends_at.map(to_unix))
        .fetch_one(c)
        .await?;
    Ok(row.try_get::<i64, _>(0)? == 1)
}

async fn record_failure(c: &mut PgConnection, id: &str, now: Timestamp) -> Result<(), sqlx::Error> {
    sqlx::query(RECORD_FAILURE)
        .bind(id)
        .bind(to_unix(now))
        .bind(day_of(now))
        .fetch_one(c)
        .await?;
    Ok(())
}

/// The FILTERS of `query` in PostgreSQL's terms (see `rules::filter_sql`): $1 is now.
fn filter_sql(query: &ListQuery) -> (String, Vec<String>) {
    rules::filter_sql(
        query,
        |n| {
            if n == 1 {
                "$1::bigint".to_owned()
            } else {
                format!("${n}::text")
            }
        },
        |glob, p| {
            (
                format!("t.name LIKE {p} ESCAPE '\\'"),
                rules::glob_to_like(glob),
            )
        },
    )
}

/// Revokes each active token of `ids` at `now` (see `Store::revoke`).
async fn revoke_ids(
    c: &mut PgConnection,
    ids: &[&str],
    why: &Revocation,
    now: Timestamp,
    actor: &str,
) -> Result<Vec<(TokenRecord, bool)>> {
    let mut done = Vec::with_capacity(ids.len());
    let sql = rules::revoke_sql(["$1", "$2", "$3", "$4"]);
    for id in ids {
        let n = sqlx::query(&sql)
            .bind(id)
            .bind(to_unix(now))
            .bind(&why.reason)
            .bind(why.compromised)
            .execute(&mut *c)
            .await?
            .rows_affected();
        if n == 1 {
            let name = name_of(c, id).await?;
            let change = Change::Revoked {
                reason: why.reason.clone(),
                compromised: why.compromised,
            };
            log_change(c, now, id, &name, &change, actor, None).await?;
        }
        let token = reread(c, id).await?;
        if token.revoked_at.is_none() {
            return Err(refuse::still_active(id));
        }
        done.push((token, n == 1));
    }
    Ok(done)
}

/// Deletes each revoked or expired token of `ids` (see `Store::delete`).
async fn delete_ids(c: &mut PgConnection, ids: &[&str], now: Timestamp, actor: &str) -> Result<()> {
    let sql = format!(
        "DELETE FROM tokens WHERE id = $1 AND {}",
        rules::deletable_sql("$2")
    );
    for id in ids {
        let name: Option<String> = sqlx::query_scalar("SELECT name FROM tokens WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *c)
            .await?;
        let Some(name) = name else {
            return Err(refuse::gone(id, "nothing deleted"));
        };
        let n = sqlx::query(&sql)
            .bind(id)
            .bind(to_unix(now))
            .execute(&mut *c)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(refuse::active_delete(id));
        }
        for table in ["token_scopes", "usage_daily", "usage_sources"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE token_id = $1"))
                .bind(id)
                .execute(&mut *c)
                .await?;
        }
        if find(c, "t.id = $1", id).await?.is_some() {
            return Err(refuse::still_there(id));
        }
        log_change(c, now, id, &name, &Change::Deleted, actor, None).await?;
    }
    Ok(())
}

/// The ids `query` selects for `act` at `now`, inside the caller's transaction, kept to
/// `only` when given.
async fn matching_ids(
    c: &mut PgConnection,
    query: &ListQuery,
    act: Bulk,
    now: Timestamp,
    only: Option<&[String]>,
) -> Result<Vec<String>> {
    let (filter, binds) = filter_sql(query);
    let sql = format!(
        "SELECT t.id FROM tokens t WHERE {filter} AND {} ORDER BY t.created_at DESC, t.id",
        act.rule_sql("$1::bigint")
    );
    let mut q = sqlx::query_scalar::<_, String>(&sql).bind(to_unix(now));
    for b in &binds {
        q = q.bind(b);
    }
    let ids = q.fetch_all(&mut *c).await?;
    Ok(match only {
        Some(only) => ids.into_iter().filter(|id| only.contains(id)).collect(),
        None => ids,
    })
}
