"""Browser fixtures: Debian's Chromium driven by Playwright, and real ``voila`` servers.

Locally, a missing Chromium, Playwright or Voilà skips these tests with the reason; on CI
(``CI=true``) it fails them, so that a broken image never passes as green.

    def test_page(chromium, voila_server):
        server = voila_server(NOTEBOOKS)
        page = chromium.new_page()
        page.goto(server.url("facilitator.ipynb", session="abc"))
        page.wait_for_selector(".codev-timer")
        page.close(run_before_unload=True)
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from codevwidgets.server.serve import VoilaProcess

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


@pytest.fixture
def voila_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., VoilaProcess]]:
    """Factory: ``voila_server(notebook_dir, env=None, args=()) -> VoilaProcess``.

    Starts Voilà with ``codev serve``'s settings on ``notebook_dir`` and waits until it
    answers; every server started is stopped at teardown. ``env`` is added to the current
    environment; the store (``CODEV_STORE``) and Jupyter's runtime files go to a temporary
    directory, never to the user's own.
    """
    if not VOILA.is_file():
        unavailable(f"voila is not installed next to {sys.executable}")
    servers: list[VoilaProcess] = []

    def start(
        notebook_dir: Path | str,
        env: Mapping[str, str] | None = None,
        args: tuple[str, ...] = (),
    ) -> VoilaProcess:
        tmp = tmp_path_factory.mktemp("voila")
        try:
            server = VoilaProcess(tmp, tmp / "store.db", Path(notebook_dir), env, args)
        except RuntimeError as exc:
            pytest.fail(str(exc), pytrace=False)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
