"""The step in front of the group: "Step 2 of 6" and its title, for every page."""

from __future__ import annotations

import ipywidgets as widgets

from codevwidgets.session import Event, Session
from codevwidgets.widgets._view import Texts, touches


class StepHeader(widgets.VBox):
    def __init__(self, session: Session, texts: Texts) -> None:
        self.session, self.texts = session, texts
        self.position = widgets.Label().add_class("codev-step-position")
        self.title = widgets.Label().add_class("codev-step-title")
        super().__init__([self.position, self.title])
        self.add_class("codev-step-header")
        session.on_change(self._on_event)
        self.refresh()

    def __repr__(self) -> str:
        return f"StepHeader(session={self.session.id!r})"

    def _on_event(self, event: Event) -> None:
        if touches(event, {"started", "step", "finished"}, {"step", "timer"}):
            self.refresh()

    def refresh(self) -> None:
        session = self.session
        total = len(session.runbook.steps)
        self.position.value = self.texts("steps.step_of", number=session.index + 1, total=total)
        if session.status == "finished":
            self.position.value = self.texts("timer.finished")
        self.title.value = self.texts.of(session.current_step.title)
