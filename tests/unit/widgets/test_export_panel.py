"""The console's export panel: one click makes the record and starts its download."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from codevwidgets.core.roster import load_roster
from codevwidgets.core.session import Session
from codevwidgets.demo import DEMO_ROSTER
from codevwidgets.widgets._view import Texts
from codevwidgets.widgets.console import FacilitatorConsole
from codevwidgets.widgets.export import ExportPanel, human_size


def at_once(job: object) -> None:
    job()  # type: ignore[operator]


def panel(session: Session, make: object, language: str = "en") -> ExportPanel:
    p = ExportPanel(Texts(session.runbook, language), make, run=at_once)  # type: ignore[arg-type]
    kept: list[tuple[dict[str, Any], list[bytes]]] = []
    # What the kernel sends the page's download widget (its comm has no kernel in a test).
    p.link.comm.send = lambda data, buffers=None, **_: kept.append(
        (data["content"], list(buffers or []))
    )
    p.sent = kept
    return p


def sent(p: ExportPanel) -> list[tuple[dict[str, Any], list[bytes]]]:
    """The messages the panel's download widget sent to the page (kept by ``panel``)."""
    messages: list[tuple[dict[str, Any], list[bytes]]] = p.sent
    return messages


def download(p: ExportPanel) -> tuple[str, bytes]:
    """The media type and the bytes of the file whose download the page was last told to
    start (one message, the bytes as its one binary buffer)."""
    message, buffers = sent(p)[-1]
    assert message["type"] == "offer", message
    assert len(buffers) == 1 and p.link.offered is not None
    assert (message["name"], message["media"], buffers[0]) == p.link.offered
    return message["media"], bytes(buffers[0])


def test_one_pdf_click_sends_the_record_to_download(session: Session, tmp_path: Path) -> None:
    from codevwidgets.record.export import file_name, render
    from codevwidgets.record.model import build_record
    from codevwidgets.store.sqlite import SQLiteStore

    session.start()
    session.notes["synthesis"] = {"objective": "Meet each team lead by Friday"}
    with SQLiteStore(tmp_path / "store.db") as store:
        secrets = store.create(session, "classic", "en")

        def make(fmt: str) -> tuple[str, bytes]:
            record = build_record(store, secrets.session_id)
            return file_name(record, fmt), render(record, fmt)  # type: ignore[arg-type]

        p = panel(session, make)
        p.buttons["pdf"].click()
    media, content = download(p)
    assert media == "application/pdf"
    assert content.startswith(b"%PDF")
    message = sent(p)[-1][0]
    assert message["name"].endswith(f"-{secrets.session_id}.pdf")
    assert message["label"] == f"Download {message['name']}"  # the link kept for another copy
    assert re.fullmatch(r"Ready \(\d+ KB\)\.", p.status.value)
    assert not any(b.disabled for b in p.buttons.values())


def test_each_format_has_its_media_type(session: Session) -> None:
    p = panel(session, lambda fmt: (f"record.{fmt}", b"# Record\n"))
    for fmt, media in [("html", "text/html"), ("md", "text/markdown"), ("pdf", "application/pdf")]:
        p.click(fmt)
        assert download(p) == (media, b"# Record\n")
        assert sent(p)[-1][0]["name"] == f"record.{fmt}"
    with pytest.raises(ValueError, match="unknown format"):
        p.click("docx")


def test_the_file_name_goes_as_text_never_markup(session: Session) -> None:
    hostile = 'codev-"><img src=x onerror=alert(1)>&.pdf'
    p = panel(session, lambda fmt: (hostile, b"%PDF-1.7"))
    p.click("pdf")
    # As data in a message: the page sets it as the link's properties (download.js), and no
    # widget of the panel holds markup made from it.
    assert sent(p)[-1][0]["name"] == hostile
    assert not any("<img" in str(w.get_state().get("value", "")) for w in p.children)
    assert p.status.value == "Ready (8 B)."


def test_a_failing_make_shows_the_message_and_logs_it(
    session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(fmt: str) -> tuple[str, bytes]:
        raise OSError("cannot load library 'libpango-1.0-0'\nmore lines")

    p = panel(session, lambda fmt: ("ok.md", b"ok"))
    p.click("md")
    p.make = broken
    p.click("pdf")
    assert p.status.value == ("The record could not be made: cannot load library 'libpango-1.0-0'")
    assert "codev-error" in p.status._dom_classes
    assert "Traceback" not in p.status.value
    assert p.link.offered is None and sent(p)[-1][0] == {"type": "clear"}
    assert not any(b.disabled for b in p.buttons.values())
    assert "could not be made" in caplog.text and "libpango" in caplog.text
    p.make = lambda fmt: ("ok.md", b"ok")
    p.click("md")
    assert "codev-error" not in p.status._dom_classes


def test_french_labels(session: Session) -> None:
    p = panel(session, lambda fmt: ("r.pdf", b"%PDF"), "fr")
    p.click("pdf")
    assert p.children[0].value == "Compte rendu"
    assert p.status.value == "Prêt (4 o)."
    assert sent(p)[-1][0]["label"] == "Télécharger r.pdf"


def test_buttons_wait_while_a_record_is_made(session: Session) -> None:
    jobs: list[object] = []
    calls: list[str] = []

    def make(fmt: str) -> tuple[str, bytes]:
        calls.append(fmt)
        return "r." + fmt, b"x"

    p = ExportPanel(Texts(session.runbook, "en"), make, run=jobs.append)
    p.click("pdf")
    assert all(b.disabled for b in p.buttons.values())
    assert p.status.value == "Making the PDF…"  # said at once: nobody clicks again or leaves
    p.click("html")  # while the PDF is being made: nothing more
    assert len(jobs) == 1
    jobs[0]()  # type: ignore[operator]
    assert calls == ["pdf"]
    assert not any(b.disabled for b in p.buttons.values())


def test_the_default_makes_it_in_a_thread(session: Session) -> None:
    import threading

    done = threading.Event()
    seen: list[str] = []

    def make(fmt: str) -> tuple[str, bytes]:
        seen.append(threading.current_thread().name)
        done.set()
        return "r.md", b"x"

    p = ExportPanel(Texts(session.runbook, "en"), make)
    p.click("md")
    assert done.wait(10)
    assert seen == ["codev-export"]


def test_sizes() -> None:
    assert [human_size(n) for n in (0, 999, 48_213, 999_499, 1_250_000)] == [
        "0 B",
        "999 B",
        "48 KB",
        "999 KB",
        "1.2 MB",
    ]


def test_the_console_shows_the_panel_only_with_an_export(session: Session) -> None:
    roster = load_roster(DEMO_ROSTER)
    made: list[str] = []

    def make(fmt: str) -> tuple[str, bytes]:
        made.append(fmt)
        return "r." + fmt, b"x"

    console = FacilitatorConsole(session.runbook, roster, session=session, export=make)
    try:
        assert isinstance(console.export, ExportPanel)
        column = console.children[-1].children[2]  # notes, contributions, the record
        assert console.export in column.children
        console.export.run = at_once
        console.export.buttons["md"].click()
        assert made == ["md"]
    finally:
        console.close()
    plain = FacilitatorConsole(session.runbook, roster, session=session)
    try:
        assert plain.export is None
    finally:
        plain.close()


def test_the_console_pages_load_no_record_module_before_a_click() -> None:
    code = (
        "import sys, codevwidgets.pages.session, codevwidgets.widgets.console;"
        "print([m for m in ('codevwidgets.record.export', 'codevwidgets.record.model',"
        " 'matplotlib', 'weasyprint', 'jinja2') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout
