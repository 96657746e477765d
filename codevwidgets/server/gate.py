"""The door of ``codev serve``: a page request whose session and secret do not check out costs
no kernel.

Runs inside the Voilà server, never in a kernel. Voilà starts (or hands out from its pool) a
kernel for every request of a notebook, before the notebook can look at its link: twelve
``curl``s of a participant link with a made-up code filled a server's ``--max-kernels`` for
five minutes. Here the link is checked first, against the store the kernels share, and a
refusal is a small page of its own with the message the kernel would have shown (the same
``codev-error`` and words), and no kernel.

Which page needs which secret is the pages' own rule (``required_secret``, as each page of
``codevwidgets.pages`` checks it); a page that passes here checks its link again in its kernel,
as in JupyterLab.

Also here: the page's hello. A browser's navigation says it is one (``Sec-Fetch-Dest:
document``); for a browser too old to say so, the page's HTML holds an image
``…/codev/hello/KERNEL_ID`` which the browser asks for as soon as it reads the first cell
(``templates/codev/index.html.j2``), long before its scripts have loaded and its websocket
connects (over a minute in a room joining at once). A kernel handed out without a hello
within seconds went to a client that is no browser (``curl``, a scanner): the kernel manager
ends it (``codevwidgets.server.kernels``). A page that said hello keeps the grace a slow room
needs. Neither is a secret (a script can send both): the bound on pages per address is what
holds a determined visitor.
"""

from __future__ import annotations

import asyncio
import html
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, ClassVar, Literal
from urllib.parse import parse_qsl

from tornado import web
from voila.tornado.handler import TornadoVoilaHandler
from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler

from codevwidgets.core.environment import CONSOLE_NOTEBOOK, EDITOR, TRUSTED_PROXY
from codevwidgets.core.i18n import Translator, languages
from codevwidgets.core.limits import PAGE_MESSAGES, Bucket
from codevwidgets.server.kernels import RoomKernelManager
from codevwidgets.store.base import Store, StoreError
from codevwidgets.store.open import open_store
from codevwidgets.widgets._view import theme_style

__all__ = [
    "Door",
    "GatedVoilaHandler",
    "HelloHandler",
    "MeteredWebsocketHandler",
    "refusal_page",
    "visitor_address",
]

LOG = logging.getLogger("codevwidgets.gate")
HELLO_PATH = "/codev/hello"
# Messages a page's websocket may have dropped (past PAGE_MESSAGES) before it is closed.
DROPPED_BEFORE_CLOSING = 1000


@dataclass(frozen=True)
class Secret:
    """What a served page's link must carry: the join ``code`` or the ``key`` of what it names
    (``of``: a ``session``, or a ``day`` of many groups: its room's code, its lead's key), or
    nothing that opens it (``closed``); with the messages' catalog keys for a link without
    what it names and for a wrong secret."""

    kind: Literal["code", "key", "closed"]
    missing: str
    wrong: str
    of: Literal["session", "day"] = "session"


# The pages anyone in the room may open with the join code, and the kit's consoles (a client's
# notebook served as the console is named by codev serve: CODEV_CONSOLE_NOTEBOOK).
_CODE_PAGES = ("participant.ipynb", "projector.ipynb")
_KEY_PAGES = ("facilitator.ipynb",)


def required_secret(notebook: str, environ: Mapping[str, str] = os.environ) -> Secret | None:
    """The secret a link to ``notebook`` (a file name) needs when ``codev serve`` serves it, as
    the page itself checks it (None: not one of the kit's pages, nothing to check here)."""
    if notebook in _CODE_PAGES:
        return Secret("code", "participant.bad_link", "participant.bad_link")
    if notebook in _KEY_PAGES or notebook == environ.get(CONSOLE_NOTEBOOK):
        return Secret("key", "live.needs_link", "live.bad_key")
    if notebook == "cycle.ipynb":
        return Secret("key", "cycle.needs_link", "live.bad_key")
    # A day's pages: the room's one link opens the join page only, the lead's the overview.
    if notebook == "join.ipynb":
        return Secret("code", "join.room_bad_link", "join.room_bad_link", of="day")
    if notebook == "day.ipynb":
        return Secret("key", "day_overview.needs_link", "day_overview.bad_key", of="day")
    if notebook == "customise.ipynb" and environ.get(EDITOR) != "1":
        # The editor writes files: only where its owner opted in (editor_allowed).
        return Secret("closed", "editor.not_served", "editor.not_served")
    return None


def _existing_store() -> Store:
    """The served store, which ``codev serve`` made: the door never creates one."""
    return open_store(create=False)


