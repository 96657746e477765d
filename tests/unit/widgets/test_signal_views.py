"""The console's talk timer, hand queue and ready count; a participant's own signal buttons."""

from __future__ import annotations

import re

import ipywidgets as widgets
import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command, local_act
from codevwidgets.core.session import Session
from codevwidgets.core.signals import Signal
from codevwidgets.widgets._view import Texts, ticking_text
from codevwidgets.widgets.hands import HandQueue, ParticipantSignals, ReadyPanel
from codevwidgets.widgets.talk import TalkPanel


@pytest.fixture
def texts(session: Session) -> Texts:
    return Texts(session.runbook, "en")


@pytest.fixture
def running(session: Session) -> Session:
    session.start()
    return session


def hand(who: str, at: float, name: str | None = None, kind: str = "hand") -> Signal:
    return Signal(who, name if name is not None else who.upper(), kind, "presentation", at)


# -- talk time -------------------------------------------------------------------------------


def test_a_button_per_person_one_click_switches_one_stops(
    running: Session, texts: Texts, clock: FakeClock
) -> None:
    panel = TalkPanel(running, texts)
    buttons = {b.description: b for b in panel.buttons.children}
    assert list(buttons) == ["Ana", "Bruno", "Chloé", "David"]
    assert all("codev-talk-button" in b._dom_classes for b in buttons.values())
    buttons["Bruno"].click()
    clock.advance(65)
    buttons["Ana"].click()  # one click switches
    assert running.speaker == "Ana"
    assert buttons["Ana"].button_style == "success" and buttons["Bruno"].button_style == ""
    clock.advance(5)
    buttons["Ana"].click()  # one click on the speaker stops
    assert running.speaker is None
    assert "<td>Bruno</td><td>1:05</td><td>1:05</td>" in panel.times.value
    assert "<td>Ana</td><td>0:05</td><td>0:05</td>" in panel.times.value
    running.next()
    assert "<td>Bruno</td><td>0:00</td><td>1:05</td>" in panel.times.value  # per step, total


def test_the_consultation_names_who_has_not_spoken(
    running: Session, texts: Texts, clock: FakeClock
) -> None:
    panel = TalkPanel(running, texts)
    assert panel.hint.value == ""  # only in the consultation
    running.go_to([s.id for s in running.runbook.steps].index("consultation"))
    assert "Bruno has not spoken yet" in panel.hint.value
    panel.click("Bruno")
    clock.advance(3)
    panel.click("Chloé")
    assert "Bruno" not in panel.hint.value
    assert "David has not spoken yet" in panel.hint.value


def test_no_talk_before_the_start(session: Session, texts: Texts) -> None:
    panel = TalkPanel(session, texts)
    assert all(b.disabled for b in panel.buttons.children)
    panel.click("Ana")  # refused quietly: nothing changes
    assert session.speaker is None


def untick(value: str) -> str:
    """The HTML with the ticking spans' texts only."""
    return re.sub(r'<span class="codev-ticking" data-since-ms="\d+">([^<]*)</span>', r"\1", value)


# -- hands -----------------------------------------------------------------------------------


def test_the_queue_in_the_order_raised_with_waiting_time(
    running: Session, texts: Texts, clock: FakeClock
) -> None:
    now = clock()
    queue = HandQueue(running, texts, clock=clock)
    assert queue.queue.value == "No hand raised."
    running.replace_signals(
        [hand("c", now - 5), hand("a", now - 125), hand("x", now - 30, name="")]
    )
    assert untick(queue.queue.value) == (
        "<ol><li>A · 2:05</li><li>Participant x · 0:30</li><li>C · 0:05</li></ol>"
    )
    # Each waiting time goes on in the page from when the hand was raised.
    assert f'data-since-ms="{round((now - 125) * 1000)}">2:05</span>' in queue.queue.value
    queue.lower_buttons.children[1].click()  # the facilitator lowers one
    assert [s.participant for s in running.signals] == ["c", "a"]
    assert "<li>A · 2:05</li><li>C · 0:05</li>" in untick(queue.queue.value)
    queue.lower_all.click()
    assert running.signals == [] and queue.lower_buttons.children == ()


@pytest.mark.filterwarnings("ignore:Widget.widgets is deprecated")
def test_refreshing_the_queue_leaves_no_widget_behind(running: Session, texts: Texts) -> None:
    queue = HandQueue(running, texts)
    running.replace_signals([hand("a", 1.0)])
    before = len(widgets.Widget.widgets)
    for i in range(50):
        running.replace_signals([hand("a", 1.0), hand(f"b{i}", 2.0)])
    assert len(widgets.Widget.widgets) - before <= 5
    queue.close()


# -- ready and more time ---------------------------------------------------------------------


def test_ready_count_and_who_reset_at_each_step(running: Session, texts: Texts) -> None:
    panel = ReadyPanel(running, texts)
    assert panel.count.value == "0 of 4 ready"  # the client and three advisors
    running.replace_signals([hand("a", 1.0, kind="ready"), hand("b", 2.0, "Bo", "hand")])
    assert panel.count.value == "1 of 4 ready"
    assert panel.who.value == "Ready: A"
    running.next()
    assert panel.count.value == "0 of 4 ready" and panel.who.value == ""


