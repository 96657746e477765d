"""Notes of the current step, written into the session on every keystroke (no Save button)."""

from __future__ import annotations

import ipywidgets as widgets

from codevwidgets.runbook import Step
from codevwidgets.session import Event, Session
from codevwidgets.widgets._view import Texts, touches


class NotesPanel(widgets.VBox):
    """One text box per note field of the step in front of the group (topic, contract…).

    Going back to a step shows what was typed there; nothing is kept only in the widget.
    """

    def __init__(self, session: Session, texts: Texts) -> None:
        self.session, self.texts = session, texts
        self.heading = widgets.Label().add_class("codev-heading")
        self.fields: dict[str, widgets.Textarea] = {}
        self.labels: dict[str, str] = {}
        self.box = widgets.VBox()
        super().__init__(
            [self.heading, self.box, widgets.Label(texts("notes.saved")).add_class("codev-hint")]
        )
        self.add_class("codev-notes")
        session.on_change(self._on_event)
        self.refresh()

    def __repr__(self) -> str:
        return f"NotesPanel(session={self.session.id!r}, step={self.session.current_step.id!r})"

    def _on_event(self, event: Event) -> None:
        if touches(event, {"started", "step"}, {"step", "notes"}):
            self.refresh()

    def refresh(self) -> None:
        step = self.session.current_step
        saved = self.session.notes.get(step.id, {})
        self.heading.value = f"{self.texts('notes.title')} — {self.texts.of(step.title)}"
        self.fields = {
            note.id: self._field(step, note.id, saved.get(note.id, "")) for note in step.notes
        }
        self.labels = {note.id: self.texts.of(note.label) for note in step.notes}
        self.box.children = [
            widgets.VBox([widgets.Label(self.labels[field_id]), area])
            for field_id, area in self.fields.items()
        ]

    def _field(self, step: Step, field_id: str, value: str) -> widgets.Textarea:
        note = next(n for n in step.notes if n.id == field_id)
        area = widgets.Textarea(
            value=value,
            rows=note.lines,
            continuous_update=True,
            layout={"width": "100%"},
        )
        area.add_class(f"codev-note-{field_id}")
        area.observe(lambda change: self._save(area, step.id, field_id, change["new"]), "value")
        return area

    def _save(self, area: widgets.Textarea, step_id: str, field_id: str, text: str) -> None:
        try:
            self.session.set_note(step_id, field_id, text)
        except ValueError:
            # Too long: keep the box as typed and mark it, rather than lose the text silently.
            area.add_class("codev-error")
        else:
            area.remove_class("codev-error")
