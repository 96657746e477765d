"""The client's page in a real browser: no question box in the clarification, no ideas box in
the consultation, a line saying what to do instead (METHOD.md: the client answers aloud, then
listens)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from codevwidgets.core.commands import Command
from codevwidgets.core.i18n import Translator
from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.store.sqlite import SQLiteStore

if TYPE_CHECKING:
    from codevwidgets.server.serve import VoilaProcess

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
LOAD_TIMEOUT_MS = 60_000
FOLLOW_TIMEOUT_MS = 20_000
EN = Translator("en")
BOX = ".codev-contribution-input textarea"
SAYS = "t => document.querySelector('.codev-contribution-box .codev-listen')?.textContent === t"

pytestmark = pytest.mark.browser


def test_the_client_types_no_question_and_no_idea(chromium: Any, voila_server: Any) -> None:
    server: VoilaProcess = voila_server(NOTEBOOKS)
    session = Session(load_preset("classic"), Roles("Ana", "Bruno", ("Chloé", "David", "Emma")))
    session.start()
    session.go_to(1)  # clarifying questions
    store_path = Path(server.env["CODEV_STORE"])
    with SQLiteStore(store_path) as store:
        secrets = store.create(session, "classic", "en")
    context = chromium.new_context()
    try:
        pages = {}
        for name in ("Ana", "Chloé"):  # the client, an advisor
            page = context.new_page()
            page.goto(
                server.url(
                    "participant.ipynb",
                    session=secrets.session_id,
                    code=secrets.join_code,
                    name=name,
                )
            )
            pages[name] = page
        client, advisor = pages["Ana"], pages["Chloé"]
        advisor.wait_for_selector(BOX, state="visible", timeout=LOAD_TIMEOUT_MS)
        said = EN("participant.client_questions")
        client.wait_for_function(SAYS, arg=said, timeout=LOAD_TIMEOUT_MS)
        assert client.locator(".codev-listen").is_visible()
        assert not client.locator(BOX).is_visible()
        assert client.locator(".codev-contribution-box.codev-shows-writing").count() == 0
        assert "listen" not in str(client.text_content(".codev-you")).lower()

        with SQLiteStore(store_path) as store:
            for _ in range(2):  # the contract, then the consultation
                store.execute(secrets.session_id, Command("next"))
        said = EN("participant.client_ideas")
        client.wait_for_function(SAYS, arg=said, timeout=FOLLOW_TIMEOUT_MS)
        advisor.wait_for_selector(
            ".codev-contribution-box.codev-shows-anonymity", timeout=FOLLOW_TIMEOUT_MS
        )
        assert not client.locator(BOX).is_visible()
        assert client.locator(".codev-contribution-box.codev-shows-writing").count() == 0
        assert advisor.locator(BOX).is_visible()
        for page in pages.values():
            page.close(run_before_unload=True)
    finally:
        context.close()
