"""The step in front of the group: "Step 2 of 6" and its title, for every page."""

from __future__ import annotations

import html

import ipywidgets as widgets

from codevwidgets.core.session import Event, Session
from codevwidgets.widgets._view import Follower, Texts, literal, touches


class StepHeader(Follower, widgets.HTML):
    """One widget, not a label each for the position and the title: a step change then costs
    every page one message less (messages per page are what a step change's latency grows
    with, see the benchmarks). Both texts are escaped and never typeset.
    """

    def __init__(self, session: Session, texts: Texts) -> None:
        super().__init__()
        self.session, self.texts = session, texts
        self.position_text = self.title_text = ""
        literal(self.add_class("codev-step-header"))
        self._follow()
        self.refresh()

    def __repr__(self) -> str:
        return f"StepHeader(session={self.session.id!r}, title={self.title_text!r})"

    def _on_event(self, event: Event) -> None:
        if touches(event, {"started", "step", "finished"}, {"step", "timer"}):
            self.refresh()

    def refresh(self) -> None:
        session, texts = self.session, self.texts
        total = len(session.runbook.steps)
        self.position_text = texts("steps.step_of", number=session.index + 1, total=total)
        if session.status == "finished":
            self.position_text = texts("timer.finished")
        self.title_text = texts.of(session.current_step.title)
        self.value = (
            f'<div class="codev-step-position">{html.escape(self.position_text)}</div>'
            f'<div class="codev-step-title">{html.escape(self.title_text)}</div>'
        )
