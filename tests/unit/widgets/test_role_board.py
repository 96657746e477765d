"""The role board: choose from the roster, refuse impossible assignments."""

from __future__ import annotations

import datetime as dt

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.cycle import plan_cycle
from codevwidgets.core.roster import Member, Roster
from codevwidgets.core.runbook import Runbook
from codevwidgets.core.session import Session
from codevwidgets.widgets._view import Texts
from codevwidgets.widgets.role_board import RoleBoard

ROSTER = Roster(
    group="Demo",
    facilitator="rotate",
    members=[Member(name=n) for n in ("Ana", "Bruno", "Chloé", "David", "Emma")],
)


def board(classic: Runbook, clock: FakeClock, language: str = "en", **kw) -> RoleBoard:  # type: ignore[no-untyped-def]
    session = Session(classic, clock=clock)
    return RoleBoard(session, Texts(classic, language), ROSTER, **kw)


def test_suggests_the_cycle_plan_and_defaults_advisors(classic: Runbook, clock: FakeClock) -> None:
    planned = plan_cycle(ROSTER, dt.date(2027, 1, 11), 14).sessions[2]
    roles = board(classic, clock, suggested=planned)
    assert roles.client.value == planned.client
    assert roles.facilitator.value == planned.facilitator
    assert planned.client in roles.suggestion.value
    assert set(roles.advisors.value) == set(ROSTER.names) - {planned.client, planned.facilitator}
    assert roles.confirm()
    assert roles.session.roles is not None
    assert roles.session.roles.client == planned.client
    assert "Roles confirmed." in roles.message.value
    assert planned.client in roles.summary.value


def test_refuses_client_as_facilitator(classic: Runbook, clock: FakeClock) -> None:
    roles = board(classic, clock)
    roles.facilitator.value = roles.client.value
    roles.advisors.value = ("Bruno", "Chloé")
    assert not roles.confirm()
    assert roles.session.roles is not None  # the last valid roles stay
    assert roles.session.roles.facilitator != roles.client.value
    assert "cannot also be the facilitator" in roles.message.value
    assert "codev-error" in roles.message._dom_classes


def test_refuses_no_client_and_too_few_advisors(classic: Runbook, clock: FakeClock) -> None:
    roles = board(classic, clock, "fr")
    roles.client.value = ""
    roles.advisors.value = ("Bruno",)
    assert not roles.confirm()
    assert "Choisissez un client." in roles.message.value
    assert "au moins deux consultants" in roles.message.value


def test_note_taker_and_observers(classic: Runbook, clock: FakeClock) -> None:
    roles = board(classic, clock)
    roles.note_taker.value = roles.advisors.value[0]
    roles.observers.value = " Guest One , Guest Two,"
    assert roles.confirm()
    chosen = roles.session.roles
    assert chosen is not None
    assert chosen.note_taker == roles.advisors.value[0]
    assert chosen.observers == ("Guest One", "Guest Two")


def test_outside_facilitator_is_offered(classic: Runbook, clock: FakeClock) -> None:
    roster = ROSTER.model_copy(update={"facilitator": "Zoé Martin"})
    session = Session(classic, clock=clock)
    roles = RoleBoard(session, Texts(classic, "en"), roster)
    assert "Zoé Martin" in roles.facilitator.options
    roles.facilitator.value = "Zoé Martin"
    assert len(roles.advisors.value) == 4
    assert roles.confirm()


def test_a_reopened_session_keeps_its_roles(classic: Runbook, clock: FakeClock) -> None:
    from codevwidgets.core.roles import Roles

    roles = Roles("Emma", "David", ("Ana", "Bruno"), note_taker="Ana", observers=("Guest",))
    session = Session(classic, roles, clock)
    planned = plan_cycle(ROSTER, dt.date(2027, 1, 11), 14).sessions[0]
    board = RoleBoard(session, Texts(classic, "en"), ROSTER, suggested=planned)
    assert session.roles == roles
    assert board.client.value == "Emma"
    assert board.advisors.value == ("Ana", "Bruno")
    assert board.observers.value == "Guest"
    assert "Emma" in board.summary.value
