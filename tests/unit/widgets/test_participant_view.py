"""The participant's page, without a browser: what it builds, what it refuses, what it writes.

``participant_page()`` is called as the notebook calls it, with the store from ``CODEV_STORE``
and the link's parameters in ``QUERY_STRING``. Its watcher thread is stopped at once: the tests
make the page follow the store by hand, as the watcher would.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import ipywidgets as widgets
import pytest

from codevwidgets.core.commands import Command
from codevwidgets.core.contributions import MAX_CONTRIBUTION
from codevwidgets.core.i18n import Translator
from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.pages.session import participant_page
from codevwidgets.store.base import Secrets
from codevwidgets.store.sqlite import SQLiteStore
from codevwidgets.widgets._view import Texts
from codevwidgets.widgets.contributions import ContributionBox, ContributionList
from codevwidgets.widgets.countdown import Countdown
from codevwidgets.widgets.participant import ParticipantView
from codevwidgets.widgets.participant_page import ParticipantPage

EN = Translator("en")
NAMES = ("Ana", "Bruno", "Chloé", "David", "Emma")
# Step indexes of the classic runbook.
PRESENTATION, CLARIFICATION, CONTRACT, CONSULTATION, SYNTHESIS, CONCLUSION = range(6)


@dataclass
class Page:
    page: ParticipantPage
    store: SQLiteStore
    secrets: Secrets

    @property
    def view(self) -> ParticipantView:
        assert self.page.view is not None, "the page asks who you are"
        return self.page.view

    @property
    def session_id(self) -> str:
        return self.secrets.session_id

    def follow(self) -> None:
        """What the page's watcher does when the store's revision moves."""
        self.view.link.sync()

    def snapshot(self) -> tuple[dict[str, Any], int, int]:
        stored = self.store.load(self.session_id, private=True)
        assert stored is not None
        return stored.state, stored.revision, len(self.store.events(self.session_id))


Opener = Callable[..., Page]


def walk(widget: widgets.Widget) -> Iterator[widgets.Widget]:
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def classes(widget: widgets.Widget) -> set[str]:
    return set(getattr(widget, "_dom_classes", ()))


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SQLiteStore]:
    path = tmp_path / "store.db"
    monkeypatch.setenv("CODEV_STORE", str(path))
    with SQLiteStore(path) as opened:
        yield opened


@pytest.fixture
def open_page(store: SQLiteStore, monkeypatch: pytest.MonkeyPatch) -> Iterator[Opener]:
    """``open_page(step=None, name="Chloé", **query)``: a session at ``step`` (None: not
    started, -1: finished in the first step, -2: finished in the last, both with their
    ratings closed; -3: finished in the last, its ratings still open) and a participant's
    page on it."""
    pages: list[ParticipantPage] = []

    def open_(
        step: int | None = None, name: str | None = "Chloé", preset: str = "classic", **query: str
    ) -> Page:
        roles = Roles("Ana", "Bruno", ("Chloé", "David", "Emma"))
        session = Session(load_preset(preset), roles)
        if step is not None:
            session.start()
            if step in (-2, -3):
                session.go_to(CONCLUSION)
            if step < 0:
                session.finish()
                if step != -3:
                    session.close_ratings()
            elif step:
                session.go_to(step)
        secrets = store.create(session, preset, "en")
        params = {"session": secrets.session_id, "code": secrets.join_code, **query}
        if name is not None:
            params["name"] = name
        monkeypatch.setenv("QUERY_STRING", urlencode(params))
        page = participant_page()
        assert isinstance(page, ParticipantPage)
        page.memory.recall(None, None)  # what a browser remembering nothing says at load
        if page.view is not None:
            page.view.link.stop()
        pages.append(page)
        return Page(page, store, secrets)

    yield open_
    for page in pages:
        page.close()


def error_page(monkeypatch: pytest.MonkeyPatch, **query: str) -> widgets.Widget:
    monkeypatch.setenv("QUERY_STRING", urlencode(query))
    return participant_page()


# -- what the page builds ------------------------------------------------------------------


def test_no_control_that_could_steer(open_page: Opener) -> None:
    page = open_page(CLARIFICATION)
    tree = list(walk(page.view))
    buttons = [w for w in tree if isinstance(w, widgets.Button)]
    # The page's own signals (its hand, "ready", more time at zero), and nothing else but:
    own = [b for b in buttons if classes(b) & OWN_SIGNALS]
    assert [classes(b) for b in own] == [{"codev-hand"}, {"codev-ready"}, {"codev-more-time"}]
    buttons = [b for b in buttons if b not in own]
    # "Not you? change" (the page's own name), send, and the two answers to "this may sound
    # like advice": rephrase, or send it anyway.
    assert [classes(b) for b in buttons] == [
        {"codev-change-name"},
        {"codev-contribution-submit"},
        {"codev-advice-rephrase"},
        {"codev-advice-send"},
    ]
    selections = [w for w in tree if isinstance(w, widgets.widget_selection._Selection)]
    assert len(selections) == 1
    assert isinstance(selections[0], widgets.ToggleButtons)
    assert "codev-evaluation" in classes(selections[0])
    for kind in (widgets.Dropdown, widgets.SelectMultiple, widgets.Select, widgets.RadioButtons):
        assert not [w for w in tree if isinstance(w, kind)], kind
    texts = [w for w in tree if isinstance(w, widgets.Text | widgets.Textarea)]
    # The one box, kept in the browser while typed (its kernel may die: keeper.py).
    keep = {"codev-keep", "codev-keep--contribution"}
    assert [classes(t) for t in texts] == [{"codev-contribution-input", *keep}]
    steering = {
        "codev-next-step",
        "codev-previous-step",
        "codev-confirm",
        "codev-finish",
        "codev-timer-controls",
        "codev-navigator",
        "codev-notes",
    }
    assert not [w for w in tree if classes(w) & steering]
    # The roles are shown as escaped text, not as a board to change them.
    roles = [w for w in tree if "codev-roles" in classes(w)]
    assert len(roles) == 1
    assert isinstance(roles[0], widgets.HTML)
    assert "Chloé" in roles[0].value
    assert page.view.you.value == EN("participant.you_are_advisors")


def test_a_page_raises_its_own_hand_through_the_store(open_page: Opener) -> None:
    page = open_page(CLARIFICATION, name="Bruno")
    signals = page.view.signals
    assert signals is not None
    signals.hand.click()
    assert signals.place.value == "Your hand is up: number 1 in the queue."
    stored = [s for s in page.store.signals(page.session_id) if s.kind != "seen"]
    assert [(s.name, s.kind) for s in stored] == [("Bruno", "hand")]
    signals.ready.click()
    assert signals.ready.description == "Not done after all"
    signals.hand.click()
    assert [s.kind for s in page.store.signals(page.session_id) if s.kind != "seen"] == ["ready"]


def test_what_people_typed_is_never_html(store: SQLiteStore, open_page: Opener) -> None:
    page = open_page(CLARIFICATION)
    typed = "<img src=x onerror=alert(1)>Why now, at $5 or $10?"
    store.add_contribution(page.session_id, "clarification", "<b>Eve</b>", typed, None, "p")
    page.follow()
    tree = list(walk(page.view))
    labels = [w for w in tree if isinstance(w, widgets.Label) and w.value == typed]
    assert len(labels) == 1
    assert "codev-contribution-text" in classes(labels[0])
    # Nor mathematics: MathJax would typeset "$5 or $10" on a Jupyter page.
    assert {"mathjax_ignore", "tex2jax_ignore"} <= set(classes(labels[0]))
    for html_widget in (w for w in tree if isinstance(w, widgets.HTML)):
        assert "<img" not in html_widget.value
        assert "<b>Eve</b>" not in html_widget.value


# -- crafted comm messages cannot steer ----------------------------------------------------


def hostile_values(value: Any) -> list[Any]:
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [0, -1, 2**40]
    if isinstance(value, float):
        return [0.0, -1.0, 1e15, math.inf]
    if isinstance(value, str):
        return ["x", "finished", "running", "<img src=x onerror=alert(1)>", ""]
    if isinstance(value, list | tuple):
        return [[], ["x"]]
    if isinstance(value, dict):
        return [{}, {"x": "y"}]
    return ["x", 0, True, None]


def update(widget: widgets.Widget, state: dict[str, Any]) -> None:
    """What the comm delivers when a page sends ``state`` (errors are swallowed, as live)."""
    widget._handle_msg(
        {
            "content": {"data": {"method": "update", "state": state, "buffer_paths": []}},
            "buffers": [],
        }
    )


def custom(widget: widgets.Widget, content: Any) -> None:
    widget._handle_msg(
        {"content": {"data": {"method": "custom", "content": content}}, "buffers": []}
    )


CUSTOM_MESSAGES: list[Any] = [
    {"type": "sync", "t0": "x"},
    {"type": "sync", "t0": math.nan},
    {"type": "sync", "t0": True},
    {"type": "sync"},
    {"type": "next"},
    {"type": "time", "server_ms": 0},
    {"method": "next"},
    {"event": "start"},
    "next",
    None,
    [1, 2],
]


OWN_SIGNALS = {"codev-hand", "codev-ready", "codev-more-time"}
# The page's own topic, before the start: a save or a withdrawal writes under the page's own
# name only (see test_topic_form.py), as the page's own signals do.
OWN_TOPIC = {"codev-topic-submit", "codev-topic-withdraw", "codev-topic-edit"}


def attack(page: Page, click: bool) -> None:
    """Every synced trait of every widget set to hostile values, then custom messages."""
    tree = list(walk(page.view))
    countdowns = [w for w in tree if isinstance(w, Countdown)]
    assert countdowns
    for countdown in countdowns:
        update(countdown, {"status": "finished", "deadline_ms": 0})
        update(countdown, {"status": "running", "deadline_ms": 2**50, "remaining_ms": -1})
    # Before their classes are attacked: the page's own signals, and "not you? change" (the
    # page's own name: a click there asks again, it writes nothing).
    own = [w for w in tree if classes(w) & (OWN_SIGNALS | OWN_TOPIC | {"codev-change-name"})]
    for widget in tree:
        for key in sorted(widget.keys):
            if key in {"layout", "style", "children"}:
                continue
            for value in hostile_values(widget.get_state(key)[key]):
                update(widget, {key: value})
        update(widget, {"session": None, "value": "x", "disabled": False, "index": 0})
        if widget in own:
            continue  # a click there writes the page's own signal: see test_a_page_raises…
        for content in CUSTOM_MESSAGES:
            custom(widget, content)
        if click:
            custom(widget, {"event": "click"})
    # The children last: the kernel drops its own widgets, nothing else.
    for widget in tree:
        if "children" in widget.keys:
            update(widget, {"children": []})


@pytest.mark.parametrize(
    ("step", "click"),
    [
        (None, True),
        (PRESENTATION, True),
        (CONTRACT, True),
        (SYNTHESIS, True),
        (CLARIFICATION, False),
        (CONSULTATION, False),
        (-1, True),
        (-2, True),
    ],
    ids=[
        "ready",
        "presentation",
        "contract",
        "synthesis",
        "clarification",
        "consultation",
        "finished",
        "finished-in-conclusion",
    ],
)
def test_crafted_comm_messages_cannot_steer(
    open_page: Opener, step: int | None, click: bool
) -> None:
    """In steps without input even a click on the (hidden) send button must write nothing; in
    steps with input, clicking send is the page's one legitimate write, so it is not sent."""
    page = open_page(step)
    before = page.snapshot()
    local = page.view.session.to_dict()
    attack(page, click)
    assert page.snapshot() == before
    assert page.store.contributions(page.session_id, include_hidden=True) == []
    assert page.view.session.to_dict() == local


