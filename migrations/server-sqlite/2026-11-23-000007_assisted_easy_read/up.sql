-- Assisted voting at kiosks (recorded as such, without identity) and easy-read project texts.
ALTER TABLE ballots ADD COLUMN assisted BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE projects ADD COLUMN easy_read TEXT NOT NULL DEFAULT '';
