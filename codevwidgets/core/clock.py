"""Injected time: the core asks a clock for the time, never ``time.time()`` directly."""

from __future__ import annotations

import time
from collections.abc import Callable

Clock = Callable[[], float]
"""Seconds since the epoch, as ``time.time()`` returns them."""


def system_clock() -> float:
    return time.time()


class FakeClock:
    """A clock for tests: stands still until told to move.

    >>> clock = FakeClock(1000.0)
    >>> clock.advance(90)
    >>> clock()
    1090.0
    """

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
