"""Follow-up: carrying a client's action plan to the group's next session, and back.

A runbook may start with the library step ``followup``: the previous session's client says
how their action plan went. The console shows that plan (``previous_plan``); what the group
records there (``outcome``: done / in progress / dropped, and a ``note``) belongs to both
sessions' records: this one's (``followup_outcome``) and the earlier one's
(``later_followup``).

Pure core: reads the store, never ipywidgets. "The group's previous session" is the latest
session created before this one, in the same store, of the same group: the group's identity
stored with the session (``StoredSession.group``), never its name, which another client
organisation's group may share (the store's ``group_sessions`` finds the group's sessions;
only those are loaded).
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING

from codevwidgets.core.problems import InputError
from codevwidgets.core.runbook import Runbook

if TYPE_CHECKING:
    from codevwidgets.store.base import Store, StoredSession

__all__ = [
    "FOLLOWUP_STEP",
    "PLAN_FIELDS",
    "FollowUpOutcome",
    "Loaded",
    "PreviousPlan",
    "followup_outcome",
    "has_followup",
    "later_followup",
    "previous_plan",
]

FOLLOWUP_STEP = "followup"
# The action plan's note fields (the classic synthesis step's), found by id in whichever step
# of the runbook holds them: a client file may move or rename that step.
PLAN_FIELDS = ("objective", "actions", "resources", "date")
OUTCOME_FIELD, NOTE_FIELD = "outcome", "note"


@dataclass(frozen=True)
class PreviousPlan:
    """The action plan of the group's previous session, as its notes hold it.

    ``fields`` are ``(label, text)`` in runbook order, labels in the asked language, only the
    fields that were filled in (possibly none).
    """

    session_id: str
    created: float  # epoch seconds
    client: str | None  # the previous session's client, from its roles
    fields: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class FollowUpOutcome:
    """How a plan went, as the follow-up step of the later session recorded it."""

    session_id: str  # the session whose follow-up step recorded it
    created: float | str
    outcome: str | None  # the choice id (``done``, ``in_progress``, ``dropped``), None if unset
    outcome_label: str  # the choice's label in the asked language, "" if unset
    note: str


class Loaded:
    """Sessions loaded from ``store`` (``private=True``) once each, for one read: a cycle
    page builds every record of a group and looks up each record's neighbours, and each
    session is loaded once, not once per record that mentions it.

    ``loaded(session_id)`` is ``store.load(session_id, private=True)``, remembered; an error
    (a session whose runbook cannot be read) is raised each time, not remembered.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._found: dict[str, StoredSession | None] = {}

    def __call__(self, session_id: str) -> StoredSession | None:
        if session_id not in self._found:
            self._found[session_id] = self.store.load(session_id, private=True)
        return self._found[session_id]


def has_followup(book: Runbook) -> bool:
    """Whether the runbook has a follow-up step (only then is the previous plan looked up)."""
    return any(step.id == FOLLOWUP_STEP for step in book.steps)


def previous_plan(
    store: Store, session_id: str, language: str, loaded: Loaded | None = None
) -> PreviousPlan | None:
    """The action plan of the group's last session in ``store`` before ``session_id``.

    None when this session has no roster (its group is unknown) or the group has no earlier
    session here. ``loaded``: sessions already loaded for this read (``Loaded``).
    """
    found = _neighbour(loaded or Loaded(store), session_id, later=False)
    if found is None:
        return None
    book, notes = found.runbook, found.state.get("notes", {})
    fields = []
    for step in book.steps:
        for note in step.notes:
            text = str(notes.get(step.id, {}).get(note.id, "")).strip()
            if note.id in PLAN_FIELDS and text:
                fields.append((book.text(note.label, language), text))
    return PreviousPlan(found.session_id, found.created, _client(found), tuple(fields))


def later_followup(
    store: Store, session_id: str, language: str, loaded: Loaded | None = None
) -> FollowUpOutcome | None:
    """How this session's plan went, as the group's next session recorded it in its
    follow-up step; None if there is no next session, or it recorded nothing.

    Only the very next session of the group counts: a later one's follow-up is about the
    plan of the session just before it, not this one's. ``loaded``: as ``previous_plan``'s.
    """
    found = _neighbour(loaded or Loaded(store), session_id, later=True)
    return followup_outcome(found, language) if found is not None else None


def followup_outcome(stored: StoredSession, language: str) -> FollowUpOutcome | None:
    """What a session's own follow-up step recorded (loaded with ``private=True``: the
    notes); None if it has no follow-up step or nothing was recorded there."""
    book = stored.runbook
    step = next((s for s in book.steps if s.id == FOLLOWUP_STEP), None)
    if step is None:
        return None
    typed = stored.state.get("notes", {}).get(FOLLOWUP_STEP, {})
    outcome = str(typed.get(OUTCOME_FIELD, "")).strip() or None
    note = str(typed.get(NOTE_FIELD, "")).strip()
    if outcome is None and not note:
        return None
    label = ""
    if outcome is not None:
        field = next((n for n in step.notes if n.id == OUTCOME_FIELD), None)
        choices = (field.choices if field is not None else None) or {}
        label = book.text(choices[outcome], language) if outcome in choices else outcome
    return FollowUpOutcome(stored.session_id, stored.created, outcome, label, note)


def _neighbour(loaded: Loaded, session_id: str, *, later: bool) -> StoredSession | None:
    """The same group's session just before (or just after) ``session_id`` in the store."""
    this = _load(loaded, session_id)
    if this is None or this.group is None:
        return None
    ids = loaded.store.group_sessions(this.group)  # oldest first: creation, then insertion
    if session_id not in ids:
        return None
    position = ids.index(session_id)
    others = ids[position + 1 :] if later else ids[:position][::-1]
    for other_id in others:
        other = _load(loaded, other_id)
        if other is not None:
            return other
    return None


def _load(loaded: Loaded, session_id: str) -> StoredSession | None:
    # A session stored before snapshots whose runbook file has gone cannot be read: it is
    # skipped, as if it were not there, rather than failing the page that asked.
    with suppress(InputError, ValueError):
        return loaded(session_id)
    return None


def _client(stored: StoredSession) -> str | None:
    roles = stored.state.get("roles")
    client = roles.get("client") if isinstance(roles, dict) else None
    return (client.strip() or None) if isinstance(client, str) else None
