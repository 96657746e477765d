"""Several ``codev serve --no-session`` behind HAProxy (``deploy/``), as an operator runs them.

Two servers share one store and sit behind Debian's HAProxy with ``deploy/haproxy.cfg`` (only
the addresses differ, given as its environment variables); each server runs the command line
of ``deploy/codev-serve@.service``. Sessions are made with ``codev sessions new`` and every
page is opened through HAProxy, each person in a browser context of their own (their own
device: their own sticky cookie).

The store is ``store_location``: a SQLite file, and for the spread test PostgreSQL too.
HAProxy, Chromium or root (the configuration drops root for user ``haproxy`` in a chroot, as
Debian's service does) missing: skipped locally with the reason, failed on CI.
"""

from __future__ import annotations

import collections
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from conftest import unavailable
from test_live_session import (
    LOAD_TIMEOUT_MS,
    contexts,
    next_step,
    start,
    wait_running,
    wait_title,
)

from codevwidgets.server.serve import free_port
from codevwidgets.server.voila_app import HEALTH_PATH

pytestmark = pytest.mark.browser

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
STARTED = 90.0  # a server answering, from a cold start on a busy 2-core machine
COOKIE = "CODEV_SERVER"
SERVERS = ("codev1", "codev2")  # deploy/haproxy.cfg's server names, also their cookie values
NAMES = ("Ana", "Bruno", "Chloé", "David", "Emma", "Farid")


