//! The `list` table: comfy-table fitted to the terminal's width at a terminal, plain aligned
//! columns for pipes. Every cell that comes from the database is escaped.

use std::io::Write;

use anyhow::Result;
use comfy_table::presets::NOTHING;
use comfy_table::{
    Attribute, Cell, CellAlignment, Color, ColumnConstraint, ContentArrangement, Table,
};

use crate::store::{ListCounts, TokenRecord, TokenStatus};
use crate::time::{Timestamp, relative};
use crate::token::hint;

use super::escape;

/// Tokens that expire this soon are flagged in `list` and warned about by `verify`;
/// failed attempts this recent are called out under the table.
pub const EXPIRY_WARNING_DAYS: i64 = 7;

/// The marker after an expiry that is near, explained in the footer.
const SOON: &str = "!";

/// A header line and nothing else: vertical rules cost three columns each, which an
/// 80-column terminal cannot spare; the two-space gaps below separate columns instead.
const TERMINAL_PRESET: &str = "     ─             ";

pub struct Layout {
    /// Draw for a terminal (header rule, fitted to `width`) rather than a pipe.
    pub tty: bool,
    pub color: bool,
    /// The terminal's width in columns, when known.
    pub width: Option<u16>,
}

/// The width to fit the table in: `COLUMNS` when set (as `ls` does, and how a script or
/// a test asks for a width), else the terminal's.
pub fn terminal_width() -> Option<u16> {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<u16>().ok())
        .filter(|&c| c >= 20)
        .or_else(|| console::Term::stdout().size_checked().map(|(_, cols)| cols))
}

#[derive(Clone, Copy, PartialEq)]
enum Col {
    Id,
    Name,
    Status,
    Scopes,
    Created,
    Expires,
    Uses,
    LastUsed,
    Failed,
}

impl Col {
    fn header(self) -> &'static str {
        match self {
            Col::Id => "ID",
            Col::Name => "NAME",
            Col::Status => "STATUS",
            Col::Scopes => "SCOPES",
            Col::Created => "CREATED",
            Col::Expires => "EXPIRES",
            Col::Uses => "USES",
            Col::LastUsed => "LAST USED",
            Col::Failed => "FAILED",
        }
    }

    fn numeric(self) -> bool {
        matches!(self, Col::Uses | Col::Failed)
    }

    /// Only free text may wrap; a time or a count broken over two lines reads wrong.
    fn wraps(self) -> bool {
        matches!(self, Col::Name | Col::Scopes)
    }
}

/// How the table gives way on a narrow terminal, tried in order until it fits without
/// squeezing NAME and SCOPES below `MIN_FREE_TEXT` columns each: first the `prefix_..._...`
/// decoration of the ID goes (the bare id still addresses the token), then CREATED (the
/// least actionable column), then NAME and SCOPES wrap.
const MIN_FREE_TEXT: usize = 14;

/// What `list` gave up to fit the terminal.
#[derive(Clone, Copy)]
struct Shape {
    /// `tkn_4k2x9q7m1z_...` rather than the bare id.
    full_ids: bool,
    /// One scope per line instead of a comma-separated list.
    stacked_scopes: bool,
}

