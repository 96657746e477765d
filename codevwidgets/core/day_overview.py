"""The lead's overview of a day: which group shows first, and what a button for every group
does to each. Pure rules over the groups' sessions; the overview's view only calls them.

>>> from codevwidgets.core.clock import FakeClock
>>> from codevwidgets.core.roles import Roles
>>> from codevwidgets.core.runbook import load_preset
>>> from codevwidgets.core.session import Session
>>> clock, book = FakeClock(), load_preset("flash")
>>> one, two = (Session(book, Roles("Ana", "Bo", ("Cy", "Di")), clock) for _ in "12")
>>> one.start(); two.start(); one.next()
>>> furthest_behind({1: one, 2: two})  # group 2 is still at the first step
[2, 1]
>>> {n: c.name for n, c in next_for_all({1: one, 2: two}).items()}
{1: 'next', 2: 'next'}
"""

from __future__ import annotations

from collections.abc import Mapping

from codevwidgets.core.commands import Command
from codevwidgets.core.roles import Roles
from codevwidgets.core.session import Session
from codevwidgets.core.signals import Signal, signals_of_step

__all__ = [
    "CALLED_MINUTES",
    "behind_key",
    "call_time_for_all",
    "furthest_behind",
    "next_for_all",
    "pause_for_all",
    "pauses",
    "ready_count",
    "time_remains",
]

CALLED_MINUTES = 5  # what the overview's "call time" tells every group: "5 minutes left"

Groups = Mapping[int, Session]
"""A day's groups' sessions, by group number."""


def ready_count(signals: list[Signal], roles: Roles | None, step_id: str) -> tuple[int, int]:
    """``(ready, of)`` in step ``step_id``: everyone but the facilitator may say they are
    done with the step (the client, the advisors, the observers); ``of`` is never fewer than
    those who did (a page under a name the roles do not list)."""
    ready = len(signals_of_step(signals, "ready", step_id))
    expected = len([roles.client, *roles.advisors, *roles.observers]) if roles else 0
    return ready, max(expected, ready)


def _stage(session: Session) -> int:
    """How far a group has come: -1 before the start, the step's index while it runs, past
    the last step once finished."""
    if session.status == "ready":
        return -1
    if session.status == "finished":
        return len(session.runbook.steps)
    return session.index


def behind_key(session: Session) -> tuple[int, float, float]:
    """What "furthest behind" sorts by, smallest first: the earliest step; at the same step
    the smallest share of the group ready (the group a synchronised round waits for), then
    the least time left in the step (a group in overtime most of all)."""
    stage = _stage(session)
    if stage < 0 or stage >= len(session.runbook.steps):
        return stage, 0.0, 0.0
    ready, of = ready_count(session.signals, session.roles, session.current_step.id)
    return stage, ready / of if of else 0.0, session.remaining()


def furthest_behind(groups: Groups) -> list[int]:
    """The group numbers, the group furthest behind first (``behind_key``); the lower number
    first among equals, so the order holds still while nothing changes."""
    return sorted(groups, key=lambda number: (behind_key(groups[number]), number))


def _moving(session: Session) -> bool:
    return session.status in {"running", "paused"}


def next_for_all(groups: Groups) -> dict[int, Command]:
    """What "next step for all" sends each group, as its own console's buttons would: a group
    not started starts, a running or paused one goes to its next step (its last step ends the
    session), a finished one gets nothing. Each step-bound command names the step the
    overview showed, so a group moved on meanwhile by its console is refused, not moved twice.
    """
    commands: dict[int, Command] = {}
    for number in sorted(groups):
        session = groups[number]
        if session.status == "ready":
            commands[number] = Command("start")
        elif _moving(session):
            last = session.index == len(session.runbook.steps) - 1
            step = session.current_step.id
            commands[number] = Command("finish" if last else "next", {"step": step})
    return commands


def time_remains(groups: Groups) -> float:
    """The most time left (seconds) among the groups "next step for all" would move on
    before their time is up; 0: none (then the overview moves them without asking)."""
    return max([0.0, *(s.remaining() for s in groups.values() if _moving(s))])


def pauses(groups: Groups) -> bool:
    """Whether the overview's pause button pauses (some group runs) or resumes (none runs)."""
    return any(s.status == "running" for s in groups.values())


def pause_for_all(groups: Groups) -> dict[int, Command]:
    """What "pause all" sends: every running group pauses; when none runs, every paused
    group resumes (one button, as the console's pause and resume)."""
    wanted, command = ("running", "pause") if pauses(groups) else ("paused", "resume")
    return {
        number: Command(command, {"step": groups[number].current_step.id})
        for number in sorted(groups)
        if groups[number].status == wanted
    }


def call_time_for_all(groups: Groups, minutes: int = CALLED_MINUTES) -> dict[int, Command]:
    """What "call time" sends: every running group is told ``minutes`` are left (a group
    paused, not started or ended is not working against the clock: it gets nothing)."""
    return {
        number: Command("call_time", {"minutes": minutes})
        for number in sorted(groups)
        if groups[number].status == "running"
    }
