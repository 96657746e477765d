"""``codev serve``: safe Voilà settings, the two links of the contract, a usable session."""

from __future__ import annotations

import os
import queue
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import IO
from urllib.parse import parse_qs, urlsplit

import pytest

from codevwidgets.pages.params import page_url
from codevwidgets.server.serve import (
    PAGES_ARG,
    POOL_SIZE,
    StopSignals,
    free_port,
    open_log,
    port_in_use,
    public_host,
    run_voila,
    start_voila,
    stop_voila,
    voila_command,
    voila_environment,
)
from codevwidgets.store.base import join_code_for
from codevwidgets.store.sqlite import SQLiteStore as SessionStore

STARTED = 60.0  # Voilà answering, from a cold start on a busy 2-core machine
STOPPED = 20.0  # codev serve gone, Voilà and its kernels with it


def test_voila_runs_with_safe_settings() -> None:
    command = voila_command(8870, "127.0.0.1")
    assert "--VoilaConfiguration.strip_sources=True" in command
    assert "--VoilaConfiguration.show_tracebacks=False" in command
    assert "--Voila.ip=127.0.0.1" in command
    assert any(arg.startswith("--MappingKernelManager.cull_idle_timeout=") for arg in command)
    assert "--VoilaExecutor.iopub_timeout=60" in command  # a room joining at once
    assert Path(command[PAGES_ARG], "participant.ipynb").is_file()


def test_participant_kernels_wait_ready_in_a_pool() -> None:
    command = voila_command(8870, "127.0.0.1")
    assert "--preheat_kernel=True" in command
    assert f"--pool_size={POOL_SIZE}" in command
    # The facilitator's page is opened once a session, the cycle's now and then: no kernel
    # waits for them.
    assert "--VoilaKernelManager.preheat_denylist=/facilitator.ipynb" in command
    assert "--VoilaKernelManager.preheat_denylist=/cycle.ipynb" in command
    # One projector per session: a pool for it would double the kernels waiting.
    assert "--VoilaKernelManager.preheat_denylist=/projector.ipynb" in command
    assert not any("preheat" in arg for arg in voila_command(8870, "127.0.0.1", pool=0))


def test_the_pool_serves_participants_wherever_the_kit_lives() -> None:
    """Voilà matches each denylist pattern anywhere in a notebook's whole path (a substring,
    or a regex from its start): a kit installed under a folder named after a page must still
    preheat participants' kernels, and never the other pages'."""
    import re

    patterns = [
        arg.split("=", 1)[1]
        for arg in voila_command(8870, "127.0.0.1")
        if arg.startswith("--VoilaKernelManager.preheat_denylist=")
    ]

    def denied(path: str) -> bool:  # Voilà 0.5's _notebook_filter, inverted
        return any(p in path or re.match(p, path) for p in patterns)

    for folder in ("/srv/facilitator-tools/cycle/customise", "/opt/kit"):
        assert not denied(f"{folder}/notebooks/participant.ipynb")
        for page in ("facilitator", "projector", "cycle", "customise"):
            assert denied(f"{folder}/notebooks/{page}.ipynb")


def test_a_waiting_kernel_reaches_voila_where_it_listens(tmp_path: Path) -> None:
    store = tmp_path / "s.db"
    assert voila_environment(store)["VOILA_APP_IP"] == "127.0.0.1"
    assert voila_environment(store, "0.0.0.0")["VOILA_APP_IP"] == "127.0.0.1"
    assert voila_environment(store, "192.168.1.20")["VOILA_APP_IP"] == "192.168.1.20"


