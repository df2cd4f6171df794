//! The PostgreSQL engine: connecting with libpq's conventions (sqlx's connect options),
//! a bounded connect, the schema marker, migrations under an advisory lock, and the
//! vetting that refuses a newer, older, foreign or tampered schema untouched.

use std::cell::{Cell, RefCell};
use std::time::{Duration, Instant};

use anyhow::Result;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions as _, Connection as _, Row as _};

use super::Access;
use super::target::PgUrl;
use crate::error::{Kind, fail};

mod batch;
mod copy;
mod ops;

/// Applied in order; file N takes the schema from version N-1 to N. Append only.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_lifecycle.sql"),
];

const SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;

/// The tables tokenctl creates; triggers, rules, policies or views on them are tampering.
const TABLES: &str =
    "'tokenctl_schema', 'tokens', 'token_scopes', 'usage_daily', 'usage_sources', 'events'";

/// The columns the migrations create (table.column type [not null], in order): any other
/// shape is a schema tokenctl did not make.
const SHAPE: &str = include_str!("shape.txt");

/// Every lifecycle write and every migration takes this transaction-scoped advisory lock
/// ("tknc" and the schema's name), so check-then-write runs one at a time across hosts.
/// Every built-in is schema-qualified (see `PIN_PATH`).
const LOCK_SQL: &str = "SELECT pg_catalog.pg_advisory_xact_lock(1953066595, \
     pg_catalog.hashtext(pg_catalog.current_schema()::text))";

/// Pins the session's search_path to the schema the connection resolved tokenctl's tables
/// in (the user's search_path or `options=-csearch_path=`), then pg_temp: pg_catalog is
/// then searched first (implicitly), as PostgreSQL advises since CVE-2018-1058, so an
/// object another role puts in that schema cannot stand in for a built-in of the same
/// signature, and no other schema (public, when the tables are elsewhere) is searched at
/// all. Built-ins that an object of another signature could outbid (polymorphic ones,
/// mixed operand types) are also called by their pg_catalog name throughout. No schema
/// at all: an empty path, so nothing is created in pg_temp by mistake.
const PIN_PATH: &str = "SELECT pg_catalog.set_config('search_path', \
     COALESCE(pg_catalog.quote_ident(pg_catalog.current_schema()::text) OPERATOR(pg_catalog.||) ', pg_temp', ''), \
     false)";

/// libpq waits for ever by default; a deploy hook must not. PGCONNECT_TIMEOUT overrides.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A server that stops answering mid-operation (a partition, a hung host) fails the
/// operation after this long instead of hanging the caller; a lock wait behind another
/// host's lifecycle change is far shorter.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(30);

pub struct Store {
    rt: tokio::runtime::Runtime,
    conn: RefCell<PgConnection>,
    /// Where the server is, for messages: `host:port` or the socket file.
    place: String,
    url: PgUrl,
    created: bool,
    /// `user@host`: the event log's actor on a database many hosts share.
    host: String,
    /// When the caller stops waiting (`set_deadline`); operations end there, or after
    /// OPERATION_TIMEOUT, whichever comes first.
    deadline: Cell<Option<Instant>>,
}

/// A read-only, repeatable-read transaction; dropping it rolls back.
pub struct Snapshot<'a>(&'a Store);

impl Drop for Snapshot<'_> {
    fn drop(&mut self) {
        let _ = self.0.raw("ROLLBACK");
    }
}

impl Store {
    pub fn open(url: &PgUrl, access: Access) -> Result<Store> {
        Store::open_within(url, access, None)
    }

