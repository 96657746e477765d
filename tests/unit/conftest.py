"""Shared fixtures: a classic session on a fake clock, with valid roles; stores of both kinds."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import Runbook, load_preset, load_runbook
from codevwidgets.core.session import Session
from codevwidgets.store.open import open_store
from codevwidgets.store.sql import SQLStore


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1_800_000_000.0)


@pytest.fixture
def classic() -> Runbook:
    return load_preset("classic")


@pytest.fixture
def choosing(tmp_path: Path) -> Runbook:
    """Classic with the library step ``topic_choice`` before the presentation, as a client
    file adds it: the group chooses its topic by dots (core.topics)."""
    path = tmp_path / "choosing.yaml"
    path.write_text(
        "extends: classic\nsteps:\n  - {id: topic_choice, before: presentation}\n",
        encoding="utf-8",
    )
    return load_runbook(path)


@pytest.fixture
def session(classic: Runbook, clock: FakeClock) -> Session:
    roles = Roles(client="Ana", facilitator="Farid", advisors=("Bruno", "Chloé", "David"))
    return Session(classic, roles, clock, session_id="test")


# -- stores: the store-semantics tests run against SQLite and PostgreSQL ----------------------


@pytest.fixture(params=["sqlite", "postgres"])
def store_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a test's store is: a SQLite file, or a new PostgreSQL database (its URL)."""
    if request.param == "sqlite":
        return str(tmp_path / "store.db")
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def open_test_store(store_location: str, clock: FakeClock) -> Iterator[Callable[..., SQLStore]]:
    """Opens the test's store as one more kernel would (connections of its own); every store
    opened is closed at teardown."""
    opened: list[SQLStore] = []

    def open_(at: FakeClock | None = None) -> SQLStore:
        store = open_store(store_location, at or clock)
        assert isinstance(store, SQLStore)
        opened.append(store)
        return store

    yield open_
    for store in reversed(opened):
        store.close()
