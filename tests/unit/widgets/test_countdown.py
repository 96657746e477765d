"""The countdown widget without a browser: its synced traits follow the session's timer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.widgets import countdown as countdown_module
from codevwidgets.widgets.countdown import LABEL_KEYS, Countdown

T0 = 1_800_000_000.0
MS = 1000


def running_session(clock: FakeClock) -> Session:
    session = Session(load_preset("classic"), clock=clock, session_id="countdown")
    session.set_roles(Roles(client="Ana", facilitator="Fay", advisors=("Bea", "Cy")))
    session.start()
    return session


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def shown(fake_clock: FakeClock) -> tuple[Countdown, Session]:
    session = running_session(fake_clock)
    return Countdown(clock=fake_clock).show(session), session


def test_running_step_syncs_its_deadline(shown: tuple[Countdown, Session]) -> None:
    countdown, _ = shown
    assert countdown.status == "running"
    assert countdown.deadline_ms == (T0 + 600) * MS
    assert countdown.remaining_ms == 600 * MS
    assert countdown.budget_ms == 600 * MS
    assert countdown.server_now_ms == T0 * MS
    assert countdown.step_title == "Presentation of the problem"


def test_no_traffic_while_time_passes(shown: tuple[Countdown, Session], fake_clock: FakeClock):
    countdown, _ = shown
    before = countdown.get_state()
    fake_clock.advance(90)  # the browser counts; the kernel sends nothing
    assert countdown.get_state() == before


def test_pause_and_resume(shown: tuple[Countdown, Session], fake_clock: FakeClock) -> None:
    countdown, session = shown
    fake_clock.advance(90)
    session.pause()
    assert (countdown.status, countdown.deadline_ms) == ("paused", None)
    assert countdown.remaining_ms == 510 * MS
    assert countdown.server_now_ms == (T0 + 90) * MS
    fake_clock.advance(300)
    session.resume()
    assert countdown.status == "running"
    assert countdown.deadline_ms == (T0 + 390 + 510) * MS


def test_extend_raises_deadline_and_budget(
    shown: tuple[Countdown, Session], fake_clock: FakeClock
) -> None:
    countdown, session = shown
    fake_clock.advance(660)  # one minute of overtime
    session.extend(5)
    assert countdown.deadline_ms == (T0 + 900) * MS
    assert countdown.remaining_ms == 240 * MS
    assert countdown.budget_ms == 900 * MS  # colours are relative to the extended budget


def test_next_step_and_finish(shown: tuple[Countdown, Session], fake_clock: FakeClock) -> None:
    countdown, session = shown
    fake_clock.advance(700)
    session.next()
    assert countdown.step_title == "Clarifying questions"
    assert countdown.budget_ms == 15 * 60 * MS
    assert countdown.deadline_ms == (T0 + 700 + 900) * MS
    session.finish()
    assert (countdown.status, countdown.deadline_ms) == ("finished", None)


def test_ready_session_shows_the_first_budget(fake_clock: FakeClock) -> None:
    session = Session(load_preset("classic"), clock=fake_clock)
    countdown = Countdown(clock=fake_clock)
    countdown.update_from(session)
    assert (countdown.status, countdown.deadline_ms, countdown.remaining_ms) == (
        "ready",
        None,
        600 * MS,
    )


def test_show_follows_only_the_last_session(fake_clock: FakeClock) -> None:
    first, second = running_session(fake_clock), running_session(fake_clock)
    countdown = Countdown(clock=fake_clock).show(first).show(second)
    first.pause()
    assert countdown.status == "running"
    second.pause()
    assert countdown.status == "paused"
    countdown.close()
    second.resume()
    assert countdown.status == "paused"


def test_sync_message_gets_the_kernel_time(
    shown: tuple[Countdown, Session], fake_clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    countdown, _ = shown
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(countdown, "send", sent.append)
    fake_clock.advance(2.5)
    countdown._on_message(countdown, {"type": "sync", "t0": 1234.5}, [])
    assert sent == [{"type": "time", "t0": 1234.5, "server_ms": (T0 + 2.5) * MS}]


@pytest.mark.parametrize(
    "content",
    [
        {"type": "hello"},
        {"type": "sync"},
        {"type": "sync", "t0": "1"},
        {"type": "sync", "t0": True},
        {"type": "sync", "t0": float("nan")},
        ["sync"],
    ],
)
def test_other_messages_get_no_reply(
    shown: tuple[Countdown, Session], monkeypatch: pytest.MonkeyPatch, content: Any
) -> None:
    countdown, _ = shown
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(countdown, "send", sent.append)
    countdown._on_message(countdown, content, [])
    assert sent == []


@pytest.mark.parametrize(
    ("language", "label", "paused", "title"),
    [
        ("en", "Time left in {step}", "Paused", "Presentation of the problem"),
        ("fr", "Temps restant : {step}", "En pause", "Exposé de la problématique"),
    ],
)
def test_labels_in_the_page_language(
    fake_clock: FakeClock, language: str, label: str, paused: str, title: str
) -> None:
    countdown = Countdown(clock=fake_clock, language=language).show(running_session(fake_clock))
    assert set(countdown.labels) == set(LABEL_KEYS)
    assert all(countdown.labels.values())
    assert countdown.labels["label"] == label
    assert countdown.labels["paused"] == paused
    assert countdown.step_title == title


def test_chime_and_big_are_off_by_default(fake_clock: FakeClock) -> None:
    countdown = Countdown(clock=fake_clock)
    assert (countdown.chime, countdown.big) == (False, False)


def test_repr_is_cheap(shown: tuple[Countdown, Session], monkeypatch: pytest.MonkeyPatch) -> None:
    countdown, _ = shown

    def no_state(*args: object, **kwargs: object) -> None:
        raise AssertionError("repr must not serialise the state")

    monkeypatch.setattr(countdown, "get_state", no_state)
    assert repr(countdown) == "Countdown(status='running', step='Presentation of the problem')"


def test_front_end_files_are_packaged() -> None:
    here = Path(countdown_module.__file__).parent
    js, css = here / "countdown.js", here / "countdown.css"
    assert "export default" in js.read_text(encoding="utf-8")
    assert ".codev-timer" in css.read_text(encoding="utf-8")
    state = Countdown().get_state()
    assert "codev-timer" in state["_esm"]
    assert ".codev-timer--overtime" in state["_css"]


def test_synced_state_is_small_json(shown: tuple[Countdown, Session]) -> None:
    countdown, _ = shown
    names = ["status", "deadline_ms", "remaining_ms", "budget_ms", "server_now_ms"]
    names += ["step_title", "labels", "chime", "big"]
    state = countdown.get_state(names)
    assert set(state) == set(names)
    assert len(repr(state)) < 1000
