//! Questions for a person at a terminal, drawn on stderr with dialoguer so stdout keeps
//! only data. Callers check `Ctx::interactive()` first; scripts are never asked anything.

use anyhow::{Context as _, Result};
use dialoguer::console::Term;
use dialoguer::theme::ColorfulTheme;
use dialoguer::{Confirm, Input, Password, Select};

use crate::time::{Timestamp, expires_after};

/// The validity choices of the token pages tokenctl grew from, then "custom".
const VALIDITY: [(&str, &str); 5] = [
    ("1 month", "1m"),
    ("3 months", "3m"),
    ("6 months", "6m"),
    ("1 year", "1y"),
    ("2 years", "2y"),
];

pub fn name(check: impl Fn(&str) -> Result<(), String>) -> Result<String> {
    Input::<String>::with_theme(&ColorfulTheme::default())
        .with_prompt("Token name")
        .validate_with(|input: &String| check(input))
        .interact_text_on(&Term::stderr())
        .context("reading the token name")
}

/// Asks how long the token is valid; returns the answer as an `--expires` value, so the
/// caller measures it from when the token is made, not from when the question was asked.
pub fn validity(now: Timestamp) -> Result<String> {
    let mut items: Vec<&str> = VALIDITY.iter().map(|(label, _)| *label).collect();
    items.push("custom");
    let choice = Select::with_theme(&ColorfulTheme::default())
        .with_prompt("Valid for")
        .items(&items)
        .default(0)
        .interact_on(&Term::stderr())
        .context("reading the validity")?;
    if let Some((_, spec)) = VALIDITY.get(choice) {
        return Ok((*spec).to_owned());
    }
    let spec = Input::<String>::with_theme(&ColorfulTheme::default())
        .with_prompt("Valid for (e.g. 45d, 2w, 18m)")
        // dialoguer prints the error as is: cleaned like every line on stderr.
        .validate_with(|input: &String| {
            expires_after(input.trim(), now)
                .map(|_| ())
                .map_err(|why| crate::render::escape(&why).into_owned())
        })
        .interact_text_on(&Term::stderr())
        .context("reading the validity")?;
    Ok(spec.trim().to_owned())
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
