"""The group's dots in the ``topic_choice`` step: a participant's buttons and the console's tally.

A participant's page (``DotsPanel``) shows each topic's headline and its author (members say
theirs aloud), its own dots on each, "2 of 3 dots left", and buttons to give a dot or take
one back (``codev-dot``); its own topic's give button is disabled, with the reason. A refusal
is one line. The page reads its own dots only (``Dots.mine``), never the tally nor anyone
else's: voting is anonymous. Observers do not vote.

The console (``DotTally``) shows the tally (``codev-dot-tally``: counts and bars, never who),
the leaders, a tie ("yours to choose"), and a confirm button per topic
(``codev-topic-confirm``) that sends ``choose_topic``: asked once more when the topic is not
a leader. Views never read the store: the composition root hands them callbacks.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

import ipywidgets as widgets

from codevwidgets.core.commands import Act, Command
from codevwidgets.core.joining import person_key
from codevwidgets.core.limits import RateLimited
from codevwidgets.core.session import (
    SESSION_ENDED,
    STORE_UNREACHABLE,
    DeletedError,
    Event,
    Session,
    SessionError,
    UnreachableError,
)
from codevwidgets.core.topics import DOTS, TOPIC_CHOICE, Topic, TopicError, leaders
from codevwidgets.core.voices import RefusedError
from codevwidgets.widgets._view import (
    TIMER_KINDS,
    Follower,
    Texts,
    close_all,
    literal,
    show,
    touches,
)

__all__ = ["DotTally", "Dots", "DotsPanel", "Tally", "refusal_text"]

# What makes either view look again: the step, the status, the roles, the choice (a dot
# moves none of them: the console's link calls ``DotTally.refresh`` at each revision).
CHANGES = (TIMER_KINDS | {"roles", "topic_chosen"}, {"step", "timer", "roles", "chosen"})


@dataclass(frozen=True)
class Dots:
    """What a participant's page asks about dots (the composition root gives it):
    ``topics()`` the session's topics, headlines only; ``mine()`` this person's own dots by
    topic (its author's ``person_key``); ``give(author, on)`` gives a dot to (or takes one
    back from) ``author``'s topic, raising ``TopicError``, ``RefusedError``,
    ``RateLimited`` or the session's errors when it is refused."""

    topics: Callable[[], list[Topic]]
    mine: Callable[[], dict[str, int]]
    give: Callable[[str, bool], None]


@dataclass(frozen=True)
class Tally:
    """What the console asks: ``topics()`` whole (its own kernel holds them privately) and
    ``counts()`` the dots by topic (its author's ``person_key``), never who gave them."""

    topics: Callable[[], list[Topic]]
    counts: Callable[[], dict[str, int]]


def refusal_text(texts: Texts, exc: Exception) -> str:
    """One friendly line for a refused dot or confirmation: the dots' own words for core's
    refusals (``dots.err.*``, by the ``topic.err.*`` key's last part), the voices' for a name
    spoken on another page, the page's for a flood or a store away."""
    if isinstance(exc, TopicError):
        return texts(f"dots.err.{exc.key.rsplit('.', 1)[-1]}", **exc.values)
    if isinstance(exc, RefusedError):
        return texts(exc.key, name=exc.name)
    if isinstance(exc, DeletedError):
        return texts(SESSION_ENDED)
    if isinstance(exc, RateLimited):
        return texts("participant.rate_limited")
    if isinstance(exc, UnreachableError):
        return texts(STORE_UNREACHABLE)
    if isinstance(exc, SessionError) and exc.key:
        return texts(exc.key, **exc.values)
    return texts("dots.err.refused")


def choosing(session: Session) -> bool:
    """Whether the group is in the (running or paused) ``topic_choice`` step."""
    return session.in_progress and session.current_step.id == TOPIC_CHOICE


