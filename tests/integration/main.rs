//! One test binary (one link, fast): the real `tokenctl` against real SQLite files in
//! temp dirs. `util` builds the throwaway environment; each file covers one command or concern.

mod cluster;
mod pty;
#[macro_use]
mod util;

// Commands and contracts.
mod bulk;
mod docs;
mod durations;
mod edit;
mod exit_codes;
mod generate;
mod json;
mod lifecycle;
mod limits;
mod list_filters;
mod log;
mod prompts;
mod scan;
mod serve;
mod smoke;
mod ux;
mod verify;
mod views;

// The PostgreSQL engine without a server, and `copy` between any two databases.
mod postgres_engine;

// Data safety (SPEC.md "Data safety") under load, crashes and hostile input.
mod concurrency;
mod crash;
mod exposure;
mod foreign;
mod hostile;
mod locking;
mod pg_hardening;
mod postgres;
mod redaction;
mod retire;
mod rotate;
mod safety;
mod shared;
mod tampered;
mod trust;
mod wal;
