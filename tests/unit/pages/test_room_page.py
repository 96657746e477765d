"""The room's page of a day (``join.ipynb?day=ID&code=CODE``), composed as the notebook
composes it (the store from ``CODEV_STORE``, the link in ``QUERY_STRING``): who are you among
the day's names, then the person's group page in the same kernel; remembered by the browser;
"not you?" back to the day's names; a move followed; no group's secret nor another group's
contributions in the kernel.
"""

from __future__ import annotations

import html
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import ipywidgets as widgets
import pytest

from codevwidgets.core.day import Day, move_person
from codevwidgets.core.i18n import Translator
from codevwidgets.core.text import name_order
from codevwidgets.pages.day_join import join_page
from codevwidgets.store.base import DaySecrets, group_key_for, join_code_for
from codevwidgets.store.sqlite import SQLiteStore
from codevwidgets.widgets.day_join import RoomPage
from codevwidgets.widgets.error_box import ErrorBox
from codevwidgets.widgets.participant import ParticipantView
from codevwidgets.widgets.participant_page import ParticipantPage
from tests.days import TWELVE, new_day

EN = Translator("en")


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SQLiteStore]:
    path = tmp_path / "store.db"
    monkeypatch.setenv("CODEV_STORE", str(path))
    with SQLiteStore(path) as opened:
        yield opened


@pytest.fixture
def day(store: SQLiteStore) -> tuple[Day, DaySecrets]:
    return new_day(store)


@pytest.fixture
def open_room(
    day: tuple[Day, DaySecrets], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., RoomPage]]:
    rooms: list[RoomPage] = []

    def open_(**query: str) -> RoomPage:
        link = {"day": day[1].day_id, "code": day[1].code, **query}
        monkeypatch.setenv("QUERY_STRING", urlencode(link))
        room = join_page()
        assert isinstance(room, RoomPage), room
        rooms.append(room)
        return room

    yield open_
    for room in rooms:
        room.close()


def group_page(room: RoomPage) -> ParticipantPage:
    """The group page the room shows, once its browser has said it remembers nothing of
    that group (what a first visit's browser says)."""
    assert isinstance(room.group, ParticipantPage), room.children
    if not room.group.memory.recalled:
        room.group.memory.recall(None, None)
    return room.group


def view(room: RoomPage) -> ParticipantView:
    page = group_page(room)
    assert page.view is not None, "the group page asks who you are"
    return page.view


def roles_text(room: RoomPage) -> str:
    return str(view(room).roles.value)


def states(widget: widgets.Widget) -> str:
    """Everything ``widget`` and what it holds would send to the browser."""
    parts = [json.dumps(widget.get_state(), default=str)]
    for child in getattr(widget, "children", ()):
        parts.append(states(child))
    return "\n".join(parts)


def test_a_wrong_code_or_an_unknown_day_shows_one_message_and_nothing_of_the_day(
    day: tuple[Day, DaySecrets], monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets = day[1]
    group_code = join_code_for(group_key_for(secrets.key, day[0].groups[0].session_id))
    for query in (
        {"day": secrets.day_id, "code": "wrong"},
        {"day": secrets.day_id},
        {"day": "day-unknown", "code": secrets.code},
        {"code": secrets.code},
        {"day": secrets.day_id, "code": secrets.key},  # the lead's key is not the room's code
        {"day": secrets.day_id, "code": group_code},  # nor a group's
    ):
        monkeypatch.setenv("QUERY_STRING", urlencode(query))
        page = join_page()
        assert isinstance(page, ErrorBox), query
        assert "codev-error" in page._dom_classes
        assert html.escape(EN("join.room_bad_link")) in page.value
        assert not any(name in page.value for name in TWELVE)


def test_the_room_asks_among_the_days_names_and_shows_the_persons_group(
    open_room: Callable[..., RoomPage], day: tuple[Day, DaySecrets]
) -> None:
    room = open_room()
    assert room.group is None and room.who is None  # nothing before the browser answers
    room.memory.recall(None, None)
    assert room.who is not None and "codev-who" in room.who._dom_classes
    assert [b.description for b in room.who.buttons] == sorted(TWELVE, key=name_order)
    assert all("codev-who-name" in b._dom_classes for b in room.who.buttons)
    assert room.who.input is not None  # a latecomer types their name
    # The day's name above the question: the person is at the right day.
    titles = [w for w in widget_tree(room) if "codev-day-title" in getattr(w, "_dom_classes", ())]
    assert [t.value for t in titles] == ["Launch day"]
    room.who.click_name("Emma")
    group = day[0].person("Emma")
    assert group is not None
    members = day[0].members(group.group)
    assert group_page(room).session_id == day[0].group(group.group).session_id
    assert view(room).name == "Emma"
    # Its roles name the group's members, and no one else.
    assert all(name in roles_text(room) for name in members)
    assert not any(name in roles_text(room) for name in TWELVE if name not in members)


def test_a_latecomer_goes_to_the_group_with_most_room_and_is_on_its_page(
    open_room: Callable[..., RoomPage], store: SQLiteStore, day: tuple[Day, DaySecrets]
) -> None:
    store.change_day(day[1].day_id, lambda d: move_person(d, "Léa", 1))  # 5, 4, 3
    room = open_room()
    room.memory.recall(None, None)
    assert room.who is not None
    room.who.type_name("  Zoé  ")
    stored = store.load_day(day[1].day_id)
    assert stored is not None
    zoe = stored.day.person("Zoé")
    assert zoe is not None and zoe.group == 3
    assert group_page(room).session_id == stored.day.group(3).session_id
    assert group_page(room).names == tuple(stored.day.members(3))  # the group's new roster
    assert view(room).name == "Zoé"


def test_a_day_of_free_names_asks_a_name_and_spreads_the_people(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    day, secrets = new_day(store, people=8, groups=2, facilitators="lead")
    sessions = []
    for name in ("Ana", "Bo", "Cy"):
        monkeypatch.setenv("QUERY_STRING", urlencode({"day": day.id, "code": secrets.code}))
        room = join_page()
        assert isinstance(room, RoomPage)
        room.memory.recall(None, None)
        assert room.who is not None and room.who.buttons == []
        room.who.type_name(name)
        sessions.append(group_page(room).session_id)
        assert view(room).name == name
        room.close()
    first, second = day.groups[0].session_id, day.groups[1].session_id
    assert sessions == [first, second, first]


def test_a_reload_goes_straight_to_the_group_and_not_you_asks_the_days_names_again(
    open_room: Callable[..., RoomPage], day: tuple[Day, DaySecrets]
) -> None:
    room = open_room()
    room.memory.recall(None, None)
    assert room.who is not None
    room.who.click_name("Jules")
    assert room.memory.kept["name"] == "Jules"
    kept_tab, kept_group = dict(room.memory.kept), dict(group_page(room).memory.kept)

    again = open_room()  # the browser remembers the room's name, and the group page's id
    again.memory.recall(kept_tab, {"name": "Jules"})
    assert again.who is None
    group_page_again = again.group
    assert isinstance(group_page_again, ParticipantPage)
    group_page_again.memory.recall(kept_group, None)
    assert view(again).name == "Jules"
    assert group_page_again.visitor.page == kept_group["page"]  # the same page, not twice

    view(again).not_you.click()
    assert again.group is None and again.who is not None
    assert [b.description for b in again.who.buttons] == sorted(TWELVE, key=name_order)
    assert again.memory.kept["name"] is None  # a reload now asks


def test_a_person_moved_by_the_lead_sees_their_new_group_at_the_pages_beat(
    open_room: Callable[..., RoomPage], store: SQLiteStore, day: tuple[Day, DaySecrets]
) -> None:
    room = open_room()
    room.memory.recall(None, None)
    assert room.who is not None
    room.who.click_name("Gabi")
    before = group_page(room)
    view(room).link.stop()  # no watcher: the beat alone must find the move
    person = day[0].person("Gabi")
    assert person is not None
    target = 1 if person.group != 1 else 2
    store.change_day(day[1].day_id, lambda d: move_person(d, "Gabi", target))
    view(room).countdown.heard()
    assert room.group is not before and before.view is None  # the old group's page closed
    assert group_page(room).session_id == day[0].group(target).session_id
    assert view(room).name == "Gabi"
    assert "Gabi" in roles_text(room) or "Gabi" in group_page(room).names


def test_a_person_moved_by_the_lead_is_followed_by_their_groups_link(
    open_room: Callable[..., RoomPage], store: SQLiteStore, day: tuple[Day, DaySecrets]
) -> None:
    room = open_room()
    room.memory.recall(None, None)
    assert room.who is not None
    room.who.click_name("Hugo")
    view(room).countdown.heard()  # the page has connected: its link watches the store
    person = day[0].person("Hugo")
    assert person is not None
    target = 1 if person.group != 1 else 2
    store.change_day(day[1].day_id, lambda d: move_person(d, "Hugo", target))
    wanted = day[0].group(target).session_id
    deadline = time.monotonic() + 30
    while not (isinstance(room.group, ParticipantPage) and room.group.session_id == wanted):
        assert time.monotonic() < deadline, "the page did not follow the move"
        time.sleep(0.02)
    assert view(room).name == "Hugo"


def test_the_room_page_holds_no_groups_secret_nor_another_groups_contributions(
    open_room: Callable[..., RoomPage],
    store: SQLiteStore,
    day: tuple[Day, DaySecrets],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loaded: list[tuple[str, bool]] = []
    original = SQLiteStore.load

    def load(self: SQLiteStore, session_id: str, *, private: bool) -> Any:
        loaded.append((session_id, private))
        return original(self, session_id, private=private)

    monkeypatch.setattr(SQLiteStore, "load", load)
    chloe = day[0].person("Chloé")
    assert chloe is not None
    room = open_room()
    room.memory.recall(None, None)
    assert room.who is not None
    room.who.click_name("Chloé")
    view(room).countdown.heard()  # connected: it follows its group's session from now on
    view(room).link.stop()
    own = day[0].group(chloe.group).session_id
    assert loaded and {session for session, _ in loaded} == {own}
    assert not any(private for _, private in loaded)
    sent = states(room)
    for group in day[0].groups:
        key = group_key_for(day[1].key, group.session_id)
        assert key not in sent and join_code_for(key) not in sent
    assert day[1].key not in sent and day[1].code not in sent


def widget_tree(widget: object) -> list[object]:
    """``widget`` and every widget inside it."""
    return [widget, *(w for child in getattr(widget, "children", ()) for w in widget_tree(child))]
