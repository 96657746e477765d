-- codevwidgets' PostgreSQL store, schema 6: topics prepared ahead and the group's dots
-- (core.topics). One topic per session and person (person: the name as person_key compares
-- names); per voter and topic, how many dots they gave. SQLite's schema 8 has the same tables.

CREATE TABLE topics (
    session_id TEXT NOT NULL REFERENCES sessions(id), person TEXT NOT NULL,
    author TEXT NOT NULL, headline TEXT NOT NULL, context TEXT NOT NULL, tried TEXT NOT NULL,
    help TEXT NOT NULL, checklist TEXT NOT NULL, at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (session_id, person)
);
CREATE TABLE dots (
    session_id TEXT NOT NULL REFERENCES sessions(id), voter TEXT NOT NULL, topic TEXT NOT NULL,
    n INTEGER NOT NULL, PRIMARY KEY (session_id, voter, topic)
);
