//! `delete`: remove revoked or expired tokens for good, after a confirmation at a terminal
//! (or `--yes` in a script). Active tokens must be revoked first: no surprise destruction.

use std::io::Write;

use anyhow::{Result, bail};

use crate::cli::DeleteArgs;
use crate::ctx::Ctx;
use crate::exit::{Status, usage};
use crate::prompt;
use crate::render::{self, json, messages};
use crate::store::{Access, Bulk, Store, TokenRecord, TokenStatus};

use super::bulk::Gate;

pub fn run(ctx: &Ctx, args: &DeleteArgs, out: &mut dyn Write) -> Result<Status> {
    if args.filters.any() {
        if !args.references.is_empty() {
            return Err(usage(messages::refs_or_filters("delete")));
        }
        return filtered(ctx, args, out);
    }
    if args.references.is_empty() {
        return Err(usage(messages::nothing_to("delete")));
    }
    let mut store = Store::open(&ctx.db, Access::ReadWrite)?;
    let tokens = store.resolve_all(&args.references)?;
    if let Some(t) = tokens
        .iter()
        .find(|t| t.status(ctx.now) == TokenStatus::Active)
    {
        bail!(messages::delete_active_first(t));
    }
    let names: Vec<String> = tokens.iter().map(messages::token).collect();
    if args.dry_run {
        super::bulk::print_plan(ctx, &tokens, out)?;
        render::note(&messages::dry_run("deleted", tokens.len()));
        return Ok(Status::Success);
    }
    if !args.yes {
        if !ctx.interactive() {
            return Err(usage(
                "delete needs --yes when not at a terminal (it cannot ask for confirmation)",
            ));
        }
        let mut question = messages::delete_question(&names);
        // A question that wraps is hard to read and breaks the prompt's redraw: name the
        // tokens one a line above a short question instead.
        if console::measure_text_width(&question) + 12 > prompt::width() {
            render::note(&messages::listed(&names));
            question = messages::delete_question_short(tokens.len());
        }
        if !prompt::confirm(&question)? {
            render::note(messages::NOTHING_DELETED);
            return Ok(Status::Failure);
        }
    }
    let ids: Vec<&str> = tokens.iter().map(|t| t.id.as_str()).collect();
    store.delete(&ids, || ctx.clock(), &super::actor())?;
    report(ctx, &tokens, out)
}

/// `delete FILTERS`: every revoked or expired match, chosen and deleted in one transaction.
fn filtered(ctx: &Ctx, args: &DeleteArgs, out: &mut dyn Write) -> Result<Status> {
    let mut store = Store::open(&ctx.db, Access::ReadWrite)?;
    let gate = super::bulk::gate(
        ctx,
        &store,
        &args.filters,
        Bulk::Delete,
        (args.dry_run, args.yes),
        ("delete", "deleted"),
        out,
    )?;
    let tokens = match gate {
        Gate::Done => return Ok(Status::Success),
        Gate::Declined => {
            render::note(messages::NOTHING_DELETED);
            return Ok(Status::Failure);
        }
        Gate::Act { query, only } => {
            store.delete_matching(&query, only.as_deref(), || ctx.clock(), &super::actor())?
        }
    };
    if tokens.is_empty() && !ctx.json {
        let typed = super::filters::text(&args.filters).unwrap_or_default();
        render::note(&messages::no_match(&typed));
    }
    report(ctx, &tokens, out)
}

fn report(ctx: &Ctx, tokens: &[TokenRecord], out: &mut dyn Write) -> Result<Status> {
    let names: Vec<String> = tokens.iter().map(messages::token).collect();
    if ctx.json {
        let docs: Vec<json::Changed> = tokens
            .iter()
            .map(|t| json::Changed {
                token: json::token(t, ctx.now),
                changed: None,
                deleted: Some(true),
            })
            .collect();
        json::write(out, &docs)?;
    } else {
        for name in &names {
            render::note(&messages::deleted(name));
        }
    }
    Ok(Status::Success)
}
