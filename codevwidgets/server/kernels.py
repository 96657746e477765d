"""Voilà's kernel manager for a room: a kernel handed to a page is never culled before the page
has connected to it.

Runs inside the Voilà server (``codev serve`` names it with
``--VoilaConfiguration.multi_kernel_manager_class``), never in a kernel.

Why: Voilà's preheated pool protects only the kernels still waiting in it. A pooled kernel has
been idle since it warmed up; once it is handed to a page, the culler sees an idle kernel with
no connection and ends it at once if the page takes longer than ``cull_idle_timeout`` to open
its websocket — which a room of 30 joining together on a small machine does (80 to 115 s).
Those pages then showed the widgets' text (``ParticipantView(…)``) or "Loading widget…" for
ever. A page lost while loading (a phone put away) still frees its kernel, after the grace.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from jupyter_server._tz import utcnow
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from traitlets import Integer

from codevwidgets.core.environment import REFUSED_DIR

# How long a kernel given to a page may wait for that page to connect before the culler may
# end it (then, as any kernel, after cull_idle_timeout of inactivity), once the page has said
# hello from a browser (codevwidgets.server.gate).
CONNECT_GRACE_SECONDS = 300.0
# A kernel handed to a request that has not said hello this long after the kernel's last
# activity went to a client that runs no script (curl, a scanner): it is ended. A browser says
# hello as soon as it reads the page's first bytes, which come before the kernel is done.
HELLO_GRACE_SECONDS = 8.0
# Pages one address may hold open at once on this server (0: no limit): a phone holds one, a
# facilitator's laptop three or four; an office behind one public address, a group. Loopback
# is the server's own machine (and HAProxy's, which names the visitor in X-Forwarded-For).
MAX_PAGES_PER_ADDRESS = 16
# A refused page still needs its kernel to draw its message ("this link is not valid"): the
# kernel ends once the page has connected and the kernel has been quiet this long since (the
# widgets sent). Ended before, the page showed "Loading widget…" and no message at all.
REFUSED_QUIET_SECONDS = 2.0


@dataclass(frozen=True)
class Capacity:
    """How full a server is: what its health endpoint tells a load balancer.

    ``kernels`` running or starting (pages' and the preheated pool's), ``max_kernels`` (0: no
    limit), ``pool``: preheated kernels a participant page can take without starting one.

    >>> Capacity(kernels=12, max_kernels=12, pool=0).has_room
    False
    """

    kernels: int
    max_kernels: int
    pool: int = 0

    @property
    def has_room(self) -> bool:
        """Whether one more page can open here: a kernel may start, or one waits in the pool."""
        return not self.max_kernels or self.kernels < self.max_kernels or self.pool > 0

    def as_json(self) -> dict[str, int]:
        # Counts only: no session, no kernel id, nothing a visitor typed.
        return {"kernels": self.kernels, "max_kernels": self.max_kernels, "pool": self.pool}


def ready_in_pool(pools: Iterable[Iterable[Any]]) -> int:
    """Preheated kernels that a page can take, in Voilà's pools (lists of asyncio tasks): ready,
    or still starting (the page waits for it); not one whose start failed (a full server)."""
    return sum(
        1
        for pool in pools
        for task in pool
        if not task.done() or (not task.cancelled() and task.exception() is None)
    )


class ServerFull(web.HTTPError):
    """No kernel for one more page: the server is at its ``max_kernels``."""

    def __init__(self) -> None:
        super().__init__(503, reason="This server is full (serveur complet): try again in a minute")


class RoomKernelManager(AsyncMappingKernelManager):
    """``AsyncMappingKernelManager`` that spares kernels whose page has not connected yet,
    and ends at once those whose page refused its visitor (a wrong key or code)."""

    def __init__(self, now: Callable[[], datetime] = utcnow, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._now = now
        refused = os.environ.get(REFUSED_DIR)
        self.refused_dir = Path(refused) if refused else None
        self._connected_once: set[str] = set()
        self._starting = 0  # kernels being started, not yet counted in _kernels
        # Kernels handed to a page request: the visitor's address, and whether its browser
        # said hello (codevwidgets.server.gate).
        self._handed: dict[str, str] = {}
        self._greeted: set[str] = set()

    # Kernels this server may run at once (pages and the preheated pool); 0: no limit. Each
    # holds about 65 MiB: beyond what the machine holds, one page too many would slow or kill
    # every page. `codev serve --max-kernels N` sets it.
    max_kernels = Integer(0, config=True, help="Kernels at most (0: no limit)")
    max_pages_per_address = Integer(
        MAX_PAGES_PER_ADDRESS, config=True, help="Pages one address may hold (0: no limit)"
    )

    # jupyter_client declares start_kernel synchronous; the async manager awaits it.
    async def start_kernel(self, **kwargs: Any) -> str:  # type: ignore[override]
        if self.max_kernels and len(self._kernels) + self._starting >= self.max_kernels:
            self.log.warning("No kernel for a new page: %d kernels running", len(self._kernels))
            raise ServerFull
        self._starting += 1
        try:
            return str(await super().start_kernel(**kwargs))
        finally:
            self._starting -= 1

    def capacity(self) -> Capacity:
        """Kernels running and starting against ``max_kernels``, and those ready in the pool."""
        # Voilà's preheating subclass (voila_kernel_manager_factory) holds its pools here.
        pools: dict[str, list[Any]] = getattr(self, "_pools", {})
        return Capacity(
            kernels=len(self._kernels) + self._starting,
            max_kernels=self.max_kernels,
            pool=ready_in_pool(pools.values()),
        )

    def hand_over(self, kernel_id: str, address: str, browser: bool = False) -> None:
        """``kernel_id`` now serves a page requested from ``address`` (``browser``: by a
        browser's navigation, which counts as its hello)."""
        self._handed[kernel_id] = address
        if browser:
            self._greeted.add(kernel_id)

    def hello(self, kernel_id: str) -> bool:
        """The page of ``kernel_id`` is in a browser; whether the kernel was handed to one."""
        if kernel_id not in self._handed:
            return False
        self._greeted.add(kernel_id)
        return True

    def may_open(self, address: str) -> bool:
        """Whether ``address`` may open one more page here (loopback: always)."""
        if not self.max_pages_per_address or _is_loopback(address):
            return True
        held = sum(1 for kernel, where in self._handed.items() if where == address)
        return held < self.max_pages_per_address

    def notify_connect(self, kernel_id: str) -> None:
        self._connected_once.add(kernel_id)
        super().notify_connect(kernel_id)

    async def cull_kernel_if_idle(self, kernel_id: str) -> None:
        if self._refused(kernel_id):
            self.log.info("Ending kernel %s: its page refused its visitor", kernel_id)
            await self.shutdown_kernel(kernel_id)
            return
        kernel = self._kernels.get(kernel_id)
        dead = getattr(kernel, "execution_state", None) == "dead"
        if kernel is not None and not dead and kernel_id not in self._connected_once:
            # Counted from the kernel's last activity: a pooled kernel runs the rest of the
            # notebook when it is handed to its page, so the grace starts at the hand-over.
            last = getattr(kernel, "last_activity", None)
            unseen = kernel_id in self._handed and kernel_id not in self._greeted
            # Still drawing its page (a cell running, no output for a while on a busy machine):
            # the hello comes with the page's first cell, so the grace starts once it is idle.
            busy = getattr(kernel, "execution_state", None) == "busy"
            if (
                unseen
                and not busy
                and last is not None
                and self._since(last) >= HELLO_GRACE_SECONDS
            ):
                self.log.info("Ending kernel %s: no browser came for its page", kernel_id)
                await self.shutdown_kernel(kernel_id)
                return
            if last is None or self._since(last) < CONNECT_GRACE_SECONDS:
                return
        await super().cull_kernel_if_idle(kernel_id)

    def _since(self, moment: datetime) -> float:
        return (self._now() - moment).total_seconds()

    async def cull_kernels(self) -> None:
        await super().cull_kernels()
        self.refill_pools()

    def refill_pools(self) -> None:
        """Start the preheated kernels a pool lacks while the budget has room.

        Voilà refills a pool only when a page takes a kernel from it; a refill that found the
        server full fails, and the pool would stay empty for good (every later page starting
        its kernel cold). The culler's round (every few seconds) tries again.
        """
        pools: dict[str, list[Any]] = getattr(self, "_pools", {})
        fill = getattr(self, "fill_if_needed", None)
        if fill is None:
            return
        for notebook, pool in pools.items():
            pool[:] = [task for task in pool if ready_in_pool([[task]])]
            size = self.get_pool_size_wanted(notebook)
            room = self.max_kernels - len(self._kernels) - self._starting
            if len(pool) < size and (not self.max_kernels or room >= size - len(pool)):
                self.log.info("Refilling the pool of %s", notebook)
                fill(delay=0, notebook_name=notebook)

    def get_pool_size_wanted(self, notebook: str) -> int:
        """The pool size Voilà was asked to keep for ``notebook``."""
        config: dict[str, Any] = getattr(self, "kernel_pools_config", {})
        default = config.get("default", {})
        return int(config.get(notebook, default).get("pool_size", default.get("pool_size", 1)))

    def _refused(self, kernel_id: str) -> bool:
        if self.refused_dir is None:
            return False
        mark = self.refused_dir / kernel_id
        if not mark.exists() or kernel_id not in self._connected_once:
            return False  # not connected yet: the usual grace, then culling, apply
        last = getattr(self._kernels.get(kernel_id), "last_activity", None)
        if last is not None and self._now() - last < timedelta(seconds=REFUSED_QUIET_SECONDS):
            return False
        with contextlib.suppress(OSError):
            mark.unlink()
        return True

    def remove_kernel(self, kernel_id: str) -> Any:
        self._connected_once.discard(kernel_id)
        self._handed.pop(kernel_id, None)
        self._greeted.discard(kernel_id)
        if self.refused_dir is not None:  # a refused kernel culled before its page came
            with contextlib.suppress(OSError):
                (self.refused_dir / kernel_id).unlink(missing_ok=True)
        return super().remove_kernel(kernel_id)


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False
