"""Sessions in an SQL store: created with their secrets' hashes, loaded per reader, listed,
and changed by commands applied by core to the latest stored state."""

from __future__ import annotations

import datetime as dt
import hmac
import json
import secrets
from contextlib import suppress
from typing import Any

from codevwidgets.core.commands import Command, apply_command, reads_kept_apart
from codevwidgets.core.notes import shared_fields
from codevwidgets.core.roster import Roster
from codevwidgets.core.runbook import runbook_from_json, runbook_to_json
from codevwidgets.core.session import Event, Session
from codevwidgets.store.base import (
    Secrets,
    SessionSummary,
    StoredSession,
    hash_secret,
    join_code_for,
)
from codevwidgets.store.sql_base import UPSERT_NOTE, Database, SQLBase, state_json
from codevwidgets.store.sql_groups import group_for

__all__ = ["SessionRows"]


class SessionRows(SQLBase):
    """The ``Store`` methods on sessions as a whole: create, check a secret, load, execute a
    command, list, and read the history."""

    def create(
        self,
        session: Session,
        runbook_ref: str,
        language: str,
        roster: Roster | None = None,
        source: str | None = None,
    ) -> Secrets:
        """Store a new session with a snapshot of its runbook (and of its group's roster);
        ``runbook_ref`` is a preset name or a runbook file's path, for people to read (the
        snapshot is what is used). With a roster, the session is in the group of ``source``
        (where the roster came from, see ``sql_groups``)."""
        key = secrets.token_urlsafe(24)
        with self._write() as db:
            return self._insert_session(db, session, runbook_ref, language, roster, source, key)

    def _insert_session(
        self,
        db: Database,
        session: Session,
        runbook_ref: str,
        language: str,
        roster: Roster | None,
        source: str | None,
        key: str,
    ) -> Secrets:
        """``create``'s rows, in the caller's write (a day's groups are created in one)."""
        code = join_code_for(key)
        now = self.clock()
        row = (
            session.id,
            runbook_ref,
            language,
            hash_secret(key),
            hash_secret(code),
            state_json(session),
            now,
            now,
            runbook_to_json(session.runbook),
            roster.model_dump_json() if roster else None,
        )
        try:
            group = group_for(db, roster, source) if roster else None
            db.execute(
                "INSERT INTO sessions (id, runbook, language, key_hash, code_hash, state,"
                " revision, created, updated, snapshot, roster, group_id)"
                " VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)",
                (*row, group),
            )
        except self.duplicate:
            raise ValueError(f"session {session.id!r} already exists in {self._where()}") from None
        for step_id, fields in session.notes.items():
            for field_id, text in fields.items():
                db.execute(UPSERT_NOTE, (session.id, step_id, field_id, text, now))
        self._log(db, session.id, Event("created", {"runbook": runbook_ref}))
        return Secrets(session.id, key, code)

    def check_key(self, session_id: object, key: object) -> bool:
        """Whether ``key`` is this session's facilitator key (False for anything else)."""
        return self._check(session_id, key, "key_hash")

    def check_code(self, session_id: object, code: object) -> bool:
        """Whether ``code`` is this session's join code (False for anything else)."""
        return self._check(session_id, code, "code_hash")

    def _check(self, session_id: object, secret: object, column: str) -> bool:
        if not (isinstance(session_id, str) and isinstance(secret, str) and session_id and secret):
            return False
        query = f"SELECT {column} FROM sessions WHERE id = ?"  # noqa: S608 — column is ours
        try:
            expected = hash_secret(secret)
            with self._query() as db:
                row = db.execute(query, (session_id,)).fetchone()
        except ValueError:  # e.g. a lone surrogate in a crafted URL
            return False
        except self.driver_errors:  # e.g. a NUL, which PostgreSQL's text cannot hold
            return False
        return row is not None and hmac.compare_digest(row[0], expected)

    def load(self, session_id: str, *, private: bool) -> StoredSession | None:
        """The session at its latest revision, or None if there is none with this id.

        ``private`` (a facilitator's console) adds the notes, hidden contributions and the
        evaluations; a participant's kernel loads ``private=False`` and never sees them.
        """
        with self._read() as db:
            row = db.execute(
                "SELECT runbook, language, state, revision, snapshot, roster, created, group_id"
                " FROM sessions WHERE id = ?",
                (session_id,),
            ).fetchone()
            if row is None:
                return None
            state = json.loads(row[2])
            book = self._runbook(session_id, row[0], row[4])
            # From the contract step on, the question and the contract are everyone's.
            index = state.get("index")
            shared = shared_fields(book, index) if isinstance(index, int) else ()
            state.update(self._kept_apart(db, session_id, private, shared))
            if not private:  # who spoke how long, and who signalled, are the console's
                state.update(speaker=None, talk_since=None, talk={})
        # The group's emails are the console's: a participant's kernel gets its members'
        # names only, to ask "who are you?".
        group = Roster.model_validate_json(row[5]) if row[5] else None
        roster = group if private else None
        names = tuple(member.name for member in group.members) if group else ()
        return StoredSession(
            session_id,
            row[0],
            row[1],
            book,
            state,
            int(row[3]),
            roster,
            float(row[6]),
            names,
            row[7] if private else None,
            group.group if group else "",
        )

    def execute(self, session_id: str, command: Command) -> int:
        """Apply ``command`` to the latest stored state in one transaction; the new revision.

        Core applies it to the session as stored now (``apply_command``; with its notes,
        contributions and signals when core reads them, ``reads_kept_apart``) and decides
        what changes; this writes those effects. Raises ``SessionError`` / ``RolesError`` /
        ``ValueError`` when the command makes no sense on that state (e.g. *next* after
        another console finished): nothing is written.
        """
        with self._write() as db:
            session = self._present(db, session_id, whole=reads_kept_apart(command))
            return self._apply(db, session_id, apply_command(session, command))

    def revision(self, session_id: str) -> int:
        """A number that grows with every change of the session; -1 if there is none."""
        with self._query() as db:
            row = db.execute("SELECT revision FROM sessions WHERE id = ?", (session_id,)).fetchone()
        return int(row[0]) if row else -1

    def session_ids(self) -> list[str]:
        """Every stored session, oldest first."""
        with self._query() as db:
            rows = db.execute(
                f"SELECT id FROM sessions ORDER BY {self.session_order}"  # noqa: S608
            ).fetchall()
        return [r[0] for r in rows]

    def summaries(self) -> list[SessionSummary]:
        """Every stored session, oldest first, as ``codev sessions`` lists them."""
        with self._read() as db:
            rows = db.execute(
                "SELECT id, created, runbook, state, snapshot FROM sessions"  # noqa: S608
                f" ORDER BY {self.session_order}"
            ).fetchall()
        found = []
        for session_id, created, ref, state_text, snapshot in rows:
            state = json.loads(state_text)
            client = None
            with suppress(ValueError):  # a schema-1 session whose file is gone: no client
                client = runbook_from_json(snapshot).client if snapshot else None
            when = dt.datetime.fromtimestamp(created, dt.UTC).isoformat(timespec="seconds")
            step = state["steps"][state["index"]]
            found.append(SessionSummary(session_id, when, ref, client, state["status"], step))
        return found

    def events(self, session_id: str) -> list[tuple[float, str, dict[str, Any]]]:
        """The session's history: ``(at, kind, data)`` in the order things happened."""
        with self._query() as db:
            rows = db.execute(
                "SELECT at, kind, data FROM events WHERE session_id = ? ORDER BY seq",
                (session_id,),
            ).fetchall()
        return [(r[0], r[1], json.loads(r[2])) for r in rows]
