"""What every SQL store is built on: a database in transactions, and the writing of ``Effects``.

``SQLStore`` (``store.sql``) is this base with one mixin per concern (sessions and commands,
contributions and notes, signals and presence, deletion); ``SQLiteStore`` and
``PostgresStore`` give what differs between engines. The rules are core's: a command or a
signal is applied by core to the latest stored session, inside the write, and what core
returns (``Effects``) is written here the same way whatever it came from. Placeholders are
``?``; PostgreSQL's connection turns them into ``%s``.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import asdict
from typing import Any, ClassVar, Protocol, Self

from codevwidgets.core.clock import Clock
from codevwidgets.core.contributions import Contribution
from codevwidgets.core.effects import Effects, Event
from codevwidgets.core.limits import CONTRIBUTIONS, SIGNALS
from codevwidgets.core.runbook import Runbook, resolve, runbook_from_json
from codevwidgets.core.session import DeletedError, Session
from codevwidgets.core.signals import CONSOLE_ONLY, Signal
from codevwidgets.core.voices import Persons, Voice
from codevwidgets.store.base import Watcher

__all__ = ["Cursor", "Database", "SQLBase", "state_json"]

# A note field, or a page's signal of one kind, written again: the last write wins.
UPSERT_NOTE = (
    "INSERT INTO notes VALUES (?, ?, ?, ?, ?) ON CONFLICT (session_id, step_id, field_id)"
    " DO UPDATE SET text = excluded.text, updated = excluded.updated"
)
UPSERT_SIGNAL = (
    "INSERT INTO signals VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (session_id, participant, kind)"
    " DO UPDATE SET name = excluded.name, step_id = excluded.step_id, at = excluded.at"
)

# A name's first voice: the page that first rated or contributed under it (never replaced).
UPSERT_SPOKE = (
    "INSERT INTO persons (session_id, person, name, page) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (session_id, person) DO UPDATE SET name = excluded.name, page = excluded.page"
    " WHERE persons.page IS NULL"
)


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Database(Protocol):
    """A connection inside one transaction: ``execute(sql, params)`` with ``?`` placeholders."""

    def execute(self, sql: str, params: Sequence[Any] = (), /) -> Cursor: ...


class SQLBase(ABC):
    """A database a subclass connects to, and what every concern's methods share.

    A subclass gives ``_write`` (a transaction that may write: commands in it see the latest
    committed state and nobody else writes the session until it ends), ``_read`` (one
    snapshot for several SELECTs), ``_query`` (one statement), the SQL that differs between
    engines, ``_forget`` (what a delete must also wipe), ``watch`` and ``close``.
    """

    # Core's limits (``core.limits``), here so that a test or a deployment may change them.
    rate_limit: int | None = CONTRIBUTIONS.most  # contributions per participant (None: none) …
    rate_window = CONTRIBUTIONS.window  # … within this many seconds
    signal_limit = SIGNALS.most  # hands, ready and more time per participant within rate_window

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

    def keep_connected(self) -> None:  # noqa: B027 — a no-op the engines may override
        """A file's store holds no connection worth sparing (a database's does)."""

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading a session -----------------------------------------------------------------

    def _runbook(self, session_id: str, ref: str, snapshot: str | None) -> Runbook:
        book = self._books.get(session_id)
        if book is None:
            # A session stored before snapshots (schema 1) whose file has gone since fails
            # here, with the file's own located message.
            book = runbook_from_json(snapshot) if snapshot else resolve(ref)
            self._books[session_id] = book
        return book

    def _session_in(self, db: Database, session_id: str, *, whole: bool = False) -> Session | None:
        """The session as stored now (inside the caller's write), or None; from here on no
        other kernel writes it until the caller's transaction ends. ``whole``: with what is
        kept apart (notes, contributions, hidden ones too, and signals), for core to decide
        a command or a signal on everything the console could see."""
        row = db.execute(
            f"SELECT runbook, state, snapshot FROM sessions WHERE id = ?{self.lock_row}",  # noqa: S608
            (session_id,),
        ).fetchone()
        if row is None:
            return None
        state = json.loads(row[1])
        if whole:
            state.update(self._kept_apart(db, session_id, private=True))
        return Session.from_dict(state, self._runbook(session_id, row[0], row[2]), self.clock)

    def _present(self, db: Database, session_id: str, *, whole: bool = False) -> Session:
        """``_session_in``, for a write: a session not (or no longer) in the store is the
        core's ``DeletedError`` (deleted while its pages were open), which every page says in
        words of its own; the message names no file or database."""
        session = self._session_in(db, session_id, whole=whole)
        if session is None:
            raise DeletedError(f"no session {session_id!r}")
        return session

    def _kept_apart(
        self,
        db: Database,
        session_id: str,
        private: bool,
        shared: Sequence[tuple[str, str]] = (),
    ) -> dict[str, Any]:
        """Notes, contributions and signals as ``Session.to_dict`` has them; without
        ``private`` (a participant's kernel): no note but the ``shared`` ones (core's
        ``shared_fields``: the question and the contract), no hidden contribution, nobody's
        evaluation, nobody else's name and nobody's presence."""
        items = self._contributions(db, session_id, include_hidden=private)
        if not private:  # how each person rated the session is the facilitator's to see
            items = [c for c in items if c.kind != "evaluation"]
        return {
            "notes": self._notes(db, session_id)
            if private
            else self._shared(db, session_id, shared),
            "contributions": [asdict(c) for c in items],
            "signals": [asdict(s) for s in self._signals(db, session_id, private)],
        }

    def _notes(self, db: Database, session_id: str) -> dict[str, dict[str, str]]:
        notes: dict[str, dict[str, str]] = {}
        for step_id, field_id, text in db.execute(
            "SELECT step_id, field_id, text FROM notes WHERE session_id = ?"
            " ORDER BY step_id, field_id",
            (session_id,),
        ).fetchall():
            notes.setdefault(step_id, {})[field_id] = text
        return notes

    def _shared(
        self, db: Database, session_id: str, shared: Sequence[tuple[str, str]]
    ) -> dict[str, dict[str, str]]:
        """Only the ``shared`` notes: the others are never read into a participant's kernel."""
        if not shared:
            return {}
        fields = sorted({field_id for _, field_id in shared})
        marks = ", ".join("?" * len(fields))
        notes: dict[str, dict[str, str]] = {}
        for step_id, field_id, text in db.execute(
            "SELECT step_id, field_id, text FROM notes"  # noqa: S608 (the marks are ?s)
            f" WHERE session_id = ? AND field_id IN ({marks})",
            (session_id, *fields),
        ).fetchall():
            if (step_id, field_id) in shared:
                notes.setdefault(step_id, {})[field_id] = text
        return notes

    def _contributions(
        self, db: Database, session_id: str, include_hidden: bool
    ) -> list[Contribution]:
        rows = db.execute(
            "SELECT id, step_id, author, text, at, hidden, kind FROM contributions"
            " WHERE session_id = ? AND (? OR hidden = 0) ORDER BY id",
            (session_id, include_hidden),
        ).fetchall()
        return [Contribution(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6]) for r in rows]

    def _signals(self, db: Database, session_id: str, private: bool) -> list[Signal]:
        rows = db.execute(
            "SELECT participant, name, kind, step_id, at FROM signals WHERE session_id = ?"
            " ORDER BY at, participant",
            (session_id,),
        ).fetchall()
        # A participant's kernel finds its own place by its id; others' names stay out of it,
        # and who is connected (or spoke from two pages) is the console's alone.
        return [
            Signal(r[0], r[1] if private else None, r[2], r[3], r[4])
            for r in rows
            if private or r[2] not in CONSOLE_ONLY
        ]

    def _persons(self, db: Database, session_id: str) -> Persons:
        rows = db.execute(
            "SELECT person, name, page, claimed_by FROM persons WHERE session_id = ?",
            (session_id,),
        ).fetchall()
        return Persons(
            spoke={r[0]: (r[1], r[2]) for r in rows if r[2] is not None},
            claimed={r[0]: r[3] for r in rows if r[3] is not None},
        )

    # -- writing what core decided ---------------------------------------------------------

    def _apply(self, db: Database, session_id: str, effects: Effects) -> int:
        """Write ``effects`` in the caller's transaction, whatever command or signal core
        decided them for; the session's new revision."""
        now = self.clock()
        if effects.state is not None:
            db.execute(
                "UPDATE sessions SET state = ? WHERE id = ?",
                (json.dumps(effects.state, ensure_ascii=False), session_id),
            )
        for note in effects.notes:
            db.execute(UPSERT_NOTE, (session_id, note.step_id, note.field_id, note.text, now))
        for answer in effects.answered:
            db.execute(
                "DELETE FROM signals WHERE session_id = ? AND kind = ?"
                " AND (CAST(? AS TEXT) IS NULL OR participant = ?)",
                (session_id, answer.kind, answer.participant, answer.participant),
            )
        for s in effects.raised:
            db.execute(UPSERT_SIGNAL, (session_id, s.participant, s.name, s.kind, s.step_id, s.at))
        for change in effects.visibility:
            db.execute(
                "UPDATE contributions SET hidden = ? WHERE session_id = ? AND id = ?",
                (int(change.hidden), session_id, change.id),
            )
        revision = self._bump(db, session_id)
        self._log(db, session_id, effects.event)
        return revision

    def _voice(self, db: Database, session_id: str, voice: Voice) -> None:
        """Write what core decided of a page speaking under a name (``voices.speak``): the
        name bound to the page, or the console's signal of a second page."""
        if voice.binding is not None:
            b = voice.binding
            db.execute(UPSERT_SPOKE, (session_id, b.person, b.name, b.page))
        if voice.conflict is not None:
            refused = voice.refused.key if voice.refused else None
            event = Event("refused", {"participant": voice.conflict.participant, "why": refused})
            self._apply(db, session_id, Effects(event, raised=(voice.conflict,)))

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
    # Notes, contributions and signals live in tables of their own, written by their own
    # effects: leaving them out keeps notes from participants' kernels and keeps one writer
    # from overwriting what another typed.
    return json.dumps(session.state(), ensure_ascii=False)
