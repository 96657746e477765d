"""Topics prepared ahead, through the pages as the notebooks build them: a member's personal
link prepares one (the participant kernel reads its own topic only, never anyone's
details), the console lists them live with the details its own, and nothing once started.
The store is a real SQLite file; the console's watcher is polled by the test (no thread)."""

from __future__ import annotations

import functools
import html
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import ipywidgets as widgets
import pytest

from codevwidgets.core.commands import Command
from codevwidgets.core.i18n import Translator
from codevwidgets.core.roles import Roles
from codevwidgets.core.roster import Member, Roster
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.core.topics import CHECKLIST, Topic, admit_topic
from codevwidgets.pages import session as pages
from codevwidgets.pages.session import facilitator_page, participant_page
from codevwidgets.store.base import Secrets, person_secret_for
from codevwidgets.store.live import LiveLink
from codevwidgets.store.sqlite import SQLiteStore
from codevwidgets.widgets.console import FacilitatorConsole
from codevwidgets.widgets.participant_page import ParticipantPage
from codevwidgets.widgets.projector import ProjectorView

EN = Translator("en")
GROUP = ("Ana", "Bruno", "Chloé", "David")
ROSTER = Roster(group="Team", facilitator="rotate", members=[Member(name=n) for n in GROUP])
SECRET = "Ana's context, for the facilitator only"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SQLiteStore]:
    path = tmp_path / "store.db"
    monkeypatch.setenv("CODEV_STORE", str(path))
    # The pages' links watch without a thread: the test polls (no race, no sleep).
    monkeypatch.setattr(pages, "LiveLink", functools.partial(LiveLink, start_thread=False))
    with SQLiteStore(path) as opened:
        yield opened


@pytest.fixture
def secrets(store: SQLiteStore) -> Secrets:
    session = Session(load_preset("classic"), Roles("Ana", "Farid", ("Bruno", "Chloé", "David")))
    return store.create(session, "classic", "en", ROSTER)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any, Any]]:
    """Every topic read a kernel asks of the store: (method, arguments, what it returned)."""
    seen: list[tuple[str, Any, Any]] = []
    for method in ("topics", "own_topic", "group_topics"):
        real = getattr(SQLiteStore, method)

        def spy(self: SQLiteStore, *args: Any, _real: Callable[..., Any] = real,
                _name: str = method, **kwargs: Any) -> Any:  # fmt: skip
            result = _real(self, *args, **kwargs)
            seen.append((_name, (args, kwargs), result))
            return result

        monkeypatch.setattr(SQLiteStore, method, spy)
    return seen


def open_participant(
    secrets: Secrets,
    monkeypatch: pytest.MonkeyPatch,
    name: str | None = None,
    tab: dict[str, str] | None = None,
) -> ParticipantPage:
    """The page a link opens; ``tab``: what the browser's tab remembers (a reload)."""
    query = {"session": secrets.session_id, "code": secrets.join_code}
    if name is not None:
        query |= {"name": name, "person": person_secret_for(secrets.facilitator_key, name)}
    monkeypatch.setenv("QUERY_STRING", urlencode(query))
    page = participant_page()
    assert isinstance(page, ParticipantPage)
    page.memory.recall(tab, None)
    return page


def open_console(secrets: Secrets, monkeypatch: pytest.MonkeyPatch) -> FacilitatorConsole:
    query = {"session": secrets.session_id, "key": secrets.facilitator_key}
    monkeypatch.setenv("QUERY_STRING", urlencode(query))
    console = facilitator_page()
    assert isinstance(console, FacilitatorConsole)
    return console


def texts_in(widget: widgets.Widget) -> str:
    """Everything a widget tree holds as text (values, placeholders), joined."""
    parts = [str(getattr(widget, "value", "") or ""), str(getattr(widget, "placeholder", ""))]
    parts += [texts_in(child) for child in getattr(widget, "children", ())]
    return "\n".join(parts)


def ana_prepares(store: SQLiteStore, secrets: Secrets) -> None:
    store.claim(secrets.session_id, "Ana", "ana-page")
    answers = dict.fromkeys(CHECKLIST, True) | {"open": False}
    topic = admit_topic("Ana", "Late handovers", SECRET, "Tried a rota", "Ideas", answers)
    store.save_topic(secrets.session_id, "ana-page", topic)


