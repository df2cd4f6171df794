//! `log`: the lifecycle history and the days with failed verify attempts, merged in time
//! order for a person, or as one JSON document for a script.

use std::io::Write;

use anyhow::Result;
use chrono::Local;
use console::Style;
use serde::Serialize;

use crate::store::{Event, FailureDay};

use super::show::{EventJson, date_of, event_json};
use super::{escape, json, paint};

/// Names longer than this are not padded to: they push their own line only.
const NAME_PAD: usize = 20;

pub fn human(
    out: &mut dyn Write,
    events: &[Event],
    failures: &[FailureDay],
    color: bool,
    width: Option<u16>,
) -> Result<()> {
    enum Line<'a> {
        Event(&'a Event),
        Failures(&'a FailureDay),
    }
    // Failures are per day: sort them at the end of their day, after that day's events.
    let mut lines: Vec<(i64, Line)> = events
        .iter()
        .map(|e| (e.at.timestamp(), Line::Event(e)))
        .collect();
    lines.extend(failures.iter().map(|f| {
        (
            f.day.saturating_mul(86_400).saturating_add(86_399),
            Line::Failures(f),
        )
    }));
    lines.sort_by_key(|(at, _)| *at);
    // Names differ in length: pad them so the column after (who, or how many) lines up,
    // up to a point: one long name should not push every line past the terminal's edge.
    let name_width = lines
        .iter()
        .map(|(_, line)| match line {
            Line::Event(e) => escape(&e.token_name).chars().count(),
            Line::Failures(f) => escape(&f.token_name).chars().count(),
        })
        .filter(|&w| w <= NAME_PAD)
        .max()
        .unwrap_or(0);
    let dim = Style::new().dim();
    for (_, line) in lines {
        let (when, action, style, id, name, rest, detail) = match line {
            Line::Event(e) => {
                let style = match e.action.as_str() {
                    "generated" | "restored" => Style::new().green(),
                    "revoked" => Style::new().yellow(),
                    _ => Style::new().red(),
                };
                let detail = super::event_detail(e)
                    .map(|text| format!("  ({text})"))
                    .unwrap_or_default();
                (
                    e.at.with_timezone(&Local)
                        .format("%Y-%m-%d %H:%M")
                        .to_string(),
                    escape(&e.action).into_owned(),
                    style,
                    &e.token_id,
                    &e.token_name,
                    format!("by {}", escape(&e.actor)),
                    detail,
                )
            }
            Line::Failures(f) => {
                let noun = if f.failures == 1 {
                    "attempt"
                } else {
                    "attempts"
                };
                (
                    // Counted per UTC day, so the day has no time of day.
                    format!("{} UTC", date_of(f.day)),
                    "failed".to_owned(),
                    Style::new().red(),
                    &f.token_id,
                    &f.token_name,
                    format!("{} failed verify {noun}", f.failures),
                    String::new(),
                )
            }
        };
        let name = escape(name);
        let pad = name_width.saturating_sub(name.chars().count());
        let start = format!(
            "{when:<16}  {}  {}  {name}{:pad$}  {rest}",
            paint(&format!("{action:<9}"), &style, color),
            escape(id),
            "",
        );
        // At a terminal the detail goes where it would wrap the line; a pipe gets it all.
        let room = width.is_none_or(|w| {
            console::measure_text_width(&start) + detail.chars().count() <= usize::from(w)
        });
        if room && !detail.is_empty() {
            writeln!(out, "{start}{}", paint(&detail, &dim, color))?;
        } else {
            writeln!(out, "{start}")?;
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct LogJson<'a> {
    events: Vec<EventJson<'a>>,
    failed_attempts: Vec<FailureJson<'a>>,
}

#[derive(Serialize)]
struct FailureJson<'a> {
    date: String,
    token_id: &'a str,
    #[serde(serialize_with = "crate::render::redact::json_str")]
    token_name: &'a str,
    count: u64,
}

pub fn json(out: &mut dyn Write, events: &[Event], failures: &[FailureDay]) -> Result<()> {
    let doc = LogJson {
        events: events.iter().map(event_json).collect(),
        failed_attempts: failures
            .iter()
            .map(|f| FailureJson {
                date: date_of(f.day),
                token_id: &f.token_id,
                token_name: &f.token_name,
                count: f.failures,
            })
            .collect(),
    };
    json::write(out, &doc)
}
