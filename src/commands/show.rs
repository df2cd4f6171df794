//! `show REF`: one token with its recent sources, its daily use over the last 30 days
//! and its lifecycle history.

use std::io::Write;

use anyhow::{Result, bail};

use crate::cli::ShowArgs;
use crate::ctx::Ctx;
use crate::exit::Status;
use crate::render::escape;
use crate::render::show::{self, DAYS, Details};
use crate::store::{Access, Store, day_of};

/// How many distinct sources `show` lists.
const SOURCES: u32 = 5;

pub fn run(ctx: &Ctx, args: &ShowArgs, out: &mut dyn Write) -> Result<Status> {
    let store = Store::open(&ctx.db, Access::ReadOnly)?;
    // The token, its sources, days and events as of one moment, even while verifies write.
    let _snapshot = store.snapshot()?;
    let token = match store.resolve(&args.reference) {
        Ok(token) => token,
        // Gone from the tokens, still in the history: say where to look instead of
        // "no token matches".
        // (A database too damaged to answer keeps the first error, which names it.)
        Err(live_error) => match store.resolve_historic(&args.reference) {
            Ok(Some((id, name))) => bail!(
                "token '{}' ({id}) was deleted: its history is in 'tokenctl log {id}'",
                escape(&name)
            ),
            _ => return Err(live_error),
        },
    };
    let sources = store.sources(&token.id, SOURCES)?;
    let daily = store.daily(&token.id, day_of(ctx.now) - DAYS + 1)?;
    let events = store.events(Some(&token.id), None)?;
    let details = Details {
        token: &token,
        sources: &sources,
        daily: &daily,
        events: &events,
        now: ctx.now,
    };
    if ctx.json {
        show::json(out, &details)?;
    } else {
        show::human(out, &details, ctx.color_stdout)?;
    }
    Ok(Status::Success)
}
