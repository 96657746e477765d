"""A member's topic, prepared on their page before the session starts (``core.topics``).

The form asks for a one-line headline, the context, what was tried, the help wanted, and
walks the method's checklist of a good topic: each a yes/no question with its one-sentence
reason, which a "no" turns into a gentle warning (a "no" never blocks: the group and the
facilitator decide). Saved, the page says so and offers to edit (the form filled from the
store's copy) or withdraw it. Once the session starts, the form gives way to one line.

What is typed is kept in the browser until saved (the page's ``TypingKeeper``, per session
and name): a reload, or a kernel that dies, loses none of it. A refused save says why in one
line and keeps the boxes as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ipywidgets as widgets

from codevwidgets.core.limits import RateLimited
from codevwidgets.core.session import SESSION_ENDED, DeletedError, Event, Session, UnreachableError
from codevwidgets.core.topics import CHECKLIST, DETAILS, Topic, TopicError, admit_topic
from codevwidgets.core.voices import RefusedError
from codevwidgets.widgets._view import Follower, Texts, close_all, literal, show, touches
from codevwidgets.widgets.keeper import TypingKeeper, keep_classes

__all__ = ["HEADLINE", "Preparing", "TopicForm", "topic_box"]

HEADLINE = "headline"
FIELDS = (HEADLINE, *DETAILS)  # the boxes, in the form's order
# What a save or a withdrawal may meet, each said in its own words (``TopicForm._refused``).
REFUSALS = (TopicError, RefusedError, RateLimited, DeletedError, UnreachableError)


def topic_box(field: str) -> str:
    """The keeper's name for a box of the topic form."""
    return f"topic.{field}"


@dataclass(frozen=True)
class Preparing:
    """What the form asks of the page (the composition root gives it), for this page's name:
    ``save(topic)`` stores it and returns it as stored; ``withdraw()`` takes it back (False:
    there was none); ``own()`` reads it back (None: none). Each raises the core's errors:
    ``TopicError``, ``RefusedError``, ``UnreachableError``, ``DeletedError``, ``RateLimited``."""

    save: Callable[[Topic], Topic]
    withdraw: Callable[[], bool]
    own: Callable[[], Topic | None]


