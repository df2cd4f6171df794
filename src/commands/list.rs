//! `list`: tokens with status and usage, filtered and sorted in the store; a table for
//! people, a streamed JSON array for scripts.

use std::io::Write;

use anyhow::Result;

use crate::cli::{ListArgs, SortKey as CliSort, StatusFilter};
use crate::ctx::Ctx;
use crate::exit::{Status, usage};
use crate::render::{self, json, table};
use crate::store::{Access, Durability, ListQuery, SortKey, Store, TokenStatus};
use crate::time::parse_span;

pub fn run(ctx: &Ctx, args: &ListArgs, out: &mut dyn Write) -> Result<Status> {
    let query = ListQuery {
        status: match args.status {
            StatusFilter::Active => Some(TokenStatus::Active),
            StatusFilter::Revoked => Some(TokenStatus::Revoked),
            StatusFilter::Expired => Some(TokenStatus::Expired),
            StatusFilter::All => None,
        },
        expiring_before: args
            .expiring_within
            .as_deref()
            .map(|spec| parse_span(spec, ctx.now).map(|span| ctx.now + span))
            .transpose()
            .map_err(usage)?,
        unused_before: args
            .unused_since
            .as_deref()
            .map(|spec| parse_span(spec, ctx.now).map(|span| ctx.now - span))
            .transpose()
            .map_err(usage)?,
        sort: Some(match args.sort {
            CliSort::Name => SortKey::Name,
            CliSort::Created => SortKey::Created,
            CliSort::Expires => SortKey::Expires,
            CliSort::LastUsed => SortKey::LastUsed,
            CliSort::Uses => SortKey::Uses,
        }),
    };
    let store = Store::open(&ctx.db, Access::ReadOnly, Durability::Normal)?;

    if ctx.json {
        let mut array = json::ArrayWriter::new(out)?;
        store.list(&query, ctx.now, |token| {
            array.push(&json::token(&token, ctx.now))
        })?;
        array.finish()?;
        return Ok(Status::Success);
    }

    let mut tokens = Vec::new();
    let counts = store.list(&query, ctx.now, |token| {
        tokens.push(token);
        Ok(())
    })?;
    if counts.total == 0 {
        render::note("no tokens yet: create one with 'tokenctl generate --name NAME'");
        return Ok(Status::Success);
    }
    if !tokens.is_empty() {
        let layout = table::Layout {
            tty: ctx.stdout_is_tty,
            color: ctx.color_stdout,
        };
        table::list(out, &tokens, ctx.now, &layout)?;
    }
    out.flush()?;
    render::note(&table::footer(counts));
    Ok(Status::Success)
}
