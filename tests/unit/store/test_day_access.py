"""Who opens what in a day of many groups, on both stores: the day's key opens the overview and
derives every group's console key; a group's key opens that group only; the room's code opens
the join page only (no overview, no console, no group's participant page); a participant's
copy of a group holds nothing private, and nothing of another group."""

from __future__ import annotations

from collections.abc import Callable

from codevwidgets.core.commands import Command
from codevwidgets.store.base import group_key_for, join_code_for
from codevwidgets.store.sql import SQLStore
from tests.days import new_day


def test_the_days_key_opens_the_overview_and_every_groups_console(
    open_test_store: Callable[..., SQLStore],
) -> None:
    store = open_test_store()
    day, secrets = new_day(store)
    assert store.check_day_key(day.id, secrets.key)
    for group in day.groups:
        assert store.check_key(group.session_id, group_key_for(secrets.key, group.session_id))
        assert not store.check_key(group.session_id, secrets.key)  # derived, not the same
    assert not store.check_day_key(day.id, "")
    assert not store.check_day_key("day-other", secrets.key)


def test_a_groups_key_opens_its_group_only(open_test_store: Callable[..., SQLStore]) -> None:
    store = open_test_store()
    day, secrets = new_day(store)
    first, *others = [g.session_id for g in day.groups]
    key = group_key_for(secrets.key, first)
    assert store.check_key(first, key) and store.check_code(first, join_code_for(key))
    assert not store.check_day_key(day.id, key) and not store.check_day_code(day.id, key)
    for other in others:
        assert not store.check_key(other, key)
        assert not store.check_code(other, join_code_for(key))


def test_the_rooms_code_opens_the_join_page_only(open_test_store: Callable[..., SQLStore]) -> None:
    store = open_test_store()
    day, secrets = new_day(store)
    assert store.check_day_code(day.id, secrets.code)
    assert not store.check_day_key(day.id, secrets.code)  # not the overview
    assert not store.check_day_code(day.id, secrets.key)  # the key is not the code
    for group in day.groups:
        assert not store.check_key(group.session_id, secrets.code)  # no console
        assert not store.check_code(group.session_id, secrets.code)  # no group's page by link


def test_a_participants_copy_of_a_group_holds_nothing_of_another_group(
    open_test_store: Callable[..., SQLStore],
) -> None:
    store = open_test_store()
    day, _ = new_day(store)
    mine, other = day.groups[0].session_id, day.groups[1].session_id
    for session in (mine, other):
        store.execute(session, Command("start"))
        store.execute(session, Command("next", {"step": "presentation"}))
    store.add_contribution(other, "clarification", "Emma", "Secret of group two?", None, "p1")
    note = {"step": "clarification", "field": "questions", "text": "Private note of group two"}
    store.execute(other, Command("set_note", note))
    store.execute(mine, Command("set_note", {**note, "text": "Private note of group one"}))
    copy = store.load(mine, private=False)
    assert copy is not None
    text = repr(copy.state)
    assert "Secret of group two" not in text and "Private note" not in text
    assert "Secret of group two" in repr(store.load(other, private=False).state)  # it is there
    assert copy.roster is None and copy.group is None  # the console's copy only
    assert set(copy.names) == set(day.members(1))
