//! The lifecycle writes: generate's insert, revoke, restore and delete, each one IMMEDIATE
//! transaction with the rule in its WHERE clause and the row re-read before it commits.

use super::*;

impl Store {
    /// Inserts a new token, dated by `clock` read under the write lock.
    pub fn insert(
        &mut self,
        token: &NewToken,
        clock: impl Fn() -> Timestamp,
        actor: &str,
    ) -> Result<Inserted> {
        self.write(Durability::Full, |tx| {
            let created_at = clock();
            if let Some(existing) = find_by(tx, By::Name, token.name)? {
                return Ok(Inserted::NameTaken(Box::new(existing)));
            }
            let taken: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM tokens WHERE id = ?1)",
                [token.id.as_str()],
                |r| r.get(0),
            )?;
            if taken {
                return Ok(Inserted::IdTaken);
            }
            tx.execute(
                "INSERT INTO tokens (id, name, prefix, hash, description, created_at, expires_at,
                                     max_uses, allowed_cidrs)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    token.id.as_str(),
                    token.name,
                    token.prefix,
                    &token.hash.as_bytes()[..],
                    token.description,
                    to_unix(created_at),
                    token.expires_at.map(to_unix),
                    token.max_uses.map(|n| n.min(i64::MAX as u64) as i64),
                    rules::cidrs_to(token.allowed_cidrs),
                ],
            )?;
            let mut scope =
                tx.prepare("INSERT OR IGNORE INTO token_scopes (token_id, scope) VALUES (?1, ?2)")?;
            for s in token.scopes {
                scope.execute(params![token.id.as_str(), s])?;
            }
            let change = Change::Generated {
                expires_at: token.expires_at.map(to_unix),
                rotated_from: None,
            };
            log_change(
                tx,
                created_at,
                token.id.as_str(),
                token.name,
                &change,
                actor,
                None,
            )?;
            Ok(Inserted::Ok)
        })
    }

    /// Revokes each active token. Returns each token as re-read after the change, inside
    /// the transaction, with whether it changed (false: already revoked); a token that does
    /// not read back revoked fails the whole action, which then changes nothing.
    ///
    /// `clock` is read once the write lock is held: a revoke that waited for the lock is
    /// dated after every use it waited behind.
    pub fn revoke(
        &mut self,
        ids: &[&str],
        why: &Revocation,
        clock: impl Fn() -> Timestamp,
        actor: &str,
    ) -> Result<Vec<(TokenRecord, bool)>> {
        self.write(Durability::Full, |tx| {
            revoke_ids(tx, ids, why, clock(), actor)
        })
    }

    pub fn revoke_matching(
        &mut self,
        query: &ListQuery,
        only: Option<&[String]>,
        why: &Revocation,
        clock: impl Fn() -> Timestamp,
        actor: &str,
    ) -> Result<Vec<(TokenRecord, bool)>> {
        self.write(Durability::Full, |tx| {
            let now = clock();
            let ids = matching_ids(tx, query, Bulk::Revoke, now, only)?;
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            revoke_ids(tx, &ids, why, now, actor)
        })
    }

    pub fn delete_matching(
        &mut self,
        query: &ListQuery,
        only: Option<&[String]>,
        clock: impl Fn() -> Timestamp,
        actor: &str,
    ) -> Result<Vec<TokenRecord>> {
        self.write(Durability::Full, |tx| {
            let now = clock();
            let ids = matching_ids(tx, query, Bulk::Delete, now, only)?;
            let mut gone = Vec::with_capacity(ids.len());
            for id in &ids {
                gone.push(reread(tx, id)?);
            }
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            delete_ids(tx, &ids, now, actor)?;
            Ok(gone)
        })
    }

    pub fn plan(&self, query: &ListQuery, act: Bulk, now: Timestamp) -> Result<Vec<TokenRecord>> {
        let (filter, binds) = super::reads::filter_sql(query);
        let sql = format!(
            "SELECT {TOKEN_COLUMNS} FROM tokens t WHERE {filter} AND {} ORDER BY t.created_at DESC, t.id",
            act.rule_sql("?1")
        );
        let found: rusqlite::Result<Vec<TokenRecord>> = (|| {
            let mut stmt = self.conn.prepare(&sql)?;
            let mut rows = stmt.query(rusqlite::params_from_iter(super::reads::filter_params(
                now, &binds,
            )))?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                out.push(token_from_row(row)?);
            }
            Ok(out)
        })();
        found.map_err(|e| explain(&self.path, e))
    }

    pub fn rotate(
        &mut self,
        id: &str,
        rotation: &Rotation,
        clock: impl Fn() -> Timestamp,
        actor: &str,
    ) -> Result<Rotated> {
        self.write(Durability::Full, |tx| {
            let now = clock();
            let old = reread(tx, id)?;
            refuse::unrotatable(&old, now)?;
            let new_id = rotation.new_id.as_str();
            let taken: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM tokens WHERE id = ?1)",
                [new_id],
                |r| r.get(0),
            )?;
            if taken {
                return Ok(Rotated::IdTaken);
            }
            let (grace_ends, expires) = rules::rotation_windows(&old, rotation, now)?;
            let n = tx.execute(
                "UPDATE tokens SET name = ?2, rotated_to = ?3, grace_ends_at = ?4
                 WHERE id = ?1 AND revoked_at IS NULL AND rotated_to IS NULL",
                params![id, retired_name(&old.name, id), new_id, to_unix(grace_ends)],
            )?;
            if n != 1 {
                return Err(refuse::gone(id, "nothing changed"));
            }
            tx.execute(
                "INSERT INTO tokens (id, name, prefix, hash, description, created_at, expires_at,
                     max_uses, allowed_cidrs, rotated_from)
                 SELECT ?2, ?3, prefix, ?4, description, ?5, ?6, max_uses, allowed_cidrs, id
                 FROM tokens WHERE id = ?1",
                params![
                    id,
                    new_id,
                    old.name,
                    &rotation.hash.as_bytes()[..],
                    to_unix(now),
                    expires.map(to_unix)
                ],
            )?;
            tx.execute(
                "INSERT INTO token_scopes (token_id, scope)
                 SELECT ?2, scope FROM token_scopes WHERE token_id = ?1",
                params![id, new_id],
            )?;
            let retired = retired_name(&old.name, id);
            let change = Change::Rotated {
                to: new_id.to_owned(),
                grace_ends_at: to_unix(grace_ends),
            };
            log_change(tx, now, id, &retired, &change, actor, None)?;
            let change = Change::Generated {
                expires_at: expires.map(to_unix),
                rotated_from: Some(id.to_owned()),
            };
            log_change(tx, now, new_id, &old.name, &change, actor, None)?;
            Ok(Rotated::Ok {
                old: Box::new(reread(tx, id)?),
                new: Box::new(reread(tx, new_id)?),
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
        self.write(Durability::Full, |tx| {
            let now = clock();
            let old = reread(tx, id)?;
            let (new, changes) = rules::apply_edit(&old, edit, now)?;
            if new.name != old.name
                && let Some(other) = find_by(tx, By::Name, &new.name)?
            {
                return Err(refuse::name_taken(&new.name, &other.id));
            }
            tx.execute(
                "UPDATE tokens SET name = ?2, description = ?3, expires_at = ?4, max_uses = ?5,
                     allowed_cidrs = ?6
                 WHERE id = ?1",
                params![
                    id,
                    new.name,
                    new.description,
                    new.expires_at.map(to_unix),
                    new.max_uses.map(|n| n as i64),
                    rules::cidrs_to(&new.allowed_cidrs)
                ],
            )?;
            if new.scopes != old.scopes {
                tx.execute("DELETE FROM token_scopes WHERE token_id = ?1", [id])?;
                let mut scope = tx.prepare(
                    "INSERT OR IGNORE INTO token_scopes (token_id, scope) VALUES (?1, ?2)",
                )?;
                for s in &new.scopes {
                    scope.execute(params![id, s])?;
                }
            }
            for change in &changes {
                log_change(tx, now, id, &new.name, change, actor, None)?;
            }
            Ok((reread(tx, id)?, changes.len()))
        })
    }

    /// Makes revoked, unexpired tokens active. Returns each token as re-read after the
    /// change with whether it changed (false: already active). An expired token, judged
    /// by `clock` read under the write lock, fails the whole action, which then changes
    /// nothing: a restore that waited for the lock past the expiry must not revive it.
    pub fn restore(
        &mut self,
        ids: &[&str],
        clock: impl Fn() -> Timestamp,
        actor: &str,
    ) -> Result<Vec<(TokenRecord, bool)>> {
        self.write(Durability::Full, |tx| {
            let now = clock();
            let mut done = Vec::with_capacity(ids.len());
            for id in ids {
                let n = tx.execute(
                    &format!(
                        "UPDATE tokens SET revoked_at = NULL WHERE id = ?1 AND {}",
                        rules::restorable_sql("?2")
                    ),
                    params![id, to_unix(now)],
                )?;
                if n == 1 {
                    let name = name_of(tx, id)?;
                    log_change(tx, now, id, &name, &Change::Restored, actor, None)?;
                }
                let token = reread(tx, id)?;
                refuse::unrestorable(&token)?;
                // Revoked wins in `status()`, so ask about the expiry itself.
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

    /// Deletes revoked or expired tokens (expired by `clock`, read under the write lock)
    /// with their scopes and usage; the event log keeps their history. An active token
    /// fails the whole action, which then deletes nothing.
    pub fn delete(
        &mut self,
        ids: &[&str],
        clock: impl Fn() -> Timestamp,
        actor: &str,
    ) -> Result<()> {
        self.write(Durability::Full, |tx| delete_ids(tx, ids, clock(), actor))
    }
}

/// Revokes each active token of `ids` at `now` (see `Store::revoke`).
fn revoke_ids(
    tx: &rusqlite::Transaction,
    ids: &[&str],
    why: &Revocation,
    now: Timestamp,
    actor: &str,
) -> Result<Vec<(TokenRecord, bool)>> {
    let mut done = Vec::with_capacity(ids.len());
    for id in ids {
        let n = tx.execute(
            &rules::revoke_sql(["?1", "?2", "?3", "?4"]),
            params![id, to_unix(now), why.reason, why.compromised],
        )?;
        if n == 1 {
            let name = name_of(tx, id)?;
            let change = Change::Revoked {
                reason: why.reason.clone(),
                compromised: why.compromised,
            };
            log_change(tx, now, id, &name, &change, actor, None)?;
        }
        let token = reread(tx, id)?;
        if token.revoked_at.is_none() {
            return Err(refuse::still_active(id));
        }
        done.push((token, n == 1));
    }
    Ok(done)
}

/// Deletes each revoked or expired token of `ids` (see `Store::delete`).
fn delete_ids(tx: &rusqlite::Transaction, ids: &[&str], now: Timestamp, actor: &str) -> Result<()> {
    for id in ids {
        let Some(name) = tx
            .query_row("SELECT name FROM tokens WHERE id = ?1", [id], |r| {
                r.get::<_, String>(0)
            })
            .optional()?
        else {
            return Err(refuse::gone(id, "nothing deleted"));
        };
        let n = tx.execute(
            &format!(
                "DELETE FROM tokens WHERE id = ?1 AND {}",
                rules::deletable_sql("?2")
            ),
            params![id, to_unix(now)],
        )?;
        if n == 0 {
            return Err(refuse::active_delete(id));
        }
        for table in ["token_scopes", "usage_daily", "usage_sources"] {
            tx.execute(&format!("DELETE FROM {table} WHERE token_id = ?1"), [id])?;
        }
        if find_by(tx, By::Id, id)?.is_some() {
            return Err(refuse::still_there(id));
        }
        log_change(tx, now, id, &name, &Change::Deleted, actor, None)?;
    }
    Ok(())
}

/// The ids `query` selects for `act` at `now`, inside the caller's transaction, kept to
/// `only` when given.
fn matching_ids(
    tx: &rusqlite::Transaction,
    query: &ListQuery,
    act: Bulk,
    now: Timestamp,
    only: Option<&[String]>,
) -> Result<Vec<String>> {
    let (filter, binds) = super::reads::filter_sql(query);
    let sql = format!(
        "SELECT t.id FROM tokens t WHERE {filter} AND {} ORDER BY t.created_at DESC, t.id",
        act.rule_sql("?1")
    );
    let mut stmt = tx.prepare(&sql)?;
    let ids = stmt
        .query_map(
            rusqlite::params_from_iter(super::reads::filter_params(now, &binds)),
            |r| r.get::<_, String>(0),
        )?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(match only {
        Some(only) => ids.into_iter().filter(|id| only.contains(id)).collect(),
        None => ids,
    })
}
