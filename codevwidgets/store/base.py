"""The store: the one truth about every session, written by many kernels, read by all.

Voilà gives each visitor a kernel of their own, so the facilitator's kernels (a laptop and the
room's projector on one link) and each participant's meet here, never in globals. Every change
is a ``Command`` applied by the store to the latest stored state in one transaction, bumping
the session's revision; every kernel follows the store through its change feed (``watch``).

``Store`` is the interface pages are written against; ``SQLiteStore`` (one file, the embedded
default) and ``PostgresStore`` (a PostgreSQL database, when several servers share sessions)
implement it. ``open_store`` picks one from ``--store`` or ``CODEV_STORE``: a
``postgresql://`` URL, else a file path.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, Self

from codevwidgets.core.clock import Clock, system_clock
from codevwidgets.core.commands import Command
from codevwidgets.core.contributions import Contribution
from codevwidgets.core.day import Day
from codevwidgets.core.joining import person_key
from codevwidgets.core.limits import RateLimited
from codevwidgets.core.roster import Roster
from codevwidgets.core.runbook import LocalText, Runbook
from codevwidgets.core.session import Session
from codevwidgets.core.signals import Signal
from codevwidgets.core.topics import Topic
from codevwidgets.core.voices import Persons

__all__ = [
    "DaySecrets",
    "RateLimited",
    "Secrets",
    "SessionSummary",
    "Store",
    "StoreError",
    "StoredDay",
    "StoredSession",
    "Watcher",
    "group_key_for",
    "join_code_for",
    "person_secret_for",
    "person_secret_from",
    "room_code_for",
]


class StoreError(Exception):
    """The store cannot be used (newer schema, not a store, unwritable); one line says why."""


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def join_code_for(facilitator_key: str) -> str:
    """The participants' join code (16 URL-safe characters), derived from the facilitator key.

    Derived rather than drawn on its own: the facilitator's page can show the join link again
    after a reload while the store holds only hashes, and the code reveals nothing of the key.
    """
    digest = hmac.new(facilitator_key.encode(), b"codev join code", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:12]).decode()


def room_code_for(day_key: str) -> str:
    """A day's room code (``join.ipynb?day=ID&code=CODE``), derived from the day's key as a
    session's join code is from its key: the overview shows the room's link again after a
    reload, and the code reveals nothing of the key."""
    digest = hmac.new(day_key.encode(), b"codev room code", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:12]).decode()


def group_key_for(day_key: str, session_id: str) -> str:
    """The facilitator key of a day's group (its session), derived from the day's key: the
    lead's overview opens every group's console, and a group's key opens that group only."""
    message = b"codev group " + session_id.encode()
    digest = hmac.new(day_key.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode()


def person_secret_for(facilitator_key: str, name: str) -> str:
    """A member's personal secret (a personal link's ``&person=``), from the facilitator key."""
    return person_secret_from(hash_secret(facilitator_key), name)


def person_secret_from(key_hash: str, name: str) -> str:
    """``person_secret_for`` from the key's hash, which is what the store keeps: a participant's
    kernel checks a personal link without the key. Unguessable for anyone without the key or
    the store (and the store's reader cannot join: the join code is not in it); one per name
    as ``person_key`` compares names, so ``&name=bruno`` and ``&name=Bruno`` share it."""
    message = b"codev person " + person_key(name).encode()
    digest = hmac.new(key_hash.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:12]).decode()


@dataclass(frozen=True)
class Secrets:
    """What ``create`` hands out once: the store keeps only their hashes."""

    session_id: str
    facilitator_key: str
    join_code: str


@dataclass(frozen=True)
class DaySecrets:
    """What ``create_day`` hands out once: the lead's key and the room's code."""

    day_id: str
    key: str
    code: str


@dataclass(frozen=True)
class StoredDay:
    """A day as the store keeps it, at one revision (a move, a latecomer bump it)."""

    day: Day
    revision: int
    created: float


