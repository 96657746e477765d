"""The client's drift flag in the store, on both engines: raised by the client's page in the
consultation, read by the console and the room's screen at once, cleared by the facilitator,
its times in the log; refused from any other page, and from a second page under the client's
name (one voice: the console is told)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command
from codevwidgets.core.drift import DriftFlag, drift_flags, drift_standing
from codevwidgets.core.session import Session
from codevwidgets.core.signals import DRIFT, SPOKE_TWICE
from codevwidgets.core.voices import RefusedError
from codevwidgets.store.sql import SQLStore

CONSULTATION = 3


@pytest.fixture
def store(open_test_store: Callable[..., SQLStore], session: Session) -> SQLStore:
    store = open_test_store()
    store.create(session, "classic", "en")
    store.execute("test", Command("start"))
    store.execute("test", Command("go_to", {"index": CONSULTATION}))
    return store


def drifts(store: SQLStore) -> list[tuple[str, str | None, str]]:
    return [(s.participant, s.name, s.step_id) for s in drift_standing(store.signals("test"))]


def test_the_clients_flag_reaches_every_reader_until_cleared(
    store: SQLStore, open_test_store: Callable[..., SQLStore], clock: FakeClock
) -> None:
    revision = store.revision("test")
    raised_at = clock()
    store.signal("test", "ana-phone", "Ana", DRIFT, True)
    assert store.revision("test") == revision + 1  # every kernel wakes
    assert drifts(store) == [("ana-phone", "Ana", "consultation")]
    # The room's screen (not private) sees that it stands, not who.
    projector = open_test_store().load("test", private=False)
    assert projector is not None
    assert [(s["kind"], s["name"]) for s in projector.state["signals"]] == [(DRIFT, None)]
    clock.advance(90)
    store.execute("test", Command("clear_drift"))
    assert drifts(store) == []
    assert drift_flags(store.events("test")) == [
        DriftFlag("consultation", raised_at, raised_at + 90, by_facilitator=True)
    ]


def test_the_client_takes_it_back(store: SQLStore, clock: FakeClock) -> None:
    store.signal("test", "ana-phone", "Ana", DRIFT, True)
    clock.advance(20)
    store.signal("test", "ana-phone", "Ana", DRIFT, False)
    assert drifts(store) == []
    [flag] = drift_flags(store.events("test"))
    assert flag.cleared == flag.raised + 20 and not flag.by_facilitator


@pytest.mark.parametrize("name", ["Bruno", "Farid", None])
def test_another_page_is_refused_and_nothing_written(store: SQLStore, name: str | None) -> None:
    revision, events = store.revision("test"), len(store.events("test"))
    with pytest.raises(ValueError, match="only the client"):
        store.signal("test", "page", name, DRIFT, True)
    assert store.revision("test") == revision and len(store.events("test")) == events
    assert drifts(store) == []


def test_outside_the_consultation_it_is_refused(store: SQLStore) -> None:
    store.execute("test", Command("next", {"step": "consultation"}))
    with pytest.raises(ValueError, match="during the consultation"):
        store.signal("test", "ana-phone", "Ana", DRIFT, True)
    assert drifts(store) == []


def test_a_second_page_under_the_clients_name_is_refused_and_the_console_told(
    store: SQLStore,
) -> None:
    store.signal("test", "ana-phone", "Ana", DRIFT, True)
    store.execute("test", Command("clear_drift"))
    with pytest.raises(RefusedError) as refused:
        store.signal("test", "laptop", " ana ", DRIFT, True)
    assert (refused.value.key, refused.value.name) == ("voice.spoke_elsewhere", "Ana")
    assert drifts(store) == []
    assert [s.participant for s in store.signals("test") if s.kind == SPOKE_TWICE] == ["laptop"]
    # Her phone, which spoke first, still flags.
    store.signal("test", "ana-phone", "Ana", DRIFT, True)
    assert drifts(store) == [("ana-phone", "Ana", "consultation")]


def test_a_page_that_flagged_as_the_client_then_rates_as_no_one_else(store: SQLStore) -> None:
    """Flagging binds the page to the client's name, as a rating does."""
    store.signal("test", "ana-phone", "Ana", DRIFT, True)
    store.execute("test", Command("go_to", {"index": 5}))
    with pytest.raises(RefusedError) as refused:
        store.add_contribution("test", "conclusion", "Bruno", "5", "evaluation", "ana-phone")
    assert refused.value.key == "voice.page_spoke"
