"""The server's door seen from a real browser (issue 21): a page says hello as soon as it reads
which kernel serves it, so its kernel is kept while the page loads; a request that never says
hello (curl) is the one whose kernel is ended within seconds (tests/unit/server)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from codevwidgets.server.serve import VoilaProcess
from tests.browser import test_live_session as live

pytestmark = pytest.mark.browser

# The body's page config names the kernel (the head holds one too, without it).
KERNEL_ID = "JSON.parse(document.querySelector('body script#jupyter-config-data').textContent)"


@pytest.mark.parametrize("pool", [0, 1], ids=["kernel started", "kernel from the pool"])
def test_a_page_in_a_browser_says_hello_for_its_own_kernel(
    chromium: Any, tmp_path: Path, pool: int
) -> None:
    # A pooled kernel's page was drawn before its visitor came; a started one's as it came.
    server = VoilaProcess(tmp_path, tmp_path / "store.db", live.NOTEBOOKS, pool=pool)
    try:
        secrets = live.new_session(server)
        query = {"session": secrets.session_id, "code": secrets.join_code, "name": "Chloé"}
        with live.contexts(chromium, {}) as (phone,):
            page = phone.new_page()
            with page.expect_request(lambda r: "/codev/hello/" in r.url) as said:
                page.goto(server.url("participant.ipynb", **query))
            hello = said.value
            assert hello.method == "GET"  # an image: asked for before any script runs
            answer = hello.response()
            assert answer is not None and answer.status == 204
            page.wait_for_selector(".codev-timer", timeout=live.LOAD_TIMEOUT_MS)
            kernel = page.evaluate(KERNEL_ID + ".kernelId")
            assert hello.url.endswith(f"/codev/hello/{kernel}")
    finally:
        server.stop()
