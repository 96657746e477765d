-- codevwidgets' PostgreSQL store, schema 5: days of many groups (core.day). A day's groups are
-- sessions; the day itself (its people, which group each is in, who facilitates) is one row,
-- its data a core.day.Day as JSON, changed as a whole by Store.change_day. SQLite's schema 7
-- has the same table.

CREATE TABLE days (
    id TEXT PRIMARY KEY, key_hash TEXT NOT NULL, code_hash TEXT NOT NULL,
    data TEXT NOT NULL, revision INTEGER NOT NULL DEFAULT 1, created DOUBLE PRECISION NOT NULL
);
