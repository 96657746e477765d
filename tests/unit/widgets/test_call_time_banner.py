"""Time called, on the countdown every page shows: its words and its end, synced in one
message; the browser hides it at its end (countdown.js, ``callShown``)."""

from __future__ import annotations

import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command, apply_command
from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.widgets.countdown import Countdown

T0 = 1_800_000_000.0


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


def running(clock: FakeClock) -> Session:
    session = Session(load_preset("classic"), clock=clock, session_id="called")
    session.set_roles(Roles(client="Ana", facilitator="Fay", advisors=("Bea", "Cy")))
    session.start()
    return session


@pytest.mark.parametrize(
    ("language", "minutes", "words"),
    [
        ("en", 5, "5 minutes left"),
        ("fr", 5, "Plus que 5 minutes"),
        ("de", 5, "Noch 5 Minuten"),
        ("en", 1, "1 minute left"),
        ("fr", 1, "Plus qu'une minute"),
        ("de", 1, "Noch eine Minute"),
    ],
)
def test_the_call_is_said_in_the_pages_language(
    clock: FakeClock, language: str, minutes: int, words: str
) -> None:
    session = running(clock)
    countdown = Countdown(clock=clock, language=language).show(session)
    assert (countdown.called_text, countdown.called_until_ms) == ("", None)
    clock.advance(10)
    apply_command(session, Command("call_time", {"minutes": minutes}))
    assert countdown.called_text == words
    assert countdown.called_until_ms == (T0 + 10 + 60) * 1000


def test_a_follower_page_shows_the_call_it_syncs(clock: FakeClock) -> None:
    console = running(clock)
    # A participant's kernel: its own copy of the state, following the store's.
    participant = Session.from_dict(console.state(), console.runbook, clock)
    countdown = Countdown(clock=clock).show(participant)
    console.call_time(5)
    participant.apply_state(console.state())
    assert countdown.called_text == "5 minutes left"


def test_a_page_opened_after_the_minute_shows_nothing(clock: FakeClock) -> None:
    session = running(clock)
    session.call_time(5)
    clock.advance(60)
    countdown = Countdown(clock=clock).show(session)
    assert (countdown.called_text, countdown.called_until_ms) == ("", None)


def test_the_next_step_takes_the_call_away(clock: FakeClock) -> None:
    session = running(clock)
    countdown = Countdown(clock=clock).show(session)
    session.call_time(5)
    session.next()
    assert (countdown.called_text, countdown.called_until_ms) == ("", None)


def test_the_call_reaches_the_page_in_one_message(clock: FakeClock) -> None:
    session = running(clock)
    countdown = Countdown(clock=clock).show(session)
    sent: list[dict[str, object]] = []
    countdown.comm.send = lambda data=None, **_: sent.append(data)  # type: ignore[union-attr,method-assign]
    session.call_time(5)
    assert len(sent) == 1
    state = sent[0]["state"]
    assert isinstance(state, dict)
    assert state["called_text"] == "5 minutes left"
