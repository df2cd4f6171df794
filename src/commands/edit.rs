//! `edit`: change a token in place (name, description, scopes, expiry, use limit,
//! allow-list) in one transaction; the secret stays, each change is one event.

use std::io::Write;

use anyhow::Result;

use crate::cli::EditArgs;
use crate::ctx::Ctx;
use crate::exit::{Status, usage};
use crate::render::{self, json, messages};
use crate::scope::Scope;
use crate::store::{Access, Edit, NewExpiry, Store};
use crate::time;

pub fn run(ctx: &Ctx, args: &EditArgs, out: &mut dyn Write) -> Result<Status> {
    let edit = parse(ctx, args)?;
    let mut store = Store::open(&ctx.db, Access::ReadWrite)?;
    let token = store.resolve(&args.reference)?;
    let (token, changes) = store.edit(&token.id, &edit, || ctx.clock(), &super::actor())?;
    if ctx.json {
        json::write(
            out,
            &json::Changed {
                token: json::token(&token, ctx.now),
                changed: Some(changes > 0),
                deleted: None,
            },
        )?;
    } else {
        render::note(&messages::changed(
            &token,
            changes > 0,
            "edited",
            "already reads so: nothing changed",
        ));
    }
    Ok(Status::Success)
}

fn parse(ctx: &Ctx, args: &EditArgs) -> Result<Edit> {
    for (what, value) in [("--name", &args.name), ("--description", &args.description)] {
        if let Some(value) = value {
            super::refuse_secret(what, value)?;
        }
    }
    if let Some(name) = &args.name {
        super::generate::check_name(name).map_err(usage)?;
    }
    let scopes = |given: &[String]| -> Result<Vec<String>> {
        given
            .iter()
            .map(|s| {
                super::refuse_secret("a scope", s)?;
                Scope::parse(s)
                    .map(|s| s.as_str().to_owned())
                    .map_err(usage)
            })
            .collect()
    };
    let expires = if args.no_expiry {
        Some(NewExpiry::Never)
    } else if let Some(spec) = &args.expires {
        // generate's bounds (at least a minute, at most 100 years); the store lays the
        // span on the time it reads under the lock.
        time::expires_after(spec, ctx.now).map_err(usage)?;
        Some(NewExpiry::After(time::parse(spec).map_err(usage)?))
    } else if let Some(date) = &args.expires_at {
        Some(NewExpiry::At(
            time::parse_date(date, ctx.now).map_err(usage)?,
        ))
    } else {
        None
    };
    let max_uses = if args.no_max_uses {
        Some(None)
    } else {
        args.max_uses.map(Some)
    };
    let allowed_cidrs = if args.any_address {
        Some(Vec::new())
    } else if args.allow_cidrs.is_empty() {
        None
    } else {
        // One grammar with generate and verify (src/net.rs): a block verify could not
        // read would admit nobody.
        Some(super::generate::parse_cidrs(&args.allow_cidrs)?)
    };
    let edit = Edit {
        name: args.name.clone(),
        description: args
            .description
            .clone()
            .map(|d| Some(d).filter(|d| !d.is_empty())),
        add_scopes: scopes(&args.add_scopes)?,
        remove_scopes: scopes(&args.remove_scopes)?,
        expires,
        max_uses,
        allowed_cidrs,
    };
    let nothing = edit.name.is_none()
        && edit.description.is_none()
        && edit.add_scopes.is_empty()
        && edit.remove_scopes.is_empty()
        && edit.expires.is_none()
        && edit.max_uses.is_none()
        && edit.allowed_cidrs.is_none();
    if nothing {
        return Err(usage(
            "nothing to change: give --name, --description, --add-scope, --remove-scope, --expires, --max-uses or --allow-cidr (see tokenctl edit --help)",
        ));
    }
    Ok(edit)
}
