"""The embedded store: one SQLite file (WAL mode), every change a transaction.

Commands are read–apply–write under SQLite's write lock (``BEGIN IMMEDIATE``): the state a
command is applied to is the latest committed one, whichever kernel wrote it. Participants'
contributions and the facilitator's notes live in tables of their own, so a participant's
kernel never loads a note, and no writer ever rewrites what another typed.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import os
import secrets
import sqlite3
import stat
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict
from pathlib import Path
from typing import Any

from codevwidgets.clock import Clock, system_clock
from codevwidgets.commands import Command, apply_command
from codevwidgets.roster import Roster
from codevwidgets.runbook import Runbook, resolve, runbook_from_json, runbook_to_json
from codevwidgets.session import (
    MAX_NAME,
    Contribution,
    Event,
    RateLimited,
    Session,
    SessionError,
    validate_contribution,
)
from codevwidgets.signals import SEEN, SEEN_EVERY, SIGNAL_KINDS, Signal
from codevwidgets.store import (
    Secrets,
    SessionSummary,
    StoredSession,
    StoreError,
    default_store_path,
    hash_secret,
    join_code_for,
)
from codevwidgets.watch import StoreWatcher

__all__ = ["SCHEMA_VERSION", "SQLiteStore"]

SCHEMA_VERSION = 3
SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, runbook TEXT NOT NULL, language TEXT NOT NULL,
    key_hash TEXT NOT NULL, code_hash TEXT NOT NULL,
    state TEXT NOT NULL, revision INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL, updated REAL NOT NULL, snapshot TEXT, roster TEXT
);
CREATE TABLE IF NOT EXISTS contributions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL REFERENCES sessions(id),
    step_id TEXT NOT NULL, author TEXT, text TEXT NOT NULL, kind TEXT, at REAL NOT NULL,
    hidden INTEGER NOT NULL DEFAULT 0, participant TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS contributions_by_participant
    ON contributions(session_id, participant, at);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL,
    at REAL NOT NULL, kind TEXT NOT NULL, data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_session ON events(session_id, seq);
CREATE TABLE IF NOT EXISTS notes (
    session_id TEXT NOT NULL REFERENCES sessions(id), step_id TEXT NOT NULL,
    field_id TEXT NOT NULL, text TEXT NOT NULL, updated REAL NOT NULL,
    PRIMARY KEY (session_id, step_id, field_id)
);
CREATE TABLE IF NOT EXISTS signals (
    session_id TEXT NOT NULL REFERENCES sessions(id), participant TEXT NOT NULL,
    name TEXT, kind TEXT NOT NULL, step_id TEXT NOT NULL, at REAL NOT NULL,
    PRIMARY KEY (session_id, participant, kind)
);
"""
# Schema 1 (the first release) kept notes inside the state and no runbook snapshot.
MIGRATE_1_TO_2 = """
ALTER TABLE sessions ADD COLUMN snapshot TEXT;
ALTER TABLE sessions ADD COLUMN roster TEXT;
CREATE TABLE IF NOT EXISTS notes (
    session_id TEXT NOT NULL REFERENCES sessions(id), step_id TEXT NOT NULL,
    field_id TEXT NOT NULL, text TEXT NOT NULL, updated REAL NOT NULL,
    PRIMARY KEY (session_id, step_id, field_id)
);
"""
# Schema 2 had no participants' signals (hands, ready, more time).
MIGRATE_2_TO_3 = """
CREATE TABLE IF NOT EXISTS signals (
    session_id TEXT NOT NULL REFERENCES sessions(id), participant TEXT NOT NULL,
    name TEXT, kind TEXT NOT NULL, step_id TEXT NOT NULL, at REAL NOT NULL,
    PRIMARY KEY (session_id, participant, kind)
);
"""
FILES = ("", "-wal", "-shm")
# Everything a session holds besides its row in sessions.
DELETE_FROM = (
    ("contributions", "session_id"),
    ("notes", "session_id"),
    ("events", "session_id"),
    ("signals", "session_id"),
)