class Door:
    """Checks page links against the store, one at a time in a thread of its own (a SQLite
    connection stays in the thread that opened it; a database that does not answer blocks
    that thread, never the server's loop).

    A store found unreachable is not tried again for ``RETRY_AFTER`` seconds: the requests
    queued behind the one that waited for it are refused at once, not one timeout each."""

    RETRY_AFTER = 2.0

    def __init__(
        self,
        opener: Callable[[], Store] = _existing_store,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._opener = opener
        self._clock = clock
        self._store: Store | None = None
        self._unreachable_until = float("-inf")
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="codev-door")
        self._lock = threading.Lock()

    def _message_key(self, notebook: str, query: dict[str, str]) -> str | None:
        """The catalog key of the refusal, or None: the link checks out."""
        secret = required_secret(notebook)
        if secret is None:
            return None
        named = query.get(secret.of, "")
        if secret.kind == "closed":
            return secret.missing
        if not named:
            return secret.missing
        with self._lock:
            if self._clock() < self._unreachable_until:
                return "participant.unreachable"
            if self._store is None:
                self._store = self._opener()
            store = self._store
            checks = {
                ("session", "code"): store.check_code,
                ("session", "key"): store.check_key,
                ("day", "code"): store.check_day_code,
                ("day", "key"): store.check_day_key,
            }
            check = checks[secret.of, secret.kind]
            return None if check(named, query.get(secret.kind, "")) else secret.wrong

    def _checked(self, notebook: str, query: dict[str, str]) -> str | None:
        try:
            return self._message_key(notebook, query)
        except StoreError as exc:
            LOG.warning("a page link could not be checked: %s", exc)
            with self._lock:
                self._store = None  # opened again for the next request
                self._unreachable_until = self._clock() + self.RETRY_AFTER
            return "participant.unreachable"

    async def refusal(self, notebook: str, query: dict[str, str]) -> str | None:
        """The catalog key of the message for this request, or None: let Voilà serve it."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, self._checked, notebook, query)

    def close(self) -> None:
        self._thread.shutdown(wait=False)


def refusal_page(message: str, language: str, theme: str) -> str:
    """The whole page for a refused link: the message, as the kernel's ``error_box`` shows it,
    and nothing of any session."""
    chosen: Literal["light", "dark"] = "dark" if theme == "dark" else "light"
    style = theme_style(chosen)
    return (
        f'<!DOCTYPE html><html lang="{html.escape(language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>codevwidgets</title>{style}</head>"
        f'<body data-voila="voila"><main class="codev-console codev-theme-{chosen}">'
        '<div class="codev-error codev-page-error" role="alert">'
        f"<p>{html.escape(message)}</p></div></main></body></html>"
    )


class GatedVoilaHandler(TornadoVoilaHandler):  # type: ignore[misc]
    """Voilà's page handler behind the door: a refused request gets its message and no kernel;
    an admitted one tells the kernel manager which address its kernel went to."""

    def initialize(self, door: Door, **kwargs: Any) -> None:
        super().initialize(**kwargs)
        self.door = door

    @property
    def kernel_manager(self) -> Any:
        manager = self.settings["kernel_manager"]
        if not isinstance(manager, RoomKernelManager):
            return manager
        # A browser's navigation says so (Sec-Fetch-Dest, sent by browsers since 2020-2023):
        # its hello, at once, not behind the six connections a browser opens to one server.
        browser = self.request.headers.get("Sec-Fetch-Dest") == "document"
        return _Recording(manager, visitor_address(self.request), browser)

    async def get(self, path: str | None = None) -> None:
        notebook = (self.notebook_path or path or "").rsplit("/", 1)[-1]
        query = dict(reversed(parse_qsl(self.request.query)))  # the first value wins
        key = await self.door.refusal(notebook, query) if notebook.endswith(".ipynb") else None
        manager = self.settings["kernel_manager"]
        full = isinstance(manager, RoomKernelManager) and not manager.may_open(
            visitor_address(self.request)
        )
        if key is None and full:
            key = "live.too_many_pages"
        if key is not None:
            language = query.get("lang", "en")
            language = language if language in languages() else "en"
            LOG.info("Refused a page request for %s: %s", notebook, key)
            self.set_status(503 if key == "participant.unreachable" else 403)
            self.set_header("Cache-Control", "no-store")
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(refusal_page(Translator(language)(key), language, query.get("theme", "")))
            return
        await super().get(path)


def visitor_address(request: Any, environ: Mapping[str, str] = os.environ) -> str:
    """Who asked: the peer's address, or, from a proxy the server trusts (its own machine, and
    ``CODEV_TRUSTED_PROXY``), the last address the proxy names in ``X-Forwarded-For``
    (HAProxy's ``option forwardfor``). Anyone else's header is ignored: a visitor cannot pass
    for another."""
    peer = str(request.remote_ip or "")
    forwarded = request.headers.get("X-Forwarded-For", "")
    trusted = {"127.0.0.1", "::1", *environ.get(TRUSTED_PROXY, "").replace(" ", "").split(",")}
    if forwarded and peer in trusted - {""}:
        return str(forwarded.rsplit(",", 1)[-1].strip())
    return peer


class _Recording:
    """The kernel manager as one page request sees it: the kernel it hands out is noted with
    the visitor's address (for the hello, and the pages an address holds)."""

    def __init__(self, manager: RoomKernelManager, address: str, browser: bool) -> None:
        self._manager, self._address, self._browser = manager, address, browser

    def __getattr__(self, name: str) -> Any:
        return getattr(self._manager, name)

    async def get_rendered_notebook(self, *args: Any, **kwargs: Any) -> Any:
        # Voilà's preheating subclass of the manager has it (codev serve keeps a pool).
        preheated: Any = self._manager
        render_task, rendered, kernel_id = await preheated.get_rendered_notebook(*args, **kwargs)
        self._manager.hand_over(kernel_id, self._address, self._browser)
        return render_task, rendered, kernel_id

    async def start_kernel(self, *args: Any, **kwargs: Any) -> str:
        kernel_id = str(await self._manager.start_kernel(*args, **kwargs))
        self._manager.hand_over(kernel_id, self._address, self._browser)
        return kernel_id


@dataclass
class _Meter:
    """What one kernel's page may still send, and what it sent past that."""

    bucket: Bucket
    dropped: int = 0


class MeteredWebsocketHandler(VoilaKernelWebsocketHandler):  # type: ignore[misc]
    """A page's kernel websocket whose messages past ``PAGE_MESSAGES`` are dropped here: one
    scripted page clicking thousands of times a second made Voilà sign and forward each click
    and its kernel handle it (the room's step change went from 155 to 427 ms at 16 pages).

    The budget is the kernel's, not the connection's: the page's own code reconnects a closed
    websocket at once, and a budget per connection gave each reconnection 600 more messages
    (a reload is a new page, with a new kernel and a full budget)."""

    meters: ClassVar[dict[str, _Meter]] = {}

    def open(self, *args: Any, **kwargs: Any) -> Any:
        now = time.monotonic()
        meter = self.meters.setdefault(self.kernel_id, _Meter(Bucket.full(PAGE_MESSAGES, now)))
        self._meter: _Meter | None = meter
        return super().open(*args, **kwargs)

    def on_message(self, ws_message: Any) -> Any:
        meter = getattr(self, "_meter", None)
        if meter is None:
            return None  # closing
        taken = meter.bucket.take(PAGE_MESSAGES, time.monotonic())
        if taken is None:
            meter.dropped += 1
            if meter.dropped == 1:
                LOG.warning("A page sends faster than a person: its messages are dropped")
            if meter.dropped >= DROPPED_BEFORE_CLOSING:
                # Still flooding: even dropped, each frame costs the server; the page (a
                # script's) loses its connection, and a reconnection that goes on flooding
                # loses it at its first message past the budget.
                self._meter = None
                self.close(1008, "too many messages")
            return None
        meter.bucket = taken
        return super().on_message(ws_message)

    def on_close(self) -> Any:
        # A kernel whose budget is full again is as good as new: forget it, so the meters
        # hold only the pages that flooded lately.
        meter = self.meters.get(self.kernel_id)
        now = time.monotonic()
        if meter is not None and meter.bucket.refilled(PAGE_MESSAGES, now).left >= (
            PAGE_MESSAGES.most or 0
        ):
            del self.meters[self.kernel_id]
        return super().on_close()


class HelloHandler(web.RequestHandler):
    """``GET`` (the page's image) or ``POST``: the page of this kernel is in a browser (204);
    nothing else is said or done."""

    def initialize(self, kernels: RoomKernelManager) -> None:
        self.kernels = kernels

    def check_xsrf_cookie(self) -> None:
        """A hello changes nothing a visitor could abuse beyond its own kernel's grace."""

    def get(self, kernel_id: str) -> None:
        self.kernels.hello(kernel_id)
        self.set_status(204)
        self.set_header("Cache-Control", "no-store")
        self.finish()

    post = get
