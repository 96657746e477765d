-- codevwidgets' PostgreSQL store, schema 2: a group's sessions found by an index, not by
-- reading every session's roster. group_key is the roster's group as name_key compares names
-- (stripped, casefolded): Python computes it (PostgreSQL's lower() is not casefold), and
-- fills it for the sessions stored before it existed (postgres.migrate, after this file).
-- The index's order is session_order's (created, seq): a group's sessions, oldest first.

ALTER TABLE sessions ADD COLUMN group_key TEXT;
CREATE INDEX sessions_by_group ON sessions(group_key, created, seq);
