"""The shared contract: the client's question and the contract as the console writes them,
read only, on the participants' pages and the room's screen, from the contract step on.

What is shared, and from when, is core's rule (``notes.shared_notes``); a participant's or
projector's kernel only ever holds those notes (the store loads no other). Typed by a person:
shown as text, never as HTML or mathematics.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from codevwidgets.core.notes import shared_fields, shared_notes
from codevwidgets.core.session import Event, Session
from codevwidgets.widgets._view import Follower, Texts, hidden_layout, literal, show, touches

# Each shared field's class, for pages and tests to find its text.
FIELD_CLASSES = {"question": "codev-contract-question", "contract": "codev-contract-text"}


class ContractPanel(Follower, widgets.VBox):
    """ "The contract", then each shared note with its label; hidden while there is none.

    Updated in place as the console types (one widget per shared field of the runbook, built
    once).

    Examples
    --------
    >>> panel = ContractPanel(session, Texts(book, "en"))  # doctest: +SKIP
    >>> panel.texts_shown  # doctest: +SKIP
    {'contract': "In this session I'd like you to help me…"}
    """

    def __init__(self, session: Session, texts: Texts) -> None:
        self.session, self.texts = session, texts
        title = literal(widgets.Label(texts("contract.title")).add_class("codev-contract-title"))
        self.fields: dict[tuple[str, str], widgets.HTML] = {}
        # Every shared field the runbook has, whatever the step: the last step's list is all.
        for key in shared_fields(session.runbook, len(session.runbook.steps) - 1):
            css = FIELD_CLASSES.get(key[1], "codev-contract-field")
            self.fields[key] = literal(widgets.HTML(layout=hidden_layout()).add_class(css))
        super().__init__([title, *self.fields.values()], layout=hidden_layout())
        self.add_class("codev-contract")
        self._follow()
        self.refresh()

    def __repr__(self) -> str:
        return f"ContractPanel(session={self.session.id!r})"

    @property
    def texts_shown(self) -> dict[str, str]:
        """The shared notes' texts shown now, by field id."""
        session = self.session
        return {
            n.field_id: n.text for n in shared_notes(session.runbook, session.index, session.notes)
        }

    def _on_event(self, event: Event) -> None:
        if touches(event, {"note", "started", "step"}, {"notes", "step"}):
            self.refresh()

    def refresh(self) -> None:
        session = self.session
        notes = shared_notes(session.runbook, session.index, session.notes)
        shown = {(note.step_id, note.field_id): note for note in notes}
        for key, box in self.fields.items():
            note = shown.get(key)
            if note is not None:
                value = _field_html(self.texts.of(note.label), note.text)
                if box.value != value:
                    box.value = value
            show(box, note is not None)
        show(self, bool(shown))


def _field_html(label: str, text: str) -> str:
    """A shared note: its label as a caption, its text as typed (line breaks kept by CSS)."""
    return (
        f'<div class="codev-contract-label">{html.escape(label)}</div>'
        f'<div class="codev-contract-body">{html.escape(text)}</div>'
    )