@pytest.fixture
def store_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The store every server shares: a SQLite file, or (parametrised ``"postgresql"``) a
    database of its own on the test PostgreSQL server: servers on several machines."""
    if getattr(request, "param", "sqlite") == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    folder = tmp_path / "store"
    folder.mkdir()
    return str(folder / "sessions.db")


@pytest.fixture
def haproxy() -> str:
    # Debian puts it in /usr/sbin, on root's PATH only.
    found = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/sbin")
    if found is None:
        unavailable("no haproxy on this machine (apt-get install haproxy)")
    if os.geteuid() != 0:
        unavailable("deploy/haproxy.cfg drops root for user haproxy in a chroot: run as root")
    return str(found)


def serve_command(port: int, logs: Path, options: list[str]) -> list[str]:
    """``codev-serve@PORT.service``'s command, with this checkout's ``codev`` and ``options``
    as ``CODEV_SERVE_OPTIONS``."""
    (line,) = [
        x
        for x in (DEPLOY / "codev-serve@.service").read_text().splitlines()
        if x.startswith("ExecStart=")
    ]
    words = shlex.split(line.removeprefix("ExecStart="))
    command = [str(Path(sys.executable).with_name("codev"))]
    for word in words[1:]:
        if word == "$CODEV_SERVE_OPTIONS":
            command += options
        else:
            command.append(word.replace("%i", str(port)).replace("/var/log/codev", str(logs)))
    return command


class Server:
    """One ``codev serve --no-session``, as its systemd unit runs it."""

    def __init__(self, workdir: Path, store: str, public_url: str, options: list[str]) -> None:
        self.port = free_port()
        self.log = workdir / f"voila-{self.port}.log"
        env = {
            **os.environ,
            "CODEV_STORE": store,
            "CODEV_PUBLIC_URL": public_url,
            "JUPYTER_RUNTIME_DIR": str(workdir / f"runtime-{self.port}"),
        }
        self.output_path = workdir / f"serve-{self.port}.out"
        self.output = self.output_path.open("wb")
        self.process = subprocess.Popen(
            serve_command(self.port, workdir, options),
            env=env,
            stdout=self.output,
            stderr=subprocess.STDOUT,
        )

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def health(self) -> tuple[int, dict[str, int]]:
        url = f"http://{self.address}{HEALTH_PATH}"
        try:
            with urllib.request.urlopen(url, timeout=10) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as full:
            return full.code, json.loads(full.read())

    def kernels(self) -> int:
        return self.health()[1]["kernels"]

    def wait_ready(self) -> None:
        deadline = time.monotonic() + STARTED
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                self.health()
                return
            except OSError:
                time.sleep(0.3)
        self.output.flush()
        said = self.output_path.read_text(errors="replace") if self.output_path.exists() else ""
        pytest.fail(
            f"codev serve on {self.port} did not answer (exit status {self.process.poll()}):\n"
            f"{said[-2000:]}\n{self.log_text()[-2000:]}"
        )

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        # As systemd stops the unit: SIGTERM; codev serve ends Voilà and every kernel.
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.output.close()


class HAProxy:
    """Debian's HAProxy on ``deploy/haproxy.cfg``, given its addresses in its environment."""

    def __init__(self, binary: str, workdir: Path, port: int, servers: list[Server]) -> None:
        self.port = port
        self.socket = workdir / "haproxy.sock"
        self.log = workdir / "haproxy.log"
        env = {
            **os.environ,
            "CODEV_BIND": f"127.0.0.1:{self.port}",
            "CODEV_HAPROXY_SOCKET": str(self.socket),
            **{f"CODEV_SERVER_{n}": s.address for n, s in enumerate(servers, start=1)},
        }
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [binary, "-f", str(DEPLOY / "haproxy.cfg")],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self, line: str) -> str:
        """One command on HAProxy's admin socket (``show stat``, ``shutdown sessions …``)."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as admin:
            admin.settimeout(10)
            admin.connect(str(self.socket))
            admin.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := admin.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def stats(self, column: str) -> dict[str, str]:
        """One column of ``show stat`` for each server of the ``codev`` backend."""
        lines = self.command("show stat").splitlines()
        header = lines[0].lstrip("# ").split(",")
        rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:] if line]
        return {
            row["svname"]: row[column]
            for row in rows
            if row["pxname"] == "codev" and row["svname"] in SERVERS
        }

    def states(self) -> dict[str, str]:
        """Each server: ``UP``, ``DOWN``… as HAProxy's health checks see it."""
        return self.stats("status")

    def wait_connections(self, server: str, count: int, timeout: float = 30.0) -> None:
        """Until ``server`` holds at least ``count`` connections (each page's websocket is one)."""
        deadline = time.monotonic() + timeout
        while int(self.stats("scur")[server]) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{server} holds {self.stats('scur')}, not {count}")
            time.sleep(0.2)

    def wait_states(self, expected: dict[str, str], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while (states := self.states()) != expected:
            if time.monotonic() > deadline:
                raise AssertionError(f"HAProxy sees {states}, not {expected}:\n{self.log_text()}")
            time.sleep(0.2)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + STARTED
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                self.states()
                return
            except OSError:
                time.sleep(0.1)
        pytest.fail(f"haproxy did not start:\n{self.log_text()}")

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextmanager
def deployment(
    binary: str, workdir: Path, store: str, *options: list[str]
) -> Iterator[tuple[HAProxy, list[Server]]]:
    """HAProxy in front of one server per ``options``, all on ``store``; all stopped after."""
    front_port = free_port()
    public = f"http://127.0.0.1:{front_port}"
    servers: list[Server] = []
    front: HAProxy | None = None
    try:
        for server_options in options:
            servers.append(Server(workdir, store, public, server_options))
        for server in servers:
            server.wait_ready()
        front = HAProxy(binary, workdir, front_port, servers)
        front.wait_ready()
        yield front, servers
    finally:
        if front is not None:
            front.stop()
        for server in servers:
            server.stop()


def new_session(store: str, front: HAProxy) -> tuple[str, str]:
    """``codev sessions new`` for the servers behind ``front``: its two links."""
    made = subprocess.run(
        [
            str(Path(sys.executable).with_name("codev")),
            *("sessions", "new", "--store", store, "--url", front.url),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    links = dict(line.split(": ", 1) for line in made.stdout.splitlines() if ": " in line)
    return links["Facilitator"], links["Participants"]


def open_page(context: Any, url: str, ready: str = ".codev-timer") -> Any:
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector(ready, timeout=LOAD_TIMEOUT_MS)
    return page


def server_of(context: Any) -> str:
    """The server HAProxy pinned this browser to (its sticky cookie)."""
    (value,) = [c["value"] for c in context.cookies() if c["name"] == COOKIE]
    return str(value)


# -- tests ---------------------------------------------------------------------------------


# On PostgreSQL: what several machines share (here two servers on one, the same code path).
@pytest.mark.parametrize("store_location", ["sqlite", "postgresql"], indirect=True)
def test_pages_spread_over_two_servers_and_follow_the_facilitator(
    chromium: Any, haproxy: str, tmp_path: Path, store_location: str
) -> None:
    room = ["--max-kernels", "10", "--pool", "0"]  # no pool: a server's kernels are its pages
    with deployment(haproxy, tmp_path, store_location, room, room) as (front, servers):
        front.wait_states({"codev1": "UP", "codev2": "UP"})
        console_link, join_link = new_session(store_location, front)
        with contexts(chromium, *[{} for _ in range(5)]) as (desk, *devices):
            console = open_page(desk, console_link, ".codev-navigator")
            people = []
            for device, name in zip(devices, NAMES, strict=False):
                people.append(open_page(device, f"{join_link}&{urlencode({'name': name})}"))
            # Every page came through HAProxy, and each browser's kernel is on the server
            # its cookie names: both servers hold some of the five.
            placed = collections.Counter(server_of(c) for c in (desk, *devices))
            assert set(placed) == set(SERVERS), placed
            assert [s.kernels() for s in servers] == [placed[name] for name in SERVERS]
            # The console's join link is HAProxy's address (CODEV_PUBLIC_URL), not its server's.
            shown = str(console.text_content("body"))
            assert join_link in shown
            assert not any(f"127.0.0.1:{s.port}" in shown for s in servers)

            # The facilitator, on one server, moves the session; pages on both follow.
            start(console)
            for page in people:
                wait_running(page)
            next_step(console)
            for page in (console, *people):
                wait_title(page, "Clarifying questions")
            for page in (console, *people):
                assert page.url.startswith(front.url)
                assert "Traceback" not in page.content()


def test_a_full_server_sends_the_next_visitor_to_the_other_and_keeps_its_pages(
    chromium: Any, haproxy: str, tmp_path: Path, store_location: str
) -> None:
    small, large = ["--max-kernels", "2", "--pool", "0"], ["--max-kernels", "10", "--pool", "0"]
    with deployment(haproxy, tmp_path, store_location, small, large) as (front, servers):
        full, other = servers
        front.wait_states({"codev1": "UP", "codev2": "UP"})
        console_link, join_link = new_session(store_location, front)
        with contexts(chromium, *[{} for _ in range(6)]) as (desk, *devices):
            console = open_page(desk, console_link, ".codev-navigator")
            people: list[Any] = []
            # Visitors come until the small server is full (two pages), wherever they land.
            while full.health()[0] == 200:
                assert len(people) < 4, [s.health() for s in servers]
                name = urlencode({"name": NAMES[len(people)]})
                people.append(open_page(devices[len(people)], f"{join_link}&{name}"))
            assert full.health() == (503, {"kernels": 2, "max_kernels": 2, "pool": 0})
            # HAProxy's check sees it (every 2 s, twice): no new visitor is sent there.
            front.wait_states({"codev1": "DOWN", "codev2": "UP"})
            before = other.kernels()
            late = devices[len(people)]
            newcomer = open_page(late, f"{join_link}&{urlencode({'name': 'Zoé'})}")
            assert server_of(late) == "codev2"
            assert other.kernels() == before + 1
            assert full.kernels() == 2
            # Sent straight to the other: the full server was never even asked for a kernel.
            assert "No kernel for a new page" not in full.log_text()

            # The pages on the full server keep working, and the newcomer's works too.
            pages = [console, *people, newcomer]
            on_full = [p for p in pages if server_of(p.context) == "codev1"]
            assert len(on_full) == 2
            start(console)
            next_step(console)
            for page in pages:
                wait_title(page, "Clarifying questions")

            # Their websockets cut (a phone's network drops): the pages reconnect with their
            # cookie, and HAProxy still sends them to the full server, which holds their
            # kernels (option persist), though its checks say it is down.
            cut = front.command("shutdown sessions server codev/codev1")
            assert cut.strip() == "", cut
            front.wait_connections("codev1", len(on_full))
            next_step(console)
            for page in pages:
                wait_title(page, "Consultation contract")

            # A participant of the full server reloads (a phone woke up): the full server has
            # no kernel for a new page (503), so HAProxy retries on the other one, which
            # renders it and pins the browser there: no "server full" page for a cookie.
            (reloaded,) = [p for p in on_full if p is not console][:1]
            reloaded.reload()
            reloaded.wait_for_selector(".codev-timer", timeout=LOAD_TIMEOUT_MS)
            wait_title(reloaded, "Consultation contract")
            assert server_of(reloaded.context) == "codev2"
            for page in pages:
                assert "Traceback" not in page.content()


def test_one_address_flooding_page_requests_is_refused_by_the_stick_table(
    haproxy: str, tmp_path: Path
) -> None:
    """Issue 21: HAProxy bounds what one address asks for (deploy/haproxy.cfg's stick table):
    past 30 page requests in 10 s it answers 429 itself, and no server hears of them."""
    store = str(tmp_path / "store.db")
    with deployment(haproxy, tmp_path, store, ["--pool", "0"]) as (front, (server,)):
        front.wait_states({"codev1": "UP", "codev2": "DOWN"})
        url = f"{front.url}/voila/render/participant.ipynb?session=x&code=y"
        statuses: list[int] = []
        bodies: list[str] = []
        for _ in range(40):  # a script's flood: each a page with a made-up code
            try:
                urllib.request.urlopen(url, timeout=30)
            except urllib.error.HTTPError as answer:
                statuses.append(answer.code)
                bodies.append(answer.read().decode())
        assert "Too many pages" in bodies[-1]
        assert statuses[:30] == [403] * 30  # the server's door: no kernel for a wrong code
        assert set(statuses[30:]) == {429}
        # Voilà logs a request once it has answered it: wait for the thirtieth line, then
        # none more comes (HAProxy kept the other ten).
        refused = "403 GET /voila/render/participant.ipynb"
        deadline = time.monotonic() + 30
        while server.log_text().count(refused) < 30 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert server.log_text().count(refused) == 30
        assert server.kernels() == 0
