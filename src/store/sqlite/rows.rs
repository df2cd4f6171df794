//! Rows in and out: the token columns, one token by a condition, the event insert and
//! the unix-seconds times.

use super::*;

/// The columns `token_from_row` reads, as a literal, so the one-token lookups below are
/// constants: `serve` runs one per request, and formatting the text anew each time cost
/// 2k of the 46k instructions a request took.
macro_rules! token_columns {
    () => {
        "t.id, t.name, t.prefix, t.hash, t.description, \
         (SELECT json_group_array(scope) FROM token_scopes s WHERE s.token_id = t.id), \
         t.created_at, t.expires_at, t.revoked_at, t.usage_count, t.last_used_at, \
         t.last_used_source, t.failed_count, t.last_failed_at, \
         t.revoke_reason, t.compromised, t.max_uses, t.allowed_cidrs, t.rotated_from, t.rotated_to, \
         t.grace_ends_at"
    };
}

pub(super) const TOKEN_COLUMNS: &str = token_columns!();

/// Which column a one-token lookup matches.
#[derive(Clone, Copy)]
pub(super) enum By {
    Id,
    Name,
}

impl By {
    fn sql(self) -> &'static str {
        match self {
            By::Id => concat!(
                "SELECT ",
                token_columns!(),
                " FROM tokens t WHERE t.id = ?1"
            ),
            By::Name => concat!(
                "SELECT ",
                token_columns!(),
                " FROM tokens t WHERE t.name = ?1"
            ),
        }
    }
}

pub(super) fn find_by(
    conn: &Connection,
    by: By,
    value: &str,
) -> rusqlite::Result<Option<TokenRecord>> {
    let mut stmt = conn.prepare_cached(by.sql())?;
    let mut rows = stmt.query([value])?;
    match rows.next()? {
        Some(row) => token_from_row(row).map(Some),
        None => Ok(None),
    }
}

/// Drops the token's sources beyond the `SOURCES_KEPT` most recent, never ?2, the one
/// just used. Run after a source is added (verify's and the batch's): only a new one can
/// take a token past the bound. Binds: token id, source, `SOURCES_KEPT - 1`.
pub(super) const PRUNE_SOURCES: &str =
    "DELETE FROM usage_sources WHERE token_id = ?1 AND source <> ?2
    AND source NOT IN (
      SELECT source FROM usage_sources WHERE token_id = ?1 AND source <> ?2
      ORDER BY last_used_at DESC, source LIMIT ?3)";

pub(super) fn name_of(conn: &Connection, id: &str) -> rusqlite::Result<String> {
    conn.query_row("SELECT name FROM tokens WHERE id = ?1", [id], |r| r.get(0))
}

/// The token as it reads now, inside the transaction that changed it: what is reported
/// is what the database holds, not what was meant.
pub(super) fn reread(conn: &Connection, id: &str) -> Result<TokenRecord> {
    find_by(conn, By::Id, id)?.ok_or_else(|| refuse::gone(id, "nothing changed"))
}

/// Logs a typed change: its action, and its details as data.
pub(super) fn log_change(
    conn: &Connection,
    at: Timestamp,
    token_id: &str,
    token_name: &str,
    change: &Change,
    actor: &str,
    detail: Option<&str>,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO events (at, token_id, token_name, action, actor, detail, data)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        to_unix(at),
        token_id,
        token_name,
        change.action(),
        actor,
        detail,
        change.data()
    ])?;
    Ok(())
}

pub(super) fn timestamp(secs: i64) -> rusqlite::Result<Timestamp> {
    from_unix(secs).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Integer,
            format!("time {secs} out of range").into(),
        )
    })
}

pub(super) fn opt_timestamp(secs: Option<i64>) -> rusqlite::Result<Option<Timestamp>> {
    secs.map(timestamp).transpose()
}

/// A token from a row of `TOKEN_COLUMNS`.
pub(super) fn token_from_row(row: &Row) -> rusqlite::Result<TokenRecord> {
    let scopes_json = row.get_ref(5)?.as_str()?;
    let mut scopes: Vec<String> = serde_json::from_str(scopes_json).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(5, rusqlite::types::Type::Text, Box::new(e))
    })?;
    scopes.sort();
    Ok(TokenRecord {
        id: row.get(0)?,
        name: row.get(1)?,
        prefix: row.get(2)?,
        hash: TokenHash::from_slice(row.get_ref(3)?.as_blob()?),
        description: row.get(4)?,
        scopes,
        created_at: timestamp(row.get(6)?)?,
        expires_at: opt_timestamp(row.get(7)?)?,
        revoked_at: opt_timestamp(row.get(8)?)?,
        usage_count: row.get::<_, i64>(9)?.max(0) as u64,
        last_used_at: opt_timestamp(row.get(10)?)?,
        last_used_source: row.get(11)?,
        failed_count: row.get::<_, i64>(12)?.max(0) as u64,
        last_failed_at: opt_timestamp(row.get(13)?)?,
        revoke_reason: row.get(14)?,
        compromised: row.get::<_, i64>(15)? != 0,
        max_uses: row.get::<_, Option<i64>>(16)?.map(|n| n.max(0) as u64),
        allowed_cidrs: rules::cidrs_from(row.get(17)?).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(17, rusqlite::types::Type::Text, Box::new(e))
        })?,
        rotated_from: row.get(18)?,
        rotated_to: row.get(19)?,
        grace_ends_at: opt_timestamp(row.get(20)?)?,
    })
}