class DotsPanel(Follower, widgets.VBox):
    """A participant's dots during ``topic_choice`` (``name``: whom the page joined as)."""

    def __init__(self, session: Session, texts: Texts, name: str | None, dots: Dots) -> None:
        self.session, self.texts, self.name, self.dots = session, texts, name, dots
        self.heading = widgets.Label(texts("dots.heading")).add_class("codev-heading")
        self.left = widgets.Label().add_class("codev-dots-left")
        self.rows = widgets.VBox().add_class("codev-dot-topics")
        self.message = literal(widgets.Label().add_class("codev-dots-message"))
        super().__init__([self.heading, self.left, self.rows, self.message])
        self.add_class("codev-dots")
        self.topics: list[Topic] | None = None  # read once: topics are fixed at the start
        self.mine: dict[str, int] = {}
        self.buttons: dict[str, tuple[widgets.Button, widgets.Button]] = {}
        self._follow()
        self.refresh()

    def __repr__(self) -> str:
        return f"DotsPanel(session={self.session.id!r}, name={self.name!r})"

    @property
    def votes(self) -> bool:
        """Whether this page votes now: a named member (no observer, no facilitator) in the
        topic choice."""
        roles = self.session.roles
        role = roles.role_of(self.name) if roles and self.name else None
        return choosing(self.session) and role in {"client", "advisors", "note_taker"}

    def _on_event(self, event: Event) -> None:
        if touches(event, *CHANGES):
            self.refresh()

    def refresh(self) -> None:
        """Show the topics and this page's dots while it votes; nothing otherwise."""
        if not self.votes:
            show(self, False)
            return
        try:
            if self.topics is None:
                self.topics = self.dots.topics()
                self._build()
            self.mine = self.dots.mine()
        except (UnreachableError, DeletedError) as exc:
            self.message.value = refusal_text(self.texts, exc)
        self._draw()
        show(self, True)

    def click(self, author: str, on: bool) -> None:
        """Give a dot to ``author``'s topic (or take one back); a refusal in one line."""
        said = ""
        try:
            self.dots.give(author, on)
            self.mine = self.dots.mine()
        except (TopicError, RefusedError, SessionError, ValueError) as exc:
            said = refusal_text(self.texts, exc)
        self.message.value = said
        self._draw()

    def _build(self) -> None:
        close_all(self.rows.children)
        rows, self.buttons = [], {}
        for topic in self.topics or []:
            give = widgets.Button(description=self.texts("dots.give"), icon="plus")
            give.add_class("codev-dot").add_class("codev-dot-give")
            give.on_click(lambda _, a=topic.author: self.click(a, True))
            take = widgets.Button(description=self.texts("dots.take"), icon="minus")
            take.add_class("codev-dot").add_class("codev-dot-take")
            take.on_click(lambda _, a=topic.author: self.click(a, False))
            self.buttons[topic.key] = (give, take)
            said = self.texts("dots.by", headline=topic.headline, author=topic.author)
            line = literal(widgets.Label(said).add_class("codev-dot-headline"))
            count = widgets.Label().add_class("codev-dot-mine")
            rows.append(widgets.HBox([line, count, give, take]).add_class("codev-dot-row"))
        if not rows:
            rows.append(widgets.Label(self.texts("dots.no_topics")))
        self.rows.children = rows

    def _draw(self) -> None:
        spent = sum(self.mine.values())
        self.left.value = self.texts("dots.left", left=max(0, DOTS - spent), most=DOTS)
        own = person_key(self.name) if self.name else None
        for row, topic in zip(self.rows.children, self.topics or [], strict=False):
            give, take = self.buttons[topic.key]
            mine = self.mine.get(topic.key, 0)
            row.children[1].value = "●" * mine
            is_own = topic.key == own
            give.disabled = is_own or spent >= DOTS
            give.tooltip = self.texts("dots.own") if is_own else ""
            take.disabled = mine == 0
            row.children[0].value = self.texts(
                "dots.by_own" if is_own else "dots.by", headline=topic.headline, author=topic.author
            )


