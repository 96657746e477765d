"""The step navigator, driven without a browser: click() and assert state."""

from __future__ import annotations

import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.session import Session
from codevwidgets.widgets._view import Texts
from codevwidgets.widgets.navigator import StepNavigator


def visible(widget: object) -> bool:
    return widget.layout.display != "none"  # type: ignore[attr-defined]


def navigator(session: Session, language: str = "en") -> StepNavigator:
    return StepNavigator(session, Texts(session.runbook, language))


def test_before_start_only_start_is_offered(session: Session) -> None:
    nav = navigator(session)
    assert visible(nav.start_button)
    assert not any(map(visible, [nav.next_button, nav.previous_button, nav.confirm_button]))
    assert nav.header.title_text == "Presentation of the problem"
    assert '<div class="codev-step-title">Presentation of the problem</div>' in nav.header.value
    assert "codev-next-step" in nav.next_button._dom_classes
    assert "codev-previous-step" in nav.previous_button._dom_classes
    assert "codev-confirm" in nav.confirm_button._dom_classes


def test_start_without_roles_shows_the_reason(classic, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    nav = navigator(Session(classic, clock=clock))
    nav.start_button.click()
    assert nav.session.status == "ready"
    assert "Choose a client." in nav.message.value


def test_next_while_time_remains_asks_once(session: Session, clock: FakeClock) -> None:
    nav = navigator(session)
    nav.start_button.click()
    clock.advance(60)
    nav.next_button.click()
    assert session.index == 0
    assert visible(nav.confirm_button)
    assert "9:00" in nav.confirm_button.description
    nav.confirm_button.click()
    assert session.index == 1
    assert not visible(nav.confirm_button)
    assert nav.header.title_text == "Clarifying questions"
    assert session.remaining() == 15 * 60  # the new step's countdown started by itself


def test_next_after_time_is_up_moves_at_once(session: Session, clock: FakeClock) -> None:
    nav = navigator(session)
    nav.start_button.click()
    clock.advance(10 * 60 + 5)
    nav.next_button.click()
    assert session.index == 1


def test_previous_loses_nothing(session: Session, clock: FakeClock) -> None:
    nav = navigator(session)
    nav.start_button.click()
    session.set_note("presentation", "topic", "Team reorganisation")
    clock.advance(4 * 60)
    nav.next_button.click()
    nav.confirm_button.click()
    clock.advance(60)
    nav.previous_button.click()
    assert session.index == 0
    assert session.notes["presentation"]["topic"] == "Team reorganisation"
    assert session.remaining() == 6 * 60


def test_rows_show_planned_and_actual_minutes(session: Session, clock: FakeClock) -> None:
    nav = navigator(session)
    nav.start_button.click()
    clock.advance(12 * 60)
    nav.next_button.click()  # time is up: moves at once
    _, minutes, bar = nav.rows[0]
    assert minutes.value == "planned 10 min · took 12 min"
    assert bar.value == 1.0
    assert bar.bar_style == "danger"
    assert "codev-step-current" in nav.rows[1][0]._dom_classes


def test_last_step_offers_finish(session: Session, clock: FakeClock) -> None:
    nav = navigator(session, "fr")
    nav.start_button.click()
    session.go_to(len(session.runbook.steps) - 1)
    assert visible(nav.finish_button)
    assert not visible(nav.next_button)
    assert nav.header.title_text == "Conclusion : évaluation et apprentissages"
    clock.advance(16 * 60)
    nav.finish_button.click()
    assert session.status == "finished"


@pytest.mark.parametrize(
    ("language", "planned", "actual"),
    [
        ("en", "planned 15 min", "planned 10 min · took 12 min"),
        ("fr", "prévu 15 min", "prévu 10 min · réel 12 min"),
        ("de", "geplant 15 Min.", "geplant 10 Min. · tatsächlich 12 Min."),
    ],
)
def test_rows_label_planned_and_actual_minutes(
    session: Session, clock: FakeClock, language: str, planned: str, actual: str
) -> None:
    """Labels, not bare numbers: which is the plan and which the time taken is written."""
    nav = navigator(session, language)
    assert nav.rows[1][1].value == planned  # not reached yet: its plan only
    nav.start_button.click()
    clock.advance(12 * 60)
    nav.next_button.click()
    assert nav.rows[0][1].value == actual


def test_after_the_end_the_ratings_stay_open_until_close_the_ratings(
    session: Session, clock: FakeClock
) -> None:
    nav = navigator(session, "fr")
    nav.start_button.click()
    assert not visible(nav.close_ratings_button) and not visible(nav.ratings_note)
    session.go_to(len(session.runbook.steps) - 1)
    clock.advance(16 * 60)
    nav.finish_button.click()
    assert visible(nav.close_ratings_button) and visible(nav.ratings_note)
    assert nav.close_ratings_button.description == "Fermer les évaluations"
    nav.close_ratings_button.click()
    assert not session.ratings_open
    assert not visible(nav.close_ratings_button) and not visible(nav.ratings_note)
