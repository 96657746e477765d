"""Pages without a browser, for rooms larger than one machine's Chromium carries.

A ``HeadlessPage`` does what a participant's browser does to its kernel, and nothing more:
it asks Voilà for the page (Voilà starts the page's kernel and runs the notebook), connects to
the kernel's websocket as the page would, says it remembers nothing of an earlier visit (the
page's memory, which a participant page waits for) (with the cookies the page got: a proxy's sticky
cookie sends it to the server that started the kernel), syncs the countdown's clock every
60 s (so the kernel knows its page is there, and notes its presence), and notes when each new
step title reaches it. No rendering: what is timed is the server's side of a step change, from
the store write to the update arriving on the page's websocket.

All pages share one asyncio loop in a thread of their own (``Loop``): the benchmark itself
stays synchronous, beside Playwright's synchronous API.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import threading
import time
import uuid
from collections.abc import Coroutine
from concurrent.futures import Future
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from typing import Any, TypeVar

from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import WebSocketClientConnection, websocket_connect

T = TypeVar("T")

SYNC_EVERY = 60.0  # seconds, as countdown.js
KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]{36})"')
TITLE = re.compile(r'class="codev-step-title">([^<]*)<')
PAGE_TIMEOUT = 300.0  # seconds for Voilà to render a page when a whole room joins


class Loop:
    """An asyncio loop in a daemon thread; ``run(coroutine)`` waits for its result."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def submit(self, coroutine: Coroutine[Any, Any, T]) -> Future[T]:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop)

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        return self.submit(coroutine).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


def _message(session: str, msg_type: str, content: dict[str, Any]) -> str:
    header = {
        "msg_id": uuid.uuid4().hex,
        "username": "bench",
        "session": session,
        "msg_type": msg_type,
        "version": "5.3",
        "date": datetime.now(UTC).isoformat(),
    }
    return json.dumps(
        {
            "header": header,
            "parent_header": {},
            "metadata": {},
            "content": content,
            "channel": "shell",
            "buffers": [],
        }
    )


class HeadlessPage:
    """One page's kernel, driven as its browser would; ``titles`` holds ``(epoch seconds,
    title)`` for each step title that reached it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session = uuid.uuid4().hex
        self.titles: list[tuple[float, str]] = []
        self.kernel_id = ""
        self._socket: WebSocketClientConnection | None = None
        self._countdown: str | None = None
        self._title: str | None = None
        self._states: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []

    async def open(self) -> HeadlessPage:
        """Render the page (its kernel runs the notebook), then connect as the page does."""
        client = AsyncHTTPClient()
        answer = await client.fetch(self.url, request_timeout=PAGE_TIMEOUT)
        found = KERNEL_ID.search(answer.body.decode())
        if found is None:
            raise RuntimeError(f"no kernel in the page {self.url}")
        self.kernel_id = found.group(1)
        cookies = SimpleCookie()
        for header in answer.headers.get_list("Set-Cookie"):
            cookies.load(header)
        base = self.url.split("/voila/", 1)[0].replace("http", "ws", 1)
        request = HTTPRequest(
            f"{base}/api/kernels/{self.kernel_id}/channels?session_id={self.session}",
            headers={"Cookie": "; ".join(f"{k}={m.value}" for k, m in cookies.items())},
        )
        self._socket = await websocket_connect(request, max_message_size=64 * 2**20)
        self._tasks.append(asyncio.create_task(self._read()))
        await self._find_widgets()
        self._tasks.append(asyncio.create_task(self._beat()))
        return self

    def _send(self, msg_type: str, content: dict[str, Any]) -> None:
        assert self._socket is not None
        self._socket.write_message(_message(self.session, msg_type, content))

    async def _find_widgets(self) -> None:
        """The countdown (to sync its clock) and the step header (to time its title)."""
        comms: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._comms = comms
        self._send("comm_info_request", {"target_name": "jupyter.widget"})
        ids = list((await asyncio.wait_for(comms, PAGE_TIMEOUT)).keys())
        for comm_id in ids:
            self._send("comm_msg", {"comm_id": comm_id, "data": {"method": "request_state"}})
        deadline = time.monotonic() + PAGE_TIMEOUT
        while self._countdown is None or self._title is None:
            comm_id, state = await asyncio.wait_for(
                self._states.get(), max(0.1, deadline - time.monotonic())
            )
            if "deadline_ms" in state:
                self._countdown = comm_id
            elif "codev-step-title" in str(state.get("value", "")):
                self._title = comm_id
            elif "kept" in state and str(state.get("key", "")).startswith("codev-join:"):
                # The page's memory (widgets/memory.js): this browser remembers nothing; the
                # kernel then builds the participant's view, whose widgets open as new comms.
                content = {"type": "recall", "tab": None, "device": None}
                data = {"method": "custom", "content": content}
                self._send("comm_msg", {"comm_id": comm_id, "data": data})

    async def _read(self) -> None:
        assert self._socket is not None
        while (raw := await self._socket.read_message()) is not None:
            if not isinstance(raw, str):
                continue  # binary frames: buffers of widgets this page does not time
            message = json.loads(raw)
            kind = message.get("msg_type") or message["header"]["msg_type"]
            if kind == "comm_info_reply" and not self._comms.done():
                self._comms.set_result(message["content"].get("comms", {}))
            elif kind in {"comm_msg", "comm_open"}:
                data = message["content"].get("data", {})
                if kind == "comm_msg" and data.get("method") != "update":
                    continue
                comm_id, state = message["content"]["comm_id"], data.get("state", {})
                if comm_id == self._title:
                    found = TITLE.search(str(state.get("value", "")))
                    if found is not None:
                        self.titles.append((time.time(), html.unescape(found.group(1)).strip()))
                elif self._countdown is None or self._title is None:
                    self._states.put_nowait((comm_id, state))

    async def _beat(self) -> None:
        while True:
            self.sync()
            await asyncio.sleep(SYNC_EVERY)

    def sync(self) -> None:
        """The countdown's clock sync, as countdown.js sends it."""
        if self._countdown is not None:
            content = {"type": "sync", "t0": time.time() * 1000}
            data = {"method": "custom", "content": content}
            self._send("comm_msg", {"comm_id": self._countdown, "data": data})

    def first_title(self, title: str, after: float) -> float | None:
        """When ``title`` first reached the page at or after ``after`` (epoch seconds)."""
        return next((at for at, text in self.titles if at >= after and text == title), None)

    def first_title_any(self, after: float) -> tuple[float, str] | None:
        """The first title (when, which) that reached the page at or after ``after``."""
        return next(((at, text) for at, text in self.titles if at >= after), None)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._socket is not None:
            self._socket.close()
