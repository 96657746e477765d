"""A group is an identity, not a name: two organisations' rosters both called "Managers 2027"
are two groups; sessions made from one roster file are one group's; a group's sessions are a
query on an index (``group_sessions``), on both engines; the sessions of an older store (SQLite
schema 4, PostgreSQL schema 2) get their group from their roster on opening."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.roster import Member, Roster
from codevwidgets.core.runbook import Runbook
from codevwidgets.core.session import Session
from codevwidgets.demo import DEMO_ROSTER, roster_source
from codevwidgets.server.sessions import new_session
from codevwidgets.store.sql import SQLStore
from codevwidgets.store.sqlite import SCHEMA_VERSION, SQLiteStore

DAY = 86_400
NAMES = ("Ana", "Bruno", "Chloé", "David")  # rotate: a client, a facilitator, two advisors


def roster(group: str, names: tuple[str, ...] = NAMES) -> Roster:
    return Roster(group=group, facilitator="rotate", members=[Member(name=n) for n in names])


def roster_file(folder: Path, group: str = "Managers 2027", names: tuple[str, ...] = NAMES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "managers.yaml"
    members = "".join(f"  - {{name: {n}}}\n" for n in names)
    path.write_text(f"group: {group}\nfacilitator: rotate\nmembers:\n{members}", encoding="utf-8")
    return path


def add(
    store: SQLStore, clock: FakeClock, book: Runbook, session_id: str, group: str | None
) -> None:
    """A session made by code, its roster's file unknown (as before groups had an id)."""
    clock.advance(DAY)
    store.create(
        Session(book, session_id=session_id), "classic", "en", roster(group) if group else None
    )


def group_of(store: SQLStore, session_id: str) -> str | None:
    stored = store.load(session_id, private=True)
    assert stored is not None
    return stored.group


def made(store: SQLStore, clock: FakeClock, path: Path | None) -> str:
    clock.advance(DAY)
    return new_session(store, "classic", path).session_id


def test_two_organisations_groups_of_one_name_never_mix(
    open_test_store: Callable[..., SQLStore], clock: FakeClock, tmp_path: Path
) -> None:
    store = open_test_store()
    # Two client organisations, each its roster file: the same group name, even the same
    # first names.
    first = roster_file(tmp_path / "acme")
    second = roster_file(tmp_path / "globex")
    a1, b1, a2, lone, b2, a3 = (
        made(store, clock, path) for path in (first, second, first, None, second, first)
    )
    group_a, group_b = group_of(store, a1), group_of(store, b1)
    assert group_a is not None and group_b is not None and group_a != group_b
    assert len(group_a) >= 20  # random, unguessable: not derived from the name
    assert store.group_sessions(group_a) == [a1, a2, a3]
    assert store.group_sessions(group_b) == [b1, b2]
    assert group_of(store, lone) is None  # no roster, no group
    assert store.group_sessions("Managers 2027") == []  # a name is not a group
    # What a participant's kernel loads does not carry it.
    assert store.load(a1, private=False).group is None  # type: ignore[union-attr]
    # The group of a file, as a page asks it before making a session.
    book = roster(" managers 2027")
    assert store.roster_group(book, roster_source(first, book)) == group_a
    assert store.roster_group(book, roster_source(tmp_path / "initech.yaml", book)) is None
    # Another kernel (its own connections) sees the group and puts its sessions in it.
    other = open_test_store()
    a4 = made(other, clock, first)
    assert store.group_sessions(group_a) == [a1, a2, a3, a4]
    assert store.delete(a2)
    assert store.group_sessions(group_a) == [a1, a3, a4]


def test_one_roster_file_is_one_group_though_its_members_change(
    open_test_store: Callable[..., SQLStore], clock: FakeClock, tmp_path: Path
) -> None:
    store = open_test_store()
    path = roster_file(tmp_path / "acme")
    first = made(store, clock, path)
    roster_file(tmp_path / "acme", names=(*NAMES, "Emma"))  # a member joins mid-cycle
    second = made(store, clock, path)
    assert group_of(store, first) == group_of(store, second) is not None
    # The file given to another group (a server's one --roster, rewritten): another group.
    roster_file(tmp_path / "acme", group="Nurses")
    assert group_of(store, made(store, clock, path)) != group_of(store, first)


