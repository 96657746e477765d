"""The embedded store: one SQLite file (WAL mode), every change a transaction.

Commands are read–apply–write under SQLite's write lock (``BEGIN IMMEDIATE``): the state a
command is applied to is the latest committed one, whichever kernel wrote it. Participants'
contributions and the facilitator's notes live in tables of their own, so a participant's
kernel never loads a note, and no writer ever rewrites what another typed.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import stat
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import ClassVar

from codevwidgets.core.clock import Clock, system_clock
from codevwidgets.core.runbook import Runbook, resolve, runbook_to_json
from codevwidgets.store.base import StoreError
from codevwidgets.store.feed import StoreWatcher
from codevwidgets.store.location import default_store_path
from codevwidgets.store.sql import Database, SQLStore, fill_group_ids

__all__ = ["SCHEMA_VERSION", "SQLiteStore"]

SCHEMA_VERSION = 8
# Schema 8: topics prepared ahead and the group's dots (core.topics); schema 7 had neither.
TOPIC_TABLES = """
CREATE TABLE IF NOT EXISTS topics (
    session_id TEXT NOT NULL REFERENCES sessions(id), person TEXT NOT NULL,
    author TEXT NOT NULL, headline TEXT NOT NULL, context TEXT NOT NULL, tried TEXT NOT NULL,
    help TEXT NOT NULL, checklist TEXT NOT NULL, at REAL NOT NULL,
    PRIMARY KEY (session_id, person)
);
CREATE TABLE IF NOT EXISTS dots (
    session_id TEXT NOT NULL REFERENCES sessions(id), voter TEXT NOT NULL, topic TEXT NOT NULL,
    n INTEGER NOT NULL, PRIMARY KEY (session_id, voter, topic)
);
"""
SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, runbook TEXT NOT NULL, language TEXT NOT NULL,
    key_hash TEXT NOT NULL, code_hash TEXT NOT NULL,
    state TEXT NOT NULL, revision INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL, updated REAL NOT NULL, snapshot TEXT, roster TEXT,
    group_id TEXT
);
CREATE INDEX IF NOT EXISTS sessions_by_group ON sessions(group_id, created);
CREATE TABLE IF NOT EXISTS roster_groups (source TEXT PRIMARY KEY, group_id TEXT NOT NULL);
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
CREATE TABLE IF NOT EXISTS persons (
    session_id TEXT NOT NULL REFERENCES sessions(id), person TEXT NOT NULL,
    name TEXT NOT NULL, page TEXT, claimed_by TEXT,
    PRIMARY KEY (session_id, person)
);
CREATE TABLE IF NOT EXISTS days (
    id TEXT PRIMARY KEY, key_hash TEXT NOT NULL, code_hash TEXT NOT NULL,
    data TEXT NOT NULL, revision INTEGER NOT NULL DEFAULT 1, created REAL NOT NULL
);
"""
SCHEMA += TOPIC_TABLES
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
# Schema 3 found a group's sessions by reading every session's roster; schema 4 by the
# group's name (group_key, indexed), so two organisations' groups of one name mixed. Schema 5:
# a group is an id (group_id, indexed; filled by ``fill_group_ids``), and roster_groups maps
# where a roster came from to its group (``sql_groups``). The index's order ends in rowid, as
# ``session_order``'s does.
MIGRATE_4_TO_5 = """
DROP INDEX IF EXISTS sessions_by_group;
ALTER TABLE sessions DROP COLUMN group_key;
"""
MIGRATE_TO_5 = """
ALTER TABLE sessions ADD COLUMN group_id TEXT;
CREATE INDEX IF NOT EXISTS sessions_by_group ON sessions(group_id, created);
CREATE TABLE IF NOT EXISTS roster_groups (source TEXT PRIMARY KEY, group_id TEXT NOT NULL);
"""
# Schema 5 let any page rate or contribute under any name: who spoke under a name first, and
# who joined through its personal link, is a table of its own (core.voices).
MIGRATE_TO_6 = """
CREATE TABLE IF NOT EXISTS persons (
    session_id TEXT NOT NULL REFERENCES sessions(id), person TEXT NOT NULL,
    name TEXT NOT NULL, page TEXT, claimed_by TEXT,
    PRIMARY KEY (session_id, person)
);
"""
# Schema 6 had no days of many groups (core.day): a day's groups are sessions, the day itself
# (its people, which group each is in, who facilitates) one row.
MIGRATE_TO_7 = """
CREATE TABLE IF NOT EXISTS days (
    id TEXT PRIMARY KEY, key_hash TEXT NOT NULL, code_hash TEXT NOT NULL,
    data TEXT NOT NULL, revision INTEGER NOT NULL DEFAULT 1, created REAL NOT NULL
);
"""
MIGRATE_TO_8 = TOPIC_TABLES
FILES = ("", "-wal", "-shm")
# How long a command waits for another kernel's write to end before it is refused (StoreError).
BUSY_TIMEOUT_MS = 5000
OPEN_PATIENCE = 10.0  # seconds a new page waits for another process opening the store


