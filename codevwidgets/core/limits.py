"""How often one page may send: a guard of the store every page writes to.

The store counts what a page sent lately (its rows, its log); whether one more is too many is
decided here, for contributions and signals alike.

>>> RateLimit(2, 30.0, "signals").check(recent=1)
>>> RateLimit(2, 30.0, "signals").check(recent=2)  # doctest: +ELLIPSIS
Traceback (most recent call last):
codevwidgets.core.limits.RateLimited: at most 2 signals every 30 seconds: wait a moment ...
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RateLimit", "RateLimited"]


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
