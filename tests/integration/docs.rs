//! The generated files: completions/ and man/ must be exactly what the binary prints now,
//! the bash script must load in a real bash, and the clap definition must be consistent.

use std::path::{Path, PathBuf};
use std::process::Command;

use clap::CommandFactory;
use tokenctl::cli::Cli;

use crate::util::TestEnv;

const REGENERATE: &str = "TOKENCTL_BLESS=1 cargo test --test integration docs::";

/// (file under completions/, shell name for `tokenctl completions`).
const COMPLETIONS: &[(&str, &str)] = &[
    ("tokenctl.bash", "bash"),
    ("_tokenctl", "zsh"),
    ("tokenctl.fish", "fish"),
    ("tokenctl.elv", "elvish"),
    ("_tokenctl.ps1", "powershell"),
];

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// `TOKENCTL_BLESS=1` (or `SNAPSHOTS=overwrite`, as snapbox spells it) rewrites the
/// committed copies instead of comparing with them.
fn bless() -> bool {
    std::env::var_os("TOKENCTL_BLESS").is_some_and(|v| !v.is_empty() && v != "0")
        || std::env::var_os("SNAPSHOTS").is_some_and(|v| v == "overwrite")
}

/// The binary's output for `args`, which must succeed.
fn generated(args: &[&str]) -> String {
    let out = TestEnv::new().cmd(args).assert().success();
    String::from_utf8(out.get_output().stdout.clone()).expect("UTF-8 output")
}

/// Compares the committed `path` with `expected`, or rewrites it when blessing.
fn check(path: &str, expected: &str, stale: &mut Vec<String>) {
    let file = repo(path);
    if bless() {
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, expected).unwrap();
        return;
    }
    match std::fs::read_to_string(&file) {
        Ok(committed) if committed == expected => {}
        Ok(_) => stale.push(format!("{path} is stale")),
        Err(e) => stale.push(format!("{path} is missing ({e})")),
    }
}

fn fail_if_stale(stale: &[String]) {
    assert!(
        stale.is_empty(),
        "{}\nthe binary's output changed: regenerate with\n    {REGENERATE}\nand commit the result",
        stale.join("\n")
    );
}

/// Every subcommand that has a page: all but `help`.
fn commands() -> Vec<String> {
    Cli::command()
        .get_subcommands()
        .filter(|c| !c.is_hide_set())
        .map(|c| c.get_name().to_owned())
        .collect()
}

#[test]
fn completions_are_up_to_date() {
    let mut stale = Vec::new();
    for (file, shell) in COMPLETIONS {
        let script = generated(&["completions", shell]);
        check(&format!("completions/{file}"), &script, &mut stale);
    }
    fail_if_stale(&stale);
}

#[test]
fn man_pages_are_up_to_date() {
    let mut stale = Vec::new();
    let mut pages = vec!["tokenctl.1".to_owned()];
    check("man/tokenctl.1", &generated(&["man"]), &mut stale);
    for command in commands() {
        let page = format!("tokenctl-{command}.1");
        check(
            &format!("man/{page}"),
            &generated(&["man", &command]),
            &mut stale,
        );
        pages.push(page);
    }
    // A page for a command that no longer exists is stale too.
    for entry in std::fs::read_dir(repo("man")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if !pages.contains(&name) {
            if bless() {
                std::fs::remove_file(repo("man").join(&name)).unwrap();
            } else {
                stale.push(format!("man/{name} belongs to no command"));
            }
        }
    }
    fail_if_stale(&stale);
}

#[test]
fn the_generated_files_are_machine_independent() {
    let env = TestEnv::new();
    let home = env.home().display().to_string();
    let root = env.root().display().to_string();
    let mut outputs = vec![env.cmd(["man"]).output().unwrap()];
    outputs.extend(
        commands()
            .iter()
            .map(|c| env.cmd(["man", c]).output().unwrap()),
    );
    outputs.extend(
        COMPLETIONS
            .iter()
            .map(|(_, shell)| env.cmd(["completions", shell]).output().unwrap()),
    );
    for out in outputs {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!text.is_empty());
        for local in [home.as_str(), root.as_str(), "/home/", "/root", "/tmp"] {
            assert!(!text.contains(local), "{local} in generated output");
        }
    }
}

#[test]
fn the_man_page_documents_the_exit_codes() {
    for page in [generated(&["man"]), generated(&["man", "verify"])] {
        assert!(page.contains(".SH \"EXIT STATUS\""));
        for code in ["0", "1", "2", "10", "11", "12", "13"] {
            assert!(page.contains(&format!(".TP\n{code}\n")), "exit code {code}");
        }
    }
}

#[test]
fn command_pages_list_the_global_flags() {
    let page = generated(&["man", "generate"]);
    assert!(page.starts_with(".ie"), "one roff preamble, at the top");
    assert_eq!(page.matches(".ds Aq").count(), 2, "the preamble once");
    assert!(page.contains(".TH tokenctl-generate 1"));
    for flag in ["\\-\\-name", "\\-\\-expires\\-at", "\\-\\-db", "\\-\\-json"] {
        assert!(page.contains(&format!("\\fB{flag}\\fR")), "{flag}");
    }
}

#[test]
fn the_verify_page_never_suggests_the_token_as_an_argument() {
    let page = generated(&["man", "verify"]);
    assert!(!page.contains("\\fITOKEN\\fR"), "{page}");
    assert!(page.contains("\\-\\-token\\-env"));
}

#[test]
fn man_of_an_unknown_command_is_a_usage_error() {
    let env = TestEnv::new();
    env.cmd(["man", "nope"]).assert().code(2);
    env.cmd(["man", "help"]).assert().code(2);
    env.cmd(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn the_bash_completion_loads_in_bash_and_completes() {
    let script = repo("completions/tokenctl.bash");
    let out = Command::new("bash")
        .arg("--norc")
        .arg("-c")
        .arg(
            r#"source "$1" && complete -p tokenctl &&
               COMP_WORDS=(tokenctl gen) COMP_CWORD=1 COMP_LINE='tokenctl gen' COMP_POINT=12 &&
               _tokenctl tokenctl gen tokenctl && printf '%s\n' "${COMPREPLY[@]}""#,
        )
        .arg("bash")
        .arg(&script)
        .output()
        .expect("run bash");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("-F _tokenctl_with_refs"), "{stdout}");
    assert!(stdout.lines().any(|l| l == "generate"), "{stdout}");
}

#[test]
fn the_cli_definition_is_consistent() {
    Cli::command().debug_assert();
}
