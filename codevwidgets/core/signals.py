"""Per-participant signals and the facilitator's talk timer: pure data and rules, no widgets.

A participant's page raises or lowers its own hand, says it is ready with the step, or asks
for more time once the countdown is at zero: each a ``Signal`` the store keeps in a table of
its own (one row per page and kind while it stands). Who speaks is the facilitator's: a
``talk`` command on the session's state (see ``Session.talk``).

>>> bo, ana = Signal("b", "Bo", "hand", "s1", 20.0), Signal("a", "Ana", "hand", "s1", 10.0)
>>> [s.name for s in hand_queue([bo, ana])]
['Ana', 'Bo']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from codevwidgets.core.roles import Roles

__all__ = [
    "MORE_TIME_MINUTES",
    "PRESENT_WITHIN",
    "SEEN",
    "SEEN_EVERY",
    "SIGNAL_KINDS",
    "Signal",
    "hand_queue",
    "people_who_speak",
    "place_in_queue",
    "present",
    "signaller",
    "signals_of_step",
    "talk_clock",
]

SIGNAL_KINDS = ("hand", "ready", "more_time")
MORE_TIME_MINUTES = 2  # what a participant asks for when the countdown reaches zero
# Presence: a page's kernel notes when its page last synced its clock (about once a minute).
SEEN = "seen"  # a row of its own per page, kept apart from the signals a page can send
SEEN_EVERY = 30.0  # a page seen more recently is not written again (a beat comes every 60 s)
PRESENT_WITHIN = 150.0  # seen within this long: connected (two beats missed: gone)


@dataclass(frozen=True)
class Signal:
    """One standing signal: ``participant`` (the page's id), ``name`` (None: unnamed, or a
    participant's copy of someone else's), ``kind``, the step it was given in, when."""

    participant: str
    name: str | None
    kind: str
    step_id: str
    at: float


def hand_queue(signals: Iterable[Signal]) -> list[Signal]:
    """Raised hands in the order they were raised."""
    return sorted((s for s in signals if s.kind == "hand"), key=lambda s: (s.at, s.participant))


def place_in_queue(signals: Iterable[Signal], participant: str) -> int | None:
    """``participant``'s place (1 first) among the raised hands, or None if theirs is down."""
    for place, signal in enumerate(hand_queue(signals), 1):
        if signal.participant == participant:
            return place
    return None


def signals_of_step(signals: Iterable[Signal], kind: str, step_id: str) -> list[Signal]:
    """The ``kind`` signals given during ``step_id`` (ready and more time reset at each step)."""
    return sorted(
        (s for s in signals if s.kind == kind and s.step_id == step_id), key=lambda s: s.at
    )


def signaller(signal: Signal, unnamed: str) -> str:
    """How the console names a signal's sender: their name, else ``unnamed`` and a short id."""
    return signal.name or f"{unnamed} {signal.participant[:4]}"


def present(signals: Iterable[Signal], now: float) -> list[Signal]:
    """The pages seen within ``PRESENT_WITHIN`` of ``now``, the most recently seen first.

    >>> seen = [Signal("a", "Ana", SEEN, "s1", 0.0), Signal("b", "Bo", SEEN, "s1", 100.0)]
    >>> [s.name for s in present(seen, 160.0)]
    ['Bo']
    """
    return sorted(
        (s for s in signals if s.kind == SEEN and now - s.at < PRESENT_WITHIN),
        key=lambda s: (-s.at, s.participant),
    )


def talk_clock(seconds: float) -> str:
    """``65.4`` → ``1:05`` (talk time, as the console and the record show it)."""
    whole = int(max(0.0, seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def people_who_speak(roles: Roles | None) -> list[str]:
    """Whose talk time the console follows: the client, then the advisors."""
    if roles is None:
        return []
    names = [roles.client, *roles.advisors]
    return [n for i, n in enumerate(names) if n.strip() and n not in names[:i]]
