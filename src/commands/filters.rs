//! FILTERS, the one filter grammar of list, revoke and delete: from flags to a store
//! query, and back to the words the user typed for messages.

use anyhow::Result;

use crate::cli::{Filters, StatusFilter};
use crate::ctx::Ctx;
use crate::exit::usage;
use crate::render;
use crate::scope::Scope;
use crate::store::{ListQuery, TokenStatus};
use crate::time::{ago, parse_span};

/// The store query the filters mean, spans counted from the run's clock.
pub fn query(ctx: &Ctx, f: &Filters) -> Result<ListQuery> {
    if let Some(name) = &f.name_glob {
        super::refuse_secret("--name", name)?;
    }
    let scope = f
        .scope
        .as_deref()
        .map(Scope::parse)
        .transpose()
        .map_err(usage)?;
    Ok(ListQuery {
        status: match f.status {
            Some(StatusFilter::Active) => Some(TokenStatus::Active),
            Some(StatusFilter::Revoked) => Some(TokenStatus::Revoked),
            Some(StatusFilter::Expired) => Some(TokenStatus::Expired),
            Some(StatusFilter::All) | None => None,
        },
        expiring_before: f
            .expiring_within
            .as_deref()
            .map(|spec| parse_span(spec, ctx.now).map(|span| ctx.now + span))
            .transpose()
            .map_err(usage)?,
        unused_before: f
            .unused_since
            .as_deref()
            .map(|spec| ago(spec, ctx.now))
            .transpose()
            .map_err(usage)?,
        name_glob: f.name_glob.clone(),
        scope,
        prefix: f.prefix.clone(),
        sort: None,
    })
}

/// The filters as typed ("--status revoked --name 'ci-*'"), or None when none was given.
pub fn text(f: &Filters) -> Option<String> {
    let mut parts = Vec::new();
    match f.status {
        None | Some(StatusFilter::All) => {}
        Some(StatusFilter::Active) => parts.push("--status active".to_owned()),
        Some(StatusFilter::Revoked) => parts.push("--status revoked".to_owned()),
        Some(StatusFilter::Expired) => parts.push("--status expired".to_owned()),
    }
    let mut flag = |name: &str, value: &Option<String>| {
        if let Some(v) = value {
            parts.push(format!("{name} {}", render::escape(v)));
        }
    };
    flag("--expiring-within", &f.expiring_within);
    flag("--unused-since", &f.unused_since);
    flag("--name", &f.name_glob);
    flag("--scope", &f.scope);
    flag("--prefix", &f.prefix);
    (!parts.is_empty()).then(|| parts.join(" "))
}
