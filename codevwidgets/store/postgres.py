"""The shared store: a PostgreSQL database, for several ``codev serve`` on several machines.

The same rules as SQLite's (``sql.SQLStore``): every change is one transaction that
begins by locking the session's row (``SELECT … FOR UPDATE``), so two kernels' commands on one
session queue exactly as under SQLite's write lock, each applied to the state the other left.
Connections come from a ``psycopg_pool.ConnectionPool`` (a kernel's widgets and its watcher
share it). The change feed is ``LISTEN/NOTIFY``: a trigger announces each new revision on the
session's own channel at commit; since notifications are not replayed, a kernel reads the
revision from the table after each one, after connecting again, and every ``check_every``
seconds anyway (a connection dropped without a word).

The schema is created and migrated from the numbered files of
``codevwidgets/store/migrations/postgres``
(``001_schema.sql``, …), each applied once in a transaction and recorded in
``schema_version``; a database of a newer release is refused.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from functools import lru_cache
from importlib import resources
from typing import Any, ClassVar
from urllib.parse import urlsplit

import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool, PoolTimeout

from codevwidgets.core.clock import Clock, system_clock
from codevwidgets.core.runbook import Runbook
from codevwidgets.store.base import StoreError
from codevwidgets.store.feed import ChangeFeed, tell
from codevwidgets.store.location import redact
from codevwidgets.store.sql import Cursor, Database, SQLStore, fill_group_ids

__all__ = ["SCHEMA_VERSION", "PostgresStore", "PostgresWatcher", "channel_for", "migrations"]

logger = logging.getLogger(__name__)

MIGRATION = re.compile(r"(\d{3})_[a-z0-9_]+\.sql")
CONNECT_TIMEOUT = 5  # seconds: an unreachable server is one line, not a hung page
# Two servers starting at once on a new database: one creates the schema, the other waits.
MIGRATION_LOCK = 0x636F646576  # "codev"
DELETED_FROM = (
    "contributions",
    "notes",
    "events",
    "signals",
    "persons",
    "topics",
    "dots",
    "sessions",
    "days",
)
# What a schema file cannot do in SQL, done in Python right after it, in its transaction.
# (Schema 2's group_key, filled here once, is dropped by schema 3: nothing to fill any more.)
AFTER_MIGRATION: dict[int, Callable[[Database], None]] = {3: fill_group_ids}


def migrations() -> list[tuple[int, str]]:
    """The schema's SQL files, ``(version, text)`` in order: ``001_schema.sql`` is 1."""
    folder = resources.files("codevwidgets.store") / "migrations" / "postgres"
    found = sorted(
        (int(match[1]), entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if (match := MIGRATION.fullmatch(entry.name))
    )
    if [number for number, _ in found] != list(range(1, len(found) + 1)):
        raise StoreError(f"{folder}: the schema files are not numbered 001, 002, … in a row")
    return found


SCHEMA_VERSION = len(migrations())


def channel_for(session_id: str) -> str:
    """The session's notification channel (``codev_session_channel`` in the schema)."""
    digest = hashlib.md5(session_id.encode(), usedforsecurity=False).hexdigest()
    return f"codev_{digest[:16]}"


class PostgresStore(SQLStore):
    """Sessions in a PostgreSQL database, shared by every kernel of every server using it.

    Parameters
    ----------
    url : str
        ``postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?…]`` (libpq's URL); the database
        exists, and the user may create tables in it the first time. The password, if any,
        is never printed: messages show the URL with ``***``.
    clock : Clock
        Stamps rows, times commands and paces the rate limit; tests pass a ``FakeClock``.
    pool_size : int
        Connections this process keeps at most (one is kept open; a watcher has its own).
    create : bool
        False opens a database that holds the kit's tables only (``codev sessions``): an
        empty one is refused, and left empty.

    Examples
    --------
    >>> store = PostgresStore("postgresql://codev@db.example/codev")  # doctest: +SKIP
    >>> secrets = store.create(session, "classic", "fr")  # doctest: +SKIP
    """

    lock_row: ClassVar[str] = " FOR UPDATE"
    event_participant: ClassVar[str] = "(data::jsonb ->> 'participant')"
    session_order: ClassVar[str] = "created, seq"
    duplicate: ClassVar[tuple[type[Exception], ...]] = (psycopg.errors.UniqueViolation,)
    driver_errors: ClassVar[tuple[type[Exception], ...]] = (psycopg.Error,)
    check_every = 1.0  # seconds between a watcher's revision checks when nothing is heard

    def __init__(
        self,
        url: str,
        clock: Clock = system_clock,
        *,
        pool_size: int = 4,
        create: bool = True,
        connect_later: bool = False,
    ) -> None:
        self.url, self.clock = url, clock
        self._books: dict[str, Runbook] = {}
        try:
            with self._connect() as conn:
                migrate(conn, self._where(), create)
        except psycopg.Error as exc:
            raise StoreError(f"{self._where()}: {self._say(exc)}") from None
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=pool_size,
            kwargs={"connect_timeout": CONNECT_TIMEOUT},
            # A connection the server dropped (a restart, an idle timeout) is replaced, not
            # handed to a command.
            check=ConnectionPool.check_connection,
            open=False,
            name="codev",
            num_workers=1,
            # A command waits this long for a connection (the server gone: then it fails).
            timeout=10.0,
            # After a restart the pool tries again at growing intervals (1, 2, 4… s); giving
            # the attempt up after 5 s lets the next command try at once: a room's pages work
            # again within seconds of the server's return, not after a minute's backoff.
            reconnect_timeout=5.0,
        )
        # A page's kernel holds no connection before its page has connected (keep_connected):
        # requests that never bring a browser must not use up the server's connections.
        if not connect_later:
            try:
                self.keep_connected()
            except StoreError:
                self._pool.close()
                raise

    def keep_connected(self) -> None:
        """Open the pool (its one connection kept, more as needed), if not yet open.

        A server that does not answer now is one line (``StoreError``); the pool stays open and
        connects once the server is back (a closed pool cannot be opened again).
        """
        if not self._pool.closed:
            return
        try:
            self._pool.open(wait=True, timeout=CONNECT_TIMEOUT)
        except PoolTimeout:
            raise StoreError(f"{self._where()}: the server stopped answering") from None

    def __repr__(self) -> str:
        return f"PostgresStore({self._where()!r})"

    @property
    def location(self) -> str:
        return self.url

    def _where(self) -> str:
        return redact(self.url)

    def _say(self, exc: BaseException) -> str:
        """The first line of a driver's message, without the password if it quotes it."""
        line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        password = _password(self.url)
        return line.replace(password, "***") if password else line

    def _connect(self, autocommit: bool = True) -> psycopg.Connection[Any]:
        return psycopg.connect(self.url, autocommit=autocommit, connect_timeout=CONNECT_TIMEOUT)

    @property
    def holding(self) -> bool:
        """Whether the pool is open (else each call connects for itself, then disconnects)."""
        return not self._pool.closed

    def close(self) -> None:
        self._pool.close()

    @contextmanager
    def _connection(self, snapshot: bool = False) -> Iterator[Database]:
        # The pool's block commits when it ends and rolls back on an exception. A server gone
        # mid-session is one line (StoreError), as when it could not be reached at all.
        try:
            with self._pool.connection() if self.holding else self._connect(False) as conn:
                if snapshot:
                    conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                yield _Connection(conn)
        except psycopg.OperationalError as exc:  # PoolTimeout too
            raise StoreError(f"{self._where()}: {self._say(exc)}") from None

    def _write(self) -> AbstractContextManager[Database]:
        # Every write starts with SELECT … FOR UPDATE on its session's row (SQLStore.lock_row).
        return self._connection()

    def _read(self) -> AbstractContextManager[Database]:
        # One snapshot for several SELECTs: a state, its notes and contributions of one moment.
        return self._connection(snapshot=True)

    def _query(self) -> AbstractContextManager[Database]:
        return self._connection()

    def _forget(self) -> None:
        # Deleted rows stay in the tables' pages until VACUUM removes them; run it now rather
        # than at autovacuum's pace (not VACUUM FULL: it would lock out every other server).
        with self._connect() as conn:
            for table in DELETED_FROM:
                conn.execute(sql.SQL("VACUUM {}").format(sql.Identifier(table)))

    def watch(
        self,
        session_id: str,
        on_change: Callable[[int], None],
        *,
        interval: float = 0.025,
        start_thread: bool = True,
    ) -> PostgresWatcher:
        """The change feed: ``on_change(revision)`` when the session's revision moves.

        ``interval`` (SQLite's polling period) is not used: notifications come as they are
        committed, and the revision is read every ``check_every`` seconds besides.
        """
        return PostgresWatcher(
            self._connect,
            session_id,
            on_change,
            check_every=self.check_every,
            start_thread=start_thread,
        )


