//! The command line, as clap derive types. Doc comments here are the help text and the
//! man pages; nothing in this file does I/O or decides anything.

use std::path::PathBuf;

use clap::builder::TypedValueParser as _;
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

/// Kept under 80 columns with a hanging indent by hand: clap would wrap a long line back
/// to the left margin. docs.rs reads the same lines for the man pages.
pub const EXIT_CODES: &str = "\
Exit codes:
  0    success (verify: the token is valid and has every --scope)
  1    the command could not do its work (missing or foreign database, no such
       token, refused by a rule)
  2    usage error (bad flags or values, an unset --token-env variable)
  10   verify: malformed or unknown token
  11   verify: token expired
  12   verify: token revoked (also: rotated, past its grace window)
  13   verify: token lacks a required scope
  14   verify: token's use limit (--max-uses) reached
  15   verify: client address (--client-ip) outside the token's
       --allow-cidr list, or not given
  20   scan: found a live token (or one it could not check: no database)
  130  a question at the terminal was cancelled (Ctrl-C, Esc)";

/// Under a heading of their own on every command's help, apart from the command's flags.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct Global {
    /// Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user's
    /// data directory]
    // TOKENCTL_DB is read in ctx.rs, not with clap's `env`: clap counts a value from the
    // environment as given, and then prints `--db <PATH>` in usage lines as if required.
    #[arg(
        long,
        global = true,
        value_name = "PATH",
        // clap's path parser refuses an empty value without naming TOKENCTL_DB; ctx.rs
        // says which of the two was empty.
        value_parser = clap::builder::OsStringValueParser::new().map(PathBuf::from)
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
    #[command(visible_aliases = ["create", "new"])]
    Generate(GenerateArgs),
    /// List tokens with their status and usage
    #[command(visible_alias = "ls")]
    List(ListArgs),
    /// Show one token in full: timestamps, scopes, usage, sources and events
    Show(ShowArgs),
    /// Revoke active tokens, named or matching FILTERS (revoking a revoked token succeeds)
    Revoke(RevokeArgs),
    /// Make revoked tokens active again (never an expired, compromised or rotated token)
    Restore(RefsArgs),
    /// Change a token in place: name, description, scopes, expiry, use limit, allow-list
    /// (the secret stays)
    Edit(EditArgs),
    /// Replace a token's secret: a new token under the same name and settings, the old
    /// one verifying for the grace window
    Rotate(RotateArgs),
    /// Delete revoked or expired tokens for good, named or matching FILTERS
    #[command(visible_alias = "rm")]
    Delete(DeleteArgs),
    /// Check a presented token (read from stdin or --token-env) and record its use
    #[command(after_help = VERIFY_AFTER)]
    Verify(VerifyArgs),
    /// Show the lifecycle history: generated, edited, rotated, revoked, restored, deleted
    Log(LogArgs),
    /// Find tokens in files, stdin or git history, and tell which are live
    #[command(after_help = SCAN_AFTER)]
    Scan(ScanArgs),
    /// Copy every token (hashes, scopes, usage, sources, history) into a new database
    Copy(CopyArgs),
    /// Answer Bearer checks over HTTP, for nginx auth_request, Caddy forward_auth,
    /// Traefik ForwardAuth and services that call it
    #[command(after_help = SERVE_AFTER)]
    Serve(ServeArgs),
    /// Print shell completions
    Completions(CompletionsArgs),
    /// Print the man page of tokenctl or of one of its commands
    Man(ManArgs),
    /// The ids and names of the tokens, one a line: what the completion scripts offer
    /// after revoke, restore, show, delete and log
    #[command(name = "__complete-refs", hide = true)]
    CompleteRefs,
}

