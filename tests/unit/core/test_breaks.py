"""Breaks online (core.breaks): proposed after time worked, timed against the step's deadline."""

from __future__ import annotations

from dataclasses import replace

import pytest

from codevwidgets.core.breaks import Break
from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command, apply_command
from codevwidgets.core.runbook import Runbook
from codevwidgets.core.session import Event, Session, SessionError

MIN = 60.0


@pytest.fixture
def book(classic: Runbook) -> Runbook:
    # Classic: presentation 10, clarification 15, contract 10, consultation 30 ...
    return replace(classic, break_after_minutes=25, break_minutes=5)


@pytest.fixture
def running(book: Runbook, session: Session) -> Session:
    fresh = Session(book, session.roles, session.clock, session_id="breaks")
    fresh.start()
    return fresh


def take(session: Session) -> None:
    apply_command(session, Command("take_break"))


def test_remaining_time_before_during_and_after_a_break(running: Session, clock: FakeClock) -> None:
    clock.advance(4 * MIN)  # 6 minutes of the presentation left
    deadline = running.deadline
    assert deadline is not None
    take(running)
    assert running.deadline == deadline + 5 * MIN
    assert running.remaining() == 6 * MIN
    clock.advance(3 * MIN)  # the step's time stands still during the break
    assert running.remaining() == 6 * MIN
    assert running.current_break == Break(clock() - 3 * MIN, 5, 4 * MIN)
    clock.advance(2 * MIN)  # the break is over: the countdown resumes where it was
    assert running.current_break is None
    assert running.remaining() == 6 * MIN
    clock.advance(1 * MIN)
    assert running.remaining() == 5 * MIN


def test_actual_minutes_never_count_the_break(running: Session, clock: FakeClock) -> None:
    clock.advance(4 * MIN)
    take(running)
    clock.advance(2 * MIN)
    assert running.actual_minutes()["presentation"] == 4  # not 6, never the break
    clock.advance(3 * MIN + 1 * MIN)  # the break ran its 5 minutes, then 1 minute of work
    assert running.actual_minutes()["presentation"] == 5
    running.next()
    assert running.actual_minutes()["presentation"] == 5


def test_a_step_change_during_a_break_ends_it_and_counts_no_negative_time(
    running: Session, clock: FakeClock
) -> None:
    clock.advance(4 * MIN)
    take(running)
    clock.advance(1 * MIN)
    running.next()
    assert running.actual_minutes()["presentation"] == 4
    assert running.breaks[-1].ended == clock()  # a break of one minute, in the record
    assert running.breaks[-1].seconds == 1 * MIN
    assert running.current_break is None
    assert running.remaining() == 15 * MIN  # the clarification's own time, running now
    clock.advance(1 * MIN)
    assert running.remaining() == 14 * MIN


def test_finish_or_pause_during_a_break(running: Session, clock: FakeClock, book: Runbook) -> None:
    clock.advance(4 * MIN)
    take(running)
    clock.advance(1 * MIN)
    running.pause()
    assert running.remaining() == 6 * MIN  # what was left before the break
    assert running.breaks[-1].ended == clock()
    running.resume()
    assert running.remaining() == 6 * MIN
    other = Session(book, running.roles, clock, session_id="other")
    other.start()
    clock.advance(1 * MIN)
    take(other)
    clock.advance(1 * MIN)
    other.finish()
    assert other.actual_minutes()["presentation"] == 1
    assert other.breaks[-1].seconds == 1 * MIN


def test_ending_a_break_early_brings_the_deadline_back(running: Session, clock: FakeClock) -> None:
    clock.advance(4 * MIN)
    deadline = running.deadline
    assert deadline is not None
    take(running)
    clock.advance(2 * MIN)
    effects = apply_command(running, Command("end_break"))
    assert running.deadline == deadline + 2 * MIN
    assert running.remaining() == 6 * MIN
    assert running.breaks[-1].seconds == 2 * MIN
    assert effects.state is not None
    assert effects.state["breaks"][-1]["ended"] == clock()
    clock.advance(1 * MIN)
    assert running.actual_minutes()["presentation"] == 5


@pytest.mark.parametrize("status", ["ready", "paused", "finished"])
def test_take_break_refused_unless_running(book: Runbook, session: Session, status: str) -> None:
    fresh = Session(book, session.roles, session.clock, session_id="other")
    if status != "ready":
        fresh.start()
        (fresh.pause if status == "paused" else fresh.finish)()
    with pytest.raises(SessionError, match=f"^cannot take a break while the session is {status}$"):
        take(fresh)
    assert fresh.breaks == ()


def test_take_break_refused_while_on_break(running: Session, clock: FakeClock) -> None:
    take(running)
    deadline = running.deadline
    clock.advance(1 * MIN)
    with pytest.raises(SessionError, match=r"^a break is already running$") as caught:
        take(running)
    assert caught.value.key == "timer.break_running"
    assert running.deadline == deadline and len(running.breaks) == 1


def test_take_break_refused_when_the_runbook_has_none(session: Session) -> None:
    session.start()
    with pytest.raises(SessionError, match="no breaks"):
        take(session)


def test_end_break_refused_without_a_break(running: Session) -> None:
    with pytest.raises(SessionError, match=r"^no break is running$"):
        apply_command(running, Command("end_break"))


def test_proposed_once_a_step_ends_past_the_time_worked(running: Session, clock: FakeClock) -> None:
    clock.advance(10 * MIN)
    assert not running.break_due  # 10 minutes worked
    running.next()
    clock.advance(14 * MIN)
    assert not running.break_due  # the clarification's minutes count when it ends
    running.next()
    assert not running.break_due  # 24 minutes worked: under 25
    clock.advance(1 * MIN)
    running.next()  # the contract ends: 25 minutes worked
    assert running.break_due
    take(running)
    assert not running.break_due  # on break
    clock.advance(5 * MIN)
    assert not running.break_due  # back: the work counts again from the break
    clock.advance(25 * MIN)
    running.next()
    assert running.break_due


def test_pauses_do_not_count_as_work(running: Session, clock: FakeClock) -> None:
    clock.advance(10 * MIN)
    running.pause()
    clock.advance(60 * MIN)
    running.resume()
    running.next()
    assert running.worked_since_break() == 10 * MIN
    assert not running.break_due


def test_never_proposed_without_the_runbook_key(session: Session, clock: FakeClock) -> None:
    session.start()
    clock.advance(90 * MIN)
    session.next()
    assert not session.break_due


def test_the_break_is_state_every_follower_loads(running: Session, clock: FakeClock) -> None:
    follower = Session.from_dict(running.state(), running.runbook, clock)
    heard: list[Event] = []
    follower.on_change(heard.append)
    clock.advance(1 * MIN)
    take(running)
    follower.apply_state(running.state())
    assert follower.current_break == running.current_break is not None
    assert "breaks" in heard[-1].data["changed"]
    # Sessions stored before breaks have none.
    old = running.to_dict()
    del old["breaks"]
    assert Session.from_dict(old, running.runbook, clock).breaks == ()


@pytest.mark.parametrize(
    "bad",
    [
        {"at": "x", "minutes": 5, "worked": 0},
        {"at": 1.0, "minutes": 0, "worked": 0},
        {"at": 1.0, "minutes": 5},
        "break",
    ],
)
def test_a_malformed_stored_break_is_refused(running: Session, bad: object) -> None:
    data = running.to_dict()
    data["breaks"] = [bad]
    with pytest.raises(ValueError, match="break"):
        Session.from_dict(data, running.runbook, running.clock)
