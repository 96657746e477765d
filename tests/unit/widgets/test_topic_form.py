"""The topic form on a participant's page, over a real SQLite store: each refusal said in
words with the boxes kept, a "no" warned about but saved, saved → edited (filled from the
store's copy) → withdrawn, typing kept by the browser put back, the form gone at the start."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import ipywidgets as widgets
import pytest

from codevwidgets.core.commands import Command
from codevwidgets.core.i18n import Translator
from codevwidgets.core.roles import Roles
from codevwidgets.core.roster import Member, Roster
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session, UnreachableError
from codevwidgets.core.topics import CHECKLIST, HEADLINE_MOST, TEXT_MOST, Topic
from codevwidgets.core.voices import RefusedError
from codevwidgets.store.sqlite import SQLiteStore
from codevwidgets.widgets._view import Texts
from codevwidgets.widgets.keeper import TypingKeeper
from codevwidgets.widgets.topic_form import Preparing, TopicForm, topic_box

EN = Translator("en")
GROUP = ("Ana", "Bruno", "Chloé", "David")
ROSTER = Roster(group="Team", facilitator="rotate", members=[Member(name=n) for n in GROUP])
BOOK = load_preset("classic")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    with SQLiteStore(tmp_path / "store.db") as opened:
        opened.create(
            Session(BOOK, Roles("Ana", "Farid", GROUP[1:]), session_id="s"), "c", "en", ROSTER
        )
        yield opened


def preparing(store: SQLiteStore, name: str, page: str) -> Preparing:
    return Preparing(
        save=lambda topic: store.save_topic("s", page, topic),
        withdraw=lambda: store.withdraw_topic("s", page, name),
        own=lambda: store.own_topic("s", name, page),
    )


def form_of(
    store: SQLiteStore, name: str | None = "Bruno", page: str = "page-bruno", **kwargs: object
) -> TopicForm:
    stored = store.load("s", private=False)
    assert stored is not None
    session = stored.session()
    return TopicForm(session, Texts(BOOK, "en"), name, preparing(store, name or "", page), **kwargs)  # type: ignore[arg-type]


def fill(form: TopicForm, headline: str = "Late handovers", answer: bool = True) -> None:
    form.headline.value = headline
    form.boxes["context"].value = "My team hands over late."
    form.boxes["tried"].value = "A checklist."
    form.boxes["help"].value = "Help me see what I miss."
    for item in CHECKLIST:
        form.answer(item, answer)


def typed(form: TopicForm) -> dict[str, str]:
    return {field: box.value for field, box in form.boxes.items()}


def test_the_form_has_its_contract_classes_and_the_checklist() -> None:
    session = Session(BOOK, session_id="x")
    none = Preparing(lambda t: t, lambda: False, lambda: None)
    form = TopicForm(session, Texts(BOOK, "en"), "Ana", none)
    assert "codev-topic-form" in form._dom_classes
    assert "codev-topic-headline" in form.headline._dom_classes
    assert isinstance(form.headline, widgets.Text)  # one line
    assert "codev-topic-submit" in form.submit._dom_classes
    assert form.editing in form.children
    questions = [
        label.value
        for label in _all(form.editing)
        if "codev-topic-question" in getattr(label, "_dom_classes", ())
    ]
    assert questions == [EN(f"topic.check.{item}") for item in CHECKLIST]
    form.close()


@pytest.mark.parametrize(
    ("change", "key", "values"),
    [
        (lambda f: setattr(f.headline, "value", "  "), "topic.err.headline_blank", {}),
        (
            lambda f: setattr(f.headline, "value", "x" * (HEADLINE_MOST + 1)),
            "topic.err.headline_long",
            {"most": HEADLINE_MOST},
        ),
        (
            lambda f: setattr(f.boxes["tried"], "value", "y" * (TEXT_MOST + 1)),
            "topic.err.text_long",
            {"most": TEXT_MOST},
        ),
        (lambda f: f.answer("open", None), "topic.err.unanswered", {}),
    ],
)
def test_a_refused_topic_says_why_and_keeps_the_boxes(
    store: SQLiteStore, change: object, key: str, values: dict[str, object]
) -> None:
    form = form_of(store)
    fill(form)
    change(form)  # type: ignore[operator]
    before = typed(form)
    form.submit.click()
    assert form.message.value == EN(key, **values)
    assert "codev-error" in form.message._dom_classes
    assert typed(form) == before and form.editing in form.children
    assert store.topics("s", private=True) == []
    form.close()


def test_a_no_is_warned_about_but_saved(store: SQLiteStore) -> None:
    form = form_of(store)
    fill(form)
    assert form.warned == []
    form.answer("open", False)
    assert form.warned == ["open"]
    assert form.reasons["open"].value == EN("topic.check.open_why")
    form.answer("open", True)
    assert form.warned == []
    form.answer("own", False)
    form.submit.click()
    assert form.message.value == EN("topic.saved")
    (topic,) = store.topics("s", private=True)
    assert topic.checklist["own"] is False and topic.checklist["open"] is True
    form.close()


def test_saved_then_edited_from_the_store_then_withdrawn(store: SQLiteStore) -> None:
    form = form_of(store)
    fill(form)
    form.submit.click()
    assert form.saved in form.children and form.editing not in form.children
    assert form.saved_line.value == EN("topic.saved_headline", headline="Late handovers")
    # The page again (a reload): the saved topic, read back from the store.
    form.close()
    form = form_of(store)
    assert form.saved in form.children
    assert form.headline.value == ""
    form.edit.click()
    assert form.editing in form.children
    assert typed(form) == {
        "headline": "Late handovers",
        "context": "My team hands over late.",
        "tried": "A checklist.",
        "help": "Help me see what I miss.",
    }
    assert {i: form.answers[i].value for i in CHECKLIST} == dict.fromkeys(CHECKLIST, True)
    form.headline.value = "Handovers, again"
    form.submit.click()
    assert [t.headline for t in store.topics("s", private=False)] == ["Handovers, again"]
    form.withdraw.click()
    assert form.message.value == EN("topic.withdrawn")
    assert form.editing in form.children and typed(form)["headline"] == ""
    assert store.topics("s", private=True) == []
    form.close()


def test_a_page_that_does_not_speak_for_the_name_is_refused_in_words(store: SQLiteStore) -> None:
    bruno = form_of(store)
    fill(bruno)
    bruno.submit.click()
    other = form_of(store, page="another-page")
    assert other.editing in other.children  # not Bruno's page: his topic is not read back
    fill(other, "Someone else's")
    other.submit.click()
    assert other.message.value == EN("voice.spoke_elsewhere", name="Bruno")
    assert typed(other)["headline"] == "Someone else's"
    assert [t.headline for t in store.topics("s", private=True)] == ["Late handovers"]
    bruno.close()
    other.close()


def test_a_store_away_says_so_and_keeps_the_text() -> None:
    session = Session(BOOK, session_id="x")

    def away(topic: Topic) -> Topic:
        raise UnreachableError("the store is away")

    form = TopicForm(
        session, Texts(BOOK, "fr"), "Ana", Preparing(away, lambda: False, lambda: None)
    )
    fill(form)
    form.submit.click()
    assert form.message.value == Translator("fr")("topic.unreachable")
    assert typed(form)["headline"] == "Late handovers" and form.editing in form.children
    form.close()


def test_the_start_replaces_the_form_with_one_line(store: SQLiteStore) -> None:
    form = form_of(store)
    fill(form)
    store.execute("s", Command("start"))
    # Saved just after the start, before the page heard of it: refused in words, the boxes
    # kept as typed.
    form.submit.click()
    assert form.message.value == EN("topic.err.started")
    assert typed(form)["headline"] == "Late handovers" and form.editing in form.children
    assert store.topics("s", private=True) == []
    # The page hears of the start (its link applies the stored state): one line instead.
    loaded = store.load("s", private=False)
    assert loaded is not None
    form.session.apply_state(loaded.state)
    assert list(form.children) == [form.closed]
    assert form.closed.value == EN("topic.closed")
    form.close()
    # A page opened after the start: the line only.
    form = form_of(store, page="p2")
    assert list(form.children) == [form.closed]
    form.close()


def test_a_page_without_a_name_asks_who_first(store: SQLiteStore) -> None:
    form = form_of(store, name=None)
    assert form.needs_name in form.children and form.editing not in form.children
    form.submit.click()  # a crafted click: nothing asked of the store, nothing said
    assert store.topics("s", private=True) == [] and form.message.value == ""
    form.close()


def test_typing_kept_by_the_browser_comes_back_after_a_reload(store: SQLiteStore) -> None:
    keeper = TypingKeeper("codev-kept:s:Bruno")
    form = form_of(store, keeper=keeper)
    assert "codev-keep--topic.headline" in form.headline._dom_classes
    keeper.kept({topic_box("headline"): "Late handovers", topic_box("help"): "Some help"})
    assert typed(form)["headline"] == "Late handovers" and typed(form)["help"] == "Some help"
    sent: list[object] = []
    keeper.send = sent.append  # type: ignore[method-assign]
    fill(form)
    form.submit.click()
    # Saved: the browser forgets its copies.
    assert {"type": "stored", "box": "topic.headline", "text": "Late handovers"} in sent
    form.close()
    keeper.close()


def test_unsaved_edits_of_a_saved_topic_come_back_over_it(store: SQLiteStore) -> None:
    form = form_of(store)
    fill(form)
    form.submit.click()
    form.close()
    keeper = TypingKeeper("codev-kept:s:Bruno")
    form = form_of(store, keeper=keeper)
    keeper.kept({topic_box("context"): "Edited, not saved"})
    assert form.editing in form.children
    assert typed(form)["headline"] == "Late handovers"
    assert typed(form)["context"] == "Edited, not saved"
    form.close()
    keeper.close()


def _all(widget: widgets.Widget) -> Iterator[widgets.Widget]:
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _all(child)


def test_refused_error_names_are_said() -> None:
    session = Session(BOOK, session_id="x")

    def refused(topic: Topic) -> Topic:
        raise RefusedError("voice.page_spoke", "Ana")

    form = TopicForm(
        session, Texts(BOOK, "de"), "Bo", Preparing(refused, lambda: False, lambda: None)
    )
    fill(form)
    form.submit.click()
    assert form.message.value == Translator("de")("voice.page_spoke", name="Ana")
    form.close()
