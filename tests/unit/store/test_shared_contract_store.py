"""The question and the contract reach participants' and projectors' kernels from the
contract step on, and no other note ever does; the group's name reaches every reader. Both
stores (``store_location``)."""

from __future__ import annotations

from collections.abc import Callable

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command
from codevwidgets.core.roster import load_roster
from codevwidgets.core.session import Event, Session
from codevwidgets.demo import DEMO_ROSTER
from codevwidgets.store.live import LiveLink
from codevwidgets.store.sql import SQLStore

CONTRACT = "In this session I'd like you to help me keep the team engaged."


def note(step: str, field: str, text: str) -> Command:
    return Command("set_note", {"step": step, "field": field, "text": text})


def link(store: SQLStore, private: bool, clock: FakeClock) -> LiveLink:
    stored = store.load("test", private=private)
    assert stored is not None
    session = stored.session(clock)
    return LiveLink(store, session, private=private, revision=stored.revision, start_thread=False)


def test_participants_load_the_question_and_the_contract_from_the_contract_step_on(
    open_test_store: Callable[..., SQLStore], session: Session, clock: FakeClock
) -> None:
    store = open_test_store()
    store.create(session, "classic", "en")
    console = link(open_test_store(), True, clock)
    phone = link(open_test_store(), False, clock)
    console.act(Command("start"))
    console.act(note("presentation", "topic", "My team, privately"))
    console.act(note("presentation", "question", "How do I lead a team I inherited?"))
    console.act(Command("next", {"step": "presentation"}))
    console.act(note("clarification", "questions", "Since when?"))
    assert phone.watcher is not None and phone.watcher.poll()
    assert phone.session.current_step.id == "clarification"
    assert phone.session.notes == {}  # before the contract step: nothing

    console.act(Command("next", {"step": "clarification"}))
    console.act(note("contract", "contract", CONTRACT[:20]))
    assert phone.watcher.poll()
    assert phone.session.notes == {
        "presentation": {"question": "How do I lead a team I inherited?"},
        "contract": {"contract": CONTRACT[:20]},
    }
    # The console types on: each keystroke reaches the phone, announced as "notes".
    events: list[Event] = []
    phone.session.on_change(events.append)
    console.act(note("contract", "contract", CONTRACT))
    assert phone.watcher.poll()
    assert phone.session.notes["contract"] == {"contract": CONTRACT}
    assert [e.data["changed"] for e in events] == [["notes"]]
    # Later steps keep it; the other notes stay the console's.
    console.act(Command("next", {"step": "contract"}))
    assert phone.watcher.poll()
    assert phone.session.notes["contract"] == {"contract": CONTRACT}
    public = store.load("test", private=False)
    assert public is not None and "topic" not in str(public.state["notes"])
    assert "Since when" not in str(public.state["notes"])


def test_every_reader_gets_the_groups_name(
    open_test_store: Callable[..., SQLStore], session: Session
) -> None:
    store = open_test_store()
    roster = load_roster(DEMO_ROSTER)
    store.create(session, "classic", "en", roster)
    for private in (True, False):
        stored = store.load("test", private=private)
        assert stored is not None and stored.group_name == roster.group
    assert roster.group


def test_without_a_roster_the_group_has_no_name(
    open_test_store: Callable[..., SQLStore], session: Session
) -> None:
    store = open_test_store()
    store.create(session, "classic", "en")
    stored = store.load("test", private=False)
    assert stored is not None and stored.group_name == ""
