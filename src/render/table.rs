//! The `list` table: comfy-table with borders and colours at a terminal, plain aligned
//! columns for pipes. Every cell that comes from the database is escaped.

use std::io::Write;

use anyhow::Result;
use comfy_table::presets::{NOTHING, UTF8_FULL_CONDENSED};
use comfy_table::{Attribute, Cell, CellAlignment, Color, ContentArrangement, Table};

use crate::store::{ListCounts, TokenRecord, TokenStatus};
use crate::time::{Timestamp, relative};
use crate::token::hint;

use super::escape;

/// Tokens that expire this soon are flagged in `list` and warned about by `verify`.
pub const EXPIRY_WARNING_DAYS: i64 = 7;

pub struct Layout {
    /// Draw for a terminal (borders, wrapping to its width) rather than a pipe.
    pub tty: bool,
    pub color: bool,
}

pub fn list(
    out: &mut dyn Write,
    tokens: &[TokenRecord],
    now: Timestamp,
    layout: &Layout,
) -> Result<()> {
    let any_failures = tokens.iter().any(|t| t.failed_count > 0);
    let mut table = Table::new();
    if layout.tty {
        table
            .load_preset(UTF8_FULL_CONDENSED)
            .apply_modifier(comfy_table::modifiers::UTF8_ROUND_CORNERS)
            .set_content_arrangement(ContentArrangement::Dynamic);
    } else {
        table.load_preset(NOTHING).force_no_tty();
    }
    if layout.color {
        table.enforce_styling();
    }
    let mut header = vec![
        "ID",
        "NAME",
        "STATUS",
        "SCOPES",
        "CREATED",
        "EXPIRES",
        "USES",
        "LAST USED",
    ];
    if any_failures {
        header.push("FAILED");
    }
    table.set_header(header.into_iter().map(|h| {
        let cell = Cell::new(h);
        if layout.color {
            cell.add_attribute(Attribute::Bold)
        } else {
            cell
        }
    }));
    for t in tokens {
        let status = t.status(now);
        let mut status_cell = Cell::new(status.as_str());
        let mut expires_cell = Cell::new(expires(t, now, status));
        if layout.color {
            status_cell = status_cell.fg(match status {
                TokenStatus::Active => Color::Green,
                TokenStatus::Revoked => Color::Yellow,
                TokenStatus::Expired => Color::Red,
            });
            if expires_soon(t, now, status) {
                expires_cell = expires_cell.fg(Color::Yellow);
            }
        }
        let scopes = if t.scopes.is_empty() {
            "-".to_owned()
        } else {
            escape(&t.scopes.join(",")).into_owned()
        };
        let mut row = vec![
            Cell::new(hint(&escape(&t.prefix), &escape(&t.id))),
            Cell::new(escape(&t.name)),
            status_cell,
            Cell::new(scopes),
            Cell::new(relative(now, t.created_at)),
            expires_cell,
            Cell::new(t.usage_count).set_alignment(CellAlignment::Right),
            Cell::new(
                t.last_used_at
                    .map_or_else(|| "never".to_owned(), |at| relative(now, at)),
            ),
        ];
        if any_failures {
            let failed = Cell::new(t.failed_count).set_alignment(CellAlignment::Right);
            row.push(if layout.color && t.failed_count > 0 {
                failed.fg(Color::Red)
            } else {
                failed
            });
        }
        table.add_row(row);
    }
    if !layout.tty {
        // Plain output is for `grep`/`awk`: no leading pad, two spaces between columns.
        for column in table.column_iter_mut() {
            column.set_padding((0, 2));
        }
    }
    for line in table.lines() {
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// The footer: how many tokens are shown, and how many a filter hid.
pub fn footer(counts: ListCounts) -> String {
    let noun = if counts.shown == 1 { "token" } else { "tokens" };
    let hidden = counts.total.saturating_sub(counts.shown);
    if hidden > 0 {
        format!(
            "{} {noun} shown, {hidden} hidden by the filter",
            counts.shown
        )
    } else {
        format!("{} {noun}", counts.shown)
    }
}

fn expires(t: &TokenRecord, now: Timestamp, status: TokenStatus) -> String {
    match t.expires_at {
        None => "never".to_owned(),
        Some(at) if expires_soon(t, now, status) => format!("{} !", relative(now, at)),
        Some(at) => relative(now, at),
    }
}

pub fn expires_soon(t: &TokenRecord, now: Timestamp, status: TokenStatus) -> bool {
    status == TokenStatus::Active
        && t.expires_at
            .is_some_and(|at| at - now <= chrono::Duration::days(EXPIRY_WARNING_DAYS))
}
