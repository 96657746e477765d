"""Roles: the method's rules on who may hold which role, reported as locale keys."""

from __future__ import annotations

import pytest

from codevwidgets.core.roles import Roles, RolesError


def roles(**changes: object) -> Roles:
    base: dict[str, object] = {
        "client": "Ana",
        "facilitator": "Bo",
        "advisors": ("Cy", "Di", "Ed"),
        "note_taker": "Cy",
        "observers": ("Flo",),
    }
    base.update(changes)
    return Roles(**base)  # type: ignore[arg-type]


def test_valid_roles_have_no_problem() -> None:
    assert roles().problems() == []
    roles().validate()


def test_note_taker_and_observers_are_optional() -> None:
    assert roles(note_taker=None, observers=()).problems() == []


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"client": ""}, "roles.error.no_client"),
        ({"client": "   "}, "roles.error.no_client"),
        ({"facilitator": ""}, "roles.error.no_facilitator"),
        ({"facilitator": "Ana"}, "roles.error.client_is_facilitator"),
        ({"facilitator": " ana "}, "roles.error.client_is_facilitator"),
        ({"advisors": ("Cy",), "note_taker": None}, "roles.error.too_few_advisors"),
        ({"advisors": ("Cy", " "), "note_taker": None}, "roles.error.too_few_advisors"),
        ({"advisors": (), "note_taker": None}, "roles.error.too_few_advisors"),
        ({"note_taker": "Zoe"}, "roles.error.note_taker_not_advisor"),
        ({"note_taker": "Ana"}, "roles.error.note_taker_not_advisor"),
        ({"advisors": ("Ana", "Cy", "Di")}, "roles.error.duplicate_person"),
        ({"advisors": ("Bo", "Cy", "Di")}, "roles.error.duplicate_person"),
        ({"advisors": ("Cy", "cy", "Di")}, "roles.error.duplicate_person"),
        ({"observers": ("Di",)}, "roles.error.duplicate_person"),
        ({"observers": ("Ana",)}, "roles.error.duplicate_person"),
    ],
)
def test_each_problem_has_its_key(changes: dict[str, object], key: str) -> None:
    problems = roles(**changes).problems()
    assert key in problems
    with pytest.raises(RolesError) as caught:
        roles(**changes).validate()
    assert key in caught.value.keys


def test_client_as_facilitator_is_not_also_a_duplicate() -> None:
    assert roles(facilitator="Ana").problems() == ["roles.error.client_is_facilitator"]


def test_note_taker_being_an_advisor_is_not_a_duplicate() -> None:
    assert "roles.error.duplicate_person" not in roles(note_taker="Di").problems()


def test_empty_roles_list_every_missing_role() -> None:
    assert Roles("", "", ()).problems() == [
        "roles.error.no_client",
        "roles.error.no_facilitator",
        "roles.error.too_few_advisors",
    ]


def test_roles_error_is_a_value_error_with_keys() -> None:
    error = RolesError(["roles.error.no_client"])
    assert isinstance(error, ValueError)
    assert error.keys == ["roles.error.no_client"]
    assert "roles.error.no_client" in str(error)


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("Ana", "client"),
        ("bo", "facilitator"),
        ("Cy", "note_taker"),
        (" Di ", "advisors"),
        ("Flo", "observers"),
        ("Zoe", None),
        ("", None),
    ],
)
def test_role_of(name: str, role: str | None) -> None:
    assert roles().role_of(name) == role


def test_dict_round_trip() -> None:
    original = roles()
    data = original.to_dict()
    assert data["advisors"] == ["Cy", "Di", "Ed"]
    assert Roles.from_dict(data) == original


@pytest.mark.parametrize(
    "data",
    [
        {"facilitator": "Bo", "advisors": []},
        {"client": "Ana", "facilitator": "Bo", "advisors": None},
        {"client": "Ana", "facilitator": 3, "advisors": []},
        {"client": "Ana", "facilitator": "Bo", "advisors": [], "note_taker": 1},
    ],
)
def test_from_dict_rejects_malformed_data(data: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="malformed roles"):
        Roles.from_dict(data)