def test_crafted_messages_after_the_end_write_at_most_the_pages_own_rating(
    open_page: Opener,
) -> None:
    """Ended with the ratings open: the page's one legitimate write is its own rating."""
    page = open_page(-3)
    attack(page, click=True)
    stored = page.store.contributions(page.session_id, include_hidden=True)
    assert {(c.step_id, c.author, c.kind) for c in stored} == {
        ("conclusion", "Chloé", "evaluation")
    }


def test_after_the_end_the_page_says_so_and_rates_until_the_ratings_close(
    open_page: Opener,
) -> None:
    page = open_page(-3)  # a latecomer's phone, opened after the end
    view = page.view
    assert view.ended is not None and EN("participant.session_over") in view.ended.value
    assert view.box.layout.display != "none" and view.box.shown == {"evaluation"}
    assert view.rules.layout.display == "none" and view.countdown.layout.display == "none"
    view.box.rating.value = "4"
    assert view.box.message.value == EN("participant.evaluation_sent", score="4")
    [stored] = page.store.contributions(page.session_id, include_hidden=True)
    assert (stored.step_id, stored.author, stored.text) == ("conclusion", "Chloé", "4")
    # Closed on the console before this page heard so: refused, in words.
    page.store.execute(page.session_id, Command("close_ratings"))
    view.box.rating.value = "2"
    assert view.box.message.value == EN("participant.ratings_closed")
    assert len(page.store.contributions(page.session_id, include_hidden=True)) == 1
    view.link.sync()  # heard: the page only says the session has ended
    assert view.box.layout.display == "none"
    assert EN("participant.session_over") in view.ended.value


