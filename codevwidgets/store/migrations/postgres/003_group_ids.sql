-- codevwidgets' PostgreSQL store, schema 3: a group is an identity, not a name. Schema 2 found
-- a group's sessions by its name (group_key), so two client organisations' groups of one name
-- ("Managers 2027") saw each other's sessions. Now each session holds its group's id
-- (group_id, random), and roster_groups maps where a roster came from (a digest of its file
-- and group name, or of its content) to its group: see codevwidgets/store/sql_groups.py.
-- The sessions stored before get their group from their roster's content (group name and
-- members): postgres.migrate runs sql_groups.fill_group_ids after this file.
-- The index's order is session_order's (created, seq): a group's sessions, oldest first.

DROP INDEX sessions_by_group;
ALTER TABLE sessions DROP COLUMN group_key;
ALTER TABLE sessions ADD COLUMN group_id TEXT;
CREATE INDEX sessions_by_group ON sessions(group_id, created, seq);
CREATE TABLE roster_groups (source TEXT PRIMARY KEY, group_id TEXT NOT NULL);
