"""Deleting and purging days (issue 23): a day's row goes, with its people's names and its
title, from the files too; its groups' sessions go with a deleted day, and the usual way
(``purge``) with a purged one."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.day import move_person
from codevwidgets.core.roster import Member, Roster
from codevwidgets.pages.day_making import make_day
from codevwidgets.store.sql import SQLStore
from codevwidgets.store.sqlite import SQLiteStore

SECRET_TITLE = "Reorganisation-of-Ultramarine-Division"
SECRET_NAMES = [f"Quirinella-{i}" for i in range(8)]


def secret_roster() -> Roster:
    return Roster.model_validate(
        {
            "group": SECRET_TITLE,
            "facilitator": "rotate",
            "members": [Member(name=n) for n in SECRET_NAMES],
        },
        context={"members_checked": True},
    )


def test_a_deleted_day_takes_its_groups_sessions_along(
    open_test_store: Callable[..., SQLStore],
) -> None:
    store = open_test_store()
    day, _ = make_day(store, "classic", roster=secret_roster(), groups=2)
    other, _ = make_day(store, "classic", people=8, groups=2)
    assert store.delete_day(day.id)
    assert not store.delete_day(day.id)
    assert store.load_day(day.id) is None and store.day_revision(day.id) == 0
    assert [d.day.id for d in store.days()] == [other.id]
    assert sorted(store.session_ids()) == sorted(g.session_id for g in other.groups)


def test_purge_days_removes_the_days_made_before_only(
    open_test_store: Callable[..., SQLStore], clock: FakeClock
) -> None:
    store = open_test_store()
    old, _ = make_day(store, "classic", people=8, groups=2)
    clock.advance(40 * 86_400)
    new, _ = make_day(store, "classic", people=8, groups=2)
    assert store.purge_days(clock() - 30 * 86_400) == [old.id]
    assert [d.day.id for d in store.days()] == [new.id]
    assert store.purge_days(clock() - 30 * 86_400) == []
    # The old day's groups are sessions: purge removes them as it removes any.
    gone = store.purge(clock() - 30 * 86_400)
    assert sorted(gone) == sorted(g.session_id for g in old.groups)


def stored_bytes(path: Path) -> bytes:
    return b"".join(
        Path(f"{path}{suffix}").read_bytes()
        for suffix in ("", "-wal", "-shm")
        if Path(f"{path}{suffix}").exists()
    )


def test_no_text_of_a_purged_or_deleted_day_stays_in_sqlites_files(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    clock = FakeClock(1_800_000_000.0)
    with SQLiteStore(path, clock) as store:
        purged, _ = make_day(store, "classic", roster=secret_roster(), groups=2)
        # A move rewrites the day's row: its earlier versions must not linger either.
        store.change_day(purged.id, partial(move_person, name=SECRET_NAMES[2], group=2))
        clock.advance(40 * 86_400)
        deleted, _ = make_day(store, "classic", roster=secret_roster(), groups=2)
        assert SECRET_TITLE.encode() in stored_bytes(path)  # the search can find it
        assert store.delete_day(deleted.id)
        assert store.purge(clock() - 30 * 86_400)
        # Last: what wipes the day's row is its own deletion, not the sessions' before it.
        assert store.purge_days(clock() - 30 * 86_400) == [purged.id]
        assert store.days() == [] and store.session_ids() == []
        raw = stored_bytes(path)
    for text in (SECRET_TITLE, *SECRET_NAMES):
        assert text.encode() not in raw, text
