"""The health endpoint a load balancer asks: 200 while a server can take one more page, 503 at
its kernel budget (``codev serve --max-kernels``), counts only."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from codevwidgets.server.gate import HELLO_PATH
from codevwidgets.server.kernels import Capacity, RoomKernelManager, ready_in_pool
from codevwidgets.server.serve import VoilaProcess, voila_command
from codevwidgets.server.sessions import new_session
from codevwidgets.server.voila_app import HEALTH_PATH
from codevwidgets.store.sqlite import SQLiteStore


@pytest.mark.parametrize(
    ("kernels", "max_kernels", "pool", "room"),
    [
        (0, 2, 0, True),
        (1, 2, 0, True),
        (2, 2, 0, False),  # at the budget: full
        (3, 2, 0, False),
        (2, 2, 1, True),  # no kernel may start, but one waits ready for a participant
        (500, 0, 0, True),  # 0: no limit
    ],
)
def test_room_for_one_more_page(kernels: int, max_kernels: int, pool: int, room: bool) -> None:
    assert Capacity(kernels, max_kernels, pool).has_room is room


class Task:
    """What ready_in_pool reads of an asyncio task."""

    def __init__(self, done: bool, error: BaseException | None = None, cancelled: bool = False):
        self._done, self._error, self._cancelled = done, error, cancelled

    def done(self) -> bool:
        return self._done

    def cancelled(self) -> bool:
        return self._cancelled

    def exception(self) -> BaseException | None:
        return self._error


def test_kernels_ready_or_starting_in_the_pool_count() -> None:
    ready, starting = Task(done=True), Task(done=False)  # a page waits for one starting
    failed = Task(done=True, error=RuntimeError("full"))  # refilling a full server
    cancelled = Task(done=True, cancelled=True)
    assert ready_in_pool([[ready, starting], [failed, cancelled, ready]]) == 3
    assert ready_in_pool([]) == 0


def test_the_manager_counts_running_starting_and_pooled_kernels() -> None:
    manager = RoomKernelManager(max_kernels=3)
    manager._kernels.update(a=SimpleNamespace(), b=SimpleNamespace())
    assert manager.capacity() == Capacity(kernels=2, max_kernels=3, pool=0)
    manager._starting = 1  # a kernel being started takes its place in the budget already
    assert not manager.capacity().has_room
    manager._pools = {"participant.ipynb": [Task(done=True)]}  # type: ignore[attr-defined]
    assert manager.capacity() == Capacity(kernels=3, max_kernels=3, pool=1)


def test_the_answer_is_counts_only() -> None:
    assert Capacity(4, 10, 2).as_json() == {"kernels": 4, "max_kernels": 10, "pool": 2}


def test_codev_serve_runs_voila_with_the_health_endpoint() -> None:
    assert voila_command(8870, "127.0.0.1")[1:3] == ["-m", "codevwidgets.server.voila_app"]


def open_page(url: str) -> str:
    """A page as a browser opens it: its HTML, then its hello (a browser says it as soon as it
    reads the page's kernel id); the page's kernel id."""
    with urllib.request.urlopen(url, timeout=120) as page:
        assert page.status == 200
        text = page.read().decode()
    found = re.search(
        r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', text, re.S
    )
    assert found, text[-500:]
    kernel_id = str(json.loads(found.group(1))["kernelId"])
    base = url.split("/voila/", 1)[0]
    hello = urllib.request.Request(f"{base}{HELLO_PATH}/{kernel_id}", method="POST")
    with urllib.request.urlopen(hello, timeout=30) as answer:
        assert answer.status == 204
    return kernel_id


def health(server: VoilaProcess) -> tuple[int, dict[str, int]]:
    try:
        with urllib.request.urlopen(server.base_url + HEALTH_PATH, timeout=30) as answer:
            assert answer.headers["Cache-Control"] == "no-store"
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as full:
        return full.code, json.loads(full.read())


def test_a_real_server_says_when_it_is_full(tmp_path: Path) -> None:
    store = tmp_path / "store.db"
    with SQLiteStore(store) as opened:
        secrets = new_session(opened, "classic")
    server = VoilaProcess(tmp_path / "voila", store, args=["--RoomKernelManager.max_kernels=1"])
    try:
        assert health(server) == (200, {"kernels": 0, "max_kernels": 1, "pool": 0})
        url = server.url("participant.ipynb", session=secrets.session_id, code=secrets.join_code)
        open_page(url)
        status, counts = health(server)
        assert (status, counts) == (503, {"kernels": 1, "max_kernels": 1, "pool": 0})
        assert secrets.session_id not in json.dumps(counts)  # counts only
        # HAProxy asks every 2 s: nothing of it fills Voilà's log, where other requests that
        # fail still go (tornado logs each one once it has answered).
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(server.base_url + "/codev/nothing", timeout=30)
        deadline = time.monotonic() + 10
        while "GET /codev/nothing" not in server.log_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "404 GET /codev/nothing" in server.log_text()
        assert HEALTH_PATH not in server.log_text()
    finally:
        server.stop()


def test_a_server_with_a_pool_is_full_once_the_pool_cannot_refill(tmp_path: Path) -> None:
    store = tmp_path / "store.db"
    with SQLiteStore(store) as opened:
        secrets = new_session(opened, "classic")
    args = ["--RoomKernelManager.max_kernels=2"]
    server = VoilaProcess(tmp_path / "voila", store, args=args, pool=1)
    try:
        assert health(server) == (200, {"kernels": 1, "max_kernels": 2, "pool": 1})
        url = server.url("participant.ipynb", session=secrets.session_id, code=secrets.join_code)
        open_page(url)
        # The page took the pooled kernel; the refill (after Voilà's fill delay) is the
        # budget's last kernel, and a participant may still take it: room.
        wait_health(server, (200, {"kernels": 2, "max_kernels": 2, "pool": 1}))
        open_page(url)
        # The pool cannot refill (no kernel may start): full.
        wait_health(server, (503, {"kernels": 2, "max_kernels": 2, "pool": 0}))
    finally:
        server.stop()


def wait_health(
    server: VoilaProcess, expected: tuple[int, dict[str, int]], within: float = 30
) -> None:
    deadline = time.monotonic() + within
    while (answer := health(server)) != expected:
        assert time.monotonic() < deadline, f"{answer}, not {expected}"
        time.sleep(0.2)


def test_a_link_that_does_not_check_out_costs_no_kernel(tmp_path: Path) -> None:
    """Issue 21: twelve requests with a made-up code filled a server of ten kernels for five
    minutes. Now each is refused at the door, with the page's message and no kernel."""
    store = tmp_path / "store.db"
    with SQLiteStore(store) as opened:
        secrets = new_session(opened, "classic")
    server = VoilaProcess(tmp_path / "voila", store, args=["--RoomKernelManager.max_kernels=3"])
    sid = secrets.session_id
    refused = {
        server.url("participant.ipynb", session="x", code="y"): "This link is not valid",
        server.url("participant.ipynb", session=sid, code="wrong"): "This link is not valid",
        server.url("participant.ipynb", session=sid, code=secrets.facilitator_key): "not valid",
        server.url("projector.ipynb", session=sid, code="wrong", lang="fr"): "Ce lien",
        server.url("facilitator.ipynb", session=sid, key="wrong"): "facilitator link",
        server.url("facilitator.ipynb"): "needs the facilitator link",
        server.url("cycle.ipynb", session=sid, key=secrets.join_code): "facilitator link",
        server.url("customise.ipynb"): "runbook editor",
    }
    try:
        for _ in range(3):
            for url, words in refused.items():
                with pytest.raises(urllib.error.HTTPError) as answer:
                    urllib.request.urlopen(url, timeout=30)
                assert answer.value.code == 403, url
                text = answer.value.read().decode()
                assert "codev-error" in text and words in text, url
                assert secrets.join_code not in text and "Presentation" not in text, url
        assert health(server) == (200, {"kernels": 0, "max_kernels": 3, "pool": 0})
        assert "Kernel started" not in server.log_text()
        # The right links still open their pages.
        open_page(server.url("participant.ipynb", session=sid, code=secrets.join_code))
        open_page(server.url("facilitator.ipynb", session=sid, key=secrets.facilitator_key))
        assert health(server)[1]["kernels"] == 2
    finally:
        server.stop()


def test_a_kernel_whose_page_never_says_hello_ends_within_seconds_and_the_pool_comes_back(
    tmp_path: Path,
) -> None:
    """Issue 21: requests with the right code but no browser (curl) held kernels for five
    minutes, and once a refill had found the server full the pool never came back."""
    store = tmp_path / "store.db"
    with SQLiteStore(store) as opened:
        secrets = new_session(opened, "classic")
    args = ["--RoomKernelManager.max_kernels=3"]
    server = VoilaProcess(tmp_path / "voila", store, args=args, pool=1)
    url = server.url("participant.ipynb", session=secrets.session_id, code=secrets.join_code)
    try:
        wait_health(server, (200, {"kernels": 1, "max_kernels": 3, "pool": 1}))
        greeted = open_page(url)  # a browser's page: kept
        # Then requests that never say hello, until the server is full (a request that finds
        # the pool's refill failed is told so, 503, as any request at the budget).
        served = 0
        while health(server)[0] == 200:
            assert served < 4, health(server)
            try:
                with urllib.request.urlopen(url, timeout=120) as page:
                    served += page.status == 200
            except urllib.error.HTTPError as refused:
                if refused.code != 503:
                    raise
        wait_health(server, (503, {"kernels": 3, "max_kernels": 3, "pool": 0}))
        with pytest.raises(urllib.error.HTTPError) as full:
            urllib.request.urlopen(url, timeout=120)
        assert full.value.code == 503
        # Those without a browser are ended, and the pool is filled again.
        wait_health(server, (200, {"kernels": 2, "max_kernels": 3, "pool": 1}), within=60)
        assert server.log_text().count("no browser came for its page") == served >= 1
        ended = [line for line in server.log_text().splitlines() if "no browser came" in line]
        assert not [line for line in ended if greeted in line]
    finally:
        server.stop()


def test_one_address_holds_a_bounded_number_of_pages(tmp_path: Path) -> None:
    """Behind HAProxy on this machine, the visitor is the one X-Forwarded-For names."""
    store = tmp_path / "store.db"
    with SQLiteStore(store) as opened:
        secrets = new_session(opened, "classic")
    args = ["--RoomKernelManager.max_pages_per_address=2"]
    server = VoilaProcess(tmp_path / "voila", store, args=args)
    url = server.url("participant.ipynb", session=secrets.session_id, code=secrets.join_code)

    def request(address: str) -> urllib.request.Request:
        return urllib.request.Request(url, headers={"X-Forwarded-For": f"10.0.0.9, {address}"})

    try:
        for _ in range(2):
            with urllib.request.urlopen(request("192.0.2.7"), timeout=120) as page:
                assert page.status == 200
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request("192.0.2.7"), timeout=120)
        assert refused.value.code == 403
        assert "Too many pages" in refused.value.read().decode()
        with urllib.request.urlopen(request("192.0.2.8"), timeout=120) as page:
            assert page.status == 200  # another phone of the room
    finally:
        server.stop()


