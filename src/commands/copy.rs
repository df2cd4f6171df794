//! `copy --to DB`: every token (hashes, scopes, usage, sources, failures, history) into a
//! new or empty database, SQLite or PostgreSQL either way: how a team moves to a server.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use crate::cli::CopyArgs;
use crate::ctx::Ctx;
use crate::exit::{Status, usage};
use crate::render::{self, json, messages};
use crate::store::{Access, Store, Target};

#[derive(Serialize)]
struct Copied {
    from: String,
    to: String,
    tokens: usize,
    usage_days: usize,
    sources: usize,
    events: usize,
}

pub fn run(ctx: &Ctx, args: &CopyArgs, out: &mut dyn Write) -> Result<Status> {
    let Some(given) = args.to.to_str() else {
        return Err(usage("--to is not valid UTF-8: give a plain path or URL"));
    };
    if given.is_empty() {
        return Err(usage("--to is empty: give the database to copy into"));
    }
    super::refuse_secret("--to", given)?;
    let to = Target::parse(given)?;
    if let Target::Postgres(url) = &to
        && url.has_password()
    {
        return Err(usage(format!(
            "--to {to}: a password on the command line is visible to every user of this machine (ps, /proc): \
             put it in PGPASSWORD or a line in ~/.pgpass (PGPASSFILE), and change the password if others could see this command line"
        )));
    }
    if same(&ctx.db, &to) {
        return Err(usage(format!(
            "--to {to} is the database being copied: give another one"
        )));
    }
    let from = Store::open(&ctx.db, Access::ReadOnly)?;
    let dump = from.export()?;
    drop(from);
    let mut target = Store::open(&to, Access::Create)?;
    target.import(&dump)?;
    let copied = Copied {
        from: ctx.db.to_string(),
        to: to.to_string(),
        tokens: dump.tokens.len(),
        usage_days: dump.daily.len(),
        sources: dump.sources.len(),
        events: dump.events.len(),
    };
    if ctx.json {
        json::write(out, &copied)?;
    } else {
        render::note(&messages::copied(
            [
                copied.tokens,
                copied.usage_days,
                copied.sources,
                copied.events,
            ],
            &copied.from,
            &copied.to,
        ));
    }
    Ok(Status::Success)
}

/// The same file (through any link) or the same URL.
fn same(a: &Target, b: &Target) -> bool {
    match (a, b) {
        (Target::Sqlite(x), Target::Sqlite(y)) => match (x.canonicalize(), y.canonicalize()) {
            (Ok(x), Ok(y)) => x == y,
            _ => x == y,
        },
        _ => a == b,
    }
}
