"""Who is connected now: the console's presence panel (``codev-presence``).

Each participant page's kernel notes in the store when the page last synced its clock (about
once a minute, see ``SQLiteStore.seen``); a page seen within ``PRESENT_WITHIN`` is connected.
Only the console's copy of the session holds these rows: a participant's kernel loads none.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from codevwidgets.core.clock import Clock, system_clock
from codevwidgets.core.joining import pages_per_name, person_key
from codevwidgets.core.session import Event, Session
from codevwidgets.core.signals import present, signaller
from codevwidgets.widgets._view import TIMER_KINDS, Follower, Texts, clock_text, literal, touches


class PresencePanel(Follower, widgets.VBox):
    """How many pages are connected, and who, with how long ago each was last seen.

    ``PresencePanel(session, texts, clock)``: the console's; ``refresh()`` recounts.
    """

    def __init__(self, session: Session, texts: Texts, clock: Clock = system_clock) -> None:
        self.session, self.texts, self.clock = session, texts, clock
        self.count = widgets.Label().add_class("codev-presence-count")
        self.who = literal(widgets.HTML().add_class("codev-presence-who"))
        super().__init__([self.count, self.who])
        self.add_class("codev-presence")
        self._follow()
        self.refresh()

    def __repr__(self) -> str:
        return f"PresencePanel(session={self.session.id!r})"

    def _on_event(self, event: Event) -> None:
        if touches(event, TIMER_KINDS | {"signals"}, {"signals", "timer"}):
            self.refresh()

    def refresh(self) -> None:
        """Recount from the session's rows at the clock's now (also called on a timer: a page
        that stops beating leaves the list without any change in the store)."""
        texts, now = self.texts, self.clock()
        pages = present(self.session.signals, now)
        unnamed = texts("signals.unnamed")
        self.count.value = texts("signals.connected", count=len(pages))
        # A name several pages claim now (two devices, or two people who chose the same
        # name) shows once, saying so, for the facilitator to sort out.
        twice = pages_per_name(pages, now)
        rows: list[str] = []
        listed: set[str] = set()
        for s in pages:
            key = person_key(s.name) if s.name else None
            if key in listed:
                continue
            ago = html.escape(texts("signals.seen_ago", ago=clock_text(max(0.0, now - s.at))))
            if key is not None and key in twice:
                listed.add(key)
                who = texts("join.twice", name=s.name, count=twice[key])
                rows.append(f'<li class="codev-presence-twice">{html.escape(who)} · {ago}</li>')
            else:
                rows.append(f"<li>{html.escape(signaller(s, unnamed))} · {ago}</li>")
        self.who.value = f"<ul>{''.join(rows)}</ul>" if rows else ""
