"""Advice in disguise on the pages: flagged on the console, asked about on a participant's."""

from __future__ import annotations

import dataclasses

import ipywidgets as widgets
import pytest

from codevwidgets.core.advice import looks_like_advice
from codevwidgets.core.clock import FakeClock
from codevwidgets.core.i18n import Translator
from codevwidgets.core.roles import Roles
from codevwidgets.core.roster import load_roster
from codevwidgets.core.runbook import Runbook
from codevwidgets.core.session import Session
from codevwidgets.demo import DEMO_ROSTER
from codevwidgets.widgets._view import Texts
from codevwidgets.widgets.console import FacilitatorConsole
from codevwidgets.widgets.contributions import ContributionBox, ContributionList

CLARIFICATION, CONSULTATION = 1, 3
ADVICE = "Have you thought about delegating the report to Sam?"
GENUINE = "What have you already tried?"


def by_class(root: widgets.Widget, css: str) -> list[widgets.Widget]:
    found = [root] if css in getattr(root, "_dom_classes", ()) else []
    return found + [w for c in getattr(root, "children", ()) for w in by_class(c, css)]


def visible(widget: widgets.Widget) -> bool:
    return widget.layout.display != "none"


@pytest.fixture
def running(session: Session) -> Session:
    session.start()
    session.go_to(CLARIFICATION)
    return session


# -- the console ---------------------------------------------------------------------------


def test_a_question_that_reads_as_advice_is_flagged_on_the_console(running: Session) -> None:
    said: list[str] = []
    texts = Texts(running.runbook, "en")
    console = ContributionList(running, texts, hide=lambda *_: None, say=said.append)
    running.add_contribution("clarification", "Bruno", GENUINE)
    running.add_contribution("clarification", "Chloé", ADVICE)
    genuine, advice = console.items.children
    assert "codev-advice-flag" not in genuine._dom_classes
    assert by_class(genuine, "codev-advice-reason") == []
    assert "codev-advice-flag" in advice._dom_classes
    (reason,) = by_class(advice, "codev-advice-reason")
    assert reason.value == Translator("en")(
        "console.advice_reason", reason=looks_like_advice(ADVICE, "en")
    )
    assert isinstance(reason, widgets.Label)  # plain text: never HTML
    # The step's first reframing prompt, one click away.
    prompt = texts.of(running.current_step.reframing[0])
    (button,) = by_class(advice, "codev-advice-reframe")
    (shown,) = by_class(advice, "codev-advice-prompt")
    assert not visible(shown)
    button.click()
    assert said == [prompt]
    assert visible(shown) and shown.value == prompt


def test_a_french_question_in_an_english_session_is_flagged_on_the_console(
    running: Session,
) -> None:
    # The French phone flagged it (its page reads French); the English console does too.
    assert running.runbook.language == "en"
    console = ContributionList(running, Texts(running.runbook, "en"), hide=lambda *_: None)
    running.add_contribution("clarification", "Chloé", "Avez-vous pensé à déléguer le rapport ?")
    running.add_contribution("clarification", "David", "Depuis quand cela dure-t-il ?")
    advice, genuine = console.items.children
    assert "codev-advice-flag" in advice._dom_classes
    assert "codev-advice-flag" not in genuine._dom_classes


def test_the_reframing_prompt_reaches_the_console_rules_panel(
    classic: Runbook, clock: FakeClock
) -> None:
    page = FacilitatorConsole(classic, load_roster(DEMO_ROSTER), "fr", clock, cycle_session=2)
    session = page.session
    assert page.roles.confirm()
    page.navigator.start_button.click()
    session.go_to(CLARIFICATION)
    roles = session.roles
    assert roles is not None
    session.add_contribution("clarification", roles.advisors[0], "Et si tu lui en parlais ?")
    (flagged,) = by_class(page, "codev-advice-flag")
    (button,) = by_class(flagged, "codev-advice-reframe")
    button.click()
    prompt = Texts(classic, "fr").of(classic.step("clarification").reframing[0])
    assert page.rules.spoken.value == prompt
    assert visible(page.rules.spoken)
    page.close()


