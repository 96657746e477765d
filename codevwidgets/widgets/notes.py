"""Notes of the current step, stored on every keystroke (no Save button), per step and field.

Two consoles may type at once (a laptop and the projector): each field is stored on its own,
so text in different fields is all kept; in one field the last keystroke wins, and the box
whose text was replaced says so and can put it back.
"""

from __future__ import annotations

import datetime as dt

import ipywidgets as widgets

from codevwidgets.core.commands import Act, Command, local_act
from codevwidgets.core.runbook import NoteField, iso_date
from codevwidgets.core.session import STORE_UNREACHABLE, Event, Session, SessionError
from codevwidgets.widgets._view import (
    NO_MATH,
    Echo,
    Follower,
    Texts,
    close_all,
    hidden_layout,
    literal,
    show,
    touches,
)
from codevwidgets.widgets.keeper import TypingKeeper, keep_classes, note_box


def unsaved_label() -> widgets.Label:
    """Said under a field the store did not take: what is in it is stored again on the
    console's beat (``NotesPanel.retry``)."""
    classes = ("codev-note-unsaved", "codev-error", *NO_MATH)
    return widgets.Label(_dom_classes=classes, layout=hidden_layout())


class NoteBox(widgets.VBox):
    """One note field: its label, the text box, and what shows when another console's text
    replaced this one's."""

    def __init__(
        self, label: str, lines: int, css: str, restore: str = "", kept: str | None = None
    ) -> None:
        # Classes and visibility given at construction: a new box opens in one message per
        # widget, with nothing sent after (the console builds a step's boxes at its change).
        # ``kept``: the box the browser keeps what is typed in as (``TypingKeeper``).
        classes = (css, *(keep_classes(kept) if kept else ()))
        self.area = widgets.Textarea(
            rows=lines, continuous_update=True, layout={"width": "100%"}, _dom_classes=classes
        )
        self.replaced_text = ""  # what this box held before another console's text came in
        self.replaced = widgets.Label(_dom_classes=("codev-note-replaced", *NO_MATH))
        self.restore = widgets.Button(
            description=restore, layout={"width": "auto"}, _dom_classes=("codev-note-restore",)
        )
        self.notice = widgets.HBox([self.replaced, self.restore], layout=hidden_layout())
        self.unsaved = unsaved_label()
        title = widgets.Label(label, _dom_classes=NO_MATH)
        super().__init__([title, self.area, self.notice, self.unsaved])

    @property
    def text(self) -> str:
        return str(self.area.value)


class ChoiceBox(widgets.VBox):
    """A choice field (e.g. how last session's plan went): its label and one button per
    choice; the stored value is the choice's id, "" while none is chosen."""

    def __init__(self, label: str, options: list[tuple[str, str]], css: str) -> None:
        self.area = widgets.ToggleButtons(options=options, value=None, style={"button_width": ""})
        self.area.add_class(css).add_class("codev-note-choice")
        literal(self.area)
        self.unsaved = unsaved_label()
        super().__init__([literal(widgets.Label(label)), self.area, self.unsaved])

    @property
    def text(self) -> str:
        """What the store keeps: the chosen id, "" while none is chosen."""
        return self.area.value if isinstance(self.area.value, str) else ""

    def show_stored(self, text: str) -> None:
        known = {value for _, value in self.area.options}
        self.area.value = text if text in known else None


class DateBox(widgets.VBox):
    """A date field (an action plan's deadline): its label and a date picker; the stored
    value is the ISO date, "" while none is picked. A text stored before the field was a
    date ("end of May") stays shown under the picker until a date replaces it."""

    def __init__(self, label: str, css: str) -> None:
        self.area = widgets.DatePicker(value=None, _dom_classes=(css, "codev-note-date"))
        self.earlier = widgets.Label(_dom_classes=("codev-hint", *NO_MATH), layout=hidden_layout())
        self.unsaved = unsaved_label()
        super().__init__([literal(widgets.Label(label)), self.area, self.earlier, self.unsaved])

    @property
    def text(self) -> str:
        """What the store keeps: the picked date as "YYYY-MM-DD", "" while none is picked (or
        what the browser holds is no date: the other fields are stored all the same)."""
        return self.area.value.isoformat() if isinstance(self.area.value, dt.date) else ""

    def show_stored(self, text: str) -> None:
        self.area.value = iso_date(text)
        self.earlier.value = text if self.area.value is None else ""
        show(self.earlier, bool(self.earlier.value))


