"""The client's drift flag on the pages, without a browser: the button on the client's page only
and only in the consultation; the console and the projector show it with the contract until
the facilitator clears it; a crafted click from another page is refused in words."""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import ipywidgets as widgets
import pytest

from codevwidgets.core.commands import Command, apply_command, apply_signal
from codevwidgets.core.i18n import Translator
from codevwidgets.core.roles import Roles
from codevwidgets.core.roster import load_roster
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.core.signals import DRIFT
from codevwidgets.demo import DEMO_ROSTER
from codevwidgets.pages.session import participant_page
from codevwidgets.store.sqlite import SQLiteStore
from codevwidgets.widgets._view import Texts
from codevwidgets.widgets.console import FacilitatorConsole
from codevwidgets.widgets.participant import ParticipantView
from codevwidgets.widgets.participant_page import ParticipantPage
from codevwidgets.widgets.projector import ProjectorView

EN, FR, DE = Translator("en"), Translator("fr"), Translator("de")
CONTRACT = "Help me find a way to keep the team engaged."
STEPS = ("presentation", "clarification", "contract", "consultation", "synthesis", "conclusion")


def walk(widget: widgets.Widget) -> Iterator[widgets.Widget]:
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def with_class(page: widgets.Widget, css: str) -> list[widgets.Widget]:
    """The widgets of ``page`` with class ``css`` that the page holds and shows."""
    return [
        w
        for w in walk(page)
        if css in getattr(w, "_dom_classes", ()) and getattr(w.layout, "display", None) != "none"
    ]


def at(session: Session, step: str) -> None:
    index = STEPS.index(step)
    if index != session.index:
        apply_command(session, Command("go_to", {"index": index}))


@pytest.fixture
def running(session: Session) -> Session:
    apply_command(session, Command("start"))
    at(session, "contract")
    apply_command(
        session, Command("set_note", {"step": "contract", "field": "contract", "text": CONTRACT})
    )
    return session


def page_of(session: Session, name: str | None, language: str = "en") -> ParticipantView:
    """A page of ``session`` whose signals core applies (a kernel without a store)."""

    def send(kind: str, on: bool) -> None:
        apply_signal(session, f"page-{name}", name, kind, on)

    texts = Texts(session.runbook, language)
    return ParticipantView(
        session, texts, name, lambda *_: None, signal=send, participant=f"page-{name}"
    )


@pytest.mark.parametrize("name", ["Bruno", "Chloé", "David", "Farid", "Someone", None])
def test_a_page_that_is_not_the_clients_never_has_the_button(
    running: Session, name: str | None
) -> None:
    page = page_of(running, name)
    for step in STEPS:
        at(running, step)
        assert with_class(page, "codev-drift-flag") == [], step
    apply_command(running, Command("finish"))
    assert with_class(page, "codev-drift-flag") == []


def test_the_clients_page_has_it_during_the_consultation_only(running: Session) -> None:
    page = page_of(running, " ana ")
    assert with_class(page, "codev-drift-flag") == []  # the contract step
    at(running, "consultation")
    [flag] = with_class(page, "codev-drift-flag")
    assert flag.description == "We are drifting from my question"
    at(running, "synthesis")
    assert with_class(page, "codev-drift-flag") == []


@pytest.mark.parametrize(
    ("language", "flag"),
    [("fr", "On s'éloigne de ma question"), ("de", "Wir entfernen uns von meiner Frage")],
)
def test_in_the_sessions_language(running: Session, language: str, flag: str) -> None:
    at(running, "consultation")
    page = page_of(running, "Ana", language)
    assert with_class(page, "codev-drift-flag")[0].description == flag


def test_pressed_it_says_it_was_sent_and_can_be_taken_back(running: Session) -> None:
    at(running, "consultation")
    page = page_of(running, "Ana")
    [flag] = with_class(page, "codev-drift-flag")
    flag.click()
    assert [s.kind for s in running.signals] == [DRIFT]
    assert flag.description == EN("drift.take_back")
    [sent] = with_class(page, "codev-drift-sent")
    assert sent.value == EN("drift.sent")
    flag.click()
    assert running.signals == []
    assert flag.description == EN("drift.flag") and with_class(page, "codev-drift-sent") == []


