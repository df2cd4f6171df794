//! `scan`: tokens in files, stdin or git history, each looked up in the database (read
//! only, never created), live ones revoked on request; exit 20 while a live one is out.

use std::collections::HashMap;
use std::io::Write;

use anyhow::{Result, bail};

use crate::cli::{ScanArgs, ScanFormat};
use crate::ctx::Ctx;
use crate::exit::{Status, is_broken_pipe, usage};
use crate::render::{self, scan::Report};
use crate::scan::{self, Finding, Standing};
use crate::store::{Access, Store};

pub fn run(ctx: &Ctx, args: &ScanArgs, out: &mut dyn Write) -> Result<Status> {
    let format = match (args.format, ctx.json) {
        (Some(ScanFormat::Sarif), true) => {
            return Err(usage("--json and --format sarif: pick one"));
        }
        (Some(format), _) => format,
        (None, true) => ScanFormat::Json,
        (None, false) => ScanFormat::Human,
    };
    let writes = args.revoke && !args.dry_run;
    // The render layer names the database like a path; a server's URL is shown redacted.
    let db_name = match ctx.db.path() {
        Some(path) => path.to_path_buf(),
        None => std::path::PathBuf::from(ctx.db.to_string()),
    };
    if writes && !ctx.db.exists() {
        bail!(
            "no database at {}: --revoke needs the database that issued the tokens; pass --db PATH",
            db_name.display()
        );
    }
    if args.git && args.paths.iter().any(|p| p.as_os_str() == "-") {
        return Err(usage("--git reads repositories, not stdin: drop the '-'"));
    }
    let scanned = scan::gather(&args.paths, args.git, !args.no_ignore)?;
    for error in &scanned.errors {
        // A file name can hold a token too.
        let error = crate::token::redact(error);
        render::warn(&format!("skipped {error}"), ctx.color_stderr);
    }
    // Nothing found, nothing to ask: a clean scan needs no database at all.
    let mut store = match scanned.findings.is_empty() || !ctx.db.exists() {
        true => None,
        false => {
            let access = if writes {
                Access::ReadWrite
            } else {
                Access::ReadOnly
            };
            Some(Store::open(&ctx.db, access)?)
        }
    };
    let standings = match &store {
        Some(store) => look_up(store, &scanned.findings, ctx)?,
        None => vec![Standing::Unchecked; scanned.findings.len()],
    };
    let mut revocations = Vec::new();
    if args.revoke {
        revocations = scan::plan(&standings);
        if let (Some(store), true) = (store.as_mut(), writes) {
            let details: Vec<String> = revocations
                .iter()
                .map(|r| render::scan::revoke_detail(&scanned.findings[r.first], r.places))
                .collect();
            let leaked: Vec<(&str, _, &str)> = revocations
                .iter()
                .zip(&details)
                .map(|(r, d)| {
                    (
                        r.token.id.as_str(),
                        scanned.findings[r.first].hit.hash,
                        d.as_str(),
                    )
                })
                .collect();
            let changed = store.revoke_leaked(&leaked, ctx.clock(), &super::actor())?;
            for (r, changed) in revocations.iter_mut().zip(changed) {
                r.changed = changed;
            }
        }
    }
    let report = Report {
        findings: &scanned.findings,
        standings: &standings,
        database: store.is_some().then_some(db_name.as_path()),
        revocations: &revocations,
        dry_run: args.dry_run,
        files: scanned.files,
        binary: scanned.binary,
        commits: scanned.commits,
        now: ctx.now,
    };
    let written = match format {
        ScanFormat::Human => render::scan::human(out, &report, ctx.stdout_is_tty, ctx.color_stdout),
        ScanFormat::Json => render::scan::json(out, &report),
        ScanFormat::Sarif => render::scan::sarif(out, &report),
    };
    // The findings first, then the summary under them on stderr. `scan | head` must not
    // turn a leak into exit 0: the status is the answer.
    match written.and_then(|()| Ok(out.flush()?)) {
        Err(err) if !is_broken_pipe(&err) => return Err(err),
        _ => {}
    }
    render::scan::unchecked_warning(&report, &db_name, ctx.color_stderr);
    render::scan::revocations(&report, args.revoke);
    if format == ScanFormat::Human {
        render::scan::summary(&report, ctx.color_stderr);
    }
    Ok(if standings.iter().any(Standing::blocks) {
        Status::Leaked
    } else if !scanned.errors.is_empty() {
        Status::Failure
    } else {
        Status::Success
    })
}

/// Each distinct token asked once, all in one read snapshot.
fn look_up(store: &Store, findings: &[Finding], ctx: &Ctx) -> Result<Vec<Standing>> {
    let _snapshot = store.snapshot()?;
    let mut known: HashMap<(&str, [u8; 32]), Standing> = HashMap::new();
    let mut out = Vec::with_capacity(findings.len());
    for f in findings {
        let key = (f.hit.id.as_str(), *f.hit.hash.as_bytes());
        if let Some(standing) = known.get(&key) {
            out.push(standing.clone());
            continue;
        }
        let standing = match store.get(&f.hit.id)? {
            Some(t) if t.hash.is_some_and(|h| h.matches(&f.hit.hash)) => {
                let status = t.status(ctx.now);
                Standing::Known(Box::new(t), status)
            }
            // Same id, another secret: not a token this database issued.
            Some(_) => Standing::Unknown,
            None => match store.events(Some(&f.hit.id), None)?.pop() {
                Some(last) => Standing::Deleted {
                    name: last.token_name,
                },
                None => Standing::Unknown,
            },
        };
        known.insert(key, standing.clone());
        out.push(standing);
    }
    Ok(out)
}
