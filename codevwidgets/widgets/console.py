"""The facilitator console: countdown, step navigator, rules, roles and notes on one page."""

from __future__ import annotations

import contextlib
import datetime as dt
import html
from collections.abc import Sequence

import ipywidgets as widgets

from codevwidgets.core.clock import Clock, system_clock
from codevwidgets.core.commands import Act, Command, local_act
from codevwidgets.core.cycle import plan_cycle
from codevwidgets.core.joining import fold_join_links
from codevwidgets.core.roster import Roster
from codevwidgets.core.runbook import Runbook
from codevwidgets.core.session import (
    SESSION_DELETED,
    STORE_UNREACHABLE,
    Event,
    Session,
    SessionError,
)
from codevwidgets.core.theme import Theme
from codevwidgets.core.topics import TOPIC_CHOICE
from codevwidgets.record.followup import PreviousPlan, has_followup
from codevwidgets.widgets._view import (
    Follower,
    Texts,
    brand,
    close_page,
    end_page,
    escaped_list,
    literal,
    show,
    stylesheet,
    touches,
)
from codevwidgets.widgets.break_proposal import BreakProposal
from codevwidgets.widgets.contributions import ContributionList
from codevwidgets.widgets.countdown import Countdown
from codevwidgets.widgets.dots import DotTally, Tally
from codevwidgets.widgets.drift import DriftShown
from codevwidgets.widgets.export import ExportPanel, Make
from codevwidgets.widgets.followup import FollowUpPanel
from codevwidgets.widgets.hands import HandQueue, ReadyPanel
from codevwidgets.widgets.keeper import TypingKeeper
from codevwidgets.widgets.navigator import StepNavigator
from codevwidgets.widgets.notes import NotesPanel
from codevwidgets.widgets.presence import PresencePanel
from codevwidgets.widgets.role_board import RoleBoard
from codevwidgets.widgets.rules import RulesPanel
from codevwidgets.widgets.step_content import StepContent
from codevwidgets.widgets.talk import TalkPanel
from codevwidgets.widgets.timer_controls import TimerControls
from codevwidgets.widgets.topic_list import Load, TopicList


