//! tokenctl: generate, list, revoke and verify API tokens kept as hashes in SQLite.
//! `run` parses, resolves the context, dispatches, and is the only owner of exit codes.

pub mod checksum;
pub mod cli;
mod commands;
pub mod ctx;
pub mod entry;
pub mod error;
pub mod exit;
pub mod net;
pub mod policy;
mod prompt;
pub mod reference;
pub mod render;
pub mod scan;
pub mod scope;
mod serve;
pub mod store;
pub mod time;
pub mod token;
pub mod verdict;

use std::ffi::OsString;
use std::io::{BufWriter, Write};

use clap::Parser;

use crate::cli::Cli;
use crate::exit::{Status, is_broken_pipe, status_of};

/// The whole program; returns the process's exit code (see SPEC.md).
pub fn run(args: impl IntoIterator<Item = OsString>) -> u8 {
    render::redact::panic_hook();
    let cli = match parse(args.into_iter().collect()) {
        Ok(cli) => cli,
        Err(err) => {
            // --help and --version land here too, with code 0; a closed pipe is no error.
            // clap quotes what was typed, perhaps a pasted token: redacted like every line.
            render::redact::clap_error(&err);
            return err.exit_code().clamp(0, 255) as u8;
        }
    };
    match execute(&cli) {
        Ok(status) => status as u8,
        Err(err) if is_broken_pipe(&err) => 0,
        Err(err) => {
            // One line, redacted and escaped: messages can quote names, paths and REFs
            // from untrusted sources, a pasted token among them.
            let message = format!("{err:#}");
            let _ = writeln!(std::io::stderr(), "error: {}", render::escape(&message));
            status_of(&err) as u8
        }
    }
}

/// `verify` runs as a fresh process on every deploy, and building clap's whole command tree
/// is a tenth of its instructions: try a tree of only the globals and `verify` first.
/// Anything that tree does not accept (help, version, errors, other commands) goes to the
/// full tree, so messages and behaviour stay the full tree's.
fn parse(args: Vec<OsString>) -> Result<Cli, clap::Error> {
    use clap::{Args, FromArgMatches};
    if args.iter().skip(1).any(|a| a == "verify") {
        let verify_only = clap::Command::new("tokenctl")
            .subcommand_required(true)
            .subcommand(cli::VerifyArgs::augment_args(clap::Command::new("verify")));
        let verify_only = cli::Global::augment_args(verify_only);
        if let Ok(cli) = verify_only
            .try_get_matches_from(&args)
            .and_then(|m| Cli::from_arg_matches(&m))
        {
            return Ok(cli);
        }
    }
    Cli::try_parse_from(args)
}

fn execute(cli: &Cli) -> anyhow::Result<Status> {
    let ctx = ctx::Ctx::resolve(&cli.global)?;
    // Before anything reads the path: `generate` would name a new file after the token.
    commands::refuse_secret("--db / TOKENCTL_DB", &ctx.db.given())?;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The short cut must read every verify command line exactly as the full tree does.
    #[test]
    fn the_verify_only_parser_agrees_with_the_full_one() {
        let lines: &[&[&str]] = &[
            &["verify"],
            &[
                "verify", "--scope", "a:b", "-s", "c:*", "--source", "hook", "-q",
            ],
            &["--db", "/tmp/x.db", "--json", "verify", "--no-record", "-v"],
            &[
                "verify",
                "--color",
                "never",
                "--token-env",
                "TOK",
                "--db",
                "t.db",
            ],
            &["verify", "tkn_abc"],
            &["verify", "--verbose", "--quiet"],
            &["verify", "--bogus"],
            &["verify", "--help"],
            &["generate", "--name", "verify"],
            &["--version"],
        ];
        for line in lines {
            let argv: Vec<OsString> = std::iter::once("tokenctl")
                .chain(line.iter().copied())
                .map(OsString::from)
                .collect();
            let ours = parse(argv.clone()).map_err(|e| (e.kind(), e.to_string()));
            let full = Cli::try_parse_from(argv).map_err(|e| (e.kind(), e.to_string()));
            assert_eq!(format!("{ours:?}"), format!("{full:?}"), "{line:?}");
        }
    }
}
