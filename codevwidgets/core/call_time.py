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
from typing import Any

__all__ = ["SHOWN_SECONDS", "TimeCalled", "called_minutes"]

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
