//! The gate in front of a filtered revoke or delete: the plan for `--dry-run`, `--yes`
//! without a terminal, one question with the count at a terminal.

use std::io::Write;

use anyhow::Result;

use crate::cli::Filters;
use crate::ctx::Ctx;
use crate::exit::usage;
use crate::prompt;
use crate::render::{self, json, messages, table};
use crate::store::{Bulk, ListQuery, Store, TokenRecord};

/// What the caller does next.
pub enum Gate {
    /// Act on every match; `only` keeps it to the confirmed plan.
    Act {
        query: ListQuery,
        only: Option<Vec<String>>,
    },
    /// Nothing to do: the dry run was printed, or nothing matched.
    Done,
    /// The person said no.
    Declined,
}

/// Decides whether and on what a filtered `verb` ("revoke", "delete") acts.
pub fn gate(
    ctx: &Ctx,
    store: &Store,
    filters: &Filters,
    act: Bulk,
    (dry_run, yes): (bool, bool),
    verb: (&str, &str),
    out: &mut dyn Write,
) -> Result<Gate> {
    let query = super::filters::query(ctx, filters)?;
    let typed = super::filters::text(filters).unwrap_or_default();
    if dry_run {
        let plan = store.plan(&query, act, ctx.now)?;
        print_plan(ctx, &plan, out)?;
        render::note(&messages::dry_run(verb.1, plan.len()));
        return Ok(Gate::Done);
    }
    if yes {
        return Ok(Gate::Act { query, only: None });
    }
    if !ctx.interactive() {
        return Err(usage(messages::bulk_needs_yes(verb.0)));
    }
    let plan = store.plan(&query, act, ctx.now)?;
    if plan.is_empty() {
        render::note(&messages::no_match(&typed));
        return Ok(Gate::Done);
    }
    // The person decides on what they see: the act is kept to these tokens.
    let names: Vec<String> = plan.iter().map(messages::token).collect();
    render::note(&messages::listed(&names));
    if !prompt::confirm(&messages::bulk_question(verb.0, plan.len(), &typed))? {
        return Ok(Gate::Declined);
    }
    Ok(Gate::Act {
        query,
        only: Some(plan.into_iter().map(|t| t.id).collect()),
    })
}

/// The plan on stdout: the list table, or a JSON array of token objects.
pub fn print_plan(ctx: &Ctx, plan: &[TokenRecord], out: &mut dyn Write) -> Result<()> {
    if ctx.json {
        let docs: Vec<_> = plan.iter().map(|t| json::token(t, ctx.now)).collect();
        return json::write(out, &docs);
    }
    if plan.is_empty() {
        return Ok(());
    }
    let layout = table::Layout {
        tty: ctx.stdout_is_tty,
        color: ctx.color_stdout,
        width: table::terminal_width(),
    };
    table::list(
        out,
        plan,
        ctx.now,
        &layout,
        table::Options { no_headers: false },
    )?;
    Ok(())
}
