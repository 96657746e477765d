"""The end of a session: a hand still up is lowered, and the ratings stay open for latecomers
until the facilitator closes them (then a rating is refused, in words)."""

from __future__ import annotations

import dataclasses

import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command, apply_command, apply_signal
from codevwidgets.core.contributions import Ratings, RatingsClosedError, rated_step, ratings
from codevwidgets.core.effects import Answer
from codevwidgets.core.runbook import Runbook
from codevwidgets.core.session import Event, Session, SessionError
from codevwidgets.core.signals import HAND

CONCLUSION = 5


def ended(session: Session) -> Session:
    apply_command(session, Command("start"))
    apply_command(session, Command("go_to", {"index": CONCLUSION}))
    apply_command(session, Command("finish", {"step": "conclusion"}))
    return session


def test_the_end_lowers_every_hand_still_up(session: Session) -> None:
    apply_command(session, Command("start"))
    apply_signal(session, "p1", "Bruno", HAND, True)
    apply_signal(session, "p2", "Chloé", HAND, True)
    apply_signal(session, "p3", "David", "ready", True)
    effects = apply_command(session, Command("finish", {"step": "presentation"}))
    # One rule, decided here: both stores write these effects as they are.
    assert effects.answered == (Answer(HAND),)
    assert [s.kind for s in session.signals] == ["ready"]


def test_the_ratings_stay_open_after_the_end_until_the_facilitator_closes_them(
    session: Session, clock: FakeClock
) -> None:
    assert not session.ratings_open  # not before the end: the step takes ratings then
    ended(session)
    assert session.status == "finished" and session.ratings_open
    clock.advance(600)  # a latecomer, ten minutes after the end
    session.add_contribution("conclusion", "Chloé", "4", "evaluation")
    with pytest.raises(ValueError, match="not running"):  # a rating only, nothing else
        session.add_contribution("conclusion", "Chloé", "Listen first.")
    events: list[Event] = []
    session.on_change(events.append)
    apply_command(session, Command("close_ratings"))
    assert not session.ratings_open and [e.kind for e in events] == ["ratings_closed"]
    with pytest.raises(RatingsClosedError, match="ratings are closed") as refused:
        session.add_contribution("conclusion", "David", "5", "evaluation")
    assert refused.value.key == "participant.ratings_closed"
    assert ratings(session.contributions) == Ratings({1: 0, 2: 0, 3: 0, 4: 1, 5: 0}, 1, 4.0)


def test_the_ratings_close_once_and_only_after_the_end(session: Session) -> None:
    with pytest.raises(SessionError) as early:
        apply_command(session, Command("close_ratings"))
    assert early.value.key == "console.now_ready"
    ended(session)
    apply_command(session, Command("close_ratings"))
    with pytest.raises(SessionError) as twice:
        apply_command(session, Command("close_ratings"))
    assert twice.value.key == "console.ratings_closed"


def test_a_runbook_that_asks_no_evaluation_has_no_ratings_open(session: Session) -> None:
    steps = tuple(dataclasses.replace(s, evaluation=False) for s in session.runbook.steps)
    book = dataclasses.replace(session.runbook, steps=steps)
    assert rated_step(book.steps) is None
    assert rated_step(session.runbook.steps) == session.runbook.steps[CONCLUSION]
    alone = ended(Session(book, session.roles, session.clock))
    assert alone.status == "finished" and not alone.ratings_open


def test_the_ratings_left_open_are_stored_with_the_state(
    session: Session, classic: Runbook
) -> None:
    data = ended(session).state()
    assert data["ratings_open"] is True
    follower = Session.from_dict(data, classic, session.clock)
    assert follower.ratings_open
    events: list[Event] = []
    follower.on_change(events.append)
    apply_command(session, Command("close_ratings"))
    follower.apply_state(session.state())
    assert not follower.ratings_open and events[-1].data["changed"] == ["ratings"]
    # Sessions stored before this part have no ratings open; open ones before the end: bad.
    del data["ratings_open"]
    assert not Session.from_dict(data, classic).ratings_open
    running = Session(classic, session.roles, session.clock)
    running.start()
    with pytest.raises(ValueError, match="only once the session has finished"):
        Session.from_dict({**running.state(), "ratings_open": True}, classic)


def test_deleted_from_its_store_a_session_takes_no_more_rating(session: Session) -> None:
    ended(session).mark_deleted()
    assert not session.ratings_open


def test_ratings_count_each_score_never_who() -> None:
    assert Ratings.of([5, 4, 4]) == Ratings({1: 0, 2: 0, 3: 0, 4: 2, 5: 1}, 3, 13 / 3)
    assert ratings([]) is None
