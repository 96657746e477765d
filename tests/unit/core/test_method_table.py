"""Every role's text in every step of the five presets, against METHOD.md.

The table below is METHOD.md's, not the presets': for each kind of step, what each role is
told (the gist of their rules, in English) and whether their page has a box to type in.
A person's page reads: "you are …", their role's rules for the step (a note-taker's add to
the advisors'), and, where they have no box, what they do instead. The presets map their
steps to these kinds (Kollegiale Beratung's story is the presentation and the clarifying
questions in one; Troika's rounds repeat present, clarify, consult, reflect).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from codevwidgets.core.contributions import may_contribute, nothing_to_type
from codevwidgets.core.i18n import Translator
from codevwidgets.core.roles import rules_of
from codevwidgets.core.runbook import ROLES, Runbook, Step, load_preset

EN = Translator("en")


@dataclass(frozen=True)
class Gist:
    """What a role's page says in a step. Each entry of ``may``/``may_not`` must be in that
    part of the rules ("a|b": either); ``never``: words the page must not tell the person
    to do (the "you are" line, the may rules, the line shown instead of a box); ``types``:
    whether the page has a box for the step's questions, ideas or learnings."""

    may: tuple[str, ...] = ()
    may_not: tuple[str, ...] = ()
    never: tuple[str, ...] = ()
    types: bool = False
    instead: str = ""  # what the page says in place of the box


METHOD_STEPS = (
    "presentation",
    "clarification",
    "contract",
    "consultation",
    "synthesis",
    "conclusion",
)
QUIET = "speak|join in"  # observers: they do not speak before the conclusion

# METHOD.md's six steps (and the cousins' extra ones), role by role.
TABLE: dict[str, dict[str, Gist]] = {
    # 1. The client speaks; advisors listen and take notes, no interruption, no questions.
    "presentation": {
        "client": Gist(may=("present|share|tell",), never=("listen", "question to")),
        "advisors": Gist(may=("listen",), may_not=("interrupt",)),
        "facilitator": Gist(may=("time",)),
        "note_taker": Gist(may=("listen", "note")),
        "observers": Gist(may=("watch",), may_not=(QUIET,)),
    },
    # 2. Advisors ask, the client answers: factual questions only, no advice.
    "clarification": {
        "client": Gist(may=("answer",), never=("listen", "ask"), instead="answer"),
        "advisors": Gist(may=("question",), may_not=("advice",), types=True),
        "facilitator": Gist(may=("reframe|time",), instead="advisors"),
        "note_taker": Gist(may=("question", "note"), may_not=("advice",), types=True),
        "observers": Gist(may_not=(QUIET,), instead="advisors"),
    },
    # Kollegiale Beratung's story: the presenter tells, advisors ask only to understand.
    "story": {
        "client": Gist(may=("tell", "answer"), never=("listen",), instead="answer"),
        "advisors": Gist(may=("listen", "question"), may_not=("advice",), types=True),
        "facilitator": Gist(may=("advice in disguise",), instead="advisors"),
        "note_taker": Gist(may=("listen", "note"), may_not=("advice",), types=True),
        "observers": Gist(may=("watch",), may_not=(QUIET,), instead="advisors"),
    },
    # 3. The client restates the help wanted; advisors check they can help.
    "contract": {
        "client": Gist(may=("help wanted|key question",), never=("listen",)),
        "advisors": Gist(may=("check|clear",), may_not=("rewrite|reword",)),
        "facilitator": Gist(may=("client's words|case presenter's words",)),
        "note_taker": Gist(may=("check|clear",), may_not=("rewrite|reword",)),
        "observers": Gist(may_not=(QUIET,)),
    },
    # 4. Advisors offer ideas; the client listens and notes, does not reply or defend.
    "consultation": {
        "client": Gist(may=("listen",), may_not=("reply",), instead="listen"),
        "advisors": Gist(may=("idea",), may_not=("judge|turn to the client|argue",), types=True),
        "facilitator": Gist(may=("floor|method|time",), instead="advisors"),
        "note_taker": Gist(may=("idea", "record|write down"), types=True),
        "observers": Gist(may_not=(QUIET,), instead="advisors"),
    },
    # 5. The client says what they keep and their first actions.
    "synthesis": {
        "client": Gist(may=("keep", "action"), never=("listen",)),
        "advisors": Gist(may=("listen",), may_not=("new ideas", "decide")),
        "facilitator": Gist(may=("action plan", "client's words")),
        "note_taker": Gist(may=("listen",), may_not=("new ideas", "decide")),
        "observers": Gist(may_not=(QUIET,)),
    },
    # 6. Everyone, the client first, says what they learned; the group evaluates.
    "conclusion": {
        "client": Gist(may=("learned|useful",), types=True),
        "advisors": Gist(may=("learned",), types=True),
        "facilitator": Gist(may=("evaluation",), types=True),
        "note_taker": Gist(may=("learned|note",), types=True),
        "observers": Gist(may=("observed|process",), types=True),
    },
    # Troika's reflection: the client turns back and says what was most valuable.
    "reflection": {
        "client": Gist(may=("valuable",), never=("listen",), types=True),
        "advisors": Gist(may=("listen",), may_not=("defend",), types=True),
        "facilitator": Gist(may=("switch|evaluation",), types=True),
        "note_taker": Gist(may=("listen",), may_not=("defend",), types=True),
    },
    # Kollegiale Beratung's casting and method choice, Troika's preparation.
    "casting": {
        "client": Gist(may=("case",), never=("listen",)),
        "advisors": Gist(may=("role",), may_not=("discuss",)),
        "facilitator": Gist(may=("roles",), may_not=("advise",)),
        "note_taker": Gist(may=("role", "headline")),
        "observers": Gist(may=("watch",), may_not=(QUIET,)),
    },
    "method": {
        "client": Gist(may=("choose",), never=("listen",)),
        "advisors": Gist(may=("suggest",), may_not=("advising",)),
        "facilitator": Gist(may=("method",)),
        "note_taker": Gist(may=("suggest",), may_not=("advising",)),
        "observers": Gist(may_not=(QUIET,)),
    },
    "prepare": {
        "client": Gist(may=("challenge",)),
        "advisors": Gist(may=("challenge",)),
        "facilitator": Gist(may=("groups of three", "time")),
        "note_taker": Gist(may=("challenge",)),
    },
}

