"""Participants' signals: raised hands, "ready", "more time" — the console's and a page's.

The console shows the queue of hands in the order raised (``codev-hand-queue``, names and
waiting time) and lowers one or all; "N of M ready" (``codev-ready-count``) and who; how many
ask for more time at zero, and gives it. A participant's page has its own buttons
(``codev-hand``, ``codev-ready``) and sees its place in the queue, nothing of the others.
"""

from __future__ import annotations

import contextlib
import html
from collections.abc import Callable

import ipywidgets as widgets

from codevwidgets.core.clock import Clock, system_clock
from codevwidgets.core.commands import Act, Command, local_act
from codevwidgets.core.day_overview import ready_count
from codevwidgets.core.limits import RateLimited
from codevwidgets.core.session import (
    SESSION_ENDED,
    DeletedError,
    Event,
    Session,
    SessionError,
    UnreachableError,
)
from codevwidgets.core.signals import (
    MORE_TIME_MINUTES,
    hand_queue,
    place_in_queue,
    signaller,
    signals_of_step,
)
from codevwidgets.widgets._view import (
    TIMER_KINDS,
    Follower,
    Shown,
    Texts,
    close_all,
    literal,
    show,
    ticking_text,
    touches,
)

Send = Callable[[str, bool], None]
"""How a participant's page sends its own signal: ``send(kind, on)``; raises ``ValueError``
(``RateLimited`` among them) when the store refuses it."""

CHANGES = (TIMER_KINDS | {"signals", "roles"}, {"signals", "step", "timer", "roles"})


class HandQueue(Follower, widgets.VBox):
    """The raised hands in the order raised, with how long each waits; lower one or all."""

    def __init__(
        self, session: Session, texts: Texts, act: Act | None = None, clock: Clock = system_clock
    ) -> None:
        self.session, self.texts, self.clock = session, texts, clock
        self.act = act or local_act(session)
        self.heading = widgets.Label(texts("signals.hands")).add_class("codev-heading")
        self.queue = literal(widgets.HTML().add_class("codev-hand-queue"))
        self.lower_buttons = widgets.HBox().add_class("codev-lower-hands")
        self.lower_all = widgets.Button(description=texts("signals.lower_all"))
        self.lower_all.add_class("codev-lower-all")
        self.lower_all.on_click(lambda _: self.lower(None))
        super().__init__([self.heading, self.queue, self.lower_buttons, self.lower_all])
        self.add_class("codev-hands")
        self._follow()
        self.refresh()

    def __repr__(self) -> str:
        return f"HandQueue(session={self.session.id!r})"

    def lower(self, participant: str | None) -> None:
        """Lower one participant's hand (None: every hand)."""
        with contextlib.suppress(SessionError, ValueError):
            self.act(Command("lower_hand", {"participant": participant}))

    def _on_event(self, event: Event) -> None:
        if touches(event, *CHANGES):
            self.refresh()

    def refresh(self) -> None:
        texts, now = self.texts, self.clock()
        queue = hand_queue(self.session.signals)
        unnamed = texts("signals.unnamed")
        rows = "".join(
            f"<li>{html.escape(signaller(s, unnamed))} · {ticking_text(max(0.0, now - s.at), now)}"
            "</li>"
            for s in queue
        )
        self.queue.value = f"<ol>{rows}</ol>" if rows else html.escape(texts("signals.no_hands"))
        close_all(self.lower_buttons.children)
        self.lower_buttons.children = [
            self._lower_button(s.participant, signaller(s, unnamed)) for s in queue
        ]
        show(self.lower_all, len(queue) > 1)

    def _lower_button(self, participant: str, name: str) -> widgets.Button:
        text = self.texts("signals.lower", name=name)
        button = literal(widgets.Button(description=text).add_class("codev-lower-hand"))
        button.on_click(lambda _: self.lower(participant))
        return button