def test_the_end_reaches_a_page_in_the_evaluation_step(open_page: Opener) -> None:
    page = open_page(CONCLUSION)
    assert page.view.ended is None and "evaluation" in page.view.box.shown
    page.store.execute(page.session_id, Command("finish", {"step": "conclusion"}))
    page.view.link.sync()
    assert page.view.ended is not None and page.view.box.shown == {"evaluation"}
    assert page.view.signals is not None and page.view.signals.layout.display == "none"


def test_crafted_rating_outside_the_evaluation_step_writes_nothing(open_page: Opener) -> None:
    page = open_page(CLARIFICATION)
    before = page.snapshot()
    update(page.view.box.rating, {"index": 4})
    assert page.snapshot() == before
    assert page.store.contributions(page.session_id) == []


def test_crafted_anonymous_flag_is_ignored_where_the_runbook_does_not_allow_it(
    open_page: Opener,
) -> None:
    page = open_page(CLARIFICATION)
    update(page.view.box.anonymous, {"value": True})
    update(page.view.box.input, {"value": "Who decides?"})
    custom(page.view.box.send, {"event": "click"})
    [stored] = page.store.contributions(page.session_id)
    assert (stored.author, stored.text) == ("Chloé", "Who decides?")


# -- contributions -------------------------------------------------------------------------