pub const SERVE_AFTER: &str = "\
Endpoints:
  GET /auth?scope=S          200 valid (X-Token-Id, X-Token-Name, X-Token-Scopes),
                             401 none/malformed/unknown/revoked/expired, 403 a missing
                             scope; 503 when the database does not answer
  POST /v1/verify            {\"token\", \"scopes\", \"client_ip\", \"source\"}: the
                             verify --json document
  GET /healthz               200 when the database answers, else 503
Uses and failures are written in batches, at least once a second and on SIGTERM/SIGINT.";

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Where to listen: HOST:PORT, or unix:/path/to/socket
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8077")]
    pub listen: String,

    /// Where to serve Prometheus metrics (/metrics), HOST:PORT; off by default
    #[arg(long, value_name = "ADDR")]
    pub metrics_listen: Option<String>,

    /// Peers (CIDR, e.g. 127.0.0.1/32) whose X-Forwarded-For / X-Real-IP is believed;
    /// `unix` for whoever connects to a unix: --listen socket (never implied by a CIDR);
    /// repeatable or comma separated
    #[arg(long, value_name = "CIDR|unix", value_delimiter = ',')]
    pub trust_proxy: Vec<String>,

    /// Connections served at once; more wait to be accepted
    #[arg(long, value_name = "N", default_value_t = 1024)]
    pub max_connections: usize,

    /// Log one line per request on stderr (token id and outcome, never the secret)
    #[arg(long)]
    pub log_requests: bool,

    /// Seconds a request waits for the database (1 to 30); then 503, and the connection
    /// that hung is dropped
    #[arg(long, value_name = "SECS", default_value_t = 2,
          value_parser = clap::value_parser!(u64).range(1..=30))]
    pub db_timeout: u64,
}

#[derive(Debug, Args)]
pub struct CopyArgs {
    /// The database to copy into: a SQLite file or a postgres:// URL, new or empty
    /// (a password belongs in PGPASSWORD or ~/.pgpass, not here)
    #[arg(long, value_name = "DB")]
    pub to: std::ffi::OsString,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Make the database usable by a group: file 0660 in a setgid, sticky folder 3770
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

    /// Validity: 1mo 3mo 6mo 1y 2y (calendar months and years) or a duration like 30d, 12h, 1h30min [default: 30d]
    ///
    /// One or more terms of a number and a unit, with or without spaces ("1y 6mo", "1h30min"):
    /// y and mo are calendar years and months (Jan 31 + 1mo = Feb 28); w, d, h, min and s
    /// are exact. A bare m is refused: write 1mo for a month or 1min for a minute.
    /// At least 1 minute, at most 100 years. The same grammar serves every DURATION.
    #[arg(
        long,
        value_name = "DURATION",
        group = "expiry",
        allow_hyphen_values = true
    )]
    pub expires: Option<String>,

    /// Expiry date: YYYY-MM-DD (00:00 UTC) or an RFC 3339 time
    #[arg(long, value_name = "DATE", group = "expiry")]
    pub expires_at: Option<String>,

    /// The token never expires
    #[arg(long, group = "expiry")]
    pub no_expiry: bool,

    /// A permission: lowercase resource:action (unikernel:create), resource:* or *;
    /// repeatable, or comma separated (--scope a:b,c:d)
    #[arg(long = "scope", short, value_name = "SCOPE", value_delimiter = ',')]
    pub scopes: Vec<String>,

    /// The token's prefix, so scanners and humans can tell tokens apart
    #[arg(long, value_name = "PREFIX", default_value = crate::token::DEFAULT_PREFIX)]
    pub prefix: String,

    /// What the token is for
    #[arg(long, short, value_name = "TEXT")]
    pub description: Option<String>,

    /// Let verify succeed at most N times in all (exactly, under any concurrency); then it
    /// exits 14
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_uses: Option<u64>,

    /// Let verify succeed only from a client address in this block (IPv4 or IPv6, e.g.
    /// 10.0.0.0/8, 2001:db8::/32, 192.0.2.7); repeatable. verify then needs --client-ip
    /// inside one of them, else it exits 15
    #[arg(long = "allow-cidr", value_name = "CIDR", value_delimiter = ',')]
    pub allow_cidrs: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub filters: Filters,

    /// Order of the rows: created and last-used newest first, expires soonest first (never
    /// last), uses most first, name A to Z
    #[arg(long, value_enum, default_value_t = SortKey::Created)]
    pub sort: SortKey,

    /// Show at most N tokens (the first N in --sort order)
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,

    /// Leave out the header line
    #[arg(long)]
    pub no_headers: bool,

    /// Print only the ids, one a line (for xargs: list -q --status expired | xargs tokenctl delete --yes)
    #[arg(long, short, conflicts_with_all = ["json", "no_headers"])]
    pub quiet: bool,

    /// Never page the table, even when it is taller than the terminal
    #[arg(long)]
    pub no_pager: bool,
}

