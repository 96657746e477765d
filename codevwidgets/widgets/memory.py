"""The participant page's memory in its browser: its id and the name it joined under.

A kernel cannot set a page's query string, and a reload starts a new kernel: the browser
keeps who the page is, under a key per session, and tells each new kernel at load
(``{"type": "recall", "tab", "device"}``): what the tab kept (``sessionStorage``: its page
id, its name and the link's name it came with; two tabs are two pages), and what the device
kept (``localStorage``: its last name and the page id it had under each name, for the link
opened again in a new tab). The message comes from a page and is not trusted: the page checks
every value (``joining.page_id``, ``joining.joinable``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import anywidget
import traitlets

__all__ = ["PageMemory", "Recall"]

Recall = Callable[[object, object], None]
"""``recall(tab, device)``: what the browser remembers, unchecked (None: nothing): the tab's
``{"page", "name", "link"}``, the device's ``{"name", "pages"}``."""


class PageMemory(anywidget.AnyWidget):
    """Remembers ``kept`` (``{"page": id, "name": name or None, "link": the link's name}``) in
    the browser under ``key``; calls the ``on_recall`` callbacks once the browser says what it
    remembered.

    Examples
    --------
    >>> memory = PageMemory(key="codev-join:abc")  # doctest: +SKIP
    >>> memory.on_recall(lambda tab, device: print(tab, device))  # doctest: +SKIP
    >>> memory.recall(None, None)  # what a browser remembering nothing sends  # doctest: +SKIP
    None None
    """

    _esm = Path(__file__).with_name("memory.js")

    key = traitlets.Unicode("").tag(sync=True)
    kept = traitlets.Dict().tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._recall: list[Recall] = []
        self.recalled = False  # the browser answered (a page asks nothing before)
        self.on_msg(self._on_message)

    def __repr__(self) -> str:
        # Cheap on purpose: printing a widget must not serialise its state.
        return f"PageMemory(key={self.key!r})"

    def on_recall(self, callback: Recall, remove: bool = False) -> None:
        """Call ``callback(tab, device)`` when the browser says what it remembers."""
        if remove:
            self._recall.remove(callback)
        else:
            self._recall.append(callback)

    def recall(self, tab: object = None, device: object = None) -> None:
        """What the browser remembers (as its message says, or from a test): once per page;
        a second message (a crafted one) is ignored."""
        if self.recalled:
            return
        self.recalled = True
        for callback in list(self._recall):
            callback(tab, device)

    def keep(self, page: str, name: str | None, link: str | None = None) -> None:
        """Have the browser remember this page as ``page`` joined under ``name``, opened from a
        link naming ``link``."""
        self.kept = {"page": page, "name": name, "link": link}

    def _on_message(self, widget: Any, content: Any, buffers: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "recall":
            self.recall(content.get("tab"), content.get("device"))