def send(page: Page, text: str) -> str:
    page.view.box.input.value = text
    page.view.box.send.click()
    return str(page.view.box.message.value)


def test_empty_and_too_long_are_refused_with_a_message(open_page: Opener) -> None:
    page = open_page(CLARIFICATION)
    box = page.view.box
    assert send(page, "   ") == EN("participant.empty")
    assert "codev-error" in classes(box.message)
    long = "a" * (MAX_CONTRIBUTION + 1)
    assert send(page, long) == EN("participant.too_long", limit=MAX_CONTRIBUTION)
    assert box.input.value == long  # kept, to be shortened
    assert page.store.contributions(page.session_id) == []
    assert send(page, "b" * MAX_CONTRIBUTION) == EN("participant.sent")
    assert box.input.value == ""
    assert "codev-error" not in classes(box.message)
    stored = page.store.contributions(page.session_id)
    assert [(c.step_id, c.author, c.kind, len(c.text)) for c in stored] == [
        ("clarification", "Chloé", "questions", MAX_CONTRIBUTION)
    ]


def test_quick_sends_are_rate_limited(open_page: Opener) -> None:
    page = open_page(CLARIFICATION)
    replies = [send(page, f"Question {i}?") for i in range(6)]
    assert replies[:5] == [EN("participant.sent")] * 5
    assert replies[5] == EN("participant.rate_limited")
    assert page.view.box.input.value == "Question 5?"
    assert len(page.store.contributions(page.session_id)) == 5


