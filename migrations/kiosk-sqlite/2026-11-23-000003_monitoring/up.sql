-- Equality monitoring answers taken at the kiosk, kept apart from ballots (no ballot, person or
-- time of day) until the server holds them.
CREATE TABLE monitoring (
    id TEXT PRIMARY KEY NOT NULL,
    round_id TEXT NOT NULL,
    day TEXT NOT NULL,
    answers TEXT NOT NULL,
    synced INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX monitoring_unsynced ON monitoring (synced);
