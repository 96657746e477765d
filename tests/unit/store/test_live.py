"""LiveLink: consoles and participants' pages follow the store; consoles act through it.

Driven with ``start_thread=False`` and ``watcher.poll()``: what the watcher's thread would do,
without threads or sleeps.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets
import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command
from codevwidgets.core.roster import load_roster
from codevwidgets.core.session import Event, Session, SessionError
from codevwidgets.demo import DEMO_ROSTER
from codevwidgets.store.base import StoreError
from codevwidgets.store.live import LiveLink
from codevwidgets.store.sql import SQLStore
from codevwidgets.widgets._view import Texts
from codevwidgets.widgets.console import FacilitatorConsole
from codevwidgets.widgets.participant import ParticipantView


@pytest.fixture
def store(open_test_store: Callable[..., SQLStore], session: Session) -> SQLStore:
    """The session in a store of each kind; ``store.reopen()`` is another kernel's."""
    store = open_test_store()
    store.create(session, "classic", "en")
    store.reopen = open_test_store  # type: ignore[attr-defined]
    return store


def follower(store: SQLStore, clock: FakeClock, private: bool, **kwargs: object) -> LiveLink:
    """A kernel's link: its own store connection, its own mirror of the session."""
    mine = store.reopen(clock)
    stored = mine.load("test", private=private)
    assert stored is not None
    return LiveLink(
        mine,
        stored.session(clock),
        private=private,
        revision=stored.revision,
        start_thread=False,
        **kwargs,  # type: ignore[arg-type]
    )


def consoles(
    store: SQLStore, clock: FakeClock, count: int = 2
) -> tuple[list[LiveLink], list[FacilitatorConsole]]:
    """``count`` consoles on the session (a laptop, the projector…), each with its link."""
    links = [follower(store, clock, True) for _ in range(count)]
    roster = load_roster(DEMO_ROSTER)
    return links, [
        FacilitatorConsole(
            link.session.runbook, roster, "en", clock, session=link.session, act=link.act
        )
        for link in links
    ]


def test_a_console_follows_what_another_console_did(store: SQLStore, clock: FakeClock) -> None:
    laptop, projector = follower(store, clock, True), follower(store, clock, True)
    laptop.act(Command("start"))
    assert laptop.session.status == "running"  # the sender shows the stored result at once
    assert projector.session.status == "ready"
    assert projector.watcher.poll()
    assert projector.session.status == "running"
    assert projector.session.deadline == laptop.session.deadline


def test_a_refused_command_raises_and_the_sender_shows_the_latest_state(
    store: SQLStore, clock: FakeClock
) -> None:
    laptop, projector = follower(store, clock, True), follower(store, clock, True)
    laptop.act(Command("start"))
    projector.watcher.poll()
    laptop.act(Command("next", {"step": "presentation"}))
    # The projector has not polled yet: it still shows step 1 and sends "next" from there.
    with pytest.raises(SessionError) as refused:
        projector.act(Command("next", {"step": "presentation"}))
    assert refused.value.key == "console.moved_on"
    assert projector.session.current_step.id == "clarification"  # caught up anyway
    assert store.load("test", private=True).state["index"] == 1  # type: ignore[union-attr]


def test_contributions_reach_the_consoles_mirror(store: SQLStore, clock: FakeClock) -> None:
    console = follower(store, clock, True)
    console.act(Command("start"))
    console.act(Command("next", {"step": "presentation"}))
    typed = store.add_contribution("test", "clarification", "Cy", "Since when?", None, "p1")
    assert console.watcher.poll()
    assert console.session.contributions == [typed]
    console.act(Command("hide", {"id": typed.id}))
    assert console.session.contributions[0].hidden  # the console keeps it, marked hidden


def test_a_participant_follows_but_never_loads_notes_or_hidden_texts(
    store: SQLStore, clock: FakeClock
) -> None:
    console, phone = follower(store, clock, True), follower(store, clock, False)
    console.act(Command("start"))
    console.act(Command("set_note", {"step": "presentation", "field": "topic", "text": "Secret"}))
    console.act(Command("next", {"step": "presentation"}))
    off = store.add_contribution("test", "clarification", "Cy", "Off topic", None, "p1")
    console.act(Command("hide", {"id": off.id}))
    assert phone.watcher.poll()
    assert phone.session.current_step.id == "clarification"
    assert phone.session.notes == {}
    assert phone.session.contributions == []


def test_only_what_changed_is_announced(store: SQLStore, clock: FakeClock) -> None:
    console, phone = follower(store, clock, True), follower(store, clock, False)
    events: list[Event] = []
    phone.session.on_change(events.append)
    console.act(Command("set_note", {"step": "presentation", "field": "topic", "text": "x"}))
    assert phone.watcher.poll()
    assert events == []  # a note moved the revision, but nothing a participant sees changed
    console.act(Command("start"))
    phone.watcher.poll()
    assert [e.data["changed"] for e in events] == [["timer"]]
    assert not phone.sync()  # nothing newer: no load applied, no event
    assert len(events) == 1


