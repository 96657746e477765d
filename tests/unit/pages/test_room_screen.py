"""The room's screen of a day (``join.ipynb?day=ID&code=CODE&screen=1``), composed as the
notebook composes it: the day's title, the room's link (without ``&screen=1``) as a QR code
and as text, dark unless the link asks for light, and nothing else: no "who are you?", no
name, no group; no link to the store kept.
"""

from __future__ import annotations

import html
import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import ipywidgets as widgets
import pytest

from codevwidgets.core.day import Day
from codevwidgets.core.i18n import Translator
from codevwidgets.pages.day_join import join_page
from codevwidgets.store.base import DaySecrets
from codevwidgets.store.sqlite import SQLiteStore
from codevwidgets.widgets.day_join import RoomPage
from codevwidgets.widgets.day_screen import RoomScreen, room_screen_url
from codevwidgets.widgets.error_box import ErrorBox
from tests.days import TWELVE, new_day


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SQLiteStore]:
    path = tmp_path / "store.db"
    monkeypatch.setenv("CODEV_STORE", str(path))
    monkeypatch.setenv("VOILA_REQUEST_URL", "http://10.0.0.5:8866/voila/render/join.ipynb")
    with SQLiteStore(path) as opened:
        yield opened


@pytest.fixture
def day(store: SQLiteStore) -> tuple[Day, DaySecrets]:
    return new_day(store)


def open_screen(monkeypatch: pytest.MonkeyPatch, **query: str) -> widgets.Widget:
    monkeypatch.setenv("QUERY_STRING", urlencode(query))
    return join_page()


def states(widget: widgets.Widget) -> str:
    """Everything ``widget`` and what it holds would send to the browser."""
    parts = [json.dumps(widget.get_state(), default=str)]
    for child in getattr(widget, "children", ()):
        parts.append(states(child))
    return "\n".join(parts)


def test_the_screen_shows_the_title_and_the_rooms_link_as_a_large_code_and_nothing_else(
    day: tuple[Day, DaySecrets], monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets = day[1]
    screen = open_screen(monkeypatch, day=secrets.day_id, code=secrets.code, screen="1")
    assert isinstance(screen, RoomScreen), screen
    try:
        assert screen.title.value == "Launch day"
        # The link people open: the room's, on the page's own server, without &screen=1.
        link = urlsplit(screen.room_url)
        assert link.netloc == "10.0.0.5:8866" and link.path.endswith("/join.ipynb")
        assert parse_qs(link.query) == {"day": [secrets.day_id], "code": [secrets.code]}
        # What the screen shows (its first child is the kit's stylesheet, which names every
        # class the kit has): the title, the code, the link, and no other part.
        stylesheet, *parts = screen.children
        assert "<style>" in str(stylesheet.value)
        shown = "\n".join(states(part) for part in parts)
        assert len(parts) == 2 and parts[0] is screen.title
        assert list(parts[1].children) == [screen.qr, screen.text]
        assert html.escape(screen.room_url) in shown
        assert "<svg" in str(screen.qr.value)
        assert html.escape(Translator("en")("room_screen.hint")) in shown
        # Nothing of the people or the groups, and no question.
        assert not any(name in shown for name in TWELVE)
        assert "codev-who" not in shown and Translator("en")("join.who") not in shown
        assert not any(group.session_id in shown for group in day[0].groups)
        assert "codev-theme-dark" in screen._dom_classes  # a projector's screen: dark
    finally:
        screen.close()


def test_the_screen_is_light_or_another_language_when_the_link_asks(
    day: tuple[Day, DaySecrets], monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets = day[1]
    query = {"day": secrets.day_id, "code": secrets.code, "screen": "1"}
    screen = open_screen(monkeypatch, **query, theme="light", lang="fr")
    assert isinstance(screen, RoomScreen), screen
    try:
        assert "codev-theme-light" in screen._dom_classes
        assert html.escape(Translator("fr")("room_screen.hint")) in states(screen)
    finally:
        screen.close()


def test_a_day_without_a_title_is_welcomed_in_the_pages_language(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    day, secrets = new_day(store)
    stored = store.change_day(day.id, lambda d: replace(d, title=""))
    assert stored.day.title == ""
    screen = open_screen(monkeypatch, day=secrets.day_id, code=secrets.code, screen="1", lang="de")
    assert isinstance(screen, RoomScreen), screen
    try:
        assert screen.title.value == Translator("de")("room_screen.title")
    finally:
        screen.close()


def test_the_screen_needs_the_rooms_code_as_the_room_does(
    day: tuple[Day, DaySecrets], monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets = day[1]
    for query in (
        {"day": secrets.day_id, "code": "wrong", "screen": "1"},
        {"day": secrets.day_id, "screen": "1"},
        {"day": secrets.day_id, "code": secrets.key, "screen": "1"},
    ):
        page = open_screen(monkeypatch, **query)
        assert isinstance(page, ErrorBox), query
        assert html.escape(Translator("en")("join.room_bad_link")) in page.value


def test_the_screen_follows_nothing_and_holds_no_connection(
    day: tuple[Day, DaySecrets], monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets = day[1]
    before = {t.ident for t in threading.enumerate()}
    screen = open_screen(monkeypatch, day=secrets.day_id, code=secrets.code, screen="1")
    assert isinstance(screen, RoomScreen), screen
    try:
        started = [t.name for t in threading.enumerate() if t.ident not in before]
        assert started == []  # no change feed, no watcher: drawn once
    finally:
        screen.close()


def test_screen_zero_is_the_rooms_question(
    day: tuple[Day, DaySecrets], monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets = day[1]
    page = open_screen(monkeypatch, day=secrets.day_id, code=secrets.code, screen="0")
    assert isinstance(page, RoomPage), page
    page.close()


def test_the_screens_link_is_the_rooms_with_screen_1() -> None:
    assert room_screen_url("join.ipynb?day=d&code=c") == "join.ipynb?day=d&code=c&screen=1"
    # Asked twice, said once.
    twice = room_screen_url("http://h/join.ipynb?day=d&code=c&screen=1")
    assert twice == "http://h/join.ipynb?day=d&code=c&screen=1"
