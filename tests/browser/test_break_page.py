"""A break in real pages: the console proposes it once the work passed the runbook's time, a
click takes it, a participant's phone shows the break (``codev-break``) with the step's clock
standing still, and the step's countdown again once the console ends it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command
from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.store.sqlite import SQLiteStore
from tests.browser import test_live_session as live

if TYPE_CHECKING:
    from codevwidgets.server.serve import VoilaProcess

FOLLOW_MS = 10_000  # a page follows the store well within this (live latency: under a second)

pytestmark = pytest.mark.browser


def test_a_console_takes_a_break_and_a_phone_shows_it_then_the_step_again(
    chromium: Any, voila_server: Callable[..., VoilaProcess]
) -> None:
    server = voila_server(live.NOTEBOOKS)
    where = Path(server.env["CODEV_STORE"])
    book = replace(load_preset("classic"), break_after_minutes=1, break_minutes=5)
    session = Session(book, Roles("Ana", "Bruno", ("Chloé", "David", "Emma")))
    now = time.time()
    with SQLiteStore(where, FakeClock(now - 90)) as store:
        secrets = store.create(session, "classic", "en")
        store.execute(secrets.session_id, Command("start"))
    with SQLiteStore(where, FakeClock(now - 10)) as store:  # 80 s of presentation: a break due
        store.execute(secrets.session_id, Command("next", {"step": "presentation"}))
    phone = {"viewport": {"width": 390, "height": 844}}
    with live.contexts(chromium, {}, phone) as (laptop, mobile):
        console = live.facilitator(laptop, server, secrets)
        member = live.participant(mobile, server, secrets, [], name="Chloé")
        live.wait_running(member)
        assert member.locator(".codev-break").is_hidden()
        take = console.wait_for_selector(".codev-break-start", timeout=FOLLOW_MS)
        assert take.text_content() == "Take a 5-minute break"
        take.click()
        for page in (member, console):
            page.wait_for_selector(".codev-break:has-text('Break — back at')", timeout=FOLLOW_MS)
            page.wait_for_selector(".codev-timer.codev-timer--break", timeout=FOLLOW_MS)
        left = str(member.text_content(".codev-break__left"))
        assert left in {"5:00", "4:59", "4:58"}, left
        # The step's clock stands at what the clarification has left, never its 15 minutes
        # plus the break's 5.
        assert live.remaining(member) <= 15 * 60
        console.click(".codev-break-end")
        member.wait_for_selector(".codev-break", state="hidden", timeout=FOLLOW_MS)
        member.wait_for_selector(".codev-timer.codev-timer--ok", timeout=FOLLOW_MS)
        assert member.locator(".codev-timer--break").count() == 0
        assert live.remaining(member) <= 15 * 60
        live.close(member, console)
