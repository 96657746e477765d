"""The group's dots on the pages, built as the notebooks build them (``participant_page()``,
``facilitator_page()`` with the link in ``QUERY_STRING``) over a real SQLite store: the
participant's buttons and refusals, anonymity (a participant's kernel reads its own dots
only), the console's tally following each dot, a tie, the confirmation and its effects."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import ipywidgets as widgets
import pytest

from codevwidgets.core.commands import Command
from codevwidgets.core.joining import new_page_id
from codevwidgets.core.roles import Roles
from codevwidgets.core.roster import Member, Roster
from codevwidgets.core.runbook import load_runbook
from codevwidgets.core.session import Session
from codevwidgets.core.topics import CHECKLIST, TOPIC_CHOICE, admit_topic
from codevwidgets.pages.session import facilitator_page, participant_page
from codevwidgets.store.base import Secrets
from codevwidgets.store.sqlite import SQLiteStore
from codevwidgets.widgets.console import FacilitatorConsole
from codevwidgets.widgets.dots import DotsPanel, DotTally
from codevwidgets.widgets.participant_page import ParticipantPage

GROUP = ("Ana", "Bruno", "Chloé", "David", "Olga")
ROSTER = Roster(group="Team", facilitator="rotate", members=[Member(name=n) for n in GROUP])
ROLES = Roles("Ana", "Farid", ("Bruno", "Chloé", "David"), None, ("Olga",))
YES = dict.fromkeys(CHECKLIST, True)
PAGES = {"Bruno": new_page_id(), "Chloé": new_page_id()}

Opener = Callable[..., ParticipantPage]


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SQLiteStore]:
    path = tmp_path / "store.db"
    monkeypatch.setenv("CODEV_STORE", str(path))
    with SQLiteStore(path) as opened:
        yield opened


@pytest.fixture
def secrets(store: SQLiteStore, tmp_path: Path) -> Secrets:
    book = tmp_path / "choosing.yaml"
    book.write_text(
        "extends: classic\nsteps:\n  - {id: topic_choice, before: presentation}\n",
        encoding="utf-8",
    )
    made = store.create(Session(load_runbook(book), ROLES), str(book), "en", ROSTER)
    sid = made.session_id
    for name, headline in (("Bruno", "Late handovers"), ("Chloé", "A team that never talks")):
        topic = admit_topic(name, headline, f"{name}'s zebra context", "", f"{name}'s help", YES)
        store.save_topic(sid, PAGES[name], topic)
    store.execute(sid, Command("start"))
    return made


@pytest.fixture
def open_page(monkeypatch: pytest.MonkeyPatch, secrets: Secrets) -> Iterator[Opener]:
    pages: list[ParticipantPage] = []

    def open_(name: str) -> DotsPanel | ParticipantPage:
        link = {"session": secrets.session_id, "code": secrets.join_code}
        monkeypatch.setenv("QUERY_STRING", urlencode(link))
        page = participant_page()
        assert isinstance(page, ParticipantPage)
        pages.append(page)
        # The browser remembers the page that prepared the topic (the member's own phone).
        tab = {"page": PAGES[name], "name": name, "link": None} if name in PAGES else {}
        page.memory.recall(tab, None)
        if page.who is not None:
            page.who.click_name(name)
        assert page.view is not None
        page.view.link.stop()  # the tests follow the store by hand
        return page

    yield open_
    for page in pages:
        page.close()


def dots_of(page: ParticipantPage) -> DotsPanel:
    assert page.view is not None and page.view.dots is not None
    return page.view.dots


def shown(widget: widgets.Widget) -> bool:
    return widget.layout.display != "none"


def buttons(panel: DotsPanel, author: str) -> tuple[widgets.Button, widgets.Button]:
    return panel.buttons[author.casefold()]


def test_a_members_buttons_budget_and_own_topic(open_page: Opener) -> None:
    bruno = dots_of(open_page("Bruno"))
    assert shown(bruno) and bruno.left.value == "3 of 3 dots left"
    headlines = [row.children[0].value for row in bruno.rows.children]
    assert headlines == [
        "Late handovers — Bruno (your own topic: no dot on it)",
        "A team that never talks — Chloé",
    ]
    give_own, _ = buttons(bruno, "Bruno")
    assert give_own.disabled and give_own.tooltip == "Your own topic: no dot on it."
    assert all("codev-dot" in b._dom_classes for b in buttons(bruno, "Chloé"))
    give, take = buttons(bruno, "Chloé")
    assert take.disabled
    give.click()
    give.click()
    assert (
        bruno.left.value == "1 of 3 dots left" and bruno.rows.children[1].children[1].value == "●●"
    )
    give.click()  # a third on one topic: refused in one line
    assert bruno.message.value == "At most 2 dots on one topic."
    take.click()
    assert bruno.left.value == "2 of 3 dots left" and bruno.message.value == ""
    # A click crafted on the disabled own button is refused by core, in words.
    bruno.click("Bruno", True)
    assert bruno.message.value == "Your own topic: no dot on it."


def test_three_dots_spent_and_a_second_device_refused(open_page: Opener) -> None:
    david = dots_of(open_page("David"))
    for author in ("Bruno", "Bruno", "Chloé"):
        buttons(david, author)[0].click()
    assert david.left.value == "0 of 3 dots left"
    assert all(buttons(david, a)[0].disabled for a in ("Bruno", "Chloé"))
    david.click("Chloé", True)
    assert david.message.value == "3 dots each: take one back first."
    other = dots_of(open_page("David"))  # another phone under David's name
    other.click("Chloé", False)
    assert "David" in other.message.value and "Traceback" not in other.message.value


def test_observers_do_not_vote_and_no_dots_outside_the_choice(
    open_page: Opener, store: SQLiteStore, secrets: Secrets
) -> None:
    assert not shown(dots_of(open_page("Olga")))
    ana = open_page("Ana")
    assert shown(dots_of(ana))
    store.execute(secrets.session_id, Command("next", {"step": TOPIC_CHOICE}))
    assert ana.view is not None
    ana.view.link.sync()
    assert not shown(dots_of(ana))


def test_a_participants_kernel_never_reads_the_tally_nor_others_dots(
    open_page: Opener, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    for method in ("dot_tally", "my_dots", "topics"):
        real = getattr(SQLiteStore, method)

        def spy(
            self: SQLiteStore, *args: Any, _real: Any = real, _m: str = method, **kw: Any
        ) -> Any:
            calls.append(f"{_m}{args[1:]}{kw}")  # the session's id left out
            return _real(self, *args, **kw)

        monkeypatch.setattr(SQLiteStore, method, spy)
    ana = dots_of(open_page("Ana"))
    buttons(ana, "Bruno")[0].click()
    buttons(ana, "Chloé")[0].click()
    buttons(ana, "Chloé")[1].click()
    assert ana.mine == {"bruno": 1}
    # Its own dots, the headlines: nothing else, never the tally.
    assert set(calls) == {"my_dots('Ana',){}", "topics(){'private': False}"}
    # What the page holds of the topics: headlines, never the preparation.
    assert all(t.context == "" and t.help == "" for t in ana.topics or [])


def console_of(secrets: Secrets, monkeypatch: pytest.MonkeyPatch) -> FacilitatorConsole:
    query = {"session": secrets.session_id, "key": secrets.facilitator_key}
    monkeypatch.setenv("QUERY_STRING", urlencode(query))
    console = facilitator_page()
    assert isinstance(console, FacilitatorConsole)
    console.link.stop()  # the tests wake it by hand, as its watcher would
    console.link.sync()
    return console


def woken(console: FacilitatorConsole, store: SQLiteStore) -> DotTally:
    """What the console's watcher does at a new revision (each dot moves it)."""
    console.link._changed(store.revision(console.session.id))
    assert console.topic_choice is not None
    return console.topic_choice


