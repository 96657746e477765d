"""Breaks online: after ``break_after_minutes`` worked, the console proposes a break.

Online sessions tire a group sooner than a room does (METHOD.md, "online fatigue"). A runbook
may say ``break_after_minutes: 45`` and ``break_minutes: 5``: once a step ends with that much
time worked since the start (or since the last break), the console proposes a break; taken
(``Command("take_break")``), it is part of the session's state, so every page shows it and
its browser hides it at its end by the countdown's own corrected clock, as a call of time.

The break stops the step's clock without a pause: the step's deadline moves by the break's
length and its running segment restarts at the break's end, so the countdown resumes where it
was and the step's actual minutes never count the break.

>>> pause = Break(at=1000.0, minutes=5, worked=2700.0)
>>> pause.until, pause.running(1299.0), pause.running(1300.0)
(1300.0, True, False)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from codevwidgets.core.errors import SessionError

if TYPE_CHECKING:
    from codevwidgets.core.clock import Clock
    from codevwidgets.core.runbook import Runbook, Step
    from codevwidgets.core.talk import TalkTimer

__all__ = ["Break", "TakesBreaks", "breaks_from_dicts"]


@dataclass(frozen=True)
class Break:
    """A break taken at ``at`` (epoch seconds) for ``minutes``, after ``worked`` seconds of
    work since the start; ``ended`` when the facilitator ended it early or moved on during it
    (None: it ran its length)."""

    at: float
    minutes: int
    worked: float
    ended: float | None = None

    @property
    def until(self) -> float:
        """When the break ends (or ended): the steps' clock runs again from then."""
        return self.ended if self.ended is not None else self.at + self.minutes * 60

    @property
    def seconds(self) -> float:
        """How long the break was (or is planned to be)."""
        return self.until - self.at

    def running(self, now: float) -> bool:
        return self.at <= now < self.until

    def to_dict(self) -> dict[str, Any]:
        return {"at": self.at, "minutes": self.minutes, "worked": self.worked, "ended": self.ended}

    @classmethod
    def from_dict(cls, data: object) -> Break:
        if not isinstance(data, dict):
            raise ValueError(f"a break is a mapping, not {data!r}")
        at, worked, ended = (_seconds(data.get(name), name) for name in ("at", "worked", "ended"))
        if at is None or worked is None:
            raise ValueError(f"a break needs its time and the time worked before, not {data!r}")
        minutes = data.get("minutes")
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 60:
            raise ValueError(f"a break lasts 1 to 60 whole minutes, not {minutes!r}")
        return cls(at, minutes, worked, ended)


def _seconds(value: object, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"a break's {name} is a number of seconds, not {value!r}")
    return float(value)


def breaks_from_dicts(items: object) -> tuple[Break, ...]:
    """The breaks as ``TakesBreaks`` saved them (none for sessions stored before breaks)."""
    if not isinstance(items, list):
        raise ValueError(f"breaks are a list, not {items!r}")
    return tuple(Break.from_dict(item) for item in items)


class TakesBreaks:
    """A ``Session``'s breaks, kept in a part of their own (mixed into ``Session``, whose
    ``_close_segment`` ends a break early when the step changes, pauses or ends)."""

    _breaks: tuple[Break, ...] = ()
    if TYPE_CHECKING:  # Session's own, declared here for the type checker only
        clock: Clock
        runbook: Runbook
        _status: str
        _spent: dict[str, float]
        _deadline: float | None
        _segment_start: float | None
        _talk: TalkTimer

        @property
        def current_step(self) -> Step: ...

        def _require(self, *statuses: str, action: str) -> None: ...

        def _emit(self, kind: str, **data: Any) -> None: ...

    @property
    def breaks(self) -> tuple[Break, ...]:
        """Every break taken, in order (the record's)."""
        return self._breaks

    @property
    def current_break(self) -> Break | None:
        """The break running now (None: none)."""
        last = self._breaks[-1] if self._breaks else None
        if self._status == "running" and last is not None and last.running(self.clock()):
            return last
        return None

    def worked_since_break(self) -> float:
        """Seconds worked since the start or the last break, by closed segments only: what
        the rule reads when a step ends (a step's running segment counts once it closes)."""
        worked = sum(self._spent.values())
        return max(0.0, worked - (self._breaks[-1].worked if self._breaks else 0.0))

    @property
    def break_due(self) -> bool:
        """Whether the console proposes a break now: the runbook asks for breaks, the session
        runs with no break on, and the work up to the current step's entry (or its last
        pause) reached ``break_after_minutes`` since the start or the last break."""
        after = self.runbook.break_after_minutes
        if after is None or self._status != "running" or self.current_break is not None:
            return False
        return self.worked_since_break() >= after * 60

    def take_break(self) -> None:
        """Start the runbook's break now (while running, no break on): the step's deadline
        moves by the break's length and its clock runs again at the break's end."""
        self._require("running", action="take a break")
        if self.runbook.break_after_minutes is None:
            raise SessionError("this runbook has no breaks (no break_after_minutes)")
        if self.current_break is not None:
            raise SessionError("a break is already running", "timer.break_running")
        assert self._deadline is not None and self._segment_start is not None  # running
        now, minutes = self.clock(), self.runbook.break_minutes
        ran = max(0.0, now - self._segment_start)
        self._spent[self.current_step.id] += ran
        taken = Break(now, minutes, sum(self._spent.values()))
        self._segment_start = taken.until
        self._deadline += minutes * 60
        self._talk.stop(now, self.current_step.id)  # nobody speaks during a break
        self._breaks = (*self._breaks, taken)
        self._emit("break_started", until=taken.until, deadline=self._deadline)

    def end_break(self) -> None:
        """End the running break now: the deadline comes back by what was left of it."""
        self._require("running", action="end a break")
        current = self.current_break
        if current is None:
            raise SessionError("no break is running", "timer.no_break")
        assert self._deadline is not None  # running
        now = self.clock()
        self._deadline -= current.until - now
        self._segment_start = now
        self._breaks = (*self._breaks[:-1], replace(current, ended=now))
        self._emit("break_ended", deadline=self._deadline)

    def _cut_break(self, now: float) -> None:
        """A pause, a step change or the end during a break ends it at ``now``: the group is
        back (the facilitator moved on), and no later step waits for a break that is over."""
        last = self._breaks[-1] if self._breaks else None
        if last is not None and last.running(now):
            self._breaks = (*self._breaks[:-1], replace(last, ended=now))
