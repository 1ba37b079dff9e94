DROP TABLE monitoring;
