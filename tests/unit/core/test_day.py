"""Forming a day's groups: balanced sizes, teams apart, facilitators, latecomers and moves."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codevwidgets.core.day import (
    LEAD,
    Day,
    DayError,
    form_day,
    group_roles,
    group_roster,
    group_sizes,
    join_day,
    move_person,
    regroup_roles,
)
from codevwidgets.core.roles import Roles
from codevwidgets.core.roster import Member
from codevwidgets.core.runbook import Runbook, load_preset

CLASSIC = load_preset("classic")
TROIKA = load_preset("troika")


def members(count: int, teams: dict[str, int] | None = None) -> list[Member]:
    """``count`` members, the first ones in ``teams`` (team name → how many), in order."""
    labels = [team for team, n in (teams or {}).items() for _ in range(n)]
    return [
        Member(name=f"P{i:02}", team=labels[i] if i < len(labels) else None) for i in range(count)
    ]


def sizes(day: Day) -> list[int]:
    return [len(day.members(g.number)) for g in day.groups]


def test_the_runbooks_group_sizes() -> None:
    assert group_sizes(CLASSIC) == (4, 8)
    assert group_sizes(TROIKA) == (3, 4)


@given(count=st.integers(4, 200), groups=st.integers(1, 40))
def test_groups_are_balanced_or_refused_in_one_line(count: int, groups: int) -> None:
    low, high = count // groups, -(-count // groups)
    if low < 4 or high > 8:
        with pytest.raises(DayError) as refused:
            form_day(members(count), CLASSIC, groups=groups)
        assert "\n" not in str(refused.value)
        return
    day = form_day(members(count), CLASSIC, groups=groups)
    assert len(day.groups) == groups
    assert max(sizes(day)) - min(sizes(day)) <= 1
    assert sum(sizes(day)) == count
    assert all(4 <= s <= 8 for s in sizes(day))


def test_a_size_gives_groups_nearest_it() -> None:
    day = form_day(members(48), CLASSIC, size=8)
    assert sizes(day) == [8] * 6
    assert sizes(form_day(members(26), CLASSIC, size=6)) == [7, 7, 6, 6]


def test_troika_makes_trios_and_a_four_where_the_room_does_not_divide() -> None:
    assert sizes(form_day(members(12), TROIKA, size=3)) == [3, 3, 3, 3]
    assert sorted(sizes(form_day(members(10), TROIKA, size=3))) == [3, 3, 4]
    day = form_day(members(9), TROIKA, size=3)
    assert all(g.facilitator is None for g in day.groups)  # Troika: the lead steers


@pytest.mark.parametrize(
    ("count", "runbook", "ask", "message"),
    [
        (10, CLASSIC, {"groups": 3}, "10 people in 3 groups makes groups of 3 to 4"),
        (30, CLASSIC, {"size": 9}, "--size 9 is outside this runbook's group sizes, 4 to 8"),
        (3, CLASSIC, {"size": 4}, "3 people cannot form one group"),
        (10, TROIKA, {"size": 5}, "--size 5 is outside Troika's group sizes, 3 to 4"),
        (5, TROIKA, {"size": 3}, "5 people cannot be split into groups of about 3"),
        (201, CLASSIC, {"size": 8}, "a day holds at most 200 people, asked 201"),
        (12, CLASSIC, {"groups": 0}, "--groups must be at least 1, got 0"),
        (12, CLASSIC, {}, "give the number of groups (--groups) or their size (--size)"),
        (12, CLASSIC, {"groups": 2, "size": 6}, "not both"),
    ],
)
def test_impossible_days_are_refused_clearly(
    count: int, runbook: Runbook, ask: dict[str, int], message: str
) -> None:
    with pytest.raises(DayError) as caught:
        form_day(members(count), runbook, **ask)  # type: ignore[arg-type]
    assert message in str(caught.value)


def test_one_teams_people_are_spread_over_the_groups() -> None:
    day = form_day(members(24, {"Sales": 8, "Ops": 4, "Legal": 2}), CLASSIC, groups=4)
    per_group = [Counter(p.team for p in day.people if p.group == g.number) for g in day.groups]
    assert [c["Sales"] for c in per_group] == [2, 2, 2, 2]
    assert [c["Ops"] for c in per_group] == [1, 1, 1, 1]
    assert sorted(c["Legal"] for c in per_group) == [0, 0, 1, 1]
    assert sizes(day) == [6, 6, 6, 6]


@given(
    teams=st.lists(st.integers(1, 12), min_size=1, max_size=5),
    extra=st.integers(0, 20),
    groups=st.integers(2, 6),
)
def test_a_team_is_never_more_crowded_in_a_group_than_it_must_be(
    teams: list[int], extra: int, groups: int
) -> None:
    count = sum(teams) + extra
    team_sizes = {f"T{i}": n for i, n in enumerate(teams)}
    try:
        day = form_day(members(count, team_sizes), CLASSIC, groups=groups)
    except DayError:
        return
    assert max(sizes(day)) - min(sizes(day)) <= 1
    for team, n in team_sizes.items():
        spread = [sum(p.team == team for p in day.people if p.group == g) for g in range(1, 7)]
        # As even as the groups allow, whatever the order people came in.
        assert max(spread) <= -(-n // groups) + (1 if n > groups else 0)


def test_the_same_roster_forms_the_same_groups() -> None:
    roster = members(30, {"A": 7, "B": 5})
    assert form_day(roster, CLASSIC, groups=4).people == form_day(roster, CLASSIC, groups=4).people


def test_rotate_gives_each_group_one_of_its_members_as_facilitator() -> None:
    day = form_day(members(16), CLASSIC, groups=2, facilitators="rotate")
    for group in day.groups:
        assert group.facilitator in day.members(group.number)
    roster = group_roster(day, 1)
    assert roster is not None and roster.facilitator == day.groups[0].facilitator


def test_named_facilitators_each_lead_a_group_of_their_own() -> None:
    day = form_day(members(16), CLASSIC, groups=2, facilitators="p05, P11")
    assert [g.facilitator for g in day.groups] == ["P05", "P11"]
    assert "P05" in day.members(1) and "P11" in day.members(2)


@pytest.mark.parametrize(
    ("facilitators", "message"),
    [
        ("P01,Nobody", "--facilitators: 'Nobody' is not in the roster"),
        ("P01", r"names 1 facilitator\(s\) for 2 group\(s\)"),
        ("P01,P01", "a name is given twice"),
    ],
)
def test_bad_facilitators_are_refused(facilitators: str, message: str) -> None:
    with pytest.raises(DayError, match=message):
        form_day(members(16), CLASSIC, groups=2, facilitators=facilitators)


def test_free_names_need_the_lead() -> None:
    day = form_day(48, CLASSIC, size=8)
    assert not day.named and day.expected == 48 and day.people == ()
    assert [g.facilitator for g in day.groups] == [None] * 6
    assert group_roster(day, 1) is None
    for facilitators in ("rotate", "Ana,Bo"):
        with pytest.raises(DayError, match="--facilitators lead"):
            form_day(48, CLASSIC, size=8, facilitators=facilitators)


def test_trios_cannot_facilitate_themselves() -> None:
    with pytest.raises(DayError, match="use --facilitators lead"):
        form_day(members(9), TROIKA, size=3, facilitators="rotate")


def test_the_lead_steers_every_group_and_is_its_rosters_facilitator() -> None:
    day = form_day(members(8), CLASSIC, groups=2, facilitators=LEAD, lead="Maud", title="Launch")
    roster = group_roster(day, 2)
    assert roster is not None
    assert roster.facilitator == "Maud" and roster.group == "Launch · 2"
    assert roster.names == day.members(2)


def test_people_arriving_fill_the_group_with_most_room() -> None:
    day = form_day(7, TROIKA, size=3)  # 2 groups: 4 and 3 places
    groups = []
    for name in ("Ana", "Bo", "Cy", "Di", "Ed", "Flo", "Gus", "Hu"):
        day, group = join_day(day, name)
        groups.append(group)
    assert groups == [1, 2, 1, 2, 1, 2, 1, 2]
    assert join_day(day, " ana ")[1] == 1 and len(day.people) == 8  # known: keeps their group


def test_a_latecomer_joins_the_smallest_group_and_a_bad_name_is_refused() -> None:
    day = form_day(members(13), CLASSIC, groups=3)  # 5, 4, 4
    day, group = join_day(day, "Zoé")
    assert group == 2
    with pytest.raises(DayError, match="name:"):
        join_day(day, "   ")


def test_moves_keep_groups_runnable() -> None:
    day = form_day(members(8), CLASSIC, groups=2, facilitators=LEAD)
    moved = move_person(day, "P00", 2)
    assert moved.person("P00") is not None and moved.person("P00").group == 2  # type: ignore[union-attr]
    with pytest.raises(DayError, match="group 1 would keep 2 member"):
        move_person(move_person(moved, "P02", 2), "P04", 2)
    with pytest.raises(DayError, match="'Nobody' is not in this day"):
        move_person(day, "Nobody", 2)
    with pytest.raises(DayError, match="there is no group 3"):
        move_person(day, "P00", 3)
    assert move_person(day, "P00", 1) is day


def test_a_groups_facilitator_is_not_moved() -> None:
    day = form_day(members(10), CLASSIC, groups=2, facilitators="P00,P01")
    with pytest.raises(DayError, match="P00 facilitates group 1"):
        move_person(day, "P00", 2)


def test_a_day_survives_its_json() -> None:
    day = form_day(members(12, {"A": 3}), CLASSIC, groups=2, title="Été", lead="Maud")
    assert Day.from_dict(day.to_dict()) == day


def test_each_group_starts_with_roles_naming_its_people() -> None:
    day = form_day(members(9), CLASSIC, groups=2, facilitators=LEAD, lead="Maud")
    roles = group_roles(day, 1)
    assert roles is not None and not roles.problems()
    assert roles.facilitator == "Maud"
    assert [roles.client, *roles.advisors] == day.members(1)
    rotating = form_day(members(9), CLASSIC, groups=2)
    own = group_roles(rotating, 2)
    assert own is not None and own.facilitator == rotating.groups[1].facilitator
    assert own.facilitator not in (own.client, *own.advisors)
    assert group_roles(form_day(9, TROIKA, size=3), 1) is None  # free names: nobody yet


def test_roles_follow_a_move() -> None:
    roles = Roles("Ana", "Maud", ("Bo", "Cy", "Di"), note_taker="Cy")
    assert regroup_roles(roles, ["Ana", "Bo", "Di", "Zoé"]) == Roles(
        "Ana", "Maud", ("Bo", "Di", "Zoé")
    )
    assert regroup_roles(roles, ["Bo", "Cy", "Di"]) is None  # the client left
    assert regroup_roles(Roles("Ana", "Maud", ("Bo", "Cy")), ["Ana", "Bo"]) is None  # too few
    assert regroup_roles(None, ["Ana"]) is None
