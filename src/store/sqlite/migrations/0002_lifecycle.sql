-- Schema v2: the lifecycle beyond revoke (issue 11). Times are unix seconds (UTC).

-- Why a token was revoked, as the operator said it.
ALTER TABLE tokens ADD COLUMN revoke_reason TEXT;
-- A compromised token can never be restored, whatever happens to it later.
ALTER TABLE tokens ADD COLUMN compromised INTEGER NOT NULL DEFAULT 0 CHECK (compromised IN (0, 1));
-- At most this many successful verifies in all (NULL: no limit).
ALTER TABLE tokens ADD COLUMN max_uses INTEGER CHECK (max_uses >= 0);
-- The client addresses a verify must come from: a JSON array of CIDRs (NULL: any address).
ALTER TABLE tokens ADD COLUMN allowed_cidrs TEXT;
-- Rotation links: the token this one replaced, and the one that replaced it.
ALTER TABLE tokens ADD COLUMN rotated_from TEXT;
ALTER TABLE tokens ADD COLUMN rotated_to TEXT;
-- A rotated token verifies until then and reads as revoked from then on.
ALTER TABLE tokens ADD COLUMN grace_ends_at INTEGER;

-- An event's structured details (a JSON object, per action), so no reader parses prose.
ALTER TABLE events ADD COLUMN data TEXT;
