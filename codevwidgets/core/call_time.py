"""Time called: "5 minutes left", said to every page of a group for a minute.

A day's lead calls time for every group at once from the overview (``Command("call_time",
{"minutes": 5})`` sent to each group's session); the call is part of the session's state, so
every page of the group follows it as it follows a step change. The state keeps when it was
called; each page shows it until ``until`` and its browser hides it then (the countdown's own
clock, corrected to the server's), so no kernel keeps a timer per page.

>>> called = TimeCalled(5, 1000.0)
>>> called.until, called.shown(1059.0), called.shown(1060.0)
(1060.0, True, False)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from codevwidgets.core.clock import Clock

__all__ = ["SHOWN_SECONDS", "CallsTime", "TimeCalled", "called_minutes"]

# How long the pages show a call: long enough to be seen from across a room, short enough
# not to stay on screen while the group is back at work.
SHOWN_SECONDS = 60.0
MOST = 60  # as an extension: a call is about what is left of a step


def called_minutes(minutes: object) -> int:
    """``minutes`` if it is a whole number of minutes a call may announce (1 to 60), else
    ``ValueError`` in one line."""
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 < minutes <= MOST:
        raise ValueError(f"call time with 1 to {MOST} whole minutes left, not {minutes!r}")
    return minutes


@dataclass(frozen=True)
class TimeCalled:
    """Time was called at ``at`` (epoch seconds): ``minutes`` left."""

    minutes: int
    at: float

    @property
    def until(self) -> float:
        """When the pages stop showing it."""
        return self.at + SHOWN_SECONDS

    def shown(self, now: float) -> bool:
        """Whether a page shows the call at ``now`` (a server whose clock is a little behind
        the one that stored the call shows it too)."""
        return now < self.until

    def to_dict(self) -> dict[str, Any]:
        return {"minutes": self.minutes, "at": self.at}

    @classmethod
    def from_dict(cls, data: object) -> TimeCalled | None:
        """A call as ``to_dict`` saved it; None for none (sessions stored before calls)."""
        if data is None:
            return None
        if not isinstance(data, dict):
            raise ValueError(f"a call of time is a mapping, not {data!r}")
        at = data.get("at")
        if isinstance(at, bool) or not isinstance(at, int | float):
            raise ValueError(f"a call of time needs its time, not {at!r}")
        return cls(called_minutes(data.get("minutes")), float(at))


class CallsTime:
    """A ``Session``'s calls of time, kept in a part of its own (mixed into ``Session``, which
    clears ``_called`` when the step changes or the session ends)."""

    _called: TimeCalled | None = None
    if TYPE_CHECKING:  # Session's own, declared here for the type checker only
        clock: Clock

        def _require(self, *statuses: str, action: str) -> None: ...

        def _emit(self, kind: str, **data: Any) -> None: ...

    @property
    def called(self) -> TimeCalled | None:
        """The last time called in the current step (None: none)."""
        return self._called

    def call_time(self, minutes: int) -> None:
        """Tell every page of the group that ``minutes`` (1 to 60) are left: a day's lead
        calls time for all groups at once. Only while running (a paused group is not working
        against the clock). The deadline does not move: a word to the room, not a countdown."""
        minutes = called_minutes(minutes)
        self._require("running", action="call time")
        self._called = TimeCalled(minutes, self.clock())
        self._emit("time_called", minutes=minutes, until=self._called.until)
