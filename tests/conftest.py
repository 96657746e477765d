"""Fixtures for every layer: a PostgreSQL server (tests/postgres_server.py).

Locally, without PostgreSQL's binaries (``apt install postgresql``) or psycopg, the tests
that need it skip with the reason; on CI (``CI=true``) they fail: a CI image without them
would pass the PostgreSQL store untested.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from postgres_server import PostgresServer, binaries


def postgres_unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: the PostgreSQL store must be tested)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole run, stopped (and its folder removed) at the end."""
    try:
        import psycopg  # noqa: F401
        import psycopg_pool  # noqa: F401
    except ImportError:
        postgres_unavailable("psycopg or psycopg-pool is not installed (pip install -e .)")
    bin_dir = binaries()
    if bin_dir is None:
        postgres_unavailable(
            "no PostgreSQL server binaries (apt install postgresql, or set CODEV_POSTGRES_BIN)"
        )
        raise AssertionError  # unreachable: skip and fail raise
    server = PostgresServer(bin_dir)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """The URL of a new, empty database, dropped after the test."""
    url = postgres_server.new_database()
    try:
        yield url
    finally:
        postgres_server.drop_database(url)
