"""The export panel: the session record as PDF, HTML or Markdown, from the console, any time.

The panel never reads the store: the composition root gives it ``make(fmt) -> (file name,
bytes)``. One click makes the file and its download starts (``Download``): the bytes go to
the browser in one message, so it needs no route on the server and no file left on its disk.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import ipywidgets as widgets

from codevwidgets.widgets._view import Texts, literal
from codevwidgets.widgets.download import Download

__all__ = ["FORMATS", "MEDIA_TYPES", "ExportPanel", "Make", "human_size"]

logger = logging.getLogger(__name__)

Make = Callable[[str], tuple[str, bytes]]
"""``make(fmt) -> (file name, content)`` for ``fmt`` in md, html, pdf."""

Run = Callable[[Callable[[], None]], None]
"""How a record is made: in a thread of its own on a page, at once in a test."""

FORMATS = ("pdf", "html", "md")
# The same as codevwidgets.record.export's: repeated so that the console page does not import the
# templates and charts module (jinja2, matplotlib) before a click.
MEDIA_TYPES = {"md": "text/markdown", "html": "text/html", "pdf": "application/pdf"}


def in_thread(job: Callable[[], None]) -> None:
    # A PDF takes seconds (WeasyPrint): the kernel keeps answering the page meanwhile
    # (the countdown's clock, notes typed, the step moved by another console).
    threading.Thread(target=job, name="codev-export", daemon=True).start()


def human_size(size: int, texts: Texts | None = None) -> str:
    """``48213`` → ``48 KB`` (``48 ko`` in French); under a kilobyte in bytes, from a
    megabyte with one decimal."""
    units = (
        ("B", "KB", "MB")
        if texts is None
        else tuple(texts(f"record.unit_{unit}") for unit in ("b", "kb", "mb"))
    )
    if size < 1000:
        return f"{size} {units[0]}"
    if size < 1_000_000:
        return f"{round(size / 1000)} {units[1]}"
    return f"{size / 1_000_000:.1f} {units[2]}"


def reason(exc: Exception) -> str:
    """An exception as one short line for the page (its first line, else its class)."""
    lines = str(exc).strip().splitlines()
    text = lines[0] if lines else type(exc).__name__
    return text if len(text) <= 200 else text[:199] + "…"


class ExportPanel(widgets.VBox):
    """Three buttons (PDF, HTML, Markdown); a click makes the record and its download starts,
    a link staying for another copy.

    Examples
    --------
    >>> panel = ExportPanel(texts, lambda fmt: ("record." + fmt, b"..."), run=lambda job: job())
    >>> panel.click("pdf"); panel.link.offered  # doctest: +SKIP
    ('record.pdf', 'application/pdf', b'...')
    """

    def __init__(self, texts: Texts, make: Make, *, run: Run = in_thread) -> None:
        self.texts, self.make, self.run = texts, make, run
        self.buttons = {
            fmt: widgets.Button(
                description=texts(f"record.export_{fmt}"),
                icon="download",
                layout={"width": "auto"},
            ).add_class(f"codev-export-{fmt}")
            for fmt in FORMATS
        }
        for fmt, button in self.buttons.items():
            button.on_click(lambda _, fmt=fmt: self.click(fmt))
        self.link = Download().add_class("codev-export-link")
        self.status = literal(widgets.Label().add_class("codev-export-status"))
        super().__init__(
            [
                widgets.Label(texts("record.export")).add_class("codev-heading"),
                widgets.HBox(
                    list(self.buttons.values()),
                    layout={"flex_flow": "row wrap", "grid_gap": "0.4rem"},
                ).add_class("codev-export-buttons"),
                self.link,
                self.status,
            ]
        )
        self.add_class("codev-export")

    def __repr__(self) -> str:
        return "ExportPanel()"

    def click(self, fmt: str) -> None:
        """Make the record in ``fmt`` and start its download (or say why it could not be
        made); the buttons wait meanwhile. A click while one is being made does nothing."""
        if fmt not in MEDIA_TYPES:
            raise ValueError(f"unknown format {fmt!r} (use md, html or pdf)")
        if any(button.disabled for button in self.buttons.values()):
            return
        self._busy(True)
        self.status.remove_class("codev-error").add_class("codev-hint")
        # A PDF takes a second or two: say it is coming, so nobody clicks again or leaves.
        self.status.value = self.texts(
            "record.export_making", format=self.texts(f"record.export_{fmt}")
        )
        self.run(lambda: self._make(fmt))

    def _make(self, fmt: str) -> None:
        try:
            try:
                name, content = self.make(fmt)
            except Exception as exc:  # whatever went wrong, a line on the page, never a traceback
                logger.exception("the session record (%s) could not be made", fmt)
                self._failed(exc)
                return
            self._ready(fmt, name, content)
        finally:
            self._busy(False)

    def _ready(self, fmt: str, name: str, content: bytes) -> None:
        label = self.texts("record.download", name=name)
        self.link.offer(name, MEDIA_TYPES[fmt], content, label)
        self.status.add_class("codev-hint")
        self.status.value = self.texts(
            "record.export_ready", name=name, size=human_size(len(content), self.texts)
        )

    def _failed(self, exc: Exception) -> None:
        self.link.clear()  # no stale link to the previous file
        self.status.value = self.texts("record.export_failed", reason=reason(exc))
        self.status.remove_class("codev-hint").add_class("codev-error")

    def _busy(self, busy: bool) -> None:
        for button in self.buttons.values():
            button.disabled = busy
