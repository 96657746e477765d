"""Two Voilà servers behind HAProxy sharing a PostgreSQL database, for the capacity benchmark.

The deployment the README describes ("When one machine is not enough"), on one machine:
Debian's HAProxy on ``deploy/haproxy.cfg`` (its addresses from the environment, as the tests
give them), two of ``codev serve``'s Voilà servers, and a throwaway PostgreSQL server from
Debian's binaries (the tests' ``postgres_server.PostgresServer``).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from urllib.parse import quote, urlencode

from benchmarks._voila import Voila
from codevwidgets.server.serve import free_port

# The tests' throwaway server: one implementation for the tests and the benchmark.
sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))
from postgres_server import PostgresServer, binaries

DEPLOY = Path(__file__).parents[1] / "deploy"
SERVERS = ("codev1", "codev2")
# Each page's kernel holds two connections (commands, change feed), up to four under load.
MAX_CONNECTIONS = 800
STARTED = 60.0  # seconds


class Cluster:
    """``with Cluster(workdir) as cluster:`` PostgreSQL, two servers and HAProxy, all running;
    ``cluster.url(notebook, **query)`` is a page through HAProxy."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.servers: list[Voila] = []
        self.haproxy: subprocess.Popen[bytes] | None = None
        bin_dir = binaries()
        if bin_dir is None:
            raise RuntimeError("no PostgreSQL server binaries (apt install postgresql)")
        found = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/sbin")
        if found is None:
            raise RuntimeError("no haproxy (apt install haproxy)")
        self.haproxy_binary = found
        self.postgres = PostgresServer(bin_dir, max_connections=MAX_CONNECTIONS)
        self.store = self.postgres.new_database()
        self.port = free_port()

    def __enter__(self) -> Cluster:
        try:
            self.workdir.mkdir(parents=True, exist_ok=True)
            public = {"CODEV_PUBLIC_URL": f"http://127.0.0.1:{self.port}"}
            for name in SERVERS:
                self.servers.append(Voila(self.workdir / name, self.store, env=public, pool=0))
            self._start_haproxy()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _start_haproxy(self) -> None:
        self.socket = self.workdir / "haproxy.sock"
        env = {
            **os.environ,
            "CODEV_BIND": f"127.0.0.1:{self.port}",
            "CODEV_HAPROXY_SOCKET": str(self.socket),
            **{f"CODEV_SERVER_{n}": f"127.0.0.1:{s.port}" for n, s in enumerate(self.servers, 1)},
        }
        with (self.workdir / "haproxy.log").open("wb") as log:
            self.haproxy = subprocess.Popen(
                [self.haproxy_binary, "-f", str(DEPLOY / "haproxy.cfg")],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + STARTED
        while time.monotonic() < deadline and self.haproxy.poll() is None:
            try:
                if self._states() == dict.fromkeys(SERVERS, "UP"):
                    return
            except OSError:
                pass
            time.sleep(0.2)
        log_text = (self.workdir / "haproxy.log").read_text(errors="replace")
        raise RuntimeError(f"HAProxy did not see both servers up:\n{log_text}")

    def _states(self) -> dict[str, str]:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as admin:
            admin.settimeout(5)
            admin.connect(str(self.socket))
            admin.sendall(b"show stat\n")
            text = b"".join(iter(lambda: admin.recv(65536), b"")).decode()
        lines = text.splitlines()
        header = lines[0].lstrip("# ").split(",")
        rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:] if line]
        return {r["svname"]: r["status"] for r in rows if r["svname"] in SERVERS}

    def url(self, notebook: str, **query: str) -> str:
        path = f"http://127.0.0.1:{self.port}/voila/render/{quote(notebook)}"
        return f"{path}?{urlencode(query)}" if query else path

    def kernels(self) -> set[int]:
        return set().union(*(server.kernels() for server in self.servers))

    def server_pids(self) -> set[int]:
        return {server.process.pid for server in self.servers}

    @staticmethod
    def postgres_version() -> str:
        bin_dir = binaries()
        if bin_dir is None:
            return "?"
        run = subprocess.run([str(bin_dir / "postgres"), "--version"], capture_output=True)
        return run.stdout.decode().split()[2] if run.returncode == 0 else "?"

    def close(self) -> None:
        if self.haproxy is not None and self.haproxy.poll() is None:
            self.haproxy.send_signal(signal.SIGTERM)
            self.haproxy.wait(timeout=10)
        for server in self.servers:
            server.stop()
        self.postgres.stop()
