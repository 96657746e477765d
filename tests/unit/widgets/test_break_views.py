"""Breaks on the pages: the console proposes one when due (``codev-break-start``); during it
every page's countdown carries its end (``codev-break``, hidden by the browser at the end)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import ipywidgets as widgets
import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.roles import Roles
from codevwidgets.core.roster import load_roster
from codevwidgets.core.runbook import Runbook
from codevwidgets.core.session import Session
from codevwidgets.demo import DEMO_ROSTER
from codevwidgets.widgets._view import Texts
from codevwidgets.widgets.console import FacilitatorConsole
from codevwidgets.widgets.participant import ParticipantView
from codevwidgets.widgets.projector import ProjectorView
from tests.unit.widgets.test_countdown_js import node_eval

MIN = 60


@pytest.fixture
def book(classic: Runbook) -> Runbook:
    return replace(classic, break_after_minutes=25, break_minutes=5)


def started(book: Runbook, clock: FakeClock, language: str = "en") -> FacilitatorConsole:
    page = FacilitatorConsole(book, load_roster(DEMO_ROSTER), language, clock)
    page.session.set_roles(Roles(client="Ana", facilitator="Fay", advisors=("Bea", "Cy")))
    page.navigator.start_button.click()
    return page


def shown(widget: widgets.DOMWidget) -> bool:
    return widget.layout.display != "none"


def work_past_the_threshold(page: FacilitatorConsole, clock: FakeClock) -> None:
    for minutes in (10, 15):  # presentation, clarification: 25 minutes worked
        clock.advance(minutes * MIN)
        page.navigator.next_button.click()


def test_the_console_proposes_a_break_once_due(book: Runbook, clock: FakeClock) -> None:
    page = started(book, clock)
    proposal = page.break_proposal
    assert not shown(proposal)
    clock.advance(10 * MIN)
    page.navigator.next_button.click()
    assert not shown(proposal)
    clock.advance(15 * MIN)
    page.navigator.next_button.click()
    assert shown(proposal) and shown(proposal.take) and not shown(proposal.end)
    assert "codev-break-start" in proposal.take._dom_classes
    assert proposal.take.description == "Take a 5-minute break"
    proposal.take.click()
    assert page.session.current_break is not None
    assert not shown(proposal.take) and shown(proposal.end)
    proposal.end.click()
    assert page.session.current_break is None and not shown(proposal)


@pytest.mark.parametrize(
    ("language", "take"),
    [("fr", "Faire une pause de 5 minutes"), ("de", "5 Minuten Pause machen")],
)
def test_the_proposal_in_the_pages_language(
    book: Runbook, clock: FakeClock, language: str, take: str
) -> None:
    page = started(book, clock, language)
    assert page.break_proposal.take.description == take


def test_a_runbook_without_breaks_never_proposes_one(classic: Runbook, clock: FakeClock) -> None:
    page = started(classic, clock)
    clock.advance(90 * MIN)
    page.navigator.next_button.click()
    assert not shown(page.break_proposal)


def test_a_break_taken_elsewhere_leaves_a_refusal_in_words(book: Runbook, clock: FakeClock) -> None:
    page = started(book, clock)
    work_past_the_threshold(page, clock)
    page.session.take_break()  # another console took it first (its state synced here)
    page.break_proposal.send("take_break")
    assert page.break_proposal.message.value == "Not done: a break is already running."


def test_every_page_shows_the_break_until_its_end(
    book: Runbook, clock: FakeClock, tmp_path: Path
) -> None:
    page = started(book, clock)
    session = page.session
    # Followers' kernels: a participant's page and the projector, each on its own copy.
    copies = [Session.from_dict(session.state(), book, clock) for _ in range(2)]
    texts = Texts(book, "en")
    participant = ParticipantView(copies[0], texts, "Bea", lambda *_: None, clock)
    projector = ProjectorView(copies[1], texts, widgets.HTML(), clock)
    countdowns = [page.countdown, participant.countdown, projector.countdown]
    work_past_the_threshold(page, clock)
    clock.advance(2 * MIN)
    assert all(c.break_until_ms is None for c in countdowns)
    page.break_proposal.take.click()
    for copy in copies:
        copy.apply_state(session.state())
    until_ms = round((clock() + 5 * MIN) * 1000)
    assert [c.break_until_ms for c in countdowns] == [until_ms] * 3
    # The digits stand at the step's time left, not the step's plus the break's.
    assert {c.remaining_ms for c in countdowns} == {8 * MIN * 1000}
    assert page.countdown.labels["break"] == "Break — back at {time}"
    # The browser hides it at the end and counts the step again (countdown.js).
    now_ms, deadline_ms = until_ms - 1000, page.countdown.deadline_ms
    sent_ms = page.countdown.server_now_ms
    assert until_ms - sent_ms == 5 * MIN * 1000
    assert node_eval(
        tmp_path,
        f"[c.breakLeft({until_ms}, {now_ms}), c.breakLeft({until_ms}, {until_ms + 5000}),"
        " c.breakLeft(null, 0),"
        f" c.remainingShown('running', {deadline_ms}, {8 * MIN * 1000}, {now_ms}),"
        f" c.remainingShown('running', {deadline_ms}, {8 * MIN * 1000}, {until_ms + 60_000}),"
        # A page's first estimate of the kernel's time, late by the message's transit: never
        # more of the break than the kernel counted when it sent it (5:00, not 5:01).
        f" c.breakLeft({until_ms}, {sent_ms - 900}, {sent_ms})]",
    ) == [1000, 0, 0, 8 * MIN * 1000, 7 * MIN * 1000, 5 * MIN * 1000]
    # A page opened after the break shows none.
    clock.advance(5 * MIN)
    later = ParticipantView(
        Session.from_dict(session.state(), book, clock), texts, "Cy", lambda *_: None, clock
    )
    assert later.countdown.break_until_ms is None
