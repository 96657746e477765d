"""The end of a session in the store, on both engines: a hand still up is lowered in the same
write, and a latecomer rates after the end until the facilitator closes the ratings."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command
from codevwidgets.core.contributions import RatingsClosedError, ratings
from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import Runbook
from codevwidgets.core.session import Session
from codevwidgets.core.signals import HAND
from codevwidgets.store.sql import SQLStore

CONCLUSION = 5


def in_conclusion(store: SQLStore, book: Runbook) -> None:
    session = Session(book, Roles("Ana", "Farid", ("Bruno", "Chloé", "David")), session_id="s")
    store.create(session, "classic", "en")
    store.execute("s", Command("start"))
    store.execute("s", Command("go_to", {"index": CONCLUSION}))


def test_the_end_lowers_every_hand_in_the_same_write(
    open_test_store: Callable[..., SQLStore], classic: Runbook
) -> None:
    store = open_test_store()
    in_conclusion(store, classic)
    store.signal("s", "bruno-phone", "Bruno", HAND, True)
    store.signal("s", "chloe-phone", "Chloé", HAND, True)
    store.signal("s", "david-phone", "David", "ready", True)
    revision = store.revision("s")
    assert store.execute("s", Command("finish", {"step": "conclusion"})) == revision + 1
    # Another kernel (the console's, a participant's) reads no hand up.
    assert [s.kind for s in open_test_store().signals("s")] == ["ready"]


def test_a_latecomer_rates_after_the_end_until_the_ratings_close(
    open_test_store: Callable[..., SQLStore], classic: Runbook, clock: FakeClock
) -> None:
    store = open_test_store()
    in_conclusion(store, classic)
    store.add_contribution("s", "conclusion", "Bruno", "5", "evaluation", "bruno-phone")
    store.execute("s", Command("finish", {"step": "conclusion"}))
    participant = open_test_store()
    loaded = participant.load("s", private=False)
    assert loaded is not None and loaded.state["ratings_open"] is True
    clock.advance(900)  # a quarter of an hour after the end
    participant.add_contribution("s", "conclusion", "Chloé", "3", "evaluation", "chloe-phone")
    participant.add_contribution("s", "conclusion", "Bruno", "4", "evaluation", "bruno-phone")
    with pytest.raises(ValueError, match="not running"):  # a rating only, after the end
        participant.add_contribution("s", "conclusion", "Chloé", "Listen.", None, "chloe-phone")
    store.execute("s", Command("close_ratings"))
    with pytest.raises(RatingsClosedError):
        participant.add_contribution("s", "conclusion", "David", "1", "evaluation", "david-phone")
    closed = participant.load("s", private=False)
    assert closed is not None and closed.state["ratings_open"] is False
    # Bruno's 4 replaces his 5: counted once, at its latest value.
    given = ratings(store.contributions("s", include_hidden=True))
    assert given is not None and (given.people, given.mean, given.counts[4]) == (2, 3.5, 1)
