"""Time called ("5 minutes left"): a console's command decided in core, part of the state."""

from __future__ import annotations

import pytest

from codevwidgets.core.call_time import SHOWN_SECONDS, TimeCalled
from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command, apply_command
from codevwidgets.core.session import Event, Session, SessionError


@pytest.fixture
def running(session: Session) -> Session:
    session.start()
    return session


def test_calling_time_records_the_minutes_and_when(running: Session, clock: FakeClock) -> None:
    clock.advance(120)
    effects = apply_command(running, Command("call_time", {"minutes": 5}))
    assert running.called == TimeCalled(5, clock())
    # The state every kernel loads and every page follows: a store writes it, revision bumped.
    assert effects.state is not None
    assert effects.state["called"] == {"minutes": 5, "at": clock()}
    assert effects.event == Event("call_time", {"minutes": 5})


def test_the_countdown_is_not_moved_by_a_call(running: Session, clock: FakeClock) -> None:
    deadline = running.deadline
    apply_command(running, Command("call_time", {"minutes": 5}))
    assert running.deadline == deadline


def test_a_call_is_shown_for_a_minute(clock: FakeClock) -> None:
    called = TimeCalled(5, clock())
    assert called.until == clock() + SHOWN_SECONDS == clock() + 60
    assert called.shown(clock() + 59.9)
    assert not called.shown(clock() + 60)


@pytest.mark.parametrize("status", ["ready", "paused", "finished"])
def test_refused_in_one_line_unless_running(running: Session, status: str) -> None:
    fresh = Session(running.runbook, running.roles, running.clock, session_id="other")
    if status != "ready":
        fresh.start()
        (fresh.pause if status == "paused" else fresh.finish)()
    with pytest.raises(SessionError, match=f"^cannot call time while the session is {status}$"):
        apply_command(fresh, Command("call_time", {"minutes": 5}))
    assert fresh.called is None


@pytest.mark.parametrize("minutes", [0, 61, -5, 2.5, "5", True, None])
def test_refuses_minutes_a_call_cannot_say(running: Session, minutes: object) -> None:
    with pytest.raises(ValueError, match="minutes"):
        apply_command(running, Command("call_time", {"minutes": minutes}))
    assert running.called is None


def test_a_step_change_or_the_end_clears_the_call(running: Session) -> None:
    running.call_time(5)
    running.next()
    assert running.called is None
    running.call_time(3)
    running.finish()
    assert running.called is None


def test_a_pause_keeps_the_call_on_screen(running: Session) -> None:
    running.call_time(5)
    running.pause()
    assert running.called is not None


def test_a_follower_gets_the_call_as_a_synced_change(running: Session) -> None:
    follower = Session.from_dict(running.state(), running.runbook, running.clock)
    heard: list[Event] = []
    follower.on_change(heard.append)
    running.call_time(5)
    follower.apply_state(running.state())
    assert follower.called == running.called
    assert heard == [Event("synced", {"changed": ["called"]})]


def test_the_call_survives_a_save_and_older_states_have_none(running: Session) -> None:
    running.call_time(2)
    saved = running.to_dict()
    assert Session.from_dict(saved, running.runbook, running.clock).called == running.called
    del saved["called"]  # a session stored before time could be called
    assert Session.from_dict(saved, running.runbook, running.clock).called is None


@pytest.mark.parametrize(
    "called", [{"minutes": 5}, {"minutes": 0, "at": 1.0}, {"minutes": 5, "at": "x"}, [5]]
)
def test_a_malformed_call_in_a_saved_state_is_refused(running: Session, called: object) -> None:
    saved = running.to_dict() | {"called": called}
    with pytest.raises(ValueError, match="call"):
        Session.from_dict(saved, running.runbook, running.clock)


def test_an_event_tells_local_views(running: Session, clock: FakeClock) -> None:
    heard: list[Event] = []
    running.on_change(heard.append)
    running.call_time(5)
    assert heard == [Event("time_called", {"minutes": 5, "until": clock() + 60})]
