"""What every SQL store does the same way, one concern per mixin.

``SQLiteStore`` and ``PostgresStore`` differ in how they connect, lock, migrate and watch;
everything else is written once, as SQL that both engines run: sessions and commands
(``sql_sessions``), groups (``sql_groups``), contributions and notes (``sql_contributions``),
signals and presence (``sql_signals``), days of many groups (``sql_days``), who is who
(``sql_persons``), topics and dots (``sql_topics``), deletion (``sql_deletion``), over what
they share (``sql_base``: the transactions, reading a session, writing core's ``Effects``).
The store decides no rule: core does (a command applied to the latest stored state, what a
participant may send and when, how often, under which name), and the store writes what it
decided in the same transaction, bumping the revision.
"""

from __future__ import annotations

from codevwidgets.store.sql_base import Cursor, Database, state_json
from codevwidgets.store.sql_contributions import ContributionRows
from codevwidgets.store.sql_days import DayRows
from codevwidgets.store.sql_deletion import Deletion
from codevwidgets.store.sql_groups import GroupRows, fill_group_ids
from codevwidgets.store.sql_persons import PersonRows
from codevwidgets.store.sql_sessions import SessionRows
from codevwidgets.store.sql_signals import SignalRows
from codevwidgets.store.sql_topics import TopicRows

__all__ = ["Cursor", "Database", "SQLStore", "fill_group_ids", "state_json"]


class SQLStore(
    DayRows, SessionRows, GroupRows, ContributionRows, SignalRows, PersonRows, TopicRows, Deletion
):
    """The ``Store`` methods, on a database a subclass connects to (see ``SQLBase``)."""
