"""A topic prepared ahead, in a real room: a member on a 390-px phone opens their personal
link, starts typing, reloads (nothing typed is lost), walks the checklist (a "no" warns, does
not block) and saves; the console lists it in ``codev-topics`` with the details folded under
it; the session starts and the phone's form gives way to one line. One Voilà server."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from test_live_session import LOAD_TIMEOUT_MS, NOTEBOOKS, contexts, facilitator, wait_text

from codevwidgets.core.commands import Command
from codevwidgets.core.i18n import Translator
from codevwidgets.core.roles import Roles
from codevwidgets.core.roster import Member, Roster
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.store.base import Secrets, person_secret_for
from codevwidgets.store.sqlite import SQLiteStore

if TYPE_CHECKING:
    from codevwidgets.server.serve import VoilaProcess

pytestmark = pytest.mark.browser

EN = Translator("en")
GROUP = ("Ana", "Bruno", "Chloé", "David")
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def session_with_group(server: VoilaProcess) -> Secrets:
    roster = Roster(group="Team", facilitator="rotate", members=[Member(name=n) for n in GROUP])
    session = Session(load_preset("classic"), Roles("Ana", "Farid", GROUP[1:]))
    with SQLiteStore(Path(server.env["CODEV_STORE"])) as store:
        return store.create(session, "classic", "en", roster)


def form_shown(page: Any) -> None:
    page.wait_for_selector(".codev-topic-form .codev-topic-headline input", timeout=LOAD_TIMEOUT_MS)


def test_a_member_prepares_a_topic_on_a_phone_and_the_console_lists_it(
    chromium: Any, voila_server: Callable[..., VoilaProcess]
) -> None:
    server = voila_server(NOTEBOOKS)
    secrets = session_with_group(server)
    person = person_secret_for(secrets.facilitator_key, "Bruno")
    link = server.url(
        "participant.ipynb",
        session=secrets.session_id,
        code=secrets.join_code,
        name="Bruno",
        person=person,
    )
    dialogs: list[str] = []
    with contexts(chromium, {}, PHONE) as (desk, phone):
        phone.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        console = facilitator(desk, server, secrets)
        wait_text(console, ".codev-topics", EN("topic.none_yet"))
        bruno = phone.new_page()
        bruno.goto(link)
        form_shown(bruno)
        bruno.fill(".codev-topic-headline input", "Meetings that run over")
        bruno.fill(".codev-topic-context textarea", "My weekly meeting <b>always</b> overruns.")

        # A reload before saving: the page comes back as Bruno, with what he typed.
        bruno.reload()
        form_shown(bruno)
        bruno.wait_for_function(
            "() => document.querySelector('.codev-topic-headline input')?.value"
            " === 'Meetings that run over'",
            timeout=LOAD_TIMEOUT_MS,
        )
        assert "always" in bruno.input_value(".codev-topic-context textarea")

        # Saved without the checklist: said in one line, nothing lost.
        bruno.click(".codev-topic-submit")
        wait_text(bruno, ".codev-topic-message", EN("topic.err.unanswered"))
        assert bruno.input_value(".codev-topic-headline input") == "Meetings that run over"

        bruno.fill(".codev-topic-help textarea", "Help me see what keeps it long.")
        for item in ("own", "current", "shareable"):
            bruno.locator(f".codev-topic-answer--{item} button", has_text="Yes").click()
        bruno.locator(".codev-topic-answer--open button", has_text="No").click()
        bruno.wait_for_selector(".codev-topic-why.codev-topic-warning", timeout=LOAD_TIMEOUT_MS)
        assert bruno.locator(".codev-topic-warning").count() == 1
        # Mobile first: nothing wider than the phone.
        width = bruno.evaluate("document.scrollingElement.scrollWidth")
        assert width <= 390, width
        bruno.click(".codev-topic-submit")
        wait_text(bruno, ".codev-topic-saved", "Meetings that run over")

        # The console lists it at once: the checklist's answers, the details folded.
        row = wait_text(console, ".codev-topics .codev-topic", "Meetings that run over")
        assert row.startswith("Bruno — Meetings that run over"), row
        assert "✗ " + EN("topic.check.open_short") in row
        details = console.locator(".codev-topic-details")
        assert details.get_attribute("open") is None
        console.click(".codev-topic-details summary")
        assert "always" in str(console.text_content(".codev-topic-details dd"))
        assert console.locator(".codev-topic-details b").count() == 0  # text, never markup

        # The session starts: the phone's form gives way to one line.
        with SQLiteStore(Path(server.env["CODEV_STORE"])) as store:
            store.execute(secrets.session_id, Command("start"))
        wait_text(bruno, ".codev-topic-form", EN("topic.closed"))
        assert bruno.locator(".codev-topic-headline").count() == 0
        console.wait_for_selector(".codev-topics", state="hidden", timeout=LOAD_TIMEOUT_MS)
        assert dialogs == []
