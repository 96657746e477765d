"""``codev serve``: safe Voilà settings, the two links of the contract, a usable session."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from codevwidgets.pageparams import page_url
from codevwidgets.serve import POOL_SIZE, voila_command, voila_environment
from codevwidgets.store import SessionStore, join_code_for


def test_voila_runs_with_safe_settings() -> None:
    command = voila_command(8870, "127.0.0.1")
    assert "--VoilaConfiguration.strip_sources=True" in command
    assert "--VoilaConfiguration.show_tracebacks=False" in command
    assert "--Voila.ip=127.0.0.1" in command
    assert any(arg.startswith("--MappingKernelManager.cull_idle_timeout=") for arg in command)
    assert "--VoilaExecutor.iopub_timeout=60" in command  # a room joining at once
    assert Path(command[1], "participant.ipynb").is_file()


def test_participant_kernels_wait_ready_in_a_pool() -> None:
    command = voila_command(8870, "127.0.0.1")
    assert "--preheat_kernel=True" in command
    assert f"--pool_size={POOL_SIZE}" in command
    # The facilitator's page is opened once a session: no kernel waits for it.
    assert "--VoilaKernelManager.preheat_denylist=facilitator" in command
    assert not any("preheat" in arg for arg in voila_command(8870, "127.0.0.1", pool=0))


def test_a_waiting_kernel_reaches_voila_where_it_listens(tmp_path: Path) -> None:
    store = tmp_path / "s.db"
    assert voila_environment(store)["VOILA_APP_IP"] == "127.0.0.1"
    assert voila_environment(store, "0.0.0.0")["VOILA_APP_IP"] == "127.0.0.1"
    assert voila_environment(store, "192.168.1.20")["VOILA_APP_IP"] == "192.168.1.20"


def test_serve_prints_both_links_of_a_stored_session(tmp_path: Path) -> None:
    store_file = tmp_path / "store.db"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "codevwidgets.cli",
            "serve",
            "--demo",
            "--port",
            "0",
            "--store",
            str(store_file),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline().strip() for _ in range(2)]
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    assert lines[0].startswith("Facilitator: http://127.0.0.1:0/voila/render/facilitator.ipynb?")
    assert lines[1].startswith("Participants: http://127.0.0.1:0/voila/render/participant.ipynb?")
    facilitator = parse_qs(urlsplit(lines[0].split(" ", 1)[1]).query)
    participants = parse_qs(urlsplit(lines[1].split(" ", 1)[1]).query)
    session_id, key = facilitator["session"][0], facilitator["key"][0]
    store = SessionStore(store_file)
    assert store.check_key(session_id, key)
    assert store.check_code(session_id, participants["code"][0])
    assert participants["code"][0] == join_code_for(key)
    assert "key" not in participants  # the participants' link never carries the key
    stored = store.load_state(session_id)
    assert stored is not None
    assert stored.state["roles"]["client"] == "Ana"  # the demo group's first client


def test_serve_with_a_bad_runbook_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("extends: nope\n", encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "codevwidgets.cli",
            "serve",
            "--runbook",
            str(bad),
            "--store",
            str(tmp_path / "s.db"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.startswith(f"{bad}:1: extends: unknown preset 'nope'")


@pytest.mark.parametrize("pool", ["-1", "65", "many"])
def test_serve_with_a_bad_pool_exits_2_and_creates_nothing(tmp_path: Path, pool: str) -> None:
    store = tmp_path / "s.db"
    result = subprocess.run(
        [sys.executable, "-m", "codevwidgets.cli", "serve", "--pool", pool, "--store", str(store)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--pool" in result.stderr and "Traceback" not in result.stderr
    assert not store.exists()


def test_page_links() -> None:
    query = {"session": "S", "code": "C"}
    assert page_url("participant.ipynb", query, {"CODEV_PUBLIC_URL": "http://10.0.0.5:8866/"}) == (
        "http://10.0.0.5:8866/voila/render/participant.ipynb?session=S&code=C"
    )
    request = "http://host:9000/voila/render/facilitator.ipynb?session=S&key=K"
    assert page_url("participant.ipynb", query, {"VOILA_REQUEST_URL": request}) == (
        "http://host:9000/voila/render/participant.ipynb?session=S&code=C"
    )
    assert page_url("participant.ipynb", query, {}) == "participant.ipynb?session=S&code=C"
