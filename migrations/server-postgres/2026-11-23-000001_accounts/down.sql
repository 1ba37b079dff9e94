DROP TABLE login_attempts;
DROP TABLE sessions;
DROP TABLE api_tokens;
DROP TABLE memberships;
DROP TABLE partnerships;
DROP TABLE users;
