-- The kiosk's own settings: its identity, the server it is enrolled with, its keys.
CREATE TABLE settings (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
