"""Sessions held on a fake clock: a demo cycle for the cycle notebook, tests and benchmarks.

Each session is driven through the store as a real one is (commands, notes, participants'
contributions), so its record is built exactly as a real session's would be.
"""

from __future__ import annotations

import datetime as dt
import random

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command
from codevwidgets.core.cycle import plan_cycle
from codevwidgets.core.roles import Roles
from codevwidgets.core.roster import Roster, load_roster
from codevwidgets.core.runbook import Runbook, load_preset
from codevwidgets.core.session import Session
from codevwidgets.demo import DEMO_ROSTER
from codevwidgets.store.sqlite import SQLiteStore

NOTES = {
    "topic": "Leading a team through a reorganisation",
    "question": "How do I keep my team engaged while roles are still unclear?",
    "headline": "Engagement in uncertain times",
    "questions": "How many people? Who decides the new roles? What has been said already?",
    "contract": "In this session I'd like you to help me find three ways to keep the team engaged.",
    "ideas": "Weekly open Q&A; co-design the new roles; name what is still unknown.",
    "objective": "Keep the team engaged until the new roles are announced",
    "actions": "1. Open Q&A every Monday\n2. Workshop on the new roles\n3. One-to-ones",
    "resources": "HR partner; the team's own ideas",
    "learnings": "Asking before advising changes the conversation.",
    "evaluation": "A useful session; the contract kept us focused.",
}
DEADLINE = dt.timedelta(days=30)
TEXTS = {
    "questions": "What have you already tried with the team? (question {n})",
    "ideas": "Idea {n}: run a short weekly check-in where people can name what worries them.",
    "learnings": "Learning {n}: slow down before proposing solutions.",
}


def hold_session(
    store: SQLiteStore,
    runbook: Runbook,
    roster: Roster,
    roles: Roles,
    *,
    start: float,
    contributions: int = 12,
    seed: int = 0,
) -> str:
    """Hold one whole session in ``store`` from ``start`` (epoch seconds); its id.

    ``contributions`` questions, ideas and learnings in turn, from the advisors, plus one
    evaluation per member; each step runs its planned minutes give or take a few.
    """
    rng = random.Random(seed)  # noqa: S311 — demo timings, not secrets
    clock = FakeClock(start)
    store.clock = clock
    session = Session(runbook, roles, clock)
    store.create(session, runbook.name, runbook.language, roster)
    sid = session.id
    store.execute(sid, Command("start"))
    collecting = [s for s in runbook.steps if s.collects in TEXTS]
    shares = {s.id: contributions // len(collecting) for s in collecting}
    if collecting:
        shares[collecting[-1].id] += contributions - sum(shares.values())
    people = [*roles.advisors, *([roles.note_taker] if roles.note_taker else [])]
    for index, step in enumerate(runbook.steps):
        if index:
            store.execute(sid, Command("next", {"step": runbook.steps[index - 1].id}))
        for note in step.notes:
            text = NOTES.get(note.id)
            if note.kind == "date":  # the plan's deadline: a month after the session
                text = (dt.datetime.fromtimestamp(start, dt.UTC).date() + DEADLINE).isoformat()
            if text is not None:
                store.execute(
                    sid, Command("set_note", {"step": step.id, "field": note.id,
                                              "text": text})
                )  # fmt: skip
        minutes = step.minutes + rng.choice((-2, -1, 0, 0, 1, 2, 4))
        count = shares.get(step.id, 0)
        for n in range(count):
            clock.advance(max(1, minutes) * 60 / (count + 1))
            author = people[n % len(people)] if people else None
            text = TEXTS[step.collects or ""].format(n=n + 1)
            # A page per person (one person, one voice), and per anonymous contribution.
            page = f"page-{author}" if author else f"page-{n}"
            store.add_contribution(sid, step.id, author, text, None, page)
        if step.evaluation:
            for name in roster.names:
                store.add_contribution(
                    sid,
                    step.id,
                    name,
                    str(rng.choice((4, 4, 5, 5, 3))),
                    "evaluation",
                    f"page-{name}",
                )
        clock.advance(max(1, minutes) * 60 / (count + 1))
        if minutes > step.minutes + 2:
            store.execute(sid, Command("extend", {"minutes": 2, "step": step.id}))
    store.execute(sid, Command("finish", {"step": runbook.steps[-1].id}))
    return sid


def seed_demo_cycle(
    store: SQLiteStore,
    sessions: int = 3,
    *,
    roster: Roster | None = None,
    runbook: Runbook | None = None,
    start: float | None = None,
    every_days: int = 14,
) -> list[str]:
    """Hold the first ``sessions`` sessions of a demo group's cycle; their ids, oldest first.

    ``start`` (epoch seconds) defaults to ``sessions`` periods ago at 14:00 UTC: a cycle
    under way, its sessions held so far in the past.
    """
    if start is None:
        today = dt.datetime.now(dt.UTC).replace(hour=14, minute=0, second=0, microsecond=0)
        start = (today - dt.timedelta(days=sessions * every_days)).timestamp()

    roster = roster or load_roster(DEMO_ROSTER)
    runbook = runbook or load_preset("classic").with_language("en")
    plan = plan_cycle(roster, dt.datetime.fromtimestamp(start, dt.UTC).date(), every_days)
    ids = []
    for i, planned in enumerate(plan.sessions[:sessions]):
        advisors = tuple(n for n in roster.names if n not in {planned.client, planned.facilitator})
        roles = Roles(planned.client, planned.facilitator, advisors)
        at = start + i * every_days * 86_400
        ids.append(hold_session(store, runbook, roster, roles, start=at, seed=i))
    return ids
