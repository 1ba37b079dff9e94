-- The kiosk's append-only ballot log (a hash chain) and its offline copy of the rounds.
CREATE TABLE ballots (
    seq INTEGER PRIMARY KEY NOT NULL,
    id TEXT NOT NULL UNIQUE,
    round_id TEXT NOT NULL,
    person TEXT,
    record TEXT NOT NULL,
    hash TEXT NOT NULL,
    cast_at TEXT NOT NULL,
    synced_at TEXT,
    outcome TEXT
);
CREATE UNIQUE INDEX ballots_person ON ballots (round_id, person) WHERE person IS NOT NULL;
CREATE INDEX ballots_unsynced ON ballots (synced_at, seq);

CREATE TABLE rounds (
    id TEXT PRIMARY KEY NOT NULL,
    data TEXT NOT NULL
);
