"""What a change does, as data: the event it logs and what it writes besides the state.

Core decides (``apply_command``, ``apply_signal``); a store writes the ``Effects`` in one
transaction without asking which command they came from, and a session of one kernel applies
the same ``Effects`` to its own copies (``Session.take``). The state, when it moves, is
``Session.state()``: everything but notes, contributions and signals, which are kept apart
(each written on its own, and not every reader may load them).

>>> Effects(Event("lower_hand", {}), answered=(Answer("hand"),)).answered[0].answers(
...     Signal("p1", "Ana", "hand", "presentation", 0.0))
True
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from codevwidgets.core.signals import Signal

__all__ = ["Answer", "Effects", "Event", "NoteText", "Observable", "Visibility"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    """What changed: ``kind`` (``"step"``, ``"paused"``, …) and small JSON ``data``."""

    kind: str
    data: dict[str, Any] = field(default_factory=dict)


class Observable:
    """Views observe a model's events: ``on_change(callback, remove=False)``; the model fires
    them with ``_emit``. A callback that fails is logged, and the others still hear."""

    def __init__(self) -> None:
        self._callbacks: list[Callable[[Event], None]] = []

    def on_change(self, callback: Callable[[Event], None], remove: bool = False) -> None:
        """Register (or with ``remove=True`` unregister) ``callback(event)``."""
        if remove:
            if callback in self._callbacks:
                self._callbacks.remove(callback)
        elif callback not in self._callbacks:
            self._callbacks.append(callback)

    def _emit(self, kind: str, **data: Any) -> None:
        event = Event(kind, data)
        for callback in list(self._callbacks):
            try:
                callback(event)
            except Exception:
                # One broken view must not stop the model nor the other views.
                logger.exception("%r: a callback failed on %r", self, kind)


@dataclass(frozen=True)
class NoteText:
    """One note field's new text."""

    step_id: str
    field_id: str
    text: str


@dataclass(frozen=True)
class Answer:
    """Signals taken down: every ``kind`` signal, or (``participant``) one page's."""

    kind: str
    participant: str | None = None

    def answers(self, signal: Signal) -> bool:
        return signal.kind == self.kind and self.participant in (None, signal.participant)


@dataclass(frozen=True)
class Visibility:
    """A contribution hidden (or, ``hidden=False``, shown again)."""

    id: int
    hidden: bool


@dataclass(frozen=True)
class Effects:
    """What one change writes: the ``event`` the session's log keeps (never a note's text),
    the new ``state`` (None: unchanged), note fields, signals answered (taken down) and raised
    (written as they are), contributions hidden or shown."""

    event: Event
    state: Mapping[str, Any] | None = None
    notes: tuple[NoteText, ...] = ()
    answered: tuple[Answer, ...] = ()
    raised: tuple[Signal, ...] = ()
    visibility: tuple[Visibility, ...] = ()

    def signals_after(self, signals: Iterable[Signal]) -> list[Signal]:
        """``signals`` once these effects are applied, in their order: the answered ones gone,
        a raised one in place of its page's of that kind (or last, when it is new)."""
        raised = {(s.participant, s.kind): s for s in self.raised}
        after = [
            raised.pop((s.participant, s.kind), s)
            for s in signals
            if not any(answer.answers(s) for answer in self.answered)
        ]
        return [*after, *raised.values()]
