"""The facilitator confirms the group's topic (``choose_topic``): its author becomes the client,
the presentation's notes are filled, the state keeps the choice (counts, never who); refusals
outside the step, for the facilitator, an observer or a stranger; a tie is theirs to choose."""

from __future__ import annotations

from typing import Any

import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command, apply_command
from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import Runbook
from codevwidgets.core.session import Session, SessionError
from codevwidgets.core.topic_choice import TopicChosen
from codevwidgets.core.topics import leaders

ROLES = Roles("Ana", "Farid", ("Bruno", "Chloé", "David"), "Chloé", ("Olga",))


@pytest.fixture
def started(choosing: Runbook, clock: FakeClock) -> Session:
    session = Session(choosing, ROLES, clock, session_id="s")
    apply_command(session, Command("start"))
    assert session.current_step.id == "topic_choice"
    return session


def choose(session: Session, author: object, /, **more: Any) -> None:
    args = {
        "author": author,
        "headline": "Late handovers",
        "context": "The night shift hands over late.",
        "help": "How do I raise it with my manager?",
        "tally": {"bruno": 4, "david": 2, "ana": 1},
        "step": "topic_choice",
        **more,
    }
    apply_command(session, Command("choose_topic", args))


def test_the_author_becomes_the_client_and_the_client_an_advisor(
    started: Session, clock: FakeClock
) -> None:
    clock.advance(60)
    choose(started, "bruno")
    roles = started.roles
    assert roles is not None
    assert (roles.client, roles.advisors) == ("Bruno", ("Ana", "Chloé", "David"))
    assert (roles.note_taker, roles.observers, roles.facilitator) == ("Chloé", ("Olga",), "Farid")
    # The state keeps the choice: whose, when, the counts; never who gave a dot.
    assert started.chosen == TopicChosen("Bruno", "Late handovers", clock(), 4, (2, 1))
    assert started.state()["chosen"] == {
        "author": "Bruno",
        "headline": "Late handovers",
        "at": clock(),
        "dots": 4,
        "others": [2, 1],
    }


def test_the_presentations_notes_are_filled_and_a_question_kept(started: Session) -> None:
    choose(started, "David")
    notes = started.notes["presentation"]
    assert notes["headline"] == "Late handovers"
    assert notes["topic"] == "The night shift hands over late."
    assert notes["question"] == "How do I raise it with my manager?"
    # Chosen again (the facilitator changed their mind): a question written is not replaced.
    apply_command(started, Command("set_note", {"step": "presentation", "field": "question",
                                                "text": "Mine"}))  # fmt: skip
    choose(started, "Bruno", headline="Other", context="", help="Help me")
    notes = started.notes["presentation"]
    assert (notes["headline"], notes["topic"], notes["question"]) == ("Other", "Other", "Mine")
    roles = started.roles
    assert roles is not None and roles.client == "Bruno" and "David" in roles.advisors


def test_the_note_taker_chosen_takes_no_notes_any_more(started: Session) -> None:
    choose(started, "chloé")
    roles = started.roles
    assert roles is not None
    assert (roles.client, roles.note_taker) == ("Chloé", None)
    assert roles.advisors == ("Bruno", "Ana", "David")


def test_the_clients_own_topic_leaves_the_roles_as_they_are(started: Session) -> None:
    choose(started, "Ana")
    assert started.roles == ROLES and started.chosen is not None


@pytest.mark.parametrize(
    ("author", "key"),
    [
        ("Farid", "dots.err.facilitator"),
        ("olga", "dots.err.observer"),
        ("Zoé", "dots.err.stranger"),
    ],
)
def test_the_facilitator_an_observer_or_a_stranger_is_refused(
    started: Session, author: str, key: str
) -> None:
    with pytest.raises(SessionError) as refused:
        choose(started, author)
    assert refused.value.key == key
    assert started.roles == ROLES and started.chosen is None
    assert "presentation" not in started.notes


def test_refused_outside_the_running_topic_choice_step(started: Session, choosing: Runbook) -> None:
    ready = Session(choosing, ROLES, session_id="r")
    with pytest.raises(SessionError) as refused:
        choose(ready, "Bruno", step=None)
    assert refused.value.key == "console.now_ready"
    apply_command(started, Command("next"))
    with pytest.raises(SessionError) as refused:
        choose(started, "Bruno", step=None)
    assert refused.value.key == "dots.err.not_now"
    # A page still showing the choice when another console moved on: refused as stale.
    with pytest.raises(SessionError) as refused:
        choose(started, "Bruno")
    assert refused.value.key == "console.moved_on"
    assert started.chosen is None and started.roles == ROLES


@pytest.mark.parametrize(
    "bad",
    [{"tally": [1]}, {"tally": {"bo": -1}}, {"headline": ""}, {"author": 3}, {"context": 5}],
)
def test_malformed_arguments_are_refused_and_nothing_changes(
    started: Session, bad: dict[str, Any]
) -> None:
    with pytest.raises(ValueError, match=r"."):
        choose(started, "Bruno", **bad)
    assert started.chosen is None and started.roles == ROLES


def test_a_tie_is_the_facilitators_choice(started: Session) -> None:
    tally = {"bruno": 3, "david": 3, "ana": 1}
    assert leaders(tally, ["ana", "bruno", "david"]) == ["bruno", "david"]
    # Neither leader: allowed (the console asks first), and the counts are kept as they were.
    choose(started, "Ana", tally=tally)
    assert started.chosen is not None
    assert (started.chosen.author, started.chosen.dots, started.chosen.others) == ("Ana", 1, (3, 3))


def test_older_sessions_have_no_choice_and_a_follower_gets_it(
    started: Session, choosing: Runbook, clock: FakeClock
) -> None:
    data = started.to_dict()
    del data["chosen"]  # a session stored before the choice of topics
    assert Session.from_dict(data, choosing, clock).chosen is None
    follower = Session.from_dict(started.state(), choosing, clock)
    seen: list[Any] = []
    follower.on_change(lambda event: seen.append(event.data.get("changed")))
    choose(started, "David")
    follower.apply_state(started.state())
    assert follower.chosen == started.chosen and seen == [["roles", "chosen"]]
    with pytest.raises(ValueError, match="chosen topic"):
        Session.from_dict({**started.to_dict(), "chosen": {"author": 1}}, choosing, clock)
