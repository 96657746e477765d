"""The countdown of the current step: a display only, shown to the facilitator and participants.

The kernel syncs a deadline, never ticks: the browser counts down by itself (``countdown.js``)
and corrects for its own clock being wrong with the kernel's time, sent with the state and
refined by a rare ``sync`` message (like NTP). It holds no control, so a participant page can
show it without being able to steer the timer (the facilitator's buttons are
``TimerControls``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from codevwidgets.core.call_time import TimeCalled
from codevwidgets.core.clock import Clock, system_clock
from codevwidgets.core.i18n import Translator
from codevwidgets.core.session import Event, Session
from codevwidgets.widgets._view import touches

__all__ = ["LABEL_KEYS", "Countdown"]

HERE = Path(__file__).parent

# What the browser shows, keyed as countdown.js reads them, from the ``timer.*`` catalog keys.
LABEL_KEYS = {
    "label": "timer.label",
    "overtime": "timer.overtime_label",
    "paused": "timer.paused",
    "ready": "timer.ready",
    "finished": "timer.finished",
    "announce_five": "timer.announce_five",
    "announce_one": "timer.announce_one",
    "announce_zero": "timer.announce_zero",
    "lost": "timer.lost",
    "reload": "timer.reload",
    "break": "timer.break_back",
    "break_caption": "timer.break_caption",
}


MAX_STEP_ID = 64
# "deleted": the session was deleted from the store, and its countdown stops where it was.
# "time_called": a day's lead called time ("5 minutes left"), shown above the digits.
# "break_started", "break_ended": a break (core.breaks), shown above the digits while it runs.
TIMER_EVENTS = {
    "started", "step", "paused", "resumed", "extended", "finished", "deleted", "time_called",
    "break_started", "break_ended",
}  # fmt: skip
TIMER_PARTS = {"step", "timer", "called", "breaks"}


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


class Countdown(anywidget.AnyWidget):
    """The big ``mm:ss`` of the current step; it counts up, as ``+m:ss``, once time is up.

    Parameters
    ----------
    clock : Clock
        The kernel's time (seconds since the epoch), sent to the browser so that a device whose
        clock is minutes off still shows the right time left.
    language : str
        ``"fr"`` or ``"en"``, for the texts read aloud and shown around the digits.

    Examples
    --------
    >>> countdown = Countdown(language="fr").show(session)  # doctest: +SKIP
    >>> countdown.status, countdown.remaining_ms  # doctest: +SKIP
    ('running', 600000)
    """

    _esm = HERE / "countdown.js"
    _css = HERE / "countdown.css"

    status = traitlets.Unicode("ready").tag(sync=True)
    deadline_ms = traitlets.Int(None, allow_none=True).tag(sync=True)
    remaining_ms = traitlets.Int(0).tag(sync=True)
    budget_ms = traitlets.Int(0).tag(sync=True)
    server_now_ms = traitlets.Int(0).tag(sync=True)
    step_title = traitlets.Unicode("").tag(sync=True)
    labels = traitlets.Dict().tag(sync=True)
    step_id = traitlets.Unicode("").tag(sync=True)
    # A console's page says which step it shows once it has drawn it (see ``shown_step``).
    report_shown = traitlets.Bool(False).tag(sync=True)
    chime = traitlets.Bool(False).tag(sync=True)
    big = traitlets.Bool(False).tag(sync=True)
    # Time called ("5 minutes left"), shown until ``called_until_ms`` in the kernel's time:
    # the browser hides it then, by the same corrected clock as the digits ("" : none).
    called_text = traitlets.Unicode("").tag(sync=True)
    called_until_ms = traitlets.Int(None, allow_none=True).tag(sync=True)
    # A break's end (None: no break on): the browser shows "back at …" and counts down to it,
    # then hides it by its own corrected clock; the digits stand still until then.
    break_until_ms = traitlets.Int(None, allow_none=True).tag(sync=True)

    def __init__(self, clock: Clock = system_clock, language: str = "en", **kwargs: Any) -> None:
        t = Translator(language)
        labels = {name: t(key) for name, key in LABEL_KEYS.items()}
        super().__init__(labels=labels, server_now_ms=_ms(clock()), **kwargs)
        self.clock = clock
        self.language = language
        self._t = t
        self._session: Session | None = None
        self.last_heard = clock()  # when the page last synced: tells a kernel its page is gone
        # The step the page reported it shows; None until it reports (no browser: tests).
        self.shown_step: str | None = None
        self._heard: list[Callable[[], None]] = []
        self.on_msg(self._on_message)

    def __repr__(self) -> str:
        # Cheap on purpose: printing a widget must not serialise its state.
        return f"Countdown(status={self.status!r}, step={self.step_title!r})"

    # -- following a session ---------------------------------------------------------------

    def show(self, session: Session) -> Countdown:
        """Follow ``session`` from now on (and stop following the previous one); returns self."""
        if self._session is not None:
            self._session.on_change(self._on_event, remove=True)
        self._session = session
        session.on_change(self._on_event)
        self.update_from(session)
        return self

    def update_from(self, session: Session) -> None:
        """Copy the session's timer state into the synced traits, once."""
        step = session.current_step
        remaining = session.remaining()
        with self.hold_sync():  # one message to the browser, not one per trait
            self.status = session.status
            self.deadline_ms = None if session.deadline is None else _ms(session.deadline)
            self.remaining_ms = _ms(remaining)
            self.budget_ms = _ms(_step_budget(session))
            self.server_now_ms = _ms(self.clock())
            self.step_title = session.runbook.text(step.title, self.language)
            self.step_id = step.id
            self._show_call(session.called)
            current = session.current_break
            self.break_until_ms = None if current is None else _ms(current.until)

    def _show_call(self, called: TimeCalled | None) -> None:
        # A page opened after the minute shows nothing; one open at the call hides it itself.
        if called is None or not called.shown(self.clock()):
            self.called_text, self.called_until_ms = "", None
            return
        one, many = self._t("timer.called_one"), self._t("timer.called", minutes=called.minutes)
        self.called_text = one if called.minutes == 1 else many
        self.called_until_ms = _ms(called.until)

    def close(self) -> None:
        if self._session is not None:
            self._session.on_change(self._on_event, remove=True)
            self._session = None
        super().close()

    def _on_event(self, event: Event) -> None:
        # Notes and contributions change often (every keystroke) and never move the timer.
        if self._session is not None and touches(event, TIMER_EVENTS, TIMER_PARTS):
            self.update_from(self._session)

    # -- clock sync with the browser -------------------------------------------------------

    def on_heard(self, callback: Callable[[], None], remove: bool = False) -> None:
        """Call ``callback()`` each time the page syncs its clock (at load, then about every
        60 s): the page is still there. A participant's kernel notes its presence with it."""
        if remove:
            self._heard.remove(callback)
        else:
            self._heard.append(callback)

    def heard(self) -> None:
        """The page synced: note when, and tell the ``on_heard`` callbacks."""
        self.last_heard = self.clock()
        for callback in list(self._heard):
            callback()

    def time_reply(self, content: Any) -> dict[str, Any] | None:
        """The answer to a browser's ``{"type": "sync", "t0": ms}``; ``None`` for anything else.

        Only a finite number is echoed back: the message comes from a page, maybe a
        participant's, and is not trusted.
        """
        if not isinstance(content, dict) or content.get("type") != "sync":
            return None
        t0 = content.get("t0")
        if isinstance(t0, bool) or not isinstance(t0, int | float) or not math.isfinite(t0):
            return None
        return {"type": "time", "t0": t0, "server_ms": self.clock() * 1000}

    def _on_message(self, widget: Any, content: Any, buffers: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "shown":
            # What the page drew, in the order the page sends its messages: a click made
            # before the page drew a step another console chose arrives with the old one.
            step = content.get("step")
            if isinstance(step, str) and len(step) <= MAX_STEP_ID:
                self.shown_step = step
            return
        reply = self.time_reply(content)
        if reply is not None:
            self.send(reply)
            self.heard()


def _step_budget(session: Session) -> float:
    """Seconds planned for the current step, extensions included (what colours are relative to).

    The same total as ``Session.elapsed_fraction`` uses. The session has no public accessor for
    its extensions yet, hence the private read.
    """
    step = session.current_step
    return step.minutes * 60 + session._extra.get(step.id, 0.0)
