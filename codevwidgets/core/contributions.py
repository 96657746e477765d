"""Contributions (questions, ideas, learnings, 1-5 evaluations): what is taken, and when.

A participant's page sends one to the store; a session of one kernel takes one itself. Both
ask the same rules here: what a step collects, its length, and only while the session is in
progress (running or paused: before the start nobody contributes). After the end, only a 1-5
evaluation, while the ratings stay open (for latecomers, until the facilitator closes them).

>>> taken = Contributions()
>>> taken.add(Contribution(0, "clarification", None, "Since when?", 0.0, kind="questions")).id
1
>>> taken.hide(1); taken.of_step("clarification")
[]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from codevwidgets.core.joining import person_key
from codevwidgets.core.runbook import CONTRIBUTION_KINDS, Step
from codevwidgets.core.text import without_nul

__all__ = [
    "MAX_AUTHOR",
    "MAX_CONTRIBUTION",
    "Contribution",
    "Contributions",
    "Ratings",
    "RatingsClosedError",
    "admit_contribution",
    "already_sent",
    "evaluation_average",
    "latest_evaluations",
    "may_contribute",
    "nothing_to_type",
    "rated_step",
    "ratings",
    "validate_contribution",
]

MAX_CONTRIBUTION = 1_000
MAX_AUTHOR = 100
EVALUATION = "evaluation"
SCORES = (1, 2, 3, 4, 5)


class RatingsClosedError(ValueError):
    """An evaluation sent after the facilitator closed the ratings: ``key`` names the locale
    text the page shows."""

    key = "participant.ratings_closed"


# Questions and ideas are the advisors' (METHOD.md): the client answers the questions aloud
# and listens in the consultation, the facilitator is not a consultant, observers do not
# speak before the conclusion. The note-taker is one of the advisors. Learnings and the
# evaluation are everyone's.
ADVISORS_KINDS = frozenset({"questions", "ideas"})
ADVISORS_ROLES = frozenset({"advisors", "note_taker"})


@dataclass(frozen=True)
class Contribution:
    """A question, idea or learning typed during a step; ``author`` ``None`` is anonymous."""

    id: int
    step_id: str
    author: str | None
    text: str
    at: float
    hidden: bool = False
    kind: str | None = None


def validate_contribution(
    step: Step, author: str | None, text: str, kind: str | None
) -> tuple[str | None, str, str | None]:
    """The contribution as stored (trimmed, kind defaulted), or ``ValueError`` saying why not."""
    text = text.strip() if isinstance(text, str) else ""
    if not 1 <= len(text) <= MAX_CONTRIBUTION:
        raise ValueError(f"a contribution is 1 to {MAX_CONTRIBUTION} characters of text")
    without_nul(text, "a contribution")
    author = (author.strip() or None) if isinstance(author, str) else None
    if author is not None and len(author) > MAX_AUTHOR:
        raise ValueError(f"an author name is at most {MAX_AUTHOR} characters")
    if author is not None:
        without_nul(author, "an author name")
    kind = kind or step.collects
    if kind is not None and kind not in CONTRIBUTION_KINDS:
        raise ValueError(f"unknown contribution kind '{kind}'")
    # Only what the step asks for: its own kind, or a 1-5 evaluation where it asks for one.
    accepted = {step.collects} | ({"evaluation"} if step.evaluation else set())
    if kind is None or kind not in accepted:
        raise ValueError(f"step '{step.id}' does not collect {kind or 'contributions'}")
    if kind == "evaluation" and text not in {"1", "2", "3", "4", "5"}:
        raise ValueError("an evaluation is a whole number from 1 to 5")
    if kind == "evaluation" and author is None:
        # One person, one evaluation: a page that has not said who it is cannot be told from
        # another (nor from itself reloaded), so it does not evaluate.
        raise ValueError("an evaluation needs the name of who gives it")
    return author, text, kind


def admit_contribution(
    step: Step,
    author: str | None,
    text: str,
    kind: str | None,
    *,
    in_progress: bool,
    ended: bool = False,
    ratings_open: bool = False,
) -> tuple[str | None, str, str | None]:
    """``validate_contribution``, while the session is in progress; once it has ``ended``, an
    evaluation only, while ``ratings_open`` (``RatingsClosedError`` after)."""
    checked = validate_contribution(step, author, text, kind)
    if in_progress:
        return checked
    if ended and checked[2] == EVALUATION:
        if ratings_open:
            return checked
        raise RatingsClosedError("the ratings are closed: the session takes no evaluation now")
    raise ValueError("the session is not running: it takes no contribution now")


def rated_step(steps: Iterable[Step]) -> Step | None:
    """The step whose evaluation the ratings after the end go to: the last one that takes a
    1-5 evaluation, or None when the runbook asks for none."""
    rated = [s for s in steps if s.evaluation or s.collects == EVALUATION]
    return rated[-1] if rated else None


def may_contribute(
    step: Step, role: str | None, kind: str | None = None, client_rotates: bool = False
) -> bool:
    """Whether a person in ``role`` types contributions of ``kind`` (default: what ``step``
    collects) on their page: questions and ideas only the advisors (and the note-taker).

    ``role`` ``None`` (no roles yet, or a name not among them) is not told apart: such a page
    keeps its box. The rule follows the runbook's role names, as the rules panel does; where
    each round has its own client (a runbook's ``client_rotates``, Troika), the session's roles
    do not say who listens, and every page keeps its box.

    >>> from codevwidgets.core.runbook import load_preset
    >>> clarification = load_preset("classic").step("clarification")
    >>> may_contribute(clarification, "client"), may_contribute(clarification, "advisors")
    (False, True)
    """
    kind = kind or step.collects
    if role is None or client_rotates:
        return True
    return kind not in ADVISORS_KINDS or role in ADVISORS_ROLES


def nothing_to_type(step: Step, role: str | None, client_rotates: bool = False) -> str:
    """The locale key of what a page in ``role`` says in ``step`` where it has no box: what
    the person does instead (the client answers aloud, or listens), or that there is nothing
    to type in this step."""
    if step.collects is None or may_contribute(step, role, client_rotates=client_rotates):
        return "participant.listen"
    if role == "client":
        return f"participant.client_{step.collects}"
    return f"participant.advisors_{step.collects}"


@dataclass
class Contributions:
    """A session's contributions in the order they arrived; hidden ones are kept (the
    facilitator's record) and left out of what the room sees."""

    items: list[Contribution] = field(default_factory=list)

    @classmethod
    def from_dicts(cls, items: Iterable[dict[str, Any]]) -> Contributions:
        return cls([Contribution(**item) for item in items])

    def add(self, contribution: Contribution) -> Contribution:
        """Keep ``contribution`` under the next number (its own ``id`` is not used)."""
        number = max((c.id for c in self.items), default=0) + 1
        numbered = replace(contribution, id=number)
        self.items.append(numbered)
        return numbered

    def hide(self, contribution_id: int, hidden: bool = True) -> None:
        for i, contribution in enumerate(self.items):
            if contribution.id == contribution_id:
                self.items[i] = replace(contribution, hidden=hidden)
                return
        raise ValueError(f"no contribution {contribution_id}")

    def of_step(self, step_id: str, include_hidden: bool = False) -> list[Contribution]:
        shown = (c for c in self.items if include_hidden or not c.hidden)
        return [c for c in shown if c.step_id == step_id]


def already_sent(contributions: Iterable[Contribution], author: str | None, text: str) -> bool:
    """Whether ``text``, kept in a person's browser as not sent yet, is in fact stored: sent
    just before a reload, the browser had not heard so. Compared as stored (trimmed), among
    the questions, ideas and learnings of that person or of nobody (sent anonymously); a
    blank text was never sent."""
    stored = text.strip()
    if not stored:
        return False
    return any(
        c.text == stored and c.kind != "evaluation" and c.author in {author, None}
        for c in contributions
    )


def latest_evaluations(
    contributions: Iterable[Contribution], people: Sequence[str] = ()
) -> list[int]:
    """The 1-5 evaluations that count, one per joined person, never saying whose.

    A person may change their mind, from any page (a reload, another device): only their
    last evaluation counts, names compared without regard to case or spaces. An unnamed
    evaluation (stored before pages had to say who they are) counts for nobody; with the
    group's names (``people``, the roster), only its members' count: a name made up in a
    link is not a joined person. Hidden ones do not count.
    """
    members = {person_key(name) for name in people}
    latest: dict[str, int] = {}
    for item in sorted(contributions, key=lambda c: c.id):
        if item.kind != "evaluation" or item.hidden or not item.author:
            continue
        key = person_key(item.author)
        if not members or key in members:
            latest[key] = int(item.text)
    return list(latest.values())


@dataclass(frozen=True)
class Ratings:
    """How the group rated the session, never who gave which: how many people gave each
    score (``counts``, 1 to 5), their number and their mean.

    >>> Ratings.of([4, 5, 4]).counts[4], Ratings.of([4, 5, 4]).people
    (2, 3)
    """

    counts: dict[int, int]
    people: int
    mean: float

    @classmethod
    def of(cls, scores: Sequence[int]) -> Ratings:
        counts = {score: scores.count(score) for score in SCORES}
        return cls(counts, len(scores), sum(scores) / len(scores) if scores else 0.0)


def ratings(contributions: Iterable[Contribution], people: Sequence[str] = ()) -> Ratings | None:
    """The ``Ratings`` of ``latest_evaluations`` (one per person, a replaced rating once, at
    its latest value), or None if nobody rated."""
    scores = latest_evaluations(contributions, people)
    return Ratings.of(scores) if scores else None


def evaluation_average(
    contributions: Iterable[Contribution], people: Sequence[str] = ()
) -> tuple[float, int] | None:
    """The mean 1-5 evaluation and how many people it counts (``latest_evaluations``), or
    None if nobody evaluated."""
    scores = latest_evaluations(contributions, people)
    return (sum(scores) / len(scores), len(scores)) if scores else None
