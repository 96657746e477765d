"""When a contribution is taken, how often a page may send, and presence beats: core's rules,
which a session of one kernel and every store ask alike."""

from __future__ import annotations

import pytest

from codevwidgets.core.contributions import (
    Contribution,
    Contributions,
    admit_contribution,
    already_sent,
)
from codevwidgets.core.limits import RateLimit, RateLimited
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.core.signals import PRESENT_WITHIN, SEEN, SEEN_EVERY, Beat, Signal, beat

CLARIFICATION = load_preset("classic").step("clarification")


def test_contributions_only_while_the_session_is_in_progress(session: Session) -> None:
    with pytest.raises(ValueError, match="not running"):
        session.add_contribution("clarification", "Cy", "Why now?")
    session.start()
    session.pause()  # paused is still in progress
    assert session.add_contribution("clarification", "Cy", "Why now?").id == 1
    session.resume()
    session.finish()
    with pytest.raises(ValueError, match="not running"):
        session.add_contribution("clarification", "Cy", "And then?")
    assert len(session.contributions) == 1


def test_what_is_wrong_with_a_contribution_is_said_before_when() -> None:
    with pytest.raises(ValueError, match="1 to 1000"):
        admit_contribution(CLARIFICATION, None, " ", None, in_progress=False)
    for text, author in (("a\x00", None), ("Why?", "C\x00y")):
        with pytest.raises(ValueError, match="NUL"):
            admit_contribution(CLARIFICATION, author, text, None, in_progress=True)


def test_contributions_are_numbered_hidden_and_kept() -> None:
    taken = Contributions()
    for text in ("One", "Two"):
        taken.add(Contribution(0, "clarification", None, text, 0.0, kind="questions"))
    taken.hide(1)
    assert [c.text for c in taken.of_step("clarification")] == ["Two"]
    assert [c.id for c in taken.of_step("clarification", include_hidden=True)] == [1, 2]
    with pytest.raises(ValueError, match="no contribution 3"):
        taken.hide(3)


def test_a_rate_limit_refuses_one_more_than_its_most() -> None:
    limit = RateLimit(3, 30.0, "contributions")
    assert limit.since(100.0) == 70.0
    limit.check(2)
    with pytest.raises(RateLimited, match="at most 3 contributions every 30 seconds"):
        limit.check(3)
    RateLimit(None, 30.0, "contributions").check(10_000)  # no limit


@pytest.mark.parametrize(
    ("before", "name", "expected"),
    [
        (None, "Ana", Beat(write=True, wake=True)),  # arrives
        (Signal("p", "Ana", SEEN, "s", 100.0), "Ana", Beat(write=False)),  # seen just now
        (Signal("p", "Ana", SEEN, "s", 100.0 - SEEN_EVERY), "Ana", Beat(write=True)),  # a beat
        (Signal("p", "Ana", SEEN, "s", 100.0 - PRESENT_WITHIN), "Ana", Beat(True, False, True)),
        (Signal("p", None, SEEN, "s", 99.0), "Ana", Beat(True, renamed=True, wake=True)),
    ],
)
def test_a_presence_beat_is_written_once_per_beat_and_wakes_only_on_news(
    before: Signal | None, name: str, expected: Beat
) -> None:
    assert beat(before, name, 100.0) == expected


def test_a_kept_text_is_already_sent_when_stored_as_that_person_or_anonymously() -> None:
    """A question kept in a browser as not sent may have been stored just before a reload:
    then it is not put back in the box, to be sent twice."""
    sent = [
        Contribution(1, "clarification", "Cy", "Since when?", 0.0),
        Contribution(2, "clarification", None, "Who decides?", 0.0),
        Contribution(3, "conclusion", "Cy", "4", 0.0, kind="evaluation"),
    ]
    assert already_sent(sent, "Cy", "  Since when?\n")  # stored trimmed
    assert already_sent(sent, "Cy", "Who decides?")  # sent anonymously
    assert not already_sent(sent, "Bo", "Since when?")  # someone else's
    assert not already_sent(sent, "Cy", "Since when")
    assert not already_sent(sent, "Cy", "4")  # an evaluation is no text typed in the box
    assert not already_sent(sent, "Cy", "  ")
    assert not already_sent([], "Cy", "Since when?")
