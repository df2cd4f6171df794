//! One test binary (one link, fast): the real `tokenctl` against real SQLite files in
//! temp dirs. `util` builds the throwaway environment; each file covers one command or concern.

mod pty;
mod util;

// Commands and contracts.
mod docs;
mod exit_codes;
mod generate;
mod json;
mod lifecycle;
mod list_filters;
mod log;
mod prompts;
mod scan;
mod smoke;
mod verify;
mod views;

// Data safety (SPEC.md "Data safety") under load, crashes and hostile input.
mod concurrency;
mod crash;
mod foreign;
mod hostile;
mod safety;
mod shared;
mod wal;
