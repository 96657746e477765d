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

from codevwidgets.core.runbook import LocalText, Runbook, Step
from codevwidgets.core.text import without_nul

__all__ = ["MAX_NOTE", "SHARED_FIELDS", "Notes", "SharedNote", "shared_fields", "shared_notes"]

MAX_NOTE = 10_000

SHARED_FIELDS = ("question", "contract")
"""Note fields every page of the session shows, read only, from the contract step on: the
client's question and the contract as the console wrote them (METHOD.md, step 3), so the
consultation stays on them. Every other note stays the console's."""


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
            if note.kind == "date":
                raise ValueError(f"note field '{field_id}' holds a date, YYYY-MM-DD (or nothing)")
            known = ", ".join(note.choices or ())
            raise ValueError(f"note field '{field_id}' holds one of {known} (or nothing)")
        self.fields.setdefault(step.id, {})[field_id] = text

    @classmethod
    def from_dict(cls, data: dict[str, dict[str, str]]) -> Notes:
        return cls({s: {f: str(t) for f, t in texts.items()} for s, texts in data.items()})

    def copy(self) -> dict[str, dict[str, str]]:
        return {step_id: dict(texts) for step_id, texts in self.fields.items()}


@dataclass(frozen=True)
class SharedNote:
    """A shared note's text (``SHARED_FIELDS``) as every page shows it, with its label."""

    step_id: str
    field_id: str
    label: LocalText
    text: str


def contract_step(runbook: Runbook) -> int | None:
    """The index of the first step with a ``contract`` note field, None in a runbook without
    one (Troika's rounds have no contract: nothing is shared)."""
    return next(
        (i for i, step in enumerate(runbook.steps) if any(n.id == "contract" for n in step.notes)),
        None,
    )


def shared_fields(runbook: Runbook, index: int) -> tuple[tuple[str, str], ...]:
    """The (step id, field id) of the notes a participant's or projector's kernel may load
    while the session is at step ``index``: the ``SHARED_FIELDS`` text fields, and only from
    the contract step on (before it, the question is the console's notes being taken)."""
    start = contract_step(runbook)
    if start is None or index < start:
        return ()
    return tuple(
        (step.id, note.id)
        for step in runbook.steps
        for note in step.notes
        if note.id in SHARED_FIELDS and note.choices is None
    )


def shared_notes(
    runbook: Runbook, index: int, notes: dict[str, dict[str, str]]
) -> list[SharedNote]:
    """The shared notes with some text at step ``index``, in the runbook's order."""
    by_step = {step.id: step for step in runbook.steps}
    found = []
    for step_id, field_id in shared_fields(runbook, index):
        text = notes.get(step_id, {}).get(field_id, "")
        if text.strip():
            note = next(n for n in by_step[step_id].notes if n.id == field_id)
            found.append(SharedNote(step_id, field_id, note.label, text))
    return found
