"""The cycle: one session per member, each member client once, and who facilitates each."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import Any

import icalendar

from codevwidgets.core.roster import Roster, name_key

MAX_EVERY_DAYS = 365
# A session starts at this local time unless ``codev plan --time`` says otherwise: an
# afternoon, when a group of working people most often meets for its 95 minutes.
DEFAULT_TIME = dt.time(14, 0)
MAX_SESSION_MINUTES = 24 * 60  # ends by the next day, which the plan's dates leave room for
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"(\d{1,2}):(\d{2})")
# A fixed namespace so the same group and session number always give the same UID: calendar
# apps then update an imported event instead of duplicating it when the plan is re-exported.
_UID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "codevwidgets.core.cycle")


@dataclass(frozen=True)
class PlannedSession:
    """One session of the cycle.

    Examples
    --------
    >>> PlannedSession(1, dt.date(2027, 1, 4), client="Ana", facilitator="Bea").number
    1
    """

    number: int
    date: dt.date
    client: str
    facilitator: str

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "date": self.date.isoformat(),
            "client": self.client,
            "facilitator": self.facilitator,
        }


@dataclass(frozen=True)
class CyclePlan:
    """The sessions of a cycle, in order, exportable as JSON or as an iCalendar file.

    Examples
    --------
    >>> plan = CyclePlan([PlannedSession(1, dt.date(2027, 1, 4), "Ana", "Bea")])
    >>> plan.to_json()["sessions"][0]["date"]
    '2027-01-04'
    """

    sessions: list[PlannedSession]

    def to_json(self) -> dict[str, Any]:
        return {"sessions": [s.to_json() for s in self.sessions]}

    def to_ics(
        self,
        group: str,
        stamp: dt.datetime | None = None,
        *,
        start: dt.time | None = None,
        minutes: int = 0,
    ) -> bytes:
        """The cycle as an iCalendar file: one event per session, from ``start`` (local
        time) for ``minutes``; without ``start``, all-day events.

        The time is "floating" (RFC 5545, no time zone): the room meets at 14:00 wherever
        the calendar that imports it is set. ``stamp`` (the DTSTAMP, default now in UTC) is a
        parameter so exports can be reproduced byte for byte in tests.
        """
        if start is not None:
            check_minutes(minutes)
        stamp = stamp or dt.datetime.now(dt.UTC)
        calendar = icalendar.Calendar()
        calendar.add("prodid", "-//codevwidgets//Codevelopment cycle//EN")
        calendar.add("version", "2.0")
        calendar.add("x-wr-calname", f"Codevelopment — {group}")
        total = len(self.sessions)
        for session in self.sessions:
            event = icalendar.Event()
            event.add("uid", str(uuid.uuid5(_UID_NAMESPACE, f"{group}/{session.number}")))
            event.add("dtstamp", stamp)
            if start is None:
                event.add("dtstart", session.date)
                # All-day events end on the next day: DTEND is exclusive in iCalendar.
                event.add("dtend", session.date + dt.timedelta(days=1))
            else:
                begins = dt.datetime.combine(session.date, start)
                event.add("dtstart", begins)
                event.add("dtend", begins + dt.timedelta(minutes=minutes))
            summary = f"Codevelopment {session.number}/{total} — client: {session.client}"
            event.add("summary", summary)
            event.add("description", f"Group: {group}\nFacilitator: {session.facilitator}")
            calendar.add_component(event)
        data: bytes = calendar.to_ical()
        return data


def plan_cycle(roster: Roster, start: dt.date, every_days: int) -> CyclePlan:
    """Plan one session per member, every ``every_days`` days from ``start``.

    Members are clients in roster order. A named facilitator facilitates every session,
    except that a facilitator who is also a member cannot facilitate their own session as
    client: there the next member in roster order (wrapping round) stands in. With
    ``rotate``, session ``i`` is facilitated by the member after its client, so each member
    facilitates exactly once and never their own session.

    Examples
    --------
    >>> from codevwidgets.core.roster import Member
    >>> roster = Roster(group="G", facilitator="rotate",
    ...                 members=[Member(name=n) for n in ("Ana", "Bea", "Cy")])
    >>> [(s.client, s.facilitator) for s in plan_cycle(roster, dt.date(2027, 1, 4), 14).sessions]
    [('Ana', 'Bea'), ('Bea', 'Cy'), ('Cy', 'Ana')]
    """
    if not 1 <= every_days <= MAX_EVERY_DAYS:
        raise ValueError(
            f"--every: {every_days} is not a number of days from 1 to {MAX_EVERY_DAYS}"
        )
    names = roster.names
    # Each session is an all-day event that ends the next day: that day must exist too.
    if (dt.date.max - start).days < (len(names) - 1) * every_days + 1:
        raise ValueError(
            f"--start: {start.isoformat()} leaves no room for {len(names)} sessions "
            f"at {every_days}-day intervals (dates stop at {dt.date.max.isoformat()})"
        )
    # A member named as facilitator is shown as the members list spells them.
    named = {name_key(n): n for n in names}.get(name_key(roster.facilitator), roster.facilitator)
    sessions = []
    for i, client in enumerate(names):
        stand_in = names[(i + 1) % len(names)]
        facilitator = stand_in if roster.rotates or named == client else named
        date = start + dt.timedelta(days=i * every_days)
        sessions.append(PlannedSession(i + 1, date, client, facilitator))
    return CyclePlan(sessions)


def parse_start(text: str) -> dt.date:
    """Parse a ``--start`` date given as YYYY-MM-DD."""
    text = text.strip()
    try:
        if _ISO_DATE.fullmatch(text):
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise ValueError(f"--start: {text!r} is not a date (use YYYY-MM-DD)")


def parse_time(text: str) -> dt.time:
    """Parse a ``--time`` of day given as HH:MM (24-hour)."""
    text = text.strip()
    if (found := _TIME.fullmatch(text)) and int(found[1]) < 24 and int(found[2]) < 60:
        return dt.time(int(found[1]), int(found[2]))
    raise ValueError(f"--time: {text!r} is not a time of day (use HH:MM, e.g. 14:00)")


def check_minutes(minutes: int) -> int:
    """``minutes`` if a session can last that long, else ``ValueError`` saying the range."""
    if not 1 <= minutes <= MAX_SESSION_MINUTES:
        raise ValueError(
            f"--minutes: {minutes} is not a number of minutes from 1 to {MAX_SESSION_MINUTES}"
        )
    return minutes
