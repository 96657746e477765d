"""The projector's page: the room's screen, read from across the room, never acted on.

The step and its position, a large countdown, who speaks and the advisors' rules for the
step, the group's title and the participants' join link with its QR code; once the session
has ended, that it has ended and thanks, under the group's title. It holds no input and no
button: a projector kernel changes nothing in the session.
"""

from __future__ import annotations

from pathlib import Path

import ipywidgets as widgets

from codevwidgets.core.clock import Clock, system_clock
from codevwidgets.core.session import SESSION_ENDED, Event, Session
from codevwidgets.core.theme import Theme
from codevwidgets.widgets._view import (
    Follower,
    Texts,
    brand,
    close_page,
    end_page,
    ended_html,
    stylesheet,
    touches,
)
from codevwidgets.widgets.countdown import Countdown
from codevwidgets.widgets.rules import RulesPanel
from codevwidgets.widgets.step_header import StepHeader

PROJECTOR_CSS = Path(__file__).with_name("projector.css")


class ProjectorView(Follower, widgets.VBox):
    """What the room's screen shows, following ``session`` (which a store link keeps current).

    ``join`` is the participants' link and QR code (``join.join_widget``), built by the page.

    Examples
    --------
    >>> view = ProjectorView(session, Texts(book, "en"), join_widget(texts, url))  # doctest: +SKIP
    """

    def __init__(
        self,
        session: Session,
        texts: Texts,
        join: widgets.Widget,
        clock: Clock = system_clock,
        theme: Theme = "dark",
    ) -> None:
        self.session, self.texts, self.theme = session, texts, theme
        runbook = session.runbook
        self.header = StepHeader(session, texts)
        self.countdown = Countdown(clock=clock, language=texts.language, big=True).show(session)
        # Who speaks and what advisors may and may not do: what the room looks up at.
        self.rules = RulesPanel(session, texts, role="advisors", with_prompts=False)
        self.join = join
        css = widgets.HTML(f"<style>{PROJECTOR_CSS.read_text(encoding='utf-8')}</style>")
        left = widgets.VBox([self.header, self.countdown]).add_class("codev-projector-main")
        right = widgets.VBox([self.rules, join]).add_class("codev-projector-side")
        body = widgets.HBox([left, right]).add_class("codev-projector-body")
        super().__init__([stylesheet(runbook, theme), css, brand(runbook, texts), body])
        self.add_class("codev-console").add_class("codev-projector")
        self.add_class(f"codev-theme-{theme}")
        self.ended: widgets.HTML | None = None  # the line saying the session has ended
        self._follow()
        self._follow_end()

    def __repr__(self) -> str:
        return f"ProjectorView(session={self.session.id!r})"

    def close(self) -> None:
        """Stop following (the store and the session) and close every part of the page."""
        close_page(self)
        super().close()

    def _on_event(self, event: Event) -> None:
        if event.kind == "deleted":  # from the store: the room's screen says so, and only that
            self._end(SESSION_ENDED)
        elif touches(event, {"finished"}, {"timer"}):
            self._follow_end()

    def _follow_end(self) -> None:
        # Ended: the rules and the join link's QR code are no use to the room any more.
        if self.session.status == "finished" and not self.session.deleted:
            self._end("live.session_over")

    def _end(self, key: str) -> None:
        if self.ended is None:
            self.ended = end_page(self, self.texts(key), kept=3)
        else:  # ended, then deleted: one line, the latest word
            self.ended.value = ended_html(self.texts(key))