    /// As `open`, giving up at `deadline` (the connect and the vetting included), and
    /// bounding every later operation by it until `set_deadline` moves it.
    pub fn open_within(url: &PgUrl, access: Access, deadline: Option<Instant>) -> Result<Store> {
        let mut options: PgConnectOptions = url.secret_url().parse().map_err(|e| {
            fail(
                Kind::Unreachable,
                url.scrub(&format!(
                    "--db {url:?} is not a PostgreSQL URL tokenctl can use ({e}): write postgres://USER@HOST:PORT/DATABASE"
                )),
            )
        })?;
        options = options
            .application_name("tokenctl")
            .statement_cache_capacity(32)
            .disable_statement_logging();
        refuse_unsupported(url)?;
        options = tls_as_libpq(options, url);
        warn_open_passfile(url);
        if access == Access::ReadOnly {
            // Views and `verify --no-record` cannot write, whatever the role may do.
            options = options.options([("default_transaction_read_only", "on")]);
        }
        let place = match options.get_socket() {
            Some(dir) => format!("{}/.s.PGSQL.{}", dir.display(), options.get_port()),
            None if options.get_host().starts_with('/') => {
                format!("{}/.s.PGSQL.{}", options.get_host(), options.get_port())
            }
            None => format!("{}:{}", options.get_host(), options.get_port()),
        };
        let database = options
            .get_database()
            .unwrap_or(options.get_username())
            .to_owned();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(|e| {
                fail(
                    Kind::Io,
                    format!("cannot start the PostgreSQL client ({e})"),
                )
            })?;
        let wanted = connect_timeout(url);
        let timeout = bounded(wanted, deadline);
        // Cut short by the caller's deadline, PGCONNECT_TIMEOUT is not what to change.
        let hint = if timeout < wanted {
            ""
        } else {
            " (PGCONNECT_TIMEOUT sets the wait)"
        };
        let conn = rt.block_on(async {
            match tokio::time::timeout(timeout, options.connect()).await {
                Ok(result) => result.map_err(Some),
                Err(_) => Err(None),
            }
        });
        let conn = match conn {
            Ok(conn) => conn,
            Err(None) => {
                return Err(fail(
                    Kind::Unreachable,
                    format!(
                        "PostgreSQL at {place} did not answer within {}: check that the server is running and reachable{hint}",
                        seconds(timeout)
                    ),
                ));
            }
            Err(Some(e)) => return Err(connect_error(url, &place, &database, access, &e)),
        };
        let host = gethostname::gethostname().to_string_lossy().into_owned();
        let mut store = Store {
            rt,
            conn: RefCell::new(conn),
            place,
            url: url.clone(),
            created: false,
            host,
            deadline: Cell::new(deadline),
        };
        store.vet(access)?;
        Ok(store)
    }

    pub fn created(&self) -> bool {
        self.created
    }

    /// Every operation from now on ends by `deadline` (None: OPERATION_TIMEOUT each).
    pub fn set_deadline(&self, deadline: Option<Instant>) {
        self.deadline.set(deadline);
    }

    /// How long the next operation may take.
    fn limit(&self) -> Duration {
        bounded(OPERATION_TIMEOUT, self.deadline.get())
    }

    /// Runs `f` on the connection, turning its errors into one-line store errors.
    fn run<T>(
        &self,
        f: impl AsyncFnOnce(&mut PgConnection) -> Result<T, sqlx::Error>,
    ) -> Result<T> {
        let limit = self.limit();
        let mut conn = self.conn.borrow_mut();
        let done = self
            .rt
            .block_on(async { tokio::time::timeout(limit, f(&mut conn)).await });
        match done {
            Ok(result) => result.map_err(|e| self.explain(&e)),
            Err(_) => Err(stopped_answering(&self.place, limit)),
        }
    }

    /// A statement without parameters, by the simple protocol: one round trip.
    fn raw(&self, sql: &str) -> Result<()> {
        self.run(async |c| sqlx::raw_sql(sql).execute(c).await.map(|_| ()))
    }

    pub fn snapshot(&self) -> Result<Snapshot<'_>> {
        self.raw("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
        Ok(Snapshot(self))
    }

    /// Runs `f` in one transaction under the lifecycle lock. An error rolls it back.
    /// Lifecycle commits keep the server's synchronous_commit: they are never the "may
    /// be lost" kind verify's usage is.
    fn write<T>(&mut self, f: impl AsyncFnOnce(&mut PgConnection, &str) -> Result<T>) -> Result<T> {
        let limit = self.limit();
        let place = self.place.clone();
        let url = self.url.clone();
        let host = self.host.clone();
        let conn = self.conn.get_mut();
        let explain = |e: &sqlx::Error| explain(&url, &place, e);
        let work = async {
            let mut tx = conn.begin().await.map_err(|e| explain(&e))?;
            sqlx::raw_sql(LOCK_SQL)
                .execute(&mut *tx)
                .await
                .map_err(|e| explain(&e))?;
            let value = f(&mut tx, &host)
                .await
                .map_err(|e| match e.downcast::<sqlx::Error>() {
                    Ok(e) => explain(&e),
                    Err(other) => other,
                })?;
            tx.commit().await.map_err(|e| explain(&e))?;
            Ok(value)
        };
        let done = self
            .rt
            .block_on(async { tokio::time::timeout(limit, work).await });
        done.unwrap_or_else(|_| Err(stopped_answering(&place, limit)))
    }

