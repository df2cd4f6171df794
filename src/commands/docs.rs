//! `completions SHELL` and `man [COMMAND]`: generated from the clap definition itself, so
//! they cannot drift from the flags. The copies in completions/ and man/ come from here.

use std::io::Write;

use anyhow::Result;
use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::{Cli, EXIT_CODES};
use crate::exit::{Status, usage};

pub fn completions(shell: Shell, out: &mut dyn Write) -> Result<Status> {
    // clap_complete panics on a failed write; render to memory so a closed pipe is an error.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "tokenctl", &mut script);
    out.write_all(&script)?;
    Ok(Status::Success)
}

pub fn man(command: Option<&str>, out: &mut dyn Write) -> Result<Status> {
    let mut root = Cli::command();
    // Building copies the global flags (--db, --json, --color) into every subcommand, so
    // each page lists all the flags its command takes.
    root.build();
    // `tokenctl help` works, but has no page of its own to point to.
    let root = root.mut_subcommand("help", |help| help.hide(true));
    let page = match command {
        None => root,
        Some(name) => {
            let Some(sub) = root
                .find_subcommand(name)
                .filter(|sub| !sub.is_hide_set())
                .cloned()
            else {
                return Err(usage(format!("no command '{name}': see 'tokenctl --help'")));
            };
            // The page of `tokenctl generate` is tokenctl-generate(1).
            let full = format!("tokenctl-{}", sub.get_name());
            sub.name(full)
                .version(root.get_version().unwrap_or_default().to_owned())
        }
    };
    let notes = page.get_after_help().map(|text| text.to_string());
    // clap_mangen lists hidden positionals in the synopsis; verify's refused TOKEN must not
    // look like a way to pass the token.
    let hidden: Vec<String> = page
        .get_positionals()
        .filter(|arg| arg.is_hide_set())
        .filter_map(|arg| arg.get_value_names().map(|names| names.join(" ")))
        .map(|name| format!("[\\fI{name}\\fR] "))
        .collect();
    let is_root = command.is_none();
    let man = clap_mangen::Man::new(page);
    // Rendered page by page in `Man::render`'s order, with two sections of our own in place
    // of its EXTRA: the exit codes (a contract, so on every page) and the command's notes.
    let mut page = Vec::new();
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    man.render_options_section(&mut page)?;
    if is_root {
        man.render_subcommands_section(&mut page)?;
    } else if let Some(notes) = notes {
        page.extend(notes_section(&notes).as_bytes());
    }
    page.extend(exit_status_section().as_bytes());
    man.render_version_section(&mut page)?;
    out.write_all(tidy(&String::from_utf8_lossy(&page), &hidden).as_bytes())?;
    Ok(Status::Success)
}

/// Each `render_*` call starts with roff's preamble (the `Aq` string definition); a page
/// needs it once, at the top. And the synopsis loses the `hidden` arguments.
fn tidy(page: &str, hidden: &[String]) -> String {
    let mut seen = std::collections::HashSet::new();
    let mut synopsis = false;
    let mut tidied = String::with_capacity(page.len());
    for line in page.lines() {
        if line.contains(".ds Aq") && !seen.insert(line) {
            continue;
        }
        let mut line = line.to_owned();
        if synopsis {
            for arg in hidden {
                line = line.replace(arg.as_str(), "");
            }
        }
        synopsis = line == ".SH SYNOPSIS";
        tidied.push_str(line.trim_end());
        tidied.push('\n');
    }
    tidied
}

/// The exit codes as a roff list, from the same text `--help` shows.
fn exit_status_section() -> String {
    let mut roff = String::from(".SH \"EXIT STATUS\"\n");
    for line in EXIT_CODES.lines().skip(1) {
        let (code, meaning) = line.trim().split_once(' ').unwrap_or((line.trim(), ""));
        roff.push_str(&format!(".TP\n{code}\n{}\n", escape(meaning.trim())));
    }
    roff
}

/// A command's after-help text, kept as written: it holds example command lines.
fn notes_section(text: &str) -> String {
    let mut roff = String::from(".SH NOTES\n.nf\n");
    for line in text.lines() {
        roff.push_str(&escape(line));
        roff.push('\n');
    }
    roff.push_str(".fi\n");
    roff
}

/// Text for roff: backslashes and dashes literal, no line read as a request.
fn escape(line: &str) -> String {
    let line = line.replace('\\', "\\e").replace('-', "\\-");
    if line.starts_with(['.', '\'']) {
        format!("\\&{line}")
    } else {
        line
    }
}
