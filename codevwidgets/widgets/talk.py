"""The facilitator's talk timer: a button per person, the time each spoke, a balance hint.

One click on a name marks who speaks now (the previous speaker's time closes), a click on the
speaker stops the timer. The times are the session's (``Session.talk_seconds``), counted by
the store's clock, shown per step and in total, refreshed at each change (no ticking).
"""

from __future__ import annotations

import contextlib
import html

import ipywidgets as widgets

from codevwidgets.core.commands import Act, Command, local_act
from codevwidgets.core.roles import RolesError
from codevwidgets.core.session import Event, Session, SessionError
from codevwidgets.core.signals import people_who_speak
from codevwidgets.widgets._view import (
    TIMER_KINDS,
    Follower,
    Texts,
    close_all,
    literal,
    show,
    ticking_text,
    touches,
)

# The step where every advisor should have their say (METHOD.md): the hint names who has not.
BALANCED_STEP = "consultation"


class TalkPanel(Follower, widgets.VBox):
    """Who speaks now, and for how long each person spoke (``codev-talk-button``,
    ``codev-talk-time``).

    Examples
    --------
    >>> panel = TalkPanel(session, texts, act)  # doctest: +SKIP
    >>> panel.click("Bruno")  # Bruno speaks; click("Bruno") again stops the timer
    """

    def __init__(self, session: Session, texts: Texts, act: Act | None = None) -> None:
        self.session, self.texts = session, texts
        self.act = act or local_act(session)
        self.heading = widgets.Label(texts("signals.talk")).add_class("codev-heading")
        self.buttons = widgets.HBox().add_class("codev-talk-buttons")
        self.times = literal(widgets.HTML().add_class("codev-talk-time"))
        self.hint = literal(widgets.HTML().add_class("codev-talk-hint"))
        self._names: list[str] = []
        super().__init__([self.heading, self.buttons, self.times, self.hint])
        self.add_class("codev-talk")
        self._follow()
        self.refresh()

    def __repr__(self) -> str:
        return f"TalkPanel(session={self.session.id!r}, speaker={self.session.speaker!r})"

    def click(self, name: str) -> None:
        """What a click on ``name``'s button does: they speak now, or (speaking) stop."""
        # Refused only when the session is not running: the buttons are disabled then, and
        # the panel already shows what the store holds.
        with contextlib.suppress(SessionError, RolesError, ValueError):
            self.act(Command("talk", {"name": name}))

    def _on_event(self, event: Event) -> None:
        if touches(event, TIMER_KINDS | {"talk", "roles"}, {"talk", "step", "timer", "roles"}):
            self.refresh()

    def refresh(self) -> None:
        session, texts = self.session, self.texts
        names = people_who_speak(session.roles)
        if names != self._names:  # the roles changed: new buttons, the old ones closed
            close_all(self.buttons.children)
            self.buttons.children = [self._button(name) for name in names]
            self._names = names
        running = session.status == "running"
        for button in self.buttons.children:
            button.disabled = not running
            button.button_style = "success" if button.description == session.speaker else ""
        show(self, bool(names))
        step_id = session.current_step.id
        here, total = session.talk_seconds(step_id), session.talk_seconds()
        now = session.clock()

        def cell(name: str, seconds: dict[str, float]) -> str:
            # The speaker's times go on in the page between two changes.
            ticks = running and name == session.speaker
            return f"<td>{ticking_text(seconds.get(name, 0.0), now, ticks=ticks)}</td>"

        rows = "".join(
            f"<tr><td>{html.escape(name)}</td>{cell(name, here)}{cell(name, total)}</tr>"
            for name in [*names, *sorted(set(total) - set(names))]
        )
        head = "".join(
            f"<th>{html.escape(texts(key))}</th>"
            for key in ("signals.person", "signals.this_step", "signals.total")
        )
        self.times.value = f"<table><tr>{head}</tr>{rows}</table>" if rows else ""
        silent = []
        if step_id == BALANCED_STEP and session.status != "ready" and session.roles:
            silent = [a for a in session.roles.advisors if here.get(a, 0.0) <= 0]
        self.hint.value = "".join(
            f"<div>{html.escape(texts('signals.not_spoken', name=name))}</div>" for name in silent
        )

    def _button(self, name: str) -> widgets.Button:
        button = widgets.Button(description=name, tooltip=name).add_class("codev-talk-button")
        button.on_click(lambda _: self.click(name))
        return literal(button)
