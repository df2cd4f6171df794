//! `completions SHELL` and `man [COMMAND]`: generated from the clap definition itself, so
//! they cannot drift from the flags. The copies in completions/ and man/ come from here.

use std::io::Write;

use anyhow::Result;
use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::{Cli, EXIT_CODES};
use crate::ctx::Ctx;
use crate::exit::{Status, usage};
use crate::store::{Access, ListQuery, Store};

pub fn completions(shell: Shell, out: &mut dyn Write) -> Result<Status> {
    // clap_complete panics on a failed write; render to memory so a closed pipe is an error.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "tokenctl", &mut script);
    let script = String::from_utf8_lossy(&script);
    out.write_all(with_refs(shell, &script).as_bytes())?;
    Ok(Status::Success)
}

/// The commands whose REF arguments complete to the database's token ids and names.
const REF_COMMANDS: &str = "revoke restore show delete rm log edit rotate";

/// clap's script, taught to complete token REFs by asking `tokenctl __complete-refs`
/// (clap only knows them as free text, and offers file names).
/// `man` completes the commands that have a page.
fn with_refs(shell: Shell, script: &str) -> String {
    let pages: Vec<String> = Cli::command()
        .get_subcommands()
        .filter(|c| !c.is_hide_set() && c.get_name() != "help")
        .map(|c| c.get_name().to_owned())
        .collect();
    let pages = pages.join(" ");
    // `--expires` offers the presets the interactive generate offers.
    let presets = crate::prompt::validity_presets().join(" ");
    match shell {
        Shell::Bash => format!(
            "{script}{}",
            BASH_REFS
                .replace("@PAGES@", &pages)
                .replace("@PRESETS@", &presets)
        ),
        Shell::Fish => {
            let mut out = String::with_capacity(script.len() + 300);
            for line in script.lines() {
                out.push_str(line);
                if line.contains(" -l expires -d ") && line.ends_with(" -r") {
                    out.push_str(&format!(" -f -a \"{presets}\""));
                }
                out.push('\n');
            }
            out.push_str(&format!(
                "complete -c tokenctl -n \"__fish_seen_subcommand_from {REF_COMMANDS}\" -f -a \"(tokenctl __complete-refs 2>/dev/null)\"\n\
                 complete -c tokenctl -n \"__fish_seen_subcommand_from man\" -f -a \"{pages}\"\n"
            ));
            out
        }
        Shell::Zsh => {
            let mut out = String::with_capacity(script.len() + 300);
            for line in script.lines() {
                let is_ref = [":reference -- ", "::references -- ", "::reference -- "]
                    .iter()
                    .any(|p| line.contains(p));
                if line.starts_with("if [ \"$funcstack[1]\" = \"_tokenctl\" ]") {
                    out.push_str(ZSH_REFS);
                }
                if is_ref {
                    out.push_str(&line.replace(":_default'", ":_tokenctl_refs'"));
                } else if line.contains("'::command -- The command whose page") {
                    out.push_str(&line.replace(":_default'", &format!(":({pages})'")));
                } else if line.starts_with("'--expires=[") {
                    out.push_str(
                        &line.replace(":DURATION:_default'", &format!(":DURATION:({presets})'")),
                    );
                } else {
                    out.push_str(line);
                }
                out.push('\n');
            }
            out
        }
        _ => script.to_owned(),
    }
}

const BASH_REFS: &str = r#"
# Token ids and names after revoke, restore, show, delete and log, from the database.
_tokenctl_with_refs() {
    local i cmd="" cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${COMP_WORDS[i]}" in
            --db|--color) ((i++)) ;;
            -*) ;;
            *) cmd="${COMP_WORDS[i]}"; break ;;
        esac
    done
    if [[ "$prev" == --expires ]]; then
        COMPREPLY=($(compgen -W "@PRESETS@" -- "$cur"))
        return 0
    fi
    case "$cmd" in
        man)
            if [[ "$cur" != -* && "$prev" == man ]]; then
                COMPREPLY=($(compgen -W "@PAGES@" -- "$cur"))
                return 0
            fi
            ;;
        revoke|restore|show|delete|rm|log|edit|rotate)
            case "$cur$prev" in
                -*|*--since|*--db|*--color) ;;
                *)
                    local IFS=$'