@dataclass(frozen=True)
class StoredSession:
    """A session as one reader may see it, at one revision.

    ``runbook`` is the snapshot stored when the session was created: the session reopens the
    same whatever became of its file. ``state`` is ``Session.to_dict()``-shaped; a
    participant's copy (``private=False``) has no notes, no hidden contributions and nobody's
    evaluation.
    """

    session_id: str
    runbook_ref: str
    language: str
    runbook: Runbook
    state: dict[str, Any]
    revision: int
    roster: Roster | None = None  # the group, stored with the session (a console's copy only)
    created: float = 0.0  # when the session was created (epoch seconds)
    # The group's members' names, for every reader: a participant page offers them to choose
    # from ("who are you?"); nothing else of the roster leaves the console. () without one.
    names: tuple[str, ...] = ()
    # The group's identity (``Store.group_sessions``): a console's copy only; None without a
    # roster. Two groups of one name (two client organisations' "Managers 2027") have two.
    group: str | None = None
    # The group's name (the roster's ``group:``), for every reader: the room's screen shows
    # it. "" without a roster.
    group_name: LocalText = ""

    def session(self, clock: Clock = system_clock) -> Session:
        return Session.from_dict(self.state, self.runbook, clock)


@dataclass(frozen=True)
class SessionSummary:
    """One line of ``codev sessions``: when, which runbook and client, where it stands."""

    id: str
    created: str  # ISO 8601, UTC
    runbook: str
    client: str | None
    status: str
    step: str


class Watcher(Protocol):
    """A change feed on one session: calls its callback with each new revision."""

    revision: int

    def poll(self) -> bool: ...

    def stop(self) -> None: ...