    fn explain(&self, err: &sqlx::Error) -> anyhow::Error {
        explain(&self.url, &self.place, err)
    }

    /// Checks the database holds a schema this version understands; creates it (init,
    /// generate) or upgrades it (init only) in one transaction under the advisory lock.
    fn vet(&mut self, access: Access) -> Result<()> {
        let shown = format!("{:?}", self.url);
        // One round trip: the path is pinned before the vetting query is parsed.
        // The shadow search reads pg_proc and pg_operator whole, in a backend whose catalog
        // caches are cold: a few ms that a verify (one connection each) must not pay for a
        // warning. tokenctl is immune (`PIN_PATH`); init and generate, where a schema is set
        // up, tell the operator.
        let sql = format!("{PIN_PATH}; {}", vet_sql(access.creates()));
        let state = self.run(async |c| {
            let mut rows = sqlx::raw_sql(&sql).fetch_all(c).await?;
            let row = rows.pop().ok_or(sqlx::Error::RowNotFound)?;
            Ok((
                row.try_get::<bool, _>(0)?,
                row.try_get::<bool, _>(1)?,
                row.try_get::<Option<i32>, _>(2)?,
                row.try_get::<Option<String>, _>(3)?,
                row.try_get::<Option<String>, _>(4)?,
                row.try_get::<Option<String>, _>(5)?,
            ))
        })?;
        let (marker, tokens, version, odd, shape, shadows) = state;
        // Whoever created these meant them for someone's queries; tokenctl never calls
        // them (see `PIN_PATH`), but other clients of the database may.
        for line in shadows.as_deref().unwrap_or_default().lines() {
            let mut parts = line.split('\t');
            let (what, schema, owner) = (
                parts.next().unwrap_or_default(),
                parts.next().unwrap_or_default(),
                parts.next().unwrap_or_default(),
            );
            crate::render::warn(
                &format!(
                    "schema {schema} of {shown} holds {what}, created by role {owner}, which shadows a PostgreSQL built-in (tokenctl does not call it): drop it, and revoke CREATE on schema {schema} from roles that are not trusted with your tokens"
                ),
                false,
            );
        }
        match (marker, version) {
            (false, _) if tokens => Err(fail(
                Kind::Untrusted,
                format!(
                    "{shown} has a 'tokens' table that is not tokenctl's (no tokenctl_schema marker): pass the right --db, or use another schema (options=-csearch_path=...)"
                ),
            )),
            (false, _) if !access.creates() => Err(fail(
                Kind::Missing,
                format!(
                    "no tokenctl database in {shown} (with a password in the URL, set TOKENCTL_DB instead of --db): create it with: tokenctl init --db {}",
                    crate::render::shell_word(&shown)
                ),
            )),
            (false, _) => self.migrate(0),
            (true, Some(v)) if v > SCHEMA_VERSION => Err(fail(
                Kind::Newer,
                format!(
                    "{shown} was written by a newer tokenctl (schema v{v}, this one knows v{SCHEMA_VERSION}): upgrade tokenctl"
                ),
            )),
            (true, Some(v)) if v == SCHEMA_VERSION => tampered(&shown, odd, shape),
            (true, Some(v)) if access == Access::Init => self.migrate(v),
            (true, v) => Err(fail(
                Kind::Older,
                format!(
                    "{shown} uses an older schema (v{}, this tokenctl uses v{SCHEMA_VERSION}): run 'tokenctl init --db {}' to upgrade it",
                    v.unwrap_or(0),
                    crate::render::shell_word(&shown)
                ),
            )),
        }
    }

