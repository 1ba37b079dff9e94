DROP TABLE monitoring_baselines;
DROP TABLE project_updates;
DROP TABLE result_files;
DROP TABLE results;
