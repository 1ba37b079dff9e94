-- Enrolled kiosks, known by their public keys, and the hash chain of ballots each has sent.
CREATE TABLE kiosks (
    id TEXT PRIMARY KEY NOT NULL,
    partnership_id TEXT NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    enrollment_code_hash TEXT UNIQUE,
    enrollment_expires_at TIMESTAMP,
    public_key TEXT UNIQUE,
    enrolled_at TIMESTAMP,
    revoked_at TIMESTAMP,
    last_seen_at TIMESTAMP,
    last_sync_at TIMESTAMP,
    head_seq BIGINT NOT NULL DEFAULT 0,
    head_hash TEXT NOT NULL,
    ballots_received BIGINT NOT NULL DEFAULT 0,
    pending_reported BIGINT NOT NULL DEFAULT 0,
    clock_skew_seconds BIGINT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX kiosks_partnership ON kiosks (partnership_id);

CREATE TABLE kiosk_chain (
    kiosk_id TEXT NOT NULL REFERENCES kiosks (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    ballot_id TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (kiosk_id, seq)
);
