"""The shared notes: the client's question and the contract, for every page from the
contract step on, and no other note."""

from __future__ import annotations

import pytest

from codevwidgets.core.notes import contract_step, shared_fields, shared_notes
from codevwidgets.core.runbook import load_preset

CLASSIC = load_preset("classic")
NOTES = {
    "presentation": {"topic": "My team", "question": "How do I lead it?", "headline": "Lead"},
    "clarification": {"questions": "Since when?"},
    "contract": {"contract": "Help me find three ways to keep the team engaged."},
}


def test_the_contract_step_is_the_first_with_a_contract_field() -> None:
    assert contract_step(CLASSIC) == 2
    assert contract_step(load_preset("kollegiale")) == 2  # the key question
    assert contract_step(load_preset("troika")) is None


@pytest.mark.parametrize("index", [0, 1])
def test_nothing_is_shared_before_the_contract_step(index: int) -> None:
    assert shared_fields(CLASSIC, index) == ()
    assert shared_notes(CLASSIC, index, NOTES) == []


@pytest.mark.parametrize("index", [2, 3, 4, 5])
def test_the_question_and_the_contract_from_the_contract_step_on(index: int) -> None:
    assert shared_fields(CLASSIC, index) == (("presentation", "question"), ("contract", "contract"))
    shown = shared_notes(CLASSIC, index, NOTES)
    assert [(n.field_id, n.text) for n in shown] == [
        ("question", "How do I lead it?"),
        ("contract", "Help me find three ways to keep the team engaged."),
    ]
    assert shown[1].label == {
        "fr": "Contrat (dans les mots du client)",
        "en": "Contract (in the client's words)",
    }


def test_a_blank_note_is_not_shown() -> None:
    notes = {"presentation": {"question": "  \n"}, "contract": {"contract": "Help me"}}
    assert [n.field_id for n in shared_notes(CLASSIC, 3, notes)] == ["contract"]


def test_a_runbook_without_a_contract_shares_nothing() -> None:
    troika = load_preset("troika")
    notes = {"round1_present": {"round1_question": "How?"}}
    assert shared_fields(troika, len(troika.steps) - 1) == ()
    assert shared_notes(troika, len(troika.steps) - 1, notes) == []
