"""Deleting sessions from an SQL store, and everything typed in them."""

from __future__ import annotations

from codevwidgets.store.sql_base import SQLBase

__all__ = ["Deletion"]

# Everything a session holds besides its row in sessions.
DELETE_FROM = ("contributions", "notes", "events", "signals", "persons")


class Deletion(SQLBase):
    """The ``Store`` methods that remove sessions: ``delete`` and ``purge``."""

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
