"""The topic form's texts in each of the kit's languages: the method's four questions with
their one-sentence reasons and short labels, every refusal core can give a topic."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from codevwidgets.core import topics
from codevwidgets.core.i18n import catalog
from codevwidgets.core.topics import CHECKLIST

LANGUAGES = ("en", "fr", "de")
# The refusals of a topic (not of a dot) that core names: the form says each in words.
TOPIC_ERRORS = sorted(
    key
    for key in set(re.findall(r'"(topic\.err\.[a-z_]+)"', Path(topics.__file__).read_text()))
    if key
    not in {
        "topic.err.unknown",
        "topic.err.no_dot",
        "topic.err.own",
        "topic.err.spent",
        "topic.err.capped",
        "topic.err.not_choosing",
    }
)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("item", CHECKLIST)
def test_each_question_has_its_reason_and_label(language: str, item: str) -> None:
    texts = catalog(language)
    question, why, short = (texts[f"topic.check.{item}{end}"] for end in ("", "_why", "_short"))
    assert question.rstrip().endswith("?")  # a yes/no question
    assert why.count(". ") == 0 and len(why) < 160  # one sentence
    assert 0 < len(short) <= 30


@pytest.mark.parametrize("language", ["fr", "de"])
def test_the_questions_are_translated(language: str) -> None:
    english, other = catalog("en"), catalog(language)
    for item in CHECKLIST:
        for end in ("", "_why", "_short"):
            key = f"topic.check.{item}{end}"
            assert other[key] != english[key], key


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_refusal_of_a_topic_is_said(language: str) -> None:
    assert len(TOPIC_ERRORS) == 7
    texts = catalog(language)
    for key in TOPIC_ERRORS:
        assert texts.get(key), key
