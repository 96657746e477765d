"""``codev serve --pool auto``: how many kernels to keep ready, from who is expected.

Voilà keeps a pool of started kernels for each notebook not on its denylist, and sizes it once,
at its start. A day's people open the room's link (``join.ipynb``); a session's people their
group's or their personal link (``participant.ipynb``): each gets a pool of its own, sized from
what the store holds when the server starts (``expected``), within the kernels the machine
holds (``auto_pools``, pure). Consoles, overviews and projectors are opened once per group and
are never pooled, but they are kernels too: room is kept for them.

Voilà reads its per-notebook sizes (``VoilaKernelManager.kernel_pools_config``) each time it
refills a pool, so a larger size set at runtime would take effect at the next visitor; a
smaller one would not end the kernels already waiting. The kit does not change it at runtime:
restart ``codev serve --pool auto`` once the day is created.

>>> pools = auto_pools(Expected(room=24, personal=0, consoles=4, days=1), max_kernels=60)
>>> pools.room, pools.personal
(26, 1)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from codevwidgets.core.signals import present
from codevwidgets.store.base import Store

__all__ = [
    "MARGIN",
    "PERSONAL_PAGE",
    "ROOM_PAGE",
    "Expected",
    "Pools",
    "auto_pools",
    "expected",
]

ROOM_PAGE = "join.ipynb"  # a day's one link for the room
PERSONAL_PAGE = "participant.ipynb"  # a session's join link, and each person's own
MARGIN = 2  # a reload, a second device, someone not on the list
EXTRA_PER_GROUP = 2  # a session's people beyond its roster: a guest, a phone and a laptop
GROUP_WITHOUT_ROSTER = 8  # a session stored with no roster: the most a classic group holds
# Days and sessions created this long ago or less are expected (a day is prepared the day
# before, or in the morning); older ones are history.
RECENT_SECONDS = 24 * 3600
MOST_PER_PAGE = 64  # as --pool N: each waiting kernel holds about 65 MiB


@dataclass(frozen=True)
class Expected:
    """Who the store says is coming: ``room``, a day's people not yet connected; ``personal``,
    the people of the sessions not in a day, not yet connected; ``consoles``, the kernels
    opened once per group (consoles, a day's overview), never pooled."""

    room: int
    personal: int
    consoles: int
    days: int = 0
    sessions: int = 0


@dataclass(frozen=True)
class Pools:
    """Kernels kept ready: ``room`` for ``join.ipynb`` (0: not preheated), ``personal`` for
    ``participant.ipynb``; ``why``, in words, for the line ``codev serve`` prints."""

    room: int
    personal: int
    why: str

    @property
    def total(self) -> int:
        return self.room + self.personal


def auto_pools(expected: Expected, max_kernels: int) -> Pools:
    """The pools for ``expected``: its people and a margin for each page people come in
    numbers to (at least one kernel for personal links, none for the room's link without a
    day), within ``max_kernels`` once a kernel for each console and one spare are kept."""
    room = expected.room + MARGIN if expected.days else 0
    personal = max(1, expected.personal + MARGIN if expected.sessions else 1)
    budget = max(1, max_kernels - expected.consoles - 1)
    capped = room + personal > budget
    room = min(room, budget - 1, MOST_PER_PAGE)
    personal = min(personal, max(1, budget - room), MOST_PER_PAGE)
    said = (
        f"{expected.days} day(s) expecting {expected.room} more, {expected.sessions} session(s)"
        f" expecting {expected.personal} more, margin {MARGIN}"
    )
    if capped:
        said += f"; within --max-kernels {max_kernels}, {expected.consoles} kept for consoles"
    return Pools(room, personal, said)


def expected(store: Store, now: float) -> Expected:
    """Who the sessions and days in ``store`` created in the last ``RECENT_SECONDS`` and not
    ended expect, less the pages already connected to them (another server's, behind a load
    balancer)."""
    since = now - RECENT_SECONDS
    summaries = {s.id: s for s in store.summaries()}
    status = {sid: s.status for sid, s in summaries.items()}
    in_days: set[str] = set()
    room = consoles = days = 0
    for stored in store.days():
        groups = [g.session_id for g in stored.day.groups]
        in_days.update(groups)
        if stored.created < since or all(status.get(g, "finished") == "finished" for g in groups):
            continue
        days += 1
        consoles += len(groups) + 1  # each group's console, and the lead's overview
        people = max(stored.day.expected, len(stored.day.people))
        room += max(0, people - sum(_connected(store, g, now) for g in groups))
    personal = sessions = 0
    for sid, summary in summaries.items():
        created = dt.datetime.fromisoformat(summary.created).timestamp()
        if sid in in_days or summary.status == "finished" or created < since:
            continue
        loaded = store.load(sid, private=False)
        size = len(loaded.names) if loaded is not None and loaded.names else GROUP_WITHOUT_ROSTER
        sessions += 1
        consoles += 1
        personal += max(0, size + EXTRA_PER_GROUP - _connected(store, sid, now))
    return Expected(room, personal, consoles, days, sessions)


def _connected(store: Store, session_id: str, now: float) -> int:
    return len(present(store.signals(session_id), now))
