"""A PostgreSQL restart in the middle of a session: how soon after the server is back does a
facilitator's command go through, and a following kernel's change feed hear it?

The kit's pool gives a reconnection attempt up after 5 s (``reconnect_timeout``), so the next
command connects at once; the baseline is the same store with psycopg's own default (300 s),
whose attempts wait 1, 2, 4… s in between. One server, stopped and started with ``pg_ctl``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import codevwidgets.store.postgres as postgres_store
from codevwidgets.core.commands import Command
from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.store.base import StoreError

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))
from postgres_server import PostgresServer, binaries

PSYCOPG_DEFAULT = 300.0  # psycopg_pool's reconnect_timeout when none is given


@dataclass
class Recovery:
    command: float  # seconds from the server's return to a command applied
    feed: float  # … to the follower's change feed telling that command's revision


@contextmanager
def reconnect_timeout(seconds: float | None) -> Iterator[None]:
    """Stores opened inside use this reconnect_timeout (None: the kit's own)."""
    kit = postgres_store.ConnectionPool
    if seconds is None:
        yield
        return

    class Pool(kit):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **{**kwargs, "reconnect_timeout": seconds})

    postgres_store.ConnectionPool = Pool  # type: ignore[misc]
    try:
        yield
    finally:
        postgres_store.ConnectionPool = kit  # type: ignore[misc]


def restarted(server: PostgresServer, url: str, down_for: float) -> Recovery:
    """Stop the server for ``down_for`` s (a command is tried meanwhile), start it, and time
    a facilitator's command and a follower's change feed from its return."""
    store, follower = postgres_store.PostgresStore(url), postgres_store.PostgresStore(url)
    heard: list[int] = []
    watcher = follower.watch("s", heard.append)
    try:
        server.pause(down_for, lambda: _try(store))
        back = time.monotonic()
        while (revision := _try(store)) is None:
            time.sleep(0.05)
        command = time.monotonic() - back
        while not heard or heard[-1] < revision:
            time.sleep(0.01)
        return Recovery(command, time.monotonic() - back)
    finally:
        watcher.stop()
        follower.close()
        store.close()


def _try(store: postgres_store.PostgresStore) -> int | None:
    try:
        return store.execute("s", Command("extend", {"minutes": 1}))
    except StoreError:
        return None


def recoveries(runs: int, outages: tuple[float, ...]) -> tuple[list[Recovery], list[Recovery]]:
    """The kit's pool and psycopg's default, alternating, each outage ``runs`` times."""
    bin_dir = binaries()
    if bin_dir is None:
        raise RuntimeError("no PostgreSQL binaries (apt-get install postgresql)")
    server = PostgresServer(bin_dir)
    try:
        url = server.new_database()
        with postgres_store.PostgresStore(url) as store:
            roles = Roles("Ana", "Bruno", ("Chloé", "David", "Emma"))
            store.create(Session(load_preset("classic"), roles, session_id="s"), "classic", "en")
            store.execute("s", Command("start"))
        kit: list[Recovery] = []
        default: list[Recovery] = []
        for _ in range(runs):
            for down_for in outages:
                kit.append(restarted(server, url, down_for))
                with reconnect_timeout(PSYCOPG_DEFAULT):
                    default.append(restarted(server, url, down_for))
        return kit, default
    finally:
        server.stop()
