"""One person, one voice on the pages: the phone that tries four names, "not you?" on a page
that has spoken, personal links with their secret, and the console's flag.

Pages are built as the notebook builds them (``participant_page()`` with the link in
``QUERY_STRING``) and driven as their browser would (``memory.recall``, clicks).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from codevwidgets.core.i18n import Translator
from codevwidgets.core.roles import Roles
from codevwidgets.core.roster import Member, Roster
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.pages.session import facilitator_page, participant_page
from codevwidgets.store.base import Secrets, person_secret_for
from codevwidgets.store.sqlite import SQLiteStore
from codevwidgets.widgets.console import FacilitatorConsole
from codevwidgets.widgets.join import JoinPanel
from codevwidgets.widgets.participant_page import ParticipantPage

EN = Translator("en")
GROUP = ("Ana", "Bruno", "Chloé", "David")
ROSTER = Roster(group="Team", facilitator="rotate", members=[Member(name=n) for n in GROUP])
CONCLUSION = 5

Opener = Callable[..., ParticipantPage]


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SQLiteStore]:
    path = tmp_path / "store.db"
    monkeypatch.setenv("CODEV_STORE", str(path))
    with SQLiteStore(path) as opened:
        yield opened


@pytest.fixture
def secrets(store: SQLiteStore) -> Secrets:
    session = Session(load_preset("classic"), Roles("Ana", "Farid", ("Bruno", "Chloé", "David")))
    session.start()
    session.go_to(CONCLUSION)
    return store.create(session, "classic", "en", ROSTER)


@pytest.fixture
def open_page(monkeypatch: pytest.MonkeyPatch, secrets: Secrets) -> Iterator[Opener]:
    pages: list[ParticipantPage] = []

    def open_(**query: str) -> ParticipantPage:
        link = {"session": secrets.session_id, "code": secrets.join_code, **query}
        monkeypatch.setenv("QUERY_STRING", urlencode(link))
        page = participant_page()
        assert isinstance(page, ParticipantPage)
        pages.append(page)
        return page

    yield open_
    for page in pages:
        page.close()


def stop(page: ParticipantPage) -> None:
    if page.view is not None:
        page.view.link.stop()  # the tests follow the store by hand


def choose(page: ParticipantPage, name: str) -> None:
    assert page.who is not None
    page.who.click_name(name)
    stop(page)


def rate(page: ParticipantPage, score: str) -> str:
    assert page.view is not None
    page.view.box.rating.value = score
    return str(page.view.box.message.value)


def console_of(secrets: Secrets, monkeypatch: pytest.MonkeyPatch) -> FacilitatorConsole:
    query = {"session": secrets.session_id, "key": secrets.facilitator_key}
    monkeypatch.setenv("QUERY_STRING", urlencode(query))
    console = facilitator_page()
    assert isinstance(console, FacilitatorConsole)
    console.link.sync()
    return console


def test_the_phone_that_tries_four_names(
    open_page: Opener, secrets: Secrets, store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    bruno = open_page()
    bruno.memory.recall(None, None)
    choose(bruno, "Bruno")
    assert rate(bruno, "5") == EN("participant.evaluation_sent", score="5")
    phone = open_page()
    phone.memory.recall(None, None)
    choose(phone, "Ana")
    assert rate(phone, "1") == EN("participant.evaluation_sent", score="1")
    page_id = phone.visitor.page
    # "Not you?": only Ana is offered now, and the page says why.
    assert phone.view is not None
    phone.view.not_you.click()
    who = phone.who
    assert who is not None
    spoke = EN("voice.page_spoke", name="Ana")
    assert who.message.value == spoke
    assert {b.description: b.disabled for b in who.buttons} == {
        "Ana": False,
        "Bruno": True,
        "Chloé": True,
        "David": True,
    }
    assert all("codev-who-taken" in b._dom_classes for b in who.buttons[1:])
    # A crafted click on Bruno: refused, the question again.
    for name in ("Bruno", "Chloé", "David"):
        assert phone.who is not None
        phone.who.click_name(name)
        assert phone.asking and phone.view is None
        assert phone.who is not None and phone.who.message.value == spoke
    # A new tab of the same phone, asking (its device remembers Ana's page): not Chloé.
    tab = open_page()
    tab.memory.recall(None, {"name": None, "pages": {"Ana": page_id}})
    assert tab.who is not None and tab.who.message.value == spoke
    tab.who.click_name("Chloé")
    assert tab.asking and tab.visitor.page != page_id
    # Ana, again: the same page, her rating stands.
    choose(phone, "Ana")
    assert phone.view is not None and phone.visitor.page == page_id
    # The console: Ana's 1 and Bruno's 5, from 2 people.
    console = console_of(secrets, monkeypatch)
    try:
        assert console.contributions.evaluation.value == EN(
            "console.evaluation_average", mean="3.0", people=2
        )
        assert console.contributions.conflicts.layout.display == "none"
    finally:
        console.link.stop()
        console.close()


def test_a_second_device_rating_under_a_rated_name_is_refused_and_flagged(
    open_page: Opener, secrets: Secrets, monkeypatch: pytest.MonkeyPatch
) -> None:
    console = console_of(secrets, monkeypatch)
    try:
        bruno = open_page()
        bruno.memory.recall(None, None)
        choose(bruno, "Bruno")
        rate(bruno, "5")
        other = open_page()
        other.memory.recall(None, None)
        choose(other, "Bruno")  # a second device may join under the name…
        assert rate(other, "1") == EN("voice.spoke_elsewhere", name="Bruno")  # …not rate
        assert other.view is not None
        assert "codev-error" in other.view.box.message._dom_classes
        console.link.sync()
        flag = console.contributions.conflicts
        assert flag.value == EN("voice.spoke_twice", name="Bruno")
        assert "codev-voice-conflict" in flag._dom_classes and flag.layout.display != "none"
        assert console.contributions.evaluation.value == EN(
            "console.evaluation_average", mean="5.0", people=1
        )
    finally:
        console.link.stop()
        console.close()


def personal_links(secrets: Secrets, monkeypatch: pytest.MonkeyPatch) -> dict[str, dict[str, str]]:
    import html
    import re

    console = console_of(secrets, monkeypatch)
    try:
        [join] = [w for w in _walk(console) if isinstance(w, JoinPanel)]
        assert join.people is not None
        links = [html.unescape(h) for h in re.findall(r'href="([^"]+)"', join.people.value)]
    finally:
        console.link.stop()
        console.close()
    queries = [{k: v[0] for k, v in parse_qs(urlsplit(link).query).items()} for link in links]
    return {q["name"]: q for q in queries}


def _walk(widget: object) -> Iterator[object]:
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


def test_a_name_joined_through_its_personal_link_is_not_taken_on_the_plain_link(
    open_page: Opener, secrets: Secrets, store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    links = personal_links(secrets, monkeypatch)
    chloe = links["Chloé"]
    assert chloe["person"] == person_secret_for(secrets.facilitator_key, "Chloé")
    assert len({q["person"] for q in links.values()}) == len(GROUP)  # one per person
    assert all("key" not in q for q in links.values())
    # Before anyone claims her: the plain link offers her.
    early = open_page()
    early.memory.recall(None, None)
    assert early.who is not None and not early.who.buttons[2].disabled
    # Chloé opens her personal link: she joins at once, and the name is hers.
    own = open_page(name="Chloé", person=chloe["person"])
    own.memory.recall(None, None)
    stop(own)
    assert own.view is not None and own.view.name == "Chloé"
    assert store.persons(secrets.session_id).claimed == {"chloé": own.visitor.page}
    # The plain link: shown as taken; a crafted click refused with a friendly line.
    plain = open_page()
    plain.memory.recall(None, None)
    assert plain.who is not None
    assert [b.disabled for b in plain.who.buttons] == [False, False, True, False]
    plain.who.click_name("Chloé")
    assert plain.asking and plain.who is not None
    assert plain.who.message.value == EN("voice.claimed", name="Chloé")
    # Her name in a link without the secret (or a wrong one) is the plain link for her.
    for query in ({"name": "Chloé"}, {"name": "chloé", "person": links["Ana"]["person"]}):
        forged = open_page(**query)
        forged.memory.recall(None, None)
        assert forged.asking and forged.view is None, query
    # Her own link again, in a new tab of another device: her secret joins.
    again = open_page(name="Chloé", person=chloe["person"])
    again.memory.recall(None, None)
    stop(again)
    assert again.view is not None and again.view.name == "Chloé"
    # A name nobody claimed still joins by a link without its secret (links handed out
    # before secrets), but claims nothing.
    david = open_page(name="David")
    david.memory.recall(None, None)
    stop(david)
    assert david.view is not None and david.view.name == "David"
    assert "david" not in store.persons(secrets.session_id).claimed
