"""Issue 24 end to end, on one Voilà server: two members prepare their topics on their phones,
the group gives its dots, the facilitator confirms the leading topic (its author becomes the
client), the new client flags a drift during the consultation, the facilitator clears it, and
a break is taken on every page.

A break is due after ``break_after_minutes`` worked; the runbook asks for one minute. Voilà's
kernels read the real clock, so, as ``test_break_page.py`` does, the test starts the session
through the store with its clock 90 seconds back: the topic choice has run a minute and a half
by the time the facilitator moves on, and nothing waits for time to pass.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command
from codevwidgets.core.roles import Roles
from codevwidgets.core.roster import Member, Roster
from codevwidgets.core.runbook import load_runbook
from codevwidgets.core.session import Session
from codevwidgets.store.base import Secrets, person_secret_for
from codevwidgets.store.sqlite import SQLiteStore
from tests.browser import test_live_session as live
from tests.browser.test_topic_dots_page import give
from tests.browser.test_topic_prepared import GROUP, PHONE, form_shown

if TYPE_CHECKING:
    from codevwidgets.server.serve import VoilaProcess

pytestmark = pytest.mark.browser

TOPICS = {"Bruno": "Late handovers", "Chloé": "A team that never talks"}
CONTRACT = "Help me find two ways to hand over on time."
RUNBOOK = """\
extends: classic
break_after_minutes: 1
break_minutes: 5
steps:
  - {id: topic_choice, before: presentation}
"""


def new_session(server: VoilaProcess, tmp_path: Path) -> Secrets:
    """The group's session, not started: Ana the client until the group chooses."""
    book = tmp_path / "topics-and-breaks.yaml"
    book.write_text(RUNBOOK, encoding="utf-8")
    roster = Roster(group="Team", facilitator="rotate", members=[Member(name=n) for n in GROUP])
    session = Session(load_runbook(book), Roles("Ana", "Farid", GROUP[1:]))
    with SQLiteStore(Path(server.env["CODEV_STORE"])) as store:
        return store.create(session, str(book), "en", roster)


def personal(
    context: Any, server: VoilaProcess, secrets: Secrets, dialogs: list[str], name: str
) -> Any:
    """``name``'s page through their personal link (its dialogs kept in ``dialogs``)."""
    person = person_secret_for(secrets.facilitator_key, name)
    return live.participant(context, server, secrets, dialogs, name=name, person=person)


def prepare(page: Any, headline: str) -> None:
    """A topic prepared through the page's form, every question of the checklist a yes."""
    form_shown(page)
    page.fill(".codev-topic-headline input", headline)
    page.fill(".codev-topic-help textarea", "Ideas I have not thought of.")
    for item in ("own", "current", "open", "shareable"):
        page.locator(f".codev-topic-answer--{item} button", has_text="Yes").click()
    page.click(".codev-topic-submit")
    live.wait_text(page, ".codev-topic-saved", headline)


def test_topics_prepared_chosen_then_a_drift_flag_and_a_break(
    chromium: Any, voila_server: Callable[..., VoilaProcess], tmp_path: Path
) -> None:
    server = voila_server(live.NOTEBOOKS)
    secrets = new_session(server, tmp_path)
    dialogs: list[str] = []
    with live.contexts(chromium, {}, PHONE, PHONE, {}) as (desk, phone_b, phone_c, laptop):
        console = live.facilitator(desk, server, secrets)
        bruno = personal(phone_b, server, secrets, dialogs, "Bruno")
        chloe = personal(phone_c, server, secrets, dialogs, "Chloé")
        david = personal(laptop, server, secrets, dialogs, "David")
        members = (bruno, chloe, david)

        # Before the start: two topics prepared on the phones, listed on the console.
        prepare(bruno, TOPICS["Bruno"])
        prepare(chloe, TOPICS["Chloé"])
        for name, headline in TOPICS.items():
            live.wait_text(console, ".codev-topics", f"{name} — {headline}")

        with SQLiteStore(Path(server.env["CODEV_STORE"]), FakeClock(time.time() - 90)) as store:
            store.execute(secrets.session_id, Command("start"))
        live.wait_running(console)
        console.wait_for_selector(".codev-topics", state="hidden", timeout=live.FOLLOW_TIMEOUT_MS)

        # The dots: each member votes from their own page, never on their own topic.
        live.wait_text(console, ".codev-dot-tally", "Late handovers — Bruno: 0")
        for page in members:
            live.wait_text(page, ".codev-dots-left", "^3 of 3 dots left$")
        own = bruno.locator(f".codev-dot-row:has-text('{TOPICS['Bruno']}') .codev-dot-give")
        assert own.is_disabled()
        give(chloe, TOPICS["Bruno"], 2)
        live.wait_text(console, ".codev-dot-tally", "Late handovers — Bruno: 1")
        give(chloe, TOPICS["Bruno"], 1)
        give(bruno, TOPICS["Chloé"], 2)
        live.wait_text(console, ".codev-dot-tally", "A team that never talks — Chloé: 1")
        give(david, TOPICS["Bruno"], 2)
        live.wait_text(console, ".codev-dot-tally", "Late handovers — Bruno: 3")
        assert "David" not in str(console.text_content(".codev-dot-tally"))

        # The facilitator confirms the leading topic: Bruno is the client on every page.
        console.click(".codev-topic-confirm:has-text('Bruno')")
        live.wait_text(console, ".codev-topic-chosen", "Bruno is the client now")
        live.wait_text(console, ".codev-roles-summary", "Bruno")
        for page in members:
            live.wait_text(page, ".codev-roles", "Client.{0,3}Bruno")

        # On to the consultation, the contract written on the way.
        live.next_step(console)
        live.wait_title(bruno, "Presentation of the problem")
        # The chosen topic's headline is the presentation's, as the confirmation filled it.
        console.wait_for_function(
            "t => document.querySelector('.codev-note-headline textarea')?.value === t",
            arg=TOPICS["Bruno"],
            timeout=live.FOLLOW_TIMEOUT_MS,
        )
        live.next_step(console)
        live.wait_title(bruno, "Clarifying questions")
        live.next_step(console)
        live.wait_title(console, "Consultation contract")
        console.fill(".codev-note-contract textarea", CONTRACT)
        live.wait_text(bruno, ".codev-contract-text .codev-contract-body", CONTRACT)
        live.next_step(console)
        for page in members:
            live.wait_title(page, "Consultation")

        # The client's drift flag, theirs only; the console shows it with the contract.
        flag = bruno.locator("button.codev-drift-flag")
        flag.wait_for(timeout=live.FOLLOW_TIMEOUT_MS)
        assert chloe.locator(".codev-drift-flag").count() == 0
        assert david.locator(".codev-drift-flag").count() == 0
        flag.click()
        shown = console.locator(".codev-drift-shown")
        shown.wait_for(timeout=live.FOLLOW_TIMEOUT_MS)
        live.wait_text(console, ".codev-drift-shown", CONTRACT)
        console.click("button.codev-drift-clear")
        shown.wait_for(state="detached", timeout=live.FOLLOW_TIMEOUT_MS)
        live.wait_text(bruno, "button.codev-drift-flag", "We are drifting from my question")

        # A minute and a half worked: the console proposes the break; taken, every page has it.
        take = console.wait_for_selector(".codev-break-start", timeout=live.FOLLOW_TIMEOUT_MS)
        assert take.text_content() == "Take a 5-minute break"
        take.click()
        for page in (console, *members):
            page.wait_for_selector(
                ".codev-break:has-text('Break — back at')", timeout=live.FOLLOW_TIMEOUT_MS
            )
        assert dialogs == []
        live.close(*members, console)
