"""The store every kernel shares: SQLite in WAL mode, one file, every change written at once.

Voilà gives each visitor a kernel of their own, so the facilitator's kernel and each
participant's meet here, never in globals. The facilitator's kernel writes the session's
state; participants' kernels write only their own contributions, in a table of their own, so
neither can overwrite the other. The event log is append-only: the session's history.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import platformdirs

from codevwidgets.clock import Clock, system_clock
from codevwidgets.runbook import Runbook
from codevwidgets.session import Contribution, Event, Session, validate_contribution

__all__ = [
    "RateLimited",
    "Secrets",
    "SessionStore",
    "StoredSession",
    "default_store_path",
    "join_code_for",
]

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, runbook TEXT NOT NULL, language TEXT NOT NULL,
    key_hash TEXT NOT NULL, code_hash TEXT NOT NULL,
    state TEXT NOT NULL, revision INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL, updated REAL NOT NULL
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
"""


def default_store_path() -> Path:
    """``CODEV_STORE`` if set, else ``sessions.db`` in the user's data directory (created)."""
    env = os.environ.get("CODEV_STORE")
    path = Path(env) if env else platformdirs.user_data_path("codevwidgets") / "sessions.db"
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def join_code_for(facilitator_key: str) -> str:
    """The participants' join code (16 URL-safe characters), derived from the facilitator key.

    Derived rather than drawn on its own: the facilitator's page can show the join link again
    after a reload while the store holds only hashes, and the code reveals nothing of the key.
    """
    digest = hmac.new(facilitator_key.encode(), b"codev join code", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:12]).decode()


class RateLimited(ValueError):  # noqa: N818 — the name pages and widgets already catch
    """A participant sent too many contributions in a short time."""


@dataclass(frozen=True)
class Secrets:
    """What ``create`` hands out once: the store keeps only their hashes."""

    session_id: str
    facilitator_key: str
    join_code: str


@dataclass(frozen=True)
class StoredSession:
    """A session as stored; ``state`` is ``to_dict()``-shaped, contributions included."""

    session_id: str
    runbook_ref: str
    language: str
    state: dict[str, Any]
    revision: int