def kernel_info_request(number: int, prefix: str) -> str:
    return json.dumps(
        {
            "header": {
                "msg_id": f"{prefix}{number}",
                "msg_type": "kernel_info_request",
                "username": "",
                "session": "s",
                "version": "5.3",
                "date": "",
            },
            "parent_header": {},
            "metadata": {},
            "content": {},
            "channel": "shell",
            "buffers": [],
        }
    )


def flood(socket: Any, sent: int) -> tuple[int, int | None]:
    """Send ``sent`` kernel info requests, then read until the kernel falls silent: the
    replies, and the close code if the server closed the websocket."""
    from websockets.exceptions import ConnectionClosed

    replies, prefix = 0, f"{time.monotonic_ns()}-"  # a replayed message is the kernel's to refuse
    try:
        for number in range(sent):
            socket.send(kernel_info_request(number, prefix))
        while True:
            try:
                message = json.loads(socket.recv(timeout=5))
            except TimeoutError:
                return replies, None
            replies += message.get("msg_type") == "kernel_info_reply"
    except ConnectionClosed as closed:
        return replies, closed.rcvd.code if closed.rcvd else None


def test_a_page_flooding_its_websocket_is_cut_to_a_persons_pace(tmp_path: Path) -> None:
    """Issue 21: one scripted page's thousands of clicks were each signed and forwarded by
    Voilà and handled by its kernel. Past PAGE_MESSAGES they are dropped before either; past
    DROPPED_BEFORE_CLOSING the websocket is closed, and a reconnection gets no fresh budget."""
    from websockets.sync.client import connect

    from codevwidgets.core.limits import PAGE_MESSAGES
    from codevwidgets.server.gate import DROPPED_BEFORE_CLOSING

    store = tmp_path / "store.db"
    with SQLiteStore(store) as opened:
        secrets = new_session(opened, "classic")
    server = VoilaProcess(tmp_path / "voila", store)
    try:
        url = server.url("participant.ipynb", session=secrets.session_id, code=secrets.join_code)
        kernel = open_page(url)
        socket_url = server.base_url.replace("http", "ws", 1) + f"/api/kernels/{kernel}/channels"
        assert PAGE_MESSAGES.most is not None
        sent = 2 * PAGE_MESSAGES.most
        with connect(socket_url, open_timeout=30, max_size=None) as socket:
            replies, closed = flood(socket, sent)
        # The first PAGE_MESSAGES (and the few a second refills) reach the kernel; the rest not.
        assert PAGE_MESSAGES.most <= replies < sent * 3 // 4, replies
        assert closed is None
        assert "its messages are dropped" in server.log_text()

        # Still flooding: the server closes the websocket ("policy violation").
        with connect(socket_url, open_timeout=30, max_size=None) as socket:
            _, closed = flood(socket, 2 * DROPPED_BEFORE_CLOSING)
        assert closed == 1008

        # The page's code reconnects at once: the budget is the kernel's, still spent, and
        # the first message past it closes the connection again.
        with connect(socket_url, open_timeout=30, max_size=None) as socket:
            replies, closed = flood(socket, PAGE_MESSAGES.most)
        assert closed == 1008, replies
        assert replies < PAGE_MESSAGES.most // 2, replies
    finally:
        server.stop()