    fn migrate(&mut self, seen: i32) -> Result<()> {
        let shown = format!("{:?}", self.url);
        let created = self.write(async |c, _| {
            // Re-read under the lock: another host may have migrated meanwhile.
            let row = sqlx::raw_sql(&vet_sql(false)).fetch_one(&mut *c).await?;
            let marker: bool = row.try_get(0)?;
            let version: i32 = row.try_get::<Option<i32>, _>(2)?.unwrap_or(0);
            if marker && version > SCHEMA_VERSION {
                return Err(fail(
                    Kind::Newer,
                    format!("{shown} was upgraded by a newer tokenctl meanwhile: upgrade tokenctl"),
                ));
            }
            for sql in MIGRATIONS.iter().skip(version.max(0) as usize) {
                sqlx::raw_sql(sql).execute(&mut *c).await?;
            }
            sqlx::query(
                "INSERT INTO tokenctl_schema (version) VALUES ($1)
                 ON CONFLICT (singleton) DO UPDATE SET version = $1",
            )
            .bind(SCHEMA_VERSION)
            .execute(&mut *c)
            .await?;
            let row = sqlx::raw_sql(&vet_sql(false)).fetch_one(&mut *c).await?;
            tampered(&shown, row.try_get(3)?, row.try_get(4)?)?;
            Ok(!marker)
        })?;
        self.created = created && seen == 0;
        Ok(())
    }
}

