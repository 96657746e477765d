"""Topics prepared ahead and the dots' rules (core.topics): what a topic may be, when it may be
prepared, the three dots, two at most on one topic, none on one's own, and ties."""

from __future__ import annotations

import pytest

from codevwidgets.core.topics import (
    CHECKLIST,
    DOTS,
    HEADLINE_MOST,
    TEXT_MOST,
    TOPIC_CHOICE,
    TopicError,
    admit_dot,
    admit_topic,
    dots_open,
    leaders,
    topics_open,
)

YES = dict.fromkeys(CHECKLIST, True)


def test_a_topic_is_trimmed_to_one_line_and_keeps_its_answers() -> None:
    topic = admit_topic(" Ana  Lopez ", "Late\nhandovers  ", " ctx ", "", "ideas", YES)
    assert (topic.author, topic.headline, topic.context, topic.help) == (
        "Ana Lopez",
        "Late handovers",
        "ctx",
        "ideas",
    )
    assert topic.fits and topic.key == "ana lopez"
    doubtful = admit_topic("Bo", "A decision", "", "", "", {**YES, "open": False})
    assert not doubtful.fits and doubtful.checklist["open"] is False


def test_a_participant_copy_has_no_details() -> None:
    topic = admit_topic("Ana", "Late handovers", "secret context", "tried", "help", YES)
    public = topic.public()
    assert (public.headline, public.context, public.tried, public.help) == (
        "Late handovers",
        "",
        "",
        "",
    )
    assert public.checklist == YES


@pytest.mark.parametrize(
    ("args", "key"),
    [
        (("", "h", "", "", "", YES), "topic.err.no_name"),
        (("Ana", "  \n ", "", "", "", YES), "topic.err.headline_blank"),
        (("Ana", "x" * (HEADLINE_MOST + 1), "", "", "", YES), "topic.err.headline_long"),
        (("Ana", "h", "x" * (TEXT_MOST + 1), "", "", YES), "topic.err.text_long"),
        (("Ana", "h", "", 3, "", YES), "topic.err.not_text"),
        (("Ana", "h", "", "", "", {**YES, "own": None}), "topic.err.unanswered"),
        (("Ana", "h", "", "", "", {}), "topic.err.unanswered"),
        (("Ana", "h", "", "", "", "yes"), "topic.err.unanswered"),
    ],
)
def test_a_bad_topic_is_refused_saying_why(args: tuple[object, ...], key: str) -> None:
    with pytest.raises(TopicError) as refused:
        admit_topic(*args)
    assert refused.value.key == key


def test_topics_are_prepared_before_the_start_only() -> None:
    topics_open("ready")
    for status in ("running", "paused", "finished"):
        with pytest.raises(TopicError, match="before the session starts"):
            topics_open(status)


def test_dots_are_given_in_the_running_topic_choice_only() -> None:
    dots_open("running", TOPIC_CHOICE)
    for status, step in (("paused", TOPIC_CHOICE), ("running", "presentation")):
        with pytest.raises(TopicError) as refused:
            dots_open(status, step)
        assert refused.value.key == "topic.err.not_choosing"


TOPICS = {"ana", "bo", "cy"}


@pytest.mark.parametrize(
    ("mine", "topic", "on", "key"),
    [
        ({}, "cy", True, "topic.err.own"),
        ({"ana": 2, "bo": 1}, "bo", True, "topic.err.spent"),
        ({"ana": 2}, "ana", True, "topic.err.capped"),
        ({}, "zed", True, "topic.err.unknown"),
        ({"ana": 1}, "bo", False, "topic.err.no_dot"),
    ],
)
def test_dots_keep_their_budget(mine: dict[str, int], topic: str, on: bool, key: str) -> None:
    with pytest.raises(TopicError) as refused:
        admit_dot(mine, topic, voter="cy", topics=TOPICS, on=on)
    assert refused.value.key == key


def test_three_dots_two_on_one_topic_and_back() -> None:
    mine: dict[str, int] = {}
    for topic in ("ana", "ana", "bo"):
        admit_dot(mine, topic, voter="cy", topics=TOPICS, on=True)
        mine[topic] = mine.get(topic, 0) + 1
    assert sum(mine.values()) == DOTS
    admit_dot(mine, "ana", voter="cy", topics=TOPICS, on=False)  # a dot taken back


def test_the_leaders_are_the_tie() -> None:
    assert leaders({}, ["ana", "bo"]) == []
    assert leaders({"ana": 4, "bo": 2}, ["ana", "bo"]) == ["ana"]
    assert leaders({"ana": 3, "bo": 3}, ["bo", "ana", "cy"]) == ["bo", "ana"]