class TopicForm(Follower, widgets.VBox):
    """The topic form (``codev-topic-form``) of ``name``'s page, while ``session`` is ready.

    Examples
    --------
    >>> form = TopicForm(session, texts, "Ana", preparing)  # doctest: +SKIP
    >>> form.headline.value = "Late handovers"; form.answer("own", True)  # doctest: +SKIP
    >>> form.click_save()  # doctest: +SKIP
    """

    def __init__(
        self,
        session: Session,
        texts: Texts,
        name: str | None,
        preparing: Preparing,
        keeper: TypingKeeper | None = None,
    ) -> None:
        self.session, self.texts, self.name, self.preparing = session, texts, name, preparing
        self.keeper = keeper
        self.boxes: dict[str, widgets.Text | widgets.Textarea] = {}
        for field in FIELDS:
            classes = (f"codev-topic-{field}", *(keep_classes(topic_box(field)) if keeper else ()))
            placeholder = texts(f"topic.{field}_placeholder")
            layout = {"width": "100%"}
            # The headline is one line (read aloud in a sentence); the rest, a few lines each.
            box: widgets.Text | widgets.Textarea = (
                widgets.Text(placeholder=placeholder, layout=layout, _dom_classes=classes)
                if field == HEADLINE
                else widgets.Textarea(
                    placeholder=placeholder, rows=3, layout=layout, _dom_classes=classes
                )
            )
            self.boxes[field] = box
        self.headline = self.boxes[HEADLINE]
        self.answers: dict[str, widgets.ToggleButtons] = {}
        self.reasons: dict[str, widgets.Label] = {}
        checks: list[widgets.Widget] = []
        for item in CHECKLIST:
            question = literal(widgets.Label(texts(f"topic.check.{item}")))
            answer = widgets.ToggleButtons(
                options=[(texts("topic.answer_yes"), True), (texts("topic.answer_no"), False)],
                value=None,
                _dom_classes=("codev-topic-answer", f"codev-topic-answer--{item}"),
            )
            answer.observe(lambda _change, item=item: self._reason(item), "value")
            reason = literal(widgets.Label(texts(f"topic.check.{item}_why")))
            reason.add_class("codev-topic-why")
            self.answers[item], self.reasons[item] = answer, reason
            row = widgets.VBox([question.add_class("codev-topic-question"), answer, reason])
            checks.append(row.add_class("codev-topic-check"))
        self.submit = widgets.Button(
            description=texts("topic.submit"), icon="check", button_style="primary"
        ).add_class("codev-topic-submit")
        self.submit.on_click(lambda _: self.click_save())
        self.message = literal(widgets.Label().add_class("codev-topic-message"))
        self.editing = widgets.VBox(
            [
                *(self._labelled(field) for field in FIELDS),
                literal(widgets.Label(texts("topic.checklist")).add_class("codev-heading")),
                *checks,
                self.submit,
            ]
        ).add_class("codev-topic-editing")
        # Saved: the headline, and what the member may still do with it.
        self.saved_line = literal(widgets.Label().add_class("codev-topic-saved"))
        self.edit = widgets.Button(description=texts("topic.edit"), icon="pencil")
        self.edit.add_class("codev-topic-edit").on_click(lambda _: self.click_edit())
        self.withdraw = widgets.Button(description=texts("topic.withdraw"), icon="times")
        self.withdraw.add_class("codev-topic-withdraw").on_click(lambda _: self.click_withdraw())
        self.saved = widgets.VBox(
            [self.saved_line, widgets.HBox([self.edit, self.withdraw])]
        ).add_class("codev-topic-done")
        self.heading = literal(widgets.Label(texts("topic.heading")).add_class("codev-heading"))
        self.intro = literal(widgets.Label(texts("topic.intro")).add_class("codev-topic-intro"))
        # After the start: the one line that replaces the form.
        self.closed = literal(widgets.Label(texts("topic.closed")).add_class("codev-topic-closed"))
        self.needs_name = literal(widgets.Label(texts("topic.needs_name")))
        self.needs_name.add_class("codev-topic-needs-name")
        super().__init__()
        self.add_class("codev-topic-form")
        if keeper is not None:
            keeper.on_kept(self.take_kept)
        self._follow()
        self._build()

    def __repr__(self) -> str:
        return f"TopicForm(session={self.session.id!r}, name={self.name!r})"

    def _labelled(self, field: str) -> widgets.VBox:
        label = literal(widgets.Label(self.texts(f"topic.{field}")).add_class("codev-topic-label"))
        return widgets.VBox([label, self.boxes[field]]).add_class("codev-topic-field")

    def _build(self) -> None:
        """The form as the session stands: before the start, the member's saved topic (read
        back) or the boxes; after it, one line; without a name, a word to say who first."""
        if self.session.status != "ready":
            self._show([self.closed])
            show(self, self.session.status != "finished" and not self.session.deleted)
            return
        if self.name is None:
            self._show([self.heading, self.needs_name])
            return
        try:
            mine = self.preparing.own()
        except UnreachableError:
            mine = None  # the boxes, empty: a save says if the store is still away
        self._show_saved(mine) if mine is not None else self._show_editing()

    def _show(self, parts: list[widgets.Widget]) -> None:
        self.children = parts

    def _show_editing(self) -> None:
        self._show([self.heading, self.intro, self.editing, self.message])

    def _show_saved(self, topic: Topic) -> None:
        self.saved_line.value = self.texts("topic.saved_headline", headline=topic.headline)
        self._show([self.heading, self.saved, self.message])

    def _on_event(self, event: Event) -> None:
        moved = event.kind == "deleted" or touches(event, {"started", "finished"}, {"timer"})
        if moved and (self.session.status != "ready" or self.session.deleted):
            self._build()

    def _reason(self, item: str) -> None:
        # A "no" is the member's to weigh: its reason turns into a warning, nothing blocks.
        reason = self.reasons[item]
        warn = self.answers[item].value is False
        (reason.add_class if warn else reason.remove_class)("codev-topic-warning")

    def answer(self, item: str, yes: bool | None) -> None:
        """Answer the checklist's ``item`` (as the person's click does)."""
        self.answers[item].value = yes

    @property
    def warned(self) -> list[str]:
        """The checklist's items answered "no", whose reason shows as a warning."""
        return [i for i in CHECKLIST if "codev-topic-warning" in self.reasons[i]._dom_classes]

    def click_save(self) -> None:
        """Save what the form holds: said saved (and the saved view shown), or why not, with
        every box kept as typed."""
        if self.session.status != "ready" or self.name is None:
            return  # the form is gone; a crafted click lands here
        values = {field: box.value for field, box in self.boxes.items()}
        checklist = {item: self.answers[item].value for item in CHECKLIST}
        try:
            topic = admit_topic(self.name, checklist=checklist, **values)
            stored = self.preparing.save(topic)
        except REFUSALS as exc:
            # Started meanwhile too: said, the boxes kept until the page hears of the start.
            self._refused(exc)
            return
        if self.keeper is not None:
            for field, text in values.items():
                self.keeper.stored(topic_box(field), text)
        self._say("topic.saved")
        self._show_saved(stored)

    def _refused(self, exc: Exception) -> None:
        """Say, in the page's words, why core or the store refused a save or a withdrawal."""
        if isinstance(exc, TopicError):
            self._refuse(exc.key, **exc.values)
        elif isinstance(exc, RefusedError):
            self._refuse(exc.key, name=exc.name)
        elif isinstance(exc, RateLimited):
            self._refuse("topic.rate_limited")
        elif isinstance(exc, DeletedError):
            self._refuse(SESSION_ENDED)
        else:
            self._refuse("topic.unreachable")

    def click_edit(self) -> None:
        """Edit the saved topic: the boxes and answers filled from the store's copy."""
        try:
            mine = self.preparing.own()
        except UnreachableError:
            self._refuse("topic.unreachable")
            return
        if mine is not None:
            for field in FIELDS:
                self.boxes[field].value = getattr(mine, field)
            for item in CHECKLIST:
                self.answers[item].value = mine.checklist.get(item)
        self._say("")
        self._show_editing()

    def click_withdraw(self) -> None:
        """Withdraw the saved topic: the empty form again, and a word that it is withdrawn."""
        try:
            self.preparing.withdraw()
        except REFUSALS as exc:
            self._refused(exc)
            return
        for box in self.boxes.values():
            box.value = ""
        for answer in self.answers.values():
            answer.value = None
        self._say("topic.withdrawn")
        self._show_editing()

    def take_kept(self, kept: dict[str, str]) -> None:
        """Put back in the boxes what the browser kept, not saved yet: over a saved topic
        (edited, then the page reloaded), the saved one first, then the typing since."""
        typed = {f: kept[topic_box(f)] for f in FIELDS if kept.get(topic_box(f), "").strip()}
        if not typed or self.session.status != "ready" or self.name is None:
            return
        if self.saved in self.children:
            self.click_edit()
            for field, text in typed.items():
                self.boxes[field].value = text
            return
        for field, text in typed.items():
            if not self.boxes[field].value:  # a box with text of its own keeps it
                self.boxes[field].value = text

    def _say(self, key: str) -> None:
        self.message.remove_class("codev-error")
        self.message.value = self.texts(key) if key else ""

    def _refuse(self, key: str, **values: object) -> None:
        self.message.value = self.texts(key, **values)
        self.message.add_class("codev-error")

    def close(self) -> None:
        """Stop following the session and close every part, shown or not."""
        parts = [self.heading, self.intro, self.editing, self.saved, self.closed, self.message]
        parts.append(self.needs_name)
        close_all(p for p in self.children if p not in parts)
        close_all(parts)
        super().close()
