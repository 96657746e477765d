"""Browser fixtures: Debian's Chromium driven by Playwright, and real ``voila`` servers.

Locally, a missing Chromium, Playwright or Voilà skips these tests with the reason; on CI
(``CI=true``) it fails them, so that a broken image never passes as green.

    def test_page(chromium, voila_server):
        server = voila_server(NOTEBOOKS, env={"CODEV_STORE": str(db)})
        page = chromium.new_page()
        page.goto(server.url("facilitator.ipynb", session="abc"))
        page.wait_for_selector(".codev-timer")
        page.close(run_before_unload=True)
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest

CHROMIUM = Path(os.environ.get("CODEV_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
VOILA = Path(sys.executable).with_name("voila")
STARTUP_TIMEOUT = 60.0


def unavailable(reason: str) -> None:
    """Skip locally, fail on CI: a CI image without the browser is a broken image."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: browser tests must run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """A headless ``playwright.sync_api.Browser`` on Debian's Chromium, for the whole run."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright Python package is not installed (pip install playwright)")
    if not CHROMIUM.is_file():
        unavailable(f"no Chromium at {CHROMIUM} (apt install chromium, or set CODEV_CHROMIUM)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class VoilaServer:
    """A running ``voila NOTEBOOK_DIR``; ``url("name.ipynb", key=value)`` gives a page."""

    notebook_dir: Path
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    env: dict[str, str] = field(repr=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, notebook: str, **query: str) -> str:
        path = f"{self.base_url}/voila/render/{quote(notebook)}"
        return f"{path}?{urlencode(query)}" if query else path

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        # Voilà runs in its own process group with its kernels: end the whole group.
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except urllib.error.HTTPError:
        return True  # any HTTP answer means the server is up
    except OSError:
        return False


@pytest.fixture
def voila_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., VoilaServer]]:
    """Factory: ``voila_server(notebook_dir, env=None, args=()) -> VoilaServer``.

    Starts ``voila notebook_dir`` on a free port of 127.0.0.1 and waits until it answers;
    every server started is stopped at teardown. ``env`` is added to the current
    environment; by default the store (``CODEV_STORE``) and Jupyter's runtime files go to a
    temporary directory, never to the user's own.
    """
    if not VOILA.is_file():
        unavailable(f"voila is not installed next to {sys.executable}")
    servers: list[VoilaServer] = []

    def start(
        notebook_dir: Path | str,
        env: Mapping[str, str] | None = None,
        args: tuple[str, ...] = (),
    ) -> VoilaServer:
        notebook_dir = Path(notebook_dir)
        tmp = tmp_path_factory.mktemp("voila")
        full_env = {
            **os.environ,
            "CODEV_STORE": str(tmp / "store.db"),
            "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        port = free_port()
        log = tmp / "voila.log"
        command = [
            str(VOILA),
            str(notebook_dir),
            "--no-browser",
            f"--port={port}",
            "--Voila.port_retries=0",
            "--Voila.ip=127.0.0.1",
            *args,
        ]
        with log.open("wb") as out:
            process = subprocess.Popen(
                command,
                cwd=notebook_dir,
                env=full_env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = VoilaServer(notebook_dir, port, process, log, full_env)
        servers.append(server)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not _answers(server.base_url + "/"):
            if process.poll() is not None:
                pytest.fail(f"voila exited with {process.returncode}:\n{server.log_tail()}")
            if time.monotonic() > deadline:
                pytest.fail(
                    f"voila did not answer in {STARTUP_TIMEOUT:.0f} s:\n{server.log_tail()}"
                )
            time.sleep(0.2)
        return server

    yield start
    for server in servers:
        server.stop()
