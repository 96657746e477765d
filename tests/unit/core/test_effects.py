"""What a command or a signal changes, decided by core and returned as data (``Effects``):
the state, the notes, the signals answered or raised, the contributions hidden, the log."""

from __future__ import annotations

import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command, apply_command, apply_signal
from codevwidgets.core.effects import Answer, Effects, Event, NoteText, Visibility
from codevwidgets.core.session import Session
from codevwidgets.core.signals import Signal

NOTE = {"step": "presentation", "field": "topic"}


@pytest.fixture
def running(session: Session) -> Session:
    session.start()
    return session


def test_a_move_returns_the_new_state_and_nothing_kept_apart(running: Session) -> None:
    effects = apply_command(running, Command("next", {"step": "presentation"}))
    assert effects == Effects(Event("next", {"step": "presentation"}), running.state())
    assert effects.state is not None and effects.state["index"] == 1
    assert not {"notes", "contributions", "signals"} & set(effects.state)


def test_a_note_is_an_effect_and_the_log_never_holds_its_text(running: Session) -> None:
    note = {"step": "presentation", "field": "topic", "text": "My manager"}
    effects = apply_command(running, Command("set_note", note))
    assert effects == Effects(
        Event("set_note", {"step": "presentation", "field": "topic"}),
        notes=(NoteText("presentation", "topic", "My manager"),),
    )
    assert running.notes == {"presentation": {"topic": "My manager"}}


def test_a_note_core_refuses_changes_nothing(running: Session) -> None:
    for text in ("x" * 10_001, "a\x00b"):
        with pytest.raises(ValueError, match=r"10000|NUL"):
            apply_command(running, Command("set_note", {**NOTE, "text": text}))
    assert running.notes == {}


def test_hiding_needs_the_contribution(running: Session) -> None:
    taken = running.add_contribution("clarification", None, "Since when?")
    effects = apply_command(running, Command("hide", {"id": taken.id}))
    assert effects.visibility == (Visibility(taken.id, True),) and effects.state is None
    assert running.contributions_for("clarification") == []
    with pytest.raises(ValueError, match="no contribution 7"):
        apply_command(running, Command("hide", {"id": 7}))


def test_extending_and_keeping_time_answer_the_requests_for_more(
    running: Session, clock: FakeClock
) -> None:
    clock.advance(10 * 60)  # the presentation's time is up
    for page in ("p1", "p2"):
        apply_signal(running, page, None, "more_time", True)
    apply_signal(running, "p3", "Bo", "hand", True)
    effects = apply_command(running, Command("extend", {"minutes": 2}))
    assert effects.answered == (Answer("more_time"),) and effects.state is not None
    assert [s.kind for s in running.signals] == ["hand"]
    clock.advance(3 * 60)
    apply_signal(running, "p1", None, "more_time", True)
    assert apply_command(running, Command("keep_time")).answered == (Answer("more_time"),)
    assert [s.kind for s in running.signals] == ["hand"]
    assert apply_command(running, Command("lower_hand", {"participant": "p3"})).answered == (
        Answer("hand", "p3"),
    )
    assert running.signals == []


def test_a_signal_is_taken_only_while_the_session_is_in_progress(
    session: Session, clock: FakeClock
) -> None:
    with pytest.raises(ValueError, match="not running"):
        apply_signal(session, "p1", "Ana", "hand", True)
    session.start()
    with pytest.raises(ValueError, match="zero"):
        apply_signal(session, "p1", "Ana", "more_time", True)
    apply_signal(session, "p1", "Ana", "more_time", False)  # taking it back: any time
    for bad in (("", "Ana", "hand"), ("p1", "A" * 101, "hand"), ("p1", "x\x00", "hand")):
        with pytest.raises(ValueError, match=r"id|name|NUL"):
            apply_signal(session, *bad, True)
    with pytest.raises(ValueError, match="unknown signal"):
        apply_signal(session, "p1", "Ana", "wave", True)
    session.finish()
    with pytest.raises(ValueError, match="not running"):
        apply_signal(session, "p1", "Ana", "hand", False)


def test_a_hand_raised_again_keeps_its_place_and_ready_belongs_to_a_step(
    running: Session, clock: FakeClock
) -> None:
    first = apply_signal(running, "p1", "Ana", "hand", True).raised
    clock.advance(5)
    apply_signal(running, "p2", "Bo", "hand", True)
    clock.advance(5)
    assert apply_signal(running, "p1", "Ana", "hand", True).raised == first  # unchanged
    assert [s.participant for s in running.signals] == ["p1", "p2"]
    ready = apply_signal(running, "p1", "Ana", "ready", True).raised
    assert apply_signal(running, "p1", "Ana", "ready", True).raised == ready  # same step
    apply_command(running, Command("next"))
    again = apply_signal(running, "p1", "Ana", "ready", True).raised
    assert again[0].step_id == "clarification" and again != ready  # a new step: new signal
    effects = apply_signal(running, "p2", "Bo", "hand", False)
    assert effects == Effects(
        Event("signal", {"kind": "hand", "on": False, "participant": "p2"}),
        answered=(Answer("hand", "p2"),),
    )


def test_signals_after_keep_their_order() -> None:
    a, b = Signal("a", None, "hand", "s", 1.0), Signal("b", None, "hand", "s", 2.0)
    moved = Signal("a", "Ana", "hand", "s", 3.0)
    effects = Effects(Event("x"), raised=(moved, Signal("c", None, "ready", "s", 0.5)))
    assert [s.participant for s in effects.signals_after([a, b])] == ["a", "b", "c"]
    assert effects.signals_after([a, b])[0] is moved
    assert Effects(Event("x"), answered=(Answer("hand", "b"),)).signals_after([a, b]) == [a]


def test_only_hide_reads_what_a_session_keeps_apart() -> None:
    """A store reads notes, contributions and signals for a command only when core decides
    on them: a keystroke's note reads the session's row alone."""
    from codevwidgets.core.commands import Command, reads_kept_apart

    assert reads_kept_apart(Command("hide", {"id": 1}))
    for name in ("set_note", "next", "extend", "keep_time", "lower_hand", "talk", "set_roles"):
        assert not reads_kept_apart(Command(name, {}))
