//! The `list` table: fitted to the terminal's width at a terminal (wrapping at word, `:`
//! and `,` boundaries), plain aligned columns for pipes. Every cell that comes from the database is escaped.

use std::io::Write;

use anyhow::Result;

use crate::store::{ListCounts, TokenRecord, TokenStatus};
use crate::time::{Timestamp, relative};
use crate::token::hint;

use super::escape;

// The policy lives in policy.rs; these names stay here for the views that use them.
pub use crate::policy::{EXPIRY_WARNING_DAYS, expires_soon, failing_recently};

/// The marker after an expiry that is near, explained in the footer.
const SOON: &str = "!";

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

/// The terminal's height in rows, for deciding to page: `LINES` when set, else the
/// terminal's.
pub fn terminal_height() -> Option<u16> {
    std::env::var("LINES")
        .ok()
        .and_then(|c| c.trim().parse::<u16>().ok())
        .filter(|&c| c >= 2)
        .or_else(|| console::Term::stdout().size_checked().map(|(rows, _)| rows))
}

/// The width of stderr's terminal, to wrap the words printed there.
pub fn stderr_width() -> Option<u16> {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<u16>().ok())
        .filter(|&c| c >= 20)
        .or_else(|| console::Term::stderr().size_checked().map(|(_, cols)| cols))
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

/// How the table gives way on a narrow terminal, tried in order until NAME and SCOPES get
/// at least `MIN_FREE_TEXT` columns each: first the `prefix_..._...` decoration of the ID
/// goes (the bare id still addresses the token), then the least actionable columns, one
/// by one; on the narrowest terminals SCOPES moves to a line of its own under the row.
const MIN_FREE_TEXT: usize = 10;

/// Dropped in this order when the terminal is too narrow.
const GIVE_WAY: [Col; 4] = [Col::Created, Col::LastUsed, Col::Uses, Col::Failed];

/// Two spaces between columns: no vertical rules, which an 80-column terminal cannot spare.
const GAP: usize = 2;

/// What `list` gave up to fit the terminal.
#[derive(Clone, Copy)]
struct Shape {
    /// `tkn_4k2x9q7m1z_...` rather than the bare id.
    full_ids: bool,
}

/// Options of `list` that change the table rather than the rows.
#[derive(Clone, Copy, Default)]
pub struct Options {
    pub no_headers: bool,
}

pub fn list(
    out: &mut dyn Write,
    tokens: &[TokenRecord],
    now: Timestamp,
    layout: &Layout,
    options: Options,
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
        return plain(out, tokens, now, &columns, layout.color, options);
    }
    let mut shape = Shape { full_ids: true };
    let Some(width) = layout.width.map(usize::from) else {
        return terminal(out, tokens, now, layout, &columns, shape, None, options);
    };
    let natural = |columns: &[Col], shape: Shape| {
        let widths = natural_widths(tokens, now, columns, shape);
        widths.iter().sum::<usize>() + GAP * (columns.len() - 1) <= width
    };
    let roomy = |columns: &[Col], shape: Shape| {
        let widths = natural_widths(tokens, now, columns, shape);
        fixed_width(&widths, columns) + 2 * MIN_FREE_TEXT <= width
    };
    // One line per token when giving up the decoration, then CREATED, is enough; past
    // that, NAME and SCOPES wrap once they have room enough.
    if !natural(&columns, shape) {
        shape.full_ids = false;
        for col in GIVE_WAY {
            if natural(&columns, shape) || (col != Col::Created && roomy(&columns, shape)) {
                break;
            }
            columns.retain(|&c| c != col);
        }
        if !natural(&columns, shape) && !roomy(&columns, shape) {
            // The narrowest terminals: scopes under each row, across the whole width.
            columns.retain(|&c| c != Col::Scopes);
        }
    }
    terminal(
        out,
        tokens,
        now,
        layout,
        &columns,
        shape,
        Some(width),
        options,
    )
}

