"""The facilitator's notes: one text per step and note field, kept as typed.

Only the console writes them (a ``set_note`` command) and only the console loads them.

>>> from codevwidgets.core.runbook import load_preset
>>> notes = Notes()
>>> notes.set(load_preset("classic").step("presentation"), "topic", "A new team")
>>> notes.copy()
{'presentation': {'topic': 'A new team'}}
"""

from __future__ import annotations

from dataclasses import dataclass, field

from codevwidgets.core.runbook import Step
from codevwidgets.core.text import without_nul

__all__ = ["MAX_NOTE", "Notes"]

MAX_NOTE = 10_000


@dataclass
class Notes:
    """Note texts by step id and field id."""

    fields: dict[str, dict[str, str]] = field(default_factory=dict)

    def set(self, step: Step, field_id: str, text: str) -> None:
        """Keep ``text`` in ``step``'s field ``field_id``, or ``ValueError``: a field the
        step has, text of at most ``MAX_NOTE`` characters, one of its choices for a choice
        field and an ISO date for a date field (or nothing)."""
        note = next((note for note in step.notes if note.id == field_id), None)
        if note is None:
            raise ValueError(f"step '{step.id}' has no note field '{field_id}'")
        if not isinstance(text, str) or len(text) > MAX_NOTE:
            raise ValueError(f"a note is text of at most {MAX_NOTE} characters")
        if not note.accepts(without_nul(text, "a note")):
            if note.choices is None:  # a date field
                raise ValueError(f"note field '{field_id}' holds a date, YYYY-MM-DD (or nothing)")
            known = ", ".join(note.choices)
            raise ValueError(f"note field '{field_id}' holds one of {known} (or nothing)")
        self.fields.setdefault(step.id, {})[field_id] = text

    @classmethod
    def from_dict(cls, data: dict[str, dict[str, str]]) -> Notes:
        return cls({s: {f: str(t) for f, t in texts.items()} for s, texts in data.items()})

    def copy(self) -> dict[str, dict[str, str]]:
        return {step_id: dict(texts) for step_id, texts in self.fields.items()}