class DotTally(Follower, widgets.VBox):
    """The console's tally during ``topic_choice``, the leaders, and a confirm per topic."""

    def __init__(self, session: Session, texts: Texts, tally: Tally, act: Act) -> None:
        self.session, self.texts, self.tally, self.act = session, texts, tally, act
        self.heading = widgets.Label(texts("dots.tally")).add_class("codev-heading")
        self.board = literal(widgets.HTML().add_class("codev-dot-tally"))
        self.tie = widgets.Label().add_class("codev-dot-tie")
        self.confirms = widgets.VBox().add_class("codev-topic-confirms")
        self.asking = literal(widgets.Label().add_class("codev-topic-asking"))
        self.yes = widgets.Button(description=texts("dots.yes")).add_class("codev-topic-yes")
        self.no = widgets.Button(description=texts("dots.cancel")).add_class("codev-topic-no")
        self.question = widgets.HBox([self.asking, self.yes, self.no])
        self.question.add_class("codev-topic-question")
        self.yes.on_click(lambda _: self._answer(True))
        self.no.on_click(lambda _: self._answer(False))
        self.chosen = literal(widgets.Label().add_class("codev-topic-chosen"))
        self.message = literal(widgets.Label().add_class("codev-topic-message"))
        super().__init__(
            [
                self.heading,
                self.board,
                self.tie,
                self.confirms,
                self.question,
                self.chosen,
                self.message,
            ]
        )
        self.add_class("codev-topic-choice")
        self.topics: list[Topic] = []
        self.counts: dict[str, int] = {}
        self.pending: Topic | None = None  # a topic not leading, asked about once more
        show(self.question, False)
        self._follow()
        self.refresh()

    def __repr__(self) -> str:
        return f"DotTally(session={self.session.id!r})"

    def _on_event(self, event: Event) -> None:
        if touches(event, *CHANGES):
            self.refresh()

    @property
    def leaders(self) -> list[str]:
        return leaders(self.counts, [t.key for t in self.topics])

    def refresh(self) -> None:
        """Read the topics (once, after the start) and the counts again, and draw them: the
        store's link calls it at each revision (each dot moves it) during the choice."""
        if not choosing(self.session):
            show(self, False)
            return
        try:
            if not self.topics or self.session.status == "ready":
                self.topics = self.tally.topics()
                self._build()
            self.counts = self.tally.counts()
        except SessionError as exc:
            self.message.value = refusal_text(self.texts, exc)
        self._draw()
        show(self, True)

    def _build(self) -> None:
        close_all(self.confirms.children)
        buttons = []
        for topic in self.topics:
            button = widgets.Button(
                description=self.texts("dots.confirm", name=topic.author), icon="check"
            )
            button.add_class("codev-topic-confirm")
            button.on_click(lambda _, t=topic: self.confirm(t))
            buttons.append(literal(button))
        self.confirms.children = buttons

    def _draw(self) -> None:
        texts, counts, top = self.texts, self.counts, self.leaders
        most = max(counts.values(), default=0)
        rows = []
        for topic in self.topics:
            n = counts.get(topic.key, 0)
            width = round(100 * n / most) if most else 0
            lead = f' <b class="codev-dot-leader">{html.escape(texts("dots.leading"))}</b>'
            rows.append(
                f'<li class="{"codev-dot-lead" if topic.key in top else ""}">'
                f"{html.escape(topic.headline)} — {html.escape(topic.author)}: "
                f'<span class="codev-dot-count">{n}</span>'
                f'<span class="codev-dot-bar" style="width:{width}%"></span>'
                f"{lead if topic.key in top else ''}</li>"
            )
        self.board.value = (
            f"<ol>{''.join(rows)}</ol>" if rows else html.escape(texts("dots.no_topics"))
        )
        self.tie.value = texts("dots.tie") if len(top) > 1 else ""
        chosen = self.session.chosen
        self.chosen.value = (
            texts("dots.chosen", headline=chosen.headline, name=chosen.author) if chosen else ""
        )

    def confirm(self, topic: Topic) -> None:
        """Confirm ``topic``: at once when it leads (or nobody gave a dot yet, or in a tie,
        the leaders); asked once more when it does not."""
        if self.leaders and topic.key not in self.leaders:
            self.pending = topic
            self.asking.value = self.texts("dots.confirm_anyway", name=topic.author)
            show(self.question, True)
            return
        self._choose(topic)

    def _answer(self, yes: bool) -> None:
        pending, self.pending = self.pending, None
        show(self.question, False)
        if yes and pending is not None:
            self._choose(pending)

    def _choose(self, topic: Topic) -> None:
        args = {
            "author": topic.author,
            "headline": topic.headline,
            "context": topic.context,
            "help": topic.help,
            "tally": {t.key: self.counts.get(t.key, 0) for t in self.topics},
            "step": TOPIC_CHOICE,
        }
        said = ""
        try:
            self.act(Command("choose_topic", args))
        except (SessionError, ValueError) as exc:
            said = refusal_text(self.texts, exc)
        self.message.value = said
        self._draw()
