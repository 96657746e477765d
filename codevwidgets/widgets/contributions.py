"""Contributions: the box a participant types into, and the list everyone sees.

Everything a person typed is shown through ``Label`` widgets, which render plain text: a
contribution can never become HTML on anybody's page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import ipywidgets as widgets

from codevwidgets.core.advice import question_advice
from codevwidgets.core.contributions import (
    MAX_CONTRIBUTION,
    SCORES,
    Contribution,
    RatingsClosedError,
    already_sent,
    may_contribute,
    nothing_to_type,
    rated_step,
    ratings,
)
from codevwidgets.core.limits import RateLimited
from codevwidgets.core.session import SESSION_ENDED, DeletedError, Event, Session, UnreachableError
from codevwidgets.core.voices import RefusedError, spoke_twice
from codevwidgets.widgets._view import Follower, Texts, close_all, literal, show, touches
from codevwidgets.widgets.advice import AdviceQuestion, Say, flag_parts
from codevwidgets.widgets.keeper import CONTRIBUTION, TypingKeeper, keep_classes

Submit = Callable[[str, str, bool, str | None], None]
"""``submit(step_id, text, anonymous, kind)``; raises ``ValueError`` when refused."""

Hide = Callable[[int, bool], None]
"""``hide(contribution_id, hidden)``: the facilitator's only say over a contribution."""

# A class per part the box shows: codev-shows-writing, …-anonymity, …-evaluation, …-listen.
SHOWS = "codev-shows-"
REFRESH_ON = {"started", "step", "contribution", "hidden", "finished"}
# What the box follows: the step and its timer, and the ratings left open after the end.
BOX_ON = {"started", "step", "finished", "paused", "resumed", "ratings_closed"}


class ContributionList(Follower, widgets.VBox):
    """The current step's contributions; with ``hide`` given (facilitator), hide buttons.

    Nobody's list shows who gave which evaluation: the facilitator's shows how many people
    gave each score and the average (``codev-evaluation-summary``, one per person, a replaced
    rating once at its latest value), a participant's shows neither.

    The facilitator's list also flags a question that reads as advice (``codev-advice-flag``)
    with the reason and a button that brings up the step's reframing prompt, through ``say``
    when given (the console's rules panel), and in the row itself.
    """

    def __init__(
        self,
        session: Session,
        texts: Texts,
        hide: Hide | None = None,
        say: Say | None = None,
        people: Sequence[str] = (),
    ) -> None:
        self.session, self.texts, self.hide, self.say = session, texts, hide, say
        # The group's names: only its members' evaluations count (one each).
        self.people = tuple(people)
        self.heading = widgets.Label(texts("participant.contributions")).add_class("codev-heading")
        self.items = widgets.VBox()
        self.evaluation = widgets.Label().add_class("codev-evaluation-summary")
        self.evaluation_counts = widgets.Label().add_class("codev-evaluation-counts")
        # The facilitator's: names a second device tried to rate or write under (refused).
        self.conflicts = literal(widgets.Label().add_class("codev-voice-conflict"))
        super().__init__(
            [self.heading, self.evaluation, self.evaluation_counts, self.conflicts, self.items]
        )
        self.add_class("codev-contributions")
        self.rows: dict[Contribution, widgets.HBox] = {}  # the rows shown, reused while shown
        self._follow()
        self.refresh()

    def __repr__(self) -> str:
        return f"ContributionList(session={self.session.id!r})"

    def _on_event(self, event: Event) -> None:
        # Signals only for the console (a second device's refusal); a participant's list is
        # not rebuilt at every hand raised.
        signals = {"signals"} if self.hide is not None else set()
        if touches(event, REFRESH_ON | signals, {"step", "contributions", *signals}):
            self.refresh()

    def refresh(self) -> None:
        step = self.session.current_step
        facilitator = self.hide is not None
        twice = spoke_twice(self.session.signals) if facilitator else []
        self.conflicts.value = " ".join(self.texts("voice.spoke_twice", name=n) for n in twice)
        show(self.conflicts, bool(twice))
        items = self.session.contributions_for(step.id, include_hidden=facilitator)
        # What people typed; never who rated how (the console counts the ratings, below).
        shown = [c for c in items if c.kind != "evaluation"]
        # Rows are kept while their contribution shows unchanged, closed when it goes.
        rows = {c: self.rows.get(c) or self._item(c) for c in shown}
        close_all(row for c, row in self.rows.items() if c not in rows)
        self.rows = rows
        self.items.children = list(rows.values())
        # Every step's: ratings given after the end count as those given in the step.
        given = ratings(self.session.contributions, self.people) if facilitator else None
        if given is not None:
            mean = f"{given.mean:.1f}".replace(".", self.texts("console.decimal_mark"))
            self.evaluation.value = self.texts(
                "console.evaluation_average", mean=mean, people=given.people
            )
            self.evaluation_counts.value = " · ".join(
                self.texts("console.evaluation_count", score=score, count=given.counts[score])
                for score in reversed(SCORES)
            )
        show(self.evaluation, given is not None)
        show(self.evaluation_counts, given is not None)
        show(self, bool(shown) or step.collects is not None or given is not None)

    def _item(self, contribution: Contribution) -> widgets.HBox:
        author = contribution.author or self.texts("participant.anonymous_author")
        text = literal(widgets.Label(contribution.text).add_class("codev-contribution-text"))
        parts: list[widgets.Widget] = [
            literal(widgets.Label(f"{author}:").add_class("codev-author")),
            text,
        ]
        if self.hide is not None:
            hidden = contribution.hidden
            button = widgets.Button(
                description=self.texts("participant.show" if hidden else "participant.hide"),
                layout={"width": "auto"},
            ).add_class("codev-hide-contribution")
            hide = self.hide
            button.on_click(lambda _: hide(contribution.id, not hidden))
            parts.append(button)
        reason = self._advice(contribution) if self.hide is not None else None
        if reason is not None:
            step, texts = self.session.current_step, self.texts
            reframing = step.reframing[0] if step.reframing else None
            prompt = texts.of(reframing) if reframing else texts("console.advice_prompt")
            parts.extend(flag_parts(texts, reason, prompt, self.say))
        row = widgets.HBox(parts).add_class("codev-contribution")
        if contribution.hidden:
            row.add_class("codev-contribution--hidden")
        if reason is not None:
            row.add_class("codev-advice-flag")
        return row

    def _advice(self, contribution: Contribution) -> str | None:
        step = next((s for s in self.session.runbook.steps if s.id == contribution.step_id), None)
        if step is None:
            return None
        languages = (self.session.runbook.language, self.texts.language)
        return question_advice(contribution.text, step.collects, contribution.kind, languages)


