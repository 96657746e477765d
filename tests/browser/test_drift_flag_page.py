"""The client's drift flag on a real server in Chromium: during the consultation the client's
phone says "we are drifting from my question"; the console and the room's screen show it at
once with the contract, until the facilitator clears it (the phone's button is back)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from codevwidgets.core.commands import Command
from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.store.base import Secrets
from codevwidgets.store.sqlite import SQLiteStore
from tests.browser import test_live_session as live

if TYPE_CHECKING:
    from codevwidgets.server.serve import VoilaProcess

PHONE = {"viewport": {"width": 390, "height": 844}}
CONTRACT = "Help me find three ways to keep the team engaged."
CONSULTATION = 3

pytestmark = pytest.mark.browser


def in_consultation(server: VoilaProcess) -> Secrets:
    """A classic session at its consultation, its contract written (client Ana)."""
    session = Session(load_preset("classic"), Roles("Ana", "Bruno", ("Chloé", "David", "Emma")))
    with SQLiteStore(Path(server.env["CODEV_STORE"])) as store:
        secrets = store.create(session, "classic", "en")
        sid = secrets.session_id
        store.execute(sid, Command("start"))
        store.execute(sid, Command("go_to", {"index": 2}))
        note = {"step": "contract", "field": "contract", "text": CONTRACT}
        store.execute(sid, Command("set_note", note))
        store.execute(sid, Command("go_to", {"index": CONSULTATION}))
    return secrets


def test_the_client_flags_a_drift_the_console_and_screen_show_it_until_cleared(
    chromium: Any, voila_server: Callable[..., VoilaProcess]
) -> None:
    server = voila_server(live.NOTEBOOKS)
    secrets = in_consultation(server)
    dialogs: list[str] = []
    with live.contexts(chromium, {}, PHONE, {}) as (desk, phone, room):
        console = live.facilitator(desk, server, secrets)
        client = live.participant(phone, server, secrets, dialogs, name="Ana")
        screen = live.open_page(
            room,
            server.url("projector.ipynb", session=secrets.session_id, code=secrets.join_code),
        )
        assert console.locator(".codev-drift-shown").count() == 0
        flag = client.locator("button.codev-drift-flag")
        flag.wait_for(timeout=live.FOLLOW_TIMEOUT_MS)
        assert flag.text_content() == "We are drifting from my question"
        flag.click()
        client.locator(".codev-drift-sent").wait_for(timeout=live.FOLLOW_TIMEOUT_MS)
        live.wait_text(client, "button.codev-drift-flag", "Take my flag back")

        for page in (console, screen):
            shown = page.locator(".codev-drift-shown")
            shown.wait_for(timeout=live.FOLLOW_TIMEOUT_MS)
            assert "The client says the group is drifting from the question" in str(
                shown.text_content()
            )
        # The contract beside it: in the console's alert, on the screen's side just below.
        assert CONTRACT in str(console.text_content(".codev-drift-shown"))
        live.wait_text(screen, ".codev-contract-text", CONTRACT)

        console.click("button.codev-drift-clear")
        for page in (console, screen):
            page.locator(".codev-drift-shown").wait_for(
                state="detached", timeout=live.FOLLOW_TIMEOUT_MS
            )
        live.wait_text(client, "button.codev-drift-flag", "We are drifting from my question")
        assert client.locator(".codev-drift-sent").is_hidden()
        assert dialogs == []
        live.close(client, screen, console)
