"""A session deleted from the store (``codev sessions delete``) while its pages are open.

Every page says so in one line — "This session has ended." (a participant's, the room's
screen), "This session was deleted from the store." (the console) — its countdown stopped and
nothing left that writes; a write tried afterwards gets the same sentence, never a store path
nor "this step does not take this contribution"; and no page keeps watching the store.

Both stores (``store_location``); the pages are composed as the notebooks compose them.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable, Iterator
from typing import cast
from urllib.parse import urlencode

import ipywidgets as widgets
import pytest

from codevwidgets.core.commands import Command
from codevwidgets.core.i18n import Translator
from codevwidgets.core.roles import Roles
from codevwidgets.core.roster import Roster, load_roster
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.demo import DEMO_ROSTER
from codevwidgets.pages.session import facilitator_page, participant_page, projector_page
from codevwidgets.store.base import person_secret_for
from codevwidgets.store.open import open_store
from codevwidgets.store.sql import SQLStore
from codevwidgets.widgets._view import ENDED
from codevwidgets.widgets.console import FacilitatorConsole
from codevwidgets.widgets.participant import ParticipantView
from codevwidgets.widgets.participant_page import ParticipantPage
from codevwidgets.widgets.projector import ProjectorView
from tests.unit.participant_pages import joined

EN = Translator("en")
ENDED_TEXT, DELETED_TEXT = EN("live.session_ended"), EN("live.session_deleted")

Pages = tuple[SQLStore, FacilitatorConsole, ParticipantView, ProjectorView]


def walk(widget: widgets.Widget) -> Iterator[widgets.Widget]:
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def every_text(page: widgets.Widget) -> str:
    """Every text the page holds, shown or hidden."""
    names = ("value", "description", "placeholder", "tooltip")
    return "\n".join(
        value
        for part in walk(page)
        for name in names
        if isinstance(value := getattr(part, name, None), str)
    )


def ended_line(page: widgets.Box) -> str | None:
    """What the page's one line about its deleted session says, if it shows one; every
    other part but its stylesheet and brand is hidden then."""
    lines = [child for child in page.children if ENDED in child._dom_classes]
    if not lines:
        return None
    assert len(lines) == 1
    index = page.children.index(lines[0])
    shown = [child for child in page.children if child.layout.display != "none"]
    assert shown == list(page.children[: index + 1]), "a part of the page is still shown"
    return html.unescape(re.sub("<[^>]*>", "", lines[0].value))


def until(done: Callable[[], bool], within: float = 30.0) -> bool:
    """Whether ``done()`` says yes in time (the pages' watchers run in threads of their own)."""
    deadline = time.monotonic() + within
    while not done():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.fixture
def pages(store_location: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Pages]:
    """A running session at its clarification step: its console, Chloé's page (its first
    beat heard: it follows) and the room's screen (not heard yet)."""
    monkeypatch.setenv("CODEV_STORE", store_location)
    store = cast(SQLStore, open_store(store_location))
    roles = Roles("Ana", "Bruno", ("Chloé", "David", "Emma"))
    secrets = store.create(Session(load_preset("classic"), roles), "classic", "en")
    store.execute(secrets.session_id, Command("start"))
    store.execute(secrets.session_id, Command("next", {"step": "presentation"}))
    query = {"session": secrets.session_id}
    monkeypatch.setenv("QUERY_STRING", urlencode({**query, "key": secrets.facilitator_key}))
    console = facilitator_page()
    assert isinstance(console, FacilitatorConsole)
    monkeypatch.setenv("QUERY_STRING", urlencode({**query, "code": secrets.join_code}))
    view = joined(participant_page())
    view.countdown.heard()  # the page's first clock sync: it follows the store from now on
    projector = projector_page()
    assert isinstance(projector, ProjectorView)
    links = [console.link, view.link, projector.link]
    yield store, console, view, projector
    for link in links:
        link.stop()
    for each in {id(s): s for s in [store, *(link.store for link in links)]}.values():
        each.close()


def demo_roster() -> Roster:
    return load_roster(DEMO_ROSTER)


def assert_no_store_in(page: widgets.Widget, store_location: str) -> None:
    text = every_text(page)
    where = store_location.rsplit("/", 1)[-1]  # the file's or the database's name
    assert where not in text and "postgresql" not in text and "no session" not in text
    assert EN("participant.refused") not in text


def test_the_pages_say_the_session_ended_and_stop_watching_the_store(
    pages: Pages, store_location: str
) -> None:
    store, console, view, projector = pages
    assert view.link.watcher is not None and console.link.watcher is not None
    assert ended_line(console) is None and ended_line(view) is None
    assert store.delete(console.session.id)
    # The change feeds announce the deletion (revision -1): no write needed to learn it.
    assert until(lambda: ended_line(console) == DELETED_TEXT)
    assert until(lambda: ended_line(view) == ENDED_TEXT)
    for page in (console, view):
        assert page.session.deleted
        assert (page.countdown.status, page.countdown.deadline_ms) == ("finished", None)
        assert page.link.watcher is not None and not page.link.watcher.running
    # The room's screen had not connected yet: its first beat finds the session gone.
    projector.countdown.heard()
    assert ended_line(projector) == ENDED_TEXT
    watcher = projector.link.watcher
    assert watcher is None or not watcher.running  # nothing left to follow
    # A write tried now (a crafted click: the controls are hidden) gets the same sentence.
    view.box.input.value = "What have you already tried?"
    view.box.send.click()
    assert view.box.message.value == ENDED_TEXT
    assert view.signals is not None
    view.signals.hand.click()
    assert view.signals.message.value == ENDED_TEXT
    console.timer_controls.pause_button.click()
    assert console.timer_controls.message.value == DELETED_TEXT
    view.countdown.heard()  # later beats read nothing and start no watcher again
    console.countdown.heard()
    assert not view.link.watcher.running and not console.link.watcher.running
    for page in (console, view, projector):
        assert_no_store_in(page, store_location)
    assert store.load(console.session.id, private=True) is None  # nothing written back


def test_a_write_sent_before_the_page_heard_of_the_deletion_says_it_and_ends_the_page(
    pages: Pages, store_location: str
) -> None:
    store, console, view, _ = pages
    for link in (console.link, view.link):
        link.stop()  # the feeds have not looked yet: the write is the first to learn it
    assert store.delete(console.session.id)
    view.box.input.value = "What have you already tried?"
    view.box.send.click()
    assert view.box.message.value == ENDED_TEXT
    assert ended_line(view) == ENDED_TEXT
    console.navigator.next_button.click()
    console.navigator.confirm_button.click()  # "the time is not up: next anyway?"
    assert console.navigator.message.value == DELETED_TEXT
    assert ended_line(console) == DELETED_TEXT
    assert console.store_status.layout.display == "none"  # the store answers: it is not down
    for page in (console, view):
        assert_no_store_in(page, store_location)


def test_a_personal_link_opened_as_the_session_is_deleted_says_it_has_ended(
    store_location: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CODEV_STORE", store_location)
    with open_store(store_location) as store:
        secrets = store.create(Session(load_preset("classic")), "classic", "en", demo_roster())
        person = person_secret_for(secrets.facilitator_key, "Chloé")
        query = {"session": secrets.session_id, "code": secrets.join_code}
        monkeypatch.setenv("QUERY_STRING", urlencode({**query, "name": "Chloé", "person": person}))
        page = participant_page()  # loaded: the session was there
        assert isinstance(page, ParticipantPage)
        assert store.delete(secrets.session_id)
        page.memory.recall(None, None)  # the browser answers: the page joins as Chloé
        assert page.view is None
        assert ENDED_TEXT in every_text(page)
        assert_no_store_in(page, store_location)
        assert store.persons(secrets.session_id).claimed == {}  # no name written back