def test_more_time_at_zero_counted_and_given(
    running: Session, texts: Texts, clock: FakeClock
) -> None:
    panel = ReadyPanel(running, texts)
    assert panel.give.layout.display == "none"
    clock.advance(10 * 60)
    running.replace_signals(
        [hand("a", clock(), kind="more_time"), hand("b", clock(), kind="more_time")]
    )
    assert panel.more_time.value == "2 ask for 2 more minutes"
    assert panel.give.layout.display is None
    panel.give.click()  # the facilitator decides
    assert running.remaining() == 120.0
    assert panel.more_time.value == "" and panel.give.layout.display == "none"


def test_more_time_turned_down(running: Session, texts: Texts, clock: FakeClock) -> None:
    panel = ReadyPanel(running, texts)
    assert panel.keep.layout.display == "none"
    clock.advance(10 * 60)
    running.replace_signals([hand("a", clock(), kind="more_time"), hand("b", clock())])
    assert panel.keep.description == "Keep to the time" and panel.keep.layout.display is None
    panel.keep.click()  # the facilitator keeps to the time
    assert running.remaining() <= 0
    assert [s.kind for s in running.signals] == ["hand"]
    assert panel.more_time.value == "" and panel.keep.layout.display == "none"


# -- a participant's own buttons -------------------------------------------------------------


def test_a_participant_raises_sees_their_place_and_lowers(
    running: Session, texts: Texts, clock: FakeClock
) -> None:
    sent: list[tuple[str, bool]] = []

    def send(kind: str, on: bool) -> None:  # what the store would then hold
        sent.append((kind, on))
        others = [s for s in running.signals if not (s.participant == "me" and s.kind == kind)]
        mine = [Signal("me", None, kind, running.current_step.id, clock())] if on else []
        running.replace_signals(others + mine)

    running.replace_signals([hand("first", clock() - 10)])
    page = ParticipantSignals(running, texts, "me", send)
    assert "codev-hand" in page.hand._dom_classes and "codev-ready" in page.ready._dom_classes
    assert page.hand.description == "Raise my hand" and page.place.value == ""
    page.hand.click()
    assert page.place.value == "Your hand is up: number 2 in the queue."
    assert page.hand.description == "Lower my hand"
    local_act(running)(Command("lower_hand", {"participant": "first"}))
    assert page.place.value == "Your hand is up: number 1 in the queue."
    page.ready.click()
    assert page.ready.description == "Not done after all"
    page.more_time.click()  # before zero: not sent
    assert page.message.value.startswith("You can ask for more time once")
    clock.advance(10 * 60)
    page.more_time.click()
    page.hand.click()
    assert sent == [("hand", True), ("ready", True), ("more_time", True), ("hand", False)]
    assert page.place.value == "" and page.more_time.description == "More time asked"
    running.next()
    assert page.ready.description == "I am done with this step"  # a new step: not ready yet


def test_a_refused_signal_says_so(running: Session, texts: Texts) -> None:
    def refuse(kind: str, on: bool) -> None:
        raise ValueError("the session is not running")

    page = ParticipantSignals(running, texts, "me", refuse)
    page.hand.click()
    assert page.message.value == "Not possible right now."


def test_the_console_has_the_aids(session: Session) -> None:
    from codevwidgets.core.roster import Roster
    from codevwidgets.widgets.console import FacilitatorConsole

    roster = Roster.model_validate(
        {
            "group": "G",
            "facilitator": "Farid",
            "members": [{"name": n} for n in ("Ana", "Bruno", "Chloé", "David", "Farid")],
        }
    )
    console = FacilitatorConsole(session.runbook, roster, session=session)
    console.act(Command("start"))
    assert [b.description for b in console.talk.buttons.children][:2] == ["Ana", "Bruno"]
    assert console.ready.count.value == "0 of 4 ready"
    console.close()


def test_waiting_and_speaking_times_tick_in_the_page(
    running: Session, texts: Texts, clock: FakeClock
) -> None:
    # 75 s waited at kernel time 1000 s: the page counts on from 925 000 ms.
    assert ticking_text(75.0, 1000.0) == (
        '<span class="codev-ticking" data-since-ms="925000">1:15</span>'
    )
    assert ticking_text(75.0, 1000.0, ticks=False) == "1:15"
    panel = TalkPanel(running, texts)
    panel.click("Bruno")
    clock.advance(65)
    # Only the speaker's two times tick, from when they would have been 0:00.
    since = round((clock() - 65) * 1000)
    panel.refresh()
    assert panel.times.value.count("codev-ticking") == 2
    assert f'<td>Bruno</td><td><span class="codev-ticking" data-since-ms="{since}">1:05' in (
        panel.times.value
    )
    panel.click("Bruno")  # stopped: nothing ticks
    assert "codev-ticking" not in panel.times.value
