"""The countdown in a real Voilà page: it ticks in the browser, and a wrong device clock
does not change the time shown."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from codevwidgets.server.serve import VoilaProcess

NOTEBOOK_DIR = Path(__file__).with_name("countdown_page")
TIMER = ".codev-timer"
SYNCED = ".codev-timer[data-synced]"
LOAD_TIMEOUT_MS = 60_000

pytestmark = pytest.mark.browser


def remaining(page: Any) -> int:
    return int(page.get_attribute(TIMER, "data-remaining"))


def open_page(context: Any, server: VoilaProcess) -> Any:
    page = context.new_page()
    page.goto(server.url("countdown.ipynb"), wait_until="commit")
    return page


def test_countdown_ticks_in_the_page(
    chromium: Any, voila_server: Callable[..., VoilaProcess]
) -> None:
    server = voila_server(NOTEBOOK_DIR)
    page = chromium.new_page()
    try:
        page.goto(server.url("countdown.ipynb"))
        timer = page.wait_for_selector(TIMER, timeout=LOAD_TIMEOUT_MS)
        assert timer.get_attribute("role") == "timer"
        assert timer.get_attribute("aria-label") == "Time left in Presentation of the problem"
        assert "codev-timer--ok" in timer.get_attribute("class")
        # A 10-minute step, seconds after its start: 10:00 for the first second, then 9:5x.
        page.wait_for_function(
            "/^9:5\\d$/.test(document.querySelector('.codev-timer__digits').textContent)",
            timeout=4_000,
        )
        first = remaining(page)
        page.wait_for_function(
            f"document.querySelector('{TIMER}').dataset.remaining <= {first - 2}",
            timeout=4_000,
        )
        assert 590 <= remaining(page) <= first - 2
    finally:
        page.close(run_before_unload=True)


def test_a_device_clock_7_minutes_ahead_shows_the_same_time(
    chromium: Any, voila_server: Callable[..., VoilaProcess]
) -> None:
    # Both kernels start the session at the same instant, as kernels sharing a store would.
    server = voila_server(NOTEBOOK_DIR, env={"COUNTDOWN_STARTED_AT": str(time.time())})
    # Playwright's clock applies to a whole context: one context per device.
    right, wrong = chromium.new_context(), chromium.new_context()
    wrong.clock.install(time=dt.datetime.now() + dt.timedelta(minutes=7))
    pages = [open_page(right, server), open_page(wrong, server)]
    try:
        ahead = pages[1].evaluate("Date.now()") / 1000 - time.time()
        assert 410 < ahead < 430, "the second page's clock is not 7 minutes ahead"
        for page in pages:
            # data-synced: the kernel answered the page's clock sync (custom message).
            page.wait_for_selector(SYNCED, timeout=LOAD_TIMEOUT_MS)
        shown = [remaining(page) for page in pages]
        assert abs(shown[0] - shown[1]) <= 2, shown
        assert 540 < shown[1] <= 600, shown  # not 7 minutes off, and still counting down
        # The skewed page's clock keeps running: its countdown goes on.
        pages[1].wait_for_function(
            f"document.querySelector('{TIMER}').dataset.remaining <= {shown[1] - 2}",
            timeout=4_000,
        )
    finally:
        for page in pages:
            page.close(run_before_unload=True)
        right.close()
        wrong.close()
