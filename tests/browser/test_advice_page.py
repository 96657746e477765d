"""Advice in disguise in real pages: a participant is asked before sending it, the console
flags it and brings up the reframing prompt in one click."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.store.sqlite import SQLiteStore

if TYPE_CHECKING:
    from codevwidgets.server.serve import VoilaProcess

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
LOAD_TIMEOUT_MS = 60_000
FOLLOW_TIMEOUT_MS = 10_000
ADVICE = "Have you thought about delegating the report to Sam?"

pytestmark = pytest.mark.browser


def test_advice_is_asked_about_then_flagged_on_the_console(
    chromium: Any, voila_server: Any
) -> None:
    server: VoilaProcess = voila_server(NOTEBOOKS)
    book = load_preset("classic")
    session = Session(book, Roles("Ana", "Bruno", ("Chloé", "David", "Emma")))
    session.start()
    session.go_to(1)  # clarifying questions
    with SQLiteStore(Path(server.env["CODEV_STORE"])) as store:
        secrets = store.create(session, "classic", "en")
    context = chromium.new_context()
    try:
        you = context.new_page()
        you.goto(
            server.url(
                "participant.ipynb",
                session=secrets.session_id,
                code=secrets.join_code,
                name="Chloé",
            )
        )
        you.wait_for_selector(".codev-contribution-input textarea", timeout=LOAD_TIMEOUT_MS)
        warning = you.locator(".codev-advice-warning")
        assert not warning.is_visible()
        you.fill(".codev-contribution-input textarea", ADVICE)
        you.click(".codev-contribution-submit")
        warning.wait_for(state="visible", timeout=FOLLOW_TIMEOUT_MS)
        you.click(".codev-advice-rephrase")
        warning.wait_for(state="hidden", timeout=FOLLOW_TIMEOUT_MS)
        assert you.input_value(".codev-contribution-input textarea") == ADVICE
        you.click(".codev-contribution-submit")
        warning.wait_for(state="visible", timeout=FOLLOW_TIMEOUT_MS)
        you.click(".codev-advice-send")
        you.wait_for_function(
            "() => document.querySelector('.codev-contribution-input textarea').value === ''",
            timeout=FOLLOW_TIMEOUT_MS,
        )

        console = context.new_page()
        console.goto(
            server.url("facilitator.ipynb", session=secrets.session_id, key=secrets.facilitator_key)
        )
        flag = console.locator(".codev-advice-flag")
        flag.wait_for(state="visible", timeout=LOAD_TIMEOUT_MS)
        assert ADVICE in str(flag.text_content())
        prompt = book.text(book.step("clarification").reframing[0], "en")
        flag.locator(".codev-advice-reframe").click()
        console.wait_for_function(
            "t => document.querySelector('.codev-prompt-spoken')?.textContent.includes(t)",
            arg=prompt,
            timeout=FOLLOW_TIMEOUT_MS,
        )
        for page in (you, console):
            page.close(run_before_unload=True)
    finally:
        context.close()
