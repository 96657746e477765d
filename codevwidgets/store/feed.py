"""Noticing, from another process, that the store changed.

SQLite has no cross-process notification (no LISTEN/NOTIFY; ``update_hook`` sees only its own
connection's writes), so a kernel that follows a session polls. ``PRAGMA data_version`` makes
polling cheap: it reads a counter in the WAL index (shared memory, no disk access), costs
microseconds, and changes only when another connection has committed. Only then is the
session's revision read, so a quiet session costs a participant's kernel almost nothing, and
polling every few tens of milliseconds (LiveLink uses 25 ms) keeps a step change within the
pages' latency target.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

__all__ = ["ChangeFeed", "StoreWatcher"]

logger = logging.getLogger(__name__)


def tell(on_change: Callable[[int], None], revision: int, session_id: str) -> None:
    """Call a watcher's callback with a new revision: a failing view is logged, and must not
    stop the page from following the session."""
    try:
        on_change(revision)
    except Exception:
        logger.exception("session %s: a change callback failed", session_id)


class ChangeFeed:
    """What every store's change feed shares: a thread of its own that follows the session
    until ``stop()``, a connection of its own, and the callback told outside the lock (it may
    stop the watcher). Subclasses open the connection, then call ``_begin``."""

    session_id: str
    on_change: Callable[[int], None]
    revision: int
    _lock: threading.Lock
    _closed: bool
    thread_name: str = "codev-watch"
    join_timeout: float = 2.0

    def _begin(self, start_thread: bool) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if start_thread:
            self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
            self._thread.start()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(session={self.session_id!r}, revision={self.revision})"

    def _run(self) -> None:
        raise NotImplementedError

    def _close(self) -> None:
        """Close the connection (under the lock, once)."""
        raise NotImplementedError

    def _moved(self, revision: int) -> bool:
        """Whether ``revision`` is new; a new one is remembered (and then told, unlocked)."""
        if revision == self.revision:
            return False
        self.revision = revision
        return True

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        """Stop watching and close the connection (safe to call from ``on_change``)."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=self.join_timeout)
        with self._lock:
            if not self._closed:
                self._closed = True
                self._close()


class StoreWatcher(ChangeFeed):
    """Calls ``on_change(revision)`` when the session's revision in the store moves.

    It opens its own connection: ``data_version`` counts only commits made by *other*
    connections, and a thread must not share the kernel's connection mid-transaction.

    Parameters
    ----------
    store_path : Path
        An existing store (a ``SessionStore`` created it); a missing file is an error, never
        silently created with the wrong permissions.
    session_id : str
        The session to follow.
    on_change : callable
        Called with the new revision, from the watcher's thread (or from ``poll()``'s caller).
        An exception in it is logged and the watching goes on.
    interval : float
        Seconds between two checks.
    start_thread : bool
        False leaves the polling to the caller: tests call ``poll()``, without threads or
        sleeps.

    Examples
    --------
    >>> watcher = StoreWatcher(path, "abc", print, start_thread=False)  # doctest: +SKIP
    >>> watcher.poll()  # after another kernel saved session "abc"  # doctest: +SKIP
    8
    True
    """

    def __init__(
        self,
        store_path: Path,
        session_id: str,
        on_change: Callable[[int], None],
        interval: float = 0.05,
        start_thread: bool = True,
    ) -> None:
        self.session_id, self.on_change, self.interval = session_id, on_change, interval
        uri = f"{Path(store_path).resolve().as_uri()}?mode=rw"
        # Autocommit: an open read transaction would pin an old snapshot and hide new commits.
        self._db = sqlite3.connect(
            uri, uri=True, timeout=5.0, isolation_level=None, check_same_thread=False
        )
        self._db.execute("PRAGMA busy_timeout=5000")
        self._lock = threading.Lock()
        self._closed = False
        self._data_version = self._read_data_version()
        self.revision = self._read_revision()
        self._begin(start_thread)

    def _read_data_version(self) -> int:
        return int(self._db.execute("PRAGMA data_version").fetchone()[0])

    def _read_revision(self) -> int:
        row = self._db.execute(
            "SELECT revision FROM sessions WHERE id = ?", (self.session_id,)
        ).fetchone()
        return int(row[0]) if row else -1

    def poll(self) -> bool:
        """Check once; call ``on_change`` and return True if the revision moved."""
        with self._lock:
            if self._closed:
                return False
            version = self._read_data_version()
            if version == self._data_version:
                return False
            revision = self._read_revision()
            # Only now: if reading the revision failed, the next poll tries again.
            self._data_version = version
            if not self._moved(revision):
                return False
        # Outside the lock: the callback may stop() this watcher.
        tell(self.on_change, revision, self.session_id)
        return True

    def _run(self) -> None:
        failing = False
        while not self._stop.wait(self.interval):
            try:
                self.poll()
                failing = False
            except Exception:
                # A locked or unreadable store: say so once (not 20 times a second), and
                # try again next time.
                if not failing:
                    logger.exception("session %s: cannot read the store", self.session_id)
                failing = True

    def _close(self) -> None:
        self._db.close()
