"""Participants' signals (hands, ready, more time) and presence in an SQL store."""

from __future__ import annotations

from codevwidgets.core.commands import apply_signal
from codevwidgets.core.drift import drift_voice
from codevwidgets.core.limits import RateLimit
from codevwidgets.core.signals import SEEN, Signal, beat, page_and_name
from codevwidgets.store.sql_base import UPSERT_SIGNAL, SQLBase

__all__ = ["SignalRows"]


class SignalRows(SQLBase):
    """The ``Store`` methods on participants' signals and presence."""

    def signal(
        self, session_id: str, participant: str, name: str | None, kind: str, on: bool
    ) -> None:
        """Raise or lower one page's own signal: a hand, ready with the step, more time.

        ``participant`` is the page's id (a page changes only its own signals); ``name`` how
        the console shows it. Core decides (``apply_signal``): ready and more time count for
        the step the session is at, more time only once its countdown has reached zero.
        The client's drift flag speaks under their name (``drift_voice``: one person, one
        voice). Raises ``ValueError`` for a bad signal or a session that is not running
        (``voices.RefusedError`` for a name another page spoke under: the console's signal of
        it is stored all the same), ``RateLimited`` when sent too fast.
        """
        limit = RateLimit(self.signal_limit, self.rate_window, "signals")
        with self._write() as db:
            session = self._present(db, session_id, whole=True)
            step_id = session.current_step.id
            effects = apply_signal(session, participant, name, kind, on)
            recent = db.execute(
                "SELECT COUNT(*) FROM events WHERE session_id = ? AND kind = 'signal'"  # noqa: S608
                f" AND at > ? AND {self.event_participant} = ?",
                (session_id, limit.since(self.clock()), participant),
            ).fetchone()[0]
            limit.check(recent)
            persons = self._persons(db, session_id)
            voice = drift_voice(persons, participant, name, kind, on, step_id, self.clock())
            # A refusal is still written (the console's signal of it), then said to the page.
            self._voice(db, session_id, voice)
            if voice.refused is None:
                self._apply(db, session_id, effects)
        if voice.refused is not None:
            raise voice.refused

    def seen(self, session_id: str, participant: str, name: str | None) -> None:
        """Note that ``participant``'s page is connected now (its clock synced): presence.

        One row per page, its time moved forward; core decides (``beat``) when it is written
        and when the revision moves, waking every kernel of the session: only the console
        shows presence, and it reads the rows on its own beat (``LiveLink.refresh``).
        Raises ``ValueError`` for a bad id or name or an unknown session.
        """
        name = page_and_name(participant, name, "presence needs the page's id")
        now = self.clock()
        with self._write() as db:
            session = self._present(db, session_id)
            row = db.execute(
                "SELECT participant, name, kind, step_id, at FROM signals"
                " WHERE session_id = ? AND participant = ? AND kind = ?",
                (session_id, participant, SEEN),
            ).fetchone()
            this = beat(Signal(*row) if row else None, name, now)
            if not this.write:
                return
            here = (session_id, participant, name, SEEN, session.current_step.id, now)
            db.execute(UPSERT_SIGNAL, here)
            if this.renamed:  # the page's hand and "ready" go by its new name too
                db.execute(
                    "UPDATE signals SET name = ? WHERE session_id = ? AND participant = ?",
                    (name, session_id, participant),
                )
            if this.wake:
                self._bump(db, session_id)

    def signals(self, session_id: str) -> list[Signal]:
        """Every standing signal of the session, oldest first (the console's copy)."""
        with self._query() as db:
            return self._signals(db, session_id, private=True)