class _Connection:
    """A pooled connection as ``SQLStore`` uses it: ``?`` placeholders, and a value that
    PostgreSQL cannot hold (a NUL character in a text) refused as bad input."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self._conn = conn

    def execute(self, query: str, params: Sequence[Any] = (), /) -> Cursor:
        try:
            return self._conn.execute(_placeholders(query), params)
        except psycopg.DataError as exc:
            message = str(exc).splitlines()[0] if str(exc) else "a value the store cannot hold"
            raise ValueError(message) from None


@lru_cache(maxsize=256)
def _placeholders(query: str) -> str:
    # SQLStore's SQL has no other "?" nor "%": each "?" is a parameter.
    return query.replace("?", "%s")


def _password(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    found = parts.password
    for pair in parts.query.split("&"):
        key, _, value = pair.partition("=")
        if key == "password" and value:
            found = value
    return found


def migrate(conn: psycopg.Connection[Any], where: str, create: bool = True) -> None:
    """Bring the database to ``SCHEMA_VERSION`` (``conn`` in autocommit mode).

    A database holding another application's tables (a ``schema_version`` not the kit's, or
    tables without one) is refused, untouched; so is one without the kit's tables unless
    ``create``.
    """
    # Every page opens the store: a current one is only read, never locked or written.
    if _version(conn, where) == SCHEMA_VERSION:
        return
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        version = _version(conn, where)
        if version == 0:
            _refuse_foreign_tables(conn, where)
            if not create:
                raise StoreError(
                    f"no store at {where}: the database has no codevwidgets tables (codev"
                    " serve or codev sessions new creates them)"
                )
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{where}: store schema version {version} is newer than this codevwidgets "
                f"knows ({SCHEMA_VERSION}); upgrade codevwidgets or use another store "
                "(CODEV_STORE or --store)"
            )
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            " version INTEGER PRIMARY KEY, applied TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        for number, script in migrations():
            if number > version:
                try:
                    conn.execute(script.encode())
                except (
                    psycopg.errors.DuplicateTable,
                    psycopg.errors.DuplicateObject,
                    psycopg.errors.DuplicateFunction,
                ):
                    raise StoreError(_FOREIGN.format(where=where, which="")) from None
                if number in AFTER_MIGRATION:
                    AFTER_MIGRATION[number](_Connection(conn))
                conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (number,))


_FOREIGN = (
    "{where}: the database holds another application's tables{which}: give an empty database,"
    " or a schema of the kit's own (?options=-csearch_path%3Dcodev)"
)
# The kit's schema_version, as 001's migration made it: another tool's table of that name
# (Flyway's, a hand-made one) has other columns, or other types.
_OWN_COLUMNS = [("version", "integer"), ("applied", "timestamp with time zone")]


def _version(conn: psycopg.Connection[Any], where: str) -> int:
    """The kit's schema version in the database's current schema (0: none yet); ``StoreError``
    when its ``schema_version`` table is another application's."""
    columns = conn.execute(
        "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute"
        " WHERE attrelid = to_regclass('schema_version') AND attnum > 0 AND NOT attisdropped"
        " ORDER BY attnum"
    ).fetchall()
    if not columns:
        return 0
    found = None
    if [tuple(c) for c in columns] == _OWN_COLUMNS:
        # The kit's first migration makes codev_session_channel in the same transaction.
        found = conn.execute(
            "SELECT max(version), to_regprocedure('codev_session_channel(text)') IS NOT NULL"
            " FROM schema_version"
        ).fetchone()
    if found is None or (found[0] is not None and not found[1]):
        raise StoreError(_FOREIGN.format(where=where, which=" (a schema_version not the kit's)"))
    return int(found[0]) if found[0] is not None else 0