class SQLiteStore:
    """Sessions, commands, contributions, notes and an append-only event log in one file.

    Every method commits before it returns, so nothing is lost when a kernel dies. One store
    may be used from several threads of a kernel (a watcher thread and the widgets' thread).

    Parameters
    ----------
    path : Path, optional
        The SQLite file; ``default_store_path()`` by default. Readable by its owner only:
        session notes are confidential.
    clock : Clock
        Stamps rows, times commands and paces the rate limit; tests pass a ``FakeClock``.

    Examples
    --------
    >>> store = SQLiteStore(tmp_path / "s.db")  # doctest: +SKIP
    >>> secrets = store.create(session, "classic", "fr")  # doctest: +SKIP
    >>> store.execute(session.id, Command("start"))  # doctest: +SKIP
    2
    """

    rate_limit: int | None = 5  # contributions per participant (None: no limit) …
    rate_window = 30.0  # … within this many seconds
    signal_limit = 20  # hands, ready and more time per participant within rate_window

    def __init__(self, path: Path | None = None, clock: Clock = system_clock) -> None:
        self.path = path if path is not None else default_store_path()
        self.clock = clock
        if self.path.is_dir():
            raise StoreError(f"{self.path}: is a folder, not a store file")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with suppress(FileExistsError):
                # Readable by its owner only from the first byte.
                os.close(os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot create the store ({exc.strerror})") from None
        self._lock = threading.RLock()
        self._books: dict[str, Runbook] = {}  # snapshots never change: read once
        # Autocommit mode: transactions are explicit (BEGIN IMMEDIATE in _write).
        self._db = sqlite3.connect(
            self.path, timeout=5.0, isolation_level=None, check_same_thread=False
        )
        try:
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL loses nothing when a process dies, only on power loss.
            self._db.execute("PRAGMA synchronous=NORMAL")
            # A deleted session's texts are overwritten, not just unlinked (codev sessions
            # delete: gone from the file, not merely marked free).
            self._db.execute("PRAGMA secure_delete=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise StoreError(f"{self.path}: not a codevwidgets store ({exc})") from None
        except BaseException:
            self._db.close()
            raise
        self._owner_only()

    def __repr__(self) -> str:
        return f"SQLiteStore({str(self.path)!r})"

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _owner_only(self) -> None:
        # A file made by an older release, or copied in, may be readable by others; SQLite
        # gives its -wal and -shm files the database file's mode.
        for suffix in FILES:
            with suppress(OSError):
                path = Path(f"{self.path}{suffix}")
                if stat.S_IMODE(path.stat().st_mode) & 0o077:
                    path.chmod(0o600)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        # BEGIN IMMEDIATE takes the write lock up front, so concurrent kernels queue on the
        # busy timeout instead of failing half-way through a read-then-write.
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        # One snapshot for several SELECTs: a state, its notes and contributions of one moment.
        with self._lock:
            self._db.execute("BEGIN")
            try:
                yield self._db
            finally:
                self._db.execute("COMMIT")

    def _migrate(self) -> None:
        # Every page opens the store: a current one is only read, never written to (a write
        # would wake every watcher, and queue behind a busy writer).
        if self._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
            return
        with self._write() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                # Statement by statement inside the write lock (executescript would commit
                # early and let a second kernel in half-way).
                _run(db, SCHEMA)
            elif version in (1, 2):
                if version == 1:
                    _run(db, MIGRATE_1_TO_2)
                    self._move_notes_out_of_states(db)
                _run(db, MIGRATE_2_TO_3)
            elif version != SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path}: store schema version {version} is newer than this "
                    f"codevwidgets knows ({SCHEMA_VERSION}); upgrade codevwidgets or use "
                    "another store (CODEV_STORE or --store)"
                )
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def _move_notes_out_of_states(self, db: sqlite3.Connection) -> None:
        now = self.clock()
        for session_id, ref, text in db.execute("SELECT id, runbook, state FROM sessions"):
            state = json.loads(text)
            for step_id, fields in state.pop("notes", {}).items():
                for field_id, note in fields.items():
                    db.execute(
                        "INSERT OR REPLACE INTO notes VALUES (?, ?, ?, ?, ?)",
                        (session_id, step_id, field_id, str(note), now),
                    )
            snapshot = None
            with suppress(Exception):  # a file gone since: resolved again when opened
                book = resolve(ref)
                # Only a runbook that still has the session's steps: a file edited since the
                # session was created would not fit it.
                if [step.id for step in book.steps] == state.get("steps"):
                    snapshot = runbook_to_json(book)
            db.execute(
                "UPDATE sessions SET state = ?, snapshot = ? WHERE id = ?",
                (json.dumps(state, ensure_ascii=False), snapshot, session_id),
            )

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
        snapshot = runbook_to_json(session.runbook)
        row = (
            session.id,
            runbook_ref,
            language,
            hash_secret(key),
            hash_secret(code),
            _state_json(session),
        )
        try:
            with self._write() as db:
                db.execute(
                    "INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)",
                    (*row, now, now, snapshot, roster.model_dump_json() if roster else None),
                )
                for step_id, fields in session.notes.items():
                    for field_id, text in fields.items():
                        db.execute(
                            "INSERT INTO notes VALUES (?, ?, ?, ?, ?)",
                            (session.id, step_id, field_id, text, now),
                        )
                self._log(db, session.id, Event("created", {"runbook": runbook_ref}))
        except sqlite3.IntegrityError:
            raise ValueError(f"session {session.id!r} already exists in {self.path}") from None
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
            with self._lock:
                row = self._db.execute(query, (session_id,)).fetchone()
        except (sqlite3.Error, ValueError):  # e.g. a lone surrogate in a crafted URL
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
                raise SessionError(f"no session {session_id!r} in {self.path}")
            data = dict(command.args)
            if command.name == "set_note":
                apply_command(session, command)  # validates the step, field and length
                db.execute(
                    "INSERT INTO notes VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE"
                    " SET text = excluded.text, updated = excluded.updated",
                    (session_id, data["step"], data["field"], data["text"], now),
                )
                del data["text"]  # the log says a note changed, never what it says
            elif command.name == "lower_hand":
                apply_command(session, command)  # validates the arguments
                participant = data.get("participant")
                db.execute(
                    "DELETE FROM signals WHERE session_id = ? AND kind = 'hand'"
                    " AND (? IS NULL OR participant = ?)",
                    (session_id, participant, participant),
                )
            elif command.name == "hide":
                hidden = bool(data.get("hidden", True))
                changed = db.execute(
                    "UPDATE contributions SET hidden = ? WHERE session_id = ? AND id = ?",
                    (int(hidden), session_id, data.get("id")),
                ).rowcount
                if not changed:
                    raise ValueError(f"no contribution {data.get('id')!r} in this session")
            else:
                apply_command(session, command)
                db.execute(
                    "UPDATE sessions SET state = ? WHERE id = ?", (_state_json(session), session_id)
                )
                if command.name == "extend":  # more time given: the requests are answered
                    db.execute(
                        "DELETE FROM signals WHERE session_id = ? AND kind = 'more_time'",
                        (session_id,),
                    )
            revision = self._bump(db, session_id)
            self._log(db, session_id, Event(command.name, data))
        return revision

    def _session_in(self, db: sqlite3.Connection, session_id: str) -> Session | None:
        """The session as stored now (inside the caller's transaction), or None."""
        row = db.execute(
            "SELECT runbook, state, snapshot FROM sessions WHERE id = ?", (session_id,)
        ).fetchone()
        if row is None:
            return None
        book = self._runbook(session_id, row[0], row[2])
        return Session.from_dict(json.loads(row[1]), book, self.clock)

    def revision(self, session_id: str) -> int:
        """A number that grows with every change of the session; -1 if there is none."""
        with self._lock:
            row = self._db.execute(
                "SELECT revision FROM sessions WHERE id = ?", (session_id,)
            ).fetchone()
        return int(row[0]) if row else -1

    def session_ids(self) -> list[str]:
        """Every stored session, oldest first."""
        with self._lock:
            rows = self._db.execute("SELECT id FROM sessions ORDER BY created, rowid").fetchall()
        return [r[0] for r in rows]

    def summaries(self) -> list[SessionSummary]:
        """Every stored session, oldest first, as ``codev sessions`` lists them."""
        with self._read() as db:
            rows = db.execute(
                "SELECT id, created, runbook, state, snapshot FROM sessions ORDER BY created, rowid"
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
        """Remove a session and everything typed in it, from the file too; False if unknown."""
        with self._write() as db:
            for table, column in DELETE_FROM:
                db.execute(f"DELETE FROM {table} WHERE {column} = ?", (session_id,))  # noqa: S608
            found = db.execute("DELETE FROM sessions WHERE id = ?", (session_id,)).rowcount > 0
        self._books.pop(session_id, None)
        if found:
            self._forget()
        return found

    def purge(self, older_than: float) -> list[str]:
        """Delete every session not changed since ``older_than`` (epoch seconds); their ids."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id FROM sessions WHERE updated < ? ORDER BY created", (older_than,)
            ).fetchall()
        return [row[0] for row in rows if self.delete(row[0])]

    def _forget(self) -> None:
        # secure_delete zeroes what was deleted in the pages; the WAL still holds copies of
        # those pages until a checkpoint copies them back and truncates it.
        with self._lock:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def watch(
        self,
        session_id: str,
        on_change: Callable[[int], None],
        *,
        interval: float = 0.025,
        start_thread: bool = True,
    ) -> StoreWatcher:
        """The change feed: ``on_change(revision)`` when the session's revision moves."""
        return StoreWatcher(
            self.path, session_id, on_change, interval=interval, start_thread=start_thread
        )

    # -- notes and contributions -----------------------------------------------------------

    def notes(self, session_id: str) -> dict[str, dict[str, str]]:
        """The facilitator's notes, by step and field."""
        with self._lock:
            return self._notes(self._db, session_id)

    def _notes(self, db: sqlite3.Connection, session_id: str) -> dict[str, dict[str, str]]:
        notes: dict[str, dict[str, str]] = {}
        for step_id, field_id, text in db.execute(
            "SELECT step_id, field_id, text FROM notes WHERE session_id = ?"
            " ORDER BY step_id, field_id",
            (session_id,),
        ):
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
                "SELECT runbook, state, snapshot FROM sessions WHERE id = ?", (session_id,)
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
            cursor = db.execute(
                "INSERT INTO contributions (session_id, step_id, author, text, kind, at,"
                " participant) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (session_id, step_id, author, text, kind, now, participant),
            )
            number = int(cursor.lastrowid or 0)
            self._bump(db, session_id)
            self._log(db, session_id, Event("contribution", {"id": number, "step": step_id}))
        return Contribution(number, step_id, author, text, now, False, kind)

    def contributions(self, session_id: str, include_hidden: bool = False) -> list[Contribution]:
        """The session's contributions in the order they arrived."""
        with self._lock:
            return self._contributions(self._db, session_id, include_hidden)

    def _contributions(
        self, db: sqlite3.Connection, session_id: str, include_hidden: bool
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
        if not isinstance(participant, str) or not 1 <= len(participant) <= MAX_NAME:
            raise ValueError("a signal needs the page's id")
        name = (name.strip() or None) if isinstance(name, str) else None
        if name is not None and len(name) > MAX_NAME:
            raise ValueError(f"a name is at most {MAX_NAME} characters")
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
                "SELECT COUNT(*) FROM events WHERE session_id = ? AND kind = 'signal'"
                " AND at > ? AND json_extract(data, '$.participant') = ?",
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
                    "INSERT INTO signals VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE"
                    " SET step_id = excluded.step_id, at = excluded.at, name = excluded.name"
                    " WHERE excluded.kind != 'hand' AND step_id != excluded.step_id",
                    (session_id, participant, name, kind, step_id, now),
                )
            self._bump(db, session_id)
            data = {"kind": kind, "on": on, "participant": participant}
            self._log(db, session_id, Event("signal", data))

    def seen(self, session_id: str, participant: str, name: str | None) -> None:
        """Note that ``participant``'s page is connected now (its clock synced): presence.

        One row per page, its time moved forward; written (and the revision moved, so the
        console follows) only when the page was last written ``SEEN_EVERY`` or more ago, so
        a page costs at most one write per beat, however often it syncs. Raises
        ``ValueError`` for a bad id or name or an unknown session.
        """
        if not isinstance(participant, str) or not 1 <= len(participant) <= MAX_NAME:
            raise ValueError("presence needs the page's id")
        name = (name.strip() or None) if isinstance(name, str) else None
        if name is not None and len(name) > MAX_NAME:
            raise ValueError(f"a name is at most {MAX_NAME} characters")
        now = self.clock()
        with self._write() as db:
            session = self._session_in(db, session_id)
            if session is None:
                raise ValueError(f"no session {session_id!r}")
            # A page that says it is someone else now (it chose a name, or "not you?") is
            # written at once: the console must not show the old name for a beat.
            written = db.execute(
                "INSERT INTO signals VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE"
                " SET at = excluded.at, step_id = excluded.step_id, name = excluded.name"
                " WHERE excluded.at - at >= ? OR name IS NOT excluded.name RETURNING at",
                (session_id, participant, name, SEEN, session.current_step.id, now, SEEN_EVERY),
            ).fetchone()
            if written is not None:
                # The page's hand and "ready" go by its name now too.
                db.execute(
                    "UPDATE signals SET name = ? WHERE session_id = ? AND participant = ?"
                    " AND name IS NOT ?",
                    (name, session_id, participant, name),
                )
                self._bump(db, session_id)

    def signals(self, session_id: str) -> list[Signal]:
        """Every standing signal of the session, oldest first (the console's copy)."""
        with self._lock:
            return self._signals(self._db, session_id, private=True)

    def _signals(self, db: sqlite3.Connection, session_id: str, private: bool) -> list[Signal]:
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
        with self._lock:
            rows = self._db.execute(
                "SELECT at, kind, data FROM events WHERE session_id = ? ORDER BY seq",
                (session_id,),
            ).fetchall()
        return [(r[0], r[1], json.loads(r[2])) for r in rows]

    def _bump(self, db: sqlite3.Connection, session_id: str) -> int:
        # Watchers in other kernels compare revisions: any change must move it.
        row = db.execute(
            "UPDATE sessions SET revision = revision + 1, updated = ? WHERE id = ?"
            " RETURNING revision",
            (self.clock(), session_id),
        ).fetchone()
        return int(row[0])

    def _log(self, db: sqlite3.Connection, session_id: str, event: Event) -> None:
        db.execute(
            "INSERT INTO events (session_id, at, kind, data) VALUES (?, ?, ?, ?)",
            (session_id, self.clock(), event.kind, json.dumps(event.data, default=str)),
        )


def _run(db: sqlite3.Connection, script: str) -> None:
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def _state_json(session: Session) -> str:
    # Notes and contributions live in tables of their own, written by their own commands:
    # leaving them out keeps notes from participants' kernels and keeps one writer from
    # overwriting what another typed.
    state = session.to_dict()
    del state["contributions"], state["notes"], state["signals"]
    return json.dumps(state, ensure_ascii=False)
