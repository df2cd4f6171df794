//! `revoke` and `restore`: flip tokens between active and revoked, all the given tokens
//! in one transaction. Both are idempotent; restoring an expired token is refused.

use std::io::Write;

use anyhow::{Result, bail};

use crate::cli::{RefsArgs, RevokeArgs};
use crate::ctx::Ctx;
use crate::exit::{Status, usage};
use crate::render::{self, json, messages};
use crate::store::{Access, Bulk, Revocation, Store, TokenRecord};

use super::bulk::{self, Gate};

pub fn revoke(ctx: &Ctx, args: &RevokeArgs, out: &mut dyn Write) -> Result<Status> {
    let bulk = args.filters.any();
    if bulk && !args.references.is_empty() {
        return Err(usage(messages::refs_or_filters("revoke")));
    }
    if !bulk && args.references.is_empty() {
        return Err(usage(messages::nothing_to("revoke")));
    }
    if let Some(reason) = &args.reason {
        // The reason is shown by show, log and JSON: it must never carry a secret.
        if crate::token::contains_token(reason) {
            return Err(usage(
                "the --reason holds a token secret: describe what happened, e.g. 'leaked in CI log'",
            ));
        }
        if reason.trim().is_empty() || reason.chars().any(char::is_control) {
            return Err(usage(
                "the --reason is empty or has a control character: write one line of text",
            ));
        }
    }
    let why = Revocation {
        reason: args.reason.clone(),
        compromised: args.compromised,
    };
    let mut store = Store::open(&ctx.db, Access::ReadWrite)?;
    let done = if bulk {
        let gate = bulk::gate(
            ctx,
            &store,
            &args.filters,
            Bulk::Revoke,
            (args.dry_run, args.yes),
            ("revoke", "revoked"),
            out,
        )?;
        match gate {
            Gate::Done => return Ok(Status::Success),
            Gate::Declined => {
                render::note(messages::NOTHING_REVOKED);
                return Ok(Status::Failure);
            }
            Gate::Act { query, only } => store.revoke_matching(
                &query,
                only.as_deref(),
                &why,
                || ctx.clock(),
                &super::actor(),
            )?,
        }
    } else {
        let tokens = store.resolve_all(&args.references)?;
        if args.dry_run {
            bulk::print_plan(ctx, &tokens, out)?;
            let n = tokens.iter().filter(|t| t.revoked_at.is_none()).count();
            render::note(&messages::dry_run("revoked", n));
            return Ok(Status::Success);
        }
        let ids: Vec<&str> = tokens.iter().map(|t| t.id.as_str()).collect();
        store.revoke(&ids, &why, || ctx.clock(), &super::actor())?
    };
    if bulk && done.is_empty() && !ctx.json {
        let typed = super::filters::text(&args.filters).unwrap_or_default();
        render::note(&messages::no_match(&typed));
    }
    report(ctx, &done, out, ("revoked", "was already revoked"))
}

pub fn restore(ctx: &Ctx, args: &RefsArgs, out: &mut dyn Write) -> Result<Status> {
    let mut store = Store::open(&ctx.db, Access::ReadWrite)?;
    let tokens = store.resolve_all(&args.references)?;
    // The store enforces this too, inside its transaction; checking here first gives the
    // operator the reason and the way out. Not `status()`: a revoked token that has since
    // expired reports "revoked" there, and cannot be restored either.
    if let Some(t) = tokens
        .iter()
        .find(|t| t.expires_at.is_some_and(|at| at <= ctx.now))
    {
        bail!(messages::cannot_restore_expired(t));
    }
    for t in &tokens {
        // Compromised or rotated: the store's words, before anything is written.
        crate::store::refuse_restore(t)?;
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
        let docs: Vec<json::Changed> = done
            .iter()
            .map(|(t, changed)| json::Changed {
                token: json::token(t, ctx.now),
                changed: Some(*changed),
                deleted: None,
            })
            .collect();
        json::write(out, &docs)?;
    } else {
        for (t, changed) in done {
            render::note(&messages::changed(t, *changed, did, already));
        }
    }
    Ok(Status::Success)
}
