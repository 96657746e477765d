"""Saving a runbook draft: whole or not at all, and never over edits made meanwhile."""

from __future__ import annotations

from pathlib import Path

from codevwidgets.authoring.document import DraftError
from codevwidgets.core.files import write_atomically

__all__ = ["save_text"]


def save_text(path: Path, text: str, expected: str | None) -> None:
    """Write ``text`` to ``path`` (its folder made), if the file there still holds
    ``expected``: its text when the draft was opened from it, ``None`` for no file at all.

    Refused (``DraftError``, nothing written) when the file changed on disk since (or appeared
    since a new draft was started): no one's edits are overwritten unseen.
    """
    if _current(path) != expected:
        what = "changed since it was opened" if expected is not None else "already exists"
        raise DraftError(f"{path} {what}: open it again to edit it")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, text)
    except OSError as exc:
        raise DraftError(f"cannot write {path} ({exc.strerror})") from None


def _current(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        return "\0"  # something is there, and it is not a runbook this draft knows