/// One simple-protocol query (one round trip) that says whether the marker and a tokens
/// table exist, the version, the first object on tokenctl's tables it never creates, the
/// tables' column shape, and (when `shadows`) the objects that shadow built-ins
/// (`SHADOWS_SQL`), one a line.
fn vet_sql(shadows: bool) -> String {
    let shadows = if shadows {
        format!(
            "(SELECT pg_catalog.string_agg(s.what || E'\\t' || s.nsp || E'\\t' || s.owner, E'\\n' ORDER BY s.what)
               FROM ({SHADOWS_SQL}) s)"
        )
    } else {
        "NULL::text".to_owned()
    };
    format!(
        "WITH here AS (
            SELECT oid, nspname FROM pg_catalog.pg_namespace WHERE nspname = pg_catalog.current_schema()),
         ours AS (
            SELECT c.oid, c.relname FROM pg_catalog.pg_class c
            WHERE c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = pg_catalog.current_schema())
              AND c.relname IN ({TABLES}) AND c.relkind IN ('r', 'p'))
         SELECT
            EXISTS (SELECT 1 FROM ours WHERE relname = 'tokenctl_schema') AS marker,
            EXISTS (SELECT 1 FROM ours WHERE relname = 'tokens') AS tokens,
            CASE WHEN EXISTS (SELECT 1 FROM ours WHERE relname = 'tokenctl_schema') THEN
              (pg_catalog.xpath('/row/version/text()',
                 pg_catalog.query_to_xml('SELECT version FROM tokenctl_schema', false, true, '')))[1]::text::int
            END AS version,
            (SELECT kind || ' ''' || name || ''' on ' || tbl FROM (
                SELECT 'trigger' AS kind, g.tgname::text AS name, o.relname::text AS tbl
                  FROM pg_catalog.pg_trigger g JOIN ours o ON o.oid = g.tgrelid WHERE NOT g.tgisinternal
                UNION ALL
                SELECT 'rule', r.rulename::text, o.relname::text
                  FROM pg_catalog.pg_rewrite r JOIN ours o ON o.oid = r.ev_class
                UNION ALL
                SELECT 'policy', p.polname::text, o.relname::text
                  FROM pg_catalog.pg_policy p JOIN ours o ON o.oid = p.polrelid
                UNION ALL
                SELECT 'view', v.relname::text, o.relname::text
                  FROM pg_catalog.pg_depend d JOIN ours o ON o.oid = d.refobjid
                  JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid AND d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass::pg_catalog.oid
                  JOIN pg_catalog.pg_class v ON v.oid = r.ev_class AND v.oid <> o.oid
             ) odd ORDER BY 1 LIMIT 1) AS odd,
            (SELECT pg_catalog.string_agg(o.relname::text || '.' || a.attname::text || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod)
                    || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END, E'\\n'
                    ORDER BY o.relname, a.attnum)
               FROM pg_catalog.pg_attribute a JOIN ours o ON o.oid = a.attrelid
              WHERE a.attnum > 0 AND NOT a.attisdropped) AS shape,
            {shadows} AS shadows"
    )
}

/// Functions, aggregates and operators in tokenctl's schema named like a pg_catalog one,
/// not installed by an extension (CREATE EXTENSION citext in that schema is no attack):
/// (what, schema, owner). Over `here`, the schema (see `vet_sql`).
const SHADOWS_SQL: &str = "
    SELECT CASE p.prokind WHEN 'a' THEN 'aggregate ' ELSE 'function ' END
             OPERATOR(pg_catalog.||) p.proname::text OPERATOR(pg_catalog.||) '('
             OPERATOR(pg_catalog.||) pg_catalog.pg_get_function_identity_arguments(p.oid) OPERATOR(pg_catalog.||) ')' AS what,
           h.nspname::text AS nsp, pg_catalog.pg_get_userbyid(p.proowner)::text AS owner
      FROM pg_catalog.pg_proc p JOIN here h ON h.oid OPERATOR(pg_catalog.=) p.pronamespace
     WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_proc b
                    WHERE b.pronamespace OPERATOR(pg_catalog.=) 'pg_catalog'::pg_catalog.regnamespace::pg_catalog.oid
                      AND b.proname OPERATOR(pg_catalog.=) p.proname)
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e
                        WHERE e.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass::pg_catalog.oid
                          AND e.objid OPERATOR(pg_catalog.=) p.oid AND e.deptype OPERATOR(pg_catalog.=) 'e'::\"char\")
    UNION ALL
    SELECT 'operator ' OPERATOR(pg_catalog.||) o.oprname::text OPERATOR(pg_catalog.||) ' ('
             OPERATOR(pg_catalog.||) pg_catalog.format_type(o.oprleft, NULL) OPERATOR(pg_catalog.||) ', '
             OPERATOR(pg_catalog.||) pg_catalog.format_type(o.oprright, NULL) OPERATOR(pg_catalog.||) ')',
           h.nspname::text, pg_catalog.pg_get_userbyid(o.oprowner)::text
      FROM pg_catalog.pg_operator o JOIN here h ON h.oid OPERATOR(pg_catalog.=) o.oprnamespace
     WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_operator b
                    WHERE b.oprnamespace OPERATOR(pg_catalog.=) 'pg_catalog'::pg_catalog.regnamespace::pg_catalog.oid
                      AND b.oprname OPERATOR(pg_catalog.=) o.oprname)
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e
                        WHERE e.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_operator'::pg_catalog.regclass::pg_catalog.oid
                          AND e.objid OPERATOR(pg_catalog.=) o.oid AND e.deptype OPERATOR(pg_catalog.=) 'e'::\"char\")";

/// Refuses, untouched, a schema with objects tokenctl never creates or other columns.
fn tampered(shown: &str, odd: Option<String>, shape: Option<String>) -> Result<()> {
    let what = match odd {
        Some(odd) => format!("{odd}, which tokenctl never creates"),
        None if shape.as_deref().map(str::trim) == Some(SHAPE.trim()) => return Ok(()),
        None => "a table that differs from the one tokenctl created".to_owned(),
    };
    Err(fail(
        Kind::Tampered,
        format!(
            "{shown} has a tampered schema: {what}; nothing was changed: restore the database from a backup"
        ),
    ))
}

/// PGCONNECT_TIMEOUT (seconds, as libpq; below 2 means 2) or `connect_timeout=` in the URL.
fn connect_timeout(url: &PgUrl) -> Duration {
    let from_url = url::Url::parse(url.secret_url()).ok().and_then(|u| {
        u.query_pairs()
            .find(|(k, _)| k == "connect_timeout")
            .map(|(_, v)| v.into_owned())
    });
    match from_url
        .or_else(|| std::env::var("PGCONNECT_TIMEOUT").ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        Some(0) | None => CONNECT_TIMEOUT,
        Some(secs) => Duration::from_secs(secs.max(2)),
    }
}

/// The libpq parameters (URL or environment) that tighten security and that sqlx would
/// ignore with no more than a log line: refused, so nobody believes they are in force.
const UNSUPPORTED: &[(&str, &str, &str)] = &[
    ("channel_binding", "PGCHANNELBINDING", "require"),
    ("require_auth", "PGREQUIREAUTH", ""),
    ("sslcrl", "PGSSLCRL", ""),
    ("sslcrldir", "PGSSLCRLDIR", ""),
    ("gssencmode", "PGGSSENCMODE", "require"),
];

fn query_param(url: &PgUrl, keys: &[&str]) -> Option<String> {
    url::Url::parse(url.secret_url()).ok().and_then(|u| {
        u.query_pairs()
            .find(|(k, _)| keys.contains(&k.as_ref()))
            .map(|(_, v)| v.into_owned())
    })
}

fn refuse_unsupported(url: &PgUrl) -> Result<()> {
    for (key, var, only) in UNSUPPORTED {
        let (value, from) = match query_param(url, &[key]) {
            Some(v) => (v, format!("{key}= in the URL")),
            None => match std::env::var(var) {
                Ok(v) if !v.is_empty() => (v, (*var).to_owned()),
                _ => continue,
            },
        };
        if only.is_empty() || value.eq_ignore_ascii_case(only) {
            return Err(fail(
                Kind::Unreachable,
                format!(
                    "{from} ({key}={value}) is not supported by tokenctl's PostgreSQL client, and it will not connect without it: remove it, and use sslmode=verify-full with sslrootcert to authenticate the server"
                ),
            ));
        }
    }
    Ok(())
}

/// libpq's TLS rules where sqlx's differ: without sslrootcert, ~/.postgresql/root.crt is
/// the root when it exists; and `require` with a root certificate checks the chain, as
/// `verify-ca` (sqlx would accept any certificate).
fn tls_as_libpq(mut options: PgConnectOptions, url: &PgUrl) -> PgConnectOptions {
    use sqlx::postgres::PgSslMode;
    let mut root = query_param(url, &["sslrootcert", "ssl-root-cert", "ssl-ca"]).or_else(|| {
        std::env::var("PGSSLROOTCERT")
            .ok()
            .filter(|v| !v.is_empty())
    });
    if root.is_none() {
        let default = std::env::var_os("HOME")
            .map(|h| std::path::Path::new(&h).join(".postgresql/root.crt"))
            .filter(|p| p.is_file());
        if let Some(path) = default {
            options = options.ssl_root_cert(&path);
            root = Some(path.display().to_string());
        }
    }
    if root.is_some() && matches!(options.get_ssl_mode(), PgSslMode::Require) {
        options = options.ssl_mode(PgSslMode::VerifyCa);
    }
    // sqlx adds the root to the public web CAs it builds in, where libpq trusts the root
    // alone: without the host name check, any public CA's certificate for any name passes.
    if matches!(options.get_ssl_mode(), PgSslMode::VerifyCa) {
        crate::render::warn(
            "sslmode=verify-ca (or require with sslrootcert) also accepts a certificate any public web CA issued, for any host name, not only one your sslrootcert signed: use sslmode=verify-full",
            false,
        );
    }
    options
}

/// sqlx, like libpq, skips a pass file that others may read; libpq says so, sqlx does
/// not, and the user would only see "password authentication failed".
fn warn_open_passfile(url: &PgUrl) {
    use std::os::unix::fs::PermissionsExt as _;
    if url.has_password() || std::env::var_os("PGPASSWORD").is_some() {
        return;
    }
    let file = std::env::var_os("PGPASSFILE")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".pgpass")));
    let Some(file) = file else { return };
    let Ok(meta) = std::fs::metadata(&file) else {
        return;
    };
    if meta.is_file() && meta.permissions().mode() & 0o077 != 0 {
        crate::render::warn(
            &format!(
                "password file {} has group or world access, so it is not read: run chmod 0600 {}",
                file.display(),
                crate::render::shell_word(&file.display().to_string())
            ),
            false,
        );
    }
}

fn connect_error(
    url: &PgUrl,
    place: &str,
    database: &str,
    access: Access,
    err: &sqlx::Error,
) -> anyhow::Error {
    if let sqlx::Error::Database(db) = err {
        let message = url.scrub(db.message());
        return match db.code().as_deref() {
            // init, generate and copy make the schema themselves.
            Some("3D000") if access.creates() => fail(
                Kind::Missing,
                format!(
                    "PostgreSQL at {place} has no database '{database}': create it (createdb {database}), then run this command again"
                ),
            ),
            Some("3D000") => fail(
                Kind::Missing,
                format!(
                    "PostgreSQL at {place} has no database '{database}': create it (createdb {database}), then run 'tokenctl init'"
                ),
            ),
            Some("28P01" | "28000") => fail(
                Kind::Unreachable,
                format!(
                    "PostgreSQL at {place} refused the login ({message}): check the user and password (TOKENCTL_DB, PGPASSWORD, ~/.pgpass) and pg_hba.conf"
                ),
            ),
            _ => fail(
                Kind::Unreachable,
                format!("PostgreSQL at {place} refused the connection ({message})"),
            ),
        };
    }
    let reason = url.scrub(&one_line(err));
    if matches!(err, sqlx::Error::Tls(_)) {
        return fail(
            Kind::Unreachable,
            format!(
                "no TLS connection to PostgreSQL at {place} ({reason}): check sslmode and sslrootcert (PGSSLMODE, PGSSLROOTCERT) against the server's certificate"
            ),
        );
    }
    // rustls' verdicts come back from sqlx as I/O errors.
    if reason.contains("invalid peer certificate") {
        return fail(
            Kind::Unreachable,
            format!(
                "PostgreSQL at {place} sent a certificate that is not trusted ({reason}): give the CA that signed it as sslrootcert=FILE in the URL (or PGSSLROOTCERT), and check that the host name matches the certificate"
            ),
        );
    }
    if reason.contains("unexpected response from SSLRequest") {
        return fail(
            Kind::Unreachable,
            format!(
                "something at {place} answered, but not as a PostgreSQL server: check --db, PGHOST and PGPORT"
            ),
        );
    }
    fail(
        Kind::Unreachable,
        format!(
            "cannot reach PostgreSQL at {place} ({reason}): check that the server is running and --db, PGHOST and PGPORT"
        ),
    )
}

/// A failure during an operation, in one line naming the server.
fn explain(url: &PgUrl, place: &str, err: &sqlx::Error) -> anyhow::Error {
    match err {
        sqlx::Error::Database(db) => {
            let message = url.scrub(db.message());
            let (kind, hint) = match db.code().as_deref() {
                Some("40001" | "40P01" | "55P03") => (Kind::Busy, "try again"),
                Some("42501") => (
                    Kind::ReadOnly,
                    "this role may not do this: run it as a role granted it (README, PostgreSQL: Roles and grants; a verify-only role cannot change tokens)",
                ),
                Some("25006") => (Kind::ReadOnly, "this command only reads here"),
                // The server ended the session: a shutdown or restart, a crash, a backend
                // terminated, idle_session_timeout; or the connection itself failed.
                Some(code)
                    if code.starts_with("08")
                        || matches!(code, "57P01" | "57P02" | "57P03" | "57P05") =>
                {
                    (
                        Kind::Unreachable,
                        "the server ended the connection: try again when it is back",
                    )
                }
                Some("53100") => (Kind::Io, "the server's disk is full"),
                Some(code) if code.starts_with("XX") => (
                    Kind::Corrupt,
                    "check the server's log; restore from a backup",
                ),
                _ => (Kind::Io, "check the server's log"),
            };
            fail(kind, format!("PostgreSQL at {place}: {message}: {hint}"))
        }
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut => fail(
            Kind::Unreachable,
            format!(
                "lost the connection to PostgreSQL at {place} ({}): nothing was recorded by this command's unfinished step; try again when the server is back",
                url.scrub(&one_line(err))
            ),
        ),
        other => fail(
            Kind::Io,
            format!("PostgreSQL at {place}: {}", url.scrub(&one_line(other))),
        ),
    }
}

fn stopped_answering(place: &str, waited: Duration) -> anyhow::Error {
    fail(
        Kind::Unreachable,
        format!(
            "PostgreSQL at {place} stopped answering for {}: check the server and the network, then look at what this command did (tokenctl log)",
            seconds(waited)
        ),
    )
}

/// `limit`, or less when `deadline` comes sooner (a passed one leaves no time at all).
fn bounded(limit: Duration, deadline: Option<Instant>) -> Duration {
    deadline.map_or(limit, |d| {
        limit.min(d.saturating_duration_since(Instant::now()))
    })
}

/// "5s", or "1.5s" for a wait cut short by a deadline.
fn seconds(d: Duration) -> String {
    let tenths = (d.as_millis() + 50) / 100;
    if tenths % 10 == 0 {
        format!("{}s", tenths / 10)
    } else {
        format!("{}.{}s", tenths / 10, tenths % 10)
    }
}

/// The error in one line, without the source locations sqlx appends to its protocol
/// errors (" (sqlx_postgres::connection::tls:95)"): they mean nothing to a user.
fn one_line(err: &dyn std::fmt::Display) -> String {
    let mut text = err.to_string().replace(['\n', '\r'], " ");
    while let Some(start) = text.find(" (sqlx_") {
        match text[start..].find(')') {
            Some(end) => text.replace_range(start..start + end + 1, ""),
            None => break,
        }
    }
    text
}
