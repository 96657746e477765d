"""From JupyterLab to the room: a ``codev serve --no-session`` on the room's network.

A console run in JupyterLab only has relative links, which no participant can open. A
``RoomServer`` serves the pages of the sessions already in the store (creating none) at the
machine's address on the room's network; the Jupyter server, and its token, stay private.
One server per store and kernel (``open_room``); it stops with the kernel.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import weakref
from pathlib import Path

from codevwidgets.core import environment
from codevwidgets.server.serve import answers, free_port, local_address, port_in_use, public_host
from codevwidgets.server.sessions import links
from codevwidgets.store.base import Secrets
from codevwidgets.store.location import is_url, page_link, redact

__all__ = ["DEFAULT_PORT", "RoomServer", "RoomServerError", "open_room", "room_links"]

logger = logging.getLogger(__name__)

DEFAULT_PORT = 8866
STARTED_SECONDS = 60.0
# More than codev serve's own grace for Voilà's kernels (serve.STOP_GRACE_SECONDS): SIGKILL
# is the last resort, as it would leave Voilà (a process group of its own) behind.
STOP_GRACE_SECONDS = 15.0
# Every interface: the room's network is the point (the pages ask for a join code).
ALL_INTERFACES = "0.0.0.0"  # noqa: S104


class RoomServerError(RuntimeError):
    """The room's server could not start: one line for the page."""


def _stop_group(process: subprocess.Popen[bytes], grace: float) -> None:
    """SIGTERM to the server's group (``codev serve`` then ends Voilà and its kernels),
    SIGKILL if it is still there after ``grace`` seconds."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


class RoomServer:
    """``codev serve --no-session`` for ``store`` on ``ip``:``port``, in a process group of its
    own; ``base_url`` is its address on the room's network once ``start`` returns."""

    def __init__(
        self,
        store: Path | str,
        *,
        ip: str = ALL_INTERFACES,
        port: int | None = None,
        pool: int = 0,
    ) -> None:
        self.store = _where(store)
        self.ip = ip
        self.port = port if port is not None else _port(ip)
        self.pool = pool
        self.base_url = f"http://{public_host(ip)}:{self.port}"
        self.local_url = f"http://{local_address(ip)}:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self._finalizer: weakref.finalize[..., RoomServer] | None = None

    def __repr__(self) -> str:
        return f"RoomServer({self.base_url!r})"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float = STARTED_SECONDS) -> RoomServer:
        """Start the server and wait until it answers; ``RoomServerError`` if it cannot."""
        if self.running:
            return self
        busy = port_in_use(self.ip, self.port)
        if busy is not None:
            raise RoomServerError(f"port {self.port} is busy ({busy})")
        command = [sys.executable, "-m", "codevwidgets.cli", "serve", "--no-session"]
        command += ["--ip", self.ip, "--port", str(self.port)]
        command += ["--pool", str(self.pool)]
        # Not the Jupyter server's secrets: the room's server needs none of them.
        env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
        env.pop(environment.PUBLIC_URL, None)
        # In its environment, not its command line: a URL's password stays out of `ps`.
        env[environment.STORE] = self.store
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
        process = self.process
        self._finalizer = weakref.finalize(self, _stop_group, process, STOP_GRACE_SECONDS)
        atexit.register(self._finalizer)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RoomServerError(
                    f"the room's server stopped (exit status {process.returncode})"
                )
            if answers(page_link(self.local_url, "participant.ipynb")):
                logger.info("room server for %s at %s", redact(self.store), self.base_url)
                return self
            time.sleep(0.3)
        self.stop()
        raise RoomServerError(f"the room's server did not answer within {timeout:.0f} s")

    def stop(self) -> None:
        """End the server, its Voilà and their kernels (idempotent)."""
        if self._finalizer is not None:
            self._finalizer()  # runs _stop_group once; later calls do nothing


def _where(store: Path | str) -> str:
    """The store as ``codev serve --store`` takes it: a database's URL, or a file's full path."""
    return store if isinstance(store, str) and is_url(store) else str(Path(store).resolve())


def _port(ip: str) -> int:
    """The usual port if it is free, else any free one."""
    return DEFAULT_PORT if port_in_use(ip, DEFAULT_PORT) is None else free_port()


_servers: dict[str, RoomServer] = {}
_lock = threading.Lock()


def open_room(
    store: Path | str, *, ip: str = ALL_INTERFACES, port: int | None = None
) -> RoomServer:
    """The room's server for ``store`` (a file or a database's URL) in this kernel: the
    running one, else a new one."""
    key = _where(store)
    with _lock:
        server = _servers.get(key)
        if server is None or not server.running:
            server = RoomServer(key, ip=ip, port=port).start()
            _servers[key] = server
        return server


def room_links(server: RoomServer, secrets: Secrets) -> tuple[str, str]:
    """The participants' and the projector's links on the room's server (the join code only:
    never the facilitator's key, never the Jupyter server's address or token)."""
    participants = links(server.base_url, secrets).participants
    code = {"session": secrets.session_id, "code": secrets.join_code}
    return participants, page_link(server.base_url, "projector.ipynb", code)