class FacilitatorConsole(Follower, widgets.VBox):
    """Everything the facilitator runs a consultation with.

    Every change goes through ``act`` (a page's: the store's ``LiveLink.act``); without it,
    commands apply to ``session`` alone (a notebook or a test with no store).

    ``during(step_id)`` composes a client's page: what a notebook cell displays inside it (a
    chart, an image, a link, a widget) shows in the console, above the rules, only while the
    session is at that step (see ``StepContent``).

    Examples
    --------
    >>> console = FacilitatorConsole(load_preset("classic"), load_roster(path))  # doctest: +SKIP
    >>> console.roles.confirm(); console.navigator.start_button.click()  # doctest: +SKIP

    In a later cell of the notebook that displayed ``console``:

    >>> with console.during("consultation"):  # doctest: +SKIP
    ...     display(Markdown("**Reminder:** the client listens and takes notes."))
    """

    def __init__(
        self,
        runbook: Runbook,
        roster: Roster,
        language: str = "en",
        clock: Clock = system_clock,
        cycle_session: int | None = None,
        *,
        session: Session | None = None,
        join: widgets.Widget | None = None,
        act: Act | None = None,
        previous_plan: PreviousPlan | None = None,
        export: Make | None = None,
        theme: Theme | None = None,
        people: Sequence[str] = (),
        topics: Load | None = None,
        tally: Tally | None = None,
    ) -> None:
        self.session = session or Session(runbook, clock=clock)
        self.texts = texts = Texts(runbook, language)
        # Every panel's commands go through one door, which says at the top of the page when
        # the store did not answer (some panels have no message line of their own).
        self.store_status = literal(widgets.Label(texts(STORE_UNREACHABLE)))
        self.store_status.add_class("codev-error").add_class("codev-store-status")
        show(self.store_status, False)
        self.act = self._telling(act or local_act(self.session))
        suggested = None
        if cycle_session is not None:
            sessions = plan_cycle(roster, dt.date.today(), 14).sessions
            suggested = sessions[(cycle_session - 1) % len(sessions)]
        self.countdown = Countdown(clock=clock, language=language, report_shown=True)
        self.countdown.show(self.session)
        self.timer_controls = TimerControls(
            self.session, texts, self.countdown, self.act, self.shown_step
        )
        # "Time for a break" once the runbook's time worked is reached (core.breaks).
        self.break_proposal = BreakProposal(self.session, texts, self.act)
        self.navigator = StepNavigator(self.session, texts, self.act, self.shown_step)
        self.rules = RulesPanel(self.session, texts)
        # The consultant's own content per step (a client notebook's cells): see ``during``.
        self.step_content = StepContent(self.session)
        # The group's dots and the confirmation of its topic (a runbook with topic_choice).
        self.topic_choice = (
            DotTally(self.session, texts, tally, self.act)
            if tally and any(s.id == TOPIC_CHOICE for s in runbook.steps)
            else None
        )
        # Facilitation aids: who speaks, the hands raised, who is ready (participants' signals).
        self.talk = TalkPanel(self.session, texts, self.act)
        self.hands = HandQueue(self.session, texts, self.act, clock)
        self.ready = ReadyPanel(self.session, texts, self.act, self.shown_step)
        self.presence = PresencePanel(self.session, texts, clock)
        # The client's drift flag, with the contract, until the facilitator clears it.
        self.drift = DriftShown(self.session, texts, self.act)
        # The console's own page syncs about once a minute: recount then, so a page that
        # stopped beating leaves the list even when nothing else changes.
        self.countdown.on_heard(self.presence.refresh)
        self.roles = RoleBoard(self.session, texts, roster, suggested, self.act)
        # The notes typed are kept in the browser until stored: a kernel that dies loses none.
        self.keeper = TypingKeeper(f"codev-kept:{self.session.id}:console", language)
        self.notes = NotesPanel(self.session, texts, self.act, self.keeper)
        # Only a runbook with a follow-up step shows last session's plan (during that step).
        self.followup = (
            FollowUpPanel(self.session, texts, previous_plan) if has_followup(runbook) else None
        )
        # ``people``: the names participants join under (the session's roster): one
        # evaluation each counts.
        self.contributions = ContributionList(
            self.session, texts, self._hide, self.rules.say, people
        )
        # The topics members prepared, before the start (``topics``: the store's whole copy).
        self.topics = TopicList(self.session, texts, topics) if topics else None
        # The record, at any time (before, during, after): made by the page, never from here.
        self.export = ExportPanel(texts, export) if export else None
        ground_rules = literal(
            widgets.HTML(
                f"<b>{html.escape(texts('app.ground_rules'))}</b>"
                + escaped_list(texts.of(rule) for rule in runbook.ground_rules)
            ).add_class("codev-ground-rules")
        )
        header = widgets.HBox(
            [
                brand(runbook, texts),
                literal(widgets.Label(" · ".join(filter(None, [runbook.client, roster.group])))),
            ]
        ).add_class("codev-header")
        # The join links (link, QR code, projector, personal links): open before anyone has
        # joined, folded once someone has (a click opens them again; see ``fold_join_links``).
        self.clock = clock
        self.join_links = (
            widgets.Accordion([join], titles=(texts("join.links"),), selected_index=0)
            if join
            else None
        )
        if self.join_links is not None:
            self.join_links.add_class("codev-join-links")
        self._join_folded = False
        # The countdown stays in view when the page scrolls (console.css: sticky).
        self.countdown.add_class("codev-console-countdown")
        main = widgets.Box(
            [
                # The steps and the roles; the middle column keeps the client's content and
                # the step's rules right under the timer, seen without scrolling.
                widgets.VBox([self.navigator, self.talk, self.roles, self.presence]),
                widgets.VBox(
                    [
                        self.countdown,
                        self.drift,
                        self.timer_controls,
                        self.break_proposal,
                        self.step_content,
                        *([self.topic_choice] if self.topic_choice else []),
                        self.rules,
                    ]
                ).add_class("codev-console-centre"),
                widgets.VBox(
                    [
                        *([self.join_links] if self.join_links else []),
                        *([self.followup] if self.followup else []),
                        *([self.topics] if self.topics else []),
                        # What arrives now (who is ready, the hands, the contributions) and
                        # the step's notes: beside the countdown, seen without scrolling.
                        self.ready,
                        self.hands,
                        self.notes,
                        self.contributions,
                        *([self.export] if self.export else []),
                        ground_rules,
                    ]
                ),
            ]
        ).add_class("codev-main")
        # The page's theme: the link's (&theme=), else the runbook's (see theme.page_theme).
        self.theme = theme or runbook.theme
        super().__init__(
            [stylesheet(runbook, self.theme), header, self.store_status, self.keeper, main]
        )
        self.add_class("codev-console").add_class(f"codev-theme-{self.theme}")
        self._follow()
        self._fold_join_links()

    def __repr__(self) -> str:
        return f"FacilitatorConsole(session={self.session.id!r})"

    def _telling(self, act: Act) -> Act:
        def act_and_tell(command: Command) -> None:
            try:
                act(command)
            except SessionError as exc:
                show(self.store_status, exc.key == STORE_UNREACHABLE)
                raise
            show(self.store_status, False)

        return act_and_tell

    def close(self) -> None:
        """Stop following (the store and the session) and close every part of the page."""
        close_page(self)
        super().close()

    def _on_event(self, event: Event) -> None:
        if event.kind == "deleted":  # from the store: the console says so, and only that
            end_page(self, self.texts(SESSION_DELETED), kept=2)
        elif touches(event, {"signals"}, {"signals"}):
            self._fold_join_links()

    def _fold_join_links(self) -> None:
        if self.join_links is None:
            return
        if fold_join_links(self.session.signals, self.clock(), self._join_folded):
            self._join_folded = True
            self.join_links.selected_index = None

    def during(self, step_id: str) -> contextlib.AbstractContextManager[widgets.Output]:
        """Show what the block displays in this console, only while the session is at
        ``step_id`` (``ValueError`` naming the runbook's steps for an unknown id)."""
        return self.step_content.during(step_id)

    def shown_step(self) -> str:
        """The step this console's page shows: what its browser last said it drew, or (no
        browser has said yet) the step the session is at."""
        return self.countdown.shown_step or self.session.current_step.id

    def _hide(self, contribution_id: int, hidden: bool) -> None:
        # Refused only for a contribution that is not there (a crafted click): the list
        # already shows what the store holds.
        with contextlib.suppress(ValueError, SessionError):
            self.act(Command("hide", {"id": contribution_id, "hidden": hidden}))
