"""What a person types, kept in their browser until the kernel has stored it.

A page's kernel may die under it (killed, restarted by the server): keystrokes then go
nowhere, and a reload starts a new, empty kernel. So the browser (``keeper.js``) copies each
box marked ``keep_classes(box)`` into the tab's ``sessionStorage`` as it is typed in, forgets
an entry once the kernel says it stored that very text (``stored``), notices a dead kernel at
once (its status, the connection's, or no answer to a keystroke's ping) and says so under
the boxes; after a reload it tells the new kernel what it still holds (``{"type": "kept",
"boxes": {box: text}}``), and each view puts its boxes' text back (``on_kept``).

The message comes from a page (a participant's too) and is not trusted: only strings, only
so many, only so long; each view takes only the boxes it has.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from codevwidgets.core.i18n import Translator

__all__ = ["CONTRIBUTION", "Kept", "TypingKeeper", "keep_classes", "note_box"]

HERE = Path(__file__).parent

CONTRIBUTION = "contribution"
"""The box of a participant's contribution (one a page)."""
MAX_BOXES = 64  # a console's note fields of a whole runbook, with room to spare
MAX_BOX_KEY = 200
MAX_KEPT_TEXT = 100_000  # longer is no note nor contribution any step accepts: not taken

Kept = Callable[[dict[str, str]], None]
"""``kept(boxes)``: what the browser still held after a reload, by box, checked."""


def note_box(step_id: str, field_id: str) -> str:
    """The box of a console's note field (ids have no dot: the key is unique)."""
    return f"note.{step_id}.{field_id}"


def keep_classes(box: str) -> tuple[str, str]:
    """The classes that mark a text widget whose typing the browser keeps, as ``box``."""
    return ("codev-keep", f"codev-keep--{box}")


def checked(boxes: object) -> dict[str, str]:
    """The boxes of a page's ``kept`` message that can be taken: string keys and texts, not
    too many nor too long; anything else is dropped."""
    if not isinstance(boxes, dict):
        return {}
    taken = {
        box: text
        for box, text in boxes.items()
        if isinstance(box, str)
        and isinstance(text, str)
        and 0 < len(box) <= MAX_BOX_KEY
        and len(text) <= MAX_KEPT_TEXT
    }
    return dict(list(taken.items())[:MAX_BOXES])


class TypingKeeper(anywidget.AnyWidget):
    """Keeps the page's typing in the browser under ``key`` (its session and page) until the
    kernel stored it; shows nothing until the page's kernel is lost.

    Examples
    --------
    >>> keeper = TypingKeeper(key="codev-kept:abc:console", language="fr")  # doctest: +SKIP
    >>> keeper.on_kept(lambda boxes: print(boxes))  # doctest: +SKIP
    >>> keeper.kept({"note.presentation.topic": "Mon équipe"})  # doctest: +SKIP
    {'note.presentation.topic': 'Mon équipe'}
    >>> keeper.stored("note.presentation.topic", "Mon équipe")  # doctest: +SKIP
    """

    _esm = HERE / "keeper.js"
    _css = HERE / "keeper.css"

    key = traitlets.Unicode("").tag(sync=True)
    labels = traitlets.Dict().tag(sync=True)

    def __init__(self, key: str, language: str = "en", **kwargs: Any) -> None:
        labels = {"lost": Translator(language)("timer.kept")}
        super().__init__(key=key, labels=labels, **kwargs)
        self._kept: list[Kept] = []
        self.recalled = False  # the browser said what it held (once a page)
        self.on_msg(self._on_message)

    def __repr__(self) -> str:
        # Cheap on purpose: printing a widget must not serialise its state.
        return f"TypingKeeper(key={self.key!r})"

    def on_kept(self, callback: Kept, remove: bool = False) -> None:
        """Call ``callback(boxes)`` when the browser says what typing it still holds."""
        if remove:
            self._kept.remove(callback)
        else:
            self._kept.append(callback)

    def kept(self, boxes: object) -> None:
        """What the browser held (as its message says, or from a test): once per page; a
        second message (a crafted one) is ignored."""
        if self.recalled:
            return
        self.recalled = True
        taken = checked(boxes)
        if taken:
            for callback in list(self._kept):
                callback(taken)

    def stored(self, box: str, text: str) -> None:
        """Tell the browser the kernel stored ``text`` for ``box``: it forgets its copy if it
        is that text (typing since is kept)."""
        self.send({"type": "stored", "box": box, "text": text})

    def _on_message(self, widget: Any, content: Any, buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        if content.get("type") == "ping":
            # A keystroke on a page that has not heard from its kernel for a while: alive.
            self.send({"type": "pong"})
        elif content.get("type") == "kept":
            self.kept(content.get("boxes"))
