"""Time called, in real pages: a participant's page, the console and the projector show
"5 minutes left" once the call is in the store, and each browser hides it at the end of its
minute by itself (no kernel timer)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from codevwidgets.core.call_time import SHOWN_SECONDS
from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command
from codevwidgets.store.sqlite import SQLiteStore
from tests.browser import test_live_session as live

if TYPE_CHECKING:
    from codevwidgets.server.serve import VoilaProcess

CALLED = ".codev-call-time"
# The call is stored as made this long ago: the pages show it for the rest of its minute, and
# the test sees it go without waiting a whole minute.
AGO = 40.0
FOLLOW_MS = 10_000  # a page follows the store well within this (live latency: under a second)

pytestmark = pytest.mark.browser


def test_every_page_shows_the_call_for_its_minute(
    chromium: Any, voila_server: Callable[..., VoilaProcess]
) -> None:
    server = voila_server(live.NOTEBOOKS)
    secrets = live.new_session(server)
    where = Path(server.env["CODEV_STORE"])
    with SQLiteStore(where) as store:
        store.execute(secrets.session_id, Command("start"))
    with live.contexts(chromium, {}) as (context,):
        query = {"session": secrets.session_id}
        pages = [
            live.participant(context, server, secrets, [], name="Chloé"),
            live.facilitator(context, server, secrets),
            live.open_page(context, server.url("projector.ipynb", **query, code=secrets.join_code)),
        ]
        for page in pages:
            live.wait_running(page)
            assert page.locator(CALLED).is_hidden()  # nothing called yet
        at = time.time() - AGO
        with SQLiteStore(where, FakeClock(at)) as store:
            store.execute(secrets.session_id, Command("call_time", {"minutes": 5}))
        until_ms = round((at + SHOWN_SECONDS) * 1000)
        for name, page in zip(("participant", "console", "projector"), pages, strict=True):
            shown = f"{CALLED}:has-text('5 minutes left')"
            assert page.wait_for_selector(shown, timeout=FOLLOW_MS), name
            assert page.get_attribute(CALLED, "data-until-ms") == str(until_ms)
            assert page.get_attribute(CALLED, "role") == "status"
        # The end of its minute: each page hides it by itself (the kernels send nothing).
        for page in pages:
            page.wait_for_selector(CALLED, state="hidden", timeout=round(AGO * 1000))
        assert time.time() >= at + SHOWN_SECONDS - 1  # not before its end
        live.close(*pages)