def test_a_member_prepares_through_a_personal_link_and_reads_only_their_own(
    store: SQLiteStore,
    secrets: Secrets,
    calls: list[tuple[str, Any, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ana_prepares(store, secrets)
    calls.clear()
    page = open_participant(secrets, monkeypatch, "Bruno")
    view = page.view
    assert view is not None and view.topic is not None
    form = view.topic
    assert form in view.children and form.editing in form.children
    form.headline.value = "Meetings that run over"
    for item in CHECKLIST:
        form.answer(item, True)
    form.submit.click()
    assert form.message.value == EN("topic.saved")
    # A reload: a new kernel, the same tab and person; the saved topic comes back from the
    # store.
    tab = {"page": page.visitor.page, "name": "Bruno", "link": "Bruno"}
    page.close()
    page = open_participant(secrets, monkeypatch, "Bruno", tab)
    assert page.view is not None and page.view.topic is not None
    form = page.view.topic
    assert form.saved_line.value == EN("topic.saved_headline", headline="Meetings that run over")
    form.edit.click()
    assert form.headline.value == "Meetings that run over"
    # The participant kernels asked for their own topic only: never the session's topics,
    # and nothing they loaded holds Ana's details.
    assert {name for name, _, _ in calls} == {"own_topic"}
    loaded = [result for _, _, result in calls if result is not None]
    assert loaded and all(isinstance(t, Topic) and t.author == "Bruno" for t in loaded)
    assert SECRET not in texts_in(page)
    page.close()


def test_a_page_without_a_name_asks_who_first(
    secrets: Secrets, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_participant(secrets, monkeypatch)
    assert page.asking and page.view is None  # "who are you?" first, no form
    assert page.who is not None
    page.who.click_name("Chloé")
    assert page.view is not None and page.view.topic is not None
    assert page.view.topic.editing in page.view.topic.children
    page.close()


def test_the_console_lists_the_topics_live_with_the_details_its_own(
    store: SQLiteStore, secrets: Secrets, monkeypatch: pytest.MonkeyPatch
) -> None:
    console = open_console(secrets, monkeypatch)
    assert console.topics is not None
    assert "codev-topics" in console.topics._dom_classes
    assert console.topics.rows == {} and console.topics.none_yet.layout.display is None
    ana_prepares(store, secrets)
    assert console.link.watcher is not None
    console.link.watcher.poll()  # the revision moved: the list reads the topics again
    (row,) = console.topics.rows.values()
    assert "Late handovers" in row.value and '<b class="codev-topic-author">Ana</b>' in row.value
    assert "✓ " + EN("topic.check.own_short") in row.value
    assert "✗ " + EN("topic.check.open_short") in row.value
    assert (
        html.escape(SECRET) in row.value and "<details" in row.value
    )  # folded, the console's only
    # Withdrawn: gone from the list at the next move.
    store.withdraw_topic(secrets.session_id, "ana-page", "Ana")
    console.link.watcher.poll()
    assert console.topics.rows == {}
    # Started: the list goes.
    ana_prepares(store, secrets)
    store.execute(secrets.session_id, Command("start"))
    console.link.watcher.poll()
    assert console.topics.layout.display == "none"
    console.close()


def test_typed_text_is_escaped_on_the_console(
    store: SQLiteStore, secrets: Secrets, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.claim(secrets.session_id, "David", "d-page")
    topic = admit_topic(
        "David", "<img src=x onerror=alert(1)>", "<b>x</b>", "", "", dict.fromkeys(CHECKLIST, True)
    )
    store.save_topic(secrets.session_id, "d-page", topic)
    console = open_console(secrets, monkeypatch)
    assert console.topics is not None
    (row,) = console.topics.rows.values()
    assert "<img" not in row.value and "&lt;img" in row.value and "<b>x</b>" not in row.value
    console.close()


def test_the_projector_shows_no_topic(
    store: SQLiteStore, secrets: Secrets, monkeypatch: pytest.MonkeyPatch
) -> None:
    ana_prepares(store, secrets)
    query = {"session": secrets.session_id, "code": secrets.join_code}
    monkeypatch.setenv("QUERY_STRING", urlencode(query))
    projector = pages.projector_page()
    assert isinstance(projector, ProjectorView)
    assert "Late handovers" not in texts_in(projector) and SECRET not in texts_in(projector)
    projector.close()
