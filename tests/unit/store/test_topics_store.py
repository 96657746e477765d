"""Topics and dots in the store, on both engines: one topic per person, before the start only,
from the page that speaks under the name; a participant's copy without details; dots by
core's rules, the tally without voters, a voter's own dots; deletion; schema 7 stores get the
tables on opening."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command
from codevwidgets.core.roles import Roles
from codevwidgets.core.roster import Member, Roster
from codevwidgets.core.runbook import Runbook
from codevwidgets.core.session import Session
from codevwidgets.core.topics import CHECKLIST, TOPIC_CHOICE, TopicError, admit_topic
from codevwidgets.core.voices import RefusedError
from codevwidgets.store.sql import SQLStore
from codevwidgets.store.sqlite import SCHEMA_VERSION, SQLiteStore

YES = dict.fromkeys(CHECKLIST, True)
GROUP = ("Ana", "Bruno", "Chloé", "David")
ROSTER = Roster(group="Team", facilitator="rotate", members=[Member(name=n) for n in GROUP])


def held(store: SQLStore, book: Runbook) -> None:
    roles = Roles("Ana", "Farid", ("Bruno", "Chloé", "David"))
    store.create(Session(book, roles, session_id="s"), "choosing", "en", ROSTER)


def prepare(store: SQLStore, name: str, page: str, headline: str = "Late handovers") -> None:
    topic = admit_topic(name, headline, f"{name}'s context", "tried", "help", YES)
    store.save_topic("s", page, topic)


def test_topics_are_kept_one_per_person_until_the_start(
    open_test_store: Callable[..., SQLStore], choosing: Runbook, clock: FakeClock
) -> None:
    store = open_test_store()
    held(store, choosing)
    prepare(store, "Bruno", "bruno-phone", "Late handovers")
    clock.advance(1)
    prepare(store, "Chloé", "chloe-phone", "A team that does not talk")
    clock.advance(1)
    prepare(store, "bruno", "bruno-phone", "Handovers that come late")  # edited: one topic
    other = open_test_store()  # another kernel
    private = other.topics("s", private=True)
    assert [(t.author, t.headline) for t in private] == [
        ("Chloé", "A team that does not talk"),
        ("bruno", "Handovers that come late"),
    ]
    assert private[1].context == "bruno's context"
    shared = other.topics("s", private=False)
    assert [t.context for t in shared] == ["", ""] and shared[0].checklist == YES
    # The author's own page reads it whole; another page does not.
    assert other.own_topic("s", "Bruno", "bruno-phone").context == "bruno's context"
    assert other.own_topic("s", "Bruno", "other-phone") is None
    # Another page cannot prepare or withdraw under Bruno's name.
    with pytest.raises(RefusedError):
        prepare(other, "Bruno", "other-phone")
    with pytest.raises(RefusedError):
        other.withdraw_topic("s", "other-phone", "Bruno")
    assert other.withdraw_topic("s", "chloe-phone", "Chloé") is True
    assert other.withdraw_topic("s", "chloe-phone", "Chloé") is False
    assert [t.author for t in other.topics("s", private=True)] == ["bruno"]
    store.execute("s", Command("start"))
    with pytest.raises(TopicError) as refused:
        prepare(store, "David", "david-phone")
    assert refused.value.key == "topic.err.started"
    with pytest.raises(TopicError):
        store.withdraw_topic("s", "bruno-phone", "Bruno")


def test_a_topic_wakes_the_console_and_logs_no_text(
    open_test_store: Callable[..., SQLStore], choosing: Runbook
) -> None:
    store = open_test_store()
    held(store, choosing)
    before = store.revision("s")
    prepare(store, "Bruno", "bruno-phone")
    assert store.revision("s") > before
    assert all("handovers" not in str(data).lower() for _, _, data in store.events("s"))


def test_dots_follow_core_and_the_tally_names_no_voter(
    open_test_store: Callable[..., SQLStore], choosing: Runbook
) -> None:
    store = open_test_store()
    held(store, choosing)
    prepare(store, "Bruno", "bruno-phone", "Late handovers")
    prepare(store, "Chloé", "chloe-phone", "A team that does not talk")
    with pytest.raises(TopicError):  # not yet: the session has not started
        store.give_dot("s", "david-phone", "David", "Bruno", True)
    store.execute("s", Command("start"))
    assert store.load("s", private=False).session().current_step.id == TOPIC_CHOICE
    store.give_dot("s", "david-phone", "David", "Bruno", True)
    store.give_dot("s", "david-phone", "David", "bruno", True)
    with pytest.raises(TopicError) as refused:
        store.give_dot("s", "david-phone", "David", "Bruno", True)
    assert refused.value.key == "topic.err.capped"
    store.give_dot("s", "david-phone", "David", "Chloé", True)
    with pytest.raises(TopicError):
        store.give_dot("s", "david-phone", "David", "Chloé", True)  # three spent
    with pytest.raises(TopicError) as own:
        store.give_dot("s", "bruno-phone", "Bruno", "Bruno", True)
    assert own.value.key == "topic.err.own"
    store.give_dot("s", "bruno-phone", "Bruno", "Chloé", True)
    with pytest.raises(RefusedError):  # a second page under David's name
        store.give_dot("s", "other-phone", "David", "Chloé", False)
    store.give_dot("s", "david-phone", "David", "Bruno", False)  # one taken back
    other = open_test_store()
    assert other.dot_tally("s") == {"bruno": 1, "chloé": 2}
    assert other.my_dots("s", "david") == {"bruno": 1, "chloé": 1}
    assert other.my_dots("s", "Ana") == {}
    assert all("david" not in str(data).lower() for _, _, data in other.events("s"))
    store.execute("s", Command("next", {"step": TOPIC_CHOICE}))
    with pytest.raises(TopicError):
        store.give_dot("s", "ana-phone", "Ana", "Bruno", True)


def test_a_group_s_topics_and_deletion(
    open_test_store: Callable[..., SQLStore], choosing: Runbook
) -> None:
    store = open_test_store()
    held(store, choosing)
    prepare(store, "Bruno", "bruno-phone")
    group = store.load("s", private=True).group
    assert group is not None
    assert [(sid, t.author, t.context) for sid, t in store.group_topics(group)] == [
        ("s", "Bruno", "")
    ]
    store.execute("s", Command("start"))
    store.give_dot("s", "david-phone", "David", "Bruno", True)
    assert store.delete("s")
    assert store.topics("s", private=True) == [] and store.dot_tally("s") == {}


def test_a_schema_7_file_gets_the_tables(
    tmp_path: Path, clock: FakeClock, choosing: Runbook
) -> None:
    path = tmp_path / "old.db"
    SQLiteStore(path, clock).close()
    db = sqlite3.connect(path)
    db.execute("DROP TABLE topics")
    db.execute("DROP TABLE dots")
    db.execute("PRAGMA user_version=7")
    db.commit()
    db.close()
    with SQLiteStore(path, clock) as store:
        assert store._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 8
        held(store, choosing)
        prepare(store, "Bruno", "bruno-phone")
        assert len(store.topics("s", private=True)) == 1
