//! `revoke` and `restore`: flip tokens between active and revoked, all the given tokens
//! in one transaction. Both are idempotent; restoring an expired token is refused.

use std::io::Write;

use anyhow::{Result, bail};
use serde::Serialize;

use crate::cli::RefsArgs;
use crate::ctx::Ctx;
use crate::exit::Status;
use crate::render::{self, escape, json};
use crate::store::{Access, Durability, Store, TokenRecord};

#[derive(Serialize)]
struct Changed<'a> {
    #[serde(flatten)]
    token: json::TokenJson<'a>,
    changed: bool,
}

pub fn revoke(ctx: &Ctx, args: &RefsArgs, out: &mut dyn Write) -> Result<Status> {
    let mut store = Store::open(&ctx.db, Access::ReadWrite, Durability::Full)?;
    let tokens = store.resolve_all(&args.references)?;
    let ids: Vec<&str> = tokens.iter().map(|t| t.id.as_str()).collect();
    let done = store.revoke(&ids, || ctx.clock(), &super::actor())?;
    report(ctx, &done, out, ("revoked", "was already revoked"))
}

pub fn restore(ctx: &Ctx, args: &RefsArgs, out: &mut dyn Write) -> Result<Status> {
    let mut store = Store::open(&ctx.db, Access::ReadWrite, Durability::Full)?;
    let tokens = store.resolve_all(&args.references)?;
    // The store enforces this too, inside its transaction; checking here first gives the
    // operator the reason and the way out. Not `status()`: a revoked token that has since
    // expired reports "revoked" there, and cannot be restored either.
    if let Some(t) = tokens
        .iter()
        .find(|t| t.expires_at.is_some_and(|at| at <= ctx.now))
    {
        bail!(
            "'{}' ({}) has expired and cannot be restored: generate a new token instead (tokenctl generate --name ...); nothing was restored",
            escape(&t.name),
            t.id
        );
    }
    let ids: Vec<&str> = tokens.iter().map(|t| t.id.as_str()).collect();
    let done = store.restore(&ids, || ctx.clock(), &super::actor())?;
    report(ctx, &done, out, ("restored", "was already active"))
}

/// Reports each token as the store re-read it after the change, in its transaction.
fn report(
    ctx: &Ctx,
    done: &[(TokenRecord, bool)],
    out: &mut dyn Write,
    (did, already): (&str, &str),
) -> Result<Status> {
    if ctx.json {
        let docs: Vec<Changed> = done
            .iter()
            .map(|(t, changed)| Changed {
                token: json::token(t, ctx.now),
                changed: *changed,
            })
            .collect();
        json::write(out, &docs)?;
    } else {
        for (t, changed) in done {
            let what = if *changed { did } else { already };
            render::note(&format!(
                "{} '{}' ({}) {what}",
                if *changed { "✓" } else { "·" },
                escape(&t.name),
                t.id
            ));
        }
    }
    Ok(Status::Success)
}
