//! tokenctl: generate, list, revoke and verify API tokens kept as hashes in SQLite.
//! `run` parses, resolves the context, dispatches, and is the only owner of exit codes.

pub mod checksum;
pub mod cli;
mod commands;
pub mod ctx;
pub mod exit;
mod prompt;
pub mod render;
pub mod scope;
pub mod store;
pub mod time;
pub mod token;
pub mod verdict;

use std::ffi::OsString;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

use clap::Parser;

use crate::cli::Cli;
use crate::exit::{Status, is_broken_pipe, status_of};

pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            // --help and --version land here too, with code 0; a closed pipe is no error.
            let _ = err.print();
            return ExitCode::from(err.exit_code().clamp(0, 255) as u8);
        }
    };
    match execute(&cli) {
        Ok(status) => status.into(),
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            // One line, escaped: messages can quote names and paths from untrusted sources.
            let message = format!("{err:#}");
            let _ = writeln!(std::io::stderr(), "error: {}", render::escape(&message));
            status_of(&err).into()
        }
    }
}

fn execute(cli: &Cli) -> anyhow::Result<Status> {
    let ctx = ctx::Ctx::resolve(&cli.global)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    // Prompts (dialoguer) draw with console's global setting: make it follow --color too.
    console::set_colors_enabled_stderr(ctx.color_stderr);
    let status = commands::dispatch(&ctx, &cli.command, &mut out)?;
    match out.flush() {
        // The reader left; the answer still stands. For verify it is the verdict, which
        // a closed pipe must never turn into exit 0.
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(status),
        result => result.map(|()| status).map_err(Into::into),
    }
}
