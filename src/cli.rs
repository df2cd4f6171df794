//! The command line, as clap derive types. Doc comments here are the help text and the
//! man pages; nothing in this file does I/O or decides anything.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;

/// Generate, list, revoke and verify API tokens.
///
/// Only a blake3 hash of each token is stored, in a SQLite database on this machine
/// (or one file shared by a team). The secret is printed once, by `generate`.
#[derive(Debug, Parser)]
#[command(
    name = "tokenctl",
    version,
    propagate_version = true,
    max_term_width = 100
)]
#[command(after_help = EXIT_CODES)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,

    #[command(subcommand)]
    pub command: Command,
}

pub const EXIT_CODES: &str = "\
Exit codes:
  0   success (verify: the token is valid and has every --scope)
  1   the command could not do its work (missing or foreign database, no such token, refused by a rule)
  2   usage error
  10  verify: malformed or unknown token
  11  verify: token expired
  12  verify: token revoked
  13  verify: token lacks a required scope
  20  scan: found a live token (or one it could not check: no database)";

#[derive(Debug, Args)]
pub struct Global {
    /// Database file [default: tokens.db in the user's data directory]
    #[arg(
        long,
        global = true,
        env = "TOKENCTL_DB",
        hide_env_values = true,
        value_name = "PATH"
    )]
    pub db: Option<PathBuf>,

    /// When to use colours (NO_COLOR is honoured unless --color is given)
    #[arg(long, global = true, value_name = "WHEN")]
    pub color: Option<ColorChoice>,

    /// Print one JSON document on stdout instead of human output
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a database
    Init(InitArgs),
    /// Create a token and print its secret, once
    Generate(GenerateArgs),
    /// List tokens with their status and usage
    #[command(visible_alias = "ls")]
    List(ListArgs),
    /// Show one token in full: timestamps, scopes, usage, sources and events
    Show(ShowArgs),
    /// Revoke active tokens (revoking a revoked token succeeds)
    Revoke(RefsArgs),
    /// Make revoked tokens active again (an expired token cannot be restored)
    Restore(RefsArgs),
    /// Delete revoked or expired tokens for good
    Delete(DeleteArgs),
    /// Check a presented token (read from stdin or --token-env) and record its use
    #[command(after_help = VERIFY_AFTER)]
    Verify(VerifyArgs),
    /// Show the lifecycle history: generated, revoked, restored, deleted
    Log(LogArgs),
    /// Find tokens in files, stdin or git history, and tell which are live
    #[command(after_help = SCAN_AFTER)]
    Scan(ScanArgs),
    /// Print shell completions
    Completions(CompletionsArgs),
    /// Print the man page of tokenctl or of one of its commands
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Make the database usable by a group: file 0660 in a setgid folder 2770
    #[arg(long)]
    pub shared: bool,

    /// The group that shares the database [default: the folder's group]
    #[arg(long, requires = "shared", value_name = "GROUP")]
    pub group: Option<String>,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// A unique name for the token, e.g. "github-ci" (asked for at a terminal)
    #[arg(long, short)]
    pub name: Option<String>,

    /// Validity: 1m 3m 6m 1y 2y (calendar months and years) or a duration like 30d, 12h [default: 30d]
    #[arg(long, value_name = "DURATION", group = "expiry")]
    pub expires: Option<String>,

    /// Expiry date: YYYY-MM-DD (00:00 UTC) or an RFC 3339 time
    #[arg(long, value_name = "DATE", group = "expiry")]
    pub expires_at: Option<String>,

    /// The token never expires
    #[arg(long, group = "expiry")]
    pub no_expiry: bool,

    /// A permission, resource:action (unikernel:create), resource:* or *; repeatable
    #[arg(long = "scope", short, value_name = "SCOPE")]
    pub scopes: Vec<String>,

    /// The token's prefix, so scanners and humans can tell tokens apart
    #[arg(long, value_name = "PREFIX", default_value = crate::token::DEFAULT_PREFIX)]
    pub prefix: String,

    /// What the token is for
    #[arg(long, short, value_name = "TEXT")]
    pub description: Option<String>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Which tokens to show
    #[arg(long, value_enum, default_value_t = StatusFilter::All)]
    pub status: StatusFilter,

    /// Only tokens that expire within this span, e.g. 7d
    #[arg(long, value_name = "DURATION")]
    pub expiring_within: Option<String>,

    /// Only tokens not used within this span, e.g. 30d (never used counts from creation)
    #[arg(long, value_name = "DURATION")]
    pub unused_since: Option<String>,

    /// Order of the rows
    #[arg(long, value_enum, default_value_t = SortKey::Created)]
    pub sort: SortKey,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusFilter {
    Active,
    Revoked,
    Expired,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortKey {
    Name,
    Created,
    Expires,
    LastUsed,
    Uses,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Token id, id prefix (4+ characters) or name
    #[arg(value_name = "REF")]
    pub reference: String,
}

#[derive(Debug, Args)]
pub struct RefsArgs {
    /// Token ids, id prefixes (4+ characters) or names
    #[arg(value_name = "REF", required = true)]
    pub references: Vec<String>,
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    #[command(flatten)]
    pub refs: RefsArgs,

    /// Do not ask for confirmation (required without a terminal)
    #[arg(long, short)]
    pub yes: bool,
}

pub const VERIFY_AFTER: &str = "\
The token is read from stdin (first line) or from the variable named by --token-env,
never from the command line, where every user of the machine could read it:
  printf '%s\\n' \"$API_TOKEN\" | tokenctl verify --scope deploy:run
  tokenctl verify --token-env API_TOKEN --scope deploy:run
`Bearer <token>` and `Authorization: Bearer <token>` are accepted too.";

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A scope the token must cover; repeatable
    #[arg(long = "scope", short, value_name = "SCOPE")]
    pub scopes: Vec<String>,

    /// Read the token from this environment variable instead of stdin
    #[arg(long, value_name = "VAR")]
    pub token_env: Option<String>,

    /// Where the token is used from, recorded with its use [default: the host name]
    #[arg(long, value_name = "LABEL")]
    pub source: Option<String>,

    /// Check the token without recording its use (works on a read-only database)
    #[arg(long)]
    pub no_record: bool,

    /// Explain the outcome on stderr
    #[arg(long, short, conflicts_with = "quiet")]
    pub verbose: bool,

    /// Print nothing on stderr, not even the reason for a denial
    #[arg(long, short)]
    pub quiet: bool,

    /// Refused: a token on the command line is visible to every user (see below)
    #[arg(value_name = "TOKEN", hide = true)]
    pub token_arg: Option<String>,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// Only this token's history (id, id prefix or name; deleted tokens too)
    #[arg(value_name = "REF")]
    pub reference: Option<String>,

    /// Only events within this span, e.g. 7d
    #[arg(long, value_name = "DURATION")]
    pub since: Option<String>,
}

