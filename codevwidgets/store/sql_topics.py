"""Topics prepared ahead and the group's dots in an SQL store.

Core decides (``core.topics``): when topics may be prepared and dots given, what a topic and
a dot may be; ``core.voices``: a topic or a dot speaks under its author's name, as a
contribution does. This keeps one topic per session and person (``person_key``), and per
voter and topic how many dots they gave. Who gave a dot is read back by that voter's own
kernel only (``my_dots``); the console reads counts (``dot_tally``).
"""

from __future__ import annotations

import json
from typing import Any

from codevwidgets.core.effects import Event
from codevwidgets.core.joining import person_key
from codevwidgets.core.topics import Topic, admit_dot, dots_open, topics_open
from codevwidgets.core.voices import speak
from codevwidgets.store.sql_base import Database, SQLBase

__all__ = ["TopicRows"]

UPSERT_TOPIC = (
    "INSERT INTO topics (session_id, person, author, headline, context, tried, help,"
    " checklist, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (session_id, person)"
    " DO UPDATE SET author = excluded.author, headline = excluded.headline,"
    " context = excluded.context, tried = excluded.tried, help = excluded.help,"
    " checklist = excluded.checklist, at = excluded.at"
)
UPSERT_DOT = (
    "INSERT INTO dots (session_id, voter, topic, n) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (session_id, voter, topic) DO UPDATE SET n = excluded.n"
)
COLUMNS = "author, headline, context, tried, help, checklist, at"


class TopicRows(SQLBase):
    """The ``Store`` methods on topics and dots."""

    def save_topic(self, session_id: str, page: str, topic: Topic) -> Topic:
        """Store ``topic`` (checked by core: ``admit_topic``) for its author, replacing the
        one they prepared before; only before the session starts (``TopicError``), and only
        from the page that speaks under the author's name (``voices.RefusedError``)."""
        now = self.clock()
        with self._write() as db:
            session = self._present(db, session_id)
            topics_open(session.status)
            voice = speak(self._persons(db, session_id), page, topic.author, "topics", now)
            self._voice(db, session_id, voice)
            if voice.refused is None:
                checklist = json.dumps(dict(topic.checklist))
                row = (topic.headline, topic.context, topic.tried, topic.help, checklist, now)
                db.execute(UPSERT_TOPIC, (session_id, topic.key, topic.author, *row))
                self._bump(db, session_id)
                # The log says a topic was prepared, never what it says.
                self._log(db, session_id, Event("topic", {"saved": True}))
        if voice.refused is not None:
            raise voice.refused
        return Topic(topic.author, *row[:4], topic.checklist, now)

    def withdraw_topic(self, session_id: str, page: str, author: str) -> bool:
        """Take back ``author``'s topic (only from the page that speaks under the name, only
        before the start); False when they had none."""
        now = self.clock()
        with self._write() as db:
            session = self._present(db, session_id)
            topics_open(session.status)
            voice = speak(self._persons(db, session_id), page, author, "topics", now)
            self._voice(db, session_id, voice)
            gone = False
            if voice.refused is None:
                gone = (
                    db.execute(
                        "DELETE FROM topics WHERE session_id = ? AND person = ?",
                        (session_id, person_key(author)),
                    ).rowcount
                    > 0
                )
                if gone:
                    self._bump(db, session_id)
                    self._log(db, session_id, Event("topic", {"saved": False}))
        if voice.refused is not None:
            raise voice.refused
        return gone

    def topics(self, session_id: str, *, private: bool) -> list[Topic]:
        """The session's topics, first prepared first; without ``private`` (a participant's
        kernel) headlines and checklists only."""
        with self._query() as db:
            found = self._topics(db, session_id)
        return found if private else [topic.public() for topic in found]

    def own_topic(self, session_id: str, author: str, page: str) -> Topic | None:
        """``author``'s whole topic, for the page that speaks under the name or joined
        through its personal link; None for any other page, or when there is none."""
        key = person_key(author)
        with self._read() as db:
            persons = self._persons(db, session_id)
            spoke = persons.spoke.get(key)
            if (spoke is None or spoke[1] != page) and persons.claimed.get(key) != page:
                return None
            return next((t for t in self._topics(db, session_id) if t.key == key), None)

    def give_dot(self, session_id: str, page: str, voter: str, topic: str, on: bool) -> None:
        """``voter`` (a name) gives a dot to (or, ``on=False``, takes one back from) the topic
        of ``topic`` (its author's name), as core allows (``dots_open``, ``admit_dot``), from
        the page that speaks under the voter's name."""
        now, mine_key, topic_key = self.clock(), person_key(voter), person_key(topic)
        with self._write() as db:
            session = self._present(db, session_id)
            dots_open(session.status, session.current_step.id)
            voice = speak(self._persons(db, session_id), page, voter, session.current_step.id, now)
            self._voice(db, session_id, voice)
            if voice.refused is None:
                mine = self._dots(db, session_id, mine_key)
                keys = {t.key for t in self._topics(db, session_id)}
                admit_dot(mine, topic_key, voter=mine_key, topics=keys, on=on)
                count = mine.get(topic_key, 0) + (1 if on else -1)
                db.execute(UPSERT_DOT, (session_id, mine_key, topic_key, count))
                self._bump(db, session_id)
                # The log counts dots, never whose.
                self._log(db, session_id, Event("dot", {"on": on}))
        if voice.refused is not None:
            raise voice.refused

    def my_dots(self, session_id: str, voter: str) -> dict[str, int]:
        """The dots ``voter`` gave, by topic (its author's ``person_key``)."""
        with self._query() as db:
            return self._dots(db, session_id, person_key(voter))

    def dot_tally(self, session_id: str) -> dict[str, int]:
        """How many dots each topic has (by its author's ``person_key``), never who gave them."""
        with self._query() as db:
            rows = db.execute(
                "SELECT topic, SUM(n) FROM dots WHERE session_id = ? GROUP BY topic",
                (session_id,),
            ).fetchall()
        return {r[0]: int(r[1]) for r in rows if int(r[1]) > 0}

    def group_topics(self, group: str) -> list[tuple[str, Topic]]:
        """The topics prepared in a group's sessions (headlines and checklists), with their
        session's id, oldest session first: the cycle page lists those not chosen."""
        with self._query() as db:
            rows = db.execute(
                f"SELECT t.session_id, {', '.join('t.' + c for c in COLUMNS.split(', '))}"  # noqa: S608
                " FROM topics t JOIN sessions s ON s.id = t.session_id WHERE s.group_id = ?"
                " ORDER BY s.created, s.id, t.at",
                (group,),
            ).fetchall()
        return [(r[0], _topic(r[1:]).public()) for r in rows]

    def _topics(self, db: Database, session_id: str) -> list[Topic]:
        rows = db.execute(
            f"SELECT {COLUMNS} FROM topics WHERE session_id = ? ORDER BY at, person",  # noqa: S608
            (session_id,),
        ).fetchall()
        return [_topic(row) for row in rows]

    def _dots(self, db: Database, session_id: str, voter: str) -> dict[str, int]:
        rows = db.execute(
            "SELECT topic, n FROM dots WHERE session_id = ? AND voter = ? AND n > 0",
            (session_id, voter),
        ).fetchall()
        return {r[0]: int(r[1]) for r in rows}


def _topic(row: tuple[Any, ...]) -> Topic:
    author, headline, context, tried, help_, checklist, at = row
    return Topic(author, headline, context, tried, help_, json.loads(checklist), float(at))
