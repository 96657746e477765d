"""The end of a session in a real room: the projector says it has ended (not the rules and the
QR code), and a latecomer's phone still rates until the facilitator closes the ratings; the
console counts the ratings and never says who gave which.

One Voilà server, the console, the projector and phones in browser contexts of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from test_live_session import (
    FOLLOW_TIMEOUT_MS,
    LOAD_TIMEOUT_MS,
    NOTEBOOKS,
    contexts,
    facilitator,
    open_page,
    wait_text,
)
from test_personal_join import CONCLUSION, rate, session_with_group

from codevwidgets.core.commands import Command
from codevwidgets.store.sqlite import SQLiteStore

if TYPE_CHECKING:
    from codevwidgets.server.serve import VoilaProcess

pytestmark = pytest.mark.browser

MOBILE = {"viewport": {"width": 390, "height": 844}}


def latecomer(context: Any, link: str, name: str) -> Any:
    """A phone opening the link after the end and saying who it is: the end, said."""
    page = context.new_page()
    page.goto(link)
    page.wait_for_selector(".codev-who", timeout=LOAD_TIMEOUT_MS)
    page.locator(".codev-who-name", has_text=name).click()
    wait_text(page, ".codev-ended", "The session has ended. Thank you for taking part.")
    return page


def test_the_projector_says_the_end_and_a_latecomer_rates_until_the_ratings_close(
    chromium: Any, voila_server: Callable[..., VoilaProcess]
) -> None:
    server = voila_server(NOTEBOOKS)
    secrets = session_with_group(server)
    with SQLiteStore(Path(server.env["CODEV_STORE"])) as store:
        store.execute(secrets.session_id, Command("start"))
        store.execute(secrets.session_id, Command("go_to", {"index": CONCLUSION}))
    link = server.url("participant.ipynb", session=secrets.session_id, code=secrets.join_code)
    screen = server.url("projector.ipynb", session=secrets.session_id, code=secrets.join_code)
    with contexts(chromium, {}, {}, MOBILE, MOBILE) as (desk, room, phone, late):
        console = facilitator(desk, server, secrets)
        projector = open_page(room, screen)
        projector.wait_for_selector(".codev-qr svg", timeout=LOAD_TIMEOUT_MS)
        bruno = phone.new_page()
        bruno.goto(link)
        bruno.wait_for_selector(".codev-who", timeout=LOAD_TIMEOUT_MS)
        bruno.locator(".codev-who-name", has_text="Bruno").click()
        rate(bruno, "5")

        # End the session on the console (time remains: it asks once).
        console.click(".codev-finish")
        console.click(".codev-confirm")
        console.wait_for_selector(".codev-close-ratings", timeout=FOLLOW_TIMEOUT_MS)
        wait_text(projector, ".codev-ended", "The session has ended. Thank you all!")
        for gone in (".codev-qr", ".codev-rules", ".codev-timer"):
            projector.wait_for_selector(gone, state="hidden", timeout=FOLLOW_TIMEOUT_MS)
        # Bruno's phone says the end too, and still offers his rating.
        wait_text(bruno, ".codev-ended", "The session has ended.")

        # A latecomer's phone, after the end: it rates; the console counts, names nobody.
        david = latecomer(late, link, "David")
        rate(david, "3")
        summary = wait_text(console, ".codev-evaluation-summary", r"4\.0/5, from 2 ")
        assert summary.startswith("Average evaluation: 4.0/5, from 2 "), summary
        counts = wait_text(console, ".codev-evaluation-counts", "5/5: 1")
        assert counts == "5/5: 1 · 4/5: 0 · 3/5: 1 · 2/5: 0 · 1/5: 0", counts
        listed = str(console.text_content(".codev-contributions"))
        assert "David" not in listed and "Bruno" not in listed, listed

        # Closed: the latecomer's page only says the session has ended.
        console.click(".codev-close-ratings")
        console.wait_for_selector(".codev-close-ratings", state="hidden", timeout=FOLLOW_TIMEOUT_MS)
        david.wait_for_selector(".codev-rating", state="hidden", timeout=FOLLOW_TIMEOUT_MS)
        assert david.locator(".codev-ended").is_visible()
