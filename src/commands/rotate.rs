//! `rotate`: a new secret under the same name and settings, the old one verifying for
//! the grace window; the new secret printed once, after the commit.

use std::io::Write;

use anyhow::{Result, bail};

use crate::cli::RotateArgs;
use crate::ctx::Ctx;
use crate::exit::{Status, usage};
use crate::render::{self, messages};
use crate::store::{Access, Revocation, Rotated, Rotation, Store};
use crate::time;
use crate::token::{self, Prefix};

pub fn run(ctx: &Ctx, args: &RotateArgs, out: &mut dyn Write) -> Result<Status> {
    let grace = match args.grace.as_deref() {
        // SPEC's default grace, and how a person writes "none"; the grammar refuses zero.
        None | Some("0") => time::Span::ZERO,
        Some(spec) => time::parse(spec).map_err(usage)?,
    };
    let expires = match &args.expires {
        Some(spec) => {
            // The bounds generate applies (at least a minute, at most 100 years).
            time::expires_after(spec, ctx.now).map_err(usage)?;
            Some(time::parse(spec).map_err(usage)?)
        }
        None => None,
    };
    // Before anything changes: a rotation whose new secret nobody receives leaves the old
    // token rotated away (it cannot be restored) and the new one revoked.
    super::generate::refuse_lost_stdout()?;
    let mut store = Store::open(&ctx.db, Access::ReadWrite)?;
    let old = store.resolve(&args.reference)?;
    let prefix = Prefix::parse(&old.prefix).map_err(usage)?;
    let mut attempts = 0;
    let (old, new, new_id, secret) = loop {
        attempts += 1;
        let (id, secret) = token::make(&prefix)?;
        let rotation = Rotation {
            new_id: &id,
            hash: secret.hash(),
            grace,
            expires,
        };
        match store.rotate(&old.id, &rotation, || ctx.clock(), &super::actor())? {
            Rotated::Ok { old, new } => break (old, new, id, secret),
            Rotated::IdTaken if attempts < 5 => continue,
            Rotated::IdTaken => bail!("could not find a free token id; try again"),
        }
    };
    if let Err(err) = super::generate::print_secret(ctx, &store, &new_id, &secret, out) {
        // Nobody received the new secret: it must not stay valid. The old one keeps its
        // grace window, so nothing that worked stops working now.
        let revoked = match store.revoke(
            &[new.id.as_str()],
            &Revocation::default(),
            || ctx.clock(),
            &super::actor(),
        ) {
            Ok(_) => "was revoked".to_owned(),
            Err(revoke) => format!("is STILL ACTIVE, revoking it failed ({revoke:#}): revoke it"),
        };
        bail!(
            "could not print the secret ({err:#}): the new token {} {revoked}; generate another",
            new.id
        );
    }
    if !ctx.json {
        render::note(&messages::rotated(&old, &new, ctx.now));
    }
    Ok(Status::Success)
}
