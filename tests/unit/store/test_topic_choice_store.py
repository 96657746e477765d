"""The group's topic confirmed through a store (SQLite and PostgreSQL): ``choose_topic`` is
applied as any command (the store writes core's effects): the roles and the choice reach
every kernel, the presentation's notes the facilitator's only; a refusal writes nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from codevwidgets.core.commands import Command
from codevwidgets.core.roles import Roles
from codevwidgets.core.roster import Member, Roster
from codevwidgets.core.runbook import Runbook
from codevwidgets.core.session import Session, SessionError
from codevwidgets.core.topics import CHECKLIST, TOPIC_CHOICE, admit_topic
from codevwidgets.store.sql import SQLStore

GROUP = ("Ana", "Bruno", "Chloé", "David")
ROSTER = Roster(group="Team", facilitator="rotate", members=[Member(name=n) for n in GROUP])


def test_the_choice_reaches_every_kernel_and_the_notes_the_console_only(
    open_test_store: Callable[..., SQLStore], choosing: Runbook
) -> None:
    store = open_test_store()
    roles = Roles("Ana", "Farid", ("Bruno", "Chloé", "David"))
    store.create(Session(choosing, roles, session_id="s"), "choosing", "en", ROSTER)
    yes = dict.fromkeys(CHECKLIST, True)
    topic = admit_topic("Bruno", "Late handovers", "Night shift, zebra", "Asked", "Ideas", yes)
    store.save_topic("s", "bruno-phone", topic)
    store.execute("s", Command("start"))
    store.give_dot("s", "david-phone", "David", "Bruno", True)
    console = open_test_store()  # the facilitator's kernel holds the topics privately
    chosen = console.topics("s", private=True)[0]
    before = console.revision("s")
    args = {
        "author": chosen.author,
        "headline": chosen.headline,
        "context": chosen.context,
        "help": chosen.help,
        "tally": console.dot_tally("s"),
        "step": TOPIC_CHOICE,
    }
    assert console.execute("s", Command("choose_topic", args)) > before
    participant = open_test_store().load("s", private=False)
    assert participant is not None
    seen = participant.session()
    assert seen.roles is not None and seen.roles.client == "Bruno"
    assert "Ana" in seen.roles.advisors
    assert seen.chosen is not None and (seen.chosen.headline, seen.chosen.dots) == (
        "Late handovers",
        1,
    )
    # The preparation goes into the facilitator's notes, never into what participants load.
    assert "zebra" not in str(participant.state)
    assert seen.notes == {}
    facilitator = open_test_store().load("s", private=True)
    assert facilitator is not None
    notes = facilitator.session().notes["presentation"]
    assert (notes["headline"], notes["topic"], notes["question"]) == (
        "Late handovers",
        "Night shift, zebra",
        "Ideas",
    )
    assert all("zebra" not in str(data) for _, _, data in console.events("s"))
    # A question written since is kept when the facilitator confirms again.
    console.execute("s", Command("set_note", {"step": "presentation", "field": "question",
                                              "text": "Mine"}))  # fmt: skip
    console.execute("s", Command("choose_topic", args))
    again = console.load("s", private=True)
    assert again is not None and again.session().notes["presentation"]["question"] == "Mine"


def test_a_refused_choice_writes_nothing(
    open_test_store: Callable[..., SQLStore], choosing: Runbook
) -> None:
    store = open_test_store()
    roles = Roles("Ana", "Farid", ("Bruno", "Chloé", "David"))
    store.create(Session(choosing, roles, session_id="s"), "choosing", "en", ROSTER)
    store.execute("s", Command("start"))
    before = store.revision("s")
    args = {"author": "Farid", "headline": "Mine", "tally": {}}
    with pytest.raises(SessionError) as refused:
        store.execute("s", Command("choose_topic", args))
    assert refused.value.key == "dots.err.facilitator"
    assert store.revision("s") == before
    stored = store.load("s", private=True)
    assert stored is not None and stored.state["chosen"] is None
    assert stored.session().roles == roles
