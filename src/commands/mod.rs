//! One file per subcommand: arguments in, store calls, rendering out. A command returns
//! the `Status` it ended with; only `lib.rs` turns that into an exit code.

mod bulk;
mod copy;
mod delete;
mod docs;
mod edit;
mod filters;
mod generate;
mod init;
mod lifecycle;
mod list;
mod log;
mod pager;
mod rotate;
mod scan;
mod serve;
mod show;
mod verify;

use std::io::Write;

use anyhow::Result;

use crate::cli::Command;
use crate::ctx::Ctx;
use crate::exit::Status;

pub fn dispatch(ctx: &Ctx, command: &Command, out: &mut dyn Write) -> Result<Status> {
    match command {
        Command::Init(args) => init::run(ctx, args, out),
        Command::Generate(args) => generate::run(ctx, args, out),
        Command::List(args) => list::run(ctx, args, out),
        Command::Show(args) => show::run(ctx, args, out),
        Command::Revoke(args) => lifecycle::revoke(ctx, args, out),
        Command::Restore(args) => lifecycle::restore(ctx, args, out),
        Command::Rotate(args) => rotate::run(ctx, args, out),
        Command::Edit(args) => edit::run(ctx, args, out),
        Command::Delete(args) => delete::run(ctx, args, out),
        Command::Verify(args) => verify::run(ctx, args, out),
        Command::Log(args) => log::run(ctx, args, out),
        Command::Completions(_) | Command::Man(_) if ctx.json => Err(crate::exit::usage(
            "completions and man print a script or a page, not JSON: drop --json",
        )),
        Command::Scan(args) => scan::run(ctx, args, out),
        Command::Copy(args) => copy::run(ctx, args, out),
        Command::Serve(args) => serve::run(ctx, args),
        Command::Completions(args) => docs::completions(args.shell, out),
        Command::Man(args) => docs::man(args.command.as_deref(), out),
        Command::CompleteRefs => docs::complete_refs(ctx, out),
    }
}

/// Who is acting, for the event log: the OS user of this process (not `$USER`, which any
/// caller can set), or its uid when it has no name.
fn actor() -> String {
    let uid = nix::unistd::getuid();
    match nix::unistd::User::from_uid(uid) {
        Ok(Some(user)) => user.name,
        _ => format!("uid {uid}"),
    }
}

/// A token pasted where text is stored (`--name`, `--source`, a path) or quoted back must
/// not be kept: refused, glued inside longer text too, without quoting the value. Said
/// plainly, since a token on a command line has been visible to every user of the machine.
pub(crate) fn refuse_secret(what: &str, value: &str) -> Result<()> {
    if crate::token::contains_token(value) {
        return Err(crate::exit::usage(format!(
            "{what} holds a token secret, refused: a secret belongs on verify's stdin or in the variable --token-env names (revoke the token if others could see this command line)"
        )));
    }
    Ok(())
}
