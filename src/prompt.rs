//! Questions for a person at a terminal, drawn on stderr with dialoguer so stdout keeps
//! only data. Callers check `Ctx::interactive()` first; scripts are never asked anything.

use anyhow::{Context as _, Result};
use dialoguer::console::Term;
use dialoguer::theme::ColorfulTheme;
use dialoguer::{Confirm, Input, Password, Select};

use crate::time::{Timestamp, expires_after};

/// The validity choices of the token pages tokenctl grew from (SPEC's presets), the
/// scripts' default, and no expiry; then "custom". Each label shows its `--expires` form.
const VALIDITY: [(&str, Option<&str>); 7] = [
    ("1 month (1mo)", Some("1mo")),
    ("3 months (3mo)", Some("3mo")),
    ("6 months (6mo)", Some("6mo")),
    ("1 year (1y)", Some("1y")),
    ("2 years (2y)", Some("2y")),
    ("30 days (30d)", Some("30d")),
    ("never", None),
];

pub fn name(check: impl Fn(&str) -> Result<(), String>) -> Result<String> {
    Input::<String>::with_theme(&ColorfulTheme::default())
        .with_prompt("Token name")
        .validate_with(|input: &String| check(input))
        .interact_text_on(&Term::stderr())
        .context("reading the token name")
}

/// Asks how long the token is valid; returns the answer as an `--expires` value, so the
/// caller measures it from when the token is made, not from when the question was asked;
/// None for a token that never expires.
pub fn validity(now: Timestamp) -> Result<Option<String>> {
    let mut items: Vec<&str> = VALIDITY.iter().map(|(label, _)| *label).collect();
    items.push("custom");
    let choice = Select::with_theme(&ColorfulTheme::default())
        .with_prompt("Valid for")
        .items(&items)
        .default(0)
        .interact_on(&Term::stderr())
        .context("reading the validity")?;
    if let Some((_, spec)) = VALIDITY.get(choice) {
        return Ok(spec.map(str::to_owned));
    }
    let spec = Input::<String>::with_theme(&ColorfulTheme::default())
        .with_prompt("Valid for (e.g. 45d, 2w, 1y 6mo)")
        // dialoguer prints the error as is: cleaned like every line on stderr.
        .validate_with(|input: &String| {
            expires_after(input.trim(), now)
                .map(|_| ())
                .map_err(|why| crate::render::escape(&why).into_owned())
        })
        .interact_text_on(&Term::stderr())
        .context("reading the validity")?;
    Ok(Some(spec.trim().to_owned()))
}

pub fn confirm(question: &str) -> Result<bool> {
    Confirm::with_theme(&ColorfulTheme::default())
        .with_prompt(question)
        .default(false)
        .interact_on(&Term::stderr())
        .context("reading the confirmation")
}

/// Reads a token typed at a terminal without echoing it.
pub fn secret() -> Result<String> {
    Password::with_theme(&ColorfulTheme::default())
        .with_prompt("Token")
        .allow_empty_password(true)
        .interact_on(&Term::stderr())
        .context("reading the token")
}