def test_the_demo_rosters_sessions_are_their_folders(
    open_test_store: Callable[..., SQLStore], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Everyone's demo sessions come from the kit's one demo roster: two notebooks' folders
    (two users, two trainings) are two groups; one folder's sessions are one group."""
    store = open_test_store()
    groups = []
    for folder in ("ana", "bruno", "ana"):
        (tmp_path / folder).mkdir(exist_ok=True)
        monkeypatch.chdir(tmp_path / folder)
        groups.append(group_of(store, new_session(store, "classic", DEMO_ROSTER).session_id))
    assert groups[0] == groups[2] != groups[1]


def test_sessions_made_by_code_are_their_rosters_group(
    open_test_store: Callable[..., SQLStore], clock: FakeClock, classic: Runbook
) -> None:
    store = open_test_store()
    add(store, clock, classic, "m1", "Managers")
    add(store, clock, classic, "n1", "Nurses")
    add(store, clock, classic, "m2", " managers ")  # the same roster, as names compare
    add(store, clock, classic, "x1", "Managers")
    store.create(
        Session(classic, session_id="other"),
        "classic",
        "en",
        roster("Managers", (*NAMES[:2], "Zoé")),
    )
    managers = group_of(store, "m1")
    assert managers is not None
    # Created at the same moment: in the order they were stored, as session_ids() has them.
    for session_id in ("zz", "aa"):
        store.create(Session(classic, session_id=session_id), "classic", "en", roster("Managers"))
    assert store.group_sessions(managers) == ["m1", "m2", "x1", "zz", "aa"]
    assert group_of(store, "other") not in {managers, None}  # other members: another roster


def test_the_query_uses_the_index_on_sqlite(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "s.db"):
        pass
    db = sqlite3.connect(tmp_path / "s.db")
    plan = db.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM sessions WHERE group_id = ? ORDER BY created, rowid",
        ("x",),
    ).fetchall()
    assert any("USING INDEX sessions_by_group (group_id=?)" in str(row[-1]) for row in plan), plan
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
                "EXPLAIN SELECT id FROM sessions WHERE group_id = 'x' ORDER BY created, seq"
            )
        )
    assert "sessions_by_group" in plan and "Index Cond: (group_id = 'x'::text)" in plan, plan
    assert "Sort" not in plan, plan


def old_store_sessions(store: SQLStore, clock: FakeClock, classic: Runbook) -> None:
    """Two organisations' cycles as an older store held them: one group name, other members."""
    for session_id, names in (("a1", NAMES), ("b1", ("Victor", "Wendy", "Xavier")), ("a2", NAMES)):
        clock.advance(DAY)
        session = Session(classic, session_id=session_id)
        store.create(session, "classic", "en", roster("Managers 2027", names))
    add(store, clock, classic, "lone", None)


def migrated_groups(store: SQLStore, tmp_path: Path) -> None:
    """The old sessions of one roster are one group, the other organisation's another; a new
    session from a file of the same roster carries on its group, another file of the same
    roster does not take it."""
    group_a, group_b = group_of(store, "a1"), group_of(store, "b1")
    assert group_a is not None and group_b is not None and group_a != group_b
    assert store.group_sessions(group_a) == ["a1", "a2"]
    assert store.group_sessions(group_b) == ["b1"]
    assert group_of(store, "lone") is None
    path = roster_file(tmp_path / "acme")
    book = roster("Managers 2027")
    assert store.roster_group(book, roster_source(path, book)) == group_a  # the cycle page's
    a3 = new_session(store, "classic", path).session_id
    assert store.group_sessions(group_a) == ["a1", "a2", a3]
    copy = new_session(store, "classic", roster_file(tmp_path / "copy")).session_id
    assert group_of(store, copy) not in {group_a, group_b}


