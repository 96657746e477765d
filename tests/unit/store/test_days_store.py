"""A day in the store, on both engines: its groups' sessions made with it in one transaction,
its secrets (the lead's key, the room's code, each group's key derived), joins and moves
applied to the latest day by several kernels at once, and the groups' rosters following."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.day import Day, DayError, form_day, group_roles, join_day, move_person
from codevwidgets.core.roster import Member
from codevwidgets.core.runbook import Runbook
from codevwidgets.core.session import Session, new_session_id
from codevwidgets.store.base import group_key_for, join_code_for, room_code_for
from codevwidgets.store.sql import SQLStore

Opener = Callable[..., SQLStore]


def new_day(store: SQLStore, book: Runbook, count: int = 12, groups: int = 2) -> tuple[Day, str]:
    ids = [new_session_id() for _ in range(groups)]
    people = [Member(name=f"P{i:02}") for i in range(count)]
    day = form_day(people, book, groups=groups, session_ids=ids, title="Launch")
    sessions = [Session(book, group_roles(day, n + 1), session_id=sid) for n, sid in enumerate(ids)]
    return day, store.create_day(day, sessions).key


def test_a_day_and_its_groups_are_stored_with_their_secrets(
    open_test_store: Opener, classic: Runbook
) -> None:
    store = open_test_store()
    day, key = new_day(store, classic)
    stored = store.load_day(day.id)
    assert stored is not None and stored.day == day and stored.revision == 1
    assert store.check_day_key(day.id, key)
    assert store.check_day_code(day.id, room_code_for(key))
    # The room's code is not the lead's key, and neither opens another day or a session.
    assert not store.check_day_key(day.id, room_code_for(key))
    assert not store.check_day_code(day.id, key)
    assert not store.check_day_key("day-other", key)
    for bad in (None, "", 3, ["x"]):
        assert not store.check_day_key(day.id, bad)
        assert not store.check_day_code(bad, room_code_for(key))
    for group in day.groups:
        group_key = group_key_for(key, group.session_id)
        assert store.check_key(group.session_id, group_key)
        assert store.check_code(group.session_id, join_code_for(group_key))
        assert not store.check_key(group.session_id, key)  # the day's key is not a group's
        assert not store.check_code(group.session_id, room_code_for(key))
        loaded = store.load(group.session_id, private=True)
        assert loaded is not None and list(loaded.names) == day.members(group.number)
        assert loaded.roster is not None and loaded.roster.group == f"Launch · {group.number}"
    # One group's key opens that group only.
    first, second = (g.session_id for g in day.groups)
    assert not store.check_key(second, group_key_for(key, first))
    assert [d.day.id for d in store.days()] == [day.id]
    assert store.load_day("day-none") is None and store.day_revision("day-none") == 0


def test_a_day_whose_sessions_do_not_match_is_refused_and_nothing_is_stored(
    open_test_store: Opener, classic: Runbook
) -> None:
    store = open_test_store()
    sessions = [Session(classic) for _ in range(2)]
    day = form_day([Member(name=f"P{i}") for i in range(8)], classic, groups=2)
    with pytest.raises(ValueError, match="its groups' sessions"):
        store.create_day(day, sessions)
    assert store.days() == [] and store.session_ids() == []


def test_a_day_is_stored_whole_or_not_at_all(open_test_store: Opener, classic: Runbook) -> None:
    store = open_test_store()
    taken = Session(classic)
    store.create(taken, "classic", "en")
    sessions = [Session(classic), Session(classic, session_id=taken.id)]  # the second exists
    people = [Member(name=f"P{i}") for i in range(8)]
    day = form_day(people, classic, groups=2, session_ids=[s.id for s in sessions])
    with pytest.raises(ValueError, match="already exists"):
        store.create_day(day, sessions)
    assert store.days() == [] and store.session_ids() == [taken.id]


def test_joins_and_moves_change_the_day_and_the_groups_rosters(
    open_test_store: Opener, classic: Runbook
) -> None:
    store = open_test_store()
    day, _ = new_day(store, classic, count=9)  # groups of 5 and 4
    first, second = (g.session_id for g in day.groups)
    before = store.revision(second)
    joined = store.change_day(day.id, lambda d: join_day(d, "Zoé")[0])
    assert joined.revision == 2 and joined.day.person("Zoé") is not None
    assert "Zoé" in store.load(second, private=False).names  # type: ignore[union-attr]
    assert store.revision(second) > before  # its pages follow the new roster
    unchanged = store.revision(first)
    mover = day.members(1)[-1]
    moved = store.change_day(day.id, lambda d: move_person(d, mover, 2))
    assert moved.revision == 3 and store.day_revision(day.id) == 3
    assert mover not in store.load(first, private=False).names  # type: ignore[union-attr]
    assert mover in store.load(second, private=False).names  # type: ignore[union-attr]
    assert store.revision(first) > unchanged
    # Roles follow: who left has none, who came is an advisor.
    assert mover in store.load(second, private=False).session().roles.advisors  # type: ignore[union-attr]
    # A known person joining again changes nothing: no new revision.
    assert store.change_day(day.id, lambda d: join_day(d, mover)[0]).revision == 3


def test_a_refused_change_leaves_the_day_as_it_was(
    open_test_store: Opener, classic: Runbook
) -> None:
    store = open_test_store()
    sessions = [Session(classic) for _ in range(2)]
    people = [Member(name=f"P{i:02}") for i in range(8)]
    day = form_day(
        people, classic, groups=2, facilitators="lead", session_ids=[s.id for s in sessions]
    )
    store.create_day(day, sessions)
    store.change_day(day.id, lambda d: move_person(d, d.members(1)[0], 2))
    with pytest.raises(DayError, match="would keep 2"):
        store.change_day(day.id, lambda d: move_person(d, d.members(1)[0], 2))
    after = store.load_day(day.id)
    assert after is not None and after.revision == 2 and len(after.day.members(1)) == 3
    with pytest.raises(KeyError):
        store.change_day("day-none", lambda d: d)


def test_people_joining_at_once_from_many_kernels_are_all_placed(
    open_test_store: Opener, classic: Runbook, clock: FakeClock
) -> None:
    store = open_test_store()
    sessions = [Session(classic) for _ in range(3)]
    day = form_day(24, classic, groups=3, session_ids=[s.id for s in sessions])
    store.create_day(day, sessions)
    kernels = [open_test_store() for _ in range(6)]
    names = [f"Person {i}" for i in range(24)]

    def join(kernel: SQLStore, mine: list[str]) -> None:
        for name in mine:
            kernel.change_day(day.id, lambda d, name=name: join_day(d, name)[0])

    threads = [
        threading.Thread(target=join, args=(kernel, names[i::6]))
        for i, kernel in enumerate(kernels)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = store.load_day(day.id)
    assert final is not None
    assert sorted(p.name for p in final.day.people) == sorted(names)  # no join lost
    assert [len(final.day.members(n)) for n in (1, 2, 3)] == [8, 8, 8]
    assert final.revision == 25