class Store(Protocol):
    """Sessions, commands, contributions, notes and a change feed, shared by every kernel.

    Every method commits before it returns (nothing is lost when a kernel dies). Refusals:
    ``execute`` raises ``SessionError``/``RolesError``/``ValueError`` (nothing written);
    ``add_contribution`` and ``signal`` raise ``ValueError`` (``voices.RefusedError`` for a name
    another page spoke under) or ``RateLimited``. A write to a session that is not (or no
    longer) stored raises the core's ``DeletedError`` (a ``SessionError`` and a
    ``ValueError``). A store is a context manager: the block's end closes it.
    """

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None: ...

    @property
    def location(self) -> str:
        """What ``CODEV_STORE`` says to open this store from another process (a file's
        absolute path, or a URL that may hold a password: pass it on, never print it)."""
        ...

    def create(
        self,
        session: Session,
        runbook_ref: str,
        language: str,
        roster: Roster | None = None,
        source: str | None = None,
    ) -> Secrets:
        """Store a new session; with a ``roster``, in its group: the group of the sessions
        made from the same ``source`` (``codevwidgets.demo.roster_source``: the roster's
        file), created with the first of them. Without a ``source``, the group of the
        sessions whose roster is the same (group name and members) and whose file is unknown
        too (sessions stored before groups had an identity)."""
        ...

    def check_key(self, session_id: object, key: object) -> bool: ...

    def check_code(self, session_id: object, code: object) -> bool: ...

    def load(self, session_id: str, *, private: bool) -> StoredSession | None: ...

    def execute(self, session_id: str, command: Command) -> int: ...

    def add_contribution(
        self,
        session_id: str,
        step_id: str,
        author: str | None,
        text: str,
        kind: str | None,
        participant: str,
    ) -> Contribution: ...

    def contributions(
        self, session_id: str, include_hidden: bool = False
    ) -> list[Contribution]: ...

    def signal(
        self, session_id: str, participant: str, name: str | None, kind: str, on: bool
    ) -> None: ...

    def seen(self, session_id: str, participant: str, name: str | None) -> None: ...

    def signals(self, session_id: str) -> list[Signal]: ...

    def persons(self, session_id: str) -> Persons:
        """The names pages spoke under (rated or contributed) and the names claimed through
        their personal link, with the pages concerned (``core.voices``)."""
        ...

    def check_person(self, session_id: object, name: object, secret: object) -> bool: ...

    def claim(self, session_id: str, name: str, page: str) -> None: ...

    def notes(self, session_id: str) -> dict[str, dict[str, str]]: ...

    # Topics prepared ahead and the group's dots (core.topics): see store.sql_topics.
    def save_topic(self, session_id: str, page: str, topic: Topic) -> Topic: ...

    def withdraw_topic(self, session_id: str, page: str, author: str) -> bool: ...

    def topics(self, session_id: str, *, private: bool) -> list[Topic]: ...

    def own_topic(self, session_id: str, author: str, page: str) -> Topic | None: ...

    def give_dot(self, session_id: str, page: str, voter: str, topic: str, on: bool) -> None: ...

    def my_dots(self, session_id: str, voter: str) -> dict[str, int]: ...

    def dot_tally(self, session_id: str) -> dict[str, int]: ...

    def group_topics(self, group: str) -> list[tuple[str, Topic]]: ...

    def events(self, session_id: str) -> list[tuple[float, str, dict[str, Any]]]: ...

    def revision(self, session_id: str) -> int: ...

    def session_ids(self) -> list[str]: ...

    def group_sessions(self, group: str) -> list[str]:
        """The ids of the sessions of the group whose identity is ``group``
        (``StoredSession.group``), oldest first: an indexed query, not a scan."""
        ...

    def roster_group(self, roster: Roster, source: str | None) -> str | None:
        """The identity of the group a new session of ``roster`` made from ``source`` would be
        in (as ``create`` decides it); None: a new group, none of the stored sessions'."""
        ...

    def summaries(self) -> list[SessionSummary]: ...

    def delete(self, session_id: str) -> bool: ...

    def purge(self, older_than: float) -> list[str]: ...

    def delete_day(self, day_id: str) -> bool:
        """Remove a day and its groups' sessions, with everything typed in them, from the files
        too; False if unknown."""
        ...

    def purge_days(self, older_than: float) -> list[str]:
        """Remove the days created before ``older_than`` (epoch seconds), from the files too;
        their ids. Their groups' sessions are sessions: ``purge`` removes them when they are
        old."""
        ...

    def watch(
        self,
        session_id: str,
        on_change: Callable[[int], None],
        *,
        interval: float = 0.025,
        start_thread: bool = True,
    ) -> Watcher: ...

    def create_day(
        self, day: Day, sessions: list[Session], source: str | None = None
    ) -> DaySecrets:
        """Store a day and its groups' sessions (``sessions[i]`` is ``day.groups[i]``'s, each
        with its group's roster, ``core.day.group_roster``) in one transaction; each group's
        key is ``group_key_for`` the day's key."""
        ...

    def check_day_key(self, day_id: object, key: object) -> bool: ...

    def check_day_code(self, day_id: object, code: object) -> bool: ...

    def load_day(self, day_id: str) -> StoredDay | None: ...

    def day_revision(self, day_id: str) -> int:
        """The day's revision (0: no such day): what a room page polls to follow a move."""
        ...

    def change_day(self, day_id: str, change: Callable[[Day], Day]) -> StoredDay:
        """Apply ``change`` (a ``core.day`` function: a join, a move) to the latest stored
        day and store what it returns, in one transaction; the groups whose members changed
        get their new roster (and a new revision, so their pages follow). ``change``'s
        ``DayError`` leaves everything as it was; an unknown day raises ``KeyError``."""
        ...

    def days(self) -> list[StoredDay]:
        """Every stored day, oldest first."""
        ...

    def keep_connected(self) -> None:
        """From now on hold this kernel's connections to the store (a page has connected to
        it); a store opened with ``connect_later`` connects for each call until then."""
        ...

    def close(self) -> None: ...
