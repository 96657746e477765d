"""What every SQL store does the same way: the commands, contributions, notes and signals.

``SQLiteStore`` and ``PostgresStore`` differ in how they connect, lock, migrate and watch;
the rules (a command applied to the latest stored state in one transaction that bumps the
revision, rate limits, what a participant's kernel may load) are written once, here, as SQL
that both engines run. Placeholders are ``?``; PostgreSQL's connection turns them into ``%s``.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import secrets
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, suppress
from dataclasses import asdict
from typing import Any, ClassVar, Protocol, Self

from codevwidgets.core.clock import Clock
from codevwidgets.core.commands import Command, apply_command
from codevwidgets.core.roster import Roster, name_key
from codevwidgets.core.runbook import Runbook, resolve, runbook_from_json, runbook_to_json
from codevwidgets.core.session import (
    MAX_NAME,
    Contribution,
    Event,
    RateLimited,
    Session,
    SessionError,
    validate_contribution,
)
from codevwidgets.core.signals import PRESENT_WITHIN, SEEN, SEEN_EVERY, SIGNAL_KINDS, Signal
from codevwidgets.store.base import (
    Secrets,
    SessionSummary,
    StoredSession,
    Watcher,
    hash_secret,
    join_code_for,
)

__all__ = ["Database", "SQLStore", "fill_group_keys", "group_key", "state_json"]

# Everything a session holds besides its row in sessions.
DELETE_FROM = ("contributions", "notes", "events", "signals")


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Database(Protocol):
    """A connection inside one transaction: ``execute(sql, params)`` with ``?`` placeholders."""

    def execute(self, sql: str, params: Sequence[Any] = (), /) -> Cursor: ...


class SQLStore(ABC):
    """The ``Store`` methods, on a database a subclass connects to.

    A subclass gives ``_write`` (a transaction that may write: commands in it see the latest
    committed state and nobody else writes the session until it ends), ``_read`` (one
    snapshot for several SELECTs), ``_query`` (one statement), the SQL that differs between
    engines, ``_forget`` (what a delete must also wipe), ``watch`` and ``close``.
    """

    rate_limit: int | None = 5  # contributions per participant (None: no limit) …
    rate_window = 30.0  # … within this many seconds
    signal_limit = 20  # hands, ready and more time per participant within rate_window

    # -- what differs between engines ------------------------------------------------------
    # Appended to the SELECT of the session row that opens every write: PostgreSQL locks the
    # row (FOR UPDATE) so two kernels' writes to one session queue; SQLite's write lock
    # (BEGIN IMMEDIATE) already covers the whole file.
    lock_row: ClassVar[str] = ""
    # The participant named in a signal event's JSON data.
    event_participant: ClassVar[str]
    # The order sessions were stored in, among those created at the same time.
    session_order: ClassVar[str]
    # The driver's errors: a session created twice, and anything else it raises.
    duplicate: ClassVar[tuple[type[Exception], ...]]
    driver_errors: ClassVar[tuple[type[Exception], ...]]

    clock: Clock
    _books: dict[str, Runbook]  # snapshots never change: read once

    @abstractmethod
    def _write(self) -> AbstractContextManager[Database]: ...

    @abstractmethod
    def _read(self) -> AbstractContextManager[Database]: ...

    def _query(self) -> AbstractContextManager[Database]:
        return self._read()

    @abstractmethod
    def _forget(self) -> None:
        """After a delete: wipe what the engine still keeps of the deleted rows."""

    @abstractmethod
    def _where(self) -> str:
        """The store, for messages (never a password)."""

    @abstractmethod
    def watch(
        self,
        session_id: str,
        on_change: Callable[[int], None],
        *,
        interval: float = 0.025,
        start_thread: bool = True,
    ) -> Watcher: ...

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- sessions --------------------------------------------------------------------------

    def create(
        self, session: Session, runbook_ref: str, language: str, roster: Roster | None = None
    ) -> Secrets:
        """Store a new session with a snapshot of its runbook (and of its group's roster);
        ``runbook_ref`` is a preset name or a runbook file's path, for people to read (the
        snapshot is what is used)."""
        key = secrets.token_urlsafe(24)
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
            group_key(roster.group) if roster else None,
        )
        try:
            with self._write() as db:
                db.execute(
                    "INSERT INTO sessions (id, runbook, language, key_hash, code_hash, state,"
                    " revision, created, updated, snapshot, roster, group_key)"
                    " VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)",
                    row,
                )
                for step_id, fields in session.notes.items():
                    for field_id, text in fields.items():
                        db.execute(
                            "INSERT INTO notes VALUES (?, ?, ?, ?, ?)",
                            (session.id, step_id, field_id, text, now),
                        )
                self._log(db, session.id, Event("created", {"runbook": runbook_ref}))
        except self.duplicate:
            raise ValueError(f"session {session.id!r} already exists in {self._where()}") from None
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
                "SELECT runbook, language, state, revision, snapshot, roster, created FROM sessions"
                " WHERE id = ?",
                (session_id,),
            ).fetchone()
            if row is None:
                return None
            state = json.loads(row[2])
            state["notes"] = self._notes(db, session_id) if private else {}
            items = self._contributions(db, session_id, include_hidden=private)
            if not private:  # how each person rated the session is the facilitator's to see
                items = [c for c in items if c.kind != "evaluation"]
            state["contributions"] = [asdict(c) for c in items]
            state["signals"] = [asdict(s) for s in self._signals(db, session_id, private)]
            if not private:  # who spoke how long, and who signalled, are the console's
                state.update(speaker=None, talk_since=None, talk={})
        book = self._runbook(session_id, row[0], row[4])
        # The group's emails are the console's: a participant's kernel gets its members'
        # names only, to ask "who are you?".
        group = Roster.model_validate_json(row[5]) if row[5] else None
        roster = group if private else None
        names = tuple(member.name for member in group.members) if group else ()
        return StoredSession(
            session_id, row[0], row[1], book, state, int(row[3]), roster, float(row[6]), names
        )

    def _runbook(self, session_id: str, ref: str, snapshot: str | None) -> Runbook:
        book = self._books.get(session_id)
        if book is None:
            # A session stored before snapshots (schema 1) whose file has gone since fails
            # here, with the file's own located message.
            book = runbook_from_json(snapshot) if snapshot else resolve(ref)
            self._books[session_id] = book
        return book

    def execute(self, session_id: str, command: Command) -> int:
        """Apply ``command`` to the latest stored state in one transaction; the new revision.

        Raises ``SessionError`` / ``RolesError`` / ``ValueError`` when the command makes no
        sense on that state (e.g. *next* after another console finished): nothing is written.
        """
        now = self.clock()
        with self._write() as db:
            session = self._session_in(db, session_id)
            if session is None:
                raise SessionError(f"no session {session_id!r} in {self._where()}")
            data = dict(command.args)
            if command.name == "set_note":
                apply_command(session, command)  # validates the step, field and length
                db.execute(
                    "INSERT INTO notes VALUES (?, ?, ?, ?, ?)"
                    " ON CONFLICT (session_id, step_id, field_id) DO UPDATE"
                    " SET text = excluded.text, updated = excluded.updated",
                    (session_id, data["step"], data["field"], data["text"], now),
                )
                del data["text"]  # the log says a note changed, never what it says
            elif command.name == "lower_hand":
                apply_command(session, command)  # validates the arguments
                participant = data.get("participant")
                db.execute(
                    "DELETE FROM signals WHERE session_id = ? AND kind = 'hand'"
                    " AND (CAST(? AS TEXT) IS NULL OR participant = ?)",
                    (session_id, participant, participant),
                )
            elif command.name == "keep_time":  # the requests for more time are answered
                apply_command(session, command)
                db.execute(
                    "DELETE FROM signals WHERE session_id = ? AND kind = 'more_time'",
                    (session_id,),
                )
            elif command.name == "hide":
                hidden = bool(data.get("hidden", True))
                number = data.get("id")
                changed = isinstance(number, int) and (
                    db.execute(
                        "UPDATE contributions SET hidden = ? WHERE session_id = ? AND id = ?",
                        (int(hidden), session_id, number),
                    ).rowcount
                )
                if not changed:
                    raise ValueError(f"no contribution {number!r} in this session")
            else:
                apply_command(session, command)
                db.execute(
                    "UPDATE sessions SET state = ? WHERE id = ?", (state_json(session), session_id)
                )
                if command.name == "extend":  # more time given: the requests are answered
                    db.execute(
                        "DELETE FROM signals WHERE session_id = ? AND kind = 'more_time'",
                        (session_id,),
                    )
            revision = self._bump(db, session_id)
            self._log(db, session_id, Event(command.name, data))
        return revision

    def _session_in(self, db: Database, session_id: str) -> Session | None:
        """The session as stored now (inside the caller's write), or None; from here on no
        other kernel writes it until the caller's transaction ends."""
        row = db.execute(
            f"SELECT runbook, state, snapshot FROM sessions WHERE id = ?{self.lock_row}",  # noqa: S608
            (session_id,),
        ).fetchone()
        if row is None:
            return None
        book = self._runbook(session_id, row[0], row[2])
        return Session.from_dict(json.loads(row[1]), book, self.clock)

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

    def group_sessions(self, group: str) -> list[str]:
        """The sessions stored with a roster of ``group`` (as ``name_key`` compares names),
        oldest first; read through the ``sessions_by_group`` index, never every session."""
        with self._query() as db:
            rows = db.execute(
                "SELECT id FROM sessions WHERE group_key = ?"  # noqa: S608
                f" ORDER BY {self.session_order}",
                (group_key(group),),
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

    def delete(self, session_id: str) -> bool:
        """Remove a session and everything typed in it, from the files too; False if unknown."""
        with self._write() as db:
            db.execute(
                f"SELECT id FROM sessions WHERE id = ?{self.lock_row}",  # noqa: S608
                (session_id,),
            )
            for table in DELETE_FROM:
                db.execute(f"DELETE FROM {table} WHERE session_id = ?", (session_id,))  # noqa: S608
            found = db.execute("DELETE FROM sessions WHERE id = ?", (session_id,)).rowcount > 0
        self._books.pop(session_id, None)
        if found:
            self._forget()
        return found

    def purge(self, older_than: float) -> list[str]:
        """Delete every session not changed since ``older_than`` (epoch seconds); their ids."""
        with self._query() as db:
            rows = db.execute(
                "SELECT id FROM sessions WHERE updated < ? ORDER BY created", (older_than,)
            ).fetchall()
        return [row[0] for row in rows if self.delete(row[0])]

    # -- notes and contributions -----------------------------------------------------------

    def notes(self, session_id: str) -> dict[str, dict[str, str]]:
        """The facilitator's notes, by step and field."""
        with self._query() as db:
            return self._notes(db, session_id)

    def _notes(self, db: Database, session_id: str) -> dict[str, dict[str, str]]:
        notes: dict[str, dict[str, str]] = {}
        for step_id, field_id, text in db.execute(
            "SELECT step_id, field_id, text FROM notes WHERE session_id = ?"
            " ORDER BY step_id, field_id",
            (session_id,),
        ).fetchall():
            notes.setdefault(step_id, {})[field_id] = text
        return notes

    def add_contribution(
        self,
        session_id: str,
        step_id: str,
        author: str | None,
        text: str,
        kind: str | None,
        participant: str,
    ) -> Contribution:
        """Store a participant's contribution, validated against the session's runbook.

        ``participant`` identifies the sender for the rate limit (one id per page); raises
        ``ValueError`` for a bad contribution or a session that is not running,
        ``RateLimited`` when sent too fast.
        """
        now = self.clock()
        with self._write() as db:
            row = db.execute(
                f"SELECT runbook, state, snapshot FROM sessions WHERE id = ?{self.lock_row}",  # noqa: S608
                (session_id,),
            ).fetchone()
            if row is None:
                raise ValueError(f"no session {session_id!r}")
            book = self._runbook(session_id, row[0], row[2])
            step = next((s for s in book.steps if s.id == step_id), None)
            if step is None:
                raise ValueError(f"session {session_id!r} has no step '{step_id}'")
            author, text, kind = validate_contribution(step, author, text, kind)
            if json.loads(row[1])["status"] not in {"running", "paused"}:
                raise ValueError("the session is not running: it takes no contribution now")
            if self.rate_limit is not None:
                recent = db.execute(
                    "SELECT COUNT(*) FROM contributions WHERE session_id = ? AND participant = ?"
                    " AND at > ?",
                    (session_id, participant, now - self.rate_window),
                ).fetchone()[0]
                if recent >= self.rate_limit:
                    raise RateLimited(
                        f"at most {self.rate_limit} contributions every "
                        f"{self.rate_window:g} seconds: wait a moment and send it again"
                    )
            number = int(
                db.execute(
                    "INSERT INTO contributions (session_id, step_id, author, text, kind, at,"
                    " participant) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    (session_id, step_id, author, text, kind, now, participant),
                ).fetchone()[0]
            )
            self._bump(db, session_id)
            self._log(db, session_id, Event("contribution", {"id": number, "step": step_id}))
        return Contribution(number, step_id, author, text, now, False, kind)

    def contributions(self, session_id: str, include_hidden: bool = False) -> list[Contribution]:
        """The session's contributions in the order they arrived."""
        with self._query() as db:
            return self._contributions(db, session_id, include_hidden)

    def _contributions(
        self, db: Database, session_id: str, include_hidden: bool
    ) -> list[Contribution]:
        rows = db.execute(
            "SELECT id, step_id, author, text, at, hidden, kind FROM contributions"
            " WHERE session_id = ? AND (? OR hidden = 0) ORDER BY id",
            (session_id, include_hidden),
        ).fetchall()
        return [Contribution(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6]) for r in rows]

    # -- participants' signals -------------------------------------------------------------

    def signal(
        self, session_id: str, participant: str, name: str | None, kind: str, on: bool
    ) -> None:
        """Raise or lower one page's own signal: a hand, ready with the step, more time.

        ``participant`` is the page's id (a page changes only its own signals); ``name`` how
        the console shows it. Ready and more time count for the step the session is at; more
        time only once its countdown has reached zero. Raises ``ValueError`` for a bad signal
        or a session that is not running, ``RateLimited`` when sent too fast.
        """
        if kind not in SIGNAL_KINDS:
            raise ValueError(f"unknown signal {kind!r}")
        name = _page_and_name(participant, name, "a signal needs the page's id")
        now = self.clock()
        with self._write() as db:
            session = self._session_in(db, session_id)
            if session is None:
                raise ValueError(f"no session {session_id!r}")
            if session.status not in {"running", "paused"}:
                raise ValueError("the session is not running: it takes no signal now")
            if on and kind == "more_time" and session.remaining() > 0:
                raise ValueError("more time can be asked once the countdown reaches zero")
            recent = db.execute(
                "SELECT COUNT(*) FROM events WHERE session_id = ? AND kind = 'signal'"  # noqa: S608
                f" AND at > ? AND {self.event_participant} = ?",
                (session_id, now - self.rate_window, participant),
            ).fetchone()[0]
            if recent >= self.signal_limit:
                raise RateLimited(
                    f"at most {self.signal_limit} signals every {self.rate_window:g} seconds"
                )
            step_id = session.current_step.id
            if not on:
                db.execute(
                    "DELETE FROM signals WHERE session_id = ? AND participant = ? AND kind = ?",
                    (session_id, participant, kind),
                )
            else:
                # A hand raised again keeps its place; ready and more time belong to a step.
                db.execute(
                    "INSERT INTO signals VALUES (?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (session_id, participant, kind) DO UPDATE"
                    " SET step_id = excluded.step_id, at = excluded.at, name = excluded.name"
                    " WHERE excluded.kind != 'hand' AND signals.step_id != excluded.step_id",
                    (session_id, participant, name, kind, step_id, now),
                )
            self._bump(db, session_id)
            data = {"kind": kind, "on": on, "participant": participant}
            self._log(db, session_id, Event("signal", data))

    def seen(self, session_id: str, participant: str, name: str | None) -> None:
        """Note that ``participant``'s page is connected now (its clock synced): presence.

        One row per page, its time moved forward, written only when the page was last
        written ``SEEN_EVERY`` or more ago (at most one write per beat, however often it
        syncs). The revision moves, waking every kernel of the session, only when the page
        arrives, comes back after ``PRESENT_WITHIN`` or changes its name (it chose one, or
        "not you?": the console must not show the old name for a beat): a steady beat
        would reload every page's state a few times a minute for nothing, as only the
        console shows presence (it reads the rows on its own beat: ``LiveLink.refresh``).
        Raises ``ValueError`` for a bad id or name or an unknown session.
        """
        name = _page_and_name(participant, name, "presence needs the page's id")
        now = self.clock()
        with self._write() as db:
            session = self._session_in(db, session_id)
            if session is None:
                raise ValueError(f"no session {session_id!r}")
            before = db.execute(
                "SELECT at, name FROM signals WHERE session_id = ? AND participant = ?"
                " AND kind = ?",
                (session_id, participant, SEEN),
            ).fetchone()
            if before is not None and now - before[0] < SEEN_EVERY and before[1] == name:
                return
            db.execute(
                "INSERT INTO signals VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (session_id, participant, kind) DO UPDATE"
                " SET at = excluded.at, step_id = excluded.step_id, name = excluded.name",
                (session_id, participant, name, SEEN, session.current_step.id, now),
            )
            renamed = before is not None and before[1] != name
            if renamed:  # the page's hand and "ready" go by its new name too
                db.execute(
                    "UPDATE signals SET name = ? WHERE session_id = ? AND participant = ?",
                    (name, session_id, participant),
                )
            if before is None or now - before[0] >= PRESENT_WITHIN or renamed:
                self._bump(db, session_id)

    def signals(self, session_id: str) -> list[Signal]:
        """Every standing signal of the session, oldest first (the console's copy)."""
        with self._query() as db:
            return self._signals(db, session_id, private=True)

    def _signals(self, db: Database, session_id: str, private: bool) -> list[Signal]:
        rows = db.execute(
            "SELECT participant, name, kind, step_id, at FROM signals WHERE session_id = ?"
            " ORDER BY at, participant",
            (session_id,),
        ).fetchall()
        # A participant's kernel finds its own place by its id; others' names stay out of it,
        # and who is connected is the console's alone.
        return [
            Signal(r[0], r[1] if private else None, r[2], r[3], r[4])
            for r in rows
            if private or r[2] != SEEN
        ]

    # -- events ----------------------------------------------------------------------------

    def events(self, session_id: str) -> list[tuple[float, str, dict[str, Any]]]:
        """The session's history: ``(at, kind, data)`` in the order things happened."""
        with self._query() as db:
            rows = db.execute(
                "SELECT at, kind, data FROM events WHERE session_id = ? ORDER BY seq",
                (session_id,),
            ).fetchall()
        return [(r[0], r[1], json.loads(r[2])) for r in rows]

    def _bump(self, db: Database, session_id: str) -> int:
        # Watchers in other kernels compare revisions: any change must move it.
        row = db.execute(
            "UPDATE sessions SET revision = revision + 1, updated = ? WHERE id = ?"
            " RETURNING revision",
            (self.clock(), session_id),
        ).fetchone()
        return int(row[0])

    def _log(self, db: Database, session_id: str, event: Event) -> None:
        db.execute(
            "INSERT INTO events (session_id, at, kind, data) VALUES (?, ?, ?, ?)",
            (session_id, self.clock(), event.kind, json.dumps(event.data, default=str)),
        )


def state_json(session: Session) -> str:
    # Notes and contributions live in tables of their own, written by their own commands:
    # leaving them out keeps notes from participants' kernels and keeps one writer from
    # overwriting what another typed.
    state = session.to_dict()
    del state["contributions"], state["notes"], state["signals"]
    return json.dumps(state, ensure_ascii=False)


def group_key(group: str) -> str:
    """What ``sessions.group_key`` holds for a roster's ``group``: its name as ``name_key``
    compares names (computed here rather than in SQL: neither engine casefolds as Python)."""
    return name_key(group)


def fill_group_keys(db: Database) -> None:
    """Give the sessions stored before ``group_key`` existed theirs, from their roster (a
    migration's step, on either engine)."""
    rows = db.execute(
        "SELECT id, roster FROM sessions WHERE roster IS NOT NULL AND group_key IS NULL"
    ).fetchall()
    for session_id, roster in rows:
        with suppress(ValueError, AttributeError):  # not a roster this release can read
            group = json.loads(roster).get("group")
            if isinstance(group, str):
                db.execute(
                    "UPDATE sessions SET group_key = ? WHERE id = ?", (group_key(group), session_id)
                )


def _page_and_name(participant: object, name: object, missing: str) -> str | None:
    """The name a page gives (trimmed, None when blank), once its id and name are checked."""
    if not isinstance(participant, str) or not 1 <= len(participant) <= MAX_NAME:
        raise ValueError(missing)
    shown = (name.strip() or None) if isinstance(name, str) else None
    if shown is not None and len(shown) > MAX_NAME:
        raise ValueError(f"a name is at most {MAX_NAME} characters")
    return shown