class SQLiteStore(SQLStore):
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
    create : bool
        False opens an existing file only: a mistyped path is refused, and no file or folder
        made.

    Examples
    --------
    >>> store = SQLiteStore(tmp_path / "s.db")  # doctest: +SKIP
    >>> secrets = store.create(session, "classic", "fr")  # doctest: +SKIP
    >>> store.execute(session.id, Command("start"))  # doctest: +SKIP
    2
    """

    event_participant: ClassVar[str] = "json_extract(data, '$.participant')"
    session_order: ClassVar[str] = "created, rowid"
    duplicate: ClassVar[tuple[type[Exception], ...]] = (sqlite3.IntegrityError,)
    driver_errors: ClassVar[tuple[type[Exception], ...]] = (sqlite3.Error,)

    def __init__(
        self, path: Path | None = None, clock: Clock = system_clock, *, create: bool = True
    ) -> None:
        self.path = path if path is not None else default_store_path(create)
        self.clock = clock
        if self.path.is_dir():
            raise StoreError(f"{self.path}: is a folder, not a store file")
        if not create and not self.path.is_file():
            raise StoreError(f"no store at {self.path}: {_missing(self.path)}")
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
            self._db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            self._refuse_foreign_tables(self._db)  # before WAL mode, which would change it
            _use_wal(self._db)
            # In WAL mode NORMAL loses nothing when a process dies, only on power loss.
            self._db.execute("PRAGMA synchronous=NORMAL")
            # A deleted session's texts are overwritten, not just unlinked (codev sessions
            # delete: gone from the file, not merely marked free).
            self._db.execute("PRAGMA secure_delete=ON")
            self._migrate()
        except sqlite3.OperationalError as exc:
            self._db.close()
            if _busy(exc):
                raise StoreError(
                    f"{self.path}: the store stayed locked by another process for "
                    f"{OPEN_PATIENCE:.0f} s ({exc}); try again"
                ) from None
            raise StoreError(f"{self.path}: not a codevwidgets store ({exc})") from None
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise StoreError(f"{self.path}: not a codevwidgets store ({exc})") from None
        except BaseException:
            self._db.close()
            raise
        self._owner_only()

    def __repr__(self) -> str:
        return f"SQLiteStore({str(self.path)!r})"

    @property
    def location(self) -> str:
        """What ``CODEV_STORE`` says to open this store from another process."""
        return str(self.path.resolve())

    def _where(self) -> str:
        return str(self.path)

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
    def _write(self) -> Iterator[Database]:
        # BEGIN IMMEDIATE takes the write lock up front, so concurrent kernels queue on the
        # busy timeout instead of failing half-way through a read-then-write.
        with self._lock, self._said():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                # A failed COMMIT (busy, disk full) may leave the transaction open, holding
                # the write lock for every other kernel: end it.
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise

    @contextmanager
    def _query(self) -> Iterator[Database]:
        # One statement: autocommit mode reads the latest commit without a BEGIN.
        with self._lock, self._said():
            yield self._db

    @contextmanager
    def _read(self) -> Iterator[Database]:
        # One snapshot for several SELECTs: a state, its notes and contributions of one moment.
        with self._lock, self._said():
            self._db.execute("BEGIN")
            try:
                yield self._db
            finally:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")  # nothing written: ends the snapshot

    @contextmanager
    def _said(self) -> Iterator[None]:
        # A store locked past the busy timeout, a full disk, a file gone: one line
        # (StoreError), as PostgreSQL's unreachable server is; the pages say it in words.
        try:
            yield
        except sqlite3.IntegrityError:
            raise  # a duplicate id: the caller's to handle (SQLStore.duplicate)
        except sqlite3.DatabaseError as exc:  # locked, disk full, a damaged file…
            raise StoreError(f"{self.path}: {exc}") from None

    def _forget(self) -> None:
        # secure_delete zeroes what was deleted in the pages; the WAL still holds copies of
        # those pages until a checkpoint copies them back and truncates it.
        with self._lock:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _migrate(self) -> None:
        # Every page opens the store: a current one is only read, never written to (a write
        # would wake every watcher, and queue behind a busy writer).
        if self._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
            return
        with self._write() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                self._refuse_foreign_tables(db)  # again, now that no other kernel writes
                # Statement by statement inside the write lock (executescript would commit
                # early and let a second kernel in half-way).
                _run(db, SCHEMA)
            elif version in (1, 2, 3, 4, 5, 6, 7):
                if version == 1:
                    _run(db, MIGRATE_1_TO_2)
                    self._move_notes_out_of_states(db)
                if version <= 2:
                    _run(db, MIGRATE_2_TO_3)
                if version == 4:
                    _run(db, MIGRATE_4_TO_5)
                if version <= 4:
                    _run(db, MIGRATE_TO_5)
                    fill_group_ids(db)
                if version <= 5:
                    _run(db, MIGRATE_TO_6)
                if version <= 6:
                    _run(db, MIGRATE_TO_7)
                _run(db, MIGRATE_TO_8)
            elif version != SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path}: store schema version {version} is newer than this "
                    f"codevwidgets knows ({SCHEMA_VERSION}); upgrade codevwidgets or use "
                    "another store (CODEV_STORE or --store)"
                )
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def _refuse_foreign_tables(self, db: Database) -> None:
        # Another application's database (a mistyped --store): its tables are left alone,
        # never joined by the kit's. The kit's own carry a user_version.
        # One statement, one snapshot: another server creating the kit's tables between two
        # reads would look like tables without a version.
        version, tables = db.execute(
            "SELECT (SELECT user_version FROM pragma_user_version),"
            " EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table')"
        ).fetchone()
        if version == 0 and tables:
            raise StoreError(
                f"{self.path}: not a codevwidgets store (it holds another application's"
                " tables); give another file"
            )

    def _move_notes_out_of_states(self, db: Database) -> None:
        now = self.clock()
        rows = db.execute("SELECT id, runbook, state FROM sessions").fetchall()
        for session_id, ref, text in rows:
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


def _missing(path: Path) -> str:
    why = "no such file" if path.parent.is_dir() else f"no folder {path.parent}"
    return f"{why} (give --store FILE_OR_URL or set CODEV_STORE)"


def _use_wal(db: sqlite3.Connection) -> None:
    # A new file's switch to WAL needs an exclusive lock, and SQLite does not wait for it
    # (the busy handler is skipped there to avoid a deadlock): two servers opening one new
    # store at the same instant would see "database is locked" at once. Wait here instead.
    deadline = time.monotonic() + OPEN_PATIENCE
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if not _busy(exc) or time.monotonic() > deadline:
                raise
            time.sleep(random.uniform(0.005, 0.05))  # noqa: S311 (jitter, not a secret)


def _busy(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _run(db: Database, script: str) -> None:
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)