def test_anonymous_only_where_the_runbook_allows_and_with_a_name(open_page: Opener) -> None:
    def offered(page: Page) -> bool:
        return "anonymity" in page.view.box.shown

    assert not offered(open_page(CLARIFICATION))
    session = Session(load_preset("classic"), Roles("Ana", "Bruno", ("Chloé", "David")))
    session.start()
    session.go_to(CONSULTATION)
    unnamed = ContributionBox(session, Texts(session.runbook, "en"), lambda *_: None, None)
    assert "anonymity" not in unnamed.shown
    page = open_page(CONSULTATION)
    assert offered(page)
    page.view.box.anonymous.value = True
    assert send(page, "Try a pilot team first.") == EN("participant.sent")
    [stored] = page.store.contributions(page.session_id)
    assert (stored.author, stored.kind) == (None, "ideas")
    # The page follows the facilitator: leaving the step hides the choice.
    page.store.execute(page.session_id, Command("next"))
    page.follow()
    assert not offered(page)


def test_evaluation_in_the_conclusion_step(open_page: Opener) -> None:
    page = open_page(CONCLUSION)
    box = page.view.box
    assert box.shown == {"writing", "evaluation"}  # learnings, and the 1–5 score
    box.rating.value = "4"
    assert box.message.value == EN("participant.evaluation_sent", score="4")
    stored = page.store.contributions(page.session_id)
    assert [(c.step_id, c.author, c.text, c.kind) for c in stored] == [
        ("conclusion", "Chloé", "4", "evaluation")
    ]
    assert open_page(CLARIFICATION).view.box.shown == {"writing"}


def test_a_named_person_may_change_their_evaluation_an_unnamed_page_cannot_evaluate(
    open_page: Opener,
) -> None:
    named = open_page(CONCLUSION)
    named.view.box.rating.value = "3"
    named.view.box.rating.value = "5"
    texts = [c.text for c in named.store.contributions(named.session_id)]
    assert texts == ["3", "5"]  # the console counts Chloé's 5
    # A view that has not said who it is (no page builds one now) offers no rating, and a
    # crafted message past the hidden buttons writes nothing: the store refuses it too.
    sent: list[tuple[str, ...]] = []
    session = named.view.session
    unnamed = ContributionBox(
        session, Texts(session.runbook, "en"), lambda *a: sent.append(a), author=None
    )
    assert "evaluation" not in unnamed.shown
    update(unnamed.rating, {"index": 3})
    assert sent == []
    with pytest.raises(ValueError, match="needs the name"):
        named.store.add_contribution(named.session_id, "conclusion", None, "2", "evaluation", "p")


def test_the_console_shows_how_the_group_rated_never_who_gave_which(session: Session) -> None:
    """Ratings stay private: the console counts them (how many gave each score, the average,
    a replaced rating once at its latest value) and lists none; a participant sees neither."""
    session.start()
    session.go_to(CONCLUSION)
    participant = ContributionList(session, Texts(session.runbook, "fr"))
    console = ContributionList(session, Texts(session.runbook, "fr"), hide=lambda *_: None)
    assert console.evaluation.layout.display == "none"  # nobody has evaluated yet
    for author, score in (("Chloé", "3"), ("Emma", "4"), ("Chloé", "5"), ("Farid", "4")):
        session.add_contribution("conclusion", author, score, kind="evaluation")
    session.add_contribution("conclusion", "David", "Écouter avant de conseiller.")

    def texts(view: ContributionList) -> list[str]:
        return [row.children[1].value for row in view.items.children]

    assert texts(participant) == ["Écouter avant de conseiller."]
    assert participant.evaluation.layout.display == "none"
    assert participant.evaluation_counts.layout.display == "none"
    assert texts(console) == ["Écouter avant de conseiller."]
    # Chloé's 5 replaces her 3: (5 + 4 + 4) / 3, with the French decimal comma.
    fr = Translator("fr")
    assert console.evaluation.value == fr("console.evaluation_average", mean="4,3", people=3)
    assert console.evaluation_counts.value == " · ".join(
        fr("console.evaluation_count", score=score, count=count)
        for score, count in ((5, 1), (4, 2), (3, 0), (2, 0), (1, 0))
    )
    assert console.evaluation.layout.display != "none"
    # No rater's name anywhere in what the console's list sends to its page.
    shown = json.dumps([w.get_state() for w in walk(console)], default=str)
    assert not {"Chloé", "Emma", "Farid"} & set(re.findall(r"\w+", shown))