/// FILTERS: one grammar for list, revoke and delete; every filter given must hold.
#[derive(Debug, Args, Default)]
#[command(next_help_heading = "Filters")]
pub struct Filters {
    /// Only tokens with this status [default: all]
    #[arg(long, value_enum)]
    pub status: Option<StatusFilter>,

    /// Only tokens that expire within this span, e.g. 7d, 2w, 1mo
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true)]
    pub expiring_within: Option<String>,

    /// Only tokens not used within this span, e.g. 30d, 90d, 3mo (never used counts from
    /// creation)
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true)]
    pub unused_since: Option<String>,

    /// Only tokens whose name matches this glob: * any characters, ? one (case-sensitive;
    /// quote it from the shell: --name 'ci-*')
    #[arg(long = "name", value_name = "GLOB")]
    pub name_glob: Option<String>,

    /// Only tokens whose scopes cover this one, as verify --scope would judge (a token with
    /// deploy:* or * matches --scope deploy:run)
    #[arg(long = "scope", value_name = "SCOPE")]
    pub scope: Option<String>,

    /// Only tokens with this prefix, e.g. tkn
    #[arg(long = "prefix", value_name = "PREFIX")]
    pub prefix: Option<String>,
}

impl Filters {
    pub fn any(&self) -> bool {
        self.status.is_some()
            || self.expiring_within.is_some()
            || self.unused_since.is_some()
            || self.name_glob.is_some()
            || self.scope.is_some()
            || self.prefix.is_some()
    }
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
    /// Token id, id prefix (4+ characters), name, or the whole token (read for its id)
    #[arg(value_name = "REF")]
    pub reference: String,
}

#[derive(Debug, Args)]
pub struct RefsArgs {
    /// Token ids, id prefixes (4+ characters), names, or whole tokens (read for their ids)
    #[arg(value_name = "REF", required = true)]
    pub references: Vec<String>,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    /// Token id, id prefix (4+ characters), name, or whole token
    #[arg(value_name = "REF")]
    pub reference: String,

    /// A new unique name (a revoked token gives its name up this way)
    #[arg(long, short, value_name = "NAME")]
    pub name: Option<String>,

    /// A new description ("" removes it)
    #[arg(long, short, value_name = "TEXT")]
    pub description: Option<String>,

    /// Add a scope (lowercase resource:action); repeatable, or comma separated
    #[arg(long = "add-scope", value_name = "SCOPE", value_delimiter = ',')]
    pub add_scopes: Vec<String>,

    /// Remove a scope; repeatable, or comma separated
    #[arg(long = "remove-scope", value_name = "SCOPE", value_delimiter = ',')]
    pub remove_scopes: Vec<String>,

    /// New validity from now (same DURATION grammar as generate); never revives an
    /// expired token
    #[arg(
        long,
        value_name = "DURATION",
        group = "expiry",
        allow_hyphen_values = true
    )]
    pub expires: Option<String>,

    /// New expiry date: YYYY-MM-DD (00:00 UTC) or an RFC 3339 time, in the future
    #[arg(long, value_name = "DATE", group = "expiry")]
    pub expires_at: Option<String>,

    /// The token never expires
    #[arg(long, group = "expiry")]
    pub no_expiry: bool,

    /// At most N successful verifies in all (counting the uses so far)
    #[arg(long, value_name = "N", group = "limit")]
    pub max_uses: Option<u64>,

    /// Lift the use limit
    #[arg(long, group = "limit")]
    pub no_max_uses: bool,

    /// Only clients inside this CIDR (IPv4 or IPv6) verify; repeatable, replaces the list
    #[arg(long = "allow-cidr", value_name = "CIDR", group = "cidrs")]
    pub allow_cidrs: Vec<String>,

    /// Any client address verifies (removes the allow-list)
    #[arg(long, group = "cidrs")]
    pub any_address: bool,
}

