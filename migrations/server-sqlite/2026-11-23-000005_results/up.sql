-- Results: the count of a round (frozen when published), the anonymised Pabulib files it was
-- counted from, delivery updates on funded projects ("You said, we did"), and each
-- partnership's baseline for the equality monitoring reach.
CREATE TABLE results (
    round_id TEXT PRIMARY KEY NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    result TEXT NOT NULL,
    review TEXT NOT NULL,
    digest TEXT NOT NULL,
    counted_at TIMESTAMP NOT NULL,
    counted_by TEXT NOT NULL,
    published_at TIMESTAMP,
    published_by TEXT
);

CREATE TABLE result_files (
    round_id TEXT NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    area_key TEXT NOT NULL,
    pabulib TEXT NOT NULL,
    PRIMARY KEY (round_id, area_key)
);

CREATE TABLE project_updates (
    id TEXT PRIMARY KEY NOT NULL,
    round_id TEXT NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    project_key TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('planned', 'in-progress', 'delivered', 'changed', 'cancelled')),
    reason TEXT,
    day TEXT NOT NULL,
    body TEXT NOT NULL,
    spend_to_date BIGINT,
    photo_file TEXT,
    photo_type TEXT,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX project_updates_round ON project_updates (round_id, day);

CREATE TABLE monitoring_baselines (
    partnership_id TEXT NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    per_mille BIGINT NOT NULL CHECK (per_mille BETWEEN 0 AND 1000),
    PRIMARY KEY (partnership_id, question, answer)
);
