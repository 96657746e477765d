"""A store that stops answering mid-session: a long write holds SQLite's file, or the
PostgreSQL server refuses connections. Pages say so in words, keep what was typed, change
nothing, and work again once the store is back: nothing lost, nothing half-applied.

Both stores (``store_location``); the pages are composed as the notebooks compose them
(``facilitator_page``, ``participant_page``), their watcher threads stopped.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import cast
from urllib.parse import urlencode

import ipywidgets as widgets
import pytest

from codevwidgets.cli import main
from codevwidgets.core.commands import Command
from codevwidgets.core.i18n import Translator
from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.pages.session import facilitator_page, participant_page
from codevwidgets.store.base import StoreError
from codevwidgets.store.open import open_store
from codevwidgets.store.sql import SQLStore
from codevwidgets.store.sqlite import SQLiteStore
from codevwidgets.widgets._view import show
from codevwidgets.widgets.console import FacilitatorConsole
from codevwidgets.widgets.participant import ParticipantView
from codevwidgets.widgets.participant_page import ParticipantPage
from tests.unit.participant_pages import joined

EN = Translator("en")


def walk(widget: widgets.Widget) -> Iterator[widgets.Widget]:
    """``widget`` and every widget inside it."""
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


@contextmanager
def outage(store_location: str, request: pytest.FixtureRequest) -> Iterator[None]:
    """The store stops taking writes, then comes back."""
    if "://" not in store_location:
        # Another process in the middle of a long write (WAL: reads still go on).
        holder = sqlite3.connect(store_location, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    import psycopg

    server = request.getfixturevalue("postgres_server")
    name = store_location.rsplit("/", 1)[1]
    with psycopg.connect(server.url(), autocommit=True) as admin:
        # The server refuses the database's connections, and ends those it had.
        admin.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            (name,),
        )
        try:
            yield
        finally:
            admin.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")


def count_commands(console: FacilitatorConsole) -> list[Command]:
    """The commands the console's notes send to the store from now on."""
    sent: list[Command] = []
    act = console.notes.act

    def counted(command: Command) -> None:
        sent.append(command)
        act(command)

    console.notes.act = counted
    return sent


def another_console_writes(
    store: SQLStore, console: FacilitatorConsole, step: str, field: str, text: str
) -> None:
    """Another console stores a note; this one follows (its pool may still be reconnecting)."""
    note = {"step": step, "field": field, "text": text}
    store.execute(console.session.id, Command("set_note", note))
    assert until(lambda: caught_up(store, console))


def stored_note(store: SQLStore, console: FacilitatorConsole) -> str:
    """The clarifying questions' note as the store holds it."""
    stored = store.load(console.session.id, private=True)
    assert stored is not None
    return str(stored.state["notes"]["clarification"]["questions"])


def caught_up(store: SQLStore, console: FacilitatorConsole) -> bool:
    """Whether the console, syncing now, holds the store's latest revision."""
    console.link.catch_up()
    return console.link.revision == store.revision(console.session.id)


def until(done: Callable[[], bool], within: float = 60.0) -> bool:
    """Whether ``done()`` (a person trying again every half second) says yes in time."""
    deadline = time.monotonic() + within
    while not done():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


@pytest.fixture
def pages(
    store_location: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[SQLStore, FacilitatorConsole, ParticipantView]]:
    """A running session at its clarification step; its console and Chloé's page."""
    monkeypatch.setattr("codevwidgets.store.sqlite.BUSY_TIMEOUT_MS", 200)
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
    opened = [store, console.link.store, view.link.store]
    for link in (console.link, view.link):
        link.stop()
        if not isinstance(link.store, SQLiteStore):
            link.store._pool.timeout = 1.0  # type: ignore[attr-defined]  # not a room's 10 s
    yield store, console, view
    for each in opened:
        each.close()


