//! The benches' PostgreSQL: the test suite's throwaway cluster (an unprivileged user's
//! initdb/pg_ctl, stopped by its watchdog) and the seeded tokens of `tokenctl::store::seed`.

use std::fmt::Write as _;
use std::process::{Command, Stdio};

use anyhow::{Result, bail};
use tokenctl::store::seed;

#[path = "../../tests/integration/cluster.rs"]
pub mod cluster;

/// The bench cluster keeps PostgreSQL's durable defaults (the test clusters turn fsync off).
pub const CONF: &str = "fsync = on\nfull_page_writes = on\n";

/// `init` on the database (tokenctl's own schema), then the first `n` tokens of the SQLite
/// seed (`seed::id`, the hash of `seed::token`, one scope).
pub fn seed(pg: &cluster::Cluster, bin: &str, db: &str, target: &str, n: u64) -> Result<()> {
    let init = Command::new(bin)
        .args(["--db", target, "init"])
        .stdin(Stdio::null())
        .output()?;
    if !init.status.success() {
        bail!(
            "tokenctl init on PostgreSQL failed: {}",
            String::from_utf8_lossy(&init.stderr)
        );
    }
    let now = chrono::Utc::now().timestamp();
    let mut sql = String::new();
    for i in 0..n {
        let id = seed::id(i);
        let hash: String = seed::token(i)
            .hash()
            .as_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        writeln!(
            sql,
            "INSERT INTO tokens (id, name, prefix, hash, created_at, expires_at) \
             VALUES ('{id}', 'bench-{i:07}', 'tkn', '\\x{hash}', {}, {});\n\
             INSERT INTO token_scopes (token_id, scope) VALUES ('{id}', '{}');",
            now - 1 - (n - i) as i64,
            now + 365 * 86_400,
            seed::SCOPE,
            id = id.as_str(),
        )?;
        // One psql per 200 tokens: more would pass the argument size limit.
        if i % 200 == 199 || i + 1 == n {
            pg.psql(db, &std::mem::take(&mut sql))
                .map_err(anyhow::Error::msg)?;
        }
    }
    Ok(())
}
