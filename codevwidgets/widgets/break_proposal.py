"""The console's proposal of a break (core.breaks): shown while one is due, and a way to end a
running break early. The break itself is shown on every page by the countdown."""

from __future__ import annotations

import ipywidgets as widgets

from codevwidgets.core.commands import Act, Command, local_act
from codevwidgets.core.session import Event, Session, SessionError
from codevwidgets.widgets._view import (
    TIMER_KINDS,
    Follower,
    Texts,
    hidden_layout,
    literal,
    refusal,
    show,
    touches,
)

__all__ = ["BreakProposal"]

BREAK_KINDS = TIMER_KINDS | {"break_started", "break_ended"}
BREAK_PARTS = {"step", "timer", "breaks"}


class BreakProposal(Follower, widgets.VBox):
    """ "Time for a break" with a ``codev-break-start`` button while the rule says so; "End
    the break now" (``codev-break-end``) while one runs. Hidden otherwise, and always for a
    runbook without ``break_after_minutes``.

    Examples
    --------
    >>> proposal = BreakProposal(session, texts)  # doctest: +SKIP
    >>> proposal.take.click()  # doctest: +SKIP
    """

    def __init__(self, session: Session, texts: Texts, act: Act | None = None) -> None:
        self.session, self.texts = session, texts
        self.act = act or local_act(session)
        book = session.runbook
        self.due = literal(
            widgets.Label(texts("timer.break_due", minutes=book.break_after_minutes or 0))
        )
        self.take = widgets.Button(
            description=texts("timer.break_take", minutes=book.break_minutes), icon="coffee"
        ).add_class("codev-break-start")
        self.take.on_click(lambda _: self.send("take_break"))
        self.end = widgets.Button(description=texts("timer.break_end"), icon="play")
        self.end.add_class("codev-break-end")
        self.end.on_click(lambda _: self.send("end_break"))
        self.message = widgets.Label().add_class("codev-error")
        super().__init__([self.due, self.take, self.end, self.message], layout=hidden_layout())
        self.add_class("codev-break-proposal")
        self._follow()
        self.refresh()

    def __repr__(self) -> str:
        return f"BreakProposal(session={self.session.id!r})"

    def send(self, name: str) -> None:
        """Take or end the break; a refusal becomes the message (another console took it)."""
        try:
            self.act(Command(name))
        except SessionError as exc:
            self.refresh()
            self.message.value = refusal(self.texts, exc)

    def _on_event(self, event: Event) -> None:
        if touches(event, BREAK_KINDS, BREAK_PARTS):
            self.refresh()

    def refresh(self) -> None:
        # No timer here: a break that ran its length leaves "end it now" until the next change
        # (a click then says no break runs); the countdown hides the break itself on time.
        self.message.value = ""
        due, on_break = self.session.break_due, self.session.current_break is not None
        show(self.due, due)
        show(self.take, due)
        show(self.end, on_break)
        show(self, due or on_break)
