-- Project images, downloaded with the rounds so the voting screen shows them offline.
CREATE TABLE images (
    round_id TEXT NOT NULL,
    project_key TEXT NOT NULL,
    content_type TEXT NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (round_id, project_key)
);