def _refuse_foreign_tables(conn: psycopg.Connection[Any], where: str) -> None:
    """``StoreError`` if the current schema already has tables: the kit's are not there, so
    they are another application's, which the kit's would mix with."""
    names = [
        row[0]
        for row in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            " AND tablename <> 'schema_version' ORDER BY tablename LIMIT 4"
        )
    ]
    if names:
        shown = ", ".join(names[:3]) + (", …" if len(names) > 3 else "")
        raise StoreError(_FOREIGN.format(where=where, which=f" ({shown})"))


class PostgresWatcher(ChangeFeed):
    """Calls ``on_change(revision)`` when the session's revision in the database moves.

    Its own connection (autocommit) listens on the session's channel; a notification naming a
    revision it has not seen makes it read the revision (notifications are not replayed: the
    table is the truth). Every ``check_every`` seconds it reads the revision anyway, and after
    losing its connection it connects again and reads it: nothing missed stays missed.

    Parameters
    ----------
    connect : callable
        Opens a new autocommit connection to the store's database.
    session_id, on_change
        The session to follow and what to call, from the watcher's thread (or from
        ``poll()``'s caller), with each new revision. An exception in it is logged.
    check_every : float
        Seconds between two revision checks when no notification came.
    start_thread : bool
        False leaves the checking to the caller: tests call ``poll()``, without threads.

    Examples
    --------
    >>> watcher = store.watch("abc", print, start_thread=False)  # doctest: +SKIP
    >>> watcher.poll()  # after another kernel changed session "abc"  # doctest: +SKIP
    8
    True
    """

    wait_slice = 0.25  # how soon stop() is noticed while waiting for a notification
    thread_name = "codev-listen"
    join_timeout = 2 * wait_slice + 1

    def __init__(
        self,
        connect: Callable[[], psycopg.Connection[Any]],
        session_id: str,
        on_change: Callable[[int], None],
        *,
        check_every: float = 1.0,
        start_thread: bool = True,
    ) -> None:
        self.session_id, self.on_change, self.check_every = session_id, on_change, check_every
        self._open = connect
        self._lock = threading.Lock()
        self._closed = False
        self._conn: psycopg.Connection[Any] | None = None
        self.revision = -1
        try:
            self._conn = self._listen()
            self.revision = self._read_revision(self._conn)
        except psycopg.Error as exc:
            # The server is away as a page opens: follow from nothing, the thread connects
            # again (poll) and tells the page the revision it finds then.
            logger.warning("session %s: no change feed yet (%s)", self.session_id, exc)
            self._drop()
        self._begin(start_thread)

    def _listen(self) -> psycopg.Connection[Any]:
        conn = self._open()
        try:
            conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel_for(self.session_id))))
        except BaseException:
            conn.close()
            raise
        return conn

    def _read_revision(self, conn: psycopg.Connection[Any]) -> int:
        row = conn.execute(
            "SELECT revision FROM sessions WHERE id = %s", (self.session_id,)
        ).fetchone()
        return int(row[0]) if row else -1

    @property
    def backend_pid(self) -> int | None:
        """The server process of the listening connection (None while disconnected)."""
        conn = self._conn
        return conn.info.backend_pid if conn is not None and not conn.closed else None

    def poll(self) -> bool:
        """Read the revision once (connecting again if the connection was lost); call
        ``on_change`` and return True if it moved."""
        with self._lock:
            if self._closed:
                return False
            if self._conn is None or self._conn.closed:
                self._conn = None
                self._conn = self._listen()  # listening again before reading: nothing falls between
            revision = self._read_revision(self._conn)
            if not self._moved(revision):
                return False
        # Outside the lock: the callback may stop() this watcher.
        tell(self.on_change, revision, self.session_id)
        return True

    def _heard(self) -> bool:
        """Wait until a notification names a revision not seen yet (True), or until
        ``check_every`` has passed or stop() was called (False)."""
        conn = self._conn
        if conn is None:
            return False
        deadline = time.monotonic() + self.check_every
        while not self._stop.is_set() and (left := deadline - time.monotonic()) > 0:
            for note in conn.notifies(timeout=min(left, self.wait_slice), stop_after=1):
                if self._names_new_revision(note.payload):
                    return True
        return False

    def _names_new_revision(self, payload: str) -> bool:
        try:
            said = json.loads(payload)
            return bool(said["session"] == self.session_id and said["revision"] != self.revision)
        except (ValueError, KeyError, TypeError):
            return True  # not ours to parse: read the table, the truth

    def _run(self) -> None:
        failing = False
        while not self._stop.is_set():
            try:
                self._heard()
                if self._stop.is_set():
                    break
                self.poll()
                failing = False
            except Exception:
                if self._stop.is_set():
                    break
                # The server restarted or the network dropped: say so once, then connect
                # again (in poll) after a pause, and read what changed meanwhile.
                if not failing:
                    logger.exception("session %s: lost the store's change feed", self.session_id)
                failing = True
                self._drop()
                self._stop.wait(min(self.check_every, 1.0))

    def _drop(self) -> None:
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
