"""``codev serve``: Voilà on the kit's notebooks, with settings safe for a room."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

from codevwidgets.cycle import plan_cycle
from codevwidgets.roles import Roles
from codevwidgets.roster import load_roster
from codevwidgets.runbook import resolve
from codevwidgets.session import Session
from codevwidgets.store import SessionStore, join_code_for

# Installed wheels carry the notebooks inside the package; a source checkout has them beside it.
_CANDIDATES = (Path(__file__).parent / "notebooks", Path(__file__).parent.parent / "notebooks")
DEMO_ROSTER = Path(__file__).parent / "demo" / "roster.yaml"
# Voilà's own unload beacon does not reach its server here (it posts to a "null" address
# without an _xsrf value: voila-dashboards/voila#1458), and phones drop pages without one:
# the culler ends kernels idle this long with no page connected. A participant kernel stops
# following the store once its page is gone (pages.PAGE_GONE_AFTER), so it does fall idle.
CULL_IDLE_SECONDS = 60


def notebooks_dir() -> Path:
    return next(path for path in _CANDIDATES if (path / "facilitator.ipynb").is_file())


def voila_command(port: int, ip: str) -> list[str]:
    voila = shutil.which("voila", path=str(Path(sys.executable).parent)) or "voila"
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
    ]


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
    env = {**os.environ, "CODEV_STORE": str(store.path.resolve()), "CODEV_PUBLIC_URL": base}
    if roster_path:
        env["CODEV_ROSTER"] = str(roster_path.resolve())
    facilitator = urlencode({"session": session.id, "key": key})
    participants = urlencode({"session": session.id, "code": join_code_for(key)})
    print(f"Facilitator: {base}/voila/render/facilitator.ipynb?{facilitator}", flush=True)
    print(f"Participants: {base}/voila/render/participant.ipynb?{participants}", flush=True)
    try:
        return subprocess.call(voila_command(port, ip), env=env)
    except KeyboardInterrupt:
        return 0
