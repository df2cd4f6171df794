-- Schema v1 on PostgreSQL: the same tables as SQLite's. Times are unix seconds (UTC);
-- days are unix days. Ids compare bytewise (COLLATE "C"), so an id prefix is a range.
-- Migrations are append-only: never edit a released file, add 0002_*.sql instead.

CREATE TABLE tokenctl_schema (
    -- One row: the schema version this database is at.
    singleton BOOLEAN PRIMARY KEY DEFAULT true CHECK (singleton),
    version   INTEGER NOT NULL
);

CREATE TABLE tokens (
    id               TEXT COLLATE "C" PRIMARY KEY,
    name             TEXT NOT NULL UNIQUE,
    prefix           TEXT NOT NULL,
    -- blake3 of the whole token string; the token itself is never stored.
    hash             BYTEA NOT NULL,
    description      TEXT,
    created_at       BIGINT NOT NULL,
    expires_at       BIGINT,
    revoked_at       BIGINT,
    usage_count      BIGINT NOT NULL DEFAULT 0,
    last_used_at     BIGINT,
    last_used_source TEXT,
    failed_count     BIGINT NOT NULL DEFAULT 0,
    last_failed_at   BIGINT
);

CREATE TABLE token_scopes (
    token_id TEXT COLLATE "C" NOT NULL,
    scope    TEXT NOT NULL,
    PRIMARY KEY (token_id, scope)
);

CREATE TABLE usage_daily (
    token_id TEXT COLLATE "C" NOT NULL,
    day      BIGINT NOT NULL,
    uses     BIGINT NOT NULL DEFAULT 0,
    failures BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (token_id, day)
);

CREATE TABLE usage_sources (
    token_id     TEXT COLLATE "C" NOT NULL,
    source       TEXT NOT NULL,
    uses         BIGINT NOT NULL DEFAULT 0,
    last_used_at BIGINT NOT NULL,
    PRIMARY KEY (token_id, source)
);

-- Lifecycle history. Keeps the name, so a deleted token's history stays readable.
CREATE TABLE events (
    seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         BIGINT NOT NULL,
    token_id   TEXT COLLATE "C" NOT NULL,
    token_name TEXT NOT NULL,
    action     TEXT NOT NULL,
    actor      TEXT NOT NULL,
    detail     TEXT
);

CREATE INDEX events_token ON events (token_id, seq);
