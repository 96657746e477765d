"""The facilitator's timer controls: pause/resume, +1 and +5 minutes, chime, large display.

Kept apart from the countdown because a participant page shows the countdown but must never
be given a control.
"""

from __future__ import annotations

import ipywidgets as widgets

from codevwidgets.core.commands import Act, Command, local_act
from codevwidgets.core.session import Event, Session, SessionError
from codevwidgets.widgets._view import TIMER_KINDS, Follower, Shown, Texts, refusal, show, touches


class TimerControls(Follower, widgets.HBox):
    """Pause, resume and more time for the step this page shows (refused, with a message,
    if another console has moved the session on since)."""

    def __init__(
        self,
        session: Session,
        texts: Texts,
        countdown: widgets.DOMWidget,
        act: Act | None = None,
        shown: Shown | None = None,
    ) -> None:
        self.session, self.texts = session, texts
        self.act = act or local_act(session)
        self.shown = shown or (lambda: session.current_step.id)
        self.pause_button = widgets.Button(description=texts("timer.pause"), icon="pause")
        self.pause_button.on_click(lambda _: self.send("pause"))
        self.resume_button = widgets.Button(description=texts("timer.resume"), icon="play")
        self.resume_button.on_click(lambda _: self.send("resume"))
        self.plus_one = widgets.Button(description=texts("timer.plus_one"))
        self.plus_one.on_click(lambda _: self.send("extend", minutes=1))
        self.plus_five = widgets.Button(description=texts("timer.plus_five"))
        self.plus_five.on_click(lambda _: self.send("extend", minutes=5))
        self.message = widgets.Label().add_class("codev-error")
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
                self.message,
            ]
        )
        self.add_class("codev-timer-controls")
        self._follow()
        self.refresh()

    def __repr__(self) -> str:
        return f"TimerControls(session={self.session.id!r})"

    def send(self, name: str, **args: object) -> None:
        """Send one timer command for the step shown; a refusal becomes the message."""
        try:
            self.act(Command(name, {"step": self.shown(), **args}))
        except SessionError as exc:
            self.message.value = refusal(self.texts, exc)

    def _on_event(self, event: Event) -> None:
        if touches(event, TIMER_KINDS, {"step", "timer"}):
            self.refresh()

    def refresh(self) -> None:
        self.message.value = ""
        status = self.session.status
        show(self.pause_button, status == "running")
        show(self.resume_button, status == "paused")
        for button in (self.plus_one, self.plus_five):
            button.disabled = status not in {"running", "paused"}
