"""The topics members prepared, on the console before the session starts (``codev-topics``).

Each shows its author, its headline and the checklist's answers (✓/✗ with each question's
short label); the context, what was tried and the help wanted are folded under it (a
disclosure). Only the console builds this list, with the store's whole copy (``load``); a
participant's page never loads anyone's details, and the projector shows no topic.

Everything a member typed is escaped: a topic can never become markup on the console.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as widgets

from codevwidgets.core.session import Event, Session, UnreachableError
from codevwidgets.core.topics import CHECKLIST, DETAILS, Topic
from codevwidgets.widgets._view import Follower, Texts, close_all, literal, show, touches

__all__ = ["Load", "TopicList"]

Load = Callable[[], list[Topic]]
"""``load()``: the session's topics, whole (the facilitator's copy), first prepared first."""


class TopicList(Follower, widgets.VBox):
    """The prepared topics, while ``session`` is ready; ``refresh()`` reads them again (the
    composition root calls it each time the store's revision moves).

    Examples
    --------
    >>> load = lambda: store.topics(sid, private=True)  # doctest: +SKIP
    >>> topics = TopicList(session, texts, load)  # doctest: +SKIP
    >>> topics.refresh()  # doctest: +SKIP
    """

    def __init__(self, session: Session, texts: Texts, load: Load) -> None:
        self.session, self.texts, self.load = session, texts, load
        self.heading = literal(widgets.Label(texts("topic.prepared")).add_class("codev-heading"))
        self.none_yet = literal(widgets.Label(texts("topic.none_yet")).add_class("codev-muted"))
        self.items = widgets.VBox()
        self.rows: dict[str, widgets.HTML] = {}  # by author (person_key), reused while shown
        super().__init__([self.heading, self.none_yet, self.items])
        self.add_class("codev-topics")
        self._follow()
        self.refresh()

    def __repr__(self) -> str:
        return f"TopicList(session={self.session.id!r}, topics={len(self.rows)})"

    def _on_event(self, event: Event) -> None:
        if event.kind == "deleted" or touches(event, {"started", "finished"}, {"timer"}):
            self.refresh()

    def refresh(self) -> None:
        """Read the topics again and show them (before the start only)."""
        ready = self.session.status == "ready" and not self.session.deleted
        show(self, ready)
        if not ready:
            return
        try:
            topics = self.load()
        except UnreachableError:
            return  # the console says the store is away; the next move reads again
        rows = {}
        for topic in topics:
            row = self.rows.get(topic.key) or literal(widgets.HTML().add_class("codev-topic"))
            value = self._html(topic)
            if row.value != value:  # an unchanged topic keeps its row (and its disclosure)
                row.value = value
            rows[topic.key] = row
        close_all(row for key, row in self.rows.items() if key not in rows)
        self.rows = rows
        self.items.children = list(rows.values())
        show(self.none_yet, not rows)

    def _html(self, topic: Topic) -> str:
        t = self.texts
        answers = "".join(
            f'<li class="codev-topic-{"yes" if topic.checklist.get(item) else "no"}">'
            f"{'✓' if topic.checklist.get(item) else '✗'} "
            f"{html.escape(t(f'topic.check.{item}_short'))}</li>"
            for item in CHECKLIST
        )
        details = "".join(
            f"<dt>{html.escape(t(f'topic.{part}'))}</dt>"
            f"<dd>{html.escape(getattr(topic, part)) or '—'}</dd>"
            for part in DETAILS
        )
        return (
            f'<div class="codev-topic-head"><b class="codev-topic-author">'
            f"{html.escape(topic.author)}</b> — "
            f'<span class="codev-topic-title">{html.escape(topic.headline)}</span></div>'
            f'<ul class="codev-topic-answers">{answers}</ul>'
            f'<details class="codev-topic-details"><summary>{html.escape(t("topic.details"))}'
            f"</summary><dl>{details}</dl></details>"
        )

    def close(self) -> None:
        """Stop following the session and close every row."""
        close_all([self.heading, self.none_yet, self.items])
        super().close()
