ALTER TABLE projects DROP COLUMN easy_read;
ALTER TABLE ballots DROP COLUMN assisted;
