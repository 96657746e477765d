"""Topics prepared ahead and chosen by the group's dots: pure data and rules, no widgets.

Before the session starts, a member prepares the problem they would bring: a one-line
headline, the context, what they have tried, what help they want, and their answers to the
method's checklist of a good topic (METHOD.md: poor topics are a facilitator's struggle). A
member edits or withdraws their topic until the session starts.

In the library step ``topic_choice``, everyone gives dots to the topics, anonymously: three
dots each, at most two on one topic, none on one's own. The facilitator confirms the chosen
topic (a tie is theirs to decide); its author becomes the client.

>>> topic = admit_topic("Ana", " Late handovers ", "", "", "", dict.fromkeys(CHECKLIST, True))
>>> topic.headline, topic.fits
('Late handovers', True)
>>> admit_dot({"bo": 2}, "bo", voter="cy", topics={"ana", "bo"}, on=True)
Traceback (most recent call last):
    ...
codevwidgets.core.topics.TopicError: at most 2 dots on one topic
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from codevwidgets.core.joining import person_key
from codevwidgets.core.text import without_controls, without_nul

__all__ = [
    "CHECKLIST",
    "DOTS",
    "MOST_ON_ONE",
    "TOPIC_CHOICE",
    "Topic",
    "TopicError",
    "admit_dot",
    "admit_topic",
    "dots_open",
    "leaders",
    "topics_open",
]

# The method's checklist of a good topic (METHOD.md), each a yes/no question the form asks:
# the member's own problem; current and actionable; no decision made already; shareable
# within the group's confidentiality. The texts are the locale's ``topic.check.<id>``.
CHECKLIST = ("own", "current", "open", "shareable")
HEADLINE_MOST = 120  # one line, read aloud in a sentence
TEXT_MOST = 2000  # context, tried, help: a few paragraphs each
DETAILS = ("context", "tried", "help")  # the facilitator's only: never in a participant kernel
TOPIC_CHOICE = "topic_choice"  # the library step in which the group gives its dots
DOTS = 3  # each person's dots
MOST_ON_ONE = 2  # on any one topic


class TopicError(ValueError):
    """A topic or a dot refused: ``key`` (with ``values``) names the locale text a page shows
    instead of the message."""

    def __init__(self, message: str, key: str, **values: object) -> None:
        super().__init__(message)
        self.key, self.values = key, values


@dataclass(frozen=True)
class Topic:
    """A member's prepared topic. ``checklist`` answers each of ``CHECKLIST`` (True: yes);
    ``context``, ``tried`` and ``help`` are blank in a participant's copy (``public``)."""

    author: str
    headline: str
    context: str = ""
    tried: str = ""
    help: str = ""
    checklist: Mapping[str, bool] = field(default_factory=dict)
    at: float = 0.0

    @property
    def key(self) -> str:
        """Its author, as names are compared (one topic per person and session)."""
        return person_key(self.author)

    @property
    def fits(self) -> bool:
        """Whether every answer of the checklist is yes."""
        return all(self.checklist.get(item) is True for item in CHECKLIST)

    def public(self) -> Topic:
        """What a participant's kernel may hold: the headline and the checklist's answers."""
        return replace(self, context="", tried="", help="")

    def to_dict(self) -> dict[str, Any]:
        return {
            "author": self.author,
            "headline": self.headline,
            "context": self.context,
            "tried": self.tried,
            "help": self.help,
            "checklist": dict(self.checklist),
            "at": self.at,
        }


def topics_open(status: str) -> None:
    """Refuse (``TopicError``) preparing, editing or withdrawing a topic once the session
    has started: the group works on what was brought by then."""
    if status != "ready":
        raise TopicError(
            "topics are prepared before the session starts: it has started",
            "topic.err.started",
        )


def admit_topic(
    author: object,
    headline: object,
    context: object,
    tried: object,
    help: object,
    checklist: object,
    at: float = 0.0,
) -> Topic:
    """The topic as it would be stored, trimmed, or ``TopicError`` saying what is wrong: a
    name, a headline of one line (1 to ``HEADLINE_MOST`` characters), texts of at most
    ``TEXT_MOST``, every question of the checklist answered yes or no."""
    if not isinstance(author, str) or not author.strip():
        raise TopicError("a topic needs its author's name", "topic.err.no_name")
    if not isinstance(headline, str) or not " ".join(headline.split()):
        raise TopicError("a topic needs a headline", "topic.err.headline_blank")
    line = without_controls(" ".join(headline.split()))
    if len(line) > HEADLINE_MOST:
        raise TopicError(
            f"a headline is at most {HEADLINE_MOST} characters",
            "topic.err.headline_long",
            most=HEADLINE_MOST,
        )
    texts = []
    for name, text in zip(DETAILS, (context, tried, help), strict=True):
        if not isinstance(text, str):
            raise TopicError(f"{name} must be text", "topic.err.not_text")
        text = without_nul(text.strip(), name)
        if len(text) > TEXT_MOST:
            raise TopicError(
                f"{name} is at most {TEXT_MOST} characters", "topic.err.text_long", most=TEXT_MOST
            )
        texts.append(text)
    if not isinstance(checklist, Mapping) or any(
        not isinstance(checklist.get(item), bool) for item in CHECKLIST
    ):
        raise TopicError("answer every question of the checklist", "topic.err.unanswered")
    answers = {item: bool(checklist[item]) for item in CHECKLIST}
    context, tried, help = texts
    return Topic(" ".join(author.split()), line, context, tried, help, answers, at)


def dots_open(status: str, step_id: str) -> None:
    """Refuse (``TopicError``) a dot outside the running ``topic_choice`` step."""
    if status != "running" or step_id != TOPIC_CHOICE:
        raise TopicError(
            "dots are given during the choice of the topic only", "topic.err.not_choosing"
        )


def admit_dot(
    mine: Mapping[str, int], topic: str, *, voter: str, topics: Collection[str], on: bool
) -> None:
    """Refuse (``TopicError``) a dot ``voter`` (a ``person_key``) gives (``on``) or takes back
    on ``topic`` (its author's key), given the dots they have on each topic (``mine``):
    ``DOTS`` in all, at most ``MOST_ON_ONE`` on one, none on their own."""
    if topic not in topics:
        raise TopicError("no such topic", "topic.err.unknown")
    if not on:
        if mine.get(topic, 0) <= 0:
            raise TopicError("no dot of yours on this topic", "topic.err.no_dot")
        return
    if topic == voter:
        raise TopicError("no dot on one's own topic", "topic.err.own")
    if sum(mine.values()) >= DOTS:
        raise TopicError(f"{DOTS} dots each: take one back first", "topic.err.spent", most=DOTS)
    if mine.get(topic, 0) >= MOST_ON_ONE:
        raise TopicError(
            f"at most {MOST_ON_ONE} dots on one topic", "topic.err.capped", most=MOST_ON_ONE
        )


def leaders(tally: Mapping[str, int], topics: Iterable[str]) -> list[str]:
    """The topics with the most dots (several: a tie, the facilitator's to decide), in
    ``topics``' order; none when no dot was given.

    >>> leaders({"ana": 3, "bo": 3, "cy": 1}, ["cy", "bo", "ana"])
    ['bo', 'ana']
    """
    most = max(tally.values(), default=0)
    return [t for t in topics if most > 0 and tally.get(t, 0) == most]
