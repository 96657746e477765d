"""What page requests that bring no browser leave held on a server (issue 21): kernels and
PostgreSQL connections 15 s after 100 requests with a wrong code, and after 100 with the right
code but no websocket (``curl``), against what the server held before them.

The server is ``codev serve``'s Voilà with its pool of preheated kernels and a budget of
``MAX_KERNELS``, on a PostgreSQL store (the tests' throwaway server).
"""

from __future__ import annotations

import shutil
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from benchmarks._voila import Voila
from codevwidgets.server.serve import POOL_SIZE
from codevwidgets.server.sessions import new_session
from codevwidgets.store.postgres import PostgresStore

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))
from postgres_server import PostgresServer, binaries

REQUESTS = 100
AT_ONCE = 8  # requests in flight together
AFTER = 15.0  # seconds after the last answer
MAX_KERNELS = 24


@dataclass(frozen=True)
class Held:
    """Kernels running and connections to the store's database at one moment."""

    kernels: int
    connections: int


@dataclass(frozen=True)
class DoorRun:
    before: Held
    wrong_code: Held  # AFTER s after REQUESTS requests with a made-up code
    no_browser: Held  # AFTER s after REQUESTS requests with the right code, never connected
    answers: dict[int, int]  # HTTP status → how many, for the right-code requests


def connections(url: str) -> int:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    return int(str(row[0])) if row else 0


def request(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=180) as page:
            page.read()
            return int(page.status)
    except urllib.error.HTTPError as answer:
        return int(answer.code)


def door_run(work: Path) -> DoorRun:
    bin_dir = binaries()
    if bin_dir is None:
        raise RuntimeError("no PostgreSQL server binaries (apt install postgresql)")
    postgres = PostgresServer(bin_dir, max_connections=300)
    server: Voila | None = None
    try:
        store_url = postgres.new_database()
        with PostgresStore(store_url) as store:
            secrets = new_session(store, "classic")
        args = [f"--RoomKernelManager.max_kernels={MAX_KERNELS}"]
        server = Voila(work / "voila", store_url, args=args, pool=POOL_SIZE)
        ready = time.monotonic() + 120
        while len(server.kernels()) < POOL_SIZE and time.monotonic() < ready:
            time.sleep(0.5)

        def held() -> Held:
            assert server is not None
            return Held(len(server.kernels()), connections(store_url))

        sid = secrets.session_id
        # The server's door opens its own connection to the store at its first request.
        request(server.url("participant.ipynb", session=sid, code="wrong"))
        time.sleep(AFTER)  # the pool warmed up and quiet
        before = held()
        wrong = [server.url("participant.ipynb", session=sid, code="wrong")] * REQUESTS
        right = [server.url("participant.ipynb", session=sid, code=secrets.join_code)] * REQUESTS
        with ThreadPoolExecutor(AT_ONCE) as threads:
            list(threads.map(request, wrong))
        time.sleep(AFTER)
        wrong_code = held()
        with ThreadPoolExecutor(AT_ONCE) as threads:
            statuses = list(threads.map(request, right))
        time.sleep(AFTER)
        no_browser = held()
        answers = {status: statuses.count(status) for status in sorted(set(statuses))}
        return DoorRun(before, wrong_code, no_browser, answers)
    finally:
        if server is not None:
            server.stop()
        postgres.stop()
        shutil.rmtree(work, ignore_errors=True)