def test_the_console_follows_each_dot_marks_a_tie_and_confirms(
    secrets: Secrets, store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = secrets.session_id
    console = console_of(secrets, monkeypatch)
    tally = woken(console, store)
    assert shown(tally) and "codev-dot-tally" in tally.board._dom_classes
    assert 'Late handovers — Bruno: <span class="codev-dot-count">0</span>' in tally.board.value
    store.give_dot(sid, "p-david", "David", "Bruno", True)
    tally = woken(console, store)
    assert '<span class="codev-dot-count">1</span>' in tally.board.value
    assert tally.leaders == ["bruno"] and tally.tie.value == ""
    store.give_dot(sid, "p-ana", "Ana", "Chloé", True)
    tally = woken(console, store)
    assert tally.leaders == ["bruno", "chloé"] and tally.tie.value == "A tie: yours to choose."
    assert "David" not in tally.board.value and "Ana" not in tally.board.value
    store.give_dot(sid, "p-ana", "Ana", "Chloé", True)
    tally = woken(console, store)
    # Bruno's topic does not lead: the facilitator is asked once more.
    confirm = tally.confirms.children[0]
    assert "codev-topic-confirm" in confirm._dom_classes
    confirm.click()
    assert shown(tally.question) and "Bruno" in tally.asking.value
    tally.no.click()
    assert console.session.chosen is None
    confirm.click()
    tally.yes.click()
    roles = console.session.roles
    assert roles is not None and roles.client == "Bruno" and "Ana" in roles.advisors
    assert console.roles.client.value == "Bruno"
    notes = console.session.notes["presentation"]
    assert (notes["headline"], notes["topic"], notes["question"]) == (
        "Late handovers",
        "Bruno's zebra context",
        "Bruno's help",
    )
    assert tally.chosen.value == "Chosen: Late handovers — Bruno is the client now."
    assert console.session.chosen is not None and console.session.chosen.others == (2,)


def test_a_refused_confirmation_is_one_line(
    secrets: Secrets, store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    console = console_of(secrets, monkeypatch)
    tally = woken(console, store)
    store.execute(secrets.session_id, Command("next", {"step": TOPIC_CHOICE}))
    tally.confirms.children[1].click()  # the console still showed the choice
    assert tally.message.value.startswith("Another console has moved the session on")
    assert console.session.chosen is None and not shown(tally)  # the step it is at now
