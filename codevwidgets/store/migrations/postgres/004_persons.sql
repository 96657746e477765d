-- codevwidgets' PostgreSQL store, schema 3: one person, one voice (core.voices). Per session
-- and name (person: the name as person_key compares names, computed in Python): the page that
-- first rated or contributed under it (page), and the page that joined through its personal
-- link (claimed_by). SQLite's schema 5 has the same table.

CREATE TABLE persons (
    session_id TEXT NOT NULL REFERENCES sessions(id), person TEXT NOT NULL,
    name TEXT NOT NULL, page TEXT, claimed_by TEXT,
    PRIMARY KEY (session_id, person)
);
