-- Ballots (never overwritten or deleted: received → counted, superseded or rejected), voting
-- codes (stored only as hashes) and equality monitoring answers (kept apart from ballots).
CREATE TABLE ballots (
    id TEXT PRIMARY KEY NOT NULL,
    round_id TEXT NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    area_key TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('online', 'kiosk', 'paper')),
    kiosk_id TEXT,
    person TEXT,
    cast_at TIMESTAMP NOT NULL,
    received_at TIMESTAMP NOT NULL,
    choices TEXT NOT NULL,
    language TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('received', 'counted', 'superseded', 'rejected')),
    reason TEXT,
    tracking_code TEXT NOT NULL UNIQUE
);
CREATE INDEX ballots_round_person ON ballots (round_id, person);
CREATE INDEX ballots_round_cast ON ballots (round_id, cast_at);
CREATE UNIQUE INDEX ballots_online_person ON ballots (round_id, person)
    WHERE channel = 'online' AND person IS NOT NULL;

CREATE TABLE voting_codes (
    round_id TEXT NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (round_id, code_hash)
);

CREATE TABLE monitoring (
    id TEXT PRIMARY KEY NOT NULL,
    round_id TEXT NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    age_band TEXT,
    sex TEXT,
    ethnic_group TEXT,
    disability TEXT,
    influence TEXT
);
CREATE INDEX monitoring_round ON monitoring (round_id);
