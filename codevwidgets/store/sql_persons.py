"""Who is who in an SQL store: the names pages spoke under, and personal links' claims.

Core decides (``core.voices``): which page may speak or join under which name, and which
claim is the first. This keeps, per session and name (``person_key``), the page that first
rated or contributed under it and the page that joined through its personal link.
"""

from __future__ import annotations

import hmac

from codevwidgets.core.session import DeletedError
from codevwidgets.core.voices import Persons, claim
from codevwidgets.store.base import hash_secret, person_secret_from
from codevwidgets.store.sql_base import SQLBase

__all__ = ["PersonRows"]

# A claim is written once: the first page through a personal link keeps the name.
UPSERT_CLAIM = (
    "INSERT INTO persons (session_id, person, name, claimed_by) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (session_id, person) DO UPDATE SET claimed_by = excluded.claimed_by"
    " WHERE persons.claimed_by IS NULL"
)


class PersonRows(SQLBase):
    """The ``Store`` methods on persons: ``persons``, ``check_person`` and ``claim``."""

    def persons(self, session_id: str) -> Persons:
        """The names pages spoke under and the names claimed, with the pages concerned."""
        with self._read() as db:
            return self._persons(db, session_id)

    def check_person(self, session_id: object, name: object, secret: object) -> bool:
        """Whether ``secret`` is ``name``'s personal secret in this session (a personal
        link's ``&person=``); False for anything else."""
        if not all(isinstance(v, str) and v for v in (session_id, name, secret)):
            return False
        assert isinstance(name, str) and isinstance(secret, str)  # for mypy: checked above
        try:
            with self._query() as db:
                row = db.execute(
                    "SELECT key_hash FROM sessions WHERE id = ?", (session_id,)
                ).fetchone()
            if row is None:
                return False
            # Compared as hashes: equal lengths, and any text a URL may hold.
            expected, given = hash_secret(person_secret_from(row[0], name)), hash_secret(secret)
        except ValueError:  # e.g. a lone surrogate in a crafted URL
            return False
        except self.driver_errors:  # e.g. a NUL, which PostgreSQL's text cannot hold
            return False
        return hmac.compare_digest(expected, given)

    def claim(self, session_id: str, name: str, page: str) -> None:
        """Record that ``page`` joined through ``name``'s personal link (checked by the caller,
        ``check_person``); a name claimed already stays its first page's."""
        with self._write() as db:
            # Claims of one session queue on its row, as its other writes do.
            found = db.execute(
                f"SELECT id FROM sessions WHERE id = ?{self.lock_row}",  # noqa: S608
                (session_id,),
            ).fetchone()
            if found is None:  # deleted meanwhile: no name is written for a session gone
                raise DeletedError(f"no session {session_id!r}")
            key = claim(self._persons(db, session_id), name, page)
            if key is not None:
                db.execute(UPSERT_CLAIM, (session_id, key, name, page))
