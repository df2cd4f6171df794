//! `show REF`: one token in full, as aligned label/value lines for a person and as one
//! JSON document (the token object plus sources, daily use and history) for a script.

use std::io::Write;

use anyhow::Result;
use chrono::Local;
use console::Style;
use serde::Serialize;

use crate::store::{DayUse, Event, SourceUse, TokenRecord};
use crate::time::{Timestamp, relative, rfc3339};
use crate::token::hint;

use super::{escape, json, paint, status_style, table::expires_soon};

/// How many days the usage picture covers, today included.
pub const DAYS: i64 = 30;

pub struct Details<'a> {
    pub token: &'a TokenRecord,
    pub sources: &'a [SourceUse],
    /// Days with any use in the last `DAYS` days, oldest first.
    pub daily: &'a [DayUse],
    pub events: &'a [Event],
    pub now: Timestamp,
}

pub fn human(out: &mut dyn Write, d: &Details, color: bool) -> Result<()> {
    let t = d.token;
    let now = d.now;
    let status = t.status(now);
    let dim = Style::new().dim();
    let label = |name: &str| paint(&format!("{name:<12}"), &dim, color);

    writeln!(
        out,
        "{}  {}",
        hint(&escape(&t.prefix), &escape(&t.id)),
        Style::new()
            .bold()
            .force_styling(color)
            .apply_to(escape(&t.name))
    )?;
    let mut status_text = paint(status.as_str(), &status_style(status), color);
    if expires_soon(t, now, status) {
        status_text.push_str(&paint(" (expires soon)", &Style::new().yellow(), color));
    }
    writeln!(out, "  {}{status_text}", label("status"))?;
    if let Some(text) = &t.description {
        writeln!(out, "  {}{}", label("description"), escape(text))?;
    }
    let scopes = if t.scopes.is_empty() {
        "none (passes only verifies without --scope)".to_owned()
    } else {
        escape(&t.scopes.join(", ")).into_owned()
    };
    writeln!(out, "  {}{scopes}", label("scopes"))?;
    writeln!(out, "  {}{}", label("created"), when(now, t.created_at))?;
    writeln!(
        out,
        "  {}{}",
        label("expires"),
        t.expires_at
            .map_or_else(|| "never".to_owned(), |at| when(now, at))
    )?;
    if let Some(at) = t.revoked_at {
        writeln!(out, "  {}{}", label("revoked"), when(now, at))?;
    }
    let uses = match (t.last_used_at, &t.last_used_source) {
        (Some(at), Some(source)) => format!(
            "{}, last {} from {}",
            t.usage_count,
            relative(now, at),
            escape(source)
        ),
        (Some(at), None) => format!("{}, last {}", t.usage_count, relative(now, at)),
        _ => "never used".to_owned(),
    };
    writeln!(out, "  {}{uses}", label("uses"))?;
    let failed = match t.last_failed_at {
        Some(at) => paint(
            &format!("{}, last {}", t.failed_count, relative(now, at)),
            &Style::new().red(),
            color,
        ),
        None => "none".to_owned(),
    };
    writeln!(out, "  {}{failed}", label("failed"))?;

    let width = d
        .sources
        .iter()
        .map(|s| escape(&s.source).chars().count())
        .max()
        .unwrap_or(0);
    for (i, s) in d.sources.iter().enumerate() {
        let name = if i == 0 {
            label("sources")
        } else {
            " ".repeat(12)
        };
        let noun = if s.uses == 1 { "use" } else { "uses" };
        writeln!(
            out,
            "  {name}{:<width$}  {:>6} {noun:<4}  last {}",
            escape(&s.source),
            s.uses,
            relative(now, s.last_used_at)
        )?;
    }

    let (line, peak) = sparkline(d.daily, now);
    let first = now - chrono::Duration::days(DAYS - 1);
    writeln!(
        out,
        "  {}{line}  {} .. {}, peak {peak}/day",
        label("daily use"),
        first.format("%b %d"),
        now.format("%b %d"),
    )?;

    for (i, e) in d.events.iter().enumerate() {
        let name = if i == 0 {
            label("history")
        } else {
            " ".repeat(12)
        };
        writeln!(
            out,
            "  {name}{}  {:<9}  by {}",
            e.at.with_timezone(&Local).format("%Y-%m-%d %H:%M"),
            escape(&e.action),
            escape(&e.actor)
        )?;
    }
    Ok(())
}

/// Exact local time and how long ago (or until): "2026-12-22 18:42 +01:00 (in 29d)".
fn when(now: Timestamp, at: Timestamp) -> String {
    format!(
        "{} ({})",
        at.with_timezone(&Local).format("%Y-%m-%d %H:%M %:z"),
        relative(now, at)
    )
}

/// One character per day for the last `DAYS` days, oldest first: `·` for no use, then
/// eight heights scaled to the busiest day. Returns the line and the peak.
pub fn sparkline(daily: &[DayUse], now: Timestamp) -> (String, u64) {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let today = crate::store::day_of(now);
    let peak = daily.iter().map(|d| d.uses).max().unwrap_or(0);
    let line = (today - DAYS + 1..=today)
        .map(|day| match daily.iter().find(|d| d.day == day) {
            Some(d) if d.uses > 0 && peak > 0 => {
                // Round up, so a single use on a busy token still shows.
                let level = (d.uses * BARS.len() as u64)
                    .div_ceil(peak)
                    .clamp(1, BARS.len() as u64);
                BARS[level as usize - 1]
            }
            _ => '·',
        })
        .collect();
    (line, peak)
}

#[derive(Serialize)]
struct DetailsJson<'a> {
    #[serde(flatten)]
    token: json::TokenJson<'a>,
    sources: Vec<SourceJson<'a>>,
    daily_usage: Vec<DayJson>,
    events: Vec<EventJson<'a>>,
}

#[derive(Serialize)]
struct SourceJson<'a> {
    source: &'a str,
    uses: u64,
    last_used_at: String,
}

#[derive(Serialize)]
struct DayJson {
    date: String,
    uses: u64,
    failures: u64,
}

#[derive(Serialize)]
pub struct EventJson<'a> {
    pub at: String,
    pub token_id: &'a str,
    pub token_name: &'a str,
    pub action: &'a str,
    pub actor: &'a str,
    pub detail: Option<&'a str>,
}

pub fn event_json(e: &Event) -> EventJson<'_> {
    EventJson {
        at: rfc3339(e.at),
        token_id: &e.token_id,
        token_name: &e.token_name,
        action: &e.action,
        actor: &e.actor,
        detail: e.detail.as_deref(),
    }
}

/// The date of a unix day, as `YYYY-MM-DD`.
pub fn date_of(day: i64) -> String {
    crate::time::from_unix(day.saturating_mul(86_400))
        .map_or_else(|| day.to_string(), |t| t.format("%Y-%m-%d").to_string())
}

pub fn json(out: &mut dyn Write, d: &Details) -> Result<()> {
    let doc = DetailsJson {
        token: json::token(d.token, d.now),
        sources: d
            .sources
            .iter()
            .map(|s| SourceJson {
                source: &s.source,
                uses: s.uses,
                last_used_at: rfc3339(s.last_used_at),
            })
            .collect(),
        daily_usage: d
            .daily
            .iter()
            .map(|u| DayJson {
                date: date_of(u.day),
                uses: u.uses,
                failures: u.failures,
            })
            .collect(),
        events: d.events.iter().map(event_json).collect(),
    };
    json::write(out, &doc)
}
