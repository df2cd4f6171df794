//! `init`: create the database (or check an existing one), optionally shared by a group.
//! `--shared` converts an existing database, or refuses it: never "ready" when it is not.

use std::io::Write;

use anyhow::Result;

use crate::cli::InitArgs;
use crate::ctx::Ctx;
use crate::exit::Status;
use crate::render::{self, json, messages};
use crate::store::{Access, SharedOutcome, Store};

pub fn run(ctx: &Ctx, args: &InitArgs, out: &mut dyn Write) -> Result<Status> {
    let shared = match (args.shared, ctx.db.path()) {
        (true, Some(path)) => Some(crate::store::prepare_shared(path, args.group.as_deref())?),
        (true, None) => {
            return Err(crate::exit::usage(
                "--shared makes a SQLite file usable by a group; on PostgreSQL, grant the group's role access instead (see README)",
            ));
        }
        (false, _) => None,
    };
    let store = Store::open(&ctx.db, Access::Init)?;
    let existed = !store.created();
    let path = ctx.db.to_string();
    if ctx.json {
        json::write(
            out,
            &json::Initialized {
                path: &path,
                created: !existed,
                shared: args.shared,
            },
        )?;
        return Ok(Status::Success);
    }
    let message = match shared {
        Some((SharedOutcome::Converted, group)) => messages::shared_converted(&path, &group),
        Some((SharedOutcome::Created, group)) => messages::shared_created(&path, &group),
        Some((SharedOutcome::Ready, _)) | None if existed => messages::already_ready(&path),
        _ => messages::created_database(&path),
    };
    render::note(&message);
    Ok(Status::Success)
}
