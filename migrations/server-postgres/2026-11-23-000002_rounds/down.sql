DROP TRIGGER audit_log_no_change ON audit_log;
DROP FUNCTION audit_log_append_only();
DROP TABLE audit_log;
DROP TABLE schedule_slots;
DROP TABLE translations;
DROP TABLE projects;
DROP TABLE areas;
DROP TABLE rounds;