def test_an_older_state_is_never_applied_over_a_newer_one(
    store: SQLStore, clock: FakeClock
) -> None:
    console = follower(store, clock, True)
    console.act(Command("set_note", {"step": "presentation", "field": "topic", "text": "ab"}))
    typed = console.revision
    console.revision = typed + 5  # as if this kernel already showed a later state
    store.execute(
        "test", Command("set_note", {"step": "presentation", "field": "topic", "text": "a"})
    )
    assert not console.sync()
    assert console.session.notes["presentation"]["topic"] == "ab"


def test_a_change_the_store_could_not_give_is_loaded_on_the_pages_next_beat(
    store: SQLStore, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    phone = follower(store, clock, False)
    store.execute("test", Command("start"))
    with monkeypatch.context() as down:

        def unreachable(*args: object, **kwargs: object) -> None:
            raise StoreError("the store does not answer")

        down.setattr(phone.store, "load", unreachable)
        assert phone.watcher.poll()  # seen by the feed; the load failed (logged, not raised)
        assert phone.session.status == "ready"
        phone.beat()  # still down: nothing, and nothing raised
    assert not phone.watcher.poll()  # the feed has nothing new to say…
    phone.beat()  # …the page's beat loads it
    assert phone.session.status == "running"


def test_a_page_gone_stops_following(store: SQLStore, clock: FakeClock) -> None:
    alive = [True]
    phone = follower(store, clock, False, alive=lambda: alive[0])
    store.execute("test", Command("start"))
    assert phone.watcher.poll()
    assert phone.session.status == "running"
    alive[0] = False
    store.execute("test", Command("pause"))
    phone.watcher.poll()  # noticed, but the page is gone: stop instead of loading
    assert phone.session.status == "running"
    store.execute("test", Command("resume"))
    assert not phone.watcher.poll()  # stopped: polls no more


def test_two_consoles_on_one_session_stay_in_step(store: SQLStore, clock: FakeClock) -> None:
    links, (laptop, projector) = consoles(store, clock)
    assert laptop.roles.confirm()
    links[1].watcher.poll()
    assert projector.session.roles == laptop.session.roles
    assert projector.roles.client.value == laptop.roles.client.value
    laptop.navigator.start_button.click()
    links[1].watcher.poll()
    assert projector.countdown.status == "running"
    projector.navigator.next_button.click()
    projector.navigator.confirm_button.click()
    links[0].watcher.poll()
    assert laptop.navigator.header.title_text == "Clarifying questions"
    # A click on the laptop before it caught up with a move the projector made: refused.
    projector.navigator.next_button.click()
    projector.navigator.confirm_button.click()
    laptop.navigator.next_button.click()
    laptop.navigator.confirm_button.click()
    assert laptop.session.current_step.id == "contract"
    assert "moved the session on" in laptop.navigator.message.value
    assert store.load("test", private=True).state["index"] == 2  # type: ignore[union-attr]
    # Notes: different fields both kept; the same field, the last keystroke wins.
    laptop.notes.fields["contract"].value = "Help me decide"
    links[1].watcher.poll()
    assert projector.notes.fields["contract"].value == "Help me decide"
    projector.notes.fields["contract"].value = "Help me decide by Friday"
    links[0].watcher.poll()
    box = laptop.notes.boxes["contract", "contract"]
    assert box.area.value == "Help me decide by Friday"
    assert box.notice.layout.display == "none"  # the laptop's text is kept in it: no loss
    laptop.notes.fields["contract"].value = "Help me choose a pilot"
    projector.notes.fields["contract"].value = "Help me hire"  # at once, before it followed
    links[0].watcher.poll()
    assert box.area.value == "Help me hire"
    assert box.notice.layout.display != "none"  # the laptop's box says it was replaced
    box.restore.click()
    links[1].watcher.poll()
    assert projector.notes.fields["contract"].value == "Help me choose a pilot"
    # +1 min from the projector: the laptop shows it, the step does not change.
    projector.timer_controls.plus_one.click()
    links[0].watcher.poll()
    assert laptop.session.remaining() == 11 * 60
    assert laptop.session.current_step.id == "contract"


@pytest.mark.filterwarnings("ignore:Widget.widgets is deprecated")
def test_views_stay_steady_over_a_long_session(store: SQLStore, clock: FakeClock) -> None:
    [console_link], [console] = consoles(store, clock, 1)
    phone_link = follower(store, clock, False)

    def submit(step: str, text: str, anonymous: bool, kind: str | None) -> None:
        store.add_contribution("test", step, "Cy", text, kind, "p")

    phone = ParticipantView(
        phone_link.session, Texts(phone_link.session.runbook, "en"), "Chloé", submit, clock
    )
    store.rate_limit = None
    console.roles.confirm()
    console.navigator.start_button.click()
    phone_link.watcher.poll()

    def walk(changes: int) -> None:
        for i in range(changes):
            index = console.session.index
            step = console.session.current_step.id
            forward = index < 3 if i % 8 < 4 else index == 0  # to and fro across the steps
            console.act(Command("next" if forward else "previous", {"step": step}))
            phone_link.watcher.poll()
            if console.session.current_step.collects and i % 2 == 0:
                for _ in range(4):
                    phone.box.input.value = f"Idea {i}"
                    phone.box.click_send()
                console_link.watcher.poll()
                number = console.session.contributions[-1].id
                console.act(Command("hide", {"id": number}))
                phone_link.watcher.poll()

    walk(20)  # warm up: every step visited once
    console.act(Command("go_to", {"index": 0}))
    phone_link.watcher.poll()
    before = len(widgets.Widget.widgets)
    walk(44)  # a widget leaked per change or per contribution would show 44 times over
    console.act(Command("go_to", {"index": 0}))
    phone_link.watcher.poll()
    added = len(console.session.contributions)
    assert added >= 80
    assert len(widgets.Widget.widgets) - before <= 5
    phone.close()
    console.close()


def test_a_click_on_a_page_that_has_not_drawn_the_new_step_is_refused(
    store: SQLStore, clock: FakeClock
) -> None:
    links, (laptop, projector) = consoles(store, clock)
    laptop.roles.confirm()
    laptop.navigator.start_button.click()
    links[1].watcher.poll()
    # The projector's browser drew step 1 and said so; its kernel then follows the laptop to
    # step 2, but the click comes from a page still showing step 1.
    projector.countdown._on_message(
        projector.countdown, {"type": "shown", "step": "presentation"}, []
    )
    projector.navigator.next_button.click()  # confirm offered for step 1
    laptop.navigator.next_button.click()
    laptop.navigator.confirm_button.click()
    links[1].watcher.poll()
    assert projector.session.current_step.id == "clarification"
    projector.navigator.confirm_button.click()
    projector.timer_controls.plus_one.click()
    assert "moved the session on" in projector.navigator.message.value
    assert "moved the session on" in projector.timer_controls.message.value
    stored = store.load("test", private=True)
    assert stored is not None
    assert stored.state["index"] == 1
    assert set(stored.state["extra"].values()) == {0.0}
    # Once the page says it drew step 2, its clicks count.
    projector.countdown._on_message(
        projector.countdown, {"type": "shown", "step": "clarification"}, []
    )
    projector.timer_controls.plus_one.click()
    assert store.load("test", private=True).state["extra"]["clarification"] == 60.0  # type: ignore[union-attr]
    for bad in (
        {"type": "shown", "step": 5},
        {"type": "shown", "step": "x" * 65},
        {"type": "shown"},
    ):
        projector.countdown._on_message(projector.countdown, bad, [])
    assert projector.countdown.shown_step == "clarification"


def test_a_change_made_while_a_page_was_being_built_is_not_missed(
    store: SQLStore, clock: FakeClock
) -> None:
    mine = store.reopen(clock)
    stored = mine.load("test", private=False)
    assert stored is not None
    store.execute("test", Command("start"))  # the facilitator starts meanwhile
    link = LiveLink(
        mine, stored.session(clock), private=False, revision=stored.revision, start_thread=False
    )
    assert link.session.status == "running"


def test_closing_a_page_ends_its_subscriptions_and_its_link(
    store: SQLStore, clock: FakeClock
) -> None:
    [console_link], [console] = consoles(store, clock, 1)
    phone_link = follower(store, clock, False)
    console.link = console_link
    phone = ParticipantView(
        phone_link.session, Texts(phone_link.session.runbook, "en"), "Chloé", lambda *a: None
    )
    phone.link = phone_link
    assert console.session._callbacks and phone.session._callbacks
    console.close()
    phone.close()
    assert console.session._callbacks == []
    assert phone.session._callbacks == []
    store.execute("test", Command("start"))
    assert not console_link.watcher.poll()  # stopped following the store
    assert not phone_link.watcher.poll()


def test_a_console_cannot_overwrite_roles_it_had_not_seen(
    store: SQLStore, clock: FakeClock
) -> None:
    links, (laptop, projector) = consoles(store, clock)
    links[1].watcher.poll()
    laptop.roles.note_taker.value = "David"
    chosen = store.load("test", private=True).state["roles"]  # type: ignore[union-attr]
    projector.roles.observers.value = "Guest"  # before the projector followed the laptop
    assert "changed the roles" in projector.roles.message.value
    assert store.load("test", private=True).state["roles"] == chosen  # type: ignore[union-attr]
    assert projector.roles.note_taker.value == "David"  # it shows the stored roles now
