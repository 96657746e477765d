"""The projector's page: the room's screen, read from across the room, never acted on.

The group's name and the client, the step and its position, a large countdown, who speaks
and the advisors' rules for the step, the shared contract (from the contract step on) and the
participants' join link with its QR code, large until the session starts; once the session has
ended, that it has ended and thanks, under the group's name. It holds no input and no button:
a projector kernel changes nothing in the session.
"""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as widgets

from codevwidgets.core.clock import Clock, system_clock
from codevwidgets.core.runbook import LocalText
from codevwidgets.core.session import SESSION_ENDED, Event, Session
from codevwidgets.core.theme import Theme
from codevwidgets.widgets._view import (
    Follower,
    Texts,
    brand,
    close_page,
    end_page,
    literal,
    stylesheet,
    touches,
)
from codevwidgets.widgets.contract import ContractPanel
from codevwidgets.widgets.countdown import Countdown
from codevwidgets.widgets.drift import DriftShown
from codevwidgets.widgets.rules import RulesPanel
from codevwidgets.widgets.step_header import StepHeader

PROJECTOR_CSS = Path(__file__).with_name("projector.css")


class ProjectorView(Follower, widgets.VBox):
    """What the room's screen shows, following ``session`` (which a store link keeps current).

    ``join`` is the participants' link and QR code (``join.join_widget``), built by the page;
    ``group`` the group's name (the roster's, "" without one).

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
        group: LocalText = "",
    ) -> None:
        self.session, self.texts, self.theme = session, texts, theme
        runbook = session.runbook
        # Whose session this is, at the top: the group (and its organisation), the client.
        names = [texts.of(group), runbook.client or ""]
        self.group = literal(widgets.HTML().add_class("codev-projector-group"))
        self.group.value = html.escape(" · ".join(filter(None, names)))
        self.client = literal(widgets.Label().add_class("codev-projector-client"))
        top = widgets.HBox([widgets.VBox([self.group, self.client]), brand(runbook, texts)])
        self.header = StepHeader(session, texts)
        self.countdown = Countdown(clock=clock, language=texts.language, big=True).show(session)
        # Who speaks, large under the countdown, and what advisors may and may not do: what
        # the room looks up at. (The rules' own "who speaks" line is hidden here, by CSS.)
        self.speaker = literal(widgets.HTML().add_class("codev-projector-speaker"))
        self.rules = RulesPanel(session, texts, role="advisors", with_prompts=False)
        # The client's question and the contract, from the contract step on.
        self.contract = ContractPanel(session, texts)
        # The client's drift flag, right above the contract it drifts from.
        self.drift = DriftShown(session, texts, with_contract=False)
        self.join = join
        css = widgets.HTML(f"<style>{PROJECTOR_CSS.read_text(encoding='utf-8')}</style>")
        left = widgets.VBox([self.header, self.countdown, self.speaker])
        left.add_class("codev-projector-main")
        right = widgets.VBox([self.drift, self.contract, self.rules, join]).add_class(
            "codev-projector-side"
        )
        body = widgets.HBox([left, right]).add_class("codev-projector-body")
        super().__init__(
            [stylesheet(runbook, theme), css, top.add_class("codev-projector-top"), body]
        )
        self.add_class("codev-console").add_class("codev-projector")
        self.add_class(f"codev-theme-{theme}")
        self.ended: widgets.HTML | None = None  # the line saying the session has ended
        self._follow()
        self._show_roles()
        self._show_status()
        self._show_speaker()
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
            return
        if touches(event, {"roles"}, {"roles"}):
            self._show_roles()
        if touches(event, {"started", "finished"}, {"timer"}):
            self._show_status()
        if touches(event, {"started", "step"}, {"step"}):
            self._show_speaker()
        if touches(event, {"finished"}, {"timer"}):
            self._follow_end()

    def _follow_end(self) -> None:
        # Ended: the rules and the join link's QR code are no use to the room any more.
        if self.session.status == "finished" and not self.session.deleted:
            self._end("live.session_over")

    def _end(self, key: str) -> None:
        # Ended, then deleted: one line, the latest word.
        self.ended = end_page(self, self.texts(key), kept=3)

    def _show_speaker(self) -> None:
        who = self.texts.of(self.session.current_step.speaker)
        label = html.escape(self.texts("rules.speaker"))
        self.speaker.value = f"<b>{label}</b> — {html.escape(who)}" if who else ""

    def _show_roles(self) -> None:
        roles = self.session.roles
        client = roles.client if roles else ""
        self.client.value = self.texts("projector.client", name=client) if client else ""

    def _show_status(self) -> None:
        # Before the start, the join link and its QR code are the screen's main business;
        # once started, they make room for the step (still there for a latecomer).
        if self.session.status == "ready":
            self.remove_class("codev-projector--started")
        else:
            self.add_class("codev-projector--started")
