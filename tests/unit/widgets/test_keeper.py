"""The browser keeps what is typed until the kernel stored it (``TypingKeeper``): what a page
says it kept is checked, and each view puts back its own boxes' text and says when it is
stored. The browser's side (``keeper.js``) is seen working in tests/browser/test_dead_kernel.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import load_preset, load_runbook
from codevwidgets.core.session import Session
from codevwidgets.widgets._view import Texts
from codevwidgets.widgets.keeper import (
    MAX_BOXES,
    MAX_KEPT_TEXT,
    TypingKeeper,
    keep_classes,
    note_box,
)
from codevwidgets.widgets.notes import NotesPanel

TOPIC = note_box("presentation", "topic")


def sending(keeper: TypingKeeper) -> list[Any]:
    """What ``keeper`` sends its page, from now on."""
    sent: list[Any] = []
    keeper.send = lambda content, buffers=None: sent.append(content)  # type: ignore[method-assign]
    return sent


def test_a_ping_is_answered_and_what_the_page_kept_is_told_once() -> None:
    keeper = TypingKeeper("codev-kept:s:console", "fr")
    sent = sending(keeper)
    heard: list[dict[str, str]] = []
    keeper.on_kept(heard.append)
    keeper._on_message(keeper, {"type": "ping"}, [])
    assert sent == [{"type": "pong"}]
    keeper._on_message(keeper, {"type": "kept", "boxes": {TOPIC: "Mon équipe"}}, [])
    # A second message (a crafted one) is not taken.
    keeper._on_message(keeper, {"type": "kept", "boxes": {TOPIC: "Autre chose"}}, [])
    assert heard == [{TOPIC: "Mon équipe"}]
    assert keeper.labels["lost"].startswith("Connexion perdue")
    keeper.stored(TOPIC, "Mon équipe")
    assert sent[-1] == {"type": "stored", "box": TOPIC, "text": "Mon équipe"}
    keeper.close()


@pytest.mark.parametrize(
    ("boxes", "taken"),
    [
        (None, {}),
        (["a"], {}),
        ({TOPIC: 3, "": "x", 4: "y", "x" * 201: "z"}, {}),
        ({TOPIC: "x" * (MAX_KEPT_TEXT + 1), "contribution": "ok"}, {"contribution": "ok"}),
        ({f"b{n}": "t" for n in range(MAX_BOXES + 5)}, {f"b{n}": "t" for n in range(MAX_BOXES)}),
    ],
)
def test_a_crafted_kept_message_gives_only_strings_so_many_so_long(
    boxes: object, taken: dict[str, str]
) -> None:
    keeper = TypingKeeper("k")
    heard: list[dict[str, str]] = []
    keeper.on_kept(heard.append)
    keeper.kept(boxes)
    assert heard == ([taken] if taken else [])
    keeper.close()


def test_each_note_box_is_kept_and_said_stored_as_typed(session: Session) -> None:
    keeper = TypingKeeper("k")
    sent = sending(keeper)
    panel = NotesPanel(session, Texts(session.runbook, "en"), keeper=keeper)
    session.start()
    topic = panel.fields["topic"]
    assert set(keep_classes(TOPIC)) <= set(topic._dom_classes)
    topic.value = "Reorg"
    topic.value = "Reorganising"
    assert sent == [
        {"type": "stored", "box": TOPIC, "text": "Reorg"},
        {"type": "stored", "box": TOPIC, "text": "Reorganising"},
    ]
    panel.close()
    keeper.close()


def test_notes_kept_in_the_browser_are_put_back_and_stored(session: Session) -> None:
    """Typed while the kernel was gone, in this step and an earlier one: after the reload the
    boxes show it and the store has it (the last keystroke wins); anything else is ignored."""
    keeper = TypingKeeper("k")
    sent = sending(keeper)
    panel = NotesPanel(session, Texts(session.runbook, "en"), keeper=keeper)
    session.start()
    panel.fields["topic"].value = "Reorg"
    session.go_to(2)
    contract = note_box("contract", "contract")
    sent.clear()
    keeper.kept(
        {
            TOPIC: "Reorganising my team\nsince March",
            contract: "Help me choose",
            note_box("presentation", "nope"): "not a field",
            "contribution": "not a note",
        }
    )
    assert session.notes["presentation"]["topic"] == "Reorganising my team\nsince March"
    assert session.notes["contract"]["contract"] == "Help me choose"
    assert panel.fields["contract"].value == "Help me choose"
    assert {m["box"] for m in sent} == {TOPIC, contract}
    session.go_to(0)
    assert panel.fields["topic"].value == "Reorganising my team\nsince March"
    panel.close()
    keeper.close()


def test_a_kept_note_the_store_already_has_is_said_stored(session: Session) -> None:
    keeper = TypingKeeper("k")
    sent = sending(keeper)
    panel = NotesPanel(session, Texts(session.runbook, "en"), keeper=keeper)
    session.start()
    panel.fields["topic"].value = "Reorg"
    sent.clear()
    keeper.kept({TOPIC: "Reorg"})
    assert sent == [{"type": "stored", "box": TOPIC, "text": "Reorg"}]
    panel.close()
    keeper.close()


def test_a_choice_field_is_not_kept(tmp_path: Path) -> None:
    """A click is no typing: only text boxes are kept; a kept entry naming a choice field
    (a crafted message) is ignored."""
    path = tmp_path / "followup.yaml"
    path.write_text("extends: classic\nsteps:\n  - {id: followup, before: presentation}\n")
    book = load_runbook(path)
    session = Session(book, Roles("Ana", "Bruno", ("Chloé", "David")))
    keeper = TypingKeeper("k")
    panel = NotesPanel(session, Texts(book, "en"), keeper=keeper)
    session.start()
    step = session.current_step.id
    keeper.kept({note_box(step, "outcome"): "done"})
    assert session.notes.get(step, {}).get("outcome", "") == ""
    assert "codev-keep" not in panel.choices[step, "outcome"].area._dom_classes
    panel.close()
    keeper.close()


def test_the_classic_runbook_has_text_fields_to_keep() -> None:
    assert any(note.choices is None for step in load_preset("classic").steps for note in step.notes)
