-- Budget rounds with their areas, projects, translations and pop-up schedule, and the
-- append-only audit log of every change officers and admins make.
CREATE TABLE rounds (
    id TEXT PRIMARY KEY NOT NULL,
    partnership_id TEXT NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    opens_at TIMESTAMP NOT NULL,
    closes_at TIMESTAMP NOT NULL,
    method TEXT NOT NULL,
    rule TEXT NOT NULL,
    eligibility TEXT NOT NULL,
    languages TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'open', 'closed', 'counted', 'published', 'cancelled')),
    voter_key_salt TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX rounds_partnership ON rounds (partnership_id, created_at);

CREATE TABLE areas (
    id TEXT PRIMARY KEY NOT NULL,
    round_id TEXT NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    budget BIGINT NOT NULL CHECK (budget >= 0),
    postcodes TEXT NOT NULL,
    position INTEGER NOT NULL,
    UNIQUE (round_id, key)
);

CREATE TABLE projects (
    id TEXT PRIMARY KEY NOT NULL,
    round_id TEXT NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    area_key TEXT NOT NULL,
    key TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    description TEXT NOT NULL,
    cost BIGINT NOT NULL CHECK (cost >= 0),
    category TEXT NOT NULL,
    proposer TEXT NOT NULL,
    location TEXT NOT NULL,
    image_file TEXT,
    image_type TEXT,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (round_id, key)
);

CREATE TABLE translations (
    round_id TEXT NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    project_key TEXT NOT NULL,
    language TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    description TEXT NOT NULL,
    PRIMARY KEY (round_id, project_key, language)
);

CREATE TABLE schedule_slots (
    id TEXT PRIMARY KEY NOT NULL,
    round_id TEXT NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    place TEXT NOT NULL,
    address TEXT NOT NULL,
    day TEXT NOT NULL,
    starts TEXT NOT NULL,
    ends TEXT NOT NULL,
    notes TEXT NOT NULL
);
CREATE INDEX schedule_slots_round ON schedule_slots (round_id, day, starts);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY NOT NULL,
    partnership_id TEXT NOT NULL,
    actor_id TEXT,
    actor_email TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    action TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX audit_log_partnership ON audit_log (partnership_id, at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
