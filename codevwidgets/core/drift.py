"""The client's drift flag: "we are drifting from my question". Pure data and rules.

During the consultation the client listens and does not reply (METHOD.md, step 4), unless the
group drifts from the contract: then the client may say so. Their page raises a ``DRIFT``
signal; the console and the room's screen show it, with the contract beside it, until the
facilitator clears it (the ``clear_drift`` command), or the client takes it back.

Who may raise it, and when, is decided here once: the page's name is the roles' client, and
the session is at a step where the advisors consult (``consulting``). Raising it speaks under
the client's name (``core.voices``: one person, one voice).

>>> from codevwidgets.core.runbook import load_preset
>>> book = load_preset("classic")
>>> [s.id for s in book.steps if consulting(s)]
['consultation']
>>> may_flag_drift(book.step("consultation"), Roles("Ana", "Bo", ("Cy", "Di")), " ana ")
True
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from codevwidgets.core.joining import person_key
from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import Step
from codevwidgets.core.signals import DRIFT, Signal
from codevwidgets.core.voices import Persons, Voice, speak

__all__ = [
    "CLEAR_DRIFT",
    "DRIFT",
    "DriftFlag",
    "admit_drift",
    "consulting",
    "drift_flags",
    "drift_standing",
    "drift_voice",
    "is_client",
    "may_flag_drift",
]

CLEAR_DRIFT = "clear_drift"  # the console's command: every drift flag standing is cleared
# The step where the advisors consult and the client listens: the one that collects their
# ideas (the presets' ``consultation``, Troika's ``roundN_consult``, Kollegiale Beratung's
# ``consultation``). A runbook's own consultation step collects ideas too.
CONSULTING = "ideas"


def consulting(step: Step) -> bool:
    """Whether ``step`` is one where the advisors consult (and the client may flag a drift)."""
    return step.collects == CONSULTING


def is_client(roles: Roles | None, name: str | None) -> bool:
    """Whether ``name`` (a page's) is the roles' client, compared as names are
    (``person_key``); no roles or no name: nobody is."""
    if roles is None or name is None or not roles.client.strip():
        return False
    return person_key(name) == person_key(roles.client)


def may_flag_drift(step: Step, roles: Roles | None, name: str | None) -> bool:
    """Whether a page named ``name`` has the drift flag now: the client's, at a consulting
    step."""
    return consulting(step) and is_client(roles, name)


def admit_drift(step: Step, roles: Roles | None, name: str | None, on: bool) -> None:
    """Refuse (``ValueError``) a drift flag from a page that is not the client's, or raised
    outside a consulting step; the client may take theirs back at any step."""
    if not is_client(roles, name):
        raise ValueError("only the client's page flags a drift from the question")
    if on and not consulting(step):
        raise ValueError("a drift is flagged during the consultation only")


def drift_voice(
    persons: Persons,
    participant: str,
    name: str | None,
    kind: str,
    on: bool,
    step_id: str,
    now: float,
) -> Voice:
    """What a page's signal says of its voice: raising a drift flag speaks under the client's
    name (a second page under that name is refused, as for ratings, and the console told);
    any other signal, or taking one back, speaks for nobody."""
    if kind != DRIFT or not on:
        return Voice()
    return speak(persons, participant, name, step_id, now)


def drift_standing(signals: Iterable[Signal]) -> list[Signal]:
    """The drift flags standing now, the first raised first."""
    return sorted((s for s in signals if s.kind == DRIFT), key=lambda s: (s.at, s.participant))


@dataclass(frozen=True)
class DriftFlag:
    """One drift flag as the session's log tells it: raised at (``raised``, epoch seconds)
    in ``step_id``; cleared at (``cleared``; None: still standing), and ``by_facilitator``
    (else the client took it back)."""

    step_id: str
    raised: float
    cleared: float | None = None
    by_facilitator: bool = False


def drift_flags(events: Iterable[tuple[float, str, dict[str, Any]]]) -> list[DriftFlag]:
    """The drift flags of a session's event log (``Store.events``: ``(at, kind, data)`` in
    order), in the order raised. A flag raised again while it stands is the same flag.

    >>> log = [(10.0, "signal", {"kind": "drift", "on": True, "participant": "p",
    ...         "step": "consultation"}), (70.0, "clear_drift", {})]
    >>> drift_flags(log)
    [DriftFlag(step_id='consultation', raised=10.0, cleared=70.0, by_facilitator=True)]
    """
    flags: list[DriftFlag] = []
    open_by: dict[str, int] = {}  # a page's standing flag: its index in ``flags``
    for at, kind, data in events:
        if kind == CLEAR_DRIFT:
            for index in open_by.values():
                flags[index] = DriftFlag(flags[index].step_id, flags[index].raised, at, True)
            open_by.clear()
        elif kind == "signal" and data.get("kind") == DRIFT:
            page = str(data.get("participant"))
            if data.get("on") and page not in open_by:
                open_by[page] = len(flags)
                flags.append(DriftFlag(str(data.get("step", "")), at))
            elif not data.get("on") and page in open_by:
                index = open_by.pop(page)
                flags[index] = DriftFlag(flags[index].step_id, flags[index].raised, at)
    return flags
