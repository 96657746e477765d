"""The record shows the client's drift flags with their times: in which step, when raised,
when cleared (by the facilitator, or taken back by the client), or still standing."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command
from codevwidgets.core.i18n import Translator
from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.core.signals import DRIFT
from codevwidgets.record.export import render
from codevwidgets.record.model import DriftRecord, build_record
from codevwidgets.store.sqlite import SQLiteStore

START = 1_800_000_000.0  # 2027-01-15 08:00:00 UTC


def utc(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(START + seconds, dt.UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> Iterator[SQLiteStore]:
    with SQLiteStore(tmp_path / "store.db", clock) as opened:
        yield opened


def flagged(store: SQLiteStore, clock: FakeClock, language: str = "en") -> str:
    """A session whose client flags three drifts: cleared, taken back, left standing."""
    book = load_preset("classic").with_language(language)
    session = Session(book, Roles("Ana", "Farid", ("Bruno", "Chloé")), clock)
    store.create(session, "classic", language)
    store.execute(session.id, Command("start"))
    store.execute(session.id, Command("go_to", {"index": 3}))
    clock.advance(60)
    store.signal(session.id, "ana", "Ana", DRIFT, True)  # at 1:00
    clock.advance(90)
    store.execute(session.id, Command("clear_drift"))  # at 2:30
    clock.advance(30)
    store.signal(session.id, "ana", "Ana", DRIFT, True)  # at 3:00
    clock.advance(10)
    store.signal(session.id, "ana", "Ana", DRIFT, False)  # at 3:10
    clock.advance(50)
    store.signal(session.id, "ana", "Ana", DRIFT, True)  # at 4:00, standing
    return session.id


def test_the_record_has_each_flag_its_step_and_times(store: SQLiteStore, clock: FakeClock) -> None:
    record = build_record(store, flagged(store, clock), clock=clock)
    assert record.drifts == (
        DriftRecord("Consultation", utc(60), utc(150), by_facilitator=True),
        DriftRecord("Consultation", utc(180), utc(190), by_facilitator=False),
        DriftRecord("Consultation", utc(240), None, by_facilitator=False),
    )


def test_markdown_html_and_pdf_show_them(store: SQLiteStore, clock: FakeClock) -> None:
    record = build_record(store, flagged(store, clock), clock=clock)
    t = Translator("en")
    md = render(record, "md").decode()
    assert f"## {t('record.drift')}" in md
    assert "| Consultation | 08:01:00 UTC | 08:02:30 UTC |" in md
    assert "| Consultation | 08:03:00 UTC | 08:03:10 UTC (taken back by the client) |" in md
    assert f"| Consultation | 08:04:00 UTC | {t('record.drift_standing')} |" in md
    page = render(record, "html").decode()
    assert '<section class="drifts">' in page and "08:02:30 UTC" in page
    pdf = pypdf.PdfReader(io.BytesIO(render(record, "pdf")))
    text = " ".join(p.extract_text() for p in pdf.pages)
    assert "08:03:10 UTC" in text


def test_in_french(store: SQLiteStore, clock: FakeClock) -> None:
    record = build_record(store, flagged(store, clock, "fr"), clock=clock)
    md = render(record, "md").decode()
    assert "## Signaux d'écart" in md and "(retiré par le client)" in md


def test_a_session_without_a_flag_has_no_such_section(store: SQLiteStore, clock: FakeClock) -> None:
    session = Session(load_preset("classic"), Roles("Ana", "Farid", ("Bruno", "Chloé")), clock)
    store.create(session, "classic", "en")
    record = build_record(store, session.id, clock=clock)
    assert record.drifts == ()
    assert Translator("en")("record.drift") not in render(record, "md").decode()
