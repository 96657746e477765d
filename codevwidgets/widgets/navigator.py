"""The step navigator: every step with planned and actual minutes, and next/previous."""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets

from codevwidgets.core.commands import Act, Command, local_act
from codevwidgets.core.roles import RolesError
from codevwidgets.core.session import Event, Session, SessionError
from codevwidgets.widgets._view import (
    TIMER_KINDS,
    Follower,
    Shown,
    Texts,
    clock_text,
    literal,
    refusal,
    show,
    touches,
)
from codevwidgets.widgets.step_header import StepHeader


class StepNavigator(Follower, widgets.VBox):
    """Walks the session's steps; moving on while time remains asks once.

    Each button sends a command (``act``) naming the step this page shows, so a click on a
    page that had not caught up yet is refused, with a message, instead of moving the group
    to a step nobody chose.

    >>> nav = StepNavigator(session, Texts(session.runbook, "en"))  # doctest: +SKIP
    >>> nav.next_button.click()  # shows the confirm button if time remains
    """

    def __init__(
        self,
        session: Session,
        texts: Texts,
        act: Act | None = None,
        shown: Shown | None = None,
    ) -> None:
        self.session, self.texts = session, texts
        self.act = act or local_act(session)
        self.shown = shown or (lambda: session.current_step.id)
        self.header = StepHeader(session, texts)
        self.start_button = self._button("steps.start", "play", self._start, "success")
        self.start_button.add_class("codev-start")
        self.previous_button = self._button("steps.previous", "arrow-left", self._previous)
        self.previous_button.add_class("codev-previous-step")
        self.next_button = self._button("steps.next", "arrow-right", self._next, "primary")
        self.next_button.add_class("codev-next-step")
        self.finish_button = self._button("steps.finish", "flag-checkered", self._next)
        self.finish_button.add_class("codev-finish")
        self.confirm_button = self._button("steps.next", "check", self._confirm, "warning")
        self.confirm_button.add_class("codev-confirm")
        # After the end: latecomers may still rate, until the facilitator closes the ratings.
        self.close_ratings_button = self._button("steps.close_ratings", "lock", self._close_ratings)
        self.close_ratings_button.add_class("codev-close-ratings")
        self.ratings_note = widgets.Label(texts("steps.ratings_open"))
        self.ratings_note.add_class("codev-ratings-open")
        self.message = widgets.Label().add_class("codev-error")
        self.rows = [self._row(i) for i in range(len(session.runbook.steps))]
        self.total = widgets.Label(texts("steps.total", minutes=session.runbook.total_minutes))
        buttons = widgets.HBox(
            [
                self.start_button,
                self.previous_button,
                self.next_button,
                self.finish_button,
                self.confirm_button,
                self.close_ratings_button,
            ]
        ).add_class("codev-nav-buttons")
        super().__init__(
            [
                self.header,
                buttons,
                self.ratings_note,
                self.message,
                widgets.VBox([r for r, *_ in self.rows]),
                self.total,
            ]
        )
        self.add_class("codev-navigator")
        self._follow()
        self.refresh()

    def __repr__(self) -> str:
        return f"StepNavigator(session={self.session.id!r})"

    def _button(
        self, key: str, icon: str, action: Callable[[], None], style: str = ""
    ) -> widgets.Button:
        button = widgets.Button(description=self.texts(key), icon=icon, button_style=style)
        button.on_click(lambda _: self._guard(action))
        return button

    def _row(self, index: int) -> tuple[widgets.HBox, widgets.Label, widgets.FloatProgress]:
        step = self.session.runbook.steps[index]
        name = literal(widgets.Label(f"{index + 1}. {self.texts.of(step.title)}"))
        name.add_class("codev-step-name")
        minutes = widgets.Label().add_class("codev-step-minutes")
        bar = widgets.FloatProgress(value=0, min=0, max=1, layout={"width": "6em"})
        return widgets.HBox([name, minutes, bar]).add_class("codev-step-row"), minutes, bar

    def _guard(self, action: Callable[[], None]) -> None:
        # A refused move (roles missing, last step, another console moved on…) becomes a
        # message, never a traceback; the page already shows the latest state.
        try:
            action()
        except RolesError as exc:
            self.message.value = " ".join(self.texts(key) for key in exc.keys)
        except SessionError as exc:
            self.message.value = refusal(self.texts, exc)

    # -- actions: one line each, the rules live in Session ---------------------------------

    def _start(self) -> None:
        self.act(Command("start"))

    def _previous(self) -> None:
        self.act(Command("previous", {"step": self.shown()}))

    def _next(self) -> None:
        if self.session.remaining() > 0:
            self.confirm_button.description = self.texts(
                "steps.confirm", remaining=clock_text(self.session.remaining())
            )
            show(self.confirm_button, True)
            return
        self._confirm()

    def _confirm(self) -> None:
        last = self.session.index == len(self.session.runbook.steps) - 1
        self.act(Command("finish" if last else "next", {"step": self.shown()}))

    def _close_ratings(self) -> None:
        self.act(Command("close_ratings"))

    # -- view -------------------------------------------------------------------------------

    def _on_event(self, event: Event) -> None:
        if touches(event, {*TIMER_KINDS, "ratings_closed"}, {"step", "timer", "ratings"}):
            self.refresh()

    def refresh(self) -> None:
        session, texts = self.session, self.texts
        steps = session.runbook.steps
        status = session.status
        self.message.value = ""
        last = session.index == len(steps) - 1
        live = status in {"running", "paused"}
        show(self.start_button, status == "ready")
        show(self.previous_button, live and session.index > 0)
        show(self.next_button, live and not last)
        show(self.finish_button, live and last)
        show(self.confirm_button, False)
        rates_late = status == "finished" and session.ratings_open
        show(self.close_ratings_button, rates_late)
        show(self.ratings_note, rates_late)
        actual = session.actual_minutes()
        for i, (row, minutes, bar) in enumerate(self.rows):
            step = steps[i]
            spent = actual[step.id]
            minutes.value = (
                texts("steps.row_actual", planned=step.minutes, actual=round(spent))
                if spent >= 0.5
                else texts("steps.row_planned", planned=step.minutes)
            )
            bar.value = min(1.0, spent / step.minutes)
            bar.bar_style = "danger" if spent > step.minutes else ""
            current = i == session.index and status != "ready"
            (row.add_class if current else row.remove_class)("codev-step-current")
