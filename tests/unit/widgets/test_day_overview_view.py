"""The lead's overview (``day_page``) on a real SQLite store, without a browser: its key, its
tiles, next step / pause for all, the confirm, moving a person, following the groups."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import ipywidgets as widgets
import pytest

from codevwidgets.core.commands import Command
from codevwidgets.core.day import Day, join_day
from codevwidgets.core.roles import Roles
from codevwidgets.pages import day_page
from codevwidgets.store.base import DaySecrets, group_key_for, room_code_for
from codevwidgets.store.live import LiveLink
from codevwidgets.store.sqlite import SQLiteStore
from codevwidgets.widgets.day_overview import DayOverview
from codevwidgets.widgets.error_box import ErrorBox
from tests.days import LEAD, new_day, start_group, troika_day


def until(done: Callable[[], bool], within: float = 30.0) -> bool:
    """Whether ``done()`` says yes in time (the groups' watchers run in threads of their own)."""
    deadline = time.monotonic() + within
    while not done():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SQLiteStore]:
    location = tmp_path / "store.db"
    monkeypatch.setenv("CODEV_STORE", str(location))
    with SQLiteStore(location) as opened:
        yield opened


@pytest.fixture
def day(store: SQLiteStore) -> tuple[Day, DaySecrets]:
    return troika_day(store)


def open_overview(monkeypatch: pytest.MonkeyPatch, **query: str) -> widgets.Widget:
    monkeypatch.setenv("QUERY_STRING", urlencode(query))
    return day_page()


@pytest.fixture
def overview(day: tuple[Day, DaySecrets], monkeypatch: pytest.MonkeyPatch) -> Iterator[DayOverview]:
    page = open_overview(monkeypatch, day=day[1].day_id, key=day[1].key)
    assert isinstance(page, DayOverview), page
    yield page
    page.close()


def text(widget: widgets.Widget) -> str:
    return re.sub("<[^>]*>", " ", str(widget.value))


def plan_titles(overview: DayOverview, *indexes: int) -> list[str]:
    book = overview.texts.runbook
    return [book.text(book.steps[i].title, "en") for i in indexes]


def titles(overview: DayOverview) -> list[str]:
    return [tile.step.title_text for tile in overview.tiles.values()]


@pytest.mark.parametrize(
    "query",
    [{}, {"key": "wrong"}, {"key": ""}, {"key": "SWAP"}],
    ids=["no key", "wrong key", "empty key", "another day's key"],
)
def test_only_the_days_key_opens_it(
    store: SQLiteStore,
    day: tuple[Day, DaySecrets],
    monkeypatch: pytest.MonkeyPatch,
    query: dict[str, str],
) -> None:
    if query.get("key") == "SWAP":
        query = {"key": troika_day(store)[1].key}
    page = open_overview(monkeypatch, day=day[1].day_id, **query)
    assert isinstance(page, ErrorBox)
    assert "link is not valid" in page.value
    said = page.value.split("</style>")[-1]
    assert not any(name in said for name in day[0].members(1))