def test_nothing_to_type_where_the_step_collects_nothing(open_page: Opener) -> None:
    page = open_page(PRESENTATION)
    assert page.view.box.shown == {"listen"}
    assert page.view.box.listen.value == EN("participant.listen")


@pytest.mark.parametrize(
    ("step", "name", "shown", "says"),
    [
        # The client presents, answers aloud, listens: no question and no idea to type.
        (PRESENTATION, "Ana", {"listen"}, "participant.listen"),
        (CLARIFICATION, "Ana", {"listen"}, "participant.client_questions"),
        (CONSULTATION, "Ana", {"listen"}, "participant.client_ideas"),
        (CONCLUSION, "Ana", {"writing", "evaluation"}, "participant.listen"),
        # The facilitator is not a consultant; the advisors type.
        (CLARIFICATION, "Bruno", {"listen"}, "participant.advisors_questions"),
        (CONSULTATION, "Bruno", {"listen"}, "participant.advisors_ideas"),
        (CLARIFICATION, "Chloé", {"writing"}, "participant.listen"),
        (CONSULTATION, "Chloé", {"writing", "anonymity"}, "participant.listen"),
    ],
)
def test_the_box_follows_the_role(
    open_page: Opener, step: int, name: str, shown: set[str], says: str
) -> None:
    page = open_page(step, name=name)
    assert page.view.box.shown == shown
    assert page.view.box.listen.value == EN(says)


@pytest.mark.parametrize("step_id", ["round1_clarify", "round2_consult", "round3_consult"])
def test_in_a_troika_the_sessions_client_keeps_the_box(open_page: Opener, step_id: str) -> None:
    """Each round has its own client (client_rotates): the session's roles do not say who
    listens in a round, and the session's client is a consultant in two of them."""
    steps = [step.id for step in load_preset("troika").steps]
    page = open_page(steps.index(step_id), name="Ana", preset="troika")
    assert "writing" in page.view.box.shown
    update(page.view.box.input, {"value": "Have you asked the team?"})
    custom(page.view.box.send, {"event": "click"})
    assert [c.text for c in page.store.contributions(page.session_id)] == [
        "Have you asked the team?"
    ]


def test_a_crafted_question_from_the_client_writes_nothing(open_page: Opener) -> None:
    page = open_page(CLARIFICATION, name="Ana")
    update(page.view.box.input, {"value": "Since when?"})
    custom(page.view.box.send, {"event": "click"})
    assert page.store.contributions(page.session_id) == []
    assert page.view.box.message.value == EN("participant.refused")


def test_the_box_follows_a_change_of_roles(open_page: Opener) -> None:
    page = open_page(CONSULTATION)  # Chloé, an advisor
    assert "writing" in page.view.box.shown
    roles = Roles("Chloé", "Bruno", ("Ana", "David", "Emma"))
    page.store.execute(page.session_id, Command("set_roles", {"roles": roles.to_dict()}))
    page.follow()
    assert page.view.box.shown == {"listen"}
    assert page.view.you.value == EN("participant.you_are_client")