class ContributionBox(Follower, widgets.VBox):
    """Where a participant types a question, idea or learning, in steps that collect them."""

    def __init__(
        self,
        session: Session,
        texts: Texts,
        submit: Submit,
        author: str | None = None,
        keeper: TypingKeeper | None = None,
        role: str | None = None,
    ) -> None:
        self.session, self.texts, self.submit, self.author = session, texts, submit, author
        # The person's role (``None``: unknown): questions and ideas are the advisors' to type.
        self.role = role
        classes = ("codev-contribution-input", *(keep_classes(CONTRIBUTION) if keeper else ()))
        self.input = widgets.Textarea(rows=3, layout={"width": "100%"}, _dom_classes=classes)
        # The browser keeps what is typed until it is sent: a question typed while the page's
        # kernel was gone comes back in the box after a reload (``take_kept``).
        self.keeper = keeper
        if keeper is not None:
            keeper.on_kept(self.take_kept)
        self.anonymous = widgets.Checkbox(
            value=False, description=texts("participant.anonymous"), indent=False
        )
        self.send = widgets.Button(
            description=texts("participant.submit"), icon="paper-plane", button_style="primary"
        ).add_class("codev-contribution-submit")
        self.send.on_click(lambda _: self.click_send())
        self.rating = widgets.ToggleButtons(options=["1", "2", "3", "4", "5"], value=None)
        self.rating.add_class("codev-evaluation")
        self.rating.observe(lambda change: self._rate(change["new"]), "value")
        self.rating_label = widgets.Label(texts("participant.evaluation"))
        self.message = widgets.Label().add_class("codev-contribution-message")
        self.listen = widgets.Label(texts("participant.listen")).add_class("codev-listen")
        self.heading = widgets.Label(texts("participant.contribute")).add_class("codev-heading")
        self.anonymous.add_class("codev-anonymous")
        self.advice = AdviceQuestion(texts, self._send_text, self._rephrasing)
        self.writing = widgets.VBox(
            [self.heading, self.input, self.anonymous, self.send, self.advice]
        )
        self.writing.add_class("codev-writing")
        self.evaluation = widgets.VBox([self.rating_label, self.rating]).add_class("codev-rating")
        super().__init__([self.writing, self.evaluation, self.listen, self.message])
        self.add_class("codev-contribution-box")
        self._follow()
        self.refresh()

    def __repr__(self) -> str:
        return f"ContributionBox(session={self.session.id!r})"

    @property
    def warned(self) -> bool:
        """Whether the box asks "send anyway or rephrase?" now."""
        return self.advice.asking

    def _on_event(self, event: Event) -> None:
        if touches(event, BOX_ON, {"step", "timer", "ratings"}):
            self.refresh()

    def refresh(self) -> None:
        step, status = self.session.current_step, self.session.status
        live = status in {"running", "paused"}
        rotates = self.session.runbook.client_rotates
        # Ended: a latecomer may still rate, until the facilitator closes the ratings.
        rates_late = status == "finished" and self.session.ratings_open
        collects = (
            live
            and step.collects is not None
            and may_contribute(step, self.role, client_rotates=rotates)
        )
        if step.collects:
            self.input.placeholder = self.texts(f"participant.placeholder_{step.collects}")
        parts = {
            "writing": collects,
            "anonymity": collects and step.anonymous and self.author is not None,
            # One person, one evaluation: a page that has not said who it is does not rate.
            "evaluation": ((live and step.evaluation) or rates_late) and self.author is not None,
            "listen": live and not (collects or step.evaluation),
        }
        # Without a box: what the person does instead (the client answers aloud, listens).
        self.listen.value = self.texts(nothing_to_type(step, self.role, rotates))
        # What the box shows is a class on the box that console.css follows, not a layout
        # change per part: one message to the page per step change, not four.
        with self.hold_sync():
            for part, shown in parts.items():
                (self.add_class if shown else self.remove_class)(SHOWS + part)
        # A message belongs to the step it was given in; so does a warning about advice.
        self.message.remove_class("codev-error")
        self.message.value = ""
        self.advice.dismiss()

    @property
    def shown(self) -> set[str]:
        """Which parts the page shows now: "writing", "anonymity", "evaluation", "listen"."""
        return {css.removeprefix(SHOWS) for css in self._dom_classes if css.startswith(SHOWS)}

    def click_send(self) -> None:
        """Send what is typed; on success clear the box, else say why and keep the text.

        A question that reads as advice (with the runbook's ``advice_check`` on) is not sent
        yet: the box asks first, and ``click_send_anyway`` or ``click_rephrase`` answers.
        """
        step, runbook = self.session.current_step, self.session.runbook
        languages = (runbook.language, self.texts.language)
        reason = (
            question_advice(self.input.value, step.collects, None, languages)
            if runbook.advice_check and self.session.status in {"running", "paused"}
            else None
        )
        if reason is not None:
            self.message.value = ""
            self.advice.ask(reason)
            return
        self._send_text()

    def click_send_anyway(self) -> None:
        """Send the question the box warned about, as it is now."""
        self.advice.click_send_anyway()

    def click_rephrase(self) -> None:
        """Back to the text, kept as typed, to turn it into a question."""
        self.advice.click_rephrase()

    def _rephrasing(self) -> None:
        self.message.value = self.texts("participant.advice_rephrasing")

    def _send_text(self) -> None:
        step = self.session.current_step
        anonymous = self.anonymous.value and step.anonymous  # a crafted comm may tick it
        text = self.input.value
        if self._deliver(step.id, text, anonymous, None):
            self.input.value = ""
            self.message.value = self.texts("participant.sent")
            if self.keeper is not None:
                self.keeper.stored(CONTRIBUTION, text)

    def take_kept(self, kept: dict[str, str]) -> None:
        """Put back in the box the text the browser kept, not sent yet (unless the box already
        holds text of its own): it is sent as any, by the person. Sent already (a reload just
        after sending, before the browser heard so): the browser forgets it."""
        text = kept.get(CONTRIBUTION)
        if text is None or self.keeper is None:
            return
        if already_sent(self.session.contributions, self.author, text):
            self.keeper.stored(CONTRIBUTION, text)
        elif text.strip() and not self.input.value:
            self.input.value = text

    def _rate(self, score: str | None) -> None:
        # A person may change their mind (their last evaluation counts); a page that has not
        # said who it is cannot be told from another, so it does not evaluate (the rating is
        # hidden; a crafted message lands here).
        if score is None or self.author is None:
            return
        step = self.session.current_step
        if self.session.status == "finished":  # the ratings left open after the end
            step = rated_step(self.session.runbook.steps) or step
        if self._deliver(step.id, score, False, "evaluation"):
            self.message.value = self.texts("participant.evaluation_sent", score=score)

    def _deliver(self, step_id: str, text: str, anonymous: bool, kind: str | None) -> bool:
        if self.session.deleted:  # from the store: the page says so (the box is hidden)
            return self._refuse(SESSION_ENDED)
        late = kind == "evaluation" and self.session.status == "finished"
        if self.session.status not in {"running", "paused"} and not late:
            return False  # hidden, yet a comm can click
        runbook = self.session.runbook
        if not may_contribute(runbook.step(step_id), self.role, kind, runbook.client_rotates):
            # Not this role's to type (the box is hidden; a crafted comm lands here).
            return self._refuse("participant.refused")
        if not text.strip():
            return self._refuse("participant.empty")
        if len(text.strip()) > MAX_CONTRIBUTION:
            return self._refuse("participant.too_long")
        try:
            self.submit(step_id, text, anonymous, kind)
        except RateLimited:
            return self._refuse("participant.rate_limited")
        except RatingsClosedError as exc:
            # The facilitator closed the ratings after the end, before this page heard so.
            return self._refuse(exc.key)
        except RefusedError as exc:
            # One person, one voice: another page spoke under this name, or this page under
            # another (a crafted comm: the page asks no other name once it has spoken).
            return self._refuse(exc.key, name=exc.name)
        except DeletedError:
            # The session was deleted meanwhile: the page learns it, and says it here too.
            return self._refuse(SESSION_ENDED)
        except UnreachableError:
            # Not stored: the text stays in the box, to send again in a moment.
            return self._refuse("participant.store_unreachable")
        except ValueError:
            # Lengths were checked above: what is left is a step that does not take this.
            return self._refuse("participant.refused")
        self.message.remove_class("codev-error")
        return True

    def _refuse(self, key: str, **values: object) -> bool:
        self.message.value = self.texts(key, limit=MAX_CONTRIBUTION, **values)
        self.message.add_class("codev-error")
        return False
