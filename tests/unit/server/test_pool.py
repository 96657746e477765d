"""``codev serve --pool auto``: the pools sized from the days and sessions a store expects
(pure ``auto_pools``; ``expected`` read from real stores), Voilà's command line for them, and
the command's input."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.day import form_day
from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.demo import DEMO_ROSTER
from codevwidgets.server.pool import MARGIN, Expected, auto_pools, expected
from codevwidgets.server.serve import voila_command
from codevwidgets.server.sessions import new_session
from codevwidgets.store.sql import SQLStore

DAY = 24 * 3600


def test_a_day_of_24_gets_a_room_pool_of_its_people_and_a_margin() -> None:
    pools = auto_pools(Expected(room=24, personal=0, consoles=5, days=1), max_kernels=100)
    assert (pools.room, pools.personal) == (24 + MARGIN, 1)
    assert "1 day(s) expecting 24 more" in pools.why


def test_sessions_alone_keep_no_room_pool() -> None:
    pools = auto_pools(Expected(room=0, personal=14, consoles=2, sessions=2), max_kernels=100)
    assert (pools.room, pools.personal) == (0, 14 + MARGIN)


def test_nothing_expected_still_keeps_one_kernel_ready() -> None:
    pools = auto_pools(Expected(room=0, personal=0, consoles=0), max_kernels=100)
    assert (pools.room, pools.personal, pools.total) == (0, 1, 1)


def test_the_pools_stay_within_max_kernels_keeping_room_for_consoles() -> None:
    pools = auto_pools(
        Expected(room=48, personal=10, consoles=7, days=1, sessions=1), max_kernels=40
    )
    # 40 kernels: 7 consoles and one spare kept, 32 to wait for people.
    assert pools.total == 32 and pools.personal >= 1
    assert "within --max-kernels 40, 7 kept for consoles" in pools.why
    tiny = auto_pools(Expected(room=48, personal=0, consoles=7, days=1), max_kernels=2)
    assert tiny.total < 2


def test_what_a_store_expects(open_test_store: Callable[..., SQLStore], clock: FakeClock) -> None:
    store = open_test_store()
    classic = load_preset("classic")
    # Yesterday's session, never ended: history, not expected.
    old = open_test_store(FakeClock(clock() - 2 * DAY))
    new_session(old, "classic", DEMO_ROSTER)
    # A day of 12 free names in 2 groups; one person's page is already connected.
    day = form_day(12, classic, groups=2, session_ids=["g1", "g2"])
    store.create_day(day, [Session(classic, session_id=g.session_id) for g in day.groups])
    store.seen("g1", "page-1", "Ana")
    # A session of the demo roster (its names), and one that has ended.
    demo = new_session(store, "classic", DEMO_ROSTER)
    ended = Session(classic, Roles("Ana", "Bo", ("Cy", "Di")), clock, session_id="ended")
    ended.start()
    ended.finish()
    store.create(ended, "classic", "en")

    found = expected(store, clock())
    names = store.load(demo.session_id, private=False)
    assert names is not None and names.names
    assert found == Expected(
        room=11, personal=len(names.names) + 2, consoles=2 + 1 + 1, days=1, sessions=1
    )


def test_a_day_whose_groups_all_ended_is_not_expected(
    open_test_store: Callable[..., SQLStore], clock: FakeClock
) -> None:
    store = open_test_store()
    classic = load_preset("classic")
    day = form_day(8, classic, groups=2, session_ids=["g1", "g2"])
    sessions = [
        Session(classic, Roles("A", "B", ("C", "D")), clock, g.session_id) for g in day.groups
    ]
    for session in sessions:
        session.start()
        session.finish()
    store.create_day(day, sessions)
    assert expected(store, clock()) == Expected(0, 0, 0)


def test_voila_keeps_a_pool_for_the_room_page_only_when_asked() -> None:
    command = voila_command(8870, "127.0.0.1", 3, room_pool=26)
    [sizes] = [a for a in command if a.startswith("--VoilaKernelManager.kernel_pools_config=")]
    config = json.loads(sizes.split("=", 1)[1])
    assert config == {"default": {"pool_size": 3}, "join.ipynb": {"pool_size": 26}}
    assert "--VoilaKernelManager.preheat_denylist=/join.ipynb" not in command
    # A day's overview is opened once a day: never pooled.
    assert "--VoilaKernelManager.preheat_denylist=/day.ipynb" in command
    plain = voila_command(8870, "127.0.0.1", 8)
    assert "--VoilaKernelManager.preheat_denylist=/join.ipynb" in plain
    assert not any("kernel_pools_config" in a for a in plain)
    # No participants' pool, but a room's: preheating stays on.
    assert "--preheat_kernel=True" in voila_command(8870, "127.0.0.1", 0, room_pool=5)


@pytest.mark.parametrize("pool", ["lots", "-1", "65", "2.5", ""])
def test_a_bad_pool_is_one_line_and_exit_2(tmp_path: Path, pool: str) -> None:
    store = tmp_path / "s.db"
    result = subprocess.run(
        [sys.executable, "-m", "codevwidgets.cli", "serve", "--pool", pool, "--store", str(store)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line == f"codev: --pool: {pool!r} is not a number of kernels from 0 to 64, nor auto"
    assert not store.exists()


def test_serve_with_pool_auto_says_what_it_keeps_ready_and_why(tmp_path: Path) -> None:
    from tests.unit.server.test_serve import Serve

    # The demo's session is expected: its group and a margin, within 3 kernels (one kept
    # for its console, one spare): one kernel waits.
    server = Serve(tmp_path, "--pool", "auto", "--max-kernels", "3")
    try:
        line = server.wait_for("Pool: ")
        assert line.startswith("Pool: 1 kernel(s) (1 for participant.ipynb; auto: 0 day(s)")
        assert "1 session(s) expecting" in line
        assert "within --max-kernels 3, 1 kept for consoles" in line
        server.wait_for("Serving on ")
        assert server.stop() == 0
    finally:
        server.kill()
