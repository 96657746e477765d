"""The facilitator's timer controls: pause/resume, +1 and +5 minutes, chime, large display.

Kept apart from the countdown because a participant page shows the countdown but must never
be given a control.
"""

from __future__ import annotations

import ipywidgets as widgets

from codevwidgets.session import Event, Session
from codevwidgets.widgets._view import Texts, show


class TimerControls(widgets.HBox):
    def __init__(self, session: Session, texts: Texts, countdown: widgets.DOMWidget) -> None:
        self.session, self.texts = session, texts
        self.pause_button = widgets.Button(description=texts("timer.pause"), icon="pause")
        self.pause_button.on_click(lambda _: self.session.pause())
        self.resume_button = widgets.Button(description=texts("timer.resume"), icon="play")
        self.resume_button.on_click(lambda _: self.session.resume())
        self.plus_one = widgets.Button(description=texts("timer.plus_one"))
        self.plus_one.on_click(lambda _: self.session.extend(1))
        self.plus_five = widgets.Button(description=texts("timer.plus_five"))
        self.plus_five.on_click(lambda _: self.session.extend(5))
        self.chime = widgets.Checkbox(value=False, description=texts("timer.chime"), indent=False)
        self.big = widgets.Checkbox(value=False, description=texts("timer.big"), indent=False)
        widgets.link((self.chime, "value"), (countdown, "chime"))
        widgets.link((self.big, "value"), (countdown, "big"))
        super().__init__(
            [
                self.pause_button,
                self.resume_button,
                self.plus_one,
                self.plus_five,
                self.chime,
                self.big,
            ]
        )
        self.add_class("codev-timer-controls")
        session.on_change(self._on_event)
        self.refresh()

    def __repr__(self) -> str:
        return f"TimerControls(session={self.session.id!r})"

    def _on_event(self, event: Event) -> None:
        self.refresh()

    def refresh(self) -> None:
        status = self.session.status
        show(self.pause_button, status == "running")
        show(self.resume_button, status == "paused")
        for button in (self.plus_one, self.plus_five):
            button.disabled = status not in {"running", "paused"}
