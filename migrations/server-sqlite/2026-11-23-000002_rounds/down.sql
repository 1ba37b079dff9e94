DROP TRIGGER audit_log_no_delete;
DROP TRIGGER audit_log_no_update;
DROP TABLE audit_log;
DROP TABLE schedule_slots;
DROP TABLE translations;
DROP TABLE projects;
DROP TABLE areas;
DROP TABLE rounds;
