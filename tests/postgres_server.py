"""A throwaway PostgreSQL server for the tests, from Debian's ``postgresql`` binaries.

``initdb`` a cluster in a temporary folder, ``pg_ctl start`` it on a free port of 127.0.0.1
(its socket in that folder too), trust authentication for its one user, ``codev``; every test
gets a database of its own (``new_database``). PostgreSQL refuses to run as root: as root,
the server runs as the ``postgres`` user (made by Debian's package), else ``nobody``.

Used by the ``postgres_server`` fixture (tests/conftest.py); ``.ci/run`` installs the
package when it is missing.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from codevwidgets.server.serve import free_port

USER = "codev"
DEBIAN_BINARIES = Path("/usr/lib/postgresql")


def binaries() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl``: ``CODEV_POSTGRES_BIN``, else on the PATH, else
    Debian's newest."""
    given = os.environ.get("CODEV_POSTGRES_BIN")
    if given is not None:
        return Path(given) if (Path(given) / "pg_ctl").is_file() else None
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).parent
    versions = sorted(
        DEBIAN_BINARIES.glob("*/bin/pg_ctl"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    return versions[-1].parent if versions else None


class PostgresServer:
    """One running cluster; ``stop()`` ends it and removes its folder."""

    def __init__(self, bin_dir: Path, max_connections: int = 300) -> None:
        self.bin_dir = bin_dir
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="codev-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self._names = itertools.count(1)
        self._runas: list[str] = []
        if os.geteuid() == 0:
            account = _unprivileged_account()
            entry = pwd.getpwnam(account)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
            self._runas = ["runuser", "-u", account, "--"]
        self._run(
            "initdb", "-D", str(self.data), "-U", USER, "-A", "trust", "-E", "UTF8",
            "--locale=C", "--no-sync",
        )  # fmt: skip
        self._options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
            # A test server: nothing to keep after a crash, so no waiting on the disk.
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            f" -c max_connections={max_connections}"
        )
        self._start()

    def _start(self) -> None:
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", self._options, "-w", "start"
        )  # fmt: skip

    def pause(self, seconds: float, meanwhile: Callable[[], object] = lambda: None) -> None:
        """Stop the server (its connections ended), call ``meanwhile()``, start it again
        ``seconds`` after it stopped: a restart, as an operator's would be."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        stopped = time.monotonic()
        meanwhile()
        time.sleep(max(0.0, seconds - (time.monotonic() - stopped)))
        self._start()

    def _run(self, tool: str, *args: str) -> None:
        result = subprocess.run(
            [*self._runas, str(self.bin_dir / tool), *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            log = self.log.read_text(errors="replace") if self.log.is_file() else ""
            raise RuntimeError(f"{tool} failed: {result.stderr.strip()}\n{log[-2000:]}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A new, empty database; its URL."""
        import psycopg

        name = f"test_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def drop_database(self, url: str) -> None:
        import psycopg

        name = url.rsplit("/", 1)[1]
        with (
            contextlib.suppress(psycopg.Error),
            psycopg.connect(self.url(), autocommit=True) as conn,
        ):
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


def _unprivileged_account() -> str:
    for account in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(account)
            return account
    raise RuntimeError("running as root, and no 'postgres' or 'nobody' user to run PostgreSQL")
