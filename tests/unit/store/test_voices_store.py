"""One person, one voice in the store, on both engines: a name's first page keeps it, a
second page is refused and the console told, personal links' secrets and claims; the stores
made before (SQLite schema 4, PostgreSQL schema 2) get the table on opening."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command
from codevwidgets.core.contributions import evaluation_average
from codevwidgets.core.roles import Roles
from codevwidgets.core.roster import Member, Roster
from codevwidgets.core.runbook import Runbook
from codevwidgets.core.session import Session
from codevwidgets.core.signals import SPOKE_TWICE
from codevwidgets.core.voices import RefusedError, spoke_twice
from codevwidgets.store.base import Secrets, person_secret_for
from codevwidgets.store.sql import SQLStore
from codevwidgets.store.sqlite import SCHEMA_VERSION, SQLiteStore

GROUP = ("Ana", "Bruno", "Chloé", "David")
ROSTER = Roster(group="Team", facilitator="rotate", members=[Member(name=n) for n in GROUP])
CONCLUSION = 5


def held(store: SQLStore, book: Runbook, step: int = CONCLUSION) -> Secrets:
    session = Session(book, Roles("Ana", "Farid", ("Bruno", "Chloé", "David")), session_id="s")
    secrets = store.create(session, "classic", "en", ROSTER)
    store.execute("s", Command("start"))
    store.execute("s", Command("go_to", {"index": step}))
    return secrets


def rate(store: SQLStore, name: str, score: int, page: str) -> None:
    store.add_contribution("s", "conclusion", name, str(score), "evaluation", page)


def test_the_four_names_phone_counts_once(
    open_test_store: Callable[..., SQLStore], classic: Runbook
) -> None:
    """The reported case: Bruno rates 5 on his phone; another phone rates 1 as Ana, then as
    Bruno, Chloé and David. Only Ana's 1 and Bruno's own 5 are stored."""
    store = open_test_store()
    held(store, classic)
    rate(store, "Bruno", 5, "bruno-phone")
    rate(store, "Ana", 1, "phone")
    for name in ("Bruno", "Chloé", "David"):
        with pytest.raises(RefusedError) as refused:
            rate(store, name, 1, "phone")
        assert (refused.value.key, refused.value.name) == ("voice.page_spoke", "Ana")
    # Another kernel (a reload of the phone: the same page id) sees the same binding.
    again = open_test_store()
    with pytest.raises(RefusedError):
        rate(again, "Chloé", 1, "phone")
    rate(again, "ana", 2, "phone")  # Ana changes her mind on her page
    items = again.contributions("s", include_hidden=True)
    assert [(c.author, c.text) for c in items] == [("Bruno", "5"), ("Ana", "1"), ("ana", "2")]
    assert evaluation_average(items, GROUP) == (3.5, 2)
    # Nothing for the console to flag: the phone never spoke under a name another page had.
    assert spoke_twice(again.signals("s")) == []


def test_a_second_device_under_a_rated_name_is_refused_and_the_console_told(
    open_test_store: Callable[..., SQLStore], classic: Runbook
) -> None:
    store = open_test_store()
    held(store, classic)
    rate(store, "Bruno", 5, "bruno-phone")
    revision = store.revision("s")
    with pytest.raises(RefusedError) as refused:
        rate(store, " bruno ", 1, "other-phone")
    assert (refused.value.key, refused.value.name) == ("voice.spoke_elsewhere", "Bruno")
    # The first rating stays; the refusal is written for the console (and wakes it).
    assert [c.text for c in store.contributions("s", include_hidden=True)] == ["5"]
    assert store.revision("s") == revision + 1
    console = store.load("s", private=True)
    assert console is not None
    assert spoke_twice(console.session().signals) == ["Bruno"]
    # A participant's kernel loads no such row.
    public = store.load("s", private=False)
    assert public is not None
    assert all(s["kind"] != SPOKE_TWICE for s in public.state["signals"])
    assert store.persons("s").spoke == {"bruno": ("Bruno", "bruno-phone")}


def test_contributions_under_a_name_follow_the_same_rule(
    open_test_store: Callable[..., SQLStore], classic: Runbook
) -> None:
    store = open_test_store()
    held(store, classic, step=3)  # consultation: ideas
    store.add_contribution("s", "consultation", "Chloé", "Try pairing", None, "laptop")
    with pytest.raises(RefusedError, match="spoke_elsewhere"):
        store.add_contribution("s", "consultation", "Chloé", "Mine too", None, "other")
    with pytest.raises(RefusedError, match="page_spoke"):
        store.add_contribution("s", "consultation", "David", "As David", None, "laptop")
    # Anonymous: nobody's voice, from any page.
    store.add_contribution("s", "consultation", None, "Quietly", None, "laptop")
    store.add_contribution("s", "consultation", None, "Quietly too", None, "other")
    texts = [c.text for c in store.contributions("s")]
    assert texts == ["Try pairing", "Quietly", "Quietly too"]
    assert spoke_twice(store.signals("s")) == ["Chloé"]


def test_personal_secrets_are_checked_by_name(
    open_test_store: Callable[..., SQLStore], classic: Runbook
) -> None:
    store = open_test_store()
    secrets = held(store, classic)
    chloe = person_secret_for(secrets.facilitator_key, "Chloé")
    assert store.check_person("s", "Chloé", chloe)
    assert store.check_person("s", " chloé ", chloe)  # names compare as names
    assert chloe != person_secret_for(secrets.facilitator_key, "Ana")
    for session_id, name, secret in [
        ("s", "Ana", chloe),  # another person's
        ("s", "Chloé", secrets.join_code),
        ("s", "Chloé", ""),
        ("s", "Chloé", None),
        ("nope", "Chloé", chloe),
        ("s", "Chloé", "x\x00"),
        ("s", "Chloé", "\udc80"),
        ("s", None, chloe),
    ]:
        assert not store.check_person(session_id, name, secret), (session_id, name, secret)


def test_the_first_page_through_a_personal_link_keeps_the_claim(
    open_test_store: Callable[..., SQLStore], classic: Runbook
) -> None:
    store = open_test_store()
    held(store, classic)
    store.claim("s", "Chloé", "p3")
    store.claim("s", "chloé", "p4")
    rate(store, "Chloé", 4, "p3")
    persons = open_test_store().persons("s")
    assert persons.claimed == {"chloé": "p3"}
    assert persons.spoke == {"chloé": ("Chloé", "p3")}
    # Deleting the session leaves none of it.
    assert store.delete("s")
    assert store.persons("s").claimed == {} and store.persons("s").spoke == {}


def test_a_schema_5_sqlite_store_gets_its_persons_on_opening(
    tmp_path: Path, clock: FakeClock, classic: Runbook
) -> None:
    path = tmp_path / "four.db"
    with SQLiteStore(path, clock) as store:
        held(store, classic)
    db = sqlite3.connect(path)  # as schema 5 had it: no persons
    db.execute("DROP TABLE persons")
    db.execute("PRAGMA user_version=5")
    db.commit()
    db.close()
    with SQLiteStore(path, clock) as store:
        assert store._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 8
        rate(store, "Ana", 4, "p1")
        with pytest.raises(RefusedError):
            rate(store, "Ana", 1, "p2")


def test_a_schema_3_postgresql_store_gets_its_persons_on_opening(
    postgres_url: str, clock: FakeClock, classic: Runbook
) -> None:
    import psycopg

    from codevwidgets.store.postgres import SCHEMA_VERSION as POSTGRES_SCHEMA
    from codevwidgets.store.postgres import PostgresStore

    with PostgresStore(postgres_url, clock) as store:
        held(store, classic)
    with psycopg.connect(postgres_url, autocommit=True) as conn:  # as schema 3 had it
        conn.execute("DROP TABLE persons")
        conn.execute("DROP TABLE days")  # schema 5's
        conn.execute("DROP TABLE topics")  # schema 6's
        conn.execute("DROP TABLE dots")
        conn.execute("DELETE FROM schema_version WHERE version > 3")
    with PostgresStore(postgres_url, clock) as store:
        rate(store, "Ana", 4, "p1")
        with pytest.raises(RefusedError):
            rate(store, "Ana", 1, "p2")
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_version ORDER BY 1")]
    assert versions == list(range(1, POSTGRES_SCHEMA + 1)) and POSTGRES_SCHEMA >= 4