def test_pages_use_the_kits_template_which_fetches_from_no_other_host() -> None:
    from jupyter_core.paths import jupyter_config_path

    from codevwidgets.server.serve import TEMPLATE, VOILA_CONFIG_DIR

    command = voila_command(8870, "127.0.0.1")
    assert f"--VoilaConfiguration.template={TEMPLATE}" in command
    # Not Voilà's templates either, through ?template=… or a notebook's metadata.
    assert "--VoilaConfiguration.allow_template_override=NO" in command
    config_dirs = [
        a.split("=", 1)[1] for a in command if a.startswith("--Voila.config_file_paths=")
    ]
    # Voilà's own config folders (where it runs, then Jupyter's) still count, before the kit's.
    assert config_dirs == [".", *jupyter_config_path(), str(VOILA_CONFIG_DIR)]
    assert (VOILA_CONFIG_DIR / "voila.py").is_file()


def test_voilas_config_file_puts_the_kits_template_on_jupyters_data_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import runpy

    from voila.paths import collect_static_paths, collect_template_paths

    from codevwidgets.server.serve import KIT_DATA_DIR, TEMPLATE, VOILA_CONFIG_DIR

    monkeypatch.setenv("JUPYTER_PATH", "/elsewhere")
    for _ in range(2):  # once on the path, however often Voilà reads its config
        runpy.run_path(str(VOILA_CONFIG_DIR / "voila.py"))
    assert os.environ["JUPYTER_PATH"].split(os.pathsep) == [str(KIT_DATA_DIR), "/elsewhere"]
    found = collect_template_paths(["voila", "nbconvert"], TEMPLATE, prune=True)
    assert Path(found[0]) == KIT_DATA_DIR / "voila" / "templates" / TEMPLATE
    assert (Path(found[0]) / "index.html.j2").is_file()
    # Built on Voilà's lab template, whose static files (Font Awesome among them) it serves.
    assert any(Path(p).parts[-3:] == ("voila", "templates", "lab") for p in found)
    statics = collect_static_paths(["voila", "nbconvert"], TEMPLATE)
    assert any((Path(p) / "voila-style.js").is_file() for p in statics)


class Serve:
    """``codev serve --demo --pool 0`` on a free port, its output read line by line."""

    def __init__(self, tmp_path: Path, *args: str) -> None:
        self.port = free_port()
        self.store = tmp_path / "store" / "s.db"
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "codevwidgets.cli", "serve", "--demo", "--pool", "0"),
                *("--port", str(self.port), "--store", str(self.store), *args),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[tuple[str, str]] = queue.Queue()
        # Killed at teardown, so that a failed test leaves no server behind.
        self.tracked: set[tuple[int, str]] = set()
        self.seen: list[tuple[str, str]] = []
        for name, stream in (("out", self.process.stdout), ("err", self.process.stderr)):
            threading.Thread(target=self._read, args=(name, stream), daemon=True).start()

    def _read(self, name: str, stream: IO[str]) -> None:
        for line in stream:
            self.lines.put((name, line.rstrip("\n")))

    def wait_for(self, prefix: str, stream: str = "out", timeout: float = STARTED) -> str:
        """The first line of ``stream`` starting with ``prefix``, seen already or coming."""
        for name, text in self.seen:
            if name == stream and text.startswith(prefix):
                return text
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            self.seen.append(line)
            if line[0] == stream and line[1].startswith(prefix):
                return line[1]
        raise AssertionError(f"no {stream} line {prefix!r} in {timeout} s; seen: {self.seen}")

    def output(self, stream: str) -> list[str]:
        """Every line of ``stream`` so far."""
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        return [text for name, text in self.seen if name == stream]

    def link(self, role: str) -> str:
        line = next(text for _, text in self.seen if text.startswith(f"{role}: "))
        return line.split(" ", 1)[1]

    def below(self) -> set[tuple[int, str]]:
        """(pid, command line) of the processes below ``codev serve`` now: Voilà, kernels."""
        found = descendants(self.process.pid)
        self.tracked.update(found)
        return found

    def stop(self, signum: int = signal.SIGTERM) -> int:
        """Send ``signum`` to ``codev serve`` alone (not to its group) and wait for it."""
        self.process.send_signal(signum)
        return self.process.wait(timeout=STOPPED)

    def kill(self) -> None:
        """After a failed test: this process and every one seen below it, if still there."""
        if self.process.poll() is None:
            self.below()
            self.process.kill()
        self.process.wait()
        # The same pid and command line: not a pid used anew by another process.
        for pid, _ in self.tracked & processes().keys():
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Serve]]:
    started: list[Serve] = []

    def start(*args: str) -> Serve:
        server = Serve(tmp_path, *args)
        started.append(server)
        return server

    yield start
    for server in started:
        server.kill()


