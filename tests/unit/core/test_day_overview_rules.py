"""The overview's rules: the group furthest behind first; what "next step for all" and "pause
all" send each group; when the lead is asked first; who is ready."""

from __future__ import annotations

import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import apply_command
from codevwidgets.core.day_overview import (
    furthest_behind,
    next_for_all,
    pause_for_all,
    pauses,
    ready_count,
    time_remains,
)
from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.core.signals import Signal

ROLES = Roles("Ana", "Lea", ("Bo", "Cy"), observers=("Di",))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1_800_000_000.0)


def group(clock: FakeClock, *, started: bool = True, steps: int = 0) -> Session:
    session = Session(load_preset("classic"), ROLES, clock)
    if started:
        session.start()
    for _ in range(steps):
        session.next()
    return session


def ready(session: Session, *names: str) -> None:
    """``names`` say they are ready with the step (as their pages' signals would)."""
    step = session.current_step.id
    at = session.clock()
    session.replace_signals(
        [*session.signals, *(Signal(n.lower(), n, "ready", step, at) for n in names)]
    )


def test_the_earliest_step_first_then_not_started_before_all_and_finished_last(
    clock: FakeClock,
) -> None:
    ahead, behind, waiting, done = (
        group(clock, steps=2),
        group(clock),
        group(clock, started=False),
        group(clock),
    )
    done.finish()
    assert furthest_behind({1: ahead, 2: behind, 3: waiting, 4: done}) == [3, 2, 1, 4]


def test_at_the_same_step_the_fewest_ready_first(clock: FakeClock) -> None:
    one, two, three = group(clock), group(clock), group(clock)
    ready(one, "Ana", "Bo")
    ready(three, "Ana")
    assert furthest_behind({1: one, 2: two, 3: three}) == [2, 3, 1]


def test_at_the_same_step_and_readiness_the_least_time_left_first(clock: FakeClock) -> None:
    early = group(clock)
    clock.advance(120)  # group 2 started two minutes later: more of its step is left
    late = group(clock)
    clock.advance(540)  # group 1 now in overtime, group 2 not yet
    assert early.remaining() < 0 < late.remaining()
    assert furthest_behind({2: late, 1: early}) == [1, 2]


def test_equal_groups_keep_their_numbers_order(clock: FakeClock) -> None:
    sessions = {n: group(clock, started=False) for n in (3, 1, 2)}
    assert furthest_behind(sessions) == [1, 2, 3]


def test_next_for_all_starts_moves_and_finishes_as_each_console_would(clock: FakeClock) -> None:
    waiting, running, last, done = (
        group(clock, started=False),
        group(clock, steps=1),
        group(clock, steps=5),
        group(clock),
    )
    done.finish()
    commands = next_for_all({1: waiting, 2: running, 3: last, 4: done})
    assert {n: (c.name, dict(c.args)) for n, c in commands.items()} == {
        1: ("start", {}),
        2: ("next", {"step": "clarification"}),
        3: ("finish", {"step": "conclusion"}),
    }
    for number, session in ((1, waiting), (2, running), (3, last)):
        apply_command(session, commands[number])
    assert (waiting.index, running.index, last.status) == (0, 2, "finished")


def test_next_for_all_names_the_step_shown_so_a_group_moved_meanwhile_is_not_moved_twice(
    clock: FakeClock,
) -> None:
    session = group(clock)
    command = next_for_all({1: session})[1]
    session.next()  # its own console moved it on first
    with pytest.raises(Exception, match="nothing was changed"):
        apply_command(session, command)
    assert session.index == 1


def test_the_lead_is_asked_first_while_a_moving_group_has_time_left(clock: FakeClock) -> None:
    session, waiting = group(clock), group(clock, started=False)
    assert time_remains({1: session, 2: waiting}) == session.remaining() > 0
    clock.advance(11 * 60)  # the presentation's ten minutes are up
    assert time_remains({1: session, 2: waiting}) == 0
    assert time_remains({1: waiting}) == 0  # starting a group asks nothing


def test_pause_all_pauses_the_running_groups_then_resumes_the_paused(clock: FakeClock) -> None:
    one, two, waiting = group(clock), group(clock, steps=1), group(clock, started=False)
    two.pause()
    groups = {1: one, 2: two, 3: waiting}
    assert pauses(groups)
    commands = pause_for_all(groups)
    assert {n: (c.name, c.args["step"]) for n, c in commands.items()} == {
        1: ("pause", "presentation")
    }
    apply_command(one, commands[1])
    assert not pauses(groups)
    commands = pause_for_all(groups)
    assert {n: c.name for n, c in commands.items()} == {1: "resume", 2: "resume"}


def test_ready_count_is_everyone_but_the_facilitator(clock: FakeClock) -> None:
    session = group(clock)
    ready(session, "Bo", "Zed")  # Zed is not in the roles, and still counts
    assert ready_count(session.signals, session.roles, "presentation") == (2, 4)
    assert ready_count(session.signals, session.roles, "clarification") == (0, 4)
    assert ready_count(session.signals, None, "presentation") == (2, 2)


def test_call_time_for_all_tells_only_the_running_groups() -> None:
    from codevwidgets.core.clock import FakeClock
    from codevwidgets.core.commands import Command
    from codevwidgets.core.day_overview import call_time_for_all
    from codevwidgets.core.roles import Roles
    from codevwidgets.core.runbook import load_preset
    from codevwidgets.core.session import Session

    clock, book = FakeClock(), load_preset("flash")
    ready, running, paused, ended = (
        Session(book, Roles("Ana", "Bo", ("Cy", "Di")), clock) for _ in range(4)
    )
    for session in (running, paused, ended):
        session.start()
    paused.pause()
    ended.finish()
    groups = {1: ready, 2: running, 3: paused, 4: ended}
    assert call_time_for_all(groups) == {2: Command("call_time", {"minutes": 5})}