#[derive(Debug, Args)]
pub struct RotateArgs {
    /// Token id, id prefix (4+ characters), name, or whole token
    #[arg(value_name = "REF")]
    pub reference: String,

    /// How long the old secret keeps verifying, never past its own expiry (e.g. 1h, 7d)
    /// [default: 0s, it stops now]
    #[arg(long, value_name = "DURATION")]
    pub grace: Option<String>,

    /// Validity of the new token (e.g. 3mo, 1y) [default: the old token's validity span]
    #[arg(long, value_name = "DURATION")]
    pub expires: Option<String>,
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// Token ids, id prefixes (4+ characters), names, or whole tokens (read for their ids);
    /// or FILTERS instead, to delete every revoked or expired match
    #[arg(value_name = "REF")]
    pub references: Vec<String>,

    #[command(flatten)]
    pub filters: Filters,

    /// Print what would be deleted and change nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Do not ask for confirmation (required without a terminal)
    #[arg(long, short)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// Token ids, id prefixes (4+ characters), names, or whole tokens (read for their ids);
    /// or FILTERS instead, to revoke every match not yet revoked
    #[arg(value_name = "REF")]
    pub references: Vec<String>,

    #[command(flatten)]
    pub filters: Filters,

    /// Print what would be revoked and change nothing
    #[arg(long)]
    pub dry_run: bool,

    /// With FILTERS: do not ask for confirmation (required without a terminal)
    #[arg(long, short)]
    pub yes: bool,

    /// Why: shown by show, log and --json
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,

    /// The secret leaked: the token can never be restored (also marks an already revoked one)
    #[arg(long)]
    pub compromised: bool,
}

pub const VERIFY_AFTER: &str = "\
The token is read from stdin (first line) or from the variable named by --token-env,
never from the command line, where every user of the machine could read it:
  printf '%s\\n' \"$API_TOKEN\" | tokenctl verify --scope deploy:run
  tokenctl verify --token-env API_TOKEN --scope deploy:run
`Bearer <token>` and `Authorization: Bearer <token>` are accepted too.

Exit codes of verify:
  0    valid, and has every --scope
  1    could not check (database missing, unreadable or foreign)
  2    usage error (bad flags, an unset or empty --token-env variable)
  10   malformed or unknown token (also: none given)
  11   expired
  12   revoked (also: rotated, past its grace window)
  13   lacks a required --scope
  14   use limit (--max-uses) reached
  15   --client-ip not in its --allow-cidr list (or not given)
  130  cancelled at the hidden token prompt";

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A scope the token must cover (lowercase resource:action); repeatable, or comma
    /// separated (--scope a:b,c:d)
    #[arg(long = "scope", short, value_name = "SCOPE", value_delimiter = ',')]
    pub scopes: Vec<String>,

    /// Read the token from this environment variable instead of stdin
    #[arg(long, value_name = "VAR")]
    pub token_env: Option<String>,

    /// Where the token is used from, recorded with its use [default: the host name]
    #[arg(long, value_name = "LABEL")]
    pub source: Option<String>,

    /// The address the token is presented from (IPv4 or IPv6), checked against the
    /// token's --allow-cidr list; a token with such a list needs it
    #[arg(long, value_name = "IP")]
    pub client_ip: Option<String>,

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
    /// Only this token's history (id, id prefix, name or whole token; deleted tokens too)
    #[arg(value_name = "REF")]
    pub reference: Option<String>,

    /// Only events within this span, e.g. 7d, 12h, 30min
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true)]
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