pub fn list(
    out: &mut dyn Write,
    tokens: &[TokenRecord],
    now: Timestamp,
    layout: &Layout,
) -> Result<()> {
    let any_failures = tokens.iter().any(|t| t.failed_count > 0);
    let mut columns = vec![
        Col::Id,
        Col::Name,
        Col::Status,
        Col::Scopes,
        Col::Created,
        Col::Expires,
        Col::Uses,
        Col::LastUsed,
    ];
    if any_failures {
        columns.push(Col::Failed);
    }
    if !layout.tty {
        return plain(out, tokens, now, &columns, layout.color);
    }
    let width = layout.width.map(usize::from);
    let mut shape = Shape {
        full_ids: true,
        stacked_scopes: false,
    };
    if let Some(width) = width {
        let fits = |columns: &[Col], shape: Shape| {
            let table = build(tokens, now, layout, columns, shape);
            fixed_width(&table, columns) + 2 * MIN_FREE_TEXT <= width
                || natural_width(&table) <= width
        };
        if !fits(&columns, shape) {
            shape.full_ids = false;
            if !fits(&columns, shape) {
                columns.retain(|&c| c != Col::Created);
            }
        }
        let table = build(tokens, now, layout, &columns, shape);
        // Rows will wrap anyway: then one scope per line reads better than a list cut
        // wherever the column ends.
        shape.stacked_scopes = natural_width(&table) > width;
    }
    let mut table = build(tokens, now, layout, &columns, shape);
    if let Some(width) = width {
        table.set_width(u16::try_from(width).unwrap_or(u16::MAX));
    }
    for line in table.lines() {
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

fn build(
    tokens: &[TokenRecord],
    now: Timestamp,
    layout: &Layout,
    columns: &[Col],
    shape: Shape,
) -> Table {
    let mut table = Table::new();
    if layout.tty {
        table
            .load_preset(TERMINAL_PRESET)
            .set_content_arrangement(ContentArrangement::Dynamic);
    } else {
        table.load_preset(NOTHING);
    }
    // comfy-table is told, never left to guess from its own terminal detection.
    if layout.color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    table.set_header(columns.iter().map(|c| {
        let cell = Cell::new(c.header());
        if layout.color {
            cell.add_attribute(Attribute::Bold)
        } else {
            cell
        }
    }));
    for t in tokens {
        table.add_row(columns.iter().map(|&c| cell(c, t, now, layout, shape)));
    }
    let last = columns.len().saturating_sub(1);
    for (i, column) in table.column_iter_mut().enumerate() {
        // No leading pad, two spaces between columns, none after the last: `grep`/`awk`
        // friendly in a pipe, and the most room for text at a terminal.
        column.set_padding((0, if i == last { 0 } else { 2 }));
        if !columns[i].wraps() {
            column.set_constraint(ColumnConstraint::ContentWidth);
        }
    }
    table
}

fn cell(col: Col, t: &TokenRecord, now: Timestamp, layout: &Layout, shape: Shape) -> Cell {
    let mut cell = Cell::new(text(col, t, now, shape));
    if col.numeric() {
        cell = cell.set_alignment(CellAlignment::Right);
    }
    match tint(col, t, now).filter(|_| layout.color) {
        Some(Tint::Green) => cell.fg(Color::Green),
        Some(Tint::Yellow) => cell.fg(Color::Yellow),
        Some(Tint::Red) => cell.fg(Color::Red),
        None => cell,
    }
}

/// The colours that mean something in `list`: status, an expiry that is near, failures.
#[derive(Clone, Copy)]
enum Tint {
    Green,
    Yellow,
    Red,
}

fn tint(col: Col, t: &TokenRecord, now: Timestamp) -> Option<Tint> {
    let status = t.status(now);
    match col {
        Col::Status => Some(match status {
            TokenStatus::Active => Tint::Green,
            TokenStatus::Revoked => Tint::Yellow,
            TokenStatus::Expired => Tint::Red,
        }),
        Col::Expires if expires_soon(t, now, status) => Some(Tint::Yellow),
        Col::Failed if t.failed_count > 0 => Some(Tint::Red),
        _ => None,
    }
}

fn text(col: Col, t: &TokenRecord, now: Timestamp, shape: Shape) -> String {
    match col {
        Col::Id if shape.full_ids => hint(&escape(&t.prefix), &escape(&t.id)),
        Col::Id => escape(&t.id).into_owned(),
        Col::Name => escape(&t.name).into_owned(),
        Col::Status => t.status(now).as_str().to_owned(),
        // ", " rather than ",": the space is where a narrow column may wrap.
        Col::Scopes if t.scopes.is_empty() => "-".to_owned(),
        Col::Scopes if shape.stacked_scopes => t
            .scopes
            .iter()
            .map(|s| escape(s))
            .collect::<Vec<_>>()
            .join("\n"),
        Col::Scopes => escape(&t.scopes.join(", ")).into_owned(),
        Col::Created => relative(now, t.created_at),
        Col::Expires => match t.expires_at {
            None => "never".to_owned(),
            Some(at) if expires_soon(t, now, t.status(now)) => {
                format!("{} {SOON}", relative(now, at))
            }
            Some(at) => relative(now, at),
        },
        Col::Uses => t.usage_count.to_string(),
        Col::LastUsed => t
            .last_used_at
            .map_or_else(|| "never".to_owned(), |at| relative(now, at)),
        Col::Failed => t.failed_count.to_string(),
    }
}

/// Plain aligned columns for a pipe, written row by row: comfy-table keeps a styled cell
/// per value, which for `list` of 100k tokens cost a second and 300 MB; this costs one
/// string per value and a pass to measure the widths.
fn plain(
    out: &mut dyn Write,
    tokens: &[TokenRecord],
    now: Timestamp,
    columns: &[Col],
    color: bool,
) -> Result<()> {
    let shape = Shape {
        full_ids: true,
        stacked_scopes: false,
    };
    let rows: Vec<Vec<String>> = tokens
        .iter()
        .map(|t| columns.iter().map(|&c| text(c, t, now, shape)).collect())
        .collect();
    let mut widths: Vec<usize> = columns.iter().map(|c| c.header().len()).collect();
    for row in &rows {
        for (width, value) in widths.iter_mut().zip(row) {
            *width = (*width).max(console::measure_text_width(value));
        }
    }
    let bold = console::Style::new().bold();
    let header: Vec<String> = columns.iter().map(|c| c.header().to_owned()).collect();
    let line =
        |out: &mut dyn Write, values: &[String], token: Option<&TokenRecord>| -> Result<()> {
            let mut line = String::with_capacity(128);
            for (i, ((&col, value), &width)) in columns.iter().zip(values).zip(&widths).enumerate()
            {
                let pad = " ".repeat(width.saturating_sub(console::measure_text_width(value)));
                let style = match token.map(|t| tint(col, t, now)) {
                    None => Some(bold.clone()),
                    Some(Some(tint)) => Some(match tint {
                        Tint::Green => console::Style::new().green(),
                        Tint::Yellow => console::Style::new().yellow(),
                        Tint::Red => console::Style::new().red(),
                    }),
                    Some(None) => None,
                };
                let value = match style.filter(|_| color) {
                    Some(style) => style.force_styling(true).apply_to(value).to_string(),
                    None => value.clone(),
                };
                if i > 0 {
                    line.push_str("  ");
                }
                if col.numeric() {
                    line.push_str(&pad);
                    line.push_str(&value);
                } else {
                    line.push_str(&value);
                    line.push_str(&pad);
                }
            }
            writeln!(out, "{}", line.trim_end())?;
            Ok(())
        };
    line(out, &header, None)?;
    for (row, token) in rows.iter().zip(tokens) {
        line(out, row, Some(token))?;
    }
    Ok(())
}

/// Width of the columns that never wrap, with their gaps and the gaps of the others.
fn fixed_width(table: &Table, columns: &[Col]) -> usize {
    let widths = table.column_max_content_widths();
    let fixed: usize = columns
        .iter()
        .zip(&widths)
        .filter(|(c, _)| !c.wraps())
        .map(|(_, &w)| usize::from(w))
        .sum();
    fixed + 2 * columns.len().saturating_sub(1)
}

/// Width of the table with no column wrapped.
fn natural_width(table: &Table) -> usize {
    let widths = table.column_max_content_widths();
    widths.iter().map(|&w| usize::from(w)).sum::<usize>() + 2 * widths.len().saturating_sub(1)
}

/// The footer on stderr: how many tokens are shown, how many the filter hid, and what the
/// marker means when one is on screen.
pub fn footer(counts: ListCounts, filter: &str, any_soon: bool) -> String {
    let noun = |n: u64| if n == 1 { "token" } else { "tokens" };
    let hidden = counts.total.saturating_sub(counts.shown);
    let mut text = match (counts.shown, hidden) {
        (shown, 0) => format!("{shown} {}", noun(shown)),
        (0, hidden) => format!("no token matches {filter} ({hidden} hidden)"),
        (shown, hidden) => format!("{shown} {} shown, {hidden} hidden by {filter}", noun(shown)),
    };
    if any_soon {
        text.push_str(&format!(
            "; {SOON} expires within {EXPIRY_WARNING_DAYS} days"
        ));
    }
    text
}

pub fn expires_soon(t: &TokenRecord, now: Timestamp, status: TokenStatus) -> bool {
    status == TokenStatus::Active
        && t.expires_at
            .is_some_and(|at| at - now <= chrono::Duration::days(EXPIRY_WARNING_DAYS))
}

/// Failed verify attempts within the warning window: someone holds a wrong or retired
/// secret for this id right now.
pub fn failing_recently(t: &TokenRecord, now: Timestamp) -> bool {
    t.last_failed_at
        .is_some_and(|at| now - at <= chrono::Duration::days(EXPIRY_WARNING_DAYS))
}

/// One line under the table per token under attack or still presented after revocation,
/// so it stands out even when its row scrolled by. `None` when there is nothing to say.
pub fn failure_warning(t: &TokenRecord, now: Timestamp) -> Option<String> {
    let last = t.last_failed_at.filter(|_| failing_recently(t, now))?;
    let noun = if t.failed_count == 1 {
        "failed verify attempt"
    } else {
        "failed verify attempts"
    };
    let why = match (t.status(now), t.revoked_at) {
        (TokenStatus::Revoked, Some(revoked)) if last > revoked => {
            " after it was revoked: it may have leaked"
        }
        _ => "",
    };
    Some(format!(
        "'{}' ({}): {} {noun}, the last {}{why}; see 'tokenctl log {}'",
        escape(&t.name),
        escape(&t.id),
        t.failed_count,
        relative(now, last),
        escape(&t.id),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(shown: u64, total: u64) -> ListCounts {
        ListCounts { shown, total }
    }

    #[test]
    fn footer_wording() {
        assert_eq!(footer(counts(1, 1), "the filter", false), "1 token");
        assert_eq!(
            footer(counts(3, 3), "the filter", true),
            "3 tokens; ! expires within 7 days"
        );
        assert_eq!(
            footer(counts(2, 5), "--status active", false),
            "2 tokens shown, 3 hidden by --status active"
        );
        assert_eq!(
            footer(counts(0, 4), "--unused-since 30d", false),
            "no token matches --unused-since 30d (4 hidden)"
        );
    }
}
