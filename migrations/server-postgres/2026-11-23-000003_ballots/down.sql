DROP TABLE monitoring;
DROP TABLE voting_codes;
DROP TABLE ballots;