'
                    COMPREPLY=($(compgen -W "$(tokenctl __complete-refs 2>/dev/null)" -- "$cur"))
                    return 0
                    ;;
            esac
            ;;
    esac
    _tokenctl "$@"
}
if [[ "${BASH_VERSINFO[0]}" -eq 4 && "${BASH_VERSINFO[1]}" -ge 4 || "${BASH_VERSINFO[0]}" -gt 4 ]]; then
    complete -F _tokenctl_with_refs -o nosort -o bashdefault -o default tokenctl
else
    complete -F _tokenctl_with_refs -o bashdefault -o default tokenctl
fi
"#;

const ZSH_REFS: &str = r#"(( $+functions[_tokenctl_refs] )) ||
_tokenctl_refs() {
    local -a refs
    refs=(${(f)"$(tokenctl __complete-refs 2>/dev/null)"})
    compadd -a refs
}

"#;

/// For the completion scripts: every token's id and name, one a line. Silent and exit 0
/// when there is no database or it cannot be read: a completion never prints an error
/// into the middle of a command line.
pub fn complete_refs(ctx: &Ctx, out: &mut dyn Write) -> Result<Status> {
    if !ctx.db.exists() {
        return Ok(Status::Success);
    }
    let Ok(store) = Store::open(&ctx.db, Access::ReadOnly) else {
        return Ok(Status::Success);
    };
    let mut refs = Vec::new();
    let listed = store.list(&ListQuery::default(), ctx.now, |token| {
        refs.push(token.id);
        // A name a shell cannot take as one word from a line is left to be typed.
        if !token.name.chars().any(char::is_control) {
            refs.push(token.name);
        }
        Ok(())
    });
    if listed.is_ok() {
        for r in refs {
            writeln!(out, "{r}")?;
        }
    }
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
        page.extend(references_section().as_bytes());
    } else if let Some(notes) = notes {
        page.extend(notes_section(&notes).as_bytes());
    }
    page.extend(exit_status_section().as_bytes());
    page.extend(environment_section().as_bytes());
    page.extend(files_section().as_bytes());
    page.extend(examples_section(command).as_bytes());
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

/// The exit codes as a roff list, from the same text `--help` shows: a line starting with
/// a code opens an entry, an indented one continues it (roff fills the lines again).
fn exit_status_section() -> String {
    let mut roff = String::from(".SH \"EXIT STATUS\"\n");
    for line in EXIT_CODES.lines().skip(1) {
        let line = line.trim();
        match line.split_once(' ') {
            Some((code, meaning)) if code.bytes().all(|b| b.is_ascii_digit()) => {
                roff.push_str(&format!(".TP\n{code}\n{}\n", escape(meaning.trim())));
            }
            _ => {
                roff.push_str(&escape(line));
                roff.push('\n');
            }
        }
    }
    roff
}

/// A command's after-help text: prose is filled to the reader's width (roff's own), so it
/// never wraps mid-word past 80 columns; indented lines are examples, kept as written, and
/// a line ending in ':' heads a list of them.
fn notes_section(text: &str) -> String {
    let mut roff = String::from(".SH NOTES\n");
    let mut verbatim = false;
    for line in text.lines() {
        let example = line.starts_with("  ");
        if example && !verbatim {
            roff.push_str(".RS 4\n.nf\n");
        } else if !example && verbatim {
            roff.push_str(".fi\n.RE\n");
        }
        verbatim = example;
        if line.trim().is_empty() {
            roff.push_str(".PP\n");
        } else if example {
            roff.push_str(&escape(line.trim_start()));
            roff.push('\n');
        } else {
            roff.push_str(&escape(line));
            roff.push('\n');
        }
    }
    if verbatim {
        roff.push_str(".fi\n.RE\n");
    }
    roff
}

fn environment_section() -> String {
    let vars = [
        ("TOKENCTL_DB", "The database file, when --db is not given."),
        (
            "XDG_DATA_HOME",
            "Where the default database lives on Linux: $XDG_DATA_HOME/tokenctl/tokens.db (default ~/.local/share/tokenctl/tokens.db).",
        ),
        (
            "NO_COLOR",
            "When set and not empty, no colours (unless --color says otherwise).",
        ),
        (
            "PAGER",
            "The pager for a list taller than the terminal (default: less -FRX; empty or cat: none).",
        ),
    ];
    let mut roff = String::from(".SH ENVIRONMENT\n");
    for (name, meaning) in vars {
        roff.push_str(&format!(".TP\n\\fB{name}\\fR\n{}\n", escape(meaning)));
    }
    roff
}