def processes() -> dict[tuple[int, str], int]:
    """Every live (not zombie) process: (pid, command line) -> parent's pid, from /proc."""
    found = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat_line = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        state, ppid = stat_line.rsplit(")", 1)[1].split()[:2]
        if state != "Z":
            found[int(entry.name), cmdline] = int(ppid)
    return found


def descendants(root: int) -> set[tuple[int, str]]:
    """(pid, command line) of every live process below ``root``."""
    children: dict[int, list[tuple[int, str]]] = {}
    for process, ppid in processes().items():
        children.setdefault(ppid, []).append(process)
    found: set[tuple[int, str]] = set()
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child[0])
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=STARTED) as response:
        return str(response.read().decode("utf-8"))


def test_serve_prints_both_links_of_a_stored_session(serve: Callable[..., Serve]) -> None:
    server = serve()
    facilitator_line = server.wait_for("Facilitator: ")
    participants_line = server.wait_for("Participants: ")
    assert server.stop() == 0  # stopped before Voilà answered: it ends all the same
    base = f"http://127.0.0.1:{server.port}/voila/render"
    assert facilitator_line.startswith(f"Facilitator: {base}/facilitator.ipynb?")
    assert participants_line.startswith(f"Participants: {base}/participant.ipynb?")
    facilitator = parse_qs(urlsplit(facilitator_line.split(" ", 1)[1]).query)
    participants = parse_qs(urlsplit(participants_line.split(" ", 1)[1]).query)
    session_id, key = facilitator["session"][0], facilitator["key"][0]
    store = SessionStore(server.store)
    assert store.check_key(session_id, key)
    assert store.check_code(session_id, participants["code"][0])
    assert participants["code"][0] == join_code_for(key)
    assert "key" not in participants  # the participants' link never carries the key
    stored = store.load(session_id, private=True)
    assert stored is not None
    assert stored.state["roles"]["client"] == "Ana"  # the demo group's first client
    assert port_in_use("127.0.0.1", server.port) is None


@pytest.mark.parametrize(
    "signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=["TERM", "INT", "HUP"]
)
def test_a_signal_to_codev_serve_alone_ends_voila_and_every_kernel(
    serve: Callable[..., Serve], tmp_path: Path, signum: int
) -> None:
    server = serve("--log", str(tmp_path / "voila.log"))
    status = server.wait_for("Serving on ")
    assert status == (
        f"Serving on http://127.0.0.1:{server.port} — Voilà's log: {tmp_path / 'voila.log'}"
        " — Ctrl+C to stop"
    )
    # Voilà renders the page with a kernel, which it keeps for the page's widgets.
    assert "ParticipantPage(session=" in fetch(server.link("Participants"))
    below = server.below()
    (voila,) = (pid for pid, cmdline in below if "-m codevwidgets.server.voila_app " in cmdline)
    kernels = {pid for pid, cmdline in below if "ipykernel_launcher" in cmdline}
    assert kernels, f"no kernel below Voilà: {below}"
    # Voilà leads a process group of its own (jupyter_client gives each kernel a session).
    assert os.getpgid(voila) == voila != os.getpgid(server.process.pid)

    assert server.stop(signum) == 0
    assert port_in_use("127.0.0.1", server.port) is None
    assert not [pid for pid in (voila, *kernels) if alive(pid)]
    group = [
        pid for pid in map(int, filter(str.isdigit, os.listdir("/proc"))) if _group_of(pid) == voila
    ]
    assert not group, f"left in Voilà's process group: {group}"
    assert server.output("err") == []


