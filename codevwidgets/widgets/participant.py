"""The participant's page: the step, the countdown, who is who, their rules, a box to type in.

A participant kernel builds no control that changes the step, the timer or the roles: its only
writes are its own contributions, through ``submit``, and its own signals (a hand, "ready",
more time), through ``signal``.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as widgets

from codevwidgets.core.clock import Clock, system_clock
from codevwidgets.core.session import SESSION_ENDED, Event, Session
from codevwidgets.core.theme import Theme
from codevwidgets.widgets._view import (
    ENDED_AWAY,
    Follower,
    Texts,
    brand,
    close_page,
    end_page,
    escaped_list,
    literal,
    roles_summary,
    show,
    stylesheet,
    touches,
)
from codevwidgets.widgets.contract import ContractPanel
from codevwidgets.widgets.contributions import ContributionBox, ContributionList, Submit
from codevwidgets.widgets.countdown import Countdown
from codevwidgets.widgets.dots import Dots, DotsPanel
from codevwidgets.widgets.drift import DriftFlag
from codevwidgets.widgets.hands import ParticipantSignals, Send
from codevwidgets.widgets.keeper import TypingKeeper
from codevwidgets.widgets.rules import RulesPanel
from codevwidgets.widgets.step_header import StepHeader
from codevwidgets.widgets.topic_form import Preparing, TopicForm


class ParticipantView(Follower, widgets.VBox):
    """What one participant sees, following ``session`` (which a store link keeps current).

    Examples
    --------
    >>> view = ParticipantView(session, Texts(book, "fr"), "Chloé", submit)  # doctest: +SKIP
    """

    def __init__(
        self,
        session: Session,
        texts: Texts,
        name: str | None,
        submit: Submit,
        clock: Clock = system_clock,
        theme: Theme | None = None,
        signal: Send | None = None,
        participant: str = "",
        change: Callable[[], None] | None = None,
        preparing: Preparing | None = None,
        dots: Dots | None = None,
    ) -> None:
        self.session, self.texts, self.name = session, texts, name
        runbook = session.runbook
        # The page's theme: the link's (&theme=), else the runbook's (see theme.page_theme).
        self.theme = theme or runbook.theme
        self.header = StepHeader(session, texts)
        self.countdown = Countdown(clock=clock, language=texts.language).show(session)
        self.you = widgets.Label().add_class("codev-you")
        # Who the page joined as, and "not you? change" (``change``: the page asks again).
        self.who = self._who(name, change)
        self.roles = literal(widgets.HTML().add_class("codev-roles"))
        self.rules = RulesPanel(session, texts, role=None, with_prompts=False)
        # The question and the contract, from the contract step on: the consultation keeps to it.
        self.contract = ContractPanel(session, texts)
        # What the person types is kept in the browser until sent: a kernel that dies loses
        # none of it. Per name: a tab that changes who it is does not hand the text on.
        self.keeper = TypingKeeper(f"codev-kept:{session.id}:{name or ''}", texts.language)
        self.box = ContributionBox(session, texts, submit, author=name, keeper=self.keeper)
        # The page's own hand, "ready" and more time (``participant``: its id in the store).
        self.signals = ParticipantSignals(session, texts, participant, signal) if signal else None
        # The client's "we are drifting from my question", in the consultation (theirs only).
        self.drift = DriftFlag(session, texts, name, participant, signal) if signal else None
        self.contributions = ContributionList(session, texts)
        # The member's topic, prepared before the start (``preparing``: the page's store calls).
        self.topic = TopicForm(session, texts, name, preparing, self.keeper) if preparing else None
        # The page's dots in the topic choice (``dots``: its store's, for its own name).
        self.dots = DotsPanel(session, texts, name, dots) if dots else None
        ground_rules = literal(
            widgets.HTML(
                f"<b>{html.escape(texts('app.ground_rules'))}</b>"
                + escaped_list(texts.of(rule) for rule in runbook.ground_rules)
            ).add_class("codev-ground-rules")
        )
        super().__init__(
            [
                stylesheet(runbook, self.theme),
                brand(runbook, texts),
                self.header,
                self.countdown,
                self.you,
                *([self.who] if self.who else []),
                *([self.signals] if self.signals else []),
                *([self.drift] if self.drift else []),
                *([self.topic] if self.topic else []),
                *([self.dots] if self.dots else []),
                self.contract,
                self.rules,
                self.box,
                self.contributions,
                self.roles,
                ground_rules,
                self.keeper,
            ]
        )
        self.add_class("codev-console").add_class("codev-participant")
        self.add_class(f"codev-theme-{self.theme}")
        self.ended: widgets.HTML | None = None  # the line saying the session has ended
        self._follow()
        self._follow_roles()
        self._follow_end()

    def __repr__(self) -> str:
        return f"ParticipantView(session={self.session.id!r}, name={self.name!r})"

    def _who(self, name: str | None, change: Callable[[], None] | None) -> widgets.HBox | None:
        if name is None or change is None:
            return None
        label = literal(widgets.Label(self.texts("join.joined_as", name=name)))
        label.add_class("codev-who-you")
        self.not_you = widgets.Button(description=self.texts("join.change"), icon="user")
        self.not_you.add_class("codev-change-name")
        self.not_you.on_click(lambda _: change())
        # Why "not you?" did nothing (too many changes just now): said beside it.
        self.who_message = literal(widgets.Label().add_class("codev-who-message"))
        return widgets.HBox([label, self.not_you, self.who_message]).add_class("codev-who-row")

    def say_about_name(self, text: str) -> None:
        """Say ``text`` beside "not you?", as a refusal (set once: the same again sends
        nothing)."""
        if self.who is not None:
            self.who_message.value = text
            self.who_message.add_class("codev-error")

    def close(self) -> None:
        """Stop following (the store and the session) and close every part of the page."""
        close_page(self)
        super().close()

    def _on_event(self, event: Event) -> None:
        if event.kind == "deleted":  # from the store: the page says so, and only that
            self._end(SESSION_ENDED)
            show(self.box, False)
        elif touches(event, {"finished", "ratings_closed"}, {"timer", "ratings"}):
            self._follow_end()
        if touches(event, {"roles"}, {"roles"}):
            self._follow_roles()

    def _end(self, key: str) -> None:
        # Ended, then deleted: one line, the latest word.
        self.ended = end_page(self, self.texts(key), kept=2)

    def _follow_end(self) -> None:
        """Once the session has ended: that, in one line, and the rating box while the ratings
        stay open (a latecomer rates; ``ContributionBox`` shows only its rating then)."""
        if self.session.status != "finished" or self.session.deleted:
            return
        self._end("participant.session_over")
        rating = self.session.ratings_open
        show(self.box, rating)
        (self.box.remove_class if rating else self.box.add_class)(ENDED_AWAY)

    def _follow_roles(self) -> None:
        roles, texts = self.session.roles, self.texts
        role = roles.role_of(self.name) if roles and self.name else None
        self.you.value = texts(f"participant.you_are_{role}") if role else ""
        self.roles.value = roles_summary(roles, texts)
        if role != self.rules.role:
            self.rules.role = role
            self.rules.refresh()
        if role != self.box.role:
            # The box follows the role: the client types no question and no idea.
            self.box.role = role
            self.box.refresh()
