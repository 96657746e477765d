"""Participants' contributions and the facilitator's notes in an SQL store."""

from __future__ import annotations

from codevwidgets.core.contributions import Contribution
from codevwidgets.core.effects import Event
from codevwidgets.core.limits import RateLimit
from codevwidgets.core.voices import speak
from codevwidgets.store.sql_base import SQLBase

__all__ = ["ContributionRows"]


class ContributionRows(SQLBase):
    """The ``Store`` methods on contributions and notes."""

    def add_contribution(
        self,
        session_id: str,
        step_id: str,
        author: str | None,
        text: str,
        kind: str | None,
        participant: str,
    ) -> Contribution:
        """Store a participant's contribution, if core takes it (``admit_contribution``: the
        step collects it, and the session is in progress, or ended with its ratings open for
        an evaluation; ``voices.speak``: one person, one voice).

        ``participant`` identifies the sender for the rate limit and its voice (one id per
        page); raises ``ValueError`` for a bad contribution or a session that is not running
        (``RatingsClosedError`` for an evaluation once the ratings are closed),
        ``voices.RefusedError`` (a ``ValueError``) for a name another page spoke under or a page
        that spoke under another name (the console's signal of it is stored all the same),
        ``RateLimited`` when sent too fast.
        """
        now = self.clock()
        limit = RateLimit(self.rate_limit, self.rate_window, "contributions")
        with self._write() as db:
            session = self._present(db, session_id)
            author, text, kind = session.admit_contribution(step_id, author, text, kind)
            if limit.most is not None:  # no limit: nothing to count
                recent = db.execute(
                    "SELECT COUNT(*) FROM contributions WHERE session_id = ? AND participant = ?"
                    " AND at > ?",
                    (session_id, participant, limit.since(now)),
                ).fetchone()[0]
                limit.check(recent)
            voice = speak(self._persons(db, session_id), participant, author, step_id, now)
            # A refusal is still written (the console's signal of it), then said to the page.
            self._voice(db, session_id, voice)
            if voice.refused is None:
                number = int(
                    db.execute(
                        "INSERT INTO contributions (session_id, step_id, author, text, kind, at,"
                        " participant) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                        (session_id, step_id, author, text, kind, now, participant),
                    ).fetchone()[0]
                )
                self._bump(db, session_id)
                self._log(db, session_id, Event("contribution", {"id": number, "step": step_id}))
        if voice.refused is not None:
            raise voice.refused
        return Contribution(number, step_id, author, text, now, False, kind)

    def contributions(self, session_id: str, include_hidden: bool = False) -> list[Contribution]:
        """The session's contributions in the order they arrived."""
        with self._query() as db:
            return self._contributions(db, session_id, include_hidden)

    def notes(self, session_id: str) -> dict[str, dict[str, str]]:
        """The facilitator's notes, by step and field."""
        with self._query() as db:
            return self._notes(db, session_id)
