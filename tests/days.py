"""A day of many groups for the tests, stored as ``codev day new`` stores one (``form_day``,
then ``Store.create_day``), and its groups started as their consoles would."""

from __future__ import annotations

from codevwidgets.core.commands import Command
from codevwidgets.core.day import Day, form_day
from codevwidgets.core.roles import Roles
from codevwidgets.core.roster import Member
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session, new_session_id
from codevwidgets.store.base import DaySecrets, Store

# Ten people in three Troika groups (4, 3, 3), steered by the day's lead.
PEOPLE = ("Ana", "Bo", "Cy", "Di", "Ed", "Flo", "Gus", "Hal", "Ivy", "Jo")
LEAD = "Lea"


def new_day(
    store: Store, people: tuple[str, ...] = PEOPLE, groups: int = 3, runbook: str = "troika"
) -> tuple[Day, DaySecrets]:
    """A day of ``people`` in ``groups`` groups on ``runbook``, its lead facilitating."""
    book = load_preset(runbook)
    ids = [new_session_id() for _ in range(groups)]
    day = form_day(
        [Member(name=name) for name in people],
        book,
        groups=groups,
        facilitators="lead",
        lead=LEAD,
        title="Launch day",
        runbook_ref=runbook,
        session_ids=ids,
    )
    sessions = [Session(book, session_id=sid) for sid in ids]
    return day, store.create_day(day, sessions)


def start_group(store: Store, day: Day, number: int) -> None:
    """Group ``number``'s roles set (its first member the client) and its session started."""
    members = day.members(number)
    roles = Roles(client=members[0], facilitator=LEAD, advisors=tuple(members[1:]))
    session_id = day.group(number).session_id
    store.execute(session_id, Command("set_roles", {"roles": roles.to_dict()}))
    store.execute(session_id, Command("start"))
