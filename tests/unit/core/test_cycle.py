from __future__ import annotations

import datetime as dt
from collections import Counter

import icalendar
import pytest

from codevwidgets.core.cycle import (
    CyclePlan,
    PlannedSession,
    parse_start,
    parse_time,
    plan_cycle,
)
from codevwidgets.core.roster import Member, Roster

START = dt.date(2027, 1, 4)
NAMES = ["Ana", "Bea", "Cy", "Dee", "Eli", "Fay", "Gus", "Hal", "Ivy", "Jo", "Kim", "Lou"]


def roster(count: int, facilitator: str = "rotate") -> Roster:
    return Roster(
        group="Managers",
        facilitator=facilitator,
        members=[Member(name=n) for n in NAMES[:count]],
    )


@pytest.mark.parametrize("count", range(3, 13))
def test_rotation_invariants(count: int) -> None:
    sessions = plan_cycle(roster(count), START, 14).sessions
    assert [s.number for s in sessions] == list(range(1, count + 1))
    assert [s.client for s in sessions] == NAMES[:count]
    assert all(s.facilitator != s.client for s in sessions)
    facilitations = Counter(s.facilitator for s in sessions)
    assert set(facilitations) <= set(NAMES[:count])
    counts = [facilitations.get(name, 0) for name in NAMES[:count]]
    assert max(counts) - min(counts) <= 1


@pytest.mark.parametrize("count", range(3, 13))
def test_named_member_facilitator_hands_over_own_session(count: int) -> None:
    sessions = plan_cycle(roster(count, facilitator="bea"), START, 14).sessions
    assert [s.client for s in sessions] == NAMES[:count]
    assert all(s.facilitator != s.client for s in sessions)
    # Bea (members[1]) is client in session 2; the next member in rotation stands in.
    assert sessions[1].facilitator == "Cy"
    assert all(s.facilitator == "Bea" for i, s in enumerate(sessions) if i != 1)


def test_last_member_facilitator_wraps_to_first() -> None:
    sessions = plan_cycle(roster(3, facilitator="Cy"), START, 7).sessions
    assert [s.facilitator for s in sessions] == ["Cy", "Cy", "Ana"]


def test_outside_facilitator_facilitates_every_session() -> None:
    sessions = plan_cycle(roster(5, facilitator="Zoé Tremblay"), START, 21).sessions
    assert {s.facilitator for s in sessions} == {"Zoé Tremblay"}


def test_dates_step_by_every_days() -> None:
    sessions = plan_cycle(roster(4), dt.date(2027, 12, 20), 14).sessions
    assert [s.date for s in sessions] == [
        dt.date(2027, 12, 20),
        dt.date(2028, 1, 3),
        dt.date(2028, 1, 17),
        dt.date(2028, 1, 31),
    ]


@pytest.mark.parametrize("every", [1, 365])
def test_every_bounds_accepted(every: int) -> None:
    assert len(plan_cycle(roster(3), START, every).sessions) == 3


@pytest.mark.parametrize("every", [0, -7, 366])
def test_every_out_of_range(every: int) -> None:
    with pytest.raises(ValueError, match=rf"--every: {every} is not a number of days from 1"):
        plan_cycle(roster(3), START, every)


def test_json_shape() -> None:
    plan = plan_cycle(roster(3), START, 14)
    assert plan.to_json() == {
        "sessions": [
            {"number": 1, "date": "2027-01-04", "client": "Ana", "facilitator": "Bea"},
            {"number": 2, "date": "2027-01-18", "client": "Bea", "facilitator": "Cy"},
            {"number": 3, "date": "2027-02-01", "client": "Cy", "facilitator": "Ana"},
        ]
    }


def test_ics_round_trip() -> None:
    plan = plan_cycle(roster(6), START, 14)
    stamp = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    data = plan.to_ics("Managers", stamp=stamp)
    calendar = icalendar.Calendar.from_ical(data)
    assert calendar["PRODID"]
    events = calendar.walk("VEVENT")
    assert len(events) == 6
    for event, session in zip(events, plan.sessions, strict=True):
        assert event.decoded("DTSTART") == session.date
        assert event.decoded("DTEND") == session.date + dt.timedelta(days=1)
        assert event.decoded("DTSTAMP") == stamp
    assert str(events[1]["SUMMARY"]) == "Codevelopment 2/6 — client: Bea"
    assert "Facilitator: Cy" in str(events[1]["DESCRIPTION"])
    assert len({str(e["UID"]) for e in events}) == 6
    # Same group and plan, same bytes: re-importing updates events instead of duplicating.
    assert plan.to_ics("Managers", stamp=stamp) == data


def test_ics_uid_depends_on_group() -> None:
    plan = CyclePlan([PlannedSession(1, START, "Ana", "Bea")])
    uid = [str(icalendar.Calendar.from_ical(plan.to_ics(g)).walk("VEVENT")[0]["UID"]) for g in "AB"]
    assert uid[0] != uid[1]


def test_parse_start() -> None:
    assert parse_start(" 2027-01-04 ") == START


@pytest.mark.parametrize("text", ["2027-13-01", "2027-02-30", "20270104", "04/01/2027", ""])
def test_parse_start_rejects(text: str) -> None:
    with pytest.raises(ValueError, match=r"--start: '.*' is not a date \(use YYYY-MM-DD\)"):
        parse_start(text)


def test_parse_start_message_quotes_input() -> None:
    with pytest.raises(ValueError, match="--start") as info:
        parse_start("2027-13-01")
    assert str(info.value) == "--start: '2027-13-01' is not a date (use YYYY-MM-DD)"


def test_a_timed_calendar_gives_each_session_its_start_and_length() -> None:
    plan = plan_cycle(roster(4), dt.date(2027, 12, 31), 7)
    data = plan.to_ics("G", start=dt.time(23, 0), minutes=95)
    events = list(icalendar.Calendar.from_ical(data).walk("VEVENT"))
    assert events[0].decoded("dtstart") == dt.datetime(2027, 12, 31, 23, 0)
    assert events[0].decoded("dtend") == dt.datetime(2028, 1, 1, 0, 35)  # past midnight
    assert b"DTSTART:20271231T230000\r\n" in data  # floating: the room's local time
    with pytest.raises(ValueError, match="--minutes: 0 is not"):
        plan.to_ics("G", start=dt.time(9, 0), minutes=0)


@pytest.mark.parametrize(("text", "time"), [("14:00", dt.time(14)), (" 9:05 ", dt.time(9, 5))])
def test_parse_time(text: str, time: dt.time) -> None:
    assert parse_time(text) == time


@pytest.mark.parametrize("text", ["25:00", "2pm", "14h", "14:60", "", "1400", "-1:00"])
def test_parse_time_refuses_what_is_not_a_time_of_day(text: str) -> None:
    with pytest.raises(ValueError, match=r"^--time: .* is not a time of day \(use HH:MM"):
        parse_time(text)
