"""A day of many groups: the people, the groups formed for them, who facilitates each.

A company's launch day (four groups of six to eight managers in one hall), a trainer's
parallel groups, a conference's Troika trios: one room link for everyone, one session per
group. Everything here is decided by core, once: how groups are formed (balanced in size,
people of one team kept apart where possible, as codevelopment keeps a manager and their
report apart), where a latecomer goes (the group with most room), what a move may do. The
store keeps a ``Day`` as it is and applies the new ``Day`` these functions return.
"""

from __future__ import annotations

import math
import secrets
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from codevwidgets.core.roles import MIN_ADVISORS, Roles
from codevwidgets.core.roster import Member, Roster, name_key
from codevwidgets.core.runbook import Runbook
from codevwidgets.core.text import name_problem

__all__ = [
    "LEAD",
    "ROTATE",
    "Day",
    "DayError",
    "DayGroup",
    "DayPerson",
    "form_day",
    "group_roster",
    "group_sizes",
    "join_day",
    "move_person",
    "new_day_id",
    "planned_sizes",
]

LEAD, ROTATE = "lead", "rotate"
# The fewest members a group keeps (a client and MIN_ADVISORS advisors): a move that would
# leave fewer is refused, since the group's session could no longer run.
FEWEST = 1 + MIN_ADVISORS
# How many people one day may hold: a hall of parallel groups, not a conference's plenary.
MOST_PEOPLE = 200


class DayError(ValueError):
    """A day that cannot be formed or changed as asked; the message says why, in one line."""


def new_day_id() -> str:
    return "day-" + secrets.token_urlsafe(9)


@dataclass(frozen=True)
class DayPerson:
    """One person of the day and their group (its number, from 1)."""

    name: str
    group: int
    team: str | None = None


@dataclass(frozen=True)
class DayGroup:
    """One group of the day: its number, its session, and who facilitates it (a member's
    name, or None: the day's lead, from the overview)."""

    number: int
    session_id: str
    facilitator: str | None = None


