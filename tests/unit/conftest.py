"""Shared fixtures: a classic session on a fake clock, with valid roles."""

from __future__ import annotations

import pytest

from codevwidgets.clock import FakeClock
from codevwidgets.roles import Roles
from codevwidgets.runbook import Runbook, load_preset
from codevwidgets.session import Session


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1_800_000_000.0)


@pytest.fixture
def classic() -> Runbook:
    return load_preset("classic")


@pytest.fixture
def session(classic: Runbook, clock: FakeClock) -> Session:
    roles = Roles(client="Ana", facilitator="Farid", advisors=("Bruno", "Chloé", "David"))
    return Session(classic, roles, clock, session_id="test")
