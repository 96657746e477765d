"""One person, one voice (core.voices): which page may rate, contribute or join under which name."""

from __future__ import annotations

import pytest

from codevwidgets.core.signals import SPOKE_TWICE, Signal, signals_from_dicts
from codevwidgets.core.voices import (
    Binding,
    Persons,
    claim,
    join_refusal,
    speak,
    spoke_twice,
)

ANA_ON_P1 = Persons(spoke={"ana": ("Ana", "p1")})


def test_a_first_voice_binds_the_name_to_the_page() -> None:
    voice = speak(Persons(), "p1", " ana ", "conclusion", 5.0)
    assert voice.binding == Binding("ana", " ana ", "p1")
    assert voice.refused is None and voice.conflict is None


def test_the_same_page_speaks_again_under_its_name() -> None:
    # A change of mind, a reload (the same page id): nothing new to store, nothing refused.
    voice = speak(ANA_ON_P1, "p1", "ANA", "conclusion", 5.0)
    assert voice.binding is None and voice.refused is None and voice.conflict is None


def test_an_anonymous_contribution_speaks_for_nobody() -> None:
    voice = speak(ANA_ON_P1, "p2", None, "consultation", 5.0)
    assert voice.binding is None and voice.refused is None


def test_a_page_that_spoke_as_ana_cannot_speak_as_bruno() -> None:
    """The four-names phone: it rated as Ana, then "not you?" as Bruno."""
    voice = speak(ANA_ON_P1, "p1", "Bruno", "conclusion", 5.0)
    assert voice.refused is not None
    assert (voice.refused.key, voice.refused.name) == ("voice.page_spoke", "Ana")
    assert voice.binding is None and voice.conflict is None
    assert isinstance(voice.refused, ValueError)  # pages that catch ValueError still refuse


def test_a_second_page_under_a_name_is_refused_and_the_console_told() -> None:
    voice = speak(ANA_ON_P1, "p2", "ana", "conclusion", 7.0)
    assert voice.refused is not None
    assert (voice.refused.key, voice.refused.name) == ("voice.spoke_elsewhere", "Ana")
    assert voice.binding is None
    assert voice.conflict == Signal("p2", "Ana", SPOKE_TWICE, "conclusion", 7.0)


@pytest.mark.parametrize(
    ("persons", "name", "pages", "personal", "refused"),
    [
        (Persons(), "Ana", ["p1"], False, None),
        (ANA_ON_P1, "Ana", ["p1"], False, None),  # "not you?", then Ana again
        (ANA_ON_P1, "Bruno", ["p1"], False, ("voice.page_spoke", "Ana")),
        # A new tab of the phone that spoke as Ana (the device remembers that page).
        (ANA_ON_P1, "Bruno", ["p9", "p1"], False, ("voice.page_spoke", "Ana")),
        # Another device may join as Ana (it will not be counted if it rates).
        (ANA_ON_P1, "Ana", ["p2"], False, None),
        (Persons(claimed={"chloe": "p3"}), "chloé", ["p4"], False, None),  # another name
        (Persons(claimed={"chloé": "p3"}), "Chloé", ["p4"], False, ("voice.claimed", "Chloé")),
        (Persons(claimed={"chloé": "p3"}), "CHLOÉ", ["p4"], True, None),  # her personal link
        (Persons(claimed={"chloé": "p3"}), "Chloé", ["p3"], False, None),  # her own page
    ],
)
def test_who_may_join_under_which_name(
    persons: Persons,
    name: str,
    pages: list[str],
    personal: bool,
    refused: tuple[str, str] | None,
) -> None:
    found = join_refusal(persons, name, pages, personal=personal)
    assert (found.key, found.name) == refused if found else refused is None


def test_the_first_claim_keeps_the_name() -> None:
    assert claim(Persons(), " Chloé ", "p3") == "chloé"
    assert claim(Persons(claimed={"chloé": "p3"}), "chloé", "p4") is None


def test_the_console_lists_each_name_spoken_twice_once() -> None:
    rows = [
        Signal("p5", "Bruno", SPOKE_TWICE, "conclusion", 20.0),
        Signal("p4", "Ana", SPOKE_TWICE, "conclusion", 10.0),
        Signal("p6", "bruno", SPOKE_TWICE, "conclusion", 30.0),
        Signal("p7", "Chloé", "hand", "conclusion", 5.0),
    ]
    assert spoke_twice(rows) == ["Ana", "Bruno"]
    # Stored and loaded back as the console's other rows are.
    assert signals_from_dicts([{**vars(rows[0])}]) == [rows[0]]