@dataclass(frozen=True)
class Day:
    """A day as the store keeps it.

    ``named``: the people come from a roster (the join page offers their names); else a day of
    ``expected`` free names (``--people N``), placed as they arrive. ``title``: the day's
    name (the roster's group), shown on the overview and in the summary.
    """

    id: str
    title: str
    runbook_ref: str
    language: str
    lead: str
    named: bool
    expected: int
    groups: tuple[DayGroup, ...]
    people: tuple[DayPerson, ...] = ()

    def group(self, number: int) -> DayGroup:
        for group in self.groups:
            if group.number == number:
                return group
        raise DayError(f"there is no group {number} (the day has {len(self.groups)})")

    def person(self, name: str) -> DayPerson | None:
        key = name_key(name)
        return next((p for p in self.people if name_key(p.name) == key), None)

    def members(self, number: int) -> list[str]:
        return [p.name for p in self.people if p.group == number]

    def group_of_session(self, session_id: str) -> DayGroup | None:
        return next((g for g in self.groups if g.session_id == session_id), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "runbook_ref": self.runbook_ref,
            "language": self.language,
            "lead": self.lead,
            "named": self.named,
            "expected": self.expected,
            "groups": [
                {"number": g.number, "session_id": g.session_id, "facilitator": g.facilitator}
                for g in self.groups
            ],
            "people": [{"name": p.name, "group": p.group, "team": p.team} for p in self.people],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Day:
        return cls(
            id=data["id"],
            title=data["title"],
            runbook_ref=data["runbook_ref"],
            language=data["language"],
            lead=data["lead"],
            named=data["named"],
            expected=data["expected"],
            groups=tuple(DayGroup(**g) for g in data["groups"]),
            people=tuple(DayPerson(**p) for p in data["people"]),
        )


def group_sizes(runbook: Runbook) -> tuple[int, int]:
    """The sizes a group of this runbook may have: Troika Consulting works in threes (a four
    where the room does not divide by three); the other formats in groups of 4 to 8
    (METHOD.md)."""
    return (3, 4) if runbook.client_rotates else (4, 8)


def _balanced(count: int, groups: int) -> list[int]:
    """``count`` people in ``groups`` groups whose sizes differ by one at most."""
    base, extra = divmod(count, groups)
    return [base + (i < extra) for i in range(groups)]


def group_count(people: int, runbook: Runbook, groups: int | None, size: int | None) -> int:
    """How many groups ``people`` make, asked as a number of groups or a size; a
    ``DayError`` when no balanced split fits the runbook's sizes."""
    low, high = group_sizes(runbook)
    kind = "Troika" if runbook.client_rotates else "this runbook"
    if people > MOST_PEOPLE:
        raise DayError(f"a day holds at most {MOST_PEOPLE} people, asked {people}")
    if groups is not None:
        if groups < 1:
            raise DayError(f"--groups must be at least 1, got {groups}")
        sizes = _balanced(people, groups)
        if min(sizes) < low or max(sizes) > high:
            raise DayError(
                f"{people} people in {groups} groups makes groups of {min(sizes)} to"
                f" {max(sizes)}; {kind} needs groups of {low} to {high}"
            )
        return groups
    assert size is not None
    if not low <= size <= high:
        raise DayError(f"--size {size} is outside {kind}'s group sizes, {low} to {high}")
    if people < low:
        raise DayError(f"{people} people cannot form one group: {kind} needs {low} to {high}")
    # The count whose balanced sizes come nearest the size asked, within the runbook's.
    fits = [
        n
        for n in {max(1, math.floor(people / size)), math.ceil(people / size)}
        if low <= min(_balanced(people, n)) and max(_balanced(people, n)) <= high
    ]
    if not fits:
        raise DayError(
            f"{people} people cannot be split into groups of about {size}"
            f" ({kind} needs groups of {low} to {high})"
        )
    return min(fits, key=lambda n: (abs(people / n - size), n))


def form_day(
    people: Sequence[Member] | int,
    runbook: Runbook,
    *,
    groups: int | None = None,
    size: int | None = None,
    facilitators: str | Sequence[str] | None = None,
    lead: str = "",
    title: str = "",
    runbook_ref: str = "classic",
    language: str = "en",
    day_id: str | None = None,
    session_ids: Iterable[str] | None = None,
) -> Day:
    """The day's groups: ``people`` (a roster's members, or a number of free names to come)
    split into ``groups`` groups, or groups of about ``size``.

    Sizes are balanced. Members are dealt team by team, the largest team first, each to the
    smallest group holding fewest of their team, so that a team is spread as evenly as the
    groups allow. ``facilitators``: ``"rotate"`` (each group's first member facilitates it),
    ``"lead"`` (the day's lead steers every group from the overview), or one name per group
    (each a member, placed in a group of their own); by default ``rotate`` for a roster's
    groups, ``lead`` for free names and for Troika's trios, which have no facilitator of their
    own. Raises ``DayError`` with one line.
    """
    named = not isinstance(people, int)
    if facilitators is None:
        facilitators = ROTATE if named and not runbook.client_rotates else LEAD
    if (groups is None) == (size is None):
        raise DayError("give the number of groups (--groups) or their size (--size), not both")
    count = len(people) if not isinstance(people, int) else people
    number = group_count(count, runbook, groups, size)
    smallest = min(_balanced(count, number))
    if facilitators != LEAD and smallest < FEWEST + 1:
        raise DayError(
            f"groups of {smallest} cannot give a facilitator of their own (a client and"
            f" {MIN_ADVISORS} advisors stay): use --facilitators lead"
        )
    ids = list(session_ids) if session_ids is not None else []
    ids += [f"s{i}" for i in range(len(ids), number)]  # placeholders: the caller's sessions
    chosen = _facilitators(facilitators, people, number)
    placed = _deal(people, number, chosen) if not isinstance(people, int) else []
    if facilitators == ROTATE and named:
        chosen = [next(p.name for p in placed if p.group == n + 1) for n in range(number)]
    day_groups = tuple(
        DayGroup(n + 1, ids[n], chosen[n] if chosen else None) for n in range(number)
    )
    return Day(
        id=day_id or new_day_id(),
        title=title,
        runbook_ref=runbook_ref,
        language=language,
        lead=lead,
        named=named,
        expected=count,
        groups=day_groups,
        people=tuple(placed),
    )


def _facilitators(
    facilitators: str | Sequence[str], people: Sequence[Member] | int, number: int
) -> list[str]:
    """The named facilitators, one per group, checked; [] for ``lead`` and ``rotate``."""
    if isinstance(facilitators, str):
        if facilitators in (LEAD, ROTATE):
            if facilitators == ROTATE and isinstance(people, int):
                raise DayError(
                    "free names (--people) have no one to rotate: use --facilitators lead"
                )
            return []
        facilitators = [n.strip() for n in facilitators.split(",") if n.strip()]
    if isinstance(people, int):
        raise DayError("free names (--people) have no names to facilitate: use --facilitators lead")
    names = {name_key(m.name): m.name for m in people}
    chosen = []
    for name in facilitators:
        if name_key(name) not in names:
            raise DayError(f"--facilitators: {name!r} is not in the roster")
        chosen.append(names[name_key(name)])
    if len({name_key(n) for n in chosen}) != len(chosen):
        raise DayError("--facilitators: a name is given twice")
    if len(chosen) != number:
        raise DayError(
            f"--facilitators names {len(chosen)} facilitator(s) for {number} group(s): give one"
            " per group, or rotate, or lead"
        )
    return chosen


def _deal(people: Sequence[Member], number: int, facilitators: list[str]) -> list[DayPerson]:
    """Members dealt into ``number`` balanced groups, teams spread (see ``form_day``); the
    named facilitators first, one per group, in order."""
    capacity = _balanced(len(people), number)
    filled = [0] * number
    teams: list[Counter[str]] = [Counter() for _ in range(number)]
    placed: dict[str, DayPerson] = {}

    def put(member: Member, group: int) -> None:
        filled[group] += 1
        if member.team:
            teams[group][name_key(member.team)] += 1
        placed[name_key(member.name)] = DayPerson(member.name, group + 1, member.team)

    by_name = {name_key(m.name): m for m in people}
    for group, name in enumerate(facilitators):
        put(by_name[name_key(name)], group)
    rest = [m for m in people if name_key(m.name) not in placed]
    team_size = Counter(name_key(m.team) for m in rest if m.team)
    # Largest teams first (they are the hardest to spread), then people without a team;
    # the roster's order within each, so the same roster forms the same groups.
    rest.sort(key=lambda m: -team_size[name_key(m.team)] if m.team else 1)
    for member in rest:
        team = name_key(member.team) if member.team else None
        open_groups = [g for g in range(number) if filled[g] < capacity[g]]
        group = min(
            open_groups,
            key=lambda g: (teams[g][team] if team else 0, filled[g] - capacity[g], g),
        )
        put(member, group)
    order = {name_key(m.name): i for i, m in enumerate(people)}
    return sorted(placed.values(), key=lambda p: (p.group, order[name_key(p.name)]))


def join_day(day: Day, name: str) -> tuple[Day, int]:
    """The day once ``name`` has joined, and their group: a known person keeps theirs; a
    newcomer (a free name, or a latecomer not on the roster) goes to the group with most room
    (fewest members; the lowest number among equals)."""
    known = day.person(name)
    if known is not None:
        return day, known.group
    if not name.strip():
        raise DayError("name: must not be empty")
    if problem := name_problem(name):
        raise DayError(f"name: {problem}")
    count = Counter(p.group for p in day.people)
    group = min((g.number for g in day.groups), key=lambda n: (count[n], n))
    return replace(day, people=(*day.people, DayPerson(name.strip(), group))), group


def move_person(day: Day, name: str, group: int) -> Day:
    """The day once the lead has moved ``name`` to ``group``: refused for someone not in the
    day, a group's facilitator, or a move that would leave their group too small to run."""
    person = day.person(name)
    if person is None:
        raise DayError(f"{name!r} is not in this day")
    target = day.group(group)
    if person.group == target.number:
        return day
    if any(g.facilitator and name_key(g.facilitator) == name_key(name) for g in day.groups):
        raise DayError(f"{person.name} facilitates group {person.group} and stays with it")
    left = len(day.members(person.group)) - 1
    if left < FEWEST:
        raise DayError(
            f"group {person.group} would keep {left} member(s); a group needs at least {FEWEST}"
        )
    moved = replace(person, group=target.number)
    return replace(day, people=tuple(moved if p is person else p for p in day.people))


def group_roster(day: Day, number: int) -> Roster | None:
    """Group ``number``'s roster, as its session keeps it (its names on the pages, its roles
    on the console); None for a day of free names, whose groups have no list."""
    if not day.named:
        return None
    group = day.group(number)
    members = [Member(name=p.name) for p in day.people if p.group == number]
    title = f"{day.title} · {number}" if day.title else f"Group {number}"
    facilitator = group.facilitator or day.lead or LEAD
    return Roster.model_validate(
        {"group": title, "facilitator": facilitator, "members": members},
        context={"members_checked": True},
    )


def planned_sizes(day: Day) -> list[int]:
    """Each group's size, in order: its members for a roster's day; for free names, the
    balanced share of the people expected, as the groups were formed (latecomers aside)."""
    if day.named:
        return [len(day.members(g.number)) for g in day.groups]
    return _balanced(day.expected, len(day.groups))


def group_roles(day: Day, number: int) -> Roles | None:
    """Group ``number``'s first roles: its facilitator (a member, or the day's lead), its
    first other member the client, the others advisors — so every page names the group's
    people from the start; the group's console changes them as the group decides. None for a
    group of free names (nobody known yet) or one too small for the method's roles."""
    group = day.group(number)
    facilitator = group.facilitator or day.lead or LEAD
    others = [n for n in day.members(number) if name_key(n) != name_key(facilitator)]
    if len(others) < 1 + MIN_ADVISORS:
        return None
    return Roles(client=others[0], facilitator=facilitator, advisors=tuple(others[1:]))


def regroup_roles(roles: Roles | None, members: Sequence[str]) -> Roles | None:
    """``roles`` once the group's members are ``members`` (a move, a latecomer): who left has
    no role any more, who came is an advisor; the client and the facilitator keep theirs
    while they stay. None when the group's roles cannot stand (its client left, or too few
    advisors remain): its console sets them again, as before a start."""
    if roles is None:
        return None
    here = {name_key(n) for n in members}
    if name_key(roles.client) not in here:
        return None
    known = {name_key(n) for n in (roles.client, roles.facilitator, *roles.advisors)}
    known |= {name_key(n) for n in roles.observers}
    advisors = [a for a in roles.advisors if name_key(a) in here]
    advisors += [n for n in members if name_key(n) not in known]
    note_taker = roles.note_taker if roles.note_taker in advisors else None
    observers = tuple(o for o in roles.observers if name_key(o) in here)
    kept = Roles(roles.client, roles.facilitator, tuple(advisors), note_taker, observers)
    return kept if not kept.problems() else None