def test_a_schema_4_sqlite_store_keeps_its_groups_apart_after_opening(
    tmp_path: Path, clock: FakeClock, classic: Runbook
) -> None:
    path = tmp_path / "four.db"
    with SQLiteStore(path, clock) as store:
        old_store_sessions(store, clock, classic)
    db = sqlite3.connect(path)  # as schema 4 had it: a group was its name (group_key)
    db.execute("DROP INDEX sessions_by_group")
    db.execute("DROP TABLE roster_groups")
    db.execute("ALTER TABLE sessions DROP COLUMN group_id")
    db.execute("ALTER TABLE sessions ADD COLUMN group_key TEXT")
    db.execute("CREATE INDEX sessions_by_group ON sessions(group_key, created)")
    db.execute("UPDATE sessions SET group_key = 'managers 2027' WHERE roster IS NOT NULL")
    db.execute("PRAGMA user_version=4")
    db.commit()
    db.close()
    with SQLiteStore(path, clock) as store:
        assert store._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 8
        migrated_groups(store, tmp_path)
        columns = [r[1] for r in store._db.execute("PRAGMA table_info(sessions)")]
    assert "group_key" not in columns


def test_a_schema_3_sqlite_store_gets_its_groups_after_opening(
    tmp_path: Path, clock: FakeClock, classic: Runbook
) -> None:
    path = tmp_path / "three.db"
    with SQLiteStore(path, clock) as store:
        old_store_sessions(store, clock, classic)
    db = sqlite3.connect(path)  # as schema 3 had it: no group column, no index
    db.execute("DROP INDEX sessions_by_group")
    db.execute("DROP TABLE roster_groups")
    db.execute("ALTER TABLE sessions DROP COLUMN group_id")
    db.execute("PRAGMA user_version=3")
    db.commit()
    db.close()
    with SQLiteStore(path, clock) as store:
        migrated_groups(store, tmp_path)


def test_a_schema_2_postgresql_store_keeps_its_groups_apart_after_opening(
    postgres_url: str, clock: FakeClock, classic: Runbook, tmp_path: Path
) -> None:
    import psycopg

    from codevwidgets.store.postgres import SCHEMA_VERSION as POSTGRES_SCHEMA
    from codevwidgets.store.postgres import PostgresStore

    with PostgresStore(postgres_url, clock) as store:
        old_store_sessions(store, clock, classic)
    with psycopg.connect(postgres_url, autocommit=True) as conn:  # as schema 2 had it
        conn.execute("DROP INDEX sessions_by_group")
        conn.execute("DROP TABLE roster_groups")
        conn.execute("DROP TABLE persons")  # schema 4's
        conn.execute("DROP TABLE days")  # schema 5's
        conn.execute("DROP TABLE topics")  # schema 6's
        conn.execute("DROP TABLE dots")
        conn.execute("ALTER TABLE sessions DROP COLUMN group_id")
        conn.execute("ALTER TABLE sessions ADD COLUMN group_key TEXT")
        conn.execute("CREATE INDEX sessions_by_group ON sessions(group_key, created, seq)")
        conn.execute("UPDATE sessions SET group_key = 'managers 2027' WHERE roster IS NOT NULL")
        conn.execute("DELETE FROM schema_version WHERE version > 2")
    with PostgresStore(postgres_url, clock) as store:
        migrated_groups(store, tmp_path)
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_version ORDER BY 1")]
        columns = [
            r[0]
            for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'sessions'"
            )
        ]
    assert versions == list(range(1, POSTGRES_SCHEMA + 1)) and POSTGRES_SCHEMA == 6
    assert "group_key" not in columns


def test_the_groups_table_holds_no_path_nor_name(
    open_test_store: Callable[..., SQLStore], clock: FakeClock, tmp_path: Path
) -> None:
    """codev sessions delete leaves no text in the files: a group's row is digests only."""
    store = open_test_store()
    session_id = made(store, clock, roster_file(tmp_path / "acme-secret"))
    assert store.delete(session_id)
    with store._query() as db:
        rows = db.execute("SELECT source, group_id FROM roster_groups").fetchall()
    assert rows and not any("acme" in str(row) or "anagers" in str(row) for row in rows)
