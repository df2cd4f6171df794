//! `generate`: validate everything, insert the hash in one durable transaction, and only
//! then print the secret: alone on stdout, with the human summary on stderr.

use std::io::Write;

use anyhow::{Result, bail};

use crate::cli::GenerateArgs;
use crate::ctx::Ctx;
use crate::exit::{Status, usage};
use crate::prompt;
use crate::render::{self, escape, json, messages};
use crate::scope::Scope;
use crate::store::{Access, Inserted, ListQuery, NewToken, Store};
use crate::time::{Timestamp, expires_after, parse_date};
use crate::token::{self, Prefix, Secret, TokenId};

const DEFAULT_VALIDITY_DAYS: i64 = 30;
const MAX_NAME: usize = 100;
const MAX_DESCRIPTION: usize = 1000;

pub fn run(ctx: &Ctx, args: &GenerateArgs, out: &mut dyn Write) -> Result<Status> {
    crate::ctx::forbid_core_dumps()?;
    for (what, value) in [("--name", &args.name), ("--description", &args.description)] {
        if let Some(value) = value {
            super::refuse_secret(what, value)?;
        }
    }
    for scope in &args.scopes {
        super::refuse_secret("--scope", scope)?;
    }
    super::refuse_secret("--prefix", &args.prefix)?;
    let prefix = Prefix::parse(&args.prefix).map_err(usage)?;
    let mut scopes = args
        .scopes
        .iter()
        .map(|s| Scope::parse(s).map(|s| s.as_str().to_owned()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(usage)?;
    scopes.sort();
    scopes.dedup();
    let cidrs = parse_cidrs(&args.allow_cidrs)?;
    if let Some(text) = &args.description {
        if text.chars().count() > MAX_DESCRIPTION {
            return Err(usage(format!(
                "--description is longer than {MAX_DESCRIPTION} characters"
            )));
        }
    }
    let name = match &args.name {
        Some(name) => {
            check_name(name).map_err(usage)?;
            name.clone()
        }
        None if ctx.interactive() => {
            // Catch a taken name while the person is still at the prompt; the insert
            // checks again, in its transaction.
            let existing = open_existing(ctx)?;
            // What is typed at the prompt is trimmed: spaces around a name are never meant.
            let typed = prompt::name(|name| {
                let name = name.trim();
                check_name(name)?;
                match existing.as_ref().map(|store| store.resolve(name)) {
                    Some(Ok(token)) if token.name == name => Err(format!(
                        "a token named '{}' already exists: choose another name",
                        escape(name)
                    )),
                    _ => Ok(()),
                }
            })?;
            typed.trim().to_owned()
        }
        None => {
            return Err(usage(
                "--name is required when not at a terminal: tokenctl generate --name NAME",
            ));
        }
    };
    // A person being asked for the name or the validity is asked for scopes too: a
    // token made without any passes only verifies that ask for none.
    let ask_scopes = ctx.interactive()
        && args.scopes.is_empty()
        && (args.name.is_none()
            || !(args.no_expiry || args.expires.is_some() || args.expires_at.is_some()));
    let expiry = expiry(ctx, args)?;
    if ask_scopes {
        scopes = ask_for_scopes(ctx)?;
    }
    let now = ctx.clock();
    let expires_at = match expiry {
        Expiry::Never => None,
        Expiry::At(at) => Some(at),
        Expiry::After(spec) => Some(expires_after(&spec, now).map_err(usage)?),
    };

    let mut store = Store::open(&ctx.db, Access::Create)?;
    let existed = !store.created();
    // A fresh id colliding with an existing one is astronomically rare; retry anyway.
    let mut attempts = 0;
    let (id, secret) = loop {
        attempts += 1;
        let (id, secret) = token::make(&prefix)?;
        let new = NewToken {
            id: &id,
            name: &name,
            prefix: prefix.as_str(),
            hash: secret.hash(),
            description: args.description.as_deref(),
            scopes: &scopes,
            expires_at,
            max_uses: args.max_uses,
            allowed_cidrs: &cidrs,
        };
        match store.insert(&new, || ctx.clock(), &super::actor())? {
            Inserted::Ok => break (id, secret),
            Inserted::IdTaken if attempts < 5 => continue,
            Inserted::IdTaken => bail!("could not find a free token id; try again"),
            Inserted::NameTaken(existing) => bail!(
                "a token named '{}' already exists ({}, {}): choose another --name, or revoke and delete that one first",
                escape(&name),
                existing.id,
                existing.status(now).as_str()
            ),
        }
    };

    // The row is committed with synchronous=FULL: only now may the secret be shown.
    if let Err(err) = print_secret(ctx, &store, &id, &secret, out) {
        // Nobody received the secret (`generate | false`): a token nobody holds must not
        // stay valid. Not reported as a quiet broken pipe: this run failed.
        let revoked = match store.revoke(
            &[id.as_str()],
            &crate::store::Revocation::default(),
            || ctx.clock(),
            &super::actor(),
        ) {
            Ok(_) => "was revoked".to_owned(),
            // Both failures matter: say that a token nobody holds is still active.
            Err(revoke) => format!("is STILL ACTIVE, revoking it failed ({revoke:#}): revoke it"),
        };
        bail!(
            "could not print the secret ({err:#}): token '{}' ({id}) {revoked}; generate another",
            escape(&name)
        );
    }
    if !existed {
        // Once, the first time: otherwise nobody learns where the tokens live.
        render::note(&messages::created_database(&ctx.db));
    }
    if ctx.json {
        return Ok(Status::Success);
    }
    render::note(&messages::generated(&name, id.as_str(), expires_at, now));
    Ok(Status::Success)
}

pub(super) fn print_secret(
    ctx: &Ctx,
    store: &Store,
    id: &TokenId,
    secret: &Secret,
    out: &mut dyn Write,
) -> Result<()> {
    refuse_lost_stdout()?;
    if ctx.json {
        let Some(record) = store.get(id.as_str())? else {
            bail!("token {id} vanished right after it was created; was the database replaced?");
        };
        let mut doc = json::token(&record, ctx.now);
        doc.token = Some(secret.expose());
        json::write(out, &doc)?;
    } else {
        writeln!(out, "{}", secret.expose())?;
    }
    out.flush()?;
    Ok(())
}

/// The database as it is, to look at before the insert creates it: `None` when there is
/// none yet (no file; on a server, which always "exists", no schema).
fn open_existing(ctx: &Ctx) -> Result<Option<Store>> {
    if !ctx.db.exists() {
        return Ok(None);
    }
    match Store::open(&ctx.db, Access::ReadOnly) {
        Ok(store) => Ok(Some(store)),
        Err(e) if crate::error::kind_of(&e) == Some(crate::error::Kind::Missing) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The scopes asked for at a terminal, the ones already in use offered first.
fn ask_for_scopes(ctx: &Ctx) -> Result<Vec<String>> {
    let mut known = Vec::new();
    if let Some(store) = open_existing(ctx)? {
        store.list(&ListQuery::default(), ctx.now, |token| {
            known.extend(token.scopes);
            Ok(())
        })?;
    }
    known.sort();
    known.dedup();
    let answer = prompt::scopes(&known, |s| {
        super::refuse_secret("a scope", s).map_err(|e| e.to_string())?;
        Scope::parse(s).map(|_| ())
    })?;
    let mut scopes = answer
        .iter()
        .map(|s| Scope::parse(s).map(|s| s.as_str().to_owned()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(usage)?;
    scopes.sort();
    scopes.dedup();
    Ok(scopes)
}

/// A closed stdout (`generate >&-`) reaches us as /dev/null, opened read-write by the Rust
/// runtime in its place, and a redirect to /dev/null drops the secret just the same:
/// either way writing "succeeds" and nobody receives it. Recognised by identity (the very
/// file /dev/null names) or as the null device itself.
pub(super) fn refuse_lost_stdout() -> Result<()> {
    use nix::sys::stat::{SFlag, fstat, stat};
    let char_device = |mode: u32| SFlag::from_bits_truncate(mode) & SFlag::S_IFMT == SFlag::S_IFCHR;
    if let (Ok(stdout), Ok(null)) = (fstat(std::io::stdout()), stat("/dev/null")) {
        let same_file = (stdout.st_dev, stdout.st_ino) == (null.st_dev, null.st_ino);
        let null_device = char_device(stdout.st_mode)
            && char_device(null.st_mode)
            && stdout.st_rdev == null.st_rdev;
        if same_file || null_device {
            bail!("stdout is closed or /dev/null, so nobody would receive the secret");
        }
    }
    Ok(())
}

pub(super) fn check_name(name: &str) -> Result<(), String> {
    if token::contains_token(name) {
        return Err(
            "that name holds a token secret: choose a plain name such as github-ci".to_owned(),
        );
    }
    if name.trim().is_empty() {
        return Err("the token name is empty: give a name such as github-ci".to_owned());
    }
    if name.chars().count() > MAX_NAME {
        return Err(format!(
            "the token name is longer than {MAX_NAME} characters"
        ));
    }
    // A tab, a newline or an escape code makes two names that look the same, or a name
    // that repaints the terminal in someone else's list.
    if name.chars().any(char::is_control) {
        return Err(
            "the token name has a control character (tab, newline, escape): use letters, digits, spaces and punctuation".to_owned(),
        );
    }
    // " padded " and "padded" would coexist and look identical in every table.
    if name.trim() != name {
        return Err(format!(
            "the token name has spaces around it: did you mean '{}'?",
            escape(name.trim())
        ));
    }
    Ok(())
}

/// When the token expires, as the user put it; a duration is measured from the moment
/// the token is made (after any prompt), not from when the command started.
enum Expiry {
    Never,
    At(Timestamp),
    After(String),
}

fn expiry(ctx: &Ctx, args: &GenerateArgs) -> Result<Expiry> {
    if args.no_expiry {
        return Ok(Expiry::Never);
    }
    if let Some(spec) = &args.expires {
        // Checked now, so a bad value is a usage error before anything is asked.
        expires_after(spec, ctx.now).map_err(usage)?;
        return Ok(Expiry::After(spec.clone()));
    }
    if let Some(date) = &args.expires_at {
        return parse_date(date, ctx.now).map(Expiry::At).map_err(usage);
    }
    if ctx.interactive() {
        return Ok(prompt::validity(ctx.now)?.map_or(Expiry::Never, Expiry::After));
    }
    Ok(Expiry::After(format!("{DEFAULT_VALIDITY_DAYS}d")))
}

/// `--allow-cidr` values as canonical blocks, sorted and without repeats, so `show` and
/// the store hold one spelling of each.
pub(crate) fn parse_cidrs(given: &[String]) -> Result<Vec<String>> {
    let mut blocks = given
        .iter()
        .map(|c| crate::net::Cidr::parse(c).map_err(usage))
        .collect::<Result<Vec<_>>>()?;
    blocks.sort_by_key(|b| (b.to_string().contains(':'), b.to_string()));
    blocks.dedup();
    Ok(blocks.iter().map(ToString::to_string).collect())
}
