"""The client's drift flag: who may raise it (the client's page only), when (while the advisors
consult), one voice for the client's name, the facilitator's clearing, and the log's account."""

from __future__ import annotations

import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import COMMANDS, Command, apply_command, apply_signal
from codevwidgets.core.drift import (
    CLEAR_DRIFT,
    DriftFlag,
    consulting,
    drift_flags,
    drift_standing,
    drift_voice,
    is_client,
)
from codevwidgets.core.effects import Answer
from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.core.signals import DRIFT, SIGNAL_KINDS, SPOKE_TWICE
from codevwidgets.core.voices import Persons, RefusedError


@pytest.fixture
def consultation(session: Session) -> Session:
    session.start()
    session.go_to([s.id for s in session.runbook.steps].index("consultation"))
    return session


@pytest.mark.parametrize(
    ("preset", "steps"),
    [
        ("classic", ["consultation"]),
        ("express", ["consultation"]),
        ("flash", ["consultation"]),
        ("kollegiale", ["consultation"]),
        ("troika", ["round1_consult", "round2_consult", "round3_consult"]),
    ],
)
def test_the_consulting_steps_of_every_preset(preset: str, steps: list[str]) -> None:
    assert [s.id for s in load_preset(preset).steps if consulting(s)] == steps


def test_drift_is_a_signal_kind_and_clearing_it_a_command() -> None:
    assert DRIFT in SIGNAL_KINDS and CLEAR_DRIFT in COMMANDS


@pytest.mark.parametrize(
    ("name", "client"),
    [("Ana", True), ("  ana ", True), ("ANA", True), ("Bruno", False), (None, False), ("", False)],
)
def test_the_client_is_compared_as_names_are(name: str | None, client: bool) -> None:
    assert is_client(Roles("Ana", "Farid", ("Bruno", "Chloé")), name) is client
    assert not is_client(None, name)


def test_the_client_raises_it_in_the_consultation(consultation: Session, clock: FakeClock) -> None:
    effects = apply_signal(consultation, "p1", "ana", DRIFT, True)
    [raised] = effects.raised
    assert (raised.participant, raised.kind, raised.step_id) == ("p1", DRIFT, "consultation")
    # The log says in which step: the record reads it from there.
    assert effects.event.data == {
        "kind": DRIFT,
        "on": True,
        "participant": "p1",
        "step": "consultation",
    }
    assert drift_standing(consultation.signals) == [raised]


@pytest.mark.parametrize("name", ["Bruno", "Farid", "Someone", None])
def test_a_page_that_is_not_the_clients_is_refused(consultation: Session, name: str | None) -> None:
    with pytest.raises(ValueError, match="only the client"):
        apply_signal(consultation, "p2", name, DRIFT, True)
    with pytest.raises(ValueError, match="only the client"):
        apply_signal(consultation, "p2", name, DRIFT, False)
    assert consultation.signals == []


@pytest.mark.parametrize("step", ["presentation", "clarification", "contract", "synthesis"])
def test_outside_the_consultation_it_is_refused(session: Session, step: str) -> None:
    session.start()
    index = [s.id for s in session.runbook.steps].index(step)
    if index:
        session.go_to(index)
    with pytest.raises(ValueError, match="during the consultation"):
        apply_signal(session, "p1", "Ana", DRIFT, True)
    assert session.signals == []


def test_not_before_the_start_nor_after_the_end(session: Session) -> None:
    with pytest.raises(ValueError, match="not running"):
        apply_signal(session, "p1", "Ana", DRIFT, True)
    session.start()
    session.go_to(3)
    session.finish()
    with pytest.raises(ValueError, match="not running"):
        apply_signal(session, "p1", "Ana", DRIFT, True)


def test_troika_rounds_consult_too() -> None:
    book = load_preset("troika")
    session = Session(book, Roles("Ana", "Farid", ("Bruno", "Chloé")), FakeClock())
    session.start()
    session.go_to([s.id for s in book.steps].index("round2_consult"))
    assert apply_signal(session, "p1", "Ana", DRIFT, True).raised[0].step_id == "round2_consult"


def test_the_client_takes_it_back_even_once_the_step_moved_on(consultation: Session) -> None:
    apply_signal(consultation, "p1", "Ana", DRIFT, True)
    apply_command(consultation, Command("next"))
    effects = apply_signal(consultation, "p1", "Ana", DRIFT, False)
    assert effects.answered == (Answer(DRIFT, "p1"),)
    assert consultation.signals == []


def test_it_stands_until_the_facilitator_clears_it(consultation: Session) -> None:
    apply_signal(consultation, "p1", "Ana", DRIFT, True)
    apply_signal(consultation, "p3", "Chloé", "hand", True)
    apply_command(consultation, Command("talk", {"name": "Bruno"}))
    assert len(drift_standing(consultation.signals)) == 1  # other commands leave it
    effects = apply_command(consultation, Command(CLEAR_DRIFT))
    assert effects.answered == (Answer(DRIFT),)
    assert [s.kind for s in consultation.signals] == ["hand"]  # only the flag goes


def test_raising_it_speaks_under_the_clients_name() -> None:
    """One person, one voice: the client's phone flags; a second page under the client's
    name is refused as for ratings, and the console told."""
    first = drift_voice(Persons(), "phone", "Ana", DRIFT, True, "consultation", 5.0)
    assert first.binding is not None and first.refused is None
    assert (first.binding.person, first.binding.page) == ("ana", "phone")
    persons = Persons(spoke={"ana": ("Ana", "phone")})
    assert drift_voice(persons, "phone", "Ana", DRIFT, True, "consultation", 6.0).refused is None
    second = drift_voice(persons, "laptop", "ana", DRIFT, True, "consultation", 7.0)
    assert isinstance(second.refused, RefusedError)
    assert second.refused.key == "voice.spoke_elsewhere"
    assert second.conflict is not None and second.conflict.kind == SPOKE_TWICE
    # Taking it back, and every other signal, speaks for nobody.
    assert drift_voice(persons, "laptop", "Ana", DRIFT, False, "consultation", 8.0).refused is None
    assert drift_voice(Persons(), "p", "Ana", "hand", True, "consultation", 8.0).binding is None


def test_the_log_tells_each_flag_its_step_and_times() -> None:
    def signal(page: str, on: bool, step: str = "consultation") -> dict[str, object]:
        return {"kind": DRIFT, "on": on, "participant": page, "step": step}

    log = [
        (10.0, "start", {}),
        (100.0, "signal", signal("p1", True)),
        (110.0, "signal", {"kind": "hand", "on": True, "participant": "p2"}),
        (120.0, "signal", signal("p1", True)),  # pressed again: the same flag
        (160.0, "clear_drift", {}),
        (200.0, "signal", signal("p1", True, "round2_consult")),
        (230.0, "signal", signal("p1", False)),  # taken back
        (240.0, "signal", signal("p1", False)),  # nothing standing: nothing
        (300.0, "signal", signal("p1", True)),
        (400.0, "clear_drift", {}),
    ]
    assert drift_flags(log[:-1]) == [
        DriftFlag("consultation", 100.0, 160.0, by_facilitator=True),
        DriftFlag("round2_consult", 200.0, 230.0),
        DriftFlag("consultation", 300.0),
    ]
    assert drift_flags(log)[-1] == DriftFlag("consultation", 300.0, 400.0, by_facilitator=True)
