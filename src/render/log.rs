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

pub fn human(
    out: &mut dyn Write,
    events: &[Event],
    failures: &[FailureDay],
    color: bool,
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
    for (_, line) in lines {
        match line {
            Line::Event(e) => {
                let style = match e.action.as_str() {
                    "generated" | "restored" => Style::new().green(),
                    "revoked" => Style::new().yellow(),
                    _ => Style::new().red(),
                };
                writeln!(
                    out,
                    "{}  {}  {}  {}  by {}",
                    e.at.with_timezone(&Local).format("%Y-%m-%d %H:%M"),
                    paint(&format!("{:<9}", escape(&e.action)), &style, color),
                    escape(&e.token_id),
                    escape(&e.token_name),
                    escape(&e.actor),
                )?;
            }
            Line::Failures(f) => {
                let noun = if f.failures == 1 {
                    "attempt"
                } else {
                    "attempts"
                };
                writeln!(
                    out,
                    "{}        {}  {}  {}  {} failed verify {noun}",
                    date_of(f.day),
                    paint(&format!("{:<9}", "failed"), &Style::new().red(), color),
                    escape(&f.token_id),
                    escape(&f.token_name),
                    f.failures,
                )?;
            }
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
