"""Days of many groups in an SQL store: one row per day, its groups' sessions beside it.

A day's data is a ``core.day.Day`` as JSON, read and written whole under the write lock:
a join or a move is a ``core.day`` function applied to the latest stored day, as a command is
to a session. The groups are ordinary sessions, created with the day in one transaction, each
with a key derived from the day's (``group_key_for``) and its own group identity.
"""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Callable

from codevwidgets.core.commands import Command, apply_command
from codevwidgets.core.day import Day, group_roster, regroup_roles
from codevwidgets.core.session import Session
from codevwidgets.store.base import (
    DaySecrets,
    StoredDay,
    group_key_for,
    hash_secret,
    room_code_for,
)
from codevwidgets.store.sql_sessions import SessionRows

__all__ = ["DayRows"]


class DayRows(SessionRows):
    """The ``Store`` methods on days (over sessions': a day's groups are sessions)."""

    def create_day(
        self, day: Day, sessions: list[Session], source: str | None = None
    ) -> DaySecrets:
        """Store ``day`` and its groups' sessions in one transaction (see ``Store``)."""
        if [s.id for s in sessions] != [g.session_id for g in day.groups]:
            raise ValueError("a day's sessions must be its groups' sessions, in order")
        key = secrets.token_urlsafe(24)
        code = room_code_for(key)
        with self._write() as db:
            for group, session in zip(day.groups, sessions, strict=True):
                roster = group_roster(day, group.number)
                # Each group is a group of its own (its later sessions, if any, follow it).
                where = f"{source or 'day'}\0{day.id}\0{group.number}"
                self._insert_session(
                    db,
                    session,
                    day.runbook_ref,
                    day.language,
                    roster,
                    where if roster else None,
                    group_key_for(key, session.id),
                )
            try:
                db.execute(
                    "INSERT INTO days (id, key_hash, code_hash, data, revision, created)"
                    " VALUES (?, ?, ?, ?, 1, ?)",
                    (day.id, hash_secret(key), hash_secret(code), _json(day), self.clock()),
                )
            except self.duplicate:
                raise ValueError(f"day {day.id!r} already exists in {self._where()}") from None
        return DaySecrets(day.id, key, code)

    def check_day_key(self, day_id: object, key: object) -> bool:
        return self._check_day(day_id, key, "key_hash")

    def check_day_code(self, day_id: object, code: object) -> bool:
        return self._check_day(day_id, code, "code_hash")

    def _check_day(self, day_id: object, secret: object, column: str) -> bool:
        if not isinstance(day_id, str) or not isinstance(secret, str) or not secret:
            return False
        with self._query() as db:
            row = db.execute(
                f"SELECT {column} FROM days WHERE id = ?",  # noqa: S608 — a fixed column name
                (day_id,),
            ).fetchone()
        return row is not None and hmac.compare_digest(str(row[0]), hash_secret(secret))

    def load_day(self, day_id: str) -> StoredDay | None:
        with self._query() as db:
            row = db.execute(
                "SELECT data, revision, created FROM days WHERE id = ?", (day_id,)
            ).fetchone()
        return _stored(row) if row else None

    def day_revision(self, day_id: str) -> int:
        with self._query() as db:
            row = db.execute("SELECT revision FROM days WHERE id = ?", (day_id,)).fetchone()
        return int(row[0]) if row else 0

    def days(self) -> list[StoredDay]:
        with self._query() as db:
            rows = db.execute(
                "SELECT data, revision, created FROM days ORDER BY created"
            ).fetchall()
        return [_stored(row) for row in rows]

    def change_day(self, day_id: str, change: Callable[[Day], Day]) -> StoredDay:
        with self._write() as db:
            # Locked (PostgreSQL's FOR UPDATE; SQLite's write lock): two pages joining at
            # once queue, and each applies its join to the day the other left.
            row = db.execute(
                f"SELECT data, revision, created FROM days WHERE id = ?{self.lock_row}",  # noqa: S608
                (day_id,),
            ).fetchone()
            if row is None:
                raise KeyError(f"no day {day_id!r} in {self._where()}")
            before = _stored(row).day
            after = change(before)
            if after == before:
                return _stored(row)
            revision = db.execute(
                "UPDATE days SET data = ?, revision = revision + 1 WHERE id = ? RETURNING revision",
                (_json(after), day_id),
            ).fetchone()[0]
            for group in after.groups:
                if before.members(group.number) == after.members(group.number):
                    continue
                roster = group_roster(after, group.number)
                if roster is None:
                    continue
                db.execute(
                    "UPDATE sessions SET roster = ? WHERE id = ?",
                    (roster.model_dump_json(), group.session_id),
                )
                # Who left has no role any more, who came is an advisor (core decides).
                session = self._session_in(db, group.session_id, whole=True)
                roles = regroup_roles(session.roles, roster.names) if session else None
                if session is not None and roles is not None and roles != session.roles:
                    command = Command("set_roles", {"roles": roles.to_dict()})
                    self._apply(db, group.session_id, apply_command(session, command))
                else:
                    self._bump(db, group.session_id)
        return StoredDay(after, int(revision), float(row[2]))


def _json(day: Day) -> str:
    return json.dumps(day.to_dict(), ensure_ascii=False)


def _stored(row: tuple[str, int, float]) -> StoredDay:
    return StoredDay(Day.from_dict(json.loads(row[0])), int(row[1]), float(row[2]))
