//! `completions SHELL` and `man [COMMAND]`: generated from the clap definition itself, so
//! they cannot drift from the flags. The copies in completions/ and man/ come from here.

use std::io::Write;

use anyhow::Result;
use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::exit::{Status, usage};

pub fn completions(shell: Shell, out: &mut dyn Write) -> Result<Status> {
    // clap_complete panics on a failed write; render to memory so a closed pipe is an error.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "tokenctl", &mut script);
    out.write_all(&script)?;
    Ok(Status::Success)
}

pub fn man(command: Option<&str>, out: &mut dyn Write) -> Result<Status> {
    let root = Cli::command();
    let page = match command {
        None => root,
        Some(name) => {
            let Some(sub) = root.find_subcommand(name).cloned() else {
                return Err(usage(format!("no command '{name}': see 'tokenctl --help'")));
            };
            // The page of `tokenctl generate` is tokenctl-generate(1).
            let full = format!("tokenctl-{}", sub.get_name());
            sub.name(full)
                .version(root.get_version().unwrap_or_default().to_owned())
        }
    };
    clap_mangen::Man::new(page).render(out)?;
    Ok(Status::Success)
}