SIX = {s: s for s in METHOD_STEPS}
KINDS: dict[str, dict[str, str]] = {
    "classic": SIX,
    "express": SIX,
    "flash": SIX,
    "kollegiale": {
        "casting": "casting",
        "story": "story",
        "key_question": "contract",
        "method": "method",
        "consultation": "consultation",
        "closing": "conclusion",
    },
    "troika": {"prepare": "prepare"}
    | {
        f"round{n}_{part}": kind
        for n in (1, 2, 3)
        for part, kind in (
            ("present", "presentation"),
            ("clarify", "clarification"),
            ("consult", "consultation"),
            ("reflect", "reflection"),
        )
    },
}

# Troika runs in threes: a client and two consultants, no note-taker and no observers.
TRIO = ("client", "advisors", "facilitator")
CELLS = [
    (preset, step_id, role)
    for preset, steps in KINDS.items()
    for step_id, kind in steps.items()
    for role in ROLES
    if role in TABLE[kind] and (preset != "troika" or role in TRIO)
]


def page_text(book: Runbook, step: Step, role: str) -> tuple[str, str, str]:
    """What a page in ``role`` says in ``step``, in English and lower case: the "you are"
    line with the rules it may follow and the line shown instead of a box; the rules it may
    not follow; that line alone ("" where the page has a box)."""
    may, may_not = [], []
    for source in rules_of(role):
        rules = getattr(step.rules, source)
        if rules is not None:
            may += [book.text(t, "en") for t in rules.may]
            may_not += [book.text(t, "en") for t in rules.may_not]
    box = step.collects is not None and may_contribute(step, role)
    instead = "" if box else EN(nothing_to_type(step, role))
    told = " ".join([EN(f"participant.you_are_{role}"), *may, instead])
    return told.lower(), " ".join(may_not).lower(), instead.lower()


def has(text: str, gist: str) -> bool:
    return any(word in text for word in gist.split("|"))


@pytest.mark.parametrize(("preset", "step_id", "role"), CELLS)
def test_each_role_is_told_what_method_says(preset: str, step_id: str, role: str) -> None:
    book = load_preset(preset)
    step = book.step(step_id)
    gist = TABLE[KINDS[preset][step_id]][role]
    told, not_told, instead = page_text(book, step, role)
    for word in gist.may:
        assert has(told, word), f"{role} in {preset}/{step_id} is not told «{word}»: {told}"
    for word in gist.may_not:
        assert has(not_told, word), f"{role} in {preset}/{step_id}: no «{word}» in {not_told}"
    for word in gist.never:
        assert word not in told, f"{role} in {preset}/{step_id} is told «{word}»: {told}"
    types = step.collects is not None and may_contribute(step, role)
    assert types == gist.types, f"{role} in {preset}/{step_id}: a box {types}"
    if gist.instead:
        assert has(instead, gist.instead), f"{role} in {preset}/{step_id} is told {instead}"


def test_the_table_covers_every_step_of_every_preset() -> None:
    for preset, steps in KINDS.items():
        assert [s.id for s in load_preset(preset).steps] == list(steps), preset
    assert len(CELLS) >= 5 * 6 * 3


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_the_client_is_told_to_listen_only_when_the_advisors_consult(language: str) -> None:
    texts = Translator(language)
    book = load_preset("classic")
    you = texts("participant.you_are_client")
    listen = {"en": "listen", "fr": "écout", "de": "hören"}[language]
    assert listen not in you.lower()  # shown in every step: the presentation is the client's
    said = texts(nothing_to_type(book.step("consultation"), "client")).lower()
    assert listen in said
    answer = texts(nothing_to_type(book.step("clarification"), "client")).lower()
    assert {"en": "answer", "fr": "répond", "de": "beantworten"}[language] in answer


def test_only_a_troika_lets_every_page_keep_its_box() -> None:
    """The table above is each round's roles; a Troika page cannot tell the round's client
    (client_rotates), so every page keeps its box there."""
    for preset in KINDS:
        book = load_preset(preset)
        assert book.client_rotates == (preset == "troika"), preset
    troika = load_preset("troika")
    for step in troika.steps:
        if step.collects in {"questions", "ideas"}:
            assert may_contribute(step, "client", client_rotates=True), step.id
            assert not may_contribute(step, "client"), step.id
