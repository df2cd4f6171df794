//! The JSON shapes scripts rely on: SPEC.md's token object and the verify outcome.
//! Keys are a contract: add, never rename or remove.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use crate::store::TokenRecord;
use crate::time::{Timestamp, rfc3339};

#[derive(Serialize)]
pub struct TokenJson<'a> {
    pub id: &'a str,
    #[serde(serialize_with = "crate::render::redact::json_str")]
    pub name: &'a str,
    pub prefix: &'a str,
    #[serde(serialize_with = "crate::render::redact::json_opt")]
    pub description: Option<&'a str>,
    pub status: &'static str,
    #[serde(serialize_with = "crate::render::redact::json_all")]
    pub scopes: &'a [String],
    pub created_at: String,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
    #[serde(serialize_with = "crate::render::redact::json_opt")]
    pub revoke_reason: Option<&'a str>,
    pub compromised: bool,
    pub last_used_at: Option<String>,
    #[serde(serialize_with = "crate::render::redact::json_opt")]
    pub last_used_source: Option<&'a str>,
    pub usage_count: u64,
    pub failed_count: u64,
    pub last_failed_at: Option<String>,
    pub max_uses: Option<u64>,
    pub remaining_uses: Option<u64>,
    /// null: any address (an empty list would read as "none").
    pub allowed_cidrs: Option<&'a [String]>,
    pub rotated_from: Option<&'a str>,
    pub rotated_to: Option<&'a str>,
    /// When a rotated token stops verifying (the end of its grace window).
    pub grace_ends_at: Option<String>,
    /// Only `generate --json` fills this, once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<&'a str>,
}

/// A token after revoke or restore (`changed`: whether this run changed it) or delete
/// (`deleted`, always true).
#[derive(Serialize)]
pub struct Changed<'a> {
    #[serde(flatten)]
    pub token: TokenJson<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted: Option<bool>,
}

pub fn token<'a>(t: &'a TokenRecord, now: Timestamp) -> TokenJson<'a> {
    TokenJson {
        id: &t.id,
        name: &t.name,
        prefix: &t.prefix,
        description: t.description.as_deref(),
        status: t.status(now).as_str(),
        scopes: &t.scopes,
        created_at: rfc3339(t.created_at),
        expires_at: t.expires_at.map(rfc3339),
        // A rotated token past its grace reads as revoked, so it says since when.
        revoked_at: t.revoked_since(now).map(rfc3339),
        revoke_reason: t.revoke_reason.as_deref(),
        compromised: t.compromised,
        last_used_at: t.last_used_at.map(rfc3339),
        last_used_source: t.last_used_source.as_deref(),
        usage_count: t.usage_count,
        failed_count: t.failed_count,
        last_failed_at: t.last_failed_at.map(rfc3339),
        max_uses: t.max_uses,
        remaining_uses: t.remaining_uses(),
        allowed_cidrs: (!t.allowed_cidrs.is_empty()).then_some(t.allowed_cidrs.as_slice()),
        rotated_from: t.rotated_from.as_deref(),
        rotated_to: t.rotated_to.as_deref(),
        grace_ends_at: t.grace_ends_at.map(rfc3339),
        token: None,
    }
}

/// Writes one pretty JSON document and a newline.
pub fn write(out: &mut dyn Write, value: &impl Serialize) -> Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)?;
    Ok(())
}

/// Writes a JSON array one element per line as the elements arrive, so `list --json` of a
/// large database streams instead of building the whole document first.
pub struct ArrayWriter<'w> {
    out: &'w mut dyn Write,
    first: bool,
}

impl<'w> ArrayWriter<'w> {
    pub fn new(out: &'w mut dyn Write) -> Result<Self> {
        out.write_all(b"[")?;
        Ok(ArrayWriter { out, first: true })
    }

    pub fn push(&mut self, value: &impl Serialize) -> Result<()> {
        self.out
            .write_all(if self.first { b"\n" } else { b",\n" })?;
        self.first = false;
        serde_json::to_writer(&mut *self.out, value)?;
        Ok(())
    }

    pub fn finish(self) -> Result<()> {
        self.out
            .write_all(if self.first { b"]\n" } else { b"\n]\n" })?;
        Ok(())
    }
}

/// `init --json`: where the database is, and what this run did.
#[derive(Serialize)]
pub struct Initialized<'a> {
    pub path: &'a str,
    pub created: bool,
    pub shared: bool,
}
