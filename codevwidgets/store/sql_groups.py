"""Groups in an SQL store: the identity that makes sessions one group's, whatever its name.

Two client organisations may both call their roster "Managers 2027": a group is therefore not
its name but an id of its own (``sessions.group_id``, random and unguessable), created with the
first session made from a roster and carried by the later ones. What makes later sessions the
same group's is where their roster came from, their *source* (``codevwidgets.demo.
roster_source``: the roster file and its group's name): ``roster_groups`` maps each source to
its group. The table holds digests only, never a path or a name: a deleted session's group
leaves no text in the store.

A session whose roster's file is unknown (stored before groups had an identity, or created by
code without a file) is in the group of the same roster's *content*: the group's name and its
members' names, compared as ``name_key`` compares names. The first session made from a file
then takes over such a group if no file took it before: a cycle under way when a store is
upgraded goes on in the same group.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from contextlib import suppress

from codevwidgets.core.roster import Roster, name_key
from codevwidgets.store.sql_base import Database, SQLBase

__all__ = ["GroupRows", "content_source", "fill_group_ids", "group_for", "new_group_id"]

FILE, CONTENT = "file:", "content:"  # the two kinds of source, told apart in roster_groups
# The group of a roster's content, unless a file's sessions are in it already.
UNTAKEN = (
    "SELECT group_id FROM roster_groups r WHERE source = ? AND NOT EXISTS"
    " (SELECT 1 FROM roster_groups f WHERE f.group_id = r.group_id"
    " AND substr(f.source, 1, 5) = 'file:')"  # FILE
)


class GroupRows(SQLBase):
    """The ``Store`` methods on groups: a group's sessions, and the group of a roster."""

    def group_sessions(self, group: str) -> list[str]:
        """The sessions of the group whose identity is ``group``, oldest first; read through
        the ``sessions_by_group`` index, never every session."""
        with self._query() as db:
            rows = db.execute(
                "SELECT id FROM sessions WHERE group_id = ?"  # noqa: S608
                f" ORDER BY {self.session_order}",
                (group,),
            ).fetchall()
        return [r[0] for r in rows]

    def roster_group(self, roster: Roster, source: str | None) -> str | None:
        """The group a new session of ``roster`` made from ``source`` would be in (as
        ``create`` decides it); None: a group of its own, none of the store's sessions."""
        with self._read() as db:
            return _known_group(db, roster, source)[0]


def new_group_id() -> str:
    return secrets.token_urlsafe(16)


def group_for(db: Database, roster: Roster, source: str | None) -> str:
    """The group of a new session of ``roster`` made from ``source`` (None: unknown), in the
    caller's write: the source's group, else a new one (or, for a file's first session, the
    group of the same roster's content that no file took yet)."""
    found, key, known = _known_group(db, roster, source)
    if known and found is not None:
        return found
    # Two kernels making a source's first session at once: one row wins, both read it.
    db.execute(
        "INSERT INTO roster_groups (source, group_id) VALUES (?, ?)"
        " ON CONFLICT (source) DO NOTHING",
        (key, found or new_group_id()),
    )
    made = _group_of(db, key)
    assert made is not None  # inserted just now, or by the kernel that won
    return made


def _known_group(db: Database, roster: Roster, source: str | None) -> tuple[str | None, str, bool]:
    """The group a session of ``roster`` from ``source`` would be in, if one exists already;
    the source's key in roster_groups; and whether the key is there already."""
    content = content_source(roster)
    key = _file(source) if source is not None else content
    found = _group_of(db, key)
    if found is not None:
        return found, key, True
    if source is not None:  # a file's first session: the group of its content, if untaken
        row = db.execute(UNTAKEN, (content,)).fetchone()
        return (str(row[0]) if row else None), key, False
    return None, key, False


def content_source(roster: Roster) -> str:
    """The source of a roster known by its content only: its group's name and its members'
    names (in any order), as ``name_key`` compares names, digested."""
    return CONTENT + _digest([name_key(roster.group), *sorted(name_key(n) for n in roster.names)])


def fill_group_ids(db: Database) -> None:
    """Give the sessions stored before groups had an identity theirs (a migration's step, on
    either engine): sessions of the same roster content share one group."""
    rows = db.execute(
        "SELECT id, roster FROM sessions WHERE roster IS NOT NULL AND group_id IS NULL"
    ).fetchall()
    for session_id, text in rows:
        with suppress(ValueError):  # not a roster this release can read: in no group
            roster = Roster.model_validate(json.loads(text))
            group = group_for(db, roster, None)
            db.execute("UPDATE sessions SET group_id = ? WHERE id = ?", (group, session_id))


def _group_of(db: Database, key: str) -> str | None:
    row = db.execute("SELECT group_id FROM roster_groups WHERE source = ?", (key,)).fetchone()
    return str(row[0]) if row else None


def _file(source: str) -> str:
    return FILE + _digest([source])


def _digest(parts: list[str]) -> str:
    # A NUL cannot be in a name nor a path: the parts cannot run into each other.
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()