def test_a_participant_keeps_their_text_and_sends_it_once_the_store_is_back(
    pages: tuple[SQLStore, FacilitatorConsole, ParticipantView],
    store_location: str,
    request: pytest.FixtureRequest,
) -> None:
    store, _, view = pages
    box = view.box
    with outage(store_location, request):
        box.input.value = "What have you already tried?"
        box.send.click()
        assert box.message.value == EN("participant.store_unreachable")
        assert "codev-error" in box.message._dom_classes
        assert box.input.value == "What have you already tried?"  # kept, to send again
        view.signals.hand.click()  # type: ignore[union-attr]
        assert view.signals.message.value == EN("signals.store_unreachable")  # type: ignore[union-attr]
    assert until(lambda: box.send.click() or box.message.value == EN("participant.sent"))
    assert box.input.value == ""
    stored = store.contributions(view.session.id)
    assert [(c.author, c.text) for c in stored] == [("Chloé", "What have you already tried?")]


def test_the_console_says_the_store_is_not_answering_and_changes_nothing(
    pages: tuple[SQLStore, FacilitatorConsole, ParticipantView],
    store_location: str,
    request: pytest.FixtureRequest,
) -> None:
    store, console, _ = pages
    session_id = console.session.id
    before = store.load(session_id, private=True)
    assert before is not None
    controls, navigator, banner = console.timer_controls, console.navigator, console.store_status
    assert banner.layout.display == "none"
    with outage(store_location, request):
        controls.pause_button.click()
        # Said once, at the top of the page, whichever panel the command came from.
        assert banner.layout.display != "none"
        assert banner.value == EN("live.store_unreachable")
        assert controls.message.value == ""
        show(banner, False)
        navigator.next_button.click()
        navigator.confirm_button.click()  # "the time is not up: next anyway?"
        assert banner.layout.display != "none"
        assert navigator.message.value == ""
        show(banner, False)
        console.talk.click("Chloé")  # a panel without a message line of its own
        assert banner.layout.display != "none"
        assert (console.session.status, console.session.current_step.id) == (
            "running",
            "clarification",
        )
        assert console.session.speaker is None
        console.link.refresh()  # the console's beat: no error out of it, it tries again later
    after = store.load(session_id, private=True)
    assert after is not None and after.revision == before.revision
    # The facilitator clicks again: PostgreSQL's pool reconnects within seconds.
    assert until(lambda: controls.pause_button.click() or console.session.status == "paused")
    assert banner.layout.display == "none"


def test_notes_typed_while_the_store_is_down_stay_and_are_stored_on_the_next_beat(
    pages: tuple[SQLStore, FacilitatorConsole, ParticipantView],
    store_location: str,
    request: pytest.FixtureRequest,
) -> None:
    store, console, _ = pages
    area = console.notes.fields["questions"]
    box = console.notes.boxes["clarification", "questions"]
    sent = count_commands(console)
    with outage(store_location, request):
        for typed in ("Ana:", "Ana: the budget", "Ana: the budget was cut in March"):
            area.value = typed  # keystrokes
        # One command waited for the store; the later keystrokes wait in the box, not on it.
        assert len(sent) == 1
        assert box.unsaved.value == EN("notes.unsaved")
        assert box.unsaved.layout.display != "none"
        assert console.notes.hint.layout.display == "none"  # not "saved as you type" now
        console.countdown.heard()  # the page's beat while the store is still down
        with contextlib.suppress(StoreError):  # SQLite still reads while a writer holds it
            console.link.sync()  # a sync in between must not put the stored (empty) text back
        assert area.value == "Ana: the budget was cut in March"
    # Back, before the console's next beat: another console writes a note, this one follows.
    another_console_writes(store, console, "presentation", "topic", "Budget cuts")
    assert area.value == "Ana: the budget was cut in March"  # not the stored (empty) text
    assert until(lambda: console.countdown.heard() or not console.notes._unsaved)
    assert box.unsaved.layout.display == "none"
    assert console.notes.hint.layout.display != "none"
    assert stored_note(store, console) == "Ana: the budget was cut in March"


