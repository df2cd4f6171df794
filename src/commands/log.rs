//! `log [REF]`: who generated, revoked, restored and deleted which token when, and the
//! days with failed verify attempts. A deleted token's history is still found by id or name.

use std::io::Write;

use anyhow::Result;

use crate::cli::LogArgs;
use crate::ctx::Ctx;
use crate::exit::{Status, usage};
use crate::reference::Reference;
use crate::render::{self, log};
use crate::store::{Access, Store};
use crate::time::ago;

pub fn run(ctx: &Ctx, args: &LogArgs, out: &mut dyn Write) -> Result<Status> {
    let since = args
        .since
        .as_deref()
        .map(|spec| ago(spec, ctx.now))
        .transpose()
        .map_err(usage)?;
    let store = Store::open(&ctx.db, Access::ReadOnly)?;
    let _snapshot = store.snapshot()?;
    let token_id = match &args.reference {
        None => None,
        Some(reference) => match store.resolve(reference) {
            Ok(token) => Some(token.id),
            // A deleted token's whole token or `prefix_id_...` finds its history by id.
            Err(live_error) => match store.resolve_historic(Reference::parse(reference).key())? {
                Some((id, _name)) => Some(id),
                None => return Err(live_error),
            },
        },
    };
    let events = store.events(token_id.as_deref(), since)?;
    let failures = store.failure_days(token_id.as_deref(), since)?;
    if ctx.json {
        log::json(out, &events, &failures)?;
    } else if events.is_empty() && failures.is_empty() {
        render::note(if since.is_some() || token_id.is_some() {
            "no events in this range"
        } else {
            "no events yet: generating, revoking, restoring or deleting a token records one"
        });
    } else {
        let width = ctx
            .stdout_is_tty
            .then(render::table::terminal_width)
            .flatten();
        log::human(out, &events, &failures, ctx.color_stdout, width)?;
    }
    Ok(Status::Success)
}
