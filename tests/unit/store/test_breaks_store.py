"""A break through a store (SQLite and PostgreSQL): applied by the generic command path,
followed by every kernel of the group, a participant's copy included."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from codevwidgets.core.breaks import Break
from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command
from codevwidgets.core.session import Session, SessionError
from codevwidgets.store.sql import SQLStore


@pytest.fixture
def with_breaks(session: Session, clock: FakeClock) -> Session:
    book = replace(session.runbook, break_after_minutes=45, break_minutes=5)
    return Session(book, session.roles, clock, session_id="test")


def test_a_break_reaches_a_participants_copy_and_the_step_resumes_after_it(
    open_test_store: Callable[..., SQLStore], with_breaks: Session, clock: FakeClock
) -> None:
    store = open_test_store()
    with_breaks.start()
    store.create(with_breaks, "classic", "en")
    before = store.revision("test")
    clock.advance(240)
    assert store.execute("test", Command("take_break")) == store.revision("test") > before
    participant = open_test_store().load("test", private=False)
    assert participant is not None
    copy = participant.session(clock)
    assert copy.runbook.break_minutes == 5  # from the stored snapshot of the runbook
    assert copy.current_break == Break(clock(), 5, 240.0)
    assert copy.remaining() == 360.0  # six minutes of the presentation, standing still
    clock.advance(300 + 60)
    assert copy.current_break is None
    assert copy.remaining() == 300.0
    # The facilitator moves on: the presentation counts its four minutes and one after.
    store.execute("test", Command("next", {"step": "presentation"}))
    stored = open_test_store().load("test", private=True)
    assert stored is not None
    assert stored.session(clock).actual_minutes()["presentation"] == 5


def test_a_second_break_is_refused_and_nothing_is_written(
    open_test_store: Callable[..., SQLStore], with_breaks: Session, clock: FakeClock
) -> None:
    store = open_test_store()
    with_breaks.start()
    store.create(with_breaks, "classic", "en")
    store.execute("test", Command("take_break"))
    before = store.revision("test")
    clock.advance(60)
    with pytest.raises(SessionError, match=r"^a break is already running$"):
        store.execute("test", Command("take_break"))
    assert store.revision("test") == before
    stored = store.load("test", private=True)
    assert stored is not None and len(stored.state["breaks"]) == 1
