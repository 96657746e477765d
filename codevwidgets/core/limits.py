"""The kit's limits: how often one page may send, how long a name, how many steps.

The store counts what a page sent lately (its rows, its log); whether one more is too many is
decided here, for contributions and signals alike. The sizes below are checked where a file is
loaded (``roster``, ``runbook``) and where a person types (``joining``), with the same numbers.

A page's kernel refuses first (``PageBudget``, a token bucket per kind of write): a page that
clicks a thousand times a second is turned away before the store is asked or a view rebuilt,
so one scripted page cannot slow the room; the store's count stays the authority on what is
stored.

>>> RateLimit(2, 30.0, "signals").check(recent=1)
>>> RateLimit(2, 30.0, "signals").check(recent=2)  # doctest: +ELLIPSIS
Traceback (most recent call last):
codevwidgets.core.limits.RateLimited: at most 2 signals every 30 seconds: wait a moment ...
"""

from __future__ import annotations

from dataclasses import dataclass, field

from codevwidgets.core.clock import Clock, system_clock

__all__ = [
    "CONTRIBUTIONS",
    "MAX_NAME",
    "MAX_STEPS",
    "NAME_CHANGES",
    "PRESENCE",
    "SIGNALS",
    "Bucket",
    "PageBudget",
    "RateLimit",
    "RateLimited",
]

# A person's name, in a roster or typed on "who are you?": the store's column for an author or
# a signal's sender holds no more, and a longer one would never match a personal link.
MAX_NAME = 100

# Steps in one runbook. The console builds about eleven widgets a step (2,441 for 200 steps),
# and the browser draws them all at once: served by ``codev serve`` and opened in Chromium on
# a busy 2-core machine (2026-12), a console showed in 5 to 8 s with 6 to 45 steps (the load
# varied more than the steps), in 10 to 13 s with 60, and not within 5 minutes with 100 or 200.
# The presets have 6 to 13; a day of two consultations with a check-in and breaks stays well
# under 30.
MAX_STEPS = 30


class RateLimited(ValueError):  # noqa: N818 — the name pages and widgets already catch
    """A participant sent too many contributions (or signals) in a short time."""


@dataclass(frozen=True)
class RateLimit:
    """At most ``most`` ``what`` from one page within ``window`` seconds (``most`` None: no
    limit)."""

    most: int | None
    window: float
    what: str

    def since(self, now: float) -> float:
        """From when a page's sends count, at ``now``."""
        return now - self.window

    def check(self, recent: int) -> None:
        """Refuse one more send when ``recent`` (the page's sends since ``since(now)``) is
        already the most allowed."""
        if self.most is not None and recent >= self.most:
            raise RateLimited(
                f"at most {self.most} {self.what} every {self.window:g} seconds: "
                "wait a moment and send it again"
            )


# What one page may write, in its kernel and (contributions, signals) in the store. A person
# sends a few contributions a step, raises a hand or says ready now and then; a script does not
# get further than this.
CONTRIBUTIONS = RateLimit(5, 30.0, "contributions")
SIGNALS = RateLimit(20, 30.0, "signals")
# A name chosen on "who are you?" (each builds a whole participant view, follows the store and
# writes presence): the first join and four changes a minute. "Not you?" is refused too when no
# change is left, rather than asking a question whose answer would be refused.
NAME_CHANGES = RateLimit(5, 60.0, "name changes")
# Presence beats (a clock sync, about once a minute, and one per name chosen): each opens a
# write transaction, even when core's ``beat`` then decides nothing needs writing.
PRESENCE = RateLimit(10, 60.0, "presence beats")
# Every message a page's websocket sends its kernel (widget changes, clicks, clock syncs): a
# page loading asks for its widgets' states in a few dozen, a person typing sends one a key;
# 600 at once and 60 a second more is far beyond both. A script's flood beyond it is dropped
# by the server before its kernel (or the server's own signing of it) ever sees it.
PAGE_MESSAGES = RateLimit(600, 10.0, "messages")


@dataclass(frozen=True)
class Bucket:
    """A token bucket for one ``RateLimit``: ``left`` tokens at time ``at``.

    Full at first (``most`` at once), refilled at ``most`` per ``window`` seconds, never above
    ``most``. Over a window it lets through up to twice ``most``, more than the store's count
    takes: the store still refuses the extra, the bucket only spares it the flood.

    >>> limit = RateLimit(2, 10.0, "signals")
    >>> bucket = Bucket.full(limit, now=0.0)
    >>> bucket = bucket.take(limit, 0.0); bucket = bucket.take(limit, 0.0)
    >>> bucket.take(limit, 1.0) is None  # empty: refused
    True
    >>> bucket.take(limit, 5.0)  # a token back after window / most seconds
    Bucket(left=0.0, at=5.0)
    """

    left: float
    at: float

    @classmethod
    def full(cls, limit: RateLimit, now: float) -> Bucket:
        return cls(float(limit.most or 0), now)

    def refilled(self, limit: RateLimit, now: float) -> Bucket:
        """The bucket at ``now``: tokens back for the time gone (a clock gone back: none)."""
        most = float(limit.most or 0)
        gained = max(0.0, now - self.at) * most / limit.window
        return Bucket(min(most, self.left + gained), max(now, self.at))

    def take(self, limit: RateLimit, now: float) -> Bucket | None:
        """The bucket after one more write at ``now``; None when there is no token: refused."""
        bucket = self.refilled(limit, now)
        if bucket.left < 1.0:
            return None
        return Bucket(bucket.left - 1.0, bucket.at)


@dataclass
class PageBudget:
    """What one page may still write, counted in its kernel: a ``Bucket`` per ``RateLimit``.

    ``take(limit)`` before the write (raises ``RateLimited``), ``allows(limit)`` to ask
    without taking. Time comes from ``clock``.

    >>> from codevwidgets.core.clock import FakeClock
    >>> budget = PageBudget(FakeClock(0.0))
    >>> for _ in range(5): budget.take(NAME_CHANGES)
    >>> budget.allows(NAME_CHANGES)
    False
    """

    clock: Clock = system_clock
    buckets: dict[RateLimit, Bucket] = field(default_factory=dict)

    def _bucket(self, limit: RateLimit, now: float) -> Bucket:
        return self.buckets.get(limit) or Bucket.full(limit, now)

    def allows(self, limit: RateLimit) -> bool:
        """Whether one more write under ``limit`` would be taken now."""
        if limit.most is None:
            return True
        now = self.clock()
        return self._bucket(limit, now).take(limit, now) is not None

    def take(self, limit: RateLimit) -> None:
        """Count one more write under ``limit``, or raise ``RateLimited`` (nothing counted)."""
        if limit.most is None:
            return
        now = self.clock()
        taken = self._bucket(limit, now).take(limit, now)
        if taken is None:
            limit.check(recent=limit.most)  # the same refusal, in the same words
        else:
            self.buckets[limit] = taken
