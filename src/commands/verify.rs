//! `verify`: is this presented token valid, with these scopes? Answers with an exit code
//! (0, 10-15), records the use or the failed attempt, and never prints the secret.

use std::io::{BufRead, Read, Write};
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::cli::VerifyArgs;
use crate::ctx::Ctx;
use crate::exit::{Status, usage};
use crate::prompt;
use crate::render::{self, escape, json, table::expires_soon};
use crate::scope::Scope;
use crate::store::{Access, Store, TokenRecord, TokenStatus};
use crate::time::Timestamp;
use crate::token::{self, Malformed, Presented};
use crate::verdict::{self, Code};

/// At most this much of stdin is read: a token is about 60 bytes, a header line a little more.
const MAX_INPUT: u64 = 4096;
const MAX_SOURCE: usize = 200;

/// The open (the connect included), and then the check, each end within this: a deploy
/// hook fails closed (exit 1) in bounded time on a server that accepts but stopped
/// answering, where each statement's own bound (30 s) could add up to minutes. A healthy
/// check takes milliseconds, one queued behind another host's lifecycle change seconds.
const VERIFY_LIMIT: Duration = Duration::from_secs(10);

pub fn run(ctx: &Ctx, args: &VerifyArgs, out: &mut dyn Write) -> Result<Status> {
    crate::ctx::forbid_core_dumps()?;
    if args.token_arg.is_some() {
        return Err(usage(
            "a token on the command line is visible to every user of this machine (ps, /proc): \
             pass it on stdin (printf '%s\\n' \"$TOKEN\" | tokenctl verify) or name a variable with --token-env VAR",
        ));
    }
    if args.token_env.as_deref().is_some_and(token::contains_token) {
        return Err(usage(
            "--token-env takes the name of the variable that holds the token (--token-env API_TOKEN), not the token itself \
             (revoke the token if others could see this command line)",
        ));
    }
    for scope in &args.scopes {
        super::refuse_secret("--scope", scope)?;
    }
    if let Some(source) = &args.source {
        super::refuse_secret("--source", source)?;
    }
    let asked = args
        .scopes
        .iter()
        .map(|s| Scope::parse(s))
        .collect::<Result<Vec<_>, _>>()
        .map_err(usage)?;
    if args
        .source
        .as_ref()
        .is_some_and(|s| s.chars().count() > MAX_SOURCE)
    {
        return Err(usage(format!(
            "--source is longer than {MAX_SOURCE} characters"
        )));
    }
    let client_ip = args
        .client_ip
        .as_deref()
        .map(crate::net::parse_ip)
        .transpose()
        .map_err(usage)?;

    // Opened before the token is read, so a wrong --db is exit 1 naming the path whatever
    // was presented, and the person at a terminal is not asked for a token in vain.
    let access = if args.no_record {
        Access::ReadOnly
    } else {
        Access::ReadWrite
    };
    let mut store = Store::open_within(&ctx.db, access, Instant::now() + VERIFY_LIMIT)?;
    let presented = match read_presented(ctx, args)? {
        Ok(presented) => presented,
        Err(why) => return finish(ctx, args, out, Code::Malformed, None, &[], &why, ctx.now),
    };
    let source = match (&args.source, args.no_record) {
        (_, true) => None,
        (Some(label), false) => Some(label.clone()),
        (None, false) => Some(gethostname::gethostname().to_string_lossy().into_owned()),
    };
    let request = verdict::Request {
        scopes: &asked,
        client_ip,
    };
    // Reading the token may have waited for a person: the check gets its own bound.
    store.set_deadline(Instant::now() + VERIFY_LIMIT)?;
    let mut now = ctx.now;
    let (code, token) = store.check(
        &presented.id,
        || ctx.clock(),
        source.as_deref(),
        |found, decided_at| {
            now = decided_at;
            verdict::judge(found, &presented, &request, decided_at)
        },
    )?;
    // A wrong secret learns nothing about the token it guessed at.
    let token = token.filter(|_| code != Code::Unknown);
    let missing = token
        .as_ref()
        .map(|t| verdict::missing(t, &asked))
        .unwrap_or_default();
    let reason = match token.as_ref() {
        Some(t) if code == Code::Valid => render::verdict::valid(t, &asked, now),
        _ => render::verdict::reason(code, token.as_ref(), &missing, client_ip, now),
    };
    if code == Code::Valid && !args.quiet {
        if let Some(t) = token
            .as_ref()
            .filter(|t| expires_soon(t, now, TokenStatus::Active))
        {
            render::warn(&render::verdict::expiry_warning(t, now), ctx.color_stderr);
        }
    }
    finish(ctx, args, out, code, token.as_ref(), &missing, &reason, now)
}

// The verdict's parts as verify holds them; bundling them would only move the list.
#[allow(clippy::too_many_arguments)]
fn finish(
    ctx: &Ctx,
    args: &VerifyArgs,
    out: &mut dyn Write,
    code: Code,
    token: Option<&TokenRecord>,
    missing: &[&Scope],
    reason: &str,
    now: Timestamp,
) -> Result<Status> {
    if ctx.json {
        let doc = render::verdict::outcome(code, token, missing, now);
        // A reader that went away must not turn the verdict into a success or a failure
        // to run: the exit code is the answer.
        if let Err(err) = json::write(out, &doc) {
            if !crate::exit::is_broken_pipe(&err) {
                return Err(err);
            }
        }
    }
    if code == Code::Valid {
        if args.verbose {
            render::note(reason);
        }
    } else if !args.quiet {
        render::note(&format!("denied: {reason}"));
    }
    Ok(code.status())
}

/// Reads the token from `--token-env`, a hidden prompt at a terminal, or the first line of
/// at most 4 KiB of stdin. The outer error is an I/O failure; the inner one says why the
/// presented token is malformed.
fn read_presented(ctx: &Ctx, args: &VerifyArgs) -> Result<Result<Presented, String>> {
    let why = |m: Malformed| m.to_string();
    if let Some(var) = &args.token_env {
        // A misconfigured hook or CI job, not a bad token: a usage error naming the variable.
        let Some(value) = std::env::var_os(var) else {
            return Err(usage(format!(
                "--token-env {0}: the variable {0} is not set: export it, or pass the token on stdin",
                escape(var)
            )));
        };
        if value.is_empty() {
            return Err(usage(format!(
                "--token-env {0}: the variable {0} is empty: is the secret that should fill it defined?",
                escape(var)
            )));
        }
        return Ok(value
            .to_str()
            .map_or(Err(Malformed::Shape), token::parse)
            .map_err(why));
    }
    if ctx.interactive() {
        return Ok(token::parse(&prompt::secret()?).map_err(why));
    }
    if ctx.stdin_is_tty {
        // Reading a terminal without a prompt would echo the secret as it is typed.
        return Err(usage(
            "no token on stdin: pipe it (printf '%s\\n' \"$TOKEN\" | tokenctl verify) or use --token-env VAR",
        ));
    }
    // Up to the first newline only: a caller that writes one line and keeps the pipe open
    // (a coprocess waiting for the answer) must not hang us.
    let mut input = Vec::with_capacity(128);
    std::io::stdin()
        .lock()
        .take(MAX_INPUT)
        .read_until(b'\n', &mut input)?;
    let line = input.strip_suffix(b"\n").unwrap_or(&input);
    Ok(std::str::from_utf8(line)
        .map_or(Err(Malformed::Shape), token::parse)
        .map_err(why))
}
