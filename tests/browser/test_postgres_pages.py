"""A session on the PostgreSQL store, in real pages: Voilà's kernels open the database that
``CODEV_STORE`` names, follow it through LISTEN/NOTIFY, and write to it.

(Several servers sharing one database, behind HAProxy, are tested with the deployment.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_live_session import (
    NOTEBOOKS,
    contexts,
    facilitator,
    next_step,
    participant,
    start,
    submit,
    title,
    wait_contribution,
    wait_running,
    wait_title,
)

from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.server.serve import VoilaProcess
from codevwidgets.store.postgres import PostgresStore

pytestmark = pytest.mark.browser


@pytest.fixture
def server(postgres_url: str, tmp_path: Path) -> Iterator[VoilaProcess]:
    try:
        server = VoilaProcess(tmp_path / "voila", postgres_url, NOTEBOOKS)
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server
    finally:
        server.stop()


def test_a_facilitator_and_a_participant_follow_each_other_through_postgresql(
    chromium: Any, server: VoilaProcess, postgres_url: str
) -> None:
    assert server.env["CODEV_STORE"] == postgres_url
    session = Session(load_preset("classic"), Roles("Ana", "Bruno", ("Chloé", "David", "Emma")))
    with PostgresStore(postgres_url) as store:
        secrets = store.create(session, "classic", "en")
    dialogs: list[str] = []
    with contexts(chromium, {}, {}) as (desk, laptop):
        boss = facilitator(desk, server, secrets)
        chloe = participant(laptop, server, secrets, dialogs, name="Chloé")
        assert title(chloe) == "Presentation of the problem"
        start(boss)
        wait_running(chloe)
        next_step(boss)
        wait_title(chloe, "Clarifying questions")
        chloe.wait_for_selector(".codev-contribution-input textarea", state="visible")
        submit(chloe, "Why <b>now</b>?")
        wait_contribution(boss, "Why <b>now</b>?")
        assert "Traceback" not in chloe.content() + boss.content()
    with PostgresStore(postgres_url) as store:
        assert [c.text for c in store.contributions(secrets.session_id)] == ["Why <b>now</b>?"]
        stored = store.load(secrets.session_id, private=True)
        assert (
            stored is not None and stored.state["steps"][stored.state["index"]] == "clarification"
        )
    assert dialogs == []
