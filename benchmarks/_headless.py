"""Pages without a browser, for rooms larger than one machine's Chromium carries.

A ``HeadlessPage`` does what a participant's browser does to its kernel, and nothing more:
it asks Voilà for the page (Voilà starts the page's kernel and runs the notebook), connects to
the kernel's websocket as the page would, says it remembers nothing of an earlier visit (the
page's memory, which a participant page waits for) (with the cookies the page got: a proxy's sticky
cookie sends it to the server that started the kernel), syncs the countdown's clock every
60 s (so the kernel knows its page is there, and notes its presence), and notes when each new
step title reaches it. No rendering: what is timed is the server's side of a step change, from
the store write to the update arriving on the page's websocket.

A day's room page (``join.ipynb``) first asks who the person is: given a ``name``, the page
answers as its browser would (remembers nothing, then a click on that name's button), and its
group's page then opens in the same kernel. A page with several step titles (the lead's
overview: one per group) is told how many to wait for (``titles``).

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
# The pages' memories (widgets/memory.py): a personal join's, and a day's room page's.
MEMORY_KEYS = ("codev-join:", "codev-day:")
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
    title)`` for each step title that reached it, ``shown`` ``(epoch seconds, title's widget,
    title)`` (a page with several titles); ``ready_at``: when its title(s) first came.

    ``name``: who the person is on a page asking "who are you?" (a day's room page); ``titles``:
    how many step titles the page holds (a day's overview: one per group)."""

    def __init__(self, url: str, name: str | None = None, titles: int = 1) -> None:
        self.url = url
        self.name = name
        self.session = uuid.uuid4().hex
        self.titles: list[tuple[float, str]] = []
        self.shown: list[tuple[float, str, str]] = []
        self.ready_at: float | None = None
        self.kernel_id = ""
        self._socket: WebSocketClientConnection | None = None
        self._countdown: str | None = None
        self._wanted = titles
        self._title_ids: set[str] = set()
        self._known: dict[str, dict[str, Any]] = {}  # each widget's state so far
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
        while not self._found():
            comm_id, update = await asyncio.wait_for(
                self._states.get(), max(0.1, deadline - time.monotonic())
            )
            # A widget opens with its state, then gets its classes (``add_class``) in updates.
            state = self._known.setdefault(comm_id, {})
            state.update(update)
            value = str(state.get("value", ""))
            if "deadline_ms" in state and self._countdown is None:
                self._countdown = comm_id
            elif TITLE.search(value) and len(self._title_ids) < self._wanted:
                # The step header (not the page's stylesheet, which names the class too).
                self._title_ids.add(comm_id)
                self._note_title(comm_id, value)
            elif "kept" in state and str(state.get("key", "")).startswith(MEMORY_KEYS):
                # The page's memory (widgets/memory.js; a personal join's, a day's room's):
                # this browser remembers nothing; the kernel then asks who the person is, or
                # builds the participant's view, whose widgets open as new comms.
                self._custom(comm_id, {"type": "recall", "tab": None, "device": None})
            elif self._is_my_name(state) and not state.get("clicked"):
                state["clicked"] = True
                # "Who are you?" (widgets/who.py): a click on this person's name, as
                # ipywidgets' ButtonModel sends it; their group's page opens next.
                self._custom(comm_id, {"event": "click"})
        self.ready_at = max(at for at, _, _ in self.shown)

    def _found(self) -> bool:
        return self._countdown is not None and len(self._title_ids) >= self._wanted

    def _is_my_name(self, state: dict[str, Any]) -> bool:
        return (
            self.name is not None
            and state.get("description") == self.name
            and "codev-who-name" in state.get("_dom_classes", ())
        )

    def _custom(self, comm_id: str, content: dict[str, Any]) -> None:
        data = {"method": "custom", "content": content}
        self._send("comm_msg", {"comm_id": comm_id, "data": data})

    def _note_title(self, comm_id: str, value: str) -> None:
        found = TITLE.search(value)
        if found is not None:
            at, title = time.time(), html.unescape(found.group(1)).strip()
            self.titles.append((at, title))
            self.shown.append((at, comm_id, title))

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
                if comm_id in self._title_ids:
                    self._note_title(comm_id, str(state.get("value", "")))
                elif not self._found():
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

    def all_show(self, title: str, after: float) -> float | None:
        """When every step title of the page (an overview's, one per group) had shown
        ``title`` at or after ``after``: the last of them to get there; None if one has not."""
        reached = []
        for comm_id in self._title_ids:
            at = next(
                (a for a, c, t in self.shown if c == comm_id and a >= after and t == title), None
            )
            if at is None:
                return None
            reached.append(at)
        return max(reached, default=None)

    def first_title_any(self, after: float) -> tuple[float, str] | None:
        """The first title (when, which) that reached the page at or after ``after``."""
        return next(((at, text) for at, text in self.titles if at >= after), None)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._socket is not None:
            self._socket.close()