def gone(pids: set[int], timeout: float = STOPPED) -> set[int]:
    """Those of ``pids`` still alive once all have ended or ``timeout`` has passed (a bound)."""
    deadline = time.monotonic() + timeout
    while (left := {pid for pid in pids if alive(pid)}) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def test_kill_9_of_codev_serve_ends_voila_and_its_kernels_and_a_restart_works(
    serve: Callable[..., Serve], tmp_path: Path
) -> None:
    """SIGKILL cannot be caught: Voilà must learn of its parent's death by itself."""
    server = serve("--log", str(tmp_path / "voila.log"))
    server.wait_for("Serving on ")
    assert "ParticipantPage(session=" in fetch(server.link("Participants"))
    below = server.below()
    voila = {pid for pid, cmdline in below if "-m codevwidgets.server.voila_app " in cmdline}
    kernels = {pid for pid, cmdline in below if "ipykernel_launcher" in cmdline}
    assert voila and kernels, below
    server.process.kill()
    server.process.wait()
    assert gone(voila | kernels) == set()
    # Connections Voilà closed may hold the port a moment longer (FIN_WAIT, system-side).
    deadline = time.monotonic() + STOPPED
    while port_in_use("127.0.0.1", server.port) and time.monotonic() < deadline:
        time.sleep(0.1)
    again = serve("--port", str(server.port))  # the last --port is the one taken
    assert again.wait_for("Serving on ").startswith(f"Serving on http://127.0.0.1:{server.port}")


def _group_of(pid: int) -> int | None:
    with suppress(ProcessLookupError):
        return os.getpgid(pid) if alive(pid) else None
    return None


def test_voilas_log_goes_to_a_file_its_owner_alone_reads(
    serve: Callable[..., Serve], tmp_path: Path
) -> None:
    server = serve()  # default: voila.log beside the store
    server.wait_for("Serving on ")
    assert server.stop() == 0
    log = server.store.parent / "voila.log"
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    text = log.read_text(encoding="utf-8")
    assert "Voilà is running at" in text
    assert f"http://127.0.0.1:{server.port}/" in text
    assert not any("[CodevVoila]" in line for line in server.output("err") + server.output("out"))


def test_verbose_sends_voilas_log_to_the_terminal(serve: Callable[..., Serve]) -> None:
    server = serve("--verbose")
    status = server.wait_for("Serving on ")
    assert status == f"Serving on http://127.0.0.1:{server.port} — Ctrl+C to stop"
    server.wait_for("[CodevVoila] Voilà is running at", stream="err", timeout=5)
    assert server.stop() == 0
    assert not (server.store.parent / "voila.log").exists()


