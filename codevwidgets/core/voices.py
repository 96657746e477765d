"""One person, one voice: which page may rate or contribute under which name. Pure Python.

A participant page says who it is ("who are you?", or a personal link), and may change its
mind ("not you?"). Once it has *spoken* under a name (rated the session, or contributed under
that name), the page is that person's: it may come back under that name only, and the name
speaks from that page only. A second page speaking under the name is refused, and the console
is told (a ``SPOKE_TWICE`` signal), so the facilitator can sort it out; the first page's
rating and contributions stand. A person's own device rating again (a change of mind, a
reload: the same page id) is not a second voice.

A personal link carries a secret for its person (``&person=``): the page that joins through it
*claims* the name, and a page without the secret (a plain link) cannot take a claimed name.

>>> persons = Persons(spoke={"ana": ("Ana", "p1")})
>>> speak(persons, "p1", "Ana", "conclusion", 0.0).refused is None
True
>>> speak(persons, "p2", "ana", "conclusion", 0.0).refused.key
'voice.spoke_elsewhere'
>>> join_refusal(persons, "Bruno", ["p1"], personal=False).key
'voice.page_spoke'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from codevwidgets.core.joining import person_key
from codevwidgets.core.signals import SPOKE_TWICE, Signal

__all__ = [
    "Binding",
    "Persons",
    "RefusedError",
    "Voice",
    "claim",
    "join_refusal",
    "speak",
    "spoke_twice",
]


class RefusedError(ValueError):
    """A page may not speak or join under a name: ``key`` names the locale text the page
    shows (with ``name``, the name concerned)."""

    def __init__(self, key: str, name: str) -> None:
        super().__init__(f"{key}: {name}")
        self.key, self.name = key, name


@dataclass(frozen=True)
class Persons:
    """What the store knows of a session's names, each by ``person_key``: ``spoke``, the name
    as shown and the page that first rated or contributed under it; ``claimed``, the page that
    joined through the name's personal link."""

    spoke: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    claimed: Mapping[str, str] = field(default_factory=dict)

    def spoken_as(self, page: str) -> str | None:
        """The name ``page`` has spoken under, if any."""
        return next((name for name, by in self.spoke.values() if by == page), None)


@dataclass(frozen=True)
class Binding:
    """A name bound to the page that first spoke under it (the store keeps the first)."""

    person: str
    name: str
    page: str


@dataclass(frozen=True)
class Voice:
    """What a page speaking under a name changes: a new ``binding`` to store, or ``refused``
    (nothing stored but, when another page spoke under the name, the console's ``conflict``
    signal)."""

    binding: Binding | None = None
    refused: RefusedError | None = None
    conflict: Signal | None = None


def speak(persons: Persons, page: str, author: str | None, step_id: str, now: float) -> Voice:
    """Whether ``page`` may rate or contribute under ``author`` (None: anonymously, which
    speaks for nobody and binds nothing).

    RefusedError when the page already spoke under another name (a phone going round the group
    with "not you?"), or when another page spoke under this one (a second device: the first
    stays, and the console is told).
    """
    if author is None:
        return Voice()
    mine = persons.spoken_as(page)
    if mine is not None and person_key(mine) != person_key(author):
        return Voice(refused=RefusedError("voice.page_spoke", mine))
    key = person_key(author)
    first = persons.spoke.get(key)
    if first is None:
        return Voice(binding=Binding(key, author, page))
    if first[1] != page:
        conflict = Signal(page, first[0], SPOKE_TWICE, step_id, now)
        return Voice(refused=RefusedError("voice.spoke_elsewhere", first[0]), conflict=conflict)
    return Voice()


def join_refusal(
    persons: Persons, name: str, pages: Sequence[str], *, personal: bool
) -> RefusedError | None:
    """Why a page may not join under ``name`` (None: it may); ``pages``: its own id first,
    then its device's other pages' (other tabs, as far as the browser tells).

    ``personal``: the page came through ``name``'s personal link with its valid secret. A
    page (or device) that has spoken stays under that name; a name claimed through its
    personal link is taken for any other page without the secret.
    """
    for page in pages:
        mine = persons.spoken_as(page)
        if mine is not None and person_key(mine) != person_key(name):
            return RefusedError("voice.page_spoke", mine)
    holder = persons.claimed.get(person_key(name))
    if holder is not None and holder != pages[0] and not personal:
        return RefusedError("voice.claimed", name)
    return None


def claim(persons: Persons, name: str, page: str) -> str | None:
    """The ``person_key`` to record as claimed by ``page`` (joined through ``name``'s personal
    link with its secret), or None when it is claimed already (the first page keeps it)."""
    key = person_key(name)
    return None if key in persons.claimed else key


def spoke_twice(signals: Iterable[Signal]) -> list[str]:
    """The names another page tried to speak under, once each, in the order it happened:
    the console flags them."""
    names: dict[str, str] = {}
    for signal in sorted(signals, key=lambda s: (s.at, s.participant)):
        if signal.kind == SPOKE_TWICE and signal.name:
            names.setdefault(person_key(signal.name), signal.name)
    return list(names.values())
