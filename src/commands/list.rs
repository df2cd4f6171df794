//! `list`: tokens with status and usage, filtered and sorted in the store; a table for
//! people, a streamed JSON array for scripts.

use std::io::Write;

use anyhow::Result;

use crate::cli::{ListArgs, SortKey as CliSort};
use crate::ctx::Ctx;
use crate::exit::Status;
use crate::render::{self, json, messages, table};
use crate::store::{Access, ListQuery, SortKey, Store};

use super::pager;

pub fn run(ctx: &Ctx, args: &ListArgs, out: &mut dyn Write) -> Result<Status> {
    let query = ListQuery {
        sort: Some(match args.sort {
            CliSort::Name => SortKey::Name,
            CliSort::Created => SortKey::Created,
            CliSort::Expires => SortKey::Expires,
            CliSort::LastUsed => SortKey::LastUsed,
            CliSort::Uses => SortKey::Uses,
        }),
        ..super::filters::query(ctx, &args.filters)?
    };
    let store = Store::open(&ctx.db, Access::ReadOnly)?;
    let limit = args.limit.unwrap_or(u64::MAX);

    if args.quiet {
        // Ids only, for xargs: no header, no footer, no warnings.
        let mut n = 0;
        store.list(&query, ctx.now, |token| {
            if n < limit {
                writeln!(out, "{}", token.id)?;
                n += 1;
            }
            Ok(())
        })?;
        return Ok(Status::Success);
    }

    if ctx.json {
        let mut array = json::ArrayWriter::new(out)?;
        let mut n = 0;
        store.list(&query, ctx.now, |token| {
            if n < limit {
                n += 1;
                array.push(&json::token(&token, ctx.now))?;
            }
            Ok(())
        })?;
        array.finish()?;
        return Ok(Status::Success);
    }

    let mut tokens = Vec::new();
    let counts = store.list(&query, ctx.now, |token| {
        if (tokens.len() as u64) < limit {
            tokens.push(token);
        }
        Ok(())
    })?;
    if counts.total == 0 {
        render::note(messages::NO_TOKENS_YET);
        return Ok(Status::Success);
    }
    if !tokens.is_empty() {
        let layout = table::Layout {
            tty: ctx.stdout_is_tty,
            color: ctx.color_stdout,
            width: table::terminal_width(),
        };
        let options = table::Options {
            no_headers: args.no_headers,
        };
        let mut text = Vec::new();
        table::list(&mut text, &tokens, ctx.now, &layout, options)?;
        let tall = ctx.stdout_is_tty
            && table::terminal_height()
                .is_some_and(|rows| text.split(|&b| b == b'\n').count() > usize::from(rows));
        if !(tall && !args.no_pager && pager::page(&text)?) {
            out.write_all(&text)?;
        }
    }
    out.flush()?;
    // Words on stderr wrap to its width, with a hanging indent, instead of being cut
    // mid-id by the terminal.
    let width = ctx
        .stderr_is_tty
        .then(table::stderr_width)
        .flatten()
        .map(usize::from);
    let say = |prefix: usize, text: &str| match width {
        Some(w) => {
            table::wrap(text, w.saturating_sub(prefix + 1), w.saturating_sub(3)).join("\n  ")
        }
        None => text.to_owned(),
    };
    let any_soon = tokens
        .iter()
        .any(|t| table::expires_soon(t, ctx.now, t.status(ctx.now)));
    let mut footer = table::footer(counts, &filter_text(args), any_soon);
    if (tokens.len() as u64) < counts.shown {
        footer.push_str(&messages::limited(tokens.len()));
    }
    render::note(&say(0, &footer));
    // The busiest first: a brute force outranks one mistyped secret.
    let mut failing: Vec<_> = tokens
        .iter()
        .filter(|t| table::failing_recently(t, ctx.now))
        .collect();
    failing.sort_by_key(|t| std::cmp::Reverse(t.failed_count));
    for t in failing.iter().take(WARNINGS) {
        if let Some(text) = table::failure_warning(t, ctx.now) {
            render::warn(&say("warning: ".len(), &text), ctx.color_stderr);
        }
    }
    if failing.len() > WARNINGS {
        let text = messages::more_failing(failing.len() - WARNINGS);
        render::warn(&say("warning: ".len(), &text), ctx.color_stderr);
    }
    Ok(Status::Success)
}

const WARNINGS: usize = crate::policy::FAILURE_WARNINGS;

/// The filter as the user typed it, for the footer: "hidden by --status revoked".
fn filter_text(args: &ListArgs) -> String {
    super::filters::text(&args.filters).unwrap_or_else(|| "the filter".to_owned())
}
