"""The group's choice in the record: the chosen topic and the counts (never who, never the
other topics' headlines), in every format; the chosen topic's preparation in the client's
record only; a topic not chosen reaches no record."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command
from codevwidgets.core.roles import Roles
from codevwidgets.core.roster import Member, Roster
from codevwidgets.core.runbook import load_runbook
from codevwidgets.core.session import Session
from codevwidgets.core.topics import CHECKLIST, TOPIC_CHOICE, admit_topic
from codevwidgets.record.export import render
from codevwidgets.record.model import SessionRecord, build_record
from codevwidgets.store.sqlite import SQLiteStore

GROUP = ("Ana", "Bruno", "Chloé", "David")
ROSTER = Roster(group="Team", facilitator="rotate", members=[Member(name=n) for n in GROUP])
YES = dict.fromkeys(CHECKLIST, True)


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> SQLiteStore:
    book = tmp_path / "choosing.yaml"
    book.write_text(
        "extends: classic\nsteps:\n  - {id: topic_choice, before: presentation}\n",
        encoding="utf-8",
    )
    opened = SQLiteStore(tmp_path / "store.db", clock)
    roles = Roles("Ana", "Farid", ("Bruno", "Chloé", "David"))
    opened.create(Session(load_runbook(book), roles, session_id="s"), str(book), "en", ROSTER)
    mine = admit_topic("Bruno", "Late handovers", "Night zebra shift", "Asked twice", "Ideas", YES)
    opened.save_topic("s", "p-bruno", mine)
    other = admit_topic("Chloé", "Quokka budgets", "Wombat context", "Tried koalas", "Help", YES)
    opened.save_topic("s", "p-chloe", other)
    opened.execute("s", Command("start"))
    for voter, author in (("David", "Bruno"), ("David", "Bruno"), ("Ana", "Chloé")):
        opened.give_dot("s", f"p-{voter}", voter, author, True)
    args = {"author": "Bruno", "headline": "Late handovers", "context": "Night zebra shift",
            "help": "Ideas", "tally": opened.dot_tally("s"), "step": TOPIC_CHOICE}  # fmt: skip
    opened.execute("s", Command("choose_topic", args))
    return opened


def text_of(record: SessionRecord, fmt: str) -> str:
    if fmt != "pdf":
        return render(record, fmt).decode("utf-8")  # type: ignore[arg-type]
    pages = pypdf.PdfReader(io.BytesIO(render(record, "pdf"))).pages
    return " ".join(" ".join(p.extract_text().split()) for p in pages)


@pytest.mark.parametrize("fmt", ["md", "html", "pdf"])
def test_the_choice_and_the_counts_in_every_format_never_another_topic(
    store: SQLiteStore, fmt: str
) -> None:
    group = text_of(build_record(store, "s"), fmt)
    assert "The topic chosen by the group" in group
    assert "Late handovers (Bruno): 2 dots" in group
    assert "stay with their authors): 1 dots" in group
    assert "Asked twice" not in group  # the preparation: the client's record only
    client = text_of(build_record(store, "s", for_client=True), fmt)
    assert "preparation (in the client" in client and "Asked twice" in client
    for text in (group, client):
        assert all(word not in text for word in ("Quokka", "Wombat", "koalas"))


def test_with_no_names_the_author_is_their_role_and_older_records_have_no_choice(
    store: SQLiteStore,
) -> None:
    record = build_record(store, "s", names=False)
    assert record.topic_chosen is not None and "(Bruno)" in record.topic_chosen.line
    roles = Roles("Ana", "Farid", ("Bruno", "Chloé"))
    stored = store.load("s", private=True)
    assert stored is not None
    store.create(Session(stored.runbook, roles, session_id="t"), "x", "en", ROSTER)
    assert build_record(store, "t").topic_chosen is None


def test_the_record_handed_to_the_client_has_the_preparation_the_anonymous_one_not(
    store: SQLiteStore, tmp_path: Path
) -> None:
    """``codev export`` and the console's record panel make the record the facilitator hands
    to the client: with the chosen topic's preparation; ``--no-names`` (a record that may go
    further) without it."""
    from codevwidgets.cli import main
    from codevwidgets.pages.session import _record

    where = str(tmp_path / "store.db")
    assert main(["export", "s", "--format", "md", "--store", where, "-o", str(tmp_path)]) == 0
    (handed,) = tmp_path.glob("*.md")
    assert "Asked twice" in handed.read_text(encoding="utf-8")
    anonymous = tmp_path / "anonymous.md"
    command = ["export", "s", "--format", "md", "--store", where, "--no-names"]
    assert main([*command, "-o", str(anonymous)]) == 0
    assert "Asked twice" not in anonymous.read_text(encoding="utf-8")
    _, console = _record(store, "s", "md")
    assert "Asked twice" in console.decode("utf-8")