class NotesPanel(Follower, widgets.VBox):
    """One text box per note field of the step in front of the group (topic, contract…).

    Going back to a step shows what was typed there; nothing is kept only in the widget.
    A step's boxes are built the first time it is shown and reused after.
    """

    def __init__(
        self,
        session: Session,
        texts: Texts,
        act: Act | None = None,
        keeper: TypingKeeper | None = None,
    ) -> None:
        self.session, self.texts = session, texts
        self.act = act or local_act(session)
        # The browser keeps what is typed until it is stored: told each time a text is, and
        # what it still held after a reload comes back here (``take_kept``).
        self.keeper = keeper
        if keeper is not None:
            keeper.on_kept(self.take_kept)
        self.heading = literal(widgets.Label().add_class("codev-heading"))
        self.boxes: dict[tuple[str, str], NoteBox] = {}
        # Picked rather than typed (choices, dates): the last click wins, nothing to restore.
        self.choices: dict[tuple[str, str], ChoiceBox | DateBox] = {}
        self._seen: dict[tuple[str, str], str] = {}  # the stored text each box last showed
        # Typed or chosen while the store did not answer: stored again by retry().
        self._unsaved: dict[tuple[str, str], NoteBox | ChoiceBox | DateBox] = {}
        self._echo = Echo()  # a stored text put in a box is not a keystroke
        self.box = widgets.VBox()
        # "Saved as you type", unless a field is waiting for the store (it says so itself).
        self.hint = widgets.Label(texts("notes.saved")).add_class("codev-hint")
        super().__init__([self.heading, self.box, self.hint])
        self.add_class("codev-notes")
        self._follow()
        self.refresh()

    def __repr__(self) -> str:
        return f"NotesPanel(session={self.session.id!r}, step={self.session.current_step.id!r})"

    @property
    def fields(self) -> dict[str, widgets.ValueWidget]:
        """The current step's fields by id: text boxes, and buttons for a choice field (their
        value is the choice's id, None while none is chosen)."""
        return {note.id: self._box(note.id).area for note in self.session.current_step.notes}

    def _box(self, field_id: str) -> NoteBox | ChoiceBox | DateBox:
        key = (self.session.current_step.id, field_id)
        return self.choices[key] if key in self.choices else self.boxes[key]

    @property
    def labels(self) -> dict[str, str]:
        """The current step's field labels, by field id, in the page's language."""
        return {note.id: self.texts.of(note.label) for note in self.session.current_step.notes}

    def _on_event(self, event: Event) -> None:
        if touches(event, {"started", "step"}, {"step"}):
            self.refresh()
        elif touches(event, {"note"}, {"notes"}):
            self._take_stored()

    def refresh(self) -> None:
        step = self.session.current_step
        self.heading.value = f"{self.texts('notes.title')} — {self.texts.of(step.title)}"
        for note in step.notes:
            picked = note.choices is not None or note.kind == "date"
            if picked and (step.id, note.id) not in self.choices:
                self.choices[step.id, note.id] = self._new_choice(step.id, note)
            elif not picked and (step.id, note.id) not in self.boxes:
                self.boxes[step.id, note.id] = self._new_box(step.id, note.id)
        self.box.children = [self._box(note.id) for note in step.notes]
        self._take_stored()

    def _new_box(self, step_id: str, field_id: str) -> NoteBox:
        note = next(n for n in self.session.runbook.step(step_id).notes if n.id == field_id)
        label, restore = self.texts.of(note.label), self.texts("notes.restore")
        kept = note_box(step_id, field_id)
        box = NoteBox(label, note.lines, f"codev-note-{field_id}", restore, kept)
        box.area.observe(lambda change: self._save(box, step_id, field_id, change["new"]), "value")
        box.restore.on_click(lambda _: self._restore(box))
        return box

    def _new_choice(self, step_id: str, note: NoteField) -> ChoiceBox | DateBox:
        box: ChoiceBox | DateBox
        if note.choices is None:  # a date field
            box = DateBox(self.texts.of(note.label), f"codev-note-{note.id}")
        else:
            options = [(self.texts.of(label), choice) for choice, label in note.choices.items()]
            box = ChoiceBox(self.texts.of(note.label), options, f"codev-note-{note.id}")
        box.area.observe(
            lambda change: self._save_choice(box, step_id, note.id, change["new"]), "value"
        )
        return box

    def _save_choice(
        self, box: ChoiceBox | DateBox, step_id: str, field_id: str, choice: object
    ) -> None:
        if self._echo.active or (step_id, field_id) in self._unsaved:
            return
        self._store(box, step_id, field_id, box.text)

    def _take_stored(self) -> None:
        """Put in each box the stored text, where it changed since the box last showed it."""
        notes = self.session.notes
        for (step_id, field_id), choice in self.choices.items():
            stored = notes.get(step_id, {}).get(field_id, "")
            if self._seen.get((step_id, field_id)) == stored:
                continue
            self._seen[step_id, field_id] = stored
            self._forget_unsaved(step_id, field_id)  # another console's click came after
            with self._echo():  # a choice has no text to lose: the last click wins
                choice.show_stored(stored)
        for (step_id, field_id), box in self.boxes.items():
            stored = notes.get(step_id, {}).get(field_id, "")
            if self._seen.get((step_id, field_id)) == stored:
                continue
            self._seen[step_id, field_id] = stored
            if box.area.value == stored:
                continue
            if box.area.value.strip() and box.area.value not in stored:
                # Another console typed in this field last and this box's text is not in what
                # it wrote: the other text wins, and this box says so and can put it back.
                box.replaced_text = box.area.value
                box.replaced.value = self.texts("notes.replaced")
                show(box.notice, True)
                # Not stored yet either: "Put my text back" offers it, the person decides.
                self._forget_unsaved(step_id, field_id)
            with self._echo():
                box.area.value = stored

    def _save(self, box: NoteBox, step_id: str, field_id: str, text: str) -> None:
        if self._echo.active or (step_id, field_id) in self._unsaved:
            # A field waiting for the store keeps its text in the box: retry() sends the
            # latest, rather than each keystroke waiting out the store's timeout in turn.
            return
        show(box.notice, False)
        self._store(box, step_id, field_id, text)

    def _store(
        self, box: NoteBox | ChoiceBox | DateBox, step_id: str, field_id: str, text: str
    ) -> None:
        try:
            self.act(Command("set_note", {"step": step_id, "field": field_id, "text": text}))
        except (ValueError, SessionError) as exc:
            # Too long: keep the box as typed and mark it, rather than lose the text silently.
            box.area.add_class("codev-error")
            if isinstance(exc, SessionError) and exc.key == STORE_UNREACHABLE:
                self._unsaved[step_id, field_id] = box
                box.unsaved.value = self.texts("notes.unsaved")
                show(box.unsaved, True)
                show(self.hint, False)
        else:
            box.area.remove_class("codev-error")
            self._forget_unsaved(step_id, field_id)
            if self.keeper is not None and isinstance(box, NoteBox):
                self.keeper.stored(note_box(step_id, field_id), text)

    def take_kept(self, kept: dict[str, str]) -> None:
        """Put back what the browser kept of the text fields (typed while the page's kernel was
        gone, or not confirmed stored before a reload) and store it: the last keystroke wins,
        as in one field typed in from two consoles."""
        fields = {
            note_box(step.id, note.id): (step.id, note.id)
            for step in self.session.runbook.steps
            for note in step.notes
            if note.choices is None and note.kind == "text"
        }
        for key, text in kept.items():
            if key not in fields:
                continue  # not a text field of this runbook (a crafted message, an old tab)
            step_id, field_id = fields[key]
            box = self.boxes.get((step_id, field_id))
            if box is None:
                box = self.boxes[step_id, field_id] = self._new_box(step_id, field_id)
            if box.area.value == text:
                self._store(box, step_id, field_id, text)  # stored already: says so again
            else:
                box.area.value = text  # a keystroke of its own: stored (_save)

    def retry(self) -> None:
        """Store again what was typed while the store did not answer (the console's beat)."""
        for (step_id, field_id), box in list(self._unsaved.items()):
            self._store(box, step_id, field_id, box.text)

    def _forget_unsaved(self, step_id: str, field_id: str) -> None:
        box = self._unsaved.pop((step_id, field_id), None)
        if box is not None:
            show(box.unsaved, False)
            show(self.hint, not self._unsaved)

    def close(self) -> None:
        close_all([*self.boxes.values(), *self.choices.values()])  # kept aside until their step
        super().close()

    def _restore(self, box: NoteBox) -> None:
        """Put back the text another console's replaced (it is stored again at once)."""
        box.area.value = box.replaced_text
