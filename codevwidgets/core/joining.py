"""Personal join: who a participant page is, and the rules that follow from it. Pure Python.

A participant link without ``&name=`` first asks "who are you?": a name from the session's
roster (its members' names, nothing else of them), or a free name when the session has no
roster. The page remembers the answer in the browser (see ``widgets/memory.py``) together with
its own id, so a reload comes back as the same person and the same page. The console shows a
name claimed by several pages at once, and counts one evaluation per person.

>>> joinable("  chloé ", ("Ana", "Chloé"))
'Chloé'
>>> joinable("Zoé", ("Ana", "Chloé")) is None
True
>>> joinable("  Zoé   Martin ", ())
'Zoé Martin'
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from codevwidgets.core.limits import MAX_NAME
from codevwidgets.core.roster import name_key
from codevwidgets.core.signals import Signal, present
from codevwidgets.core.text import name_problem

__all__ = [
    "MAX_JOIN_NAME",
    "Visitor",
    "clean_name",
    "fold_join_links",
    "joinable",
    "new_page_id",
    "page_id",
    "pages_per_name",
    "person_key",
]

# The store's limit for any name (an author, a signal's sender), a roster's too.
MAX_JOIN_NAME = MAX_NAME
# What ``new_page_id`` makes: 8 random bytes, URL-safe base64 (11 characters). A page id
# coming back from a browser must look like one; anything else is ignored.
_PAGE_ID = re.compile(r"[A-Za-z0-9_-]{11}")


def new_page_id() -> str:
    """A fresh, unguessable id for a participant page (its signals, presence, rate limit)."""
    return secrets.token_urlsafe(8)


def page_id(value: object) -> str | None:
    """``value`` if it is a page id as ``new_page_id`` makes them, else None (untrusted)."""
    return value if isinstance(value, str) and _PAGE_ID.fullmatch(value) else None


def clean_name(value: object) -> str | None:
    """A typed name as stored: trimmed, inner spaces collapsed, 1 to ``MAX_JOIN_NAME``
    characters, no control or format characters; None if nothing valid is left.

    >>> clean_name("  Ana\\t Lopez  ")
    'Ana Lopez'
    >>> clean_name("a\\x00b") is None
    True
    """
    if not isinstance(value, str):
        return None
    # Spaces, tabs and line breaks typed are one space; what is left follows the roster's rule
    # for names (no control or format character: NUL, right-to-left overrides).
    name = " ".join(value.split())
    return name if name and name_problem(name) is None else None


def joinable(value: object, names: Sequence[str]) -> str | None:
    """The name a page joins under: with a roster (``names``), the member's name as the
    roster spells it, matched without regard to case or spaces, else None (someone outside
    the group is asked who they are); without a roster, the typed name cleaned."""
    name = clean_name(value)
    if name is None or not names:
        return name
    key = person_key(name)
    return next((member for member in names if person_key(member) == key), None)


def person_key(name: str) -> str:
    """How names are compared: ``"ana  lopez"`` and ``"Ana Lopez"`` are the same person."""
    return name_key(" ".join(name.split()))


def pages_per_name(signals: Iterable[Signal], now: float) -> dict[str, int]:
    """How many connected pages each name has (by ``person_key``), for the names that more
    than one page claims now: the console says so, and the facilitator sorts it out.

    >>> from codevwidgets.core.signals import SEEN
    >>> rows = [Signal(p, "Farid", SEEN, "s1", 0.0) for p in ("a", "b")]
    >>> pages_per_name(rows + [Signal("c", "Ana", SEEN, "s1", 0.0)], 10.0)
    {'farid': 2}
    """
    counts: dict[str, int] = {}
    for signal in present(signals, now):
        if signal.name:
            key = person_key(signal.name)
            counts[key] = counts.get(key, 0) + 1
    return {key: count for key, count in counts.items() if count > 1}


def fold_join_links(signals: Iterable[Signal], now: float, folded_once: bool) -> bool:
    """Whether the console folds its join links now: once, when a participant's page is
    connected. After that the facilitator opens and folds them; the console never does.

    >>> from codevwidgets.core.signals import SEEN
    >>> fold_join_links([Signal("a", "Ana", SEEN, "s1", 0.0)], 10.0, folded_once=False)
    True
    >>> fold_join_links([], 10.0, folded_once=False)
    False
    """
    return not folded_once and bool(present(signals, now))


@dataclass
class Visitor:
    """Who a participant page is: its id in the store and the name it joined under (None
    until it has said). Mutable: the page learns both from the browser, and may change name."""

    page: str
    name: str | None = None
