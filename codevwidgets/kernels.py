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

import time
from collections.abc import Callable
from typing import Any

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager

# How long a kernel given to a page may wait for that page to connect before the culler may
# end it (then, as any kernel, after cull_idle_timeout of inactivity).
CONNECT_GRACE_SECONDS = 300.0


class RoomKernelManager(AsyncMappingKernelManager):
    """``AsyncMappingKernelManager`` that spares kernels whose page has not connected yet."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._monotonic = monotonic
        self._connected_once: set[str] = set()
        self._waiting_since: dict[str, float] = {}

    def notify_connect(self, kernel_id: str) -> None:
        self._connected_once.add(kernel_id)
        self._waiting_since.pop(kernel_id, None)
        super().notify_connect(kernel_id)

    async def cull_kernel_if_idle(self, kernel_id: str) -> None:
        kernel = self._kernels.get(kernel_id)
        dead = getattr(kernel, "execution_state", None) == "dead"
        if kernel is not None and not dead and kernel_id not in self._connected_once:
            since = self._waiting_since.setdefault(kernel_id, self._monotonic())
            if self._monotonic() - since < CONNECT_GRACE_SECONDS:
                return
        await super().cull_kernel_if_idle(kernel_id)

    def remove_kernel(self, kernel_id: str) -> Any:
        self._connected_once.discard(kernel_id)
        self._waiting_since.pop(kernel_id, None)
        return super().remove_kernel(kernel_id)
