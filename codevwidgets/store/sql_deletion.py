"""Deleting sessions and days from an SQL store, and everything typed in them."""

from __future__ import annotations

import json

from codevwidgets.core.day import Day
from codevwidgets.store.sql_base import SQLBase

__all__ = ["Deletion"]

# Everything a session holds besides its row in sessions.
DELETE_FROM = ("contributions", "notes", "events", "signals", "persons", "topics", "dots")


class Deletion(SQLBase):
    """The ``Store`` methods that remove sessions and days: ``delete``, ``purge``,
    ``delete_day`` and ``purge_days``."""

    def delete(self, session_id: str) -> bool:
        """Remove a session and everything typed in it, from the files too; False if unknown."""
        with self._write() as db:
            db.execute(
                f"SELECT id FROM sessions WHERE id = ?{self.lock_row}",  # noqa: S608
                (session_id,),
            )
            for table in DELETE_FROM:
                db.execute(f"DELETE FROM {table} WHERE session_id = ?", (session_id,))  # noqa: S608
            found = db.execute("DELETE FROM sessions WHERE id = ?", (session_id,)).rowcount > 0
        self._books.pop(session_id, None)
        if found:
            self._forget()
        return found

    def purge(self, older_than: float) -> list[str]:
        """Delete every session not changed since ``older_than`` (epoch seconds); their ids."""
        with self._query() as db:
            rows = db.execute(
                "SELECT id FROM sessions WHERE updated < ? ORDER BY created", (older_than,)
            ).fetchall()
        return [row[0] for row in rows if self.delete(row[0])]

    def delete_day(self, day_id: str) -> bool:
        """Remove a day and its groups' sessions, everything typed in them; False if unknown."""
        with self._query() as db:
            row = db.execute("SELECT data FROM days WHERE id = ?", (day_id,)).fetchone()
        if row is None:
            return False
        # The day first: a failure half-way leaves ordinary sessions, never a day whose
        # overview names a group that is gone.
        found = self._delete_days([day_id]) == [day_id]
        for group in Day.from_dict(json.loads(row[0])).groups:
            self.delete(group.session_id)
        return found

    def purge_days(self, older_than: float) -> list[str]:
        """Delete every day created before ``older_than`` (epoch seconds); their ids."""
        with self._query() as db:
            rows = db.execute(
                "SELECT id FROM days WHERE created < ? ORDER BY created", (older_than,)
            ).fetchall()
        return self._delete_days([row[0] for row in rows])

    def _delete_days(self, day_ids: list[str]) -> list[str]:
        """Delete these days' rows (their people's names, their title) in one write, and wipe
        what the engine still keeps of them; the ids that were there."""
        gone = []
        with self._write() as db:
            for day_id in day_ids:
                if db.execute("DELETE FROM days WHERE id = ?", (day_id,)).rowcount > 0:
                    gone.append(day_id)
        if gone:
            self._forget()
        return gone
