"""``codev serve``: Voilà on the kit's notebooks, with settings safe for a room."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

from codevwidgets.runbook import resolve

# Installed wheels carry the notebooks inside the package; a source checkout has them beside it.
_CANDIDATES = (Path(__file__).parent / "notebooks", Path(__file__).parent.parent / "notebooks")


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
    ]


def serve(runbook: str, store: Path | None, port: int, ip: str, *, demo: bool = False) -> int:
    """Run Voilà until stopped; print the facilitator's link first."""
    resolve(runbook)  # a bad runbook fails here, with its located lines, not inside a page
    env = dict(os.environ)
    if store is not None:
        env["CODEV_STORE"] = str(store.resolve())
    host = "127.0.0.1" if ip in {"127.0.0.1", "0.0.0.0"} else ip  # noqa: S104 — a URL to open
    query = urlencode({"runbook": runbook, **({"demo": "1"} if demo else {})})
    print(f"Facilitator: http://{host}:{port}/voila/render/facilitator.ipynb?{query}", flush=True)
    try:
        return subprocess.call(voila_command(port, ip), env=env)
    except KeyboardInterrupt:
        return 0