pub const SCAN_AFTER: &str = "\
Finds every token with a valid check (look-alikes are ignored), even glued to other text
(key=tkn_..., \"tkn_...\", URL-encoded), and looks it up in the database: its name and
status, or \"not in this database\". The secret is never printed.
  tokenctl scan .                        # this folder, honouring .gitignore
  tokenctl scan --git                    # every commit on every ref of this repository
  kubectl logs app | tokenctl scan       # stdin
  tokenctl scan --git --revoke           # revoke every live token found
Exit: 0 no live token found (revoked, expired and deleted ones are still listed);
20 a live token found, or one that could not be checked because there is no database.";

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or folders to scan, `-` for stdin [default: stdin when it is piped, else .]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Scan the history of the git repositories at PATH [default: .]: every commit on every ref
    #[arg(long)]
    pub git: bool,

    /// Revoke every live token found, recording where it was found
    #[arg(long)]
    pub revoke: bool,

    /// With --revoke: show what would be revoked and change nothing
    #[arg(long, requires = "revoke")]
    pub dry_run: bool,

    /// Output: human (ripgrep's style), json (as --json), or sarif (code scanning)
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<ScanFormat>,

    /// Also scan what .gitignore, .ignore and git's exclude files leave out
    #[arg(long)]
    pub no_ignore: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    Human,
    Json,
    Sarif,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to print completions for
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The command whose page to print, e.g. generate [default: tokenctl's own]
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
}