def test_a_group_key_or_the_room_code_does_not_open_it(
    day: tuple[Day, DaySecrets], monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets = day[1]
    for secret in (group_key_for(secrets.key, day[0].groups[0].session_id), secrets.code):
        assert isinstance(open_overview(monkeypatch, day=secrets.day_id, key=secret), ErrorBox)


def test_without_a_day_it_asks_for_the_leads_link(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOILA_BASE_URL", "/")
    page = open_overview(monkeypatch)
    assert isinstance(page, ErrorBox)
    assert "codev day new" in page.value


def test_a_tile_per_group_with_its_facilitator_members_and_console(
    overview: DayOverview, day: tuple[Day, DaySecrets]
) -> None:
    plan, secrets = day
    assert sorted(overview.tiles) == [1, 2, 3]
    assert all("codev-day-group" in t._dom_classes for t in overview.grid.children)
    for group in plan.groups:
        tile = overview.tiles[group.number]
        assert f"Group {group.number}" in text(tile.heading)
        assert "(lead)" in text(tile.heading)
        assert text(tile.members) == "Members: " + ", ".join(plan.members(group.number))
        assert tile.ready.value == f"0 of {len(plan.members(group.number))} ready"
        href = re.search(r'href="([^"]+)"', tile.console.value)
        assert href is not None
        link = urlsplit(href.group(1).replace("&amp;", "&"))
        assert link.path.endswith("facilitator.ipynb")
        assert parse_qs(link.query) == {
            "session": [group.session_id],
            "key": [group_key_for(secrets.key, group.session_id)],
        }
    # Someone to move is chosen already: never an empty choice.
    assert overview.person.value == sorted(plan.members(1) + plan.members(2) + plan.members(3))[0]
    room = text(overview.room)
    assert f"join.ipynb?day={secrets.day_id}" in room
    assert room_code_for(secrets.key) in room.replace("&amp;", "&")
    assert "<svg" in overview.room.value  # the room's QR code


def test_the_room_screen_opens_in_a_tab_of_its_own_from_the_side_column(
    overview: DayOverview, day: tuple[Day, DaySecrets]
) -> None:
    secrets = day[1]
    link = re.search(r'<a class="codev-day-screen" href="([^"]+)" target="_blank">([^<]+)</a>',
                     str(overview.screen.value))  # fmt: skip
    assert link is not None, overview.screen.value
    assert link.group(2) == "Room screen (for the projector)"
    href = urlsplit(link.group(1).replace("&amp;", "&"))
    assert href.path.endswith("join.ipynb")
    assert parse_qs(href.query) == {
        "day": [secrets.day_id], "code": [room_code_for(secrets.key)], "screen": ["1"],
    }  # fmt: skip
    side = overview.children[-1].children[-1]
    assert overview.screen in side.children


def test_the_tiles_follow_the_groups_and_the_furthest_behind_shows_first(
    overview: DayOverview, day: tuple[Day, DaySecrets], store: SQLiteStore
) -> None:
    plan = day[0]
    for number in (1, 2, 3):
        start_group(store, plan, number)
    # Another page moves groups 1 and 3 on: group 2, still at the first step, shows first.
    for number in (1, 3):
        store.execute(plan.group(number).session_id, Command("next", {"step": "prepare"}))
    assert until(lambda: [t.number for t in overview.grid.children] == [2, 1, 3])
    assert overview.tiles[1].countdown.status == "running"
    first, later = (tile.step.title_text for tile in overview.grid.children[:2])
    assert (first, later) == tuple(plan_titles(overview, 0, 1))


def test_next_step_for_all_asks_first_while_time_remains(
    overview: DayOverview, day: tuple[Day, DaySecrets], store: SQLiteStore
) -> None:
    plan = day[0]
    for number in (1, 2, 3):
        start_group(store, plan, number)
    assert until(lambda: all(t.session.status == "running" for t in overview.tiles.values()))
    first = titles(overview)
    overview.next_all.click()
    assert overview.confirm.layout.display is None  # shown: time remains
    assert "Click again" in overview.confirm.description
    assert titles(overview) == first
    overview.confirm.click()
    assert overview.confirm.layout.display == "none"
    for tile in overview.tiles.values():
        stored = store.load(tile.session.id, private=False)
        assert stored is not None and stored.state["index"] == 1
    assert until(lambda: all(t.session.index == 1 for t in overview.tiles.values()))
    assert overview.message.value == ""


def test_next_for_all_says_which_group_refused_and_moves_the_others(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Free names: nobody has joined groups 2 and 3 yet, so they have no roles and cannot start.
    plan, secrets = new_day(store, 9, 3, "troika", "lead", LEAD)
    store.change_day(plan.id, lambda d: join_day(d, "Ana")[0])  # group 1
    roles = Roles("Ana", LEAD, ("Bo", "Cy"))
    store.execute(plan.group(1).session_id, Command("set_roles", {"roles": roles.to_dict()}))
    start_group(store, plan, 1)
    overview = open_overview(monkeypatch, day=secrets.day_id, key=secrets.key)
    assert isinstance(overview, DayOverview), overview
    try:
        assert until(lambda: overview.tiles[1].session.status == "running")
        overview.next_all.click()
        overview.confirm.click()
        assert "Group 2:" in overview.message.value and "Group 3:" in overview.message.value
        assert until(lambda: overview.tiles[1].session.index == 1)
    finally:
        overview.close()


def test_pause_all_then_resume_all(
    overview: DayOverview, day: tuple[Day, DaySecrets], store: SQLiteStore
) -> None:
    plan = day[0]
    for number in (1, 2, 3):
        start_group(store, plan, number)
    assert until(lambda: all(t.session.status == "running" for t in overview.tiles.values()))
    assert overview.pause_all.description == "Pause all"
    overview.pause_all.click()
    assert all(t.session.status == "paused" for t in overview.tiles.values())
    assert overview.pause_all.description == "Resume all"
    assert "codev-day-group--paused" in overview.tiles[2]._dom_classes
    overview.pause_all.click()
    assert all(t.session.status == "running" for t in overview.tiles.values())


def test_moving_a_person_changes_the_groups_and_a_refusal_is_a_line(
    overview: DayOverview, day: tuple[Day, DaySecrets], store: SQLiteStore
) -> None:
    plan = day[0]
    mover = plan.members(1)[-1]
    overview.person.value = mover
    overview.target.value = 2
    overview.move_button.click()
    assert overview.moved.value == f"{mover} is now in group 2."
    assert mover in text(overview.tiles[2].members)
    assert mover not in text(overview.tiles[1].members)
    stored = store.load(plan.group(2).session_id, private=True)
    assert stored is not None and mover in stored.names
    # Group 1 now has three: one more leaving would leave it too small to run.
    overview.person.value = plan.members(1)[0]
    overview.target.value = 3
    overview.move_button.click()
    assert "would keep 2 member(s)" in overview.moved.value
    assert "codev-error" in overview.moved._dom_classes


def test_a_move_made_elsewhere_shows_when_its_group_moves(
    overview: DayOverview, day: tuple[Day, DaySecrets], store: SQLiteStore
) -> None:
    from codevwidgets.core.day import move_person

    plan = day[0]
    mover = plan.members(1)[-1]
    store.change_day(plan.id, lambda d: move_person(d, mover, 3))
    assert until(lambda: mover in text(overview.tiles[3].members))
    assert f"{mover} (group 3)" in [label for label, _ in overview.person.options]


def test_hands_and_presence_show_on_the_tile(
    overview: DayOverview, day: tuple[Day, DaySecrets], store: SQLiteStore
) -> None:
    plan = day[0]
    start_group(store, plan, 2)
    sid = plan.group(2).session_id
    store.seen(sid, "page-b", plan.members(2)[1])
    store.signal(sid, "page-b", plan.members(2)[1], "hand", True)
    tile = overview.tiles[2]
    assert until(lambda: plan.members(2)[1] in tile.hands.value)
    overview.tiles[1].countdown.heard()  # the page's beat reads who is connected
    assert tile.presence.value == f"1 connected: {plan.members(2)[1]}"
    assert LEAD not in tile.presence.value


def test_closing_the_overview_stops_following(overview: DayOverview) -> None:
    links = [link for link in overview.links if isinstance(link, LiveLink)]
    assert len(links) == 3 and all(link.watcher is not None for link in links)
    overview.close()
    assert all(link.watcher is not None and not link.watcher.running for link in links)


def test_call_time_tells_every_running_group_through_the_store(
    overview: DayOverview, day: tuple[Day, DaySecrets], store: SQLiteStore
) -> None:
    plan = day[0]
    for number in (1, 2):
        start_group(store, plan, number)
    assert until(lambda: overview.tiles[2].session.status == "running")
    assert "codev-day-call-time" in overview.call_time._dom_classes
    overview.call_time.click()
    assert overview.message.value == ""  # group 3, not started, is not told: no refusal
    for number in (1, 2):
        stored = store.load(plan.group(number).session_id, private=False)
        assert stored is not None and stored.state["called"]["minutes"] == 5
    waiting = store.load(plan.group(3).session_id, private=False)
    assert waiting is not None and waiting.state["called"] is None
