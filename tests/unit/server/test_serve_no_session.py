"""``codev serve --no-session``: a server for the sessions already in the store, creating none
and printing no links; the options that would make a session are refused in one line."""

from __future__ import annotations

import queue
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from codevwidgets.cli import main
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.demo import DEMO_ROSTER
from codevwidgets.server.serve import free_port
from codevwidgets.store.sqlite import SQLiteStore

STARTED = 60.0


@pytest.mark.parametrize(
    ("extra", "option"),
    [(["--demo"], "--demo"), (["--runbook", "flash"], "--runbook")],
)
def test_options_that_make_a_session_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], option: str
) -> None:
    store = tmp_path / "s.db"
    assert main(["serve", "--no-session", "--store", str(store), *extra]) == 2
    assert capsys.readouterr().err == (
        f"codev: {option}: not with --no-session, which creates no session\n"
    )
    assert not store.exists()


def test_a_bad_roster_is_said_before_anything_is_stored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roster = tmp_path / "group.yaml"
    roster.write_text("group: x\nmembers: [{name: Ana}]\n", encoding="utf-8")
    store = tmp_path / "s.db"
    args = ["serve", "--no-session", "--roster", str(roster), "--store", str(store)]
    assert main([*args, "--port", str(free_port())]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{roster}:") and "Traceback" not in err
    assert not store.exists()


class NoSessionServer:
    def __init__(self, store: Path, *args: str) -> None:
        self.port = free_port()
        command = [sys.executable, "-m", "codevwidgets.cli", "serve", "--no-session"]
        command += ["--pool", "0", "--port", str(self.port), "--store", str(store), *args]
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def until_serving(self) -> list[str]:
        """Its stdout lines up to and with the ``Serving on`` line."""
        seen: list[str] = []
        deadline = time.monotonic() + STARTED
        while time.monotonic() < deadline:
            try:
                seen.append(self.lines.get(timeout=1))
            except queue.Empty:
                continue
            if seen[-1].startswith("Serving on "):
                return seen
        raise AssertionError(f"not serving after {STARTED} s: {seen}")

    def page(self, notebook: str, query: str) -> str:
        """The page's HTML, or a refused link's (403: the server's door, no kernel)."""
        url = f"http://127.0.0.1:{self.port}/voila/render/{notebook}?{query}"
        try:
            with urllib.request.urlopen(url, timeout=STARTED) as response:
                return str(response.read().decode("utf-8"))
        except urllib.error.HTTPError as refused:
            if refused.code != 403:
                raise
            return str(refused.read().decode("utf-8"))

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=20)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def test_serves_the_stored_sessions_pages_and_creates_none(tmp_path: Path) -> None:
    store = tmp_path / "s.db"
    with SQLiteStore(store) as opened:
        secrets = opened.create(Session(load_preset("classic")), "classic", "en")
    server = NoSessionServer(store, "--roster", str(DEMO_ROSTER))
    try:
        lines = server.until_serving()
        assert lines == [
            # Served on 127.0.0.1 (the default): no phone reaches it, and the server says so.
            "Phones cannot reach 127.0.0.1: serve the room with codev serve --ip 0.0.0.0",
            f"Serving on http://127.0.0.1:{server.port} — Voilà's log: "
            f"{tmp_path / 'voila.log'} — Ctrl+C to stop",
        ]
        query = f"session={secrets.session_id}&code={secrets.join_code}"
        assert "ProjectorView(session=" in server.page("projector.ipynb", query)
        assert server.stop() == 0
    finally:
        server.kill()
    assert not [line for line in server.lines.queue if line.startswith(("Facilitator", "Partic"))]
    with SQLiteStore(store) as opened:
        assert [s.id for s in opened.summaries()] == [secrets.session_id]


def test_an_empty_store_stays_empty(tmp_path: Path) -> None:
    store = tmp_path / "s.db"
    server = NoSessionServer(store)
    try:
        assert server.until_serving()[-1].startswith("Serving on ")
        assert server.stop() == 0
    finally:
        server.kill()
    with SQLiteStore(store) as opened:
        assert opened.summaries() == []
