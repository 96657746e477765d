"""Text a person types, as the kit keeps it: any character but NUL.

No keyboard types a NUL, but a crafted request may send one, and the engines disagree about it:
PostgreSQL's text cannot hold it, SQLite's can. Refused here, once, a session of one kernel and
every store refuse the same text.
"""

from __future__ import annotations

__all__ = ["without_nul"]


def without_nul(text: str, what: str) -> str:
    """``text`` itself, or ``ValueError`` if it holds a NUL character (``what``: "a note", …)."""
    if "\x00" in text:
        raise ValueError(f"{what} cannot hold a NUL character")
    return text