class SessionStore:
    """Sessions, contributions and an append-only event log in one SQLite file.

    Every method commits before it returns, so nothing is lost when a kernel dies. One store
    may be used from several threads of a kernel (a watcher thread and the widgets' thread).

    Parameters
    ----------
    path : Path, optional
        The SQLite file; ``default_store_path()`` by default. Created readable by its owner
        only: session notes are confidential.
    clock : Clock
        Stamps rows and paces the rate limit; tests pass a ``FakeClock``.

    Examples
    --------
    >>> store = SessionStore(tmp_path / "s.db")  # doctest: +SKIP
    >>> secrets = store.create(session, "classic", "fr")  # doctest: +SKIP
    >>> store.check_code(session.id, secrets.join_code)  # doctest: +SKIP
    True
    """

    rate_limit: int | None = 5  # contributions per participant (None: no limit) …
    rate_window = 30.0  # … within this many seconds

    def __init__(self, path: Path | None = None, clock: Clock = system_clock) -> None:
        self.path = path if path is not None else default_store_path()
        self.clock = clock
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with suppress(FileExistsError):
            # Readable by its owner only from the first byte; SQLite gives its -wal and -shm
            # files the database file's mode.
            os.close(os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        self._lock = threading.RLock()
        # Autocommit mode: transactions are explicit (BEGIN IMMEDIATE in _write).
        self._db = sqlite3.connect(
            self.path, timeout=5.0, isolation_level=None, check_same_thread=False
        )
        try:
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL loses nothing when a process dies, only on power loss.
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except BaseException:
            self._db.close()
            raise

    def __repr__(self) -> str:
        return f"SessionStore({str(self.path)!r})"

    def __enter__(self) -> SessionStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            self._db.close()

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
        # One snapshot for several SELECTs: a state and the contributions of the same moment.
        with self._lock:
            self._db.execute("BEGIN")
            try:
                yield self._db
            finally:
                self._db.execute("COMMIT")

    def _migrate(self) -> None:
        with self._write() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                # Statement by statement inside the write lock (executescript would commit
                # early and let a second kernel in half-way).
                for statement in SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            elif version != SCHEMA_VERSION:
                raise RuntimeError(
                    f"{self.path}: store schema version {version} is unknown to this "
                    f"codevwidgets (it knows version {SCHEMA_VERSION}); upgrade codevwidgets "
                    "or use another store (CODEV_STORE or --store)"
                )

    # -- sessions --------------------------------------------------------------------------

    def create(self, session: Session, runbook_ref: str, language: str) -> Secrets:
        """Store a new session; ``runbook_ref`` is a preset name or a runbook file's path."""
        key = secrets.token_urlsafe(24)
        code = join_code_for(key)
        now = self.clock()
        row = (session.id, runbook_ref, language, _hash(key), _hash(code), _state_json(session))
        try:
            with self._write() as db:
                db.execute(
                    "INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)", (*row, now, now)
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
            expected = _hash(secret)
            with self._lock:
                row = self._db.execute(query, (session_id,)).fetchone()
        except (sqlite3.Error, ValueError):  # e.g. a lone surrogate in a crafted URL
            return False
        return row is not None and hmac.compare_digest(row[0], expected)

    def save(self, session: Session, event: Event | None = None) -> None:
        """Write the session's state now; its contributions are left to their own table."""
        with self._write() as db:
            changed = db.execute(
                "UPDATE sessions SET state = ?, revision = revision + 1, updated = ? WHERE id = ?",
                (_state_json(session), self.clock(), session.id),
            ).rowcount
            if not changed:
                raise KeyError(f"no session {session.id!r} in {self.path}: create() it first")
            if event is not None:
                self._log(db, session.id, event)

    def load_state(self, session_id: str) -> StoredSession | None:
        """The stored session, or None if there is none with this id."""
        with self._read() as db:
            row = db.execute(
                "SELECT runbook, language, state, revision FROM sessions WHERE id = ?",
                (session_id,),
            ).fetchone()
            if row is None:
                return None
            state = json.loads(row[2])
            state["contributions"] = [asdict(c) for c in self.contributions(session_id, True)]
        return StoredSession(session_id, row[0], row[1], state, int(row[3]))

    def load_session(
        self, session_id: str, runbook: Runbook, clock: Clock = system_clock
    ) -> Session:
        """The stored session rebuilt over ``runbook``; ``KeyError`` if there is none."""
        stored = self.load_state(session_id)
        if stored is None:
            raise KeyError(f"no session {session_id!r} in {self.path}")
        return Session.from_dict(stored.state, runbook, clock)

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

    # -- contributions ---------------------------------------------------------------------

    def add_contribution(
        self,
        session_id: str,
        step_id: str,
        author: str | None,
        text: str,
        kind: str | None,
        participant: str,
        runbook: Runbook,
    ) -> Contribution:
        """Store a participant's contribution, validated as ``Session.add_contribution`` does.

        ``participant`` identifies the sender for the rate limit (one id per page); raises
        ``ValueError`` for a bad contribution, ``RateLimited`` when sent too fast.
        """
        step = next((s for s in runbook.steps if s.id == step_id), None)
        if step is None:
            raise ValueError(f"no step '{step_id}' in runbook '{runbook.name}'")
        author, text, kind = validate_contribution(step, author, text, kind)
        now = self.clock()
        with self._write() as db:
            row = db.execute("SELECT state FROM sessions WHERE id = ?", (session_id,)).fetchone()
            if row is None:
                raise ValueError(f"no session {session_id!r}")
            if step_id not in json.loads(row[0])["steps"]:
                raise ValueError(f"session {session_id!r} has no step '{step_id}'")
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
            rows = self._db.execute(
                "SELECT id, step_id, author, text, at, hidden, kind FROM contributions"
                " WHERE session_id = ? AND (? OR hidden = 0) ORDER BY id",
                (session_id, include_hidden),
            ).fetchall()
        return [Contribution(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6]) for r in rows]

    def hide_contribution(self, session_id: str, contribution_id: int, hidden: bool = True) -> None:
        """Hide (or show again) a contribution; it is kept, for the facilitator's record."""
        with self._write() as db:
            changed = db.execute(
                "UPDATE contributions SET hidden = ? WHERE session_id = ? AND id = ?",
                (int(hidden), session_id, contribution_id),
            ).rowcount
            if not changed:
                raise ValueError(f"no contribution {contribution_id} in session {session_id!r}")
            self._bump(db, session_id)
            self._log(db, session_id, Event("hidden", {"id": contribution_id, "hidden": hidden}))

    # -- events ----------------------------------------------------------------------------

    def events(self, session_id: str) -> list[tuple[float, str, dict[str, Any]]]:
        """The session's history: ``(at, kind, data)`` in the order things happened."""
        with self._lock:
            rows = self._db.execute(
                "SELECT at, kind, data FROM events WHERE session_id = ? ORDER BY seq",
                (session_id,),
            ).fetchall()
        return [(r[0], r[1], json.loads(r[2])) for r in rows]

    def _bump(self, db: sqlite3.Connection, session_id: str) -> None:
        # Watchers in other kernels compare revisions: any change must move it.
        db.execute(
            "UPDATE sessions SET revision = revision + 1, updated = ? WHERE id = ?",
            (self.clock(), session_id),
        )

    def _log(self, db: sqlite3.Connection, session_id: str, event: Event) -> None:
        db.execute(
            "INSERT INTO events (session_id, at, kind, data) VALUES (?, ?, ?, ?)",
            (session_id, self.clock(), event.kind, json.dumps(event.data, default=str)),
        )


def _state_json(session: Session) -> str:
    # Contributions live in their own table, written by participants' kernels: leaving them
    # out is what keeps a facilitator's save from overwriting what someone just typed.
    state = session.to_dict()
    del state["contributions"]
    return json.dumps(state, ensure_ascii=False)
