"""Who speaks, and how long: the facilitator's talk timer, timed like a step's countdown.

The console's talk buttons say who speaks now (``Session.talk``); the closed seconds are kept
per step and person, the running segment counted up to now when asked.

>>> timer = TalkTimer()
>>> timer.switch("Ana", 0.0, "presentation"); timer.switch("Bo", 30.0, "presentation")
>>> timer.totals(None, "presentation", 45.0)
{'Ana': 30.0, 'Bo': 15.0}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["TalkTimer"]


@dataclass
class TalkTimer:
    """Who speaks now (``speaker``, since ``since``) and the closed ``seconds`` per step id and
    person."""

    speaker: str | None = None
    since: float | None = None
    seconds: dict[str, dict[str, float]] = field(default_factory=dict)

    def switch(self, name: str | None, now: float, step_id: str) -> None:
        """``name`` speaks from ``now`` (the previous speaker's time is closed in ``step_id``);
        ``None`` or the current speaker's name stops the timer."""
        stopping = name is None or name == self.speaker
        self.stop(now, step_id)
        if not stopping:
            self.speaker, self.since = name, now

    def stop(self, now: float, step_id: str) -> None:
        """Close the running segment, if any, into ``step_id``'s seconds."""
        if self.speaker is not None and self.since is not None:
            people = self.seconds.setdefault(step_id, {})
            people[self.speaker] = people.get(self.speaker, 0.0) + max(0.0, now - self.since)
        self.speaker = self.since = None

    def totals(self, step_id: str | None, current_step_id: str, now: float) -> dict[str, float]:
        """Seconds each person spoke in ``step_id`` (None: the whole session), the running
        segment (in ``current_step_id``) included."""
        totals: dict[str, float] = {}
        for step, people in self.seconds.items():
            if step_id is None or step == step_id:
                for name, seconds in people.items():
                    totals[name] = totals.get(name, 0.0) + seconds
        here = step_id is None or step_id == current_step_id
        if self.speaker is not None and self.since is not None and here:
            totals[self.speaker] = totals.get(self.speaker, 0.0) + max(0.0, now - self.since)
        return totals

    def to_dict(self) -> dict[str, Any]:
        return {
            "speaker": self.speaker,
            "talk_since": self.since,
            "talk": {step: dict(people) for step, people in self.seconds.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TalkTimer:
        """The timer ``to_dict`` saved; a state stored before talk time has none."""
        speaker, since = data.get("speaker"), data.get("talk_since")
        return cls(
            None if speaker is None else str(speaker),
            None if since is None else float(since),
            {
                str(step): {str(n): float(v) for n, v in people.items()}
                for step, people in data.get("talk", {}).items()
            },
        )