fn natural_widths(
    tokens: &[TokenRecord],
    now: Timestamp,
    columns: &[Col],
    shape: Shape,
) -> Vec<usize> {
    let mut widths: Vec<usize> = columns.iter().map(|c| c.header().len()).collect();
    for t in tokens {
        for (w, &c) in widths.iter_mut().zip(columns) {
            let text = text(c, t, now, shape);
            let longest = text
                .lines()
                .map(console::measure_text_width)
                .max()
                .unwrap_or(0);
            *w = (*w).max(longest);
        }
    }
    widths
}

/// Width of the columns that never wrap, with the gaps of all.
fn fixed_width(widths: &[usize], columns: &[Col]) -> usize {
    let fixed: usize = columns
        .iter()
        .zip(widths)
        .filter(|(c, _)| !c.wraps())
        .map(|(_, &w)| w)
        .sum();
    fixed + GAP * columns.len().saturating_sub(1)
}

/// The table for a terminal: a header, a rule, and rows whose NAME and SCOPES wrap at
/// word, `:` and `,` boundaries to fit `width`. Without SCOPES among the columns, each
/// token's scopes go on an indented line under its row.
#[allow(clippy::too_many_arguments)]
fn terminal(
    out: &mut dyn Write,
    tokens: &[TokenRecord],
    now: Timestamp,
    layout: &Layout,
    columns: &[Col],
    shape: Shape,
    width: Option<usize>,
    options: Options,
) -> Result<()> {
    let scopes_below = !columns.contains(&Col::Scopes);
    let mut widths = natural_widths(tokens, now, columns, shape);
    if let Some(width) = width {
        share_free_width(&mut widths, columns, width);
    }
    let total: usize = widths.iter().sum::<usize>() + GAP * columns.len().saturating_sub(1);
    let bold = console::Style::new().bold();
    if !options.no_headers {
        let header: Vec<Vec<String>> = columns
            .iter()
            .map(|c| vec![c.header().to_owned()])
            .collect();
        write_row(
            out,
            columns,
            &widths,
            &header,
            |_| Some(bold.clone()),
            layout.color,
        )?;
        writeln!(out, "{}", "─".repeat(total))?;
    }
    for t in tokens {
        let cells: Vec<Vec<String>> = columns
            .iter()
            .zip(&widths)
            .map(|(&c, &w)| {
                let text = text(c, t, now, shape);
                if c.wraps() {
                    wrap(&text, w, w)
                } else {
                    vec![text]
                }
            })
            .collect();
        write_row(
            out,
            columns,
            &widths,
            &cells,
            |c| tint(c, t, now).map(style),
            layout.color,
        )?;
        if scopes_below && !t.scopes.is_empty() {
            let text = format!("scopes: {}", escape(&t.scopes.join(", ")));
            let room = width
                .unwrap_or(usize::MAX)
                .saturating_sub(2)
                .max(MIN_FREE_TEXT);
            for line in wrap(&text, room, room.saturating_sub(2)) {
                let indent = if line.starts_with("scopes:") {
                    "  "
                } else {
                    "    "
                };
                writeln!(out, "{indent}{line}")?;
            }
        }
    }
    Ok(())
}

/// Gives NAME and SCOPES what the fixed columns leave: the narrower one its whole width
/// when it fits in a fair share, the other the rest (so a short name never wraps to make
/// room for a long scope list that wraps anyway).
fn share_free_width(widths: &mut [usize], columns: &[Col], width: usize) {
    let mut free: Vec<usize> = (0..columns.len()).filter(|&i| columns[i].wraps()).collect();
    let need: usize = free.iter().map(|&i| widths[i]).sum();
    let mut left = width.saturating_sub(fixed_width(widths, columns));
    if need <= left {
        return;
    }
    free.sort_by_key(|&i| widths[i]);
    let mut count = free.len();
    for i in free {
        let fair = (left / count).max(1);
        widths[i] = widths[i].min(fair);
        left = left.saturating_sub(widths[i]);
        count -= 1;
    }
}

fn style(tint: Tint) -> console::Style {
    match tint {
        Tint::Green => console::Style::new().green(),
        Tint::Yellow => console::Style::new().yellow(),
        Tint::Red => console::Style::new().red(),
    }
}

