"""Notes are written into the session on every change, and come back with the step."""

from __future__ import annotations

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
