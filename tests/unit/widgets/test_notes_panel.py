"""Notes are written into the session on every change, and come back with the step."""

from __future__ import annotations

import datetime as dt

import ipywidgets as widgets
import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.session import Session
from codevwidgets.widgets._view import Texts
from codevwidgets.widgets.notes import NotesPanel


def test_each_keystroke_is_stored_and_comes_back(session: Session, clock: FakeClock) -> None:
    panel = NotesPanel(session, Texts(session.runbook, "en"))
    session.start()
    assert list(panel.fields) == ["topic", "question", "headline"]
    panel.fields["topic"].value = "Reorg"
    assert session.notes["presentation"]["topic"] == "Reorg"
    panel.fields["topic"].value = "Reorganising my team"
    assert session.notes["presentation"]["topic"] == "Reorganising my team"
    session.go_to(2)
    assert list(panel.fields) == ["contract"]
    panel.fields["contract"].value = "In this session I'd like you to help me…"
    session.go_to(0)
    assert panel.fields["topic"].value == "Reorganising my team"
    session.go_to(4)
    assert list(panel.fields) == ["objective", "actions", "resources", "date"]
    assert session.notes["contract"]["contract"].startswith("In this session")


def test_labels_in_french(session: Session) -> None:
    panel = NotesPanel(session, Texts(session.runbook, "fr"))
    assert panel.labels["headline"] == "Titre en une ligne"


def test_too_long_note_is_marked_not_lost(session: Session) -> None:
    panel = NotesPanel(session, Texts(session.runbook, "en"))
    panel.fields["topic"].value = "x" * 10_001
    assert "codev-error" in panel.fields["topic"]._dom_classes
    assert panel.fields["topic"].value == "x" * 10_001


def test_a_keystroke_while_the_watcher_puts_stored_text_in_is_still_saved(
    session: Session,
) -> None:
    import threading

    panel = NotesPanel(session, Texts(session.runbook, "en"))
    inside, release = threading.Event(), threading.Event()

    def watcher_busy() -> None:  # the store's watcher thread, putting another console's text in
        with panel._echo():
            inside.set()
            release.wait(timeout=10)

    thread = threading.Thread(target=watcher_busy)
    thread.start()
    assert inside.wait(timeout=10)
    panel.fields["topic"].value = "Typed meanwhile"  # the widgets' thread: a keystroke
    release.set()
    thread.join(timeout=10)
    assert session.notes["presentation"]["topic"] == "Typed meanwhile"


def test_the_action_plan_date_is_picked_and_stored_as_an_iso_date(session: Session) -> None:
    panel = NotesPanel(session, Texts(session.runbook, "en"))
    session.start()
    session.go_to(4)  # synthesis: the action plan
    assert isinstance(panel.fields["date"], widgets.DatePicker)
    panel.fields["objective"].value = "Delegate the weekly report"
    panel.fields["date"].value = dt.date(2027, 3, 1)
    assert session.notes["synthesis"]["date"] == "2027-03-01"
    # What the browser holds is no date (a day typed half-way): "" is stored, the rest stays.
    panel.fields["date"].value = None
    assert session.notes["synthesis"] == {"objective": "Delegate the weekly report", "date": ""}


def test_a_stored_date_comes_back_in_the_picker(session: Session) -> None:
    panel = NotesPanel(session, Texts(session.runbook, "en"))
    session.set_note("synthesis", "date", "2027-03-01")  # another console's pick
    session.start()
    session.go_to(4)
    assert panel.fields["date"].value == dt.date(2027, 3, 1)


def test_a_date_field_refuses_text_that_is_no_date(session: Session) -> None:
    with pytest.raises(ValueError, match="date"):
        session.set_note("synthesis", "date", "end of May")
    with pytest.raises(ValueError, match="date"):
        session.set_note("synthesis", "date", "20270301")  # an ISO form, not the stored one
    session.set_note("synthesis", "date", "")