# -- bad links -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"code": "wrong"},
        {"code": ""},
        {},
        {"code": "key"},
        {"session": "nope", "code": "code"},
        {"session": "", "code": "code"},
        {"session": "x' OR '1'='1", "code": "code"},
    ],
    ids=[
        "wrong",
        "empty",
        "missing",
        "facilitator-key",
        "unknown-session",
        "no-session",
        "injection",
    ],
)
def test_bad_link_shows_an_error_and_no_session_data(
    store: SQLiteStore,
    monkeypatch: pytest.MonkeyPatch,
    query: dict[str, str],
) -> None:
    roles = Roles("Ana", "Bruno", ("Chloé", "David", "Emma"))
    session = Session(load_preset("classic"), roles)
    session.start()
    secrets = store.create(session, "classic", "en")
    values = {"key": secrets.facilitator_key, "code": secrets.join_code}
    query = {"session": secrets.session_id, "name": "Zoé", **query}
    if query.get("code") == "key":
        query["code"] = values["key"]
    if query.get("code") == "code":
        query["code"] = values["code"]
    page = error_page(monkeypatch, **query)
    assert isinstance(page, widgets.HTML)
    assert "codev-error" in classes(page)
    assert page.value.strip()
    assert "Traceback" not in page.value
    for step in session.runbook.steps:
        for language in ("en", "fr"):
            assert session.runbook.text(step.title, language) not in page.value
    for name in (*NAMES, "Zoé"):
        assert name not in page.value


def test_closing_the_view_closes_every_widget_it_made(session: Session) -> None:
    """A participant's rules panel keeps the console's parts it does not show: closing the
    page closes them too (a page opened and closed many times leaves nothing behind)."""
    import ipywidgets as widgets

    texts = Texts(session.runbook, "en")
    ParticipantView(session, texts, "Chloé", lambda *_: None).close()  # first imports, caches
    before = len(widgets.Widget.widgets)
    for _ in range(5):
        ParticipantView(session, texts, "Chloé", lambda *_: None).close()
    assert len(widgets.Widget.widgets) == before


def test_each_clock_sync_of_the_page_is_a_beat_the_console_sees(open_page: Opener) -> None:
    page = open_page(None)  # before the start too: the console sees who is there
    # The page has said who it is: the console sees it at once, under that name.
    [joined] = page.store.signals(page.session_id)
    visitor = page.page.visitor
    assert (joined.kind, joined.name, joined.participant) == ("seen", "Chloé", visitor.page)
    with page.store._write() as db:  # as if the page had not been seen yet
        db.execute("DELETE FROM signals")
    page.view.countdown._on_message(page.view.countdown, {"type": "sync", "t0": 1.0}, [])
    [beat] = page.store.signals(page.session_id)
    assert (beat.kind, beat.name) == ("seen", "Chloé")


# -- kept in the browser -------------------------------------------------------------------


def test_an_unsent_question_kept_in_the_browser_is_back_in_the_box(open_page: Opener) -> None:
    """Typed while the page's kernel was gone: after the reload it is in the box, not sent
    (the person sends it); a box with text of its own keeps it."""
    page = open_page(CLARIFICATION)
    box = page.view.box
    assert "codev-keep--contribution" in classes(box.input)
    page.view.keeper.kept({"contribution": "Since when?", "note.presentation.topic": "x"})
    assert box.input.value == "Since when?"
    assert page.store.contributions(page.session_id) == []
    sent: list[Any] = []
    page.view.keeper.send = lambda content, buffers=None: sent.append(content)  # type: ignore[method-assign]
    assert send(page, "Since when?") == EN("participant.sent")
    assert sent == [{"type": "stored", "box": "contribution", "text": "Since when?"}]

    other = open_page(CLARIFICATION, name="David")
    other.view.box.input.value = "Who decides?"
    other.view.keeper.kept({"contribution": "Since when?"})
    assert other.view.box.input.value == "Who decides?"


def test_a_question_sent_just_before_the_reload_is_not_put_back(open_page: Opener) -> None:
    """The browser kept it (the reload came before it heard "stored"): the store has it, so
    the box stays empty and the browser is told to forget it."""
    page = open_page(CLARIFICATION)
    assert send(page, "Since when?") == EN("participant.sent")
    again = open_page(CLARIFICATION)
    again.view.session.replace_contributions(page.store.contributions(page.session_id))
    sent: list[Any] = []
    again.view.keeper.send = lambda content, buffers=None: sent.append(content)  # type: ignore[method-assign]
    again.view.keeper.kept({"contribution": "Since when?\n"})
    assert again.view.box.input.value == ""
    assert sent == [{"type": "stored", "box": "contribution", "text": "Since when?\n"}]
