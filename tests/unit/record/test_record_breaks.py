"""The breaks in the record: when and how long, beside the steps' minutes (which never count
them), in Markdown, HTML and PDF; a record without breaks says nothing of them."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace
from pathlib import Path

import pypdf
import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command
from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.record.export import render
from codevwidgets.record.model import BreakTaken, build_record
from codevwidgets.store.sqlite import SQLiteStore


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> SQLiteStore:
    return SQLiteStore(tmp_path / "s.db", clock)


def held(store: SQLiteStore, clock: FakeClock, breaks: bool = True, language: str = "en") -> str:
    book = load_preset("flash").with_language(language)
    if breaks:
        book = replace(book, break_after_minutes=10, break_minutes=5)
    session = Session(book, Roles("Ana", "Farid", ("Bruno", "Chloé")), clock)
    store.create(session, "flash", language)
    sid = session.id

    def run(name: str, **args: object) -> None:
        store.execute(sid, Command(name, args))

    run("start")
    for step in [s.id for s in book.steps][:-1]:
        clock.advance(6 * 60)
        run("next", step=step)
        if breaks and step == "clarification":
            run("take_break")  # 12 minutes worked: the break at 08:12
            clock.advance(3 * 60)
            run("end_break")  # back after 3 minutes
    clock.advance(60)
    run("finish", step=book.steps[-1].id)
    return sid


def test_the_record_lists_each_break_and_its_length(store: SQLiteStore, clock: FakeClock) -> None:
    start = clock()
    record = build_record(store, held(store, clock))
    at = dt.datetime.fromtimestamp(start + 12 * 60, dt.UTC)
    assert record.breaks == (BreakTaken(at, 3.0),)
    # The contract's minutes are its own: the break after its start is not in them.
    assert {t.step_id: t.actual for t in record.timings}["contract"] == 6
    markdown = render(record, "md").decode()
    assert "Breaks (not counted in the steps' minutes)" in markdown
    assert f"| {at:%H:%M} UTC | 3 |" in markdown
    page = render(record, "html").decode()
    assert f"<td>{at:%H:%M} UTC</td><td>3</td>" in page
    pdf = pypdf.PdfReader(io.BytesIO(render(record, "pdf")))
    assert "Breaks" in "".join(p.extract_text() for p in pdf.pages)


def test_in_the_records_language(store: SQLiteStore, clock: FakeClock) -> None:
    record = build_record(store, held(store, clock, language="fr"))
    assert "Pauses (non comptées dans les minutes des étapes)" in render(record, "md").decode()


def test_a_session_without_breaks_says_nothing_of_them(
    store: SQLiteStore, clock: FakeClock
) -> None:
    record = build_record(store, held(store, clock, breaks=False))
    assert record.breaks == ()
    assert "Breaks" not in render(record, "md").decode()
