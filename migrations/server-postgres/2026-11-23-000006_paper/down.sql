DROP TABLE paper_sheets;
DROP TABLE paper_batches;
