"""The facilitator notebook served by a real Voilà: start, walk the steps, keep the notes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from codevwidgets.server.sessions import new_session
from codevwidgets.store.sqlite import SQLiteStore

if TYPE_CHECKING:
    from codevwidgets.server.serve import VoilaProcess

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
LOAD_TIMEOUT_MS = 60_000

pytestmark = pytest.mark.browser


def digits(page: Any) -> str:
    return str(page.text_content(".codev-timer__digits")).strip()


def title(page: Any) -> str:
    return str(page.text_content(".codev-step-title")).strip()


def console_url(server: VoilaProcess, runbook: str = "classic", **query: str) -> str:
    """The facilitator's link of a new session (as `codev sessions new` prints it)."""
    with SQLiteStore(Path(server.env["CODEV_STORE"])) as store:
        secrets = new_session(store, runbook)
    return server.url(
        "facilitator.ipynb", session=secrets.session_id, key=secrets.facilitator_key, **query
    )


def test_walk_steps_and_keep_notes(
    chromium: Any, voila_server: Callable[..., VoilaProcess]
) -> None:
    server = voila_server(NOTEBOOKS)
    page = chromium.new_page()
    try:
        page.goto(console_url(server))
        page.wait_for_selector(".codev-timer", timeout=LOAD_TIMEOUT_MS)
        assert title(page) == "Presentation of the problem"
        assert page.locator(".codev-roles").is_visible()
        assert page.locator(".codev-rules").is_visible()
        page.get_by_role("button", name="Start the session").click()
        page.wait_for_function(
            "/^(10:00|9:5\\d)$/.test(document.querySelector('.codev-timer__digits').textContent)"
            " && document.querySelector('.codev-timer').classList.contains('codev-timer--ok')"
        )
        topic = page.locator(".codev-note-topic textarea")
        topic.fill("Reorganising my team")

        # Moving on while time remains asks once; the confirm completes the move.
        page.click(".codev-next-step")
        confirm = page.locator(".codev-confirm")
        confirm.wait_for(state="visible")
        assert title(page) == "Presentation of the problem"
        confirm.click()
        page.wait_for_function(
            "document.querySelector('.codev-step-title').textContent.trim()"
            " === 'Clarifying questions'"
        )
        # The new step's countdown started by itself, with the step's full 15 minutes.
        page.wait_for_function(
            "/^(15:00|14:5\\d)$/.test(document.querySelector('.codev-timer__digits').textContent)"
        )
        # The step's reframing buttons are new widgets: the page draws them a moment after
        # the title and the countdown.
        page.wait_for_function(
            "document.querySelector('.codev-rules').textContent.includes('That sounds like advice')"
            " && !document.querySelector('.codev-rules').textContent.includes('keep questions')",
            timeout=10_000,
        )

        # Going back loses nothing: the note typed in step 1 is there.
        page.click(".codev-previous-step")
        page.wait_for_function(
            "document.querySelector('.codev-step-title').textContent.trim()"
            " === 'Presentation of the problem'"
        )
        # The notes box is rebuilt after the title changes: wait for it, then for its value.
        page.wait_for_function(
            "document.querySelector('.codev-note-topic textarea')?.value"
            " === 'Reorganising my team'",
            timeout=10_000,
        )
        assert page.locator(".codev-roles .codev-error").count() == 0
    finally:
        page.close(run_before_unload=True)


def test_french_page_and_no_open_door(
    chromium: Any, voila_server: Callable[..., VoilaProcess]
) -> None:
    server = voila_server(NOTEBOOKS)
    page = chromium.new_page()
    try:
        page.goto(console_url(server, "flash", lang="fr"))
        page.wait_for_selector(".codev-timer", timeout=LOAD_TIMEOUT_MS)
        assert title(page) == "Exposé de la problématique"
        assert page.locator(".codev-timer__digits").text_content() == "5:00"
        with SQLiteStore(Path(server.env["CODEV_STORE"])) as store:
            sessions = store.session_ids()
        # No open door: without the facilitator's link, no console and no new session.
        for query in ({}, {"runbook": "flash"}, {"runbook": "../../etc/passwd.yaml"}):
            page.goto(server.url("facilitator.ipynb", **query))
            error = page.wait_for_selector(".codev-error", timeout=LOAD_TIMEOUT_MS)
            assert "needs the facilitator link" in str(error.text_content())
            assert page.locator(".codev-timer").count() == 0
            assert page.locator(".codev-roles").count() == 0
            assert "Traceback" not in page.content()
        with SQLiteStore(Path(server.env["CODEV_STORE"])) as store:
            assert store.session_ids() == sessions
    finally:
        page.close(run_before_unload=True)
