"""Hands, ready and talk time in a real room: three participants' pages and the console."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from test_live_session import (
    FOLLOW_TIMEOUT_MS,
    NOTEBOOKS,
    contexts,
    facilitator,
    new_session,
    participant,
    start,
    wait_text,
)

from codevwidgets.core.commands import Command
from codevwidgets.store.sqlite import SQLiteStore

if TYPE_CHECKING:
    from codevwidgets.server.serve import VoilaProcess

pytestmark = pytest.mark.browser


def test_hands_in_the_order_raised_ready_count_and_talk_time(
    chromium: Any, voila_server: Callable[..., VoilaProcess]
) -> None:
    server = voila_server(NOTEBOOKS)
    secrets = new_session(server)  # client Ana, advisors Chloé, David and Emma
    dialogs: list[str] = []
    with contexts(chromium, {}, {}) as (desk, room):
        boss = facilitator(desk, server, secrets)
        pages = {
            name: participant(room, server, secrets, dialogs, name=name)
            for name in ("Chloé", "David", "Emma")
        }
        start(boss)
        # Raised in this order, each once the one before has its place.
        for place, name in enumerate(("David", "Emma", "Chloé"), 1):
            pages[name].click("button.codev-hand")
            wait_text(pages[name], ".codev-hand-place", f"number {place} in the queue")
        queue = boss.locator(".codev-hand-queue li")
        queue.nth(2).wait_for(timeout=FOLLOW_TIMEOUT_MS)
        assert [re.sub(r" · .*", "", t) for t in queue.all_text_contents()] == [
            "David",
            "Emma",
            "Chloé",
        ]
        # Waiting times go on in the page between two changes (no message per second).
        waiting = ".codev-hand-queue li .codev-ticking"
        before = str(boss.text_content(waiting))
        boss.wait_for_function(
            "([s, t]) => document.querySelector(s).textContent !== t",
            arg=[waiting, before],
            timeout=5_000,
        )

        # More time only once the countdown reaches zero (ten minutes away here).
        assert not pages["Emma"].locator("button.codev-more-time").is_visible()
        pages["Emma"].click("button.codev-ready")
        assert wait_text(boss, ".codev-ready-count", "1 of 4") == "1 of 4 ready"
        # Who is ready is its own widget, updated in a message of its own: waited for too.
        assert "Emma" in wait_text(boss, ".codev-ready-who", "Emma")

        # Talk time: Chloé speaks, then one click switches to David.
        boss.locator(".codev-talk-button", has_text="Chloé").click()
        boss.wait_for_timeout(1500)
        boss.locator(".codev-talk-button", has_text="David").click()
        times = wait_text(boss, ".codev-talk-time", r"Chloé0:0[1-9]")
        assert re.search(r"David0:00", times), times
        # The speaker's time goes on by itself, while nothing changes in the store.
        wait_text(boss, ".codev-talk-time", r"David0:0[2-9]")
        assert dialogs == []


def test_more_time_asked_at_zero_turned_down_then_given(
    chromium: Any, voila_server: Callable[..., VoilaProcess]
) -> None:
    server = voila_server(NOTEBOOKS)
    secrets = new_session(server)
    # Started ten minutes ago: the presentation's countdown is at zero when the pages open.
    path = Path(server.env["CODEV_STORE"])
    with SQLiteStore(path, clock=lambda: time.time() - 600) as store:
        store.execute(secrets.session_id, Command("start"))
    dialogs: list[str] = []
    with contexts(chromium, {}, {}) as (desk, room):
        boss = facilitator(desk, server, secrets)
        emma = participant(room, server, secrets, dialogs, name="Emma")
        david = participant(room, server, secrets, dialogs, name="David")
        for page in (emma, david):
            page.locator("button.codev-more-time").click()  # shown at zero only
            wait_text(page, "button.codev-more-time", "More time asked")
        assert wait_text(boss, ".codev-more-time-count", "^2 ask") == "2 ask for 2 more minutes"
        # The facilitator keeps to the time: the requests are answered, no minute is given.
        boss.locator(".codev-keep-time").click()
        for page in (emma, david):
            wait_text(page, "button.codev-more-time", "Ask for 2 more minutes")
        boss.locator(".codev-keep-time").wait_for(state="hidden", timeout=FOLLOW_TIMEOUT_MS)
        assert boss.locator(".codev-timer--overtime").count() == 1
        # Asked again, and given: every countdown shows the two minutes.
        emma.locator("button.codev-more-time").click()
        wait_text(boss, ".codev-more-time-count", "^1 ask")
        boss.locator(".codev-give-more-time").click()
        for page in (boss, emma, david):
            wait_text(page, ".codev-timer__digits", "^[12]:[0-5][0-9]$")
        assert not emma.locator("button.codev-more-time").is_visible()
        assert dialogs == []