def test_log_and_verbose_exclude_each_other(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "codevwidgets.cli", "serve", "--verbose", "--log", "x.log"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "not allowed with argument" in result.stderr


def test_an_existing_log_is_appended_and_made_owner_only(tmp_path: Path) -> None:
    log = tmp_path / "voila.log"
    log.write_text("before\n", encoding="utf-8")
    log.chmod(0o644)
    with open_log(log) as out:
        out.write(b"after\n")
    assert log.read_text(encoding="utf-8") == "before\nafter\n"
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_voila_ending_early_is_said_in_one_line_with_its_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "voila.log"
    command = [sys.executable, "-c", "import sys; print('no such notebook'); sys.exit(3)"]
    with StopSignals() as stop, open_log(log) as out:
        code = run_voila(command, os.environ, out, "http://h:1", "http://127.0.0.1:9/", log, stop)
    assert code == 3
    captured = capsys.readouterr()
    assert captured.out == ""  # no status line: it never answered
    assert captured.err == (
        f"codev: Voilà stopped before answering (exit status 3): see its log, {log}\n"
    )
    assert log.read_text(encoding="utf-8") == "no such notebook\n"


def test_stopping_kills_what_ignores_sigterm(tmp_path: Path) -> None:
    # A stand-in for Voilà, and for a hung kernel in a session of its own (as jupyter_client
    # starts kernels), both deaf to SIGTERM.
    deaf = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"
    ready = tmp_path / "ready"
    voila = (
        "import pathlib, signal, subprocess, sys, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        f"subprocess.Popen([sys.executable, '-c', {deaf!r}], start_new_session=True)\n"
        f"pathlib.Path({str(ready)!r}).touch()\n"
        "time.sleep(60)\n"
    )
    with (tmp_path / "log").open("wb") as out:
        process = start_voila([sys.executable, "-c", voila], os.environ, out)
    deadline = time.monotonic() + 30
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    (kernel,) = descendants(process.pid)
    started = time.monotonic()
    stop_voila(process, grace=0.5)
    assert time.monotonic() - started < 5
    assert process.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 5
    while alive(kernel[0]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(kernel[0])


def test_serve_refuses_a_port_in_use_and_creates_nothing(tmp_path: Path) -> None:
    store = tmp_path / "s.db"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [
                *(sys.executable, "-m", "codevwidgets.cli", "serve", "--port", str(port)),
                *("--store", str(store)),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert result.stderr.startswith(f"codev: --port: cannot listen on 127.0.0.1:{port}: ")
    assert f"process {os.getpid()} (" in result.stderr  # this test's, named
    assert "Traceback" not in result.stderr
    assert not store.exists()


def test_a_port_held_by_a_voila_left_running_says_how_to_end_it(
    serve: Callable[..., Serve],
) -> None:
    server = serve()
    server.wait_for("Serving on ")
    (voila,) = (
        pid for pid, cmdline in server.below() if "codevwidgets.server.voila_app" in cmdline
    )
    refused = subprocess.run(
        [sys.executable, "-m", "codevwidgets.cli", "serve", "--port", str(server.port)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 2
    assert refused.stderr.splitlines() == [
        f"codev: --port: cannot listen on 127.0.0.1:{server.port}: Address already in use;"
        f" process {voila} holds it, a codev serve's Voilà left running: end it with kill {voila}"
    ]


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
            "--port",
            str(free_port()),
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


def test_kernels_are_capped_at_what_the_machine_holds() -> None:
    from codevwidgets.server.serve import default_max_kernels, voila_command

    assert default_max_kernels(8) > 8
    assert default_max_kernels(60) >= 64  # always room beyond the pool
    assert "--RoomKernelManager.max_kernels=40" in voila_command(8870, "127.0.0.1", 8, 40)
    assert not any("max_kernels" in arg for arg in voila_command(8870, "127.0.0.1", 8))


@pytest.mark.parametrize(("value", "pool"), [("0", "0"), ("8", "8"), ("3", "8"), ("10001", "0")])
def test_bad_max_kernels_is_one_line_and_exit_2(tmp_path: Path, value: str, pool: str) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "codevwidgets.cli",
            "serve",
            "--store",
            str(tmp_path / "s.db"),
            "--max-kernels",
            value,
            "--pool",
            pool,
            "--port",
            str(free_port()),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("codev: --max-kernels:")
    assert not (tmp_path / "s.db").exists()  # nothing created


def test_a_visitor_beyond_the_cap_is_told_the_server_is_full(tmp_path: Path) -> None:
    from codevwidgets.server.serve import VoilaProcess
    from codevwidgets.server.sessions import new_session

    store = tmp_path / "store.db"
    with SessionStore(store) as opened:
        secrets = new_session(opened, "classic")
    server = VoilaProcess(tmp_path / "voila", store, args=["--RoomKernelManager.max_kernels=1"])
    try:
        url = server.url("participant.ipynb", session=secrets.session_id, code=secrets.join_code)
        with urllib.request.urlopen(url, timeout=120) as first:
            assert first.status == 200
        with pytest.raises(urllib.error.HTTPError) as full:
            urllib.request.urlopen(url, timeout=120)
        assert full.value.code == 503
        page = full.value.read().decode()
        assert "This server is full" in page
        assert "Traceback" not in page
        assert "https://" not in page  # nothing fetched from elsewhere on this page either
        assert "No kernel for a new page" in server.log_text()
    finally:
        server.stop()


def test_behind_a_balancer_the_links_name_its_address(
    serve: Callable[..., Serve], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CODEV_PUBLIC_URL", "https://codev.example.org/")
    server = serve()
    participants = server.wait_for("Participants: ")
    assert participants.startswith(
        "Participants: https://codev.example.org/voila/render/participant.ipynb?session="
    )
    # The status line still says where this server itself listens.
    assert server.wait_for("Serving on ").startswith(f"Serving on http://127.0.0.1:{server.port}")
    assert server.stop() == 0
    # The balancer reaches this server on loopback; phones reach the balancer.
    assert not any(line.startswith("Phones ") for line in server.output("out"))


@pytest.mark.parametrize("address", ["codev.example.org", "ftp://codev", "http://h/?x=1"])
def test_a_public_address_that_is_not_one_is_one_line_and_exit_2(
    tmp_path: Path, address: str
) -> None:
    result = subprocess.run(
        [
            *(sys.executable, "-m", "codevwidgets.cli", "serve", "--no-session"),
            *("--store", str(tmp_path / "s.db"), "--port", str(free_port())),
        ],
        env={**os.environ, "CODEV_PUBLIC_URL": address},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr == (
        f"codev: CODEV_PUBLIC_URL: {address!r} is not an address like http://HOST[:PORT]\n"
    )
    assert not (tmp_path / "s.db").exists()


# -- links a phone can use (issue 22, item 4) ---------------------------------------------------

HINT = "Phones cannot reach 127.0.0.1: serve the room with codev serve --ip 0.0.0.0"


def test_on_loopback_codev_serve_says_phones_cannot_reach_it(serve: Callable[..., Serve]) -> None:
    server = serve()  # --ip 127.0.0.1, the default, as `make run`
    assert server.wait_for("Phones ") == HINT
    assert server.wait_for("Participants: ").startswith("Participants: http://127.0.0.1:")
    assert server.stop() == 0


def test_on_every_interface_the_links_name_the_machines_address(
    serve: Callable[..., Serve],
) -> None:
    server = serve("--ip", "0.0.0.0")
    participants = server.wait_for("Participants: ")
    host = urlsplit(participants.split(" ", 1)[1]).hostname
    assert host == public_host("0.0.0.0") and host != "0.0.0.0"
    server.wait_for("Serving on ")
    assert server.stop() == 0
    if host is not None and not host.startswith("127."):  # a machine on a network
        assert not any(line.startswith("Phones ") for line in server.output("out"))


def test_public_host_is_the_outgoing_interfaces_address() -> None:
    assert public_host("10.1.2.3") == "10.1.2.3"  # one interface named: that one
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 80))  # UDP: nothing is sent
            expected = probe.getsockname()[0]
        except OSError:
            pytest.skip("no route out of this machine")  # the fallbacks are tested below
    assert public_host("0.0.0.0") == expected
    assert public_host("::") == expected


class NoRoute(socket.socket):
    def connect(self, address: object) -> None:
        raise OSError("Network is unreachable")


def test_public_host_without_a_route_falls_back_to_the_host_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(socket, "socket", NoRoute)
    monkeypatch.setattr(socket, "gethostbyname", lambda name: "192.168.1.20")
    assert public_host("0.0.0.0") == "192.168.1.20"
    # Never the address Voilà listens on: it names no machine a phone could reach.
    monkeypatch.setattr(socket, "gethostbyname", lambda name: "0.0.0.0")
    assert public_host("0.0.0.0") == "127.0.0.1"

    def unknown(name: str) -> str:
        raise socket.gaierror("Name or service not known")

    monkeypatch.setattr(socket, "gethostbyname", unknown)
    assert public_host("0.0.0.0") == "127.0.0.1"  # and the console and codev serve say so
