"""The projector's page on a real server, in Chromium at 1920×1080: it follows the facilitator,
its countdown's digits are at least 200 px high, it holds nothing to act on, and it is dark
unless its link asks for light."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser import test_live_session as live

if TYPE_CHECKING:
    from codevwidgets.server.serve import VoilaProcess
    from codevwidgets.store.base import Secrets

SCREEN = {"viewport": {"width": 1920, "height": 1080}}
MIN_DIGITS_PX = 200  # readable from 6 m (issue 14)

pytestmark = pytest.mark.browser


def projector(context: Any, server: VoilaProcess, secrets: Secrets, **query: str) -> Any:
    url = server.url("projector.ipynb", session=secrets.session_id, code=secrets.join_code, **query)
    page = live.open_page(context, url)
    page.wait_for_selector(".codev-projector .codev-rules", timeout=live.LOAD_TIMEOUT_MS)
    return page


def background(page: Any) -> str:
    return str(page.evaluate("() => getComputedStyle(document.body).backgroundColor"))


def test_the_projector_follows_the_facilitator(
    chromium: Any, voila_server: Callable[..., VoilaProcess]
) -> None:
    server = voila_server(live.NOTEBOOKS)
    secrets = live.new_session(server)
    with live.contexts(chromium, {}, SCREEN) as (desk, room):
        boss = live.facilitator(desk, server, secrets)
        screen = projector(room, server, secrets)
        assert live.title(screen) == "Presentation of the problem"
        # Read-only: no button, no box to type in, nothing to choose.
        for selector in ("button:not(.codev-lost__reload)", "input", "textarea", "select"):
            assert screen.locator(selector).count() == 0, selector
        # Dark for a room's screen, to its edges.
        assert background(screen) == "rgb(0, 0, 0)"
        assert "participant.ipynb" in str(screen.text_content(".codev-join-link"))
        assert screen.locator(".codev-qr svg").count() == 1

        live.start(boss)
        live.wait_running(screen)
        live.next_step(boss)
        live.wait_title(screen, "Clarifying questions")
        # The step's rules for advisors, and who speaks: they come after the title.
        rules = live.wait_text(screen, ".codev-rules", "Advisors ask, the client answers")
        assert "Advisors ask, the client answers" in rules
        assert "Ask factual questions" in rules
        for page in (boss, screen):
            live.wait_countdown_above(page, 840)  # 15 minutes now, 10 before
        marks = [live.remaining(boss), live.remaining(screen)]
        # Never more than the step's 15 minutes, even before the page's first clock sync.
        assert all(840 < mark <= 900 for mark in marks) and abs(marks[0] - marks[1]) <= 3, marks

        digits = screen.locator(".codev-timer__digits").bounding_box()
        assert digits is not None and digits["height"] >= MIN_DIGITS_PX, digits
        # The whole page fits the screen: nothing to scroll to on a projector.
        height = screen.evaluate("() => document.documentElement.scrollHeight")
        assert height <= SCREEN["viewport"]["height"], height


def test_light_when_the_link_asks(chromium: Any, voila_server: Callable[..., VoilaProcess]) -> None:
    server = voila_server(live.NOTEBOOKS)
    secrets = live.new_session(server)
    with live.contexts(chromium, SCREEN) as (room,):
        screen = projector(room, server, secrets, theme="light")
        assert background(screen) == "rgb(255, 255, 255)"
        digits = screen.locator(".codev-timer__digits").bounding_box()
        assert digits is not None and digits["height"] >= MIN_DIGITS_PX, digits


def test_a_wrong_code_shows_the_message_and_no_session_data(
    chromium: Any, voila_server: Callable[..., VoilaProcess]
) -> None:
    server = voila_server(live.NOTEBOOKS)
    secrets = live.new_session(server)
    with live.contexts(chromium, SCREEN) as (room,):
        page = room.new_page()
        page.goto(server.url("projector.ipynb", session=secrets.session_id, code="wrong"))
        page.wait_for_selector(".codev-page-error", timeout=live.LOAD_TIMEOUT_MS)
        assert "This link is not valid" in str(page.text_content(".codev-page-error"))
        for selector in (".codev-timer", ".codev-step-title", ".codev-rules", ".codev-qr"):
            assert page.locator(selector).count() == 0, selector
        assert secrets.join_code not in page.content()
