"""The topic the group chose: the facilitator's confirmation, its effects and what is kept of it.

In the library step ``topic_choice`` the group gives its dots (``core.topics``); the
facilitator confirms the chosen topic (``Command("choose_topic", …)``, sent by the console,
which holds the topics privately). A tie is the facilitator's to decide: any topic may be
confirmed. Its author becomes the client (the previous client joins the advisors), and the
presentation's notes are filled from the topic (``choice_notes``).

The session's state keeps the choice (``TopicChosen``): whose topic, its headline, when, and
the tally's counts at that moment, never who gave a dot nor the other topics' headlines (every
kernel loads the state; the topics not chosen stay their authors' own).

>>> chosen = TopicChosen.from_dict({"author": "Bo", "headline": "Late handovers", "at": 5.0,
...                                 "dots": 4, "others": [2, 1]})
>>> chosen.dots, chosen.others, TopicChosen.from_dict(None) is None
(4, (2, 1), True)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from codevwidgets.core.effects import NoteText
from codevwidgets.core.joining import person_key
from codevwidgets.core.roles import Roles
from codevwidgets.core.topics import HEADLINE_MOST, TEXT_MOST, TOPIC_CHOICE

if TYPE_CHECKING:
    from codevwidgets.core.clock import Clock
    from codevwidgets.core.runbook import Runbook, Step

__all__ = ["PRESENTATION", "ChoosesTopic", "TopicChosen", "choice_notes", "swapped_roles"]

PRESENTATION = "presentation"  # the step whose notes the chosen topic fills
MOST_TOPICS = 100  # entries of a tally a console may send: a group's topics, far fewer


@dataclass(frozen=True)
class TopicChosen:
    """``author``'s topic (``headline``) was chosen at ``at``, with ``dots`` dots; ``others``:
    the other topics' counts, most first (no headline: they stay with their authors)."""

    author: str
    headline: str
    at: float
    dots: int = 0
    others: tuple[int, ...] = ()

    @property
    def key(self) -> str:
        """Its author, as names are compared (``person_key``)."""
        return person_key(self.author)

    def to_dict(self) -> dict[str, Any]:
        return {
            "author": self.author,
            "headline": self.headline,
            "at": self.at,
            "dots": self.dots,
            "others": list(self.others),
        }

    @classmethod
    def from_dict(cls, data: object) -> TopicChosen | None:
        """A choice as ``to_dict`` saved it; None for none (sessions stored before it)."""
        if data is None:
            return None
        if not isinstance(data, dict):
            raise ValueError(f"a chosen topic is a mapping, not {data!r}")
        author, headline, at = data.get("author"), data.get("headline"), data.get("at")
        if not isinstance(author, str) or not isinstance(headline, str):
            raise ValueError("a chosen topic needs its author and headline")
        if isinstance(at, bool) or not isinstance(at, int | float):
            raise ValueError(f"a chosen topic needs its time, not {at!r}")
        others = data.get("others", [])
        if not isinstance(others, list):
            raise ValueError(f"a chosen topic's other counts are a list, not {others!r}")
        return cls(author, headline, float(at), _count(data.get("dots", 0)), _counts(others))


def _count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"a count of dots is a whole number, not {value!r}")
    return value


def _counts(values: list[Any]) -> tuple[int, ...]:
    return tuple(sorted((_count(v) for v in values), reverse=True))


def _text(args: Mapping[str, Any], name: str, most: int) -> str:
    value = args.get(name, "")
    if not isinstance(value, str) or len(value) > most:
        raise ValueError(f"{name} must be text of at most {most} characters, not {value!r}")
    return value.strip()


