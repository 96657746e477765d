"""The roster file: who is in the codevelopment group and who facilitates.

A roster that loads can hold a session: every name is one a personal link can carry
(``text.name_problem``), and the group is large enough for a client, a facilitator and the
advisors ``roles`` requires, whoever the facilitator is.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from codevwidgets.core.problems import InputError, Problem, problem_at, problems_from_validation
from codevwidgets.core.roles import MIN_ADVISORS
from codevwidgets.core.text import name_problem
from codevwidgets.core.yamlsource import YamlDocument, YamlSyntaxError, read_yaml

MIN_MEMBERS = 3
MAX_MEMBERS = 12
ROTATE = "rotate"

_KNOWN_FIELDS: dict[str, Iterable[str]] = {
    "": ("group", "facilitator", "members"),
    "members": ("name", "email", "team"),
}
# load_roster checks member count and names on the raw YAML so it can point at the exact
# item; this context tells the model not to report the same problems a second time.
_CHECKED_BY_LOADER = {"members_checked": True}


def _not_blank(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


Text = Annotated[str, AfterValidator(_not_blank)]


def name_key(name: str) -> str:
    """How names are compared: ``" Ana "`` and ``"ana"`` are the same person."""
    return name.strip().casefold()


class Member(BaseModel):
    """One member of the group.

    Examples
    --------
    >>> Member(name="Ana", email="ana@example.org").name
    'Ana'
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Text
    email: str | None = None
    # The member's team in the organisation: a day of many groups keeps one team's people
    # apart where it can (a manager and their report are not in one group).
    team: str | None = None

    @field_validator("team")
    @classmethod
    def _blank_team(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @field_validator("email")
    @classmethod
    def _loose_email(cls, value: str | None) -> str | None:
        # Deliberately loose: real address validation belongs to the mail server, this only
        # catches a name typed into the wrong field.
        if value is None or not value.strip():
            return None
        value = value.strip()
        if "@" not in value:
            raise ValueError(f"{value!r} is not an email address (no '@')")
        return value


class Roster(BaseModel):
    """A codevelopment group: its name, its facilitator and its 3 to 12 members.

    ``facilitator`` is a member's name, an outside facilitator's name, or ``"rotate"``.

    Examples
    --------
    >>> roster = Roster(
    ...     group="Managers",
    ...     facilitator="rotate",
    ...     members=[Member(name=n) for n in ("Ana", "Bea", "Cy")],
    ... )
    >>> roster.rotates, roster.names
    (True, ['Ana', 'Bea', 'Cy'])
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    group: Text
    facilitator: Text
    members: list[Member]

    @field_validator("facilitator")
    @classmethod
    def _normalise_rotate(cls, value: str) -> str:
        return ROTATE if value.casefold() == ROTATE else value

    @field_validator("members")
    @classmethod
    def _count_and_unique(cls, members: list[Member], info: ValidationInfo) -> list[Member]:
        if info.context and info.context.get("members_checked"):
            return members
        problem = _count_problem(len(members))
        if problem:
            raise ValueError(problem)
        seen: set[str] = set()
        for member in members:
            if name_key(member.name) in seen:
                raise ValueError(f"{member.name!r} is listed twice (names must be unique)")
            seen.add(name_key(member.name))
        return members

    @property
    def names(self) -> list[str]:
        return [m.name for m in self.members]

    @property
    def rotates(self) -> bool:
        return self.facilitator == ROTATE


def load_roster(path: Path, *, most: int = MAX_MEMBERS) -> Roster:
    """Read and validate a roster file, raising `InputError` with every problem found.

    ``most``: how many members it may list (a day of many groups lists everyone of the day,
    ``core.day.MOST_PEOPLE``); a roster of more than ``MAX_MEMBERS`` is a day's, not one
    session's, and is not checked for one session's roles."""
    try:
        doc = read_yaml(path)
    except YamlSyntaxError as exc:
        raise InputError([Problem(exc.file, exc.line, "(file)", exc.message)]) from None
    problems = [problem_at(doc, loc, "is given more than once") for loc in doc.duplicates]
    problems += _member_problems(doc, most)
    roster = None
    try:
        roster = Roster.model_validate(doc.data, context=_CHECKED_BY_LOADER)
    except ValidationError as exc:
        problems += problems_from_validation(exc, doc, _KNOWN_FIELDS)
    if roster is not None and not problems and most <= MAX_MEMBERS:
        problems += _session_problems(roster, doc)
    if problems or roster is None:
        raise InputError(sorted(problems, key=lambda p: p.line))
    return roster


def members_needed(roster: Roster) -> int:
    """How many members a session of ``roster`` needs: a client and ``MIN_ADVISORS``
    advisors, and the facilitator too when they come from the group (``rotate``, or a member
    named), as ``cycle.plan_cycle`` picks them.

    >>> members_needed(Roster(group="G", facilitator="rotate",
    ...                       members=[Member(name=n) for n in ("Ana", "Bea", "Cy")]))
    4
    """
    from_group = roster.rotates or name_key(roster.facilitator) in map(name_key, roster.names)
    return 1 + MIN_ADVISORS + from_group


def _session_problems(roster: Roster, doc: YamlDocument) -> list[Problem]:
    """A group that loads but could never start a session (its roles would not validate).

    Checked at load, not by the model: sessions stored before this rule keep their roster.
    """
    needed = members_needed(roster)
    if len(roster.members) >= needed:
        return []
    who = "with rotate" if roster.rotates else "with a member as facilitator"
    message = (
        f"{who}, a session needs {needed} members (a client, a facilitator from the group and"
        f" {MIN_ADVISORS} advisors), found {len(roster.members)}"
    )
    return [problem_at(doc, ("facilitator",), message)]


def _count_problem(count: int, most: int = MAX_MEMBERS) -> str | None:
    if MIN_MEMBERS <= count <= most:
        return None
    found = f"found {count}" if count else "found none"
    whose = "a group" if most <= MAX_MEMBERS else "a day"
    return f"{whose} needs {MIN_MEMBERS} to {most} members, {found}"


def _member_problems(doc: YamlDocument, most: int = MAX_MEMBERS) -> list[Problem]:
    """Names, count and uniqueness, checked on the raw list so a duplicate is shown where it
    is. Names are checked here, not by the model: a session stored before the rule keeps its
    roster."""
    problems = []
    facilitator: Any = doc.data.get("facilitator")
    if isinstance(facilitator, str) and (problem := name_problem(facilitator)):
        problems.append(problem_at(doc, ("facilitator",), problem))
    members: Any = doc.data.get("members")
    if not isinstance(members, list):
        return problems  # missing or wrong type: the model reports it
    count_problem = _count_problem(len(members), most)
    if count_problem:
        problems.append(problem_at(doc, ("members",), count_problem))
    first_seen: dict[str, int] = {}
    for index, item in enumerate(members):
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, str) or not name.strip():
            continue
        if problem := name_problem(name):
            problems.append(problem_at(doc, ("members", index, "name"), problem))
            continue
        first = first_seen.setdefault(name_key(name), index)
        if first != index:
            message = f"{name.strip()!r} is already listed as members[{first}]"
            problems.append(problem_at(doc, ("members", index, "name"), message))
    return problems
