-- Schema v1. Times are unix seconds (UTC); days are unix days (seconds / 86400).
-- Migrations are append-only: never edit a released file, add 0002_*.sql instead.

CREATE TABLE tokens (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL UNIQUE,
    prefix           TEXT NOT NULL,
    -- blake3 of the whole token string; the token itself is never stored.
    hash             BLOB NOT NULL,
    description      TEXT,
    created_at       INTEGER NOT NULL,
    expires_at       INTEGER,
    revoked_at       INTEGER,
    usage_count      INTEGER NOT NULL DEFAULT 0,
    last_used_at     INTEGER,
    last_used_source TEXT,
    failed_count     INTEGER NOT NULL DEFAULT 0,
    last_failed_at   INTEGER
) STRICT, WITHOUT ROWID;

CREATE TABLE token_scopes (
    token_id TEXT NOT NULL,
    scope    TEXT NOT NULL,
    PRIMARY KEY (token_id, scope)
) STRICT, WITHOUT ROWID;

-- One row per token per day with any use, so the file grows with active days, not with
-- every verification.
CREATE TABLE usage_daily (
    token_id TEXT NOT NULL,
    day      INTEGER NOT NULL,
    uses     INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (token_id, day)
) STRICT, WITHOUT ROWID;

CREATE TABLE usage_sources (
    token_id     TEXT NOT NULL,
    source       TEXT NOT NULL,
    uses         INTEGER NOT NULL DEFAULT 0,
    last_used_at INTEGER NOT NULL,
    PRIMARY KEY (token_id, source)
) STRICT, WITHOUT ROWID;

-- Lifecycle history. Keeps the name, so a deleted token's history stays readable.
CREATE TABLE events (
    seq        INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    token_id   TEXT NOT NULL,
    token_name TEXT NOT NULL,
    action     TEXT NOT NULL,
    actor      TEXT NOT NULL,
    detail     TEXT
) STRICT;

CREATE INDEX events_token ON events (token_id, seq);
