"""RoomKernelManager: a kernel handed to a page is not culled before the page connects."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager

from codevwidgets.pages.params import refuse_visitor
from codevwidgets.server.kernels import (
    CONNECT_GRACE_SECONDS,
    REFUSED_QUIET_SECONDS,
    RoomKernelManager,
)
from codevwidgets.server.serve import voila_command


@pytest.fixture
def culled(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The kernels Jupyter's own culler was asked to consider (it culls idle ones)."""
    asked: list[str] = []

    async def cull(self: AsyncMappingKernelManager, kernel_id: str) -> None:
        asked.append(kernel_id)

    monkeypatch.setattr(AsyncMappingKernelManager, "cull_kernel_if_idle", cull)
    return asked


def cull(kernels: RoomKernelManager, kernel_id: str) -> None:
    # In a thread of its own: Playwright's sync API (the browser tests, earlier in the same
    # run) leaves an event loop running in the main thread, where asyncio.run() is refused.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, kernels.cull_kernel_if_idle(kernel_id)).result()


HANDED_OVER = datetime(2026, 11, 29, 20, 0, tzinfo=UTC)


def manager(now: list[datetime]) -> RoomKernelManager:
    manager = RoomKernelManager(now=lambda: now[0])
    manager._kernels["k"] = SimpleNamespace(execution_state="idle", last_activity=HANDED_OVER)
    return manager


def test_a_kernel_waiting_for_its_page_is_spared_for_a_grace(culled: list[str]) -> None:
    now = [HANDED_OVER + timedelta(seconds=CONNECT_GRACE_SECONDS - 1)]
    kernels = manager(now)
    cull(kernels, "k")
    assert culled == []  # a page of a room joining at once may take minutes to connect
    now[0] += timedelta(seconds=2)
    cull(kernels, "k")
    assert culled == ["k"]  # a page lost while loading frees its kernel after the grace


def test_once_connected_the_usual_culling_applies(culled: list[str]) -> None:
    kernels = manager([HANDED_OVER])
    kernels._kernel_connections["k"] = 0
    kernels.notify_connect("k")
    cull(kernels, "k")
    assert culled == ["k"]


def test_a_dead_kernel_is_culled_at_once(culled: list[str]) -> None:
    kernels = manager([HANDED_OVER])
    kernels._kernels["k"].execution_state = "dead"
    cull(kernels, "k")
    assert culled == ["k"]


def test_codev_serve_uses_it_and_unix_sockets_for_kernels() -> None:
    command = voila_command(8870, "127.0.0.1")
    assert (
        "--VoilaConfiguration.multi_kernel_manager_class=codevwidgets.server.kernels.RoomKernelManager"
        in command
    )
    assert "--KernelManager.transport=ipc" in command


def test_a_kernel_whose_page_refused_its_visitor_ends_at_once(
    culled: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ended: list[str] = []

    async def shutdown(self: AsyncMappingKernelManager, kernel_id: str, **kwargs: object) -> None:
        ended.append(kernel_id)

    monkeypatch.setattr(AsyncMappingKernelManager, "shutdown_kernel", shutdown)
    monkeypatch.setenv("CODEV_REFUSED_DIR", str(tmp_path))
    now = [HANDED_OVER]
    kernels = manager(now)
    monkeypatch.setenv("VOILA_KERNEL_ID", "k")
    refuse_visitor()  # what the page's kernel does on a wrong key or code
    cull(kernels, "k")
    assert ended == []  # its page has not connected: it would show "Loading widget…"
    kernels.notify_connect("k")  # connected: the usual culler spares it
    cull(kernels, "k")
    assert ended == []  # still sending the page its message
    now[0] += timedelta(seconds=REFUSED_QUIET_SECONDS)
    cull(kernels, "k")
    assert ended == ["k"]
    assert list(tmp_path.iterdir()) == []
    cull(kernels, "k")
    assert ended == ["k"]  # once