def test_a_note_replaced_by_another_console_meanwhile_is_offered_back_not_stored_over_it(
    pages: tuple[SQLStore, FacilitatorConsole, ParticipantView],
    store_location: str,
    request: pytest.FixtureRequest,
) -> None:
    store, console, _ = pages
    area = console.notes.fields["questions"]
    box = console.notes.boxes["clarification", "questions"]
    with outage(store_location, request):
        area.value = "Mine, typed while the store was down"
    # The store is back; the laptop's console wrote this field first.
    another_console_writes(store, console, "clarification", "questions", "The laptop's")
    assert area.value == "The laptop's"
    assert box.notice.layout.display != "none"  # "Put my text back"
    assert box.unsaved.layout.display == "none"
    console.countdown.heard()  # the beat does not decide for the person
    assert box.notice.layout.display != "none"
    box.restore.click()
    assert stored_note(store, console) == "Mine, typed while the store was down"


def test_a_person_joining_while_the_store_is_down_sees_the_session_once_it_is_back(
    pages: tuple[SQLStore, FacilitatorConsole, ParticipantView],
    store_location: str,
    request: pytest.FixtureRequest,
) -> None:
    store, console, _ = pages
    page = participant_page()  # Chloé's link again (QUERY_STRING): "who are you?"
    assert isinstance(page, ParticipantPage)
    page.memory.recall(None, None)
    assert page.who is not None
    with outage(store_location, request):
        # Who may take a name is the store's to say (issue 21: one person, one voice): while
        # it does not answer, the page says so in words (reload in a moment), not "bad link".
        page.who.type_name("David")
        if page.view is None:
            said = " ".join(str(getattr(w, "value", "")) for w in walk(page))
            assert EN("participant.unreachable") in said
            assert EN("participant.bad_link") not in said
    if page.view is None:  # the person reloads once the store is back
        page.close()
        page = participant_page()
        assert isinstance(page, ParticipantPage)
        page.memory.recall(None, None)
        assert page.who is not None
        page.who.type_name("David")
    view = page.view
    assert view is not None
    view.countdown.heard()  # its browser has connected: the kernel starts following
    try:
        store.execute(console.session.id, Command("pause", {"step": "clarification"}))
        assert until(lambda: view.session.status == "paused")  # its feed follows the store
    finally:
        view.link.stop()


def test_a_damaged_store_file_is_one_line_and_exit_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "store.db"
    with SQLiteStore(path) as store:
        for n in range(5):
            store.create(Session(load_preset("classic"), session_id=f"s{n}"), "classic", "en")
    data = bytearray(path.read_bytes())
    data[8192:] = b"\xab" * (len(data) - 8192)  # every page but the first two
    path.write_bytes(bytes(data))
    assert main(["sessions", "--store", str(path)]) == 2
    said = capsys.readouterr().err.strip()
    assert said == f"{path}: database disk image is malformed"


def test_a_page_opened_while_the_store_is_down_says_to_reload_not_that_the_link_is_bad(
    pages: tuple[SQLStore, FacilitatorConsole, ParticipantView],
    store_location: str,
    request: pytest.FixtureRequest,
) -> None:
    _, console, _ = pages
    with outage(store_location, request):
        page = participant_page()  # Chloé's link again (QUERY_STRING), a reload
    if "://" not in store_location:
        # SQLite's readers go on while a writer holds the file: the page opens.
        assert joined(page).session.id == console.session.id
        return
    assert isinstance(page, widgets.HTML)
    assert EN("participant.unreachable") in page.value
    assert EN("participant.bad_link") not in page.value


def test_a_store_locked_past_the_busy_timeout_is_a_store_error_in_one_line(
    tmp_path: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("codevwidgets.store.sqlite.BUSY_TIMEOUT_MS", 100)
    path = tmp_path / "store.db"  # type: ignore[operator]
    with SQLiteStore(path) as store:
        store.create(Session(load_preset("classic"), session_id="s"), "classic", "en")
        created = store.revision("s")
        with outage(str(path), None), pytest.raises(StoreError) as locked:  # type: ignore[arg-type]
            store.execute("s", Command("start"))
        assert str(locked.value) == f"{path}: database is locked"
        assert store.revision("s") == created