def swapped_roles(
    roles: Roles, author: str, refused: Callable[..., Exception] = ValueError
) -> Roles:
    """``roles`` with ``author`` as the client and the previous client among the advisors
    (in the author's place); ``refused(message, key, **values)`` raised when ``author`` is
    the facilitator, an observer, or none of the session's people.

    >>> swapped_roles(Roles("Ana", "Fa", ("Bo", "Cy"), "Bo"), "bo")
    Roles(client='Bo', facilitator='Fa', advisors=('Ana', 'Cy'), note_taker=None, observers=())
    """
    role = roles.role_of(author)
    if role == "facilitator":
        raise refused("the facilitator's topic cannot be chosen", "dots.err.facilitator")
    if role == "observers":
        raise refused(
            f"{author} observes: an observer's topic cannot be chosen", "dots.err.observer"
        )
    if role is None:
        raise refused(f"{author} is none of the session's people", "dots.err.stranger", name=author)
    if role == "client":
        return roles
    key = person_key(author)
    name = next(a for a in roles.advisors if person_key(a) == key)
    advisors = tuple(roles.client if person_key(a) == key else a for a in roles.advisors)
    # The note-taker chosen as client takes no notes any more: the facilitator names another.
    taker = None if roles.note_taker and person_key(roles.note_taker) == key else roles.note_taker
    return Roles(name, roles.facilitator, advisors, taker, roles.observers)


def choice_notes(
    runbook: Runbook, notes: Mapping[str, Mapping[str, str]], args: Mapping[str, Any]
) -> tuple[NoteText, ...]:
    """The presentation's notes the chosen topic fills: its ``headline``, its ``topic``
    (the context, or the headline when there is none) and, when nobody has written it yet,
    the client's ``question`` from the help wanted. Only the fields the step has."""
    step: Step | None = next((s for s in runbook.steps if s.id == PRESENTATION), None)
    if step is None:
        return ()
    headline = _text(args, "headline", HEADLINE_MOST)
    context, help_ = _text(args, "context", TEXT_MOST), _text(args, "help", TEXT_MOST)
    wanted = {"headline": headline, "topic": context or headline}
    if help_ and not notes.get(PRESENTATION, {}).get("question", "").strip():
        wanted["question"] = help_
    fields = {f.id for f in step.notes}
    return tuple(NoteText(PRESENTATION, f, text) for f, text in wanted.items() if f in fields)


class ChoosesTopic:
    """A ``Session``'s chosen topic, kept in a part of its own (mixed into ``Session``)."""

    _chosen: TopicChosen | None = None
    # How a refusal is raised: the session's own error (``SessionError``, whose ``key`` the
    # console shows); ``Session`` sets it, this module cannot import the one mixing it in.
    _refused: Callable[..., Exception] = ValueError
    if TYPE_CHECKING:  # Session's own, declared here for the type checker only
        clock: Clock
        runbook: Runbook

        @property
        def roles(self) -> Roles | None: ...

        @property
        def current_step(self) -> Step: ...

        def set_roles(self, roles: Roles) -> None: ...

        def _require(self, *statuses: str, action: str) -> None: ...

        def _emit(self, kind: str, **data: Any) -> None: ...

    @property
    def chosen(self) -> TopicChosen | None:
        """The topic the group chose (None: none was, or the runbook has no choice)."""
        return self._chosen

    def choose_topic(self, author: object, headline: object, tally: object) -> None:
        """Confirm ``author``'s topic (``headline``), with the ``tally`` the console showed
        (dots by topic, each topic's author's ``person_key``): its author becomes the client.
        Only while running, in the ``topic_choice`` step. A tie is the facilitator's call:
        any topic may be confirmed, the leaders or not."""
        self._require("running", action="confirm a topic")
        if self.current_step.id != TOPIC_CHOICE:
            raise self._refused(
                "a topic is confirmed during the choice of the topic only", "dots.err.not_now"
            )
        if not isinstance(author, str) or not author.strip():
            raise ValueError(f"a chosen topic needs its author's name, not {author!r}")
        line = _text({"headline": headline}, "headline", HEADLINE_MOST)
        if not line:
            raise ValueError("a chosen topic needs its headline")
        if not isinstance(tally, Mapping) or len(tally) > MOST_TOPICS:
            raise ValueError(f"a tally is a mapping of at most {MOST_TOPICS} topics")
        counts = {str(k): _count(v) for k, v in tally.items()}
        roles = swapped_roles(self.roles or Roles("", "", ()), author, self._refused)
        key = person_key(author)
        others = _counts([n for k, n in counts.items() if k != key])
        self._chosen = TopicChosen(roles.client, line, self.clock(), counts.get(key, 0), others)
        if roles != self.roles:
            self.set_roles(roles)
        self._emit("topic_chosen", author=roles.client)
