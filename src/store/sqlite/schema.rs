//! The schema check: a digest of every object the migrations create, so a trigger, a
//! view or an altered table (tampering) is refused before anything is believed.

use super::*;

/// blake3 of the schema the migrations create (every object's type, name, table and SQL,
/// see `schema_digest`), for the current version. Any other object, a trigger that undoes
/// a revoke, a view, an altered table, means the file was tampered with.
pub(super) const SCHEMA_DIGEST: &str =
    "99946e073da3a5982579ee4584b7193bd8c63399a226b9113206c3db48ab5e4b";

/// SQLite's planner statistics (`ANALYZE`): tables that steer query plans, never results.
/// Only tables of those names: a trigger or view named so is still an unknown object.
const IGNORED_TABLES: &str = "('sqlite_stat1', 'sqlite_stat4')";

type SchemaObject = (String, String, String, Option<String>);

pub(super) fn schema_objects(conn: &Connection) -> rusqlite::Result<Vec<SchemaObject>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT type, name, tbl_name, sql FROM sqlite_schema
         WHERE NOT (type = 'table' AND name IN {IGNORED_TABLES}) ORDER BY type, name"
    ))?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    rows.collect()
}

pub(super) fn schema_digest(objects: &[SchemaObject]) -> String {
    let mut hasher = blake3::Hasher::new();
    for (kind, name, table, sql) in objects {
        for field in [Some(kind), Some(name), Some(table), sql.as_ref()] {
            // Length-prefixed, so no two different schemas hash the same bytes.
            let bytes = field.map_or(&[][..], |f| f.as_bytes());
            hasher.update(&(field.map_or(-1, |_| bytes.len() as i64)).to_le_bytes());
            hasher.update(bytes);
        }
    }
    hasher.finalize().to_hex().to_string()
}

/// Refuses, untouched, a database whose schema is not exactly what the migrations made.
pub(super) fn vet_schema(conn: &Connection, path: &Path) -> Result<()> {
    let objects = schema_objects(conn).map_err(|e| explain(path, e))?;
    if schema_digest(&objects) == SCHEMA_DIGEST {
        return Ok(());
    }
    let odd = objects
        .iter()
        .find(|(kind, ..)| kind != "table" && kind != "index")
        .or_else(|| {
            objects
                .iter()
                .find(|(_, name, ..)| !EXPECTED_NAMES.contains(&name.as_str()))
        });
    let what = match odd {
        Some((kind, name, table, _)) => {
            format!("{kind} '{name}' on {table}, which tokenctl never creates")
        }
        None => "a table or index that differs from the one tokenctl created".to_owned(),
    };
    Err(fail(
        Kind::Tampered,
        format!(
            "{} has a tampered schema: {what}; nothing was changed: restore the database from a backup",
            path.display()
        ),
    ))
}

/// The objects the migrations create, to name an intruder in the refusal.
pub(super) const EXPECTED_NAMES: &[&str] = &[
    "tokens",
    "token_scopes",
    "usage_daily",
    "usage_sources",
    "events",
    "events_token",
    "sqlite_autoindex_tokens_2",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// `SCHEMA_DIGEST` is the schema the migrations build; after adding a migration, put
    /// the digest this test prints there.
    #[test]
    fn the_schema_digest_is_what_the_migrations_create() {
        let conn = Connection::open_in_memory().unwrap();
        for sql in MIGRATIONS {
            conn.execute_batch(sql).unwrap();
        }
        let digest = schema_digest(&schema_objects(&conn).unwrap());
        assert_eq!(digest, SCHEMA_DIGEST, "set SCHEMA_DIGEST to {digest}");
        let names: Vec<String> = schema_objects(&conn)
            .unwrap()
            .into_iter()
            .map(|o| o.1)
            .collect();
        let mut expected: Vec<&str> = EXPECTED_NAMES.to_vec();
        expected.sort();
        let mut names: Vec<&str> = names.iter().map(String::as_str).collect();
        names.sort();
        assert_eq!(names, expected);
    }
}
