"""Personal join in a real room: "who are you?", a reload that remembers, a name on two devices.

One Voilà server, the console, and participants' pages in their own browser contexts (two
devices: their storage is their own). The session stores its group's roster.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pytest
from test_live_session import (
    FOLLOW_TIMEOUT_MS,
    LOAD_TIMEOUT_MS,
    NOTEBOOKS,
    contexts,
    facilitator,
    wait_text,
)

from codevwidgets.core.commands import Command
from codevwidgets.core.roles import Roles
from codevwidgets.core.roster import Member, Roster
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.core.signals import SEEN
from codevwidgets.store.base import Secrets
from codevwidgets.store.sqlite import SQLiteStore

if TYPE_CHECKING:
    from codevwidgets.server.serve import VoilaProcess

pytestmark = pytest.mark.browser

GROUP = ("Ana", "Bruno", "Chloé", "David", "Farid")
CONCLUSION = 5  # the classic runbook's last step: learnings and the 1-5 evaluation
# Set on every page of a context before its scripts: whether "who are you?" ever showed.
WATCH_ASKED = """
window.__asked = false;
new MutationObserver(() => {
  if (document.querySelector('.codev-who')) window.__asked = true;
}).observe(document, {childList: true, subtree: true});
"""


def session_with_group(server: VoilaProcess) -> Secrets:
    roster = Roster(
        group="Team",
        facilitator="rotate",
        members=[Member(name=n, email=f"{n.lower()}@private.example") for n in GROUP],
    )
    session = Session(load_preset("classic"), Roles("Ana", "Bruno", ("Chloé", "David", "Farid")))
    with SQLiteStore(Path(server.env["CODEV_STORE"])) as store:
        return store.create(session, "classic", "en", roster)


def choose(page: Any, name: str) -> None:
    """Answer "who are you?" with ``name`` and wait for the view under it."""
    page.locator(".codev-who-name", has_text=name).click()
    page.wait_for_selector(".codev-timer", timeout=LOAD_TIMEOUT_MS)
    wait_text(page, ".codev-who-you", name)


def test_who_are_you_a_reload_that_remembers_and_a_name_on_two_devices(
    chromium: Any, voila_server: Callable[..., VoilaProcess]
) -> None:
    server = voila_server(NOTEBOOKS)
    secrets = session_with_group(server)
    link = server.url("participant.ipynb", session=secrets.session_id, code=secrets.join_code)
    dialogs: list[str] = []
    with contexts(chromium, {}, {}, {"viewport": {"width": 390, "height": 844}}) as (
        desk,
        laptop,
        phone,
    ):
        for context in (laptop, phone):
            context.add_init_script(WATCH_ASKED)
            context.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        console = facilitator(desk, server, secrets)

        # A link without a name asks who, from the group's names only.
        chloe = laptop.new_page()
        chloe.goto(link)
        chloe.wait_for_selector(".codev-who", timeout=LOAD_TIMEOUT_MS)
        assert chloe.locator(".codev-who-name").all_text_contents() == list(GROUP)
        assert "private.example" not in chloe.content()
        assert chloe.locator(".codev-timer").count() == 0  # nothing else before the answer
        choose(chloe, "Chloé")
        assert "advisor" in str(chloe.text_content(".codev-you"))
        # The console sees her at once, by that name.
        wait_text(console, ".codev-presence-who", "Chloé")

        # A reload comes back as Chloé, without asking, as the same page.
        chloe.reload()
        chloe.wait_for_selector(".codev-timer", timeout=LOAD_TIMEOUT_MS)
        wait_text(chloe, ".codev-who-you", "Chloé")
        assert chloe.evaluate("window.__asked") is False
        with SQLiteStore(Path(server.env["CODEV_STORE"])) as store:
            seen = [s for s in store.signals(secrets.session_id) if s.kind == SEEN]
        assert [s.name for s in seen] == ["Chloé"]  # one page, not one per load
        assert "codev-presence-twice" not in str(console.inner_html(".codev-presence-who"))

        # Another device claims the same name: the console says so.
        other = phone.new_page()
        other.goto(link)
        other.wait_for_selector(".codev-who", timeout=LOAD_TIMEOUT_MS)
        choose(other, "Chloé")
        twice = wait_text(console, ".codev-presence-twice", "on 2 devices")
        assert twice.startswith("Chloé — on 2 devices"), twice

        # "Not you? Change": the phone is David's; the warning goes.
        other.click(".codev-change-name")
        other.wait_for_selector(".codev-who", timeout=FOLLOW_TIMEOUT_MS)
        choose(other, "David")
        console.wait_for_function(
            "() => !document.querySelector('.codev-presence-twice')"
            " && /David/.test(document.querySelector('.codev-presence-who')?.textContent)",
            timeout=FOLLOW_TIMEOUT_MS,
        )
        # Reloaded, the phone stays David's (the change was remembered too).
        other.reload()
        other.wait_for_selector(".codev-timer", timeout=LOAD_TIMEOUT_MS)
        wait_text(other, ".codev-who-you", "David")

        # The console's personal links, folded away: each joins without asking. (The join
        # links themselves folded once people had joined: one click opens them again.)
        console.click(".codev-join-links .jupyter-widget-Collapse-header")
        details = console.locator(".codev-person-links details")
        assert details.get_attribute("open") is None
        console.click(".codev-person-links summary")
        farid = console.locator(".codev-person-link", has_text="Farid").locator("a")
        url = str(farid.get_attribute("href"))
        assert parse_qs(urlsplit(url).query)["name"] == ["Farid"]
        assert console.locator(".codev-person-qr svg").count() == len(GROUP)
        personal = phone.new_page()
        personal.goto(url)
        personal.wait_for_selector(".codev-timer", timeout=LOAD_TIMEOUT_MS)
        wait_text(personal, ".codev-who-you", "Farid")
        assert personal.evaluate("window.__asked") is False

        # One person, one evaluation: Chloé rates, reloads and rates again; Farid rates.
        with SQLiteStore(Path(server.env["CODEV_STORE"])) as store:
            store.execute(secrets.session_id, Command("start"))
            store.execute(secrets.session_id, Command("go_to", {"index": CONCLUSION}))
        for page, score in ((chloe, "4"), (personal, "5")):
            rate(page, score)
        chloe.reload()
        chloe.wait_for_selector(".codev-timer", timeout=LOAD_TIMEOUT_MS)
        wait_text(chloe, ".codev-who-you", "Chloé")
        rate(chloe, "2")
        # Chloé's 4 and Farid's 5 show first (4.5, from 2): wait for her second rating.
        summary = wait_text(console, ".codev-evaluation-summary", r"3\.5/5, from 2 ")
        assert summary.startswith("Average evaluation: 3.5/5, from 2 "), summary
        assert dialogs == []


def rate(page: Any, score: str) -> None:
    page.locator(".codev-evaluation button", has_text=score).click()
    wait_text(page, ".codev-contribution-message", f"{score}/5")


def test_the_phone_that_tries_four_names_counts_once_and_the_console_flags(
    chromium: Any, voila_server: Callable[..., VoilaProcess]
) -> None:
    """Issue 21: one phone rated 1 as Ana, then as Bruno (over his own 5), Chloé and David.
    Now the phone stays Ana's once it has rated; a second device under Bruno's name is not
    counted, and the console says so."""
    server = voila_server(NOTEBOOKS)
    secrets = session_with_group(server)
    with SQLiteStore(Path(server.env["CODEV_STORE"])) as store:
        store.execute(secrets.session_id, Command("start"))
        store.execute(secrets.session_id, Command("go_to", {"index": CONCLUSION}))
    link = server.url("participant.ipynb", session=secrets.session_id, code=secrets.join_code)
    mobile = {"viewport": {"width": 390, "height": 844}}
    with contexts(chromium, {}, mobile, mobile, mobile) as (desk, own, phone, other):
        console = facilitator(desk, server, secrets)
        bruno = own.new_page()
        bruno.goto(link)
        bruno.wait_for_selector(".codev-who", timeout=LOAD_TIMEOUT_MS)
        choose(bruno, "Bruno")
        rate(bruno, "5")
        ana = phone.new_page()
        ana.goto(link)
        ana.wait_for_selector(".codev-who", timeout=LOAD_TIMEOUT_MS)
        choose(ana, "Ana")
        rate(ana, "1")
        # "Not you?": the phone has rated as Ana; the other names are not offered.
        ana.click(".codev-change-name")
        ana.wait_for_selector(".codev-who", timeout=FOLLOW_TIMEOUT_MS)
        wait_text(ana, ".codev-who-message", "already rated or written as Ana")
        for name in ("Bruno", "Chloé", "David"):
            assert ana.locator(".codev-who-name", has_text=name).is_disabled(), name
        choose(ana, "Ana")
        # A second device as Bruno may join, but its rating is not counted.
        impostor = other.new_page()
        impostor.goto(link)
        impostor.wait_for_selector(".codev-who", timeout=LOAD_TIMEOUT_MS)
        choose(impostor, "Bruno")
        impostor.locator(".codev-evaluation button", has_text="1").click()
        wait_text(impostor, ".codev-contribution-message", "Not counted: Bruno has already")
        flag = wait_text(console, ".codev-voice-conflict", "Bruno")
        assert flag.startswith("Bruno rated or wrote from two devices"), flag
        summary = wait_text(console, ".codev-evaluation-summary", r"3\.0/5, from 2 ")
        assert summary.startswith("Average evaluation: 3.0/5, from 2 "), summary
