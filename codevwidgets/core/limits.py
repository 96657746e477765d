"""The kit's limits: how often one page may send, how long a name, how many steps.

The store counts what a page sent lately (its rows, its log); whether one more is too many is
decided here, for contributions and signals alike. The sizes below are checked where a file is
loaded (``roster``, ``runbook``) and where a person types (``joining``), with the same numbers.

>>> RateLimit(2, 30.0, "signals").check(recent=1)
>>> RateLimit(2, 30.0, "signals").check(recent=2)  # doctest: +ELLIPSIS
Traceback (most recent call last):
codevwidgets.core.limits.RateLimited: at most 2 signals every 30 seconds: wait a moment ...
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MAX_NAME", "MAX_STEPS", "RateLimit", "RateLimited"]

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
