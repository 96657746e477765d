"""Time called, through a store (SQLite and PostgreSQL): every kernel of the group follows it,
a participant's copy included."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from codevwidgets.core.call_time import TimeCalled
from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command
from codevwidgets.core.session import Session, SessionError
from codevwidgets.store.sql import SQLStore


def test_a_call_reaches_a_participants_copy_with_a_new_revision(
    open_test_store: Callable[..., SQLStore], session: Session, clock: FakeClock
) -> None:
    store = open_test_store()
    session.start()
    store.create(session, "classic", "en")
    before = store.revision("test")
    clock.advance(30)
    after = store.execute("test", Command("call_time", {"minutes": 5}))
    assert after == store.revision("test") > before
    # Another kernel (a participant's page) loads the state: the call is in it.
    participant = open_test_store().load("test", private=False)
    assert participant is not None
    assert participant.state["called"] == {"minutes": 5, "at": clock()}
    assert participant.session(clock).called == TimeCalled(5, clock())


def test_a_paused_group_refuses_the_call_and_nothing_is_written(
    open_test_store: Callable[..., SQLStore], session: Session
) -> None:
    store = open_test_store()
    session.start()
    session.pause()
    store.create(session, "classic", "en")
    before = store.revision("test")
    with pytest.raises(SessionError, match=r"^cannot call time while the session is paused$"):
        store.execute("test", Command("call_time", {"minutes": 5}))
    assert store.revision("test") == before
    stored = store.load("test", private=True)
    assert stored is not None and stored.state["called"] is None
