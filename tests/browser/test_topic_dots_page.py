"""The group chooses its topic in real pages: two topics prepared (through the store), three
members give their dots on their pages, the console's tally follows each dot, the
facilitator confirms the leading topic, and the roles show its author as the client."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from codevwidgets.core.commands import Command
from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import load_runbook
from codevwidgets.core.session import Session
from codevwidgets.core.topics import CHECKLIST, admit_topic
from codevwidgets.store.base import Secrets
from codevwidgets.store.sqlite import SQLiteStore
from tests.browser import test_live_session as live

if TYPE_CHECKING:
    from codevwidgets.server.serve import VoilaProcess

pytestmark = pytest.mark.browser

YES = dict.fromkeys(CHECKLIST, True)
TOPICS = {"Bruno": "Late handovers", "Chloé": "A team that never talks"}


def held(server: VoilaProcess, tmp_path: Path) -> Secrets:
    book = tmp_path / "choosing.yaml"
    book.write_text(
        "extends: classic\nsteps:\n  - {id: topic_choice, before: presentation}\n",
        encoding="utf-8",
    )
    roles = Roles("Ana", "Farid", ("Bruno", "Chloé", "David", "Emma"))
    with SQLiteStore(Path(server.env["CODEV_STORE"])) as store:
        made = store.create(Session(load_runbook(book), roles), str(book), "en")
        for name, headline in TOPICS.items():
            topic = admit_topic(name, headline, f"{name}'s context", "", "Ideas", YES)
            store.save_topic(made.session_id, f"prep-{name}", topic)
        store.execute(made.session_id, Command("start"))
    return made


def give(page: Any, headline: str, left: int) -> None:
    page.click(f".codev-dot-row:has-text('{headline}') .codev-dot-give")
    live.wait_text(page, ".codev-dots-left", f"^{left} of 3 dots left$")


def test_three_members_vote_and_the_facilitator_confirms(
    chromium: Any, voila_server: Callable[..., VoilaProcess], tmp_path: Path
) -> None:
    server = voila_server(live.NOTEBOOKS)
    secrets = held(server, tmp_path)
    dialogs: list[str] = []
    with live.contexts(chromium, {}, {}, {}, {}) as (desk, *phones):
        console = live.facilitator(desk, server, secrets)
        live.wait_text(console, ".codev-dot-tally", "Late handovers — Bruno: 0")
        pages = {
            name: live.participant(phone, server, secrets, dialogs, name=name)
            for name, phone in zip(("Ana", "David", "Emma"), phones, strict=False)
        }
        for page in pages.values():
            live.wait_text(page, ".codev-dots-left", "^3 of 3 dots left$")
        give(pages["David"], TOPICS["Bruno"], 2)
        live.wait_text(console, ".codev-dot-tally", "Late handovers — Bruno: 1")
        give(pages["David"], TOPICS["Bruno"], 1)
        give(pages["Ana"], TOPICS["Chloé"], 2)
        live.wait_text(console, ".codev-dot-tally", "Late handovers — Bruno: 2")
        live.wait_text(console, ".codev-dot-tally", "A team that never talks — Chloé: 1")
        # A third dot on one topic: refused on the page, in words.
        pages["David"].click(f".codev-dot-row:has-text('{TOPICS['Bruno']}') .codev-dot-give")
        live.wait_text(pages["David"], ".codev-dots-message", "At most 2 dots on one topic")
        give(pages["Emma"], TOPICS["Chloé"], 2)
        live.wait_text(console, ".codev-dot-tie", "A tie: yours to choose")
        give(pages["Emma"], TOPICS["Bruno"], 1)
        live.wait_text(console, ".codev-dot-tally", "Late handovers — Bruno: 3")
        assert "David" not in str(console.text_content(".codev-dot-tally"))
        console.click(".codev-topic-confirm:has-text('Bruno')")
        live.wait_text(console, ".codev-topic-chosen", "Bruno is the client now")
        live.wait_text(console, ".codev-roles-summary", "Bruno")
        for page in pages.values():
            live.wait_text(page, ".codev-roles", "Client.{0,3}Bruno")
        assert dialogs == []
        live.close(console, *pages.values())
