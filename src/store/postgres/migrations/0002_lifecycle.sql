-- Schema v2 on PostgreSQL: the lifecycle beyond revoke (issue 11), as on SQLite.

-- Why a token was revoked, as the operator said it.
ALTER TABLE tokens ADD COLUMN revoke_reason TEXT;
-- A compromised token can never be restored, whatever happens to it later.
ALTER TABLE tokens ADD COLUMN compromised BOOLEAN NOT NULL DEFAULT false;
-- At most this many successful verifies in all (NULL: no limit).
ALTER TABLE tokens ADD COLUMN max_uses BIGINT CHECK (max_uses >= 0);
-- The client addresses a verify must come from: a JSON array of CIDRs (NULL: any address).
ALTER TABLE tokens ADD COLUMN allowed_cidrs TEXT;
-- Rotation links: the token this one replaced, and the one that replaced it.
ALTER TABLE tokens ADD COLUMN rotated_from TEXT COLLATE "C";
ALTER TABLE tokens ADD COLUMN rotated_to TEXT COLLATE "C";
-- A rotated token verifies until then and reads as revoked from then on.
ALTER TABLE tokens ADD COLUMN grace_ends_at BIGINT;

-- An event's structured details (a JSON object, per action), so no reader parses prose.
ALTER TABLE events ADD COLUMN data TEXT;
