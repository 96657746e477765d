-- codevwidgets' PostgreSQL store, schema 1: the tables of SQLite's schema 3, and a
-- notification of every new revision (the kernels' change feed).
-- Applied by codevwidgets.postgres_store in one transaction, recorded in schema_version.

CREATE TABLE sessions (
    id TEXT PRIMARY KEY, runbook TEXT NOT NULL, language TEXT NOT NULL,
    key_hash TEXT NOT NULL, code_hash TEXT NOT NULL,
    state TEXT NOT NULL, revision BIGINT NOT NULL DEFAULT 0,
    created DOUBLE PRECISION NOT NULL, updated DOUBLE PRECISION NOT NULL,
    snapshot TEXT, roster TEXT,
    -- The order sessions were stored in (SQLite's rowid).
    seq BIGINT GENERATED ALWAYS AS IDENTITY
);

CREATE TABLE contributions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id),
    step_id TEXT NOT NULL, author TEXT, text TEXT NOT NULL, kind TEXT,
    at DOUBLE PRECISION NOT NULL, hidden INTEGER NOT NULL DEFAULT 0, participant TEXT NOT NULL
);
CREATE INDEX contributions_by_participant ON contributions(session_id, participant, at);

CREATE TABLE events (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, session_id TEXT NOT NULL,
    at DOUBLE PRECISION NOT NULL, kind TEXT NOT NULL, data TEXT NOT NULL
);
CREATE INDEX events_by_session ON events(session_id, seq);

CREATE TABLE notes (
    session_id TEXT NOT NULL REFERENCES sessions(id), step_id TEXT NOT NULL,
    field_id TEXT NOT NULL, text TEXT NOT NULL, updated DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (session_id, step_id, field_id)
);

CREATE TABLE signals (
    session_id TEXT NOT NULL REFERENCES sessions(id), participant TEXT NOT NULL,
    name TEXT, kind TEXT NOT NULL, step_id TEXT NOT NULL, at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (session_id, participant, kind)
);

-- The change feed: each new revision (and a deletion, as revision -1) is announced, at
-- commit, on the session's own channel, so a kernel hears only the session it follows.
-- The channel is a digest of the id (a channel name is at most 63 bytes); the payload
-- names the session and the revision. Notifications are not replayed: a kernel that was
-- not listening reads the revision from the table (postgres_store.PostgresWatcher).
CREATE FUNCTION codev_session_channel(session_id TEXT) RETURNS TEXT
    LANGUAGE SQL IMMUTABLE AS $$ SELECT 'codev_' || left(md5(session_id), 16) $$;

CREATE FUNCTION codev_announce_revision() RETURNS TRIGGER
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify(
            codev_session_channel(OLD.id),
            json_build_object('session', OLD.id, 'revision', -1)::text
        );
        RETURN OLD;
    END IF;
    PERFORM pg_notify(
        codev_session_channel(NEW.id),
        json_build_object('session', NEW.id, 'revision', NEW.revision)::text
    );
    RETURN NEW;
END
$$;

CREATE TRIGGER sessions_announce_revision
    AFTER INSERT OR DELETE OR UPDATE OF revision ON sessions
    FOR EACH ROW EXECUTE FUNCTION codev_announce_revision();
