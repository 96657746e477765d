"""``codev serve``: Voilà on the kit's notebooks, with settings safe for a room."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import quote, urlencode

from codevwidgets.cycle import plan_cycle
from codevwidgets.roles import Roles
from codevwidgets.roster import load_roster
from codevwidgets.runbook import resolve
from codevwidgets.session import Session
from codevwidgets.store import SessionStore, join_code_for

# Installed wheels carry the notebooks inside the package; a source checkout has them beside it.
_CANDIDATES = (Path(__file__).parent / "notebooks", Path(__file__).parent.parent / "notebooks")
DEMO_ROSTER = Path(__file__).parent / "demo" / "roster.yaml"
# Voilà's own unload beacon is refused by its server (403: the beacon carries no _xsrf value,
# voila-dashboards/voila#1458), and phones drop pages without one: the culler ends kernels
# idle this long with no page connected. A participant kernel stops
# following the store once its page is gone (pages.PAGE_GONE_AFTER), so it does fall idle.
CULL_IDLE_SECONDS = 60
# Voilà waits this long for a cell's output once the kernel has run it (nbclient's default,
# 4 s, left pages blank when a room of 25 joined at once on 2 cores: see the benchmarks).
IOPUB_TIMEOUT_SECONDS = 60
# Participant kernels kept started, imports done, waiting for a visitor (Voilà's preheated
# pool): a group of up to 8 joins without waiting for kernels to start. Voilà refills the
# pool as they are taken and never culls the kernels waiting in it.
POOL_SIZE = 8
MAX_POOL = 64  # each waiting kernel holds about 65 MiB
POOL_FILLED = "Kernel pool of "  # … participant.ipynb is filled with 8 kernel(s)
STARTUP_TIMEOUT = 60.0


def notebooks_dir() -> Path:
    return next(path for path in _CANDIDATES if (path / "facilitator.ipynb").is_file())


def voila_command(port: int, ip: str, pool: int = POOL_SIZE) -> list[str]:
    voila = shutil.which("voila", path=str(Path(sys.executable).parent)) or "voila"
    # Only participant pages come in numbers; a facilitator kernel starts when one is opened.
    preheat = [
        "--preheat_kernel=True",
        f"--pool_size={pool}",
        "--VoilaKernelManager.preheat_denylist=facilitator",
    ]
    return [
        voila,
        str(notebooks_dir()),
        "--no-browser",
        f"--port={port}",
        f"--Voila.ip={ip}",
        "--Voila.port_retries=0",
        # Participants must never see code or a traceback.
        "--VoilaConfiguration.strip_sources=True",
        "--VoilaConfiguration.show_tracebacks=False",
        f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_SECONDS}",
        "--MappingKernelManager.cull_interval=15",
        "--MappingKernelManager.cull_connected=False",
        f"--VoilaExecutor.iopub_timeout={IOPUB_TIMEOUT_SECONDS}",
        *(preheat if pool > 0 else []),
    ]


def voila_environment(store: Path, ip: str = "127.0.0.1", **extra: str) -> dict[str, str]:
    """The environment Voilà runs in: the store its kernels share, and ``extra``."""
    # A preheated kernel asks Voilà for its visitor's request at this address (Voilà's
    # default, 127.0.0.1, is not listening when --ip names one interface).
    local = "127.0.0.1" if ip in {"0.0.0.0", "::"} else ip  # noqa: S104 — comparing
    return {**os.environ, "CODEV_STORE": str(store.resolve()), "VOILA_APP_IP": local, **extra}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def answers(url: str) -> bool:
    """Whether a server answers at ``url``, whatever the HTTP status."""
    try:
        with urllib.request.urlopen(url, timeout=1):  # noqa: S310 — our own local server
            return True
    except urllib.error.HTTPError:
        return True  # any HTTP answer means the server is up
    except OSError:
        return False


class VoilaProcess:
    """``codev serve``'s Voilà, in the background on a free port of 127.0.0.1.

    For the browser tests and the benchmarks: same flags as ``codev serve``, optionally on
    another notebook directory, with no preheated kernel unless ``pool`` says how many;
    ``url()`` gives a page; ``stop()`` ends Voilà and its kernels.
    Raises ``RuntimeError`` (with the end of Voilà's log) if it does not start.
    """

    def __init__(
        self,
        workdir: Path,
        store: Path,
        notebook_dir: Path | None = None,
        env: Mapping[str, str] | None = None,
        args: Sequence[str] = (),
        pool: int = 0,
    ) -> None:
        self.port = free_port()
        command = [*voila_command(self.port, "127.0.0.1", pool), *args]
        if notebook_dir is not None:
            command[1] = str(notebook_dir)
        workdir.mkdir(parents=True, exist_ok=True)
        self.env = voila_environment(
            store,
            JUPYTER_RUNTIME_DIR=str(workdir / "runtime"),  # never the user's own
            PYTHONUNBUFFERED="1",
            **(env or {}),
        )
        self.log = workdir / "voila.log"
        with self.log.open("wb") as out:
            # A session of its own: stop() ends Voilà and its kernels together.
            self.process = subprocess.Popen(
                command,
                cwd=command[1],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + STARTUP_TIMEOUT
        # Ready when it answers and, with a pool, when the pool is full (Voilà logs it).
        while not answers(self.base_url + "/") or (pool and POOL_FILLED not in self.log_text()):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"voila did not start:\n{self.log_tail()}")
            time.sleep(0.2)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, notebook: str, **query: str) -> str:
        path = f"{self.base_url}/voila/render/{quote(notebook)}"
        return f"{path}?{urlencode(query)}" if query else path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)


def public_host(ip: str) -> str:
    """The address to print: the machine's address on the room's network for 0.0.0.0."""
    if ip not in {"0.0.0.0", "::"}:  # noqa: S104 — comparing, not binding
        return ip
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET: no packet is sent by a UDP connect
            return str(probe.getsockname()[0])
        except OSError:
            return "127.0.0.1"


def serve(
    runbook: str,
    store_path: Path | None,
    port: int,
    ip: str,
    *,
    demo: bool = False,
    roster: Path | None = None,
    pool: int = POOL_SIZE,
) -> int:
    """Create a session, print its two links, then run Voilà until stopped."""
    book = resolve(runbook)  # a bad runbook fails here, with its located lines
    roster_path = roster or (DEMO_ROSTER if demo else None)
    group = load_roster(roster_path) if roster_path else None
    store = SessionStore(store_path)
    session = Session(book)
    if demo and group is not None:
        planned = plan_cycle(group, dt.date.today(), 14).sessions[0]
        advisors = tuple(n for n in group.names if n not in {planned.client, planned.facilitator})
        session.set_roles(Roles(planned.client, planned.facilitator, advisors))
    ref = runbook if runbook == book.name else str(Path(runbook).resolve())
    key = store.create(session, ref, book.language).facilitator_key
    base = f"http://{public_host(ip)}:{port}"
    env = voila_environment(store.path, ip, CODEV_PUBLIC_URL=base)
    if roster_path:
        env["CODEV_ROSTER"] = str(roster_path.resolve())
    facilitator = urlencode({"session": session.id, "key": key})
    participants = urlencode({"session": session.id, "code": join_code_for(key)})
    print(f"Facilitator: {base}/voila/render/facilitator.ipynb?{facilitator}", flush=True)
    print(f"Participants: {base}/voila/render/participant.ipynb?{participants}", flush=True)
    try:
        return subprocess.call(voila_command(port, ip, pool), env=env)
    except KeyboardInterrupt:
        return 0
