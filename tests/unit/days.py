"""A day of many groups in a store, as ``codev day new`` makes one: its groups formed by
``core.day``, one session per group with roles from its members, created in one transaction."""

from __future__ import annotations

from collections.abc import Sequence

from codevwidgets.core.day import Day, form_day
from codevwidgets.core.roles import Roles
from codevwidgets.core.roster import Member
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.store.base import DaySecrets, Store

# Twelve people, three groups of four (classic, each group's first member facilitates).
TWELVE = tuple(
    "Ana Bruno Chloé David Emma Farid Gabi Hugo Inès Jules Karim Léa".split()  # noqa: SIM905
)


def new_day(
    store: Store,
    people: Sequence[str] | int = TWELVE,
    groups: int = 3,
    runbook: str = "classic",
    facilitators: str | None = None,
) -> tuple[Day, DaySecrets]:
    """A day of ``people`` (names, or a count of free names to come) in ``groups`` groups;
    each named group's session has its members as roles (client: its second member)."""
    book = load_preset(runbook)
    sessions = [Session(book) for _ in range(groups)]
    members = people if isinstance(people, int) else [Member(name=n) for n in people]
    day = form_day(
        members,
        book,
        groups=groups,
        facilitators=facilitators,
        lead="Lead",
        title="Launch day",
        runbook_ref=runbook,
        session_ids=[s.id for s in sessions],
    )
    for group, session in zip(day.groups, sessions, strict=True):
        names = day.members(group.number)
        if names:
            facilitator = group.facilitator or day.lead
            others = [n for n in names if n != facilitator]
            session.set_roles(Roles(others[0], facilitator, tuple(others[1:])))
    return day, store.create_day(day, sessions)
