"""A file's download in the browser, started by the kernel once the file is made.

A page cannot ask the browser to save a file it has not got: the kernel sends the bytes in one
message (a binary buffer: no base64, no state kept in the widget), and the browser saves them
at once (``download.js``), then keeps a link to them for a second copy. One click on the
console's PDF button is enough: the record is made, then its download starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anywidget

__all__ = ["Download"]


class Download(anywidget.AnyWidget):
    """Starts the download of ``content`` as ``name`` in the page's browser.

    Examples
    --------
    >>> download = Download()  # doctest: +SKIP
    >>> download.offer("record.pdf", "application/pdf", b"%PDF-1.7 ...", "Download record.pdf")
    >>> download.offered[0]  # doctest: +SKIP
    'record.pdf'
    """

    _esm = Path(__file__).with_name("download.js")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # The last file offered (name, media type, content), for tests and notebooks.
        self.offered: tuple[str, str, bytes] | None = None

    def __repr__(self) -> str:
        # Cheap on purpose: printing a widget must not serialise its state.
        return "Download()"

    def offer(self, name: str, media: str, content: bytes, label: str) -> None:
        """Have the browser save ``content`` as ``name`` now, and show ``label`` as a link
        to save it again."""
        self.offered = (name, media, content)
        self.send({"type": "offer", "name": name, "media": media, "label": label}, [content])

    def clear(self) -> None:
        """Take the link away (the file could not be made again)."""
        self.offered = None
        self.send({"type": "clear"})
