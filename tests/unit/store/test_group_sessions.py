"""A group's sessions: a query on an index (``group_sessions``), on both engines; the sessions
stored before the index (SQLite schema 3, PostgreSQL schema 1) get their group on opening."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.roster import Member, Roster
from codevwidgets.core.runbook import Runbook
from codevwidgets.core.session import Session
from codevwidgets.store.sql import SQLStore
from codevwidgets.store.sqlite import SCHEMA_VERSION, SQLiteStore

DAY = 86_400


def roster(group: str) -> Roster:
    names = ("Ana", "Bruno", "Chloé")
    return Roster(group=group, facilitator="rotate", members=[Member(name=n) for n in names])


def add(
    store: SQLStore, clock: FakeClock, book: Runbook, session_id: str, group: str | None
) -> None:
    clock.advance(DAY)
    store.create(
        Session(book, session_id=session_id), "classic", "en", roster(group) if group else None
    )


@pytest.fixture
def store(open_test_store: Callable[..., SQLStore], clock: FakeClock, classic: Runbook) -> SQLStore:
    store = open_test_store()
    add(store, clock, classic, "m1", "Managers")
    add(store, clock, classic, "n1", "Nurses")
    add(store, clock, classic, "lone", None)
    add(store, clock, classic, "m2", " managers ")  # the same group, as names compare
    add(store, clock, classic, "m3", "Managers")
    return store


def test_a_groups_sessions_oldest_first_its_name_compared_as_names_are(
    store: SQLStore, clock: FakeClock, classic: Runbook
) -> None:
    assert store.group_sessions("Managers") == ["m1", "m2", "m3"]
    assert store.group_sessions("MANAGERS ") == ["m1", "m2", "m3"]
    assert store.group_sessions("Nurses") == ["n1"]
    assert store.group_sessions("Teachers") == []
    assert store.group_sessions("") == []  # a session without a roster is in no group
    # Created at the same moment: in the order they were stored, as session_ids() has them.
    for session_id in ("zz", "aa"):
        store.create(Session(classic, session_id=session_id), "classic", "en", roster("Managers"))
    assert store.group_sessions("managers") == ["m1", "m2", "m3", "zz", "aa"]
    assert [s for s in store.session_ids() if s not in {"n1", "lone"}] == [
        "m1",
        "m2",
        "m3",
        "zz",
        "aa",
    ]
    assert store.delete("m2")
    assert "m2" not in store.group_sessions("Managers")


def test_another_kernel_sees_a_new_session_of_the_group(
    store: SQLStore, open_test_store: Callable[..., SQLStore], clock: FakeClock, classic: Runbook
) -> None:
    other = open_test_store()
    add(other, clock, classic, "m4", "Managers")
    assert store.group_sessions("Managers") == ["m1", "m2", "m3", "m4"]


def test_the_query_uses_the_index_on_sqlite(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "s.db"):
        pass
    db = sqlite3.connect(tmp_path / "s.db")
    plan = db.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM sessions WHERE group_key = ? ORDER BY created, rowid",
        ("managers",),
    ).fetchall()
    assert any("USING INDEX sessions_by_group" in str(row[-1]) for row in plan), plan
    assert not any("TEMP B-TREE" in str(row[-1]) for row in plan), plan  # nor sorts


def test_the_query_uses_the_index_on_postgresql(postgres_url: str) -> None:
    import psycopg

    from codevwidgets.store.postgres import PostgresStore

    PostgresStore(postgres_url).close()  # the schema, created
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("SET enable_seqscan = off")  # a tiny table: the planner would scan it
        plan = "\n".join(
            str(row[0])
            for row in conn.execute(
                "EXPLAIN SELECT id FROM sessions WHERE group_key = 'managers' ORDER BY created, seq"
            )
        )
    assert "sessions_by_group" in plan, plan
    assert "Sort" not in plan, plan


def test_a_schema_3_sqlite_store_finds_its_groups_after_opening(
    tmp_path: Path, clock: FakeClock, classic: Runbook
) -> None:
    path = tmp_path / "three.db"
    with SQLiteStore(path, clock) as store:
        add(store, clock, classic, "m1", "Managers")
        add(store, clock, classic, "lone", None)
        add(store, clock, classic, "m2", "managers")
    db = sqlite3.connect(path)  # as schema 3 had it: no group_key, no index
    db.execute("DROP INDEX sessions_by_group")
    db.execute("ALTER TABLE sessions DROP COLUMN group_key")
    db.execute("PRAGMA user_version=3")
    db.commit()
    db.close()
    with SQLiteStore(path, clock) as store:
        assert store._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 4
        assert store.group_sessions("Managers") == ["m1", "m2"]
        keys = dict(store._db.execute("SELECT id, group_key FROM sessions").fetchall())
    assert keys == {"m1": "managers", "lone": None, "m2": "managers"}


def test_a_schema_1_postgresql_store_finds_its_groups_after_opening(
    postgres_url: str, clock: FakeClock, classic: Runbook
) -> None:
    import psycopg

    from codevwidgets.store.postgres import SCHEMA_VERSION as POSTGRES_SCHEMA
    from codevwidgets.store.postgres import PostgresStore

    with PostgresStore(postgres_url, clock) as store:
        add(store, clock, classic, "m1", "Managers")
        add(store, clock, classic, "lone", None)
        add(store, clock, classic, "m2", "MANAGERS")
    with psycopg.connect(postgres_url, autocommit=True) as conn:  # as schema 1 had it
        conn.execute("DROP INDEX sessions_by_group")
        conn.execute("ALTER TABLE sessions DROP COLUMN group_key")
        conn.execute("DROP TABLE persons")  # schema 3's
        conn.execute("DELETE FROM schema_version WHERE version > 1")
    with PostgresStore(postgres_url, clock) as store:
        assert store.group_sessions("managers") == ["m1", "m2"]
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_version ORDER BY 1")]
        keys = dict(conn.execute("SELECT id, group_key FROM sessions").fetchall())
    assert versions == list(range(1, POSTGRES_SCHEMA + 1)) and POSTGRES_SCHEMA >= 2
    assert keys == {"m1": "managers", "lone": None, "m2": "managers"}
