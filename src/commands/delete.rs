//! `delete`: remove revoked or expired tokens for good, after a confirmation at a terminal
//! (or `--yes` in a script). Active tokens must be revoked first: no surprise destruction.

use std::io::Write;

use anyhow::{Result, bail};
use serde::Serialize;

use crate::cli::DeleteArgs;
use crate::ctx::Ctx;
use crate::exit::{Status, usage};
use crate::prompt;
use crate::render::{self, escape, json};
use crate::store::{Access, Durability, Store, TokenStatus};

#[derive(Serialize)]
struct Deleted<'a> {
    #[serde(flatten)]
    token: json::TokenJson<'a>,
    deleted: bool,
}

pub fn run(ctx: &Ctx, args: &DeleteArgs, out: &mut dyn Write) -> Result<Status> {
    let mut store = Store::open(&ctx.db, Access::ReadWrite, Durability::Full)?;
    let tokens = store.resolve_all(&args.refs.references)?;
    if let Some(t) = tokens
        .iter()
        .find(|t| t.status(ctx.now) == TokenStatus::Active)
    {
        bail!(
            "'{}' ({}) is active: revoke it first (tokenctl revoke {}); nothing was deleted",
            escape(&t.name),
            t.id,
            t.id
        );
    }
    let names: Vec<String> = tokens
        .iter()
        .map(|t| format!("'{}' ({})", escape(&t.name), t.id))
        .collect();
    if !args.yes {
        if !ctx.interactive() {
            return Err(usage(
                "delete needs --yes when not at a terminal (it cannot ask for confirmation)",
            ));
        }
        let noun = if tokens.len() == 1 { "token" } else { "tokens" };
        let question = format!(
            "Delete {} {noun}: {}? This cannot be undone",
            tokens.len(),
            names.join(", ")
        );
        if !prompt::confirm(&question)? {
            render::note("nothing deleted");
            return Ok(Status::Failure);
        }
    }
    let ids: Vec<&str> = tokens.iter().map(|t| t.id.as_str()).collect();
    store.delete(&ids, || ctx.clock(), &super::actor())?;
    if ctx.json {
        let docs: Vec<Deleted> = tokens
            .iter()
            .map(|t| Deleted {
                token: json::token(t, ctx.now),
                deleted: true,
            })
            .collect();
        json::write(out, &docs)?;
    } else {
        for name in &names {
            render::note(&format!("✓ deleted {name}"));
        }
    }
    Ok(Status::Success)
}
