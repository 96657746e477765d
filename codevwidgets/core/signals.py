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
from typing import Any

from codevwidgets.core.roles import Roles
from codevwidgets.core.text import without_nul

__all__ = [
    "CONSOLE_ONLY",
    "DRIFT",
    "HAND",
    "MAX_NAME",
    "MORE_TIME",
    "MORE_TIME_MINUTES",
    "PRESENT_WITHIN",
    "SEEN",
    "SEEN_EVERY",
    "SIGNAL_KINDS",
    "SPOKE_TWICE",
    "Beat",
    "Signal",
    "admit_signal",
    "beat",
    "hand_queue",
    "page_and_name",
    "people_who_speak",
    "place_in_queue",
    "present",
    "signaller",
    "signals_from_dicts",
    "signals_of_step",
    "standing_after",
    "talk_clock",
]

HAND, MORE_TIME = "hand", "more_time"
# The client's "we are drifting from my question" (core.drift decides who and when).
DRIFT = "drift"
SIGNAL_KINDS = (HAND, "ready", MORE_TIME, DRIFT)
MAX_NAME = 100  # a page's id, a person's name
MORE_TIME_MINUTES = 2  # what a participant asks for when the countdown reaches zero
# Presence: a page's kernel notes when its page last synced its clock (about once a minute).
SEEN = "seen"  # a row of its own per page, kept apart from the signals a page can send
SEEN_EVERY = 30.0  # a page seen more recently is not written again (a beat comes every 60 s)
PRESENT_WITHIN = 150.0  # seen within this long: connected (two beats missed: gone)
# A page refused for rating or contributing under a name another page spoke under first
# (core.voices): a row the store writes for the console, never one a page can send.
SPOKE_TWICE = "spoke_twice"
# The rows only the console reads (a participant's kernel loads neither).
CONSOLE_ONLY = (SEEN, SPOKE_TWICE)


@dataclass(frozen=True)
class Signal:
    """One standing signal: ``participant`` (the page's id), ``name`` (None: unnamed, or a
    participant's copy of someone else's), ``kind``, the step it was given in, when."""

    participant: str
    name: str | None
    kind: str
    step_id: str
    at: float


def signals_from_dicts(items: Iterable[dict[str, Any]]) -> list[Signal]:
    """Signals saved as dicts, or ``ValueError`` for a kind no page sends."""
    signals = [Signal(**item) for item in items]
    if any(s.kind not in (*SIGNAL_KINDS, *CONSOLE_ONLY) for s in signals):
        raise ValueError("unknown signal kind")
    return signals


def page_and_name(participant: object, name: object, missing: str) -> str | None:
    """The name a page gives (trimmed, None when blank), once its id and name are checked;
    ``missing`` says what a page without a valid id cannot do."""
    if not isinstance(participant, str) or not 1 <= len(participant) <= MAX_NAME:
        raise ValueError(missing)
    without_nul(participant, "a page's id")
    shown = (name.strip() or None) if isinstance(name, str) else None
    if shown is not None and len(shown) > MAX_NAME:
        raise ValueError(f"a name is at most {MAX_NAME} characters")
    return shown if shown is None else without_nul(shown, "a name")


def admit_signal(kind: str, on: bool, *, in_progress: bool, remaining: float) -> None:
    """Refuse (``ValueError``) a signal the session does not take now: only while it is in
    progress, and more time only once the step's countdown has reached zero (``remaining``
    seconds; taking a request back is always allowed)."""
    if kind not in SIGNAL_KINDS:
        raise ValueError(f"unknown signal {kind!r}")
    if not in_progress:
        raise ValueError("the session is not running: it takes no signal now")
    if on and kind == MORE_TIME and remaining > 0:
        raise ValueError("more time can be asked once the countdown reaches zero")


def standing_after(standing: Signal | None, raised: Signal) -> Signal:
    """What stands once a page raises ``raised`` while ``standing`` (its own signal of that
    kind, if any) stands: a hand raised again keeps its place in the queue; ready and more
    time belong to a step, so one given in an earlier step is replaced, one of this step kept.

    >>> first = Signal("p1", "Ana", "hand", "s1", 10.0)
    >>> standing_after(first, Signal("p1", "Ana", "hand", "s2", 20.0)) == first
    True
    """
    if standing is None or (raised.kind != HAND and standing.step_id != raised.step_id):
        return raised
    return standing


@dataclass(frozen=True)
class Beat:
    """What a page's presence beat writes: its ``SEEN`` row (``write``), its other signals'
    name (``renamed``), and whether the revision moves, waking every kernel (``wake``)."""

    write: bool
    renamed: bool = False
    wake: bool = False


def beat(before: Signal | None, name: str | None, now: float) -> Beat:
    """A page's beat at ``now``, its ``SEEN`` row as stored being ``before``.

    Written only when the row is ``SEEN_EVERY`` or more old (at most one write per beat,
    however often the page syncs) or the name changed. Every kernel is woken only when the
    page arrives, comes back after ``PRESENT_WITHIN`` or changes its name (it chose one, or
    "not you?": the console must not show the old name for a beat): a steady beat would
    reload every page's state a few times a minute for nothing, as only the console shows
    presence, and it reads the rows on its own beat.
    """
    renamed = before is not None and before.name != name
    if before is not None and now - before.at < SEEN_EVERY and not renamed:
        return Beat(write=False)
    back = before is None or now - before.at >= PRESENT_WITHIN
    return Beat(write=True, renamed=renamed, wake=back or renamed)


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
