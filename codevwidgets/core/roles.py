"""Who holds which role in one consultation: client, facilitator, advisors, note-taker, observers.

Problems are reported as locale message keys (``roles.error.…``), not sentences, so that the
wording lives in the catalogs and a client organisation can change it without touching Python.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

ROLE_NAMES = ("client", "facilitator", "advisors", "note_taker", "observers")
MIN_ADVISORS = 2


def rules_of(role: str) -> tuple[str, ...]:
    """The roles whose step rules a person in ``role`` reads: their own, and for the
    note-taker the advisors' first (the note-taker is one of the advisors, METHOD.md: what an
    advisor may not do holds for them too).

    >>> rules_of("note_taker"), rules_of("client")
    (('advisors', 'note_taker'), ('client',))
    """
    return ("advisors", "note_taker") if role == "note_taker" else (role,)


class RolesError(ValueError):
    """The roles break the method's rules; ``keys`` are locale message keys."""

    def __init__(self, keys: list[str]) -> None:
        self.keys = list(keys)
        super().__init__(", ".join(self.keys))


def _same(name: str) -> str:
    # "Alice" and "alice " typed in two fields are the same person.
    return name.strip().casefold()


@dataclass(frozen=True)
class Roles:
    """The people of one consultation.

    The note-taker is one of the advisors (METHOD.md), so the same name appears in both.

    >>> roles = Roles(client="Ana", facilitator="Bo", advisors=("Cy", "Di"), note_taker="Cy")
    >>> roles.problems(), roles.role_of("cy")
    ([], 'note_taker')
    """

    client: str
    facilitator: str
    advisors: tuple[str, ...]
    note_taker: str | None = None
    observers: tuple[str, ...] = ()

    def problems(self) -> list[str]:
        """Message keys of what is wrong, in a stable order; empty when the roles are valid."""
        keys: list[str] = []
        client, facilitator = _same(self.client), _same(self.facilitator)
        advisors = [_same(a) for a in self.advisors if a.strip()]
        if not client:
            keys.append("roles.error.no_client")
        if not facilitator:
            keys.append("roles.error.no_facilitator")
        if client and client == facilitator:
            keys.append("roles.error.client_is_facilitator")
        if len(set(advisors)) < MIN_ADVISORS:
            keys.append("roles.error.too_few_advisors")
        if self.note_taker is not None and _same(self.note_taker) not in advisors:
            keys.append("roles.error.note_taker_not_advisor")
        # The note-taker is deliberately left out: being an advisor too is the rule, not a clash.
        # Client == facilitator has its own, clearer key, so count that pair only once.
        people = [p for p in (client, facilitator) if p]
        if client and client == facilitator:
            people = [client]
        people += advisors + [_same(o) for o in self.observers if o.strip()]
        if any(count > 1 for count in Counter(people).values()):
            keys.append("roles.error.duplicate_person")
        return keys

    def validate(self) -> None:
        """Raise ``RolesError`` with every problem's key, if there is any."""
        keys = self.problems()
        if keys:
            raise RolesError(keys)

    def role_of(self, name: str) -> str | None:
        """The role of ``name`` (case and surrounding spaces ignored), or ``None``.

        The note-taker gets ``"note_taker"`` rather than ``"advisors"``: it is the more specific
        role, and its rules add to the advisors' ones.
        """
        person = _same(name)
        if not person:
            return None
        if person == _same(self.client):
            return "client"
        if person == _same(self.facilitator):
            return "facilitator"
        if self.note_taker is not None and person == _same(self.note_taker):
            return "note_taker"
        if person in (_same(a) for a in self.advisors):
            return "advisors"
        if person in (_same(o) for o in self.observers):
            return "observers"
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "client": self.client,
            "facilitator": self.facilitator,
            "advisors": list(self.advisors),
            "note_taker": self.note_taker,
            "observers": list(self.observers),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Roles:
        """The inverse of ``to_dict``; raise ``ValueError`` on a malformed mapping."""
        try:
            client, facilitator = data["client"], data["facilitator"]
            advisors = tuple(data["advisors"])
            note_taker = data.get("note_taker")
            observers = tuple(data.get("observers") or ())
        except (KeyError, TypeError) as exc:
            raise ValueError(f"malformed roles: {exc!r}") from None
        names = (client, facilitator, *advisors, *observers)
        if not all(isinstance(n, str) for n in names) or not isinstance(note_taker, str | None):
            raise ValueError("malformed roles: every name must be text")
        return cls(client, facilitator, advisors, note_taker, observers)