/// One table row of possibly several lines; every line trimmed at its end.
fn write_row(
    out: &mut dyn Write,
    columns: &[Col],
    widths: &[usize],
    cells: &[Vec<String>],
    style_of: impl Fn(Col) -> Option<console::Style>,
    color: bool,
) -> Result<()> {
    let height = cells.iter().map(Vec::len).max().unwrap_or(1);
    for n in 0..height {
        let mut line = String::with_capacity(128);
        for (i, (&col, &width)) in columns.iter().zip(widths).enumerate() {
            let value = cells[i].get(n).map_or("", String::as_str);
            let pad = " ".repeat(width.saturating_sub(console::measure_text_width(value)));
            let value = match style_of(col).filter(|_| color && !value.is_empty()) {
                Some(style) => style.force_styling(true).apply_to(value).to_string(),
                None => value.to_owned(),
            };
            if i > 0 {
                line.push_str(&" ".repeat(GAP));
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
    }
    Ok(())
}

/// Breaks `text` into lines of at most `first` columns, then `rest`, after a space, `,`
/// or `:` (or `-`, `_`, `.`, `/` in a long word); a word longer than a whole line is cut.
/// Existing newlines are kept.
pub fn wrap(text: &str, first: usize, rest: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for piece in pieces(paragraph) {
            let limit = if lines.is_empty() { first } else { rest }.max(1);
            // The line's trailing space stays between it and the piece.
            let current = console::measure_text_width(&line);
            let piece_width = console::measure_text_width(piece.trim_end());
            if current + piece_width <= limit || line.is_empty() && piece_width <= limit {
                line.push_str(piece);
                continue;
            }
            if !line.trim_end().is_empty() {
                lines.push(line.trim_end().to_owned());
                line = String::new();
            }
            let limit = if lines.is_empty() { first } else { rest }.max(1);
            let piece = piece.trim_start();
            if console::measure_text_width(piece.trim_end()) <= limit {
                line.push_str(piece);
                continue;
            }
            // Longer than a line: cut it, carrying on the next lines.
            let mut chunk = String::new();
            for c in piece.chars() {
                let limit = if lines.is_empty() { first } else { rest }.max(1);
                if console::measure_text_width(&chunk) + 1 > limit {
                    lines.push(std::mem::take(&mut chunk));
                }
                chunk.push(c);
            }
            line = chunk;
        }
        lines.push(line.trim_end().to_owned());
    }
    lines
}

/// `text` cut after every break character, each piece keeping the character that ends it.
fn pieces(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if matches!(c, ' ' | ',' | ':' | '-' | '_' | '.' | '/') {
            let end = i + c.len_utf8();
            out.push(&text[start..end]);
            start = end;
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
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
        Col::Scopes => escape(&t.scopes.join(", ")).into_owned(),
        Col::Created => relative(now, t.created_at),
        Col::Expires => match t.expires_at {
            None => "never".to_owned(),
            Some(at) if expires_soon(t, now, t.status(now)) => {
                format!("{} {SOON}", relative(now, at))
            }
            Some(at) => relative(now, at),
        },
        // "2/10": a limited token shows how much of its limit is gone.
        Col::Uses => match t.max_uses {
            Some(max) => format!("{}/{max}", t.usage_count),
            None => t.usage_count.to_string(),
        },
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
    options: Options,
) -> Result<()> {
    let shape = Shape { full_ids: true };
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
    if !options.no_headers {
        line(out, &header, None)?;
    }
    for (row, token) in rows.iter().zip(tokens) {
        line(out, row, Some(token))?;
    }
    Ok(())
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
    fn wrap_breaks_at_boundaries_and_cuts_only_long_words() {
        assert_eq!(
            wrap("unikernel:create, volume:upload", 12, 12),
            ["unikernel:", "create,", "volume:", "upload"]
        );
        assert_eq!(
            wrap("unikernel:create, volume:upload", 40, 40),
            ["unikernel:create, volume:upload"]
        );
        assert_eq!(wrap("deploy-hook", 20, 20), ["deploy-hook"]);
        assert_eq!(wrap("abcdefghij", 4, 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("one two three", 7, 5), ["one two", "three"]);
        assert_eq!(wrap("", 5, 5), [""]);
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