def test_console_and_projector_show_it_with_the_contract_until_cleared(running: Session) -> None:
    at(running, "consultation")
    texts = Texts(running.runbook, "en")
    console = FacilitatorConsole(running.runbook, load_roster(DEMO_ROSTER), session=running)
    projector = ProjectorView(running, texts, widgets.HTML())
    client = page_of(running, "Ana")
    for view in (console, projector):
        assert with_class(view, "codev-drift-shown") == []
    with_class(client, "codev-drift-flag")[0].click()
    [shown] = with_class(console, "codev-drift-shown")
    says = "".join(w.value for w in walk(shown) if isinstance(w, widgets.HTML))
    assert EN("drift.shown") in says and html.escape(CONTRACT) in says
    [on_screen] = with_class(projector, "codev-drift-shown")
    assert EN("drift.shown") in on_screen.children[0].value
    # The projector's contract is beside it (its own panel), and it has no button.
    assert with_class(projector, "codev-contract-text")
    assert not [w for w in walk(on_screen) if isinstance(w, widgets.Button)]
    # It stands whatever else happens, until the facilitator clears it.
    apply_command(running, Command("talk", {"name": "Bruno"}))
    assert with_class(console, "codev-drift-shown")
    [clear] = with_class(console, "codev-drift-clear")
    clear.click()
    assert running.signals == []
    for view in (console, projector):
        assert with_class(view, "codev-drift-shown") == []
    assert with_class(client, "codev-drift-flag")[0].description == EN("drift.flag")


# -- through the store: a crafted message from another page ----------------------------------


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SQLiteStore]:
    path = tmp_path / "store.db"
    monkeypatch.setenv("CODEV_STORE", str(path))
    with SQLiteStore(path) as opened:
        yield opened


def served(store: SQLiteStore, monkeypatch: pytest.MonkeyPatch, name: str) -> ParticipantView:
    """``name``'s participant page, as Voilà serves it, on a session in its consultation."""
    session = Session(load_preset("classic"), Roles("Ana", "Bruno", ("Chloé", "David", "Emma")))
    session.start()
    session.go_to(STEPS.index("consultation"))
    secrets = store.create(session, "classic", "en")
    query = {"session": secrets.session_id, "code": secrets.join_code, "name": name}
    monkeypatch.setenv("QUERY_STRING", urlencode(query))
    page = participant_page()
    assert isinstance(page, ParticipantPage)
    page.memory.recall(None, None)
    assert page.view is not None
    page.view.link.stop()
    return page.view


def click_message(widget: widgets.Widget) -> None:
    """What the comm delivers when a page sends a click for ``widget``'s model."""
    content: Any = {"event": "click"}
    widget._handle_msg(
        {"content": {"data": {"method": "custom", "content": content}}, "buffers": []}
    )


def test_a_crafted_click_from_another_page_is_refused_in_words(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = served(store, monkeypatch, "Chloé")
    assert view.drift is not None and with_class(view, "codev-drift-flag") == []
    session_id = view.session.id
    # The button's model exists in the kernel: a crafted message to it reaches the handler.
    click_message(view.drift.flag)
    assert store.signals(session_id) == [s for s in store.signals(session_id) if s.kind != DRIFT]
    [message] = with_class(view, "codev-drift-message")
    assert message.value == EN("drift.refused")
    assert with_class(view, "codev-drift-flag") == []  # still no button
    # The page's own signal callback, called directly: core refuses it.
    with pytest.raises(ValueError, match="only the client"):
        view.drift.send(DRIFT, True)
    assert [s for s in store.signals(session_id) if s.kind == DRIFT] == []


def test_the_clients_page_flags_through_the_store(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = served(store, monkeypatch, "Ana")
    assert view.drift is not None
    [flag] = with_class(view, "codev-drift-flag")
    flag.click()
    assert [(s.name, s.kind) for s in store.signals(view.session.id) if s.kind == DRIFT] == [
        ("Ana", DRIFT)
    ]
    assert flag.description == EN("drift.take_back")
    assert with_class(view, "codev-drift-message") == []
