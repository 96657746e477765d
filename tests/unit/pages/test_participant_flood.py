"""One scripted page must not slow the room: a participant page that clicks a thousand times is
refused in its own kernel, before the store is asked or a view is rebuilt.

``participant_page()`` is called as the notebook calls it (the store from ``CODEV_STORE``, the
link in ``QUERY_STRING``) with a clock that stands still: every click of a flood lands in the
same instant. The store's methods are counted on its class (the page opens its own store).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.i18n import Translator
from codevwidgets.core.limits import CONTRIBUTIONS, NAME_CHANGES, PRESENCE, SIGNALS
from codevwidgets.core.roles import Roles
from codevwidgets.core.roster import Member, Roster
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.pages.session import participant_page
from codevwidgets.store.base import Secrets
from codevwidgets.store.sqlite import SQLiteStore
from codevwidgets.widgets.participant import ParticipantView
from codevwidgets.widgets.participant_page import ParticipantPage

EN = Translator("en")
GROUP = ("Ana", "Bruno", "Chloé", "David")
ROSTER = Roster(group="Team", facilitator="rotate", members=[Member(name=n) for n in GROUP])
CLARIFICATION = 1
FLOOD = 1_000


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SQLiteStore]:
    path = tmp_path / "store.db"
    monkeypatch.setenv("CODEV_STORE", str(path))
    with SQLiteStore(path) as opened:
        yield opened


@pytest.fixture
def secrets(store: SQLiteStore) -> Secrets:
    session = Session(load_preset("classic"), Roles("Ana", "Bruno", ("Chloé", "David")))
    session.start()
    session.go_to(CLARIFICATION)
    return store.create(session, "classic", "en", ROSTER)


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many times each write method of the store was called, by any page."""
    calls: Counter[str] = Counter()
    for method in ("add_contribution", "signal", "seen", "persons"):
        original = getattr(SQLiteStore, method)

        def counted(self: SQLiteStore, *args: Any, _m: Any = original, _n: str = method) -> Any:
            calls[_n] += 1
            return _m(self, *args)

        monkeypatch.setattr(SQLiteStore, method, counted)
    return calls


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def open_page(
    secrets: Secrets, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., ParticipantPage]]:
    pages: list[ParticipantPage] = []

    def open_(**query: str) -> ParticipantPage:
        link = {"session": secrets.session_id, "code": secrets.join_code, **query}
        monkeypatch.setenv("QUERY_STRING", urlencode(link))
        page = participant_page(clock=clock)
        assert isinstance(page, ParticipantPage)
        page.memory.recall(None, None)  # what a browser remembering nothing says at load
        stop(page)
        pages.append(page)
        return page

    yield open_
    for page in pages:
        page.close()


def stop(page: ParticipantPage) -> None:
    if page.view is not None:
        page.view.link.stop()  # no watcher thread: nothing here needs the store followed


def view_of(page: ParticipantPage) -> ParticipantView:
    assert page.view is not None, "the page asks who you are"
    return page.view


def test_a_thousand_sends_ask_the_store_at_most_its_limit(
    open_page: Callable[..., ParticipantPage],
    store: SQLiteStore,
    secrets: Secrets,
    asked: Counter[str],
) -> None:
    view = view_of(open_page(name="Chloé"))
    box = view.box
    said: list[str] = []
    box.message.observe(lambda change: said.append(change["new"]), "value")
    for i in range(FLOOD):
        box.input.value = f"Question {i}?"
        box.send.click()
    assert CONTRIBUTIONS.most is not None
    assert len(store.contributions(secrets.session_id)) == CONTRIBUTIONS.most
    assert asked["add_contribution"] == CONTRIBUTIONS.most
    assert box.message.value == EN("participant.rate_limited")
    # "Sent" after each of the first, then "too fast" once: a refusal repeated says nothing new.
    assert said == [EN("participant.sent"), EN("participant.rate_limited")]


def test_sends_are_taken_again_once_time_has_passed(
    open_page: Callable[..., ParticipantPage],
    clock: FakeClock,
    store: SQLiteStore,
    secrets: Secrets,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The store's own count goes by the real time: here it takes everything the page lets by.
    monkeypatch.setattr(SQLiteStore, "rate_limit", None)
    box = view_of(open_page(name="Chloé")).box
    assert CONTRIBUTIONS.most is not None
    for i in range(CONTRIBUTIONS.most + 1):
        box.input.value = f"Question {i}?"
        box.send.click()
    assert box.message.value == EN("participant.rate_limited")
    clock.advance(CONTRIBUTIONS.window / CONTRIBUTIONS.most)  # one token back
    box.send.click()
    assert box.message.value == EN("participant.sent")
    box.input.value = "One more?"
    box.send.click()
    assert box.message.value == EN("participant.rate_limited")
    assert len(store.contributions(secrets.session_id)) == CONTRIBUTIONS.most + 1


def test_a_thousand_signals_ask_the_store_at_most_their_limit(
    open_page: Callable[..., ParticipantPage], asked: Counter[str]
) -> None:
    signals = view_of(open_page(name="Chloé")).signals
    assert signals is not None
    said: list[str] = []
    signals.message.observe(lambda change: said.append(change["new"]), "value")
    for _ in range(FLOOD):
        signals.hand.click()
    assert asked["signal"] == SIGNALS.most
    assert signals.message.value == EN("participant.rate_limited")
    assert said == [EN("participant.rate_limited")]  # one message, not one per refused click


def test_a_thousand_clock_syncs_ask_the_store_at_most_the_presence_limit(
    open_page: Callable[..., ParticipantPage], asked: Counter[str]
) -> None:
    countdown = view_of(open_page(name="Chloé")).countdown
    for t0 in range(FLOOD):
        countdown._on_message(countdown, {"type": "sync", "t0": t0}, [])
    assert asked["seen"] == PRESENCE.most


def test_a_thousand_name_changes_build_at_most_the_limit_of_views(
    open_page: Callable[..., ParticipantPage],
    asked: Counter[str],
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[ParticipantView] = []
    build = ParticipantView.__init__

    def counted(self: ParticipantView, *args: Any, **kwargs: Any) -> None:
        built.append(self)
        build(self, *args, **kwargs)

    monkeypatch.setattr(ParticipantView, "__init__", counted)
    page = open_page()
    for i in range(FLOOD):
        if page.view is not None:
            page.view.not_you.click()  # "not you? change"
        if page.who is not None:
            page.who.click_name(GROUP[i % len(GROUP)])
            stop(page)
    assert len(built) == NAME_CHANGES.most
    assert asked["persons"] <= 2 * NAME_CHANGES.most + 2  # each question, each choice
    # Refused in words where the person clicked: on the view, "not you?" stays.
    view = view_of(page)
    assert view.who_message.value == EN("join.too_fast")
    # A crafted choice while no change is left: refused on the question, no view built.
    page.ask()
    assert page.who is not None
    page.who.click_name("Ana")
    assert page.who is not None and page.who.message.value == EN("join.too_fast")
    assert len(built) == NAME_CHANGES.most
    # A minute later, a change is taken again.
    clock.advance(NAME_CHANGES.window)
    page.who.click_name("Ana")
    stop(page)
    assert view_of(page).name == "Ana"
    assert len(built) == NAME_CHANGES.most + 1