class ReadyPanel(Follower, widgets.VBox):
    """ "N of M ready" in this step and who (the console's only), and the requests for more
    time once the countdown is at zero, with the button that gives it."""

    def __init__(
        self, session: Session, texts: Texts, act: Act | None = None, shown: Shown | None = None
    ) -> None:
        self.session, self.texts = session, texts
        self.act = act or local_act(session)
        self.shown = shown or (lambda: session.current_step.id)
        self.count = widgets.Label().add_class("codev-ready-count")
        self.who = literal(widgets.HTML().add_class("codev-ready-who"))
        self.more_time = widgets.Label().add_class("codev-more-time-count")
        self.give = widgets.Button(
            description=texts("signals.give_more_time", minutes=MORE_TIME_MINUTES)
        ).add_class("codev-give-more-time")
        self.give.on_click(lambda _: self.give_more_time())
        self.keep = widgets.Button(description=texts("signals.keep_time")).add_class(
            "codev-keep-time"
        )
        self.keep.on_click(lambda _: self.keep_time())
        answers = widgets.HBox([self.give, self.keep]).add_class("codev-more-time-answers")
        super().__init__([self.count, self.who, self.more_time, answers])
        self.add_class("codev-ready-panel")
        self._follow()
        self.refresh()

    def __repr__(self) -> str:
        return f"ReadyPanel(session={self.session.id!r})"

    def give_more_time(self) -> None:
        """The facilitator's decision: the step gets the minutes asked for."""
        with contextlib.suppress(SessionError, ValueError):
            self.act(Command("extend", {"minutes": MORE_TIME_MINUTES, "step": self.shown()}))

    def keep_time(self) -> None:
        """The facilitator's other decision: the step keeps its time; the requests go."""
        with contextlib.suppress(SessionError, ValueError):
            self.act(Command("keep_time"))

    def _on_event(self, event: Event) -> None:
        if touches(event, *CHANGES):
            self.refresh()

    def refresh(self) -> None:
        session, texts = self.session, self.texts
        step_id = session.current_step.id
        ready = signals_of_step(session.signals, "ready", step_id)
        count, of = ready_count(session.signals, session.roles, step_id)
        self.count.value = texts("signals.ready_count", ready=count, total=of)
        unnamed = texts("signals.unnamed")
        names = ", ".join(signaller(s, unnamed) for s in ready)
        self.who.value = html.escape(texts("signals.ready_who", names=names)) if ready else ""
        asking = signals_of_step(session.signals, "more_time", step_id)
        self.more_time.value = (
            texts("signals.more_time_count", count=len(asking), minutes=MORE_TIME_MINUTES)
            if asking
            else ""
        )
        show(self.more_time, bool(asking))
        show(self.give, bool(asking))
        show(self.keep, bool(asking))
        show(self, session.status in {"running", "paused"})


class ParticipantSignals(Follower, widgets.VBox):
    """A participant's own signals: their hand (and place in the queue), "ready", and more
    time once the countdown is at zero. ``participant`` is the page's id in the store."""

    def __init__(self, session: Session, texts: Texts, participant: str, send: Send) -> None:
        self.session, self.texts, self.participant, self.send = session, texts, participant, send
        self.hand = widgets.Button().add_class("codev-hand")
        self.hand.on_click(lambda _: self.toggle("hand"))
        self.place = widgets.Label().add_class("codev-hand-place")
        self.ready = widgets.Button().add_class("codev-ready")
        self.ready.on_click(lambda _: self.toggle("ready"))
        self.more_time = widgets.Button(
            description=texts("signals.ask_more_time", minutes=MORE_TIME_MINUTES)
        ).add_class("codev-more-time")
        self.more_time.on_click(lambda _: self.toggle("more_time"))
        self.message = widgets.Label().add_class("codev-signal-message")
        super().__init__(
            [
                widgets.HBox([self.hand, self.ready, self.more_time]).add_class(
                    "codev-signal-buttons"
                ),
                self.place,
                self.message,
            ]
        )
        self.add_class("codev-signals")
        self._follow()
        self.refresh()

    def __repr__(self) -> str:
        return f"ParticipantSignals(session={self.session.id!r})"

    def mine(self, kind: str) -> bool:
        """Whether this page's ``kind`` signal stands (ready and more time: in this step)."""
        step_id = self.session.current_step.id
        return any(
            s.participant == self.participant
            and s.kind == kind
            and (kind == "hand" or s.step_id == step_id)
            for s in self.session.signals
        )

    def toggle(self, kind: str) -> None:
        """Raise or lower this page's own ``kind`` signal; a refusal becomes the message.

        The message is set once per click, to what it ends as: clicks refused in a row for
        the same reason send the page nothing (a script clicking a thousand times included).
        """
        said = ""
        if kind == "more_time" and not self.mine(kind) and self.session.remaining() > 0:
            said = self.texts("signals.more_time_not_yet")
        else:
            try:
                self.send(kind, not self.mine(kind))
            except DeletedError:  # before ValueError: it is one, and says more
                said = self.texts(SESSION_ENDED)
            except RateLimited:
                said = self.texts("participant.rate_limited")
            except ValueError:
                said = self.texts("signals.refused")
            except UnreachableError:
                said = self.texts("signals.store_unreachable")
        self.message.value = said

    def _on_event(self, event: Event) -> None:
        if touches(event, *CHANGES):
            self.refresh()

    def refresh(self) -> None:
        texts = self.texts
        raised = self.mine("hand")
        self.hand.description = texts("signals.lower_hand" if raised else "signals.raise_hand")
        self.hand.button_style = "warning" if raised else ""
        place = place_in_queue(self.session.signals, self.participant)
        self.place.value = texts("signals.your_place", place=place) if place else ""
        ready = self.mine("ready")
        self.ready.description = texts("signals.not_ready" if ready else "signals.ready")
        self.ready.button_style = "success" if ready else ""
        asked = self.mine("more_time")
        self.more_time.button_style = "info" if asked else ""
        self.more_time.description = (
            texts("signals.more_time_asked")
            if asked
            else texts("signals.ask_more_time", minutes=MORE_TIME_MINUTES)
        )
        show(self, self.session.status in {"running", "paused"})
