"""The previous client's action plan, shown to the facilitator during the follow-up step."""

from __future__ import annotations

import datetime as dt
import html

import ipywidgets as widgets

from codevwidgets.core.session import Event, Session
from codevwidgets.record.followup import FOLLOWUP_STEP, PreviousPlan
from codevwidgets.widgets._view import Follower, Texts, literal, show, touches


class FollowUpPanel(Follower, widgets.HTML):
    """Last session's plan (its client, its date, each field) or a line saying there is none.

    Shown during the ``followup`` step only. One HTML widget built once (the plan does not
    change during a session); every text in it is escaped and never typeset: the plan is
    what people typed.

    Examples
    --------
    >>> panel = FollowUpPanel(session, Texts(book, "en"), plan)  # doctest: +SKIP
    >>> panel.lines  # doctest: +SKIP
    ['Last session's action plan', 'Ana — 2027-01-15', 'Objective: Delegate more']
    """

    def __init__(self, session: Session, texts: Texts, plan: PreviousPlan | None) -> None:
        super().__init__()
        self.session, self.texts, self.plan = session, texts, plan
        self.lines = self._lines()  # the panel's texts, unescaped (tests and notebooks)
        heading, *rest = self.lines
        rows = "".join(
            f'<div class="codev-followup-line" style="white-space: pre-wrap">{html.escape(row)}'
            "</div>"
            for row in rest
        )
        self.value = f'<div class="codev-heading">{html.escape(heading)}</div>{rows}'
        literal(self.add_class("codev-followup"))
        self._follow()
        self.refresh()

    def __repr__(self) -> str:
        shown = self.plan.session_id if self.plan else None
        return f"FollowUpPanel(session={self.session.id!r}, previous={shown!r})"

    @property
    def visible(self) -> bool:
        return bool(self.layout.display != "none")

    def _on_event(self, event: Event) -> None:
        if touches(event, {"started", "step"}, {"step"}):
            self.refresh()

    def refresh(self) -> None:
        show(self, self.session.current_step.id == FOLLOWUP_STEP)

    def _lines(self) -> list[str]:
        t, plan = self.texts, self.plan
        if plan is None:
            return [t("followup.title"), t("followup.none")]
        day = dt.datetime.fromtimestamp(plan.created).date().isoformat() if plan.created else ""
        client = plan.client or t("followup.unknown_client")
        lines = [t("followup.title"), t("followup.from", client=client, date=day)]
        lines += [t("followup.field", label=label, text=text) for label, text in plan.fields]
        return lines if plan.fields else [*lines, t("followup.no_plan")]
