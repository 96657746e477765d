"""A day of many groups in a store for the tests, stored as ``codev day new`` stores one
(``core.day.form_day``, each group's first roles from ``core.day.group_roles``, then
``Store.create_day`` in one transaction), and its groups started as their consoles would."""

from __future__ import annotations

from collections.abc import Sequence

from codevwidgets.core.commands import Command
from codevwidgets.core.day import Day, form_day, group_roles
from codevwidgets.core.roster import Member
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session, new_session_id
from codevwidgets.store.base import DaySecrets, Store

# Twelve people, three groups of four (classic, each group's first member facilitates).
TWELVE = tuple(
    "Ana Bruno Chloé David Emma Farid Gabi Hugo Inès Jules Karim Léa".split()  # noqa: SIM905
)
# Ten people in three Troika groups (4, 3, 3), steered by the day's lead.
PEOPLE = ("Ana", "Bo", "Cy", "Di", "Ed", "Flo", "Gus", "Hal", "Ivy", "Jo")
LEAD = "Lea"


def new_day(
    store: Store,
    people: Sequence[str] | int = TWELVE,
    groups: int = 3,
    runbook: str = "classic",
    facilitators: str | None = None,
    lead: str = "Lead",
) -> tuple[Day, DaySecrets]:
    """A day of ``people`` (names, or a count of free names to come) in ``groups`` groups
    on ``runbook``."""
    book = load_preset(runbook)
    ids = [new_session_id() for _ in range(groups)]
    members = people if isinstance(people, int) else [Member(name=n) for n in people]
    day = form_day(
        members,
        book,
        groups=groups,
        facilitators=facilitators,
        lead=lead,
        title="Launch day",
        runbook_ref=runbook,
        session_ids=ids,
    )
    sessions = [Session(book, group_roles(day, n + 1), session_id=sid) for n, sid in enumerate(ids)]
    return day, store.create_day(day, sessions)


def troika_day(store: Store) -> tuple[Day, DaySecrets]:
    """``PEOPLE`` in three Troika groups, the day's lead (``LEAD``) facilitating each."""
    return new_day(store, PEOPLE, 3, "troika", "lead", LEAD)


def start_group(store: Store, day: Day, number: int) -> None:
    """Group ``number``'s session started, with the roles it was made with."""
    store.execute(day.group(number).session_id, Command("start"))
