//! `init`: create the database (or check an existing one), optionally shared by a group.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use crate::cli::InitArgs;
use crate::ctx::Ctx;
use crate::exit::Status;
use crate::render::{self, json};
use crate::store::{Access, Durability, Store};

#[derive(Serialize)]
struct Initialized<'a> {
    path: &'a str,
    created: bool,
    shared: bool,
}

pub fn run(ctx: &Ctx, args: &InitArgs, out: &mut dyn Write) -> Result<Status> {
    let existed = ctx.db.exists();
    if args.shared {
        crate::store::prepare_shared(&ctx.db, args.group.as_deref())?;
    }
    Store::open(&ctx.db, Access::Create, Durability::Full)?;
    let path = ctx.db.display().to_string();
    if ctx.json {
        json::write(
            out,
            &Initialized {
                path: &path,
                created: !existed,
                shared: args.shared,
            },
        )?;
    } else if existed {
        render::note(&format!("database {path} already exists and is ready"));
    } else {
        let how = if args.shared {
            "shared database"
        } else {
            "database"
        };
        render::note(&format!("created {how} {path}"));
    }
    Ok(Status::Success)
}