fn files_section() -> String {
    let mut roff = String::from(".SH FILES\n");
    roff.push_str(&format!(
        ".TP\n{}\n{}\n",
        escape("~/.local/share/tokenctl/tokens.db"),
        escape("The default database on Linux (~/Library/Application Support/tokenctl/tokens.db on macOS), mode 0600 in a folder 0700; with its -wal and -shm files while in use.")
    ));
    roff
}

/// How a token is named on the command line, once, on tokenctl(1).
fn references_section() -> String {
    let mut roff = String::from(".SH REFERENCES\n");
    roff.push_str(&escape(
        "A REF names a token: its id (4k2x9q7m1z), a unique id prefix of 4 or more characters (4k2x), the tkn_4k2x9q7m1z_... form list prints, its exact name, or a whole token (found by its id; the secret is never echoed). log also finds deleted tokens by id or name.",
    ));
    roff.push('\n');
    roff
}

/// Command lines worth copying, per page.
fn examples(command: Option<&str>) -> &'static [(&'static str, &'static str)] {
    match command {
        None => &[
            (
                "Create a token for CI, valid three months:",
                "tokenctl generate --name github-ci --scope deploy:run --expires 3mo",
            ),
            (
                "Gate a deploy on it:",
                "tokenctl verify --token-env DEPLOY_TOKEN --scope deploy:run",
            ),
            (
                "Revoke it, then delete every expired token:",
                "tokenctl revoke github-ci",
            ),
            (
                "",
                "tokenctl list -q --status expired | xargs tokenctl delete --yes",
            ),
        ],
        Some("generate" | "create" | "new") => &[
            (
                "Ask for the name, validity and scopes at a terminal:",
                "tokenctl generate",
            ),
            (
                "In a script, capturing the secret:",
                "TOKEN=$(tokenctl generate --name ci --scope deploy:run,logs:read)",
            ),
        ],
        Some("list" | "ls") => &[
            (
                "Tokens that expire within a week:",
                "tokenctl list --expiring-within 7d",
            ),
            (
                "The ids of expired tokens, for xargs:",
                "tokenctl list -q --status expired",
            ),
        ],
        Some("verify") => &[
            (
                "From stdin:",
                "printf '%s\\n' \"$API_TOKEN\" | tokenctl verify --scope deploy:run",
            ),
            (
                "From a variable, as JSON:",
                "tokenctl verify --token-env API_TOKEN --json",
            ),
        ],
        Some("revoke") => &[
            ("", "tokenctl revoke github-ci 4k2x"),
            (
                "The secret leaked: never restorable, with why:",
                "tokenctl revoke github-ci --compromised --reason 'pasted in a chat'",
            ),
        ],
        Some("rotate") => &[(
            "A new secret; the old one verifies one more hour:",
            "tokenctl rotate github-ci --grace 1h",
        )],
        Some("edit") => &[(
            "Rename, and cap at 10 uses in all:",
            "tokenctl edit github-ci --name github-ci-main --max-uses 10",
        )],
        Some("restore") => &[("", "tokenctl restore github-ci")],
        Some("delete" | "rm") => &[(
            "Without a question, in a script:",
            "tokenctl delete --yes github-ci",
        )],
        Some("show") => &[("", "tokenctl show github-ci")],
        Some("log") => &[
            (
                "The last week, or one token (deleted ones too):",
                "tokenctl log --since 7d",
            ),
            ("", "tokenctl log github-ci"),
        ],
        Some("init") => &[(
            "A database shared by the group deploy:",
            "sudo tokenctl init --shared --group deploy --db /srv/tokens/tokens.db",
        )],
        Some("completions") => &[(
            "Bash:",
            "tokenctl completions bash > ~/.local/share/bash-completion/completions/tokenctl",
        )],
        Some("man") => &[("", "tokenctl man verify | man -l -")],
        Some(_) => &[],
    }
}

fn examples_section(command: Option<&str>) -> String {
    let examples = examples(command);
    if examples.is_empty() {
        return String::new();
    }
    let mut roff = String::from(".SH EXAMPLES\n");
    for (what, line) in examples {
        if !what.is_empty() {
            roff.push_str(&format!(".PP\n{}\n", escape(what)));
        }
        roff.push_str(&format!(".RS 4\n.nf\n{}\n.fi\n.RE\n", escape(line)));
    }
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
