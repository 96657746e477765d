"""Participants' signals (hands, ready, more time) and talk time, through the store."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command
from codevwidgets.core.session import Session, SessionError
from codevwidgets.core.signals import Signal, hand_queue, place_in_queue, signaller, signals_of_step
from codevwidgets.store.base import RateLimited
from codevwidgets.store.live import LiveLink
from codevwidgets.store.open import open_store
from codevwidgets.store.sql import SQLStore
from codevwidgets.store.sqlite import SCHEMA_VERSION, SQLiteStore
from tests.unit.processes import exit_codes_at_once


@pytest.fixture
def store(open_test_store: Callable[..., SQLStore]) -> SQLStore:
    return open_test_store()


@pytest.fixture
def started(store: SQLStore, session: Session) -> SQLStore:
    store.create(session, "classic", "en")
    store.execute("test", Command("start"))
    return store


def names(store: SQLStore) -> list[str | None]:
    return [s.name for s in hand_queue(store.signals("test"))]


# -- pure rules ------------------------------------------------------------------------------


def test_queue_order_place_and_step_reset() -> None:
    signals = [
        Signal("c", None, "hand", "s1", 30.0),
        Signal("a", "Ana", "hand", "s1", 10.0),
        Signal("a", "Ana", "ready", "s1", 11.0),
        Signal("b", "Bo", "ready", "s2", 12.0),
    ]
    assert [s.participant for s in hand_queue(signals)] == ["a", "c"]
    assert place_in_queue(signals, "c") == 2 and place_in_queue(signals, "b") is None
    assert [s.participant for s in signals_of_step(signals, "ready", "s2")] == ["b"]
    assert signaller(signals[0], "Participant") == "Participant c"


# -- talk time -------------------------------------------------------------------------------


def test_talk_time_accumulates_per_step_and_person(session: Session, clock: FakeClock) -> None:
    session.start()
    with pytest.raises(SessionError):
        Session(session.runbook, session.roles, clock).talk("Ana")  # not running
    session.talk("Ana")
    clock.advance(30)
    assert session.talk_seconds("presentation") == {"Ana": 30.0}  # the running segment
    session.talk("Bruno")  # one click switches
    clock.advance(15)
    session.talk("Bruno")  # one click on the speaker stops
    clock.advance(100)
    assert session.speaker is None
    assert session.talk_seconds("presentation") == {"Ana": 30.0, "Bruno": 15.0}
    session.talk("Ana")
    clock.advance(10)
    session.next()  # a step change stops the timer
    clock.advance(50)
    assert session.speaker is None
    assert session.talk_seconds() == {"Ana": 40.0, "Bruno": 15.0}
    assert session.talk_seconds("clarification") == {}
    copy = Session.from_dict(session.to_dict(), session.runbook, clock)
    assert copy.talk_seconds() == {"Ana": 40.0, "Bruno": 15.0}


def test_talk_through_the_store_from_two_consoles(
    started: SQLStore, open_test_store: Callable[..., SQLStore], clock: FakeClock
) -> None:
    with open_test_store() as projector:
        started.execute("test", Command("talk", {"name": "Ana"}))
        clock.advance(20)
        projector.execute("test", Command("talk", {"name": "Bruno"}))  # the other console
        clock.advance(5)
        started.execute("test", Command("talk", {"name": None}))
    stored = started.load("test", private=True)
    assert stored is not None
    assert stored.session(clock).talk_seconds("presentation") == {"Ana": 20.0, "Bruno": 5.0}
    with pytest.raises(ValueError, match="text"):
        started.execute("test", Command("talk", {"name": 7}))
    hidden = started.load("test", private=False)
    assert hidden is not None and hidden.state["talk"] == {}  # the console's, not the room's


# -- signals ---------------------------------------------------------------------------------


def test_hands_queue_in_the_order_raised_and_keep_their_place(
    started: SQLStore, clock: FakeClock
) -> None:
    for who in ("Chloé", "Ana", "Bruno"):
        started.signal("test", f"p-{who}", who, "hand", True)
        clock.advance(1)
    started.signal("test", "p-Chloé", "Chloé", "hand", True)  # again: keeps first place
    assert names(started) == ["Chloé", "Ana", "Bruno"]
    started.signal("test", "p-Ana", "Ana", "hand", False)  # lowers their own
    assert names(started) == ["Chloé", "Bruno"]
    started.execute("test", Command("lower_hand", {"participant": "p-Chloé"}))
    assert names(started) == ["Bruno"]
    started.signal("test", "p-x", None, "hand", True)
    started.execute("test", Command("lower_hand"))  # every hand
    assert names(started) == []


def test_a_participants_copy_has_no_other_names(started: SQLStore) -> None:
    started.signal("test", "p1", "Ana", "hand", True)
    started.signal("test", "p1", "Ana", "ready", True)
    stored = started.load("test", private=False)
    assert stored is not None
    assert [s["name"] for s in stored.state["signals"]] == [None, None]
    assert place_in_queue(stored.session().signals, "p1") == 1
    with started._query() as db:
        raw = db.execute("SELECT state FROM sessions").fetchone()[0]
    assert "signals" not in json.loads(raw)  # in their own table, never in the state


def test_ready_counts_for_the_current_step_only(started: SQLStore, clock: FakeClock) -> None:
    started.signal("test", "p1", "Ana", "ready", True)
    started.signal("test", "p2", "Bruno", "ready", True)
    started.signal("test", "p2", "Bruno", "ready", False)
    session = started.load("test", private=True)
    assert session is not None
    ready = signals_of_step(session.session().signals, "ready", "presentation")
    assert [s.name for s in ready] == ["Ana"]
    started.execute("test", Command("next", {"step": "presentation"}))
    fresh = started.load("test", private=True)
    assert fresh is not None
    assert signals_of_step(fresh.session().signals, "ready", "clarification") == []
    started.signal("test", "p1", "Ana", "ready", True)  # ready again, for this step
    again = started.load("test", private=True)
    assert again is not None
    assert len(signals_of_step(again.session().signals, "ready", "clarification")) == 1


def test_more_time_only_at_zero_and_answered_by_extending(
    started: SQLStore, clock: FakeClock
) -> None:
    with pytest.raises(ValueError, match="zero"):
        started.signal("test", "p1", "Ana", "more_time", True)
    clock.advance(10 * 60)  # the presentation's ten minutes
    started.signal("test", "p1", "Ana", "more_time", True)
    started.signal("test", "p2", None, "more_time", True)
    assert len([s for s in started.signals("test") if s.kind == "more_time"]) == 2
    started.execute("test", Command("extend", {"minutes": 2, "step": "presentation"}))
    assert [s for s in started.signals("test") if s.kind == "more_time"] == []


def test_more_time_turned_down_keeps_the_time_and_answers_everyone(
    started: SQLiteStore, clock: FakeClock
) -> None:
    clock.advance(10 * 60)
    started.signal("test", "p1", "Ana", "more_time", True)
    started.signal("test", "p2", None, "more_time", True)
    started.signal("test", "p3", "Bo", "hand", True)
    before = started.revision("test")
    started.execute("test", Command("keep_time"))
    assert started.revision("test") == before + 1  # every page hears the answer
    assert [s.kind for s in started.signals("test")] == ["hand"]  # hands stay up
    stored = started.load("test", private=True)
    assert stored is not None
    assert stored.session(clock).remaining() <= 0  # no minute given


def test_bad_signals_are_refused_and_write_nothing(
    store: SQLStore, session: Session, clock: FakeClock
) -> None:
    store.create(session, "classic", "en")
    with pytest.raises(ValueError, match="not running"):
        store.signal("test", "p1", "Ana", "hand", True)
    store.execute("test", Command("start"))
    revision = store.revision("test")
    for bad in (
        ("test", "p1", "Ana", "wave", True),
        ("test", "", "Ana", "hand", True),
        ("test", "p1", "A" * 101, "hand", True),
        ("nope", "p1", "Ana", "hand", True),
    ):
        with pytest.raises(ValueError, match=r"signal|id|name|session"):
            store.signal(*bad)
    assert store.revision("test") == revision and store.signals("test") == []
    store.signal_limit = 3
    for _ in range(3):
        store.signal("test", "p1", "Ana", "hand", True)
    with pytest.raises(RateLimited):
        store.signal("test", "p1", "Ana", "hand", False)
    store.signal("test", "p2", "Bo", "hand", True)  # per page
    clock.advance(31)
    store.signal("test", "p1", "Ana", "hand", False)


def test_a_signal_wakes_every_follower(started: SQLStore, session: Session) -> None:
    follower = Session(session.runbook, clock=started.clock, session_id="test")
    link = LiveLink(started, follower, private=True, start_thread=False)
    events: list[object] = []
    follower.on_change(lambda e: events.append(e.data.get("changed")))
    started.signal("test", "p1", "Ana", "hand", True)
    link.watcher.poll()
    assert [s.name for s in follower.signals] == ["Ana"]
    assert events == [["signals"]]
    link.stop()


def test_threads_raising_hands_at_once_all_queue(started: SQLStore) -> None:
    started.signal_limit = 1000

    def work(n: int) -> None:
        for i in range(10):
            started.signal("test", f"t{n}-{i}", f"T{n}-{i}", "hand", True)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(names(started)) == 40


def _raise(location: str, worker: int, start: Barrier) -> None:
    store = open_store(location)
    start.wait(timeout=60)
    for i in range(10):
        store.signal("test", f"w{worker}-{i}", f"W{worker}", "hand", True)
        store.signal("test", f"w{worker}-{i}", f"W{worker}", "ready", True)
    store.signal("test", f"w{worker}-0", f"W{worker}", "hand", False)
    store.close()


def test_processes_signalling_at_once_lose_nothing(store_location: str, session: Session) -> None:
    # Real time: the processes stamp their own rows.
    with open_store(store_location) as store:
        store.create(Session(session.runbook, session.roles, session_id="test"), "classic", "en")
        store.execute("test", Command("start"))
        assert exit_codes_at_once(_raise, store_location, 4) == [0] * 4
        signals = store.signals("test")
        assert len([s for s in signals if s.kind == "hand"]) == 4 * 9
        assert len([s for s in signals if s.kind == "ready"]) == 4 * 10
        assert store.revision("test") == 2 + 4 * 21


# -- the schema ------------------------------------------------------------------------------


def test_a_schema_2_store_migrates_to_the_current_schema(
    tmp_path: Path, session: Session, clock: FakeClock
) -> None:
    path = tmp_path / "two.db"
    with SQLiteStore(path, clock) as store:
        store.create(session, "classic", "en")
        store.execute("test", Command("start"))
    db = sqlite3.connect(path)
    db.execute("DROP TABLE signals")
    db.execute("DROP INDEX sessions_by_group")  # nor a group's index, nor its id (schema 5)
    db.execute("DROP TABLE roster_groups")
    db.execute("ALTER TABLE sessions DROP COLUMN group_id")
    state = json.loads(db.execute("SELECT state FROM sessions").fetchone()[0])
    for key in ("speaker", "talk_since", "talk"):
        del state[key]  # a schema-2 state knows no talk time
    db.execute("UPDATE sessions SET state = ?", (json.dumps(state),))
    db.execute("PRAGMA user_version=2")
    db.commit()
    db.close()
    with SQLiteStore(path, clock) as store:
        assert store._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        stored = store.load("test", private=True)
        assert stored is not None and stored.session(clock).talk_seconds() == {}
        store.signal("test", "p1", "Ana", "hand", True)
        store.execute("test", Command("talk", {"name": "Ana"}))
        assert names(store) == ["Ana"]


def test_delete_leaves_no_signal_behind(started: SQLStore) -> None:
    started.signal("test", "p1", "Zoltan-Quirinus", "hand", True)
    assert started.delete("test")
    with started._query() as db:
        assert db.execute("SELECT COUNT(*) FROM signals").fetchone()[0] == 0
    assert started.signals("test") == []


# -- the record ------------------------------------------------------------------------------


def test_the_record_shows_talk_time_per_person_per_step_and_in_total(
    started: SQLStore, clock: FakeClock
) -> None:
    from codevwidgets.record.export import render
    from codevwidgets.record.model import TalkTime, build_record

    started.execute("test", Command("talk", {"name": "Bruno"}))
    clock.advance(65)
    started.execute("test", Command("talk", {"name": "Ana"}))
    clock.advance(10)
    started.execute("test", Command("next", {"step": "presentation"}))
    started.execute("test", Command("talk", {"name": "Bruno"}))
    clock.advance(30)
    started.execute("test", Command("talk", {"name": None}))
    record = build_record(started, "test", clock=clock)
    assert len(record.talk_steps) == 2 and record.talk_steps[0].startswith("Presentation")
    assert record.talk == (
        TalkTime("Ana", ("0:10", "0:00"), "0:10"),
        TalkTime("Bruno", ("1:05", "0:30"), "1:35"),
    )
    markdown = render(record, "md").decode()
    assert "| Bruno | 1:05 | 0:30 | 1:35 |" in markdown
    assert "## Talk time" in markdown
    page = render(record, "html").decode()
    assert "<td>Bruno</td><td>1:05</td><td>0:30</td><td>1:35</td>" in page
    anonymous = build_record(started, "test", names=False, clock=clock)
    assert [p.name for p in anonymous.talk] == ["Ana", "Advisor 1"]
