DROP TABLE rounds;
DROP TABLE ballots;