def test_only_clarifying_questions_are_flagged(running: Session) -> None:
    console = ContributionList(running, Texts(running.runbook, "en"), hide=lambda *_: None)
    participant = ContributionList(running, Texts(running.runbook, "en"))
    running.add_contribution("clarification", "Chloé", ADVICE)
    assert len(by_class(console, "codev-advice-flag")) == 1
    # Nobody's question is singled out on the other participants' pages.
    assert by_class(participant, "codev-advice-flag") == []
    running.go_to(CONSULTATION)  # where advice is the point
    running.add_contribution("consultation", "Chloé", "Why not run a pilot with one client?")
    assert by_class(console, "codev-advice-flag") == []


def test_flagged_rows_are_reused_not_rebuilt(running: Session) -> None:
    console = ContributionList(running, Texts(running.runbook, "en"), hide=lambda *_: None)
    running.add_contribution("clarification", "Chloé", ADVICE)
    (row,) = console.items.children
    before = len(widgets.Widget.widgets)
    for i in range(20):
        running.add_contribution("clarification", "Bruno", f"Since when, {i}?")
    assert console.items.children[0] is row
    per_row = (len(widgets.Widget.widgets) - before) / 20
    assert per_row < 12


# -- a participant's box -------------------------------------------------------------------


@pytest.fixture
def box(running: Session) -> tuple[ContributionBox, list[str]]:
    sent: list[str] = []

    def submit(step_id: str, text: str, anonymous: bool, kind: str | None) -> None:
        running.add_contribution(step_id, "Chloé", text, kind)
        sent.append(text)

    return ContributionBox(running, Texts(running.runbook, "en"), submit, "Chloé"), sent


def test_a_genuine_question_is_sent_at_once(box: tuple[ContributionBox, list[str]]) -> None:
    view, sent = box
    view.input.value = GENUINE
    view.send.click()
    assert sent == [GENUINE] and not view.warned and view.input.value == ""


def test_advice_is_asked_about_then_sent_anyway(box: tuple[ContributionBox, list[str]]) -> None:
    view, sent = box
    view.input.value = ADVICE
    view.send.click()
    assert sent == [] and view.warned
    assert view.input.value == ADVICE  # nothing typed is lost
    assert "codev-advice-warning" in view.advice._dom_classes
    reason = looks_like_advice(ADVICE, "en")
    warning = Translator("en")("participant.advice_warning", reason=reason)
    assert view.advice.reason_text.value == warning
    (anyway,) = by_class(view, "codev-advice-send")
    anyway.click()
    assert sent == [ADVICE] and not view.warned and view.input.value == ""
    assert view.message.value == Translator("en")("participant.sent")


def test_advice_is_asked_about_then_rephrased(box: tuple[ContributionBox, list[str]]) -> None:
    view, sent = box
    view.input.value = ADVICE
    view.send.click()
    (rephrase,) = by_class(view, "codev-advice-rephrase")
    rephrase.click()
    assert sent == [] and not view.warned and view.input.value == ADVICE
    view.advice.send_anyway.click()  # a crafted message after the warning has gone sends nothing
    assert sent == []
    view.input.value = "What stops you from delegating the report to Sam?"
    view.send.click()
    assert sent == ["What stops you from delegating the report to Sam?"]


def test_a_new_step_takes_the_warning_away(box: tuple[ContributionBox, list[str]]) -> None:
    view, sent = box
    view.input.value = ADVICE
    view.send.click()
    assert view.warned
    view.session.go_to(CONSULTATION)
    assert not view.warned
    view.send.click()  # advice is welcome in the consultation
    assert sent == [ADVICE]


def test_with_the_option_off_advice_is_sent_at_once(classic: Runbook, clock: FakeClock) -> None:
    off = dataclasses.replace(classic, advice_check=False)
    roles = Roles(client="Ana", facilitator="Farid", advisors=("Bruno", "Chloé", "David"))
    session = Session(off, roles, clock, session_id="off")
    session.start()
    session.go_to(CLARIFICATION)
    sent: list[str] = []
    view = ContributionBox(
        session, Texts(off, "en"), lambda _s, text, _a, _k: sent.append(text), "Chloé"
    )
    view.input.value = ADVICE
    view.send.click()
    assert sent == [ADVICE] and not view.warned


def test_showing_the_hidden_question_by_a_message_sends_nothing(
    box: tuple[ContributionBox, list[str]],
) -> None:
    view, sent = box
    view.input.value = ADVICE
    view.advice.layout.display = ""  # as a crafted message to its layout would
    view.advice.send_anyway.click()
    assert sent == []
