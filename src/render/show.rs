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

/// Width of the label column; "description" and its gap.
const LABEL: usize = 13;

pub fn human(out: &mut dyn Write, d: &Details, color: bool) -> Result<()> {
    let t = d.token;
    let now = d.now;
    let status = t.status(now);
    let dim = Style::new().dim();
    let red = Style::new().red();
    let label = |name: &str| paint(&format!("{name:<LABEL$}"), &dim, color);
    let blank = " ".repeat(LABEL);

    writeln!(
        out,
        "{}  {}",
        hint(&escape(&t.prefix), &escape(&t.id)),
        paint(&escape(&t.name), &Style::new().bold(), color)
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
    if let Some(at) = t.revoked_since(now) {
        writeln!(out, "  {}{}", label("revoked"), when(now, at))?;
    }
    if let Some(reason) = &t.revoke_reason {
        writeln!(out, "  {}{}", label("reason"), escape(reason))?;
    }
    if t.compromised {
        writeln!(
            out,
            "  {}{}",
            label("compromised"),
            paint("yes: never restorable, generate a new token", &red, color)
        )?;
    }
    if let Some(from) = &t.rotated_from {
        writeln!(out, "  {}{}", label("rotated from"), escape(from))?;
    }
    if let Some(to) = &t.rotated_to {
        let until = t.grace_ends_at.map_or_else(String::new, |at| {
            let verb = if at <= now {
                "stopped verifying"
            } else {
                "verifies until"
            };
            format!("  (old secret {verb} {})", when(now, at))
        });
        writeln!(out, "  {}{}{until}", label("rotated to"), escape(to))?;
    }
    match (t.max_uses, t.remaining_uses()) {
        (Some(max), Some(left)) => writeln!(
            out,
            "  {}{} of at most {max} ({left} left)",
            label("uses"),
            t.usage_count
        )?,
        _ => writeln!(out, "  {}{}", label("uses"), t.usage_count)?,
    }
    if !t.allowed_cidrs.is_empty() {
        let blocks: Vec<String> = t
            .allowed_cidrs
            .iter()
            .map(|c| escape(c).into_owned())
            .collect();
        writeln!(out, "  {}{}", label("allowed from"), blocks.join(", "))?;
    }
    let last_used = match (t.last_used_at, &t.last_used_source) {
        (Some(at), Some(source)) => format!("{}  from {}", when(now, at), escape(source)),
        (Some(at), None) => when(now, at),
        _ => "never".to_owned(),
    };
    writeln!(out, "  {}{last_used}", label("last used"))?;
    let failed = match t.last_failed_at {
        Some(at) => {
            // A revoked token still being presented is the classic sign of a leak.
            let after = match t.revoked_at {
                Some(revoked) if at > revoked => ", after it was revoked",
                _ => "",
            };
            paint(
                &format!("{}, last {}{after}", t.failed_count, when(now, at)),
                &red,
                color,
            )
        }
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
            blank.clone()
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

    let first = now - chrono::Duration::days(DAYS - 1);
    let range = format!("{} .. {}", first.format("%b %d"), now.format("%b %d"));
    let (line, peak) = sparkline(d.daily, now, |day| day.uses);
    let summary = if peak == 0 {
        format!("{range}: no use")
    } else {
        format!("{range}, peak {peak}/day")
    };
    writeln!(out, "  {}{line}  {summary}", label("daily use"))?;
    let (line, peak) = sparkline(d.daily, now, |day| day.failures);
    if peak > 0 {
        writeln!(
            out,
            "  {}{}  {range}, peak {peak}/day",
            label("failed/day"),
            paint(&line, &red, color)
        )?;
    }

    for (i, e) in d.events.iter().enumerate() {
        let name = if i == 0 {
            label("history")
        } else {
            blank.clone()
        };
        let detail = super::event_detail(e)
            .map(|text| format!("  ({text})"))
            .unwrap_or_default();
        writeln!(
            out,
            "  {name}{}  {:<9}  by {}{}",
            e.at.with_timezone(&Local).format("%Y-%m-%d %H:%M"),
            escape(&e.action),
            escape(&e.actor),
            paint(&detail, &dim, color),
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
/// eight heights scaled to the busiest day. Returns the line and the peak. `count` picks
/// what is drawn: uses or failures.
pub fn sparkline(
    daily: &[DayUse],
    now: Timestamp,
    count: impl Fn(&DayUse) -> u64,
) -> (String, u64) {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let today = crate::store::day_of(now);
    let first = today - DAYS + 1;
    let peak = daily
        .iter()
        .filter(|d| d.day >= first)
        .map(&count)
        .max()
        .unwrap_or(0);
    let line = (first..=today)
        .map(
            |day| match daily.iter().find(|d| d.day == day).map(&count) {
                Some(n) if n > 0 && peak > 0 => {
                    // Round up, so a single use on a busy token still shows.
                    let level = (n.saturating_mul(BARS.len() as u64))
                        .div_ceil(peak)
                        .clamp(1, BARS.len() as u64);
                    BARS[level as usize - 1]
                }
                _ => '·',
            },
        )
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
    #[serde(serialize_with = "crate::render::redact::json_str")]
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
    #[serde(serialize_with = "crate::render::redact::json_str")]
    pub token_name: &'a str,
    pub action: &'a str,
    #[serde(serialize_with = "crate::render::redact::json_str")]
    pub actor: &'a str,
    #[serde(serialize_with = "crate::render::redact::json_opt")]
    pub detail: Option<&'a str>,
    /// The change's structured details (schema v2 on), `action` included.
    pub data: Option<serde_json::Value>,
}

pub fn event_json(e: &Event) -> EventJson<'_> {
    EventJson {
        at: rfc3339(e.at),
        token_id: &e.token_id,
        token_name: &e.token_name,
        action: &e.action,
        actor: &e.actor,
        detail: e.detail.as_deref(),
        data: e.change().and_then(|c| serde_json::to_value(c).ok()),
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
