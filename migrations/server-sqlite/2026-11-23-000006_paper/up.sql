-- Paper ballots: batches collected at a place and time, each keyed twice by different
-- officers. A keyed sheet keeps the voter key (argon2id, as online) and keyed hashes of the
-- name and date of birth to show which field two keyings disagree on; never the name or date
-- of birth themselves. Only a reconciled batch becomes ballots.
CREATE TABLE paper_batches (
    id TEXT PRIMARY KEY NOT NULL,
    round_id TEXT NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    place TEXT NOT NULL,
    collected_at TIMESTAMP NOT NULL,
    collected_by TEXT NOT NULL,
    sheets BIGINT NOT NULL CHECK (sheets > 0),
    status TEXT NOT NULL CHECK (status IN ('keying', 'reconciled')),
    first_keyer TEXT,
    second_keyer TEXT,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    reconciled_at TIMESTAMP,
    reconciled_by TEXT
);
CREATE INDEX paper_batches_round ON paper_batches (round_id);

CREATE TABLE paper_sheets (
    batch_id TEXT NOT NULL REFERENCES paper_batches (id) ON DELETE CASCADE,
    pass BIGINT NOT NULL CHECK (pass IN (1, 2)),
    sheet BIGINT NOT NULL,
    postcode TEXT NOT NULL,
    area_key TEXT,
    age_confirmed BOOLEAN NOT NULL,
    name_check TEXT,
    dob_check TEXT,
    person TEXT,
    choices TEXT NOT NULL,
    spoilt TEXT,
    keyed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (batch_id, pass, sheet)
);
