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
    HELLO_GRACE_SECONDS,
    MAX_PAGES_PER_ADDRESS,
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


@pytest.fixture
def ended(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The kernels the manager shut down itself."""
    shut: list[str] = []

    async def shutdown(self: AsyncMappingKernelManager, kernel_id: str, **kwargs: object) -> None:
        shut.append(kernel_id)

    monkeypatch.setattr(AsyncMappingKernelManager, "shutdown_kernel", shutdown)
    return shut


def test_a_kernel_handed_to_a_request_that_never_says_hello_ends_within_seconds(
    culled: list[str], ended: list[str]
) -> None:
    now = [HANDED_OVER + timedelta(seconds=HELLO_GRACE_SECONDS - 1)]
    kernels = manager(now)
    kernels.hand_over("k", "192.0.2.7")  # a curl of a link with the right code
    cull(kernels, "k")
    assert ended == []
    now[0] += timedelta(seconds=1)
    cull(kernels, "k")
    assert ended == ["k"]


def test_a_kernel_still_drawing_its_page_is_spared_until_it_is_idle(
    culled: list[str], ended: list[str]
) -> None:
    """Its first cell (which carries the hello) may run long with no output under a room
    joining at once: the grace counts once the kernel is idle."""
    now = [HANDED_OVER + timedelta(seconds=HELLO_GRACE_SECONDS * 3)]
    kernels = manager(now)
    kernels.hand_over("k", "192.0.2.7")
    kernels._kernels["k"].execution_state = "busy"
    cull(kernels, "k")
    assert ended == []
    kernels._kernels["k"].execution_state = "idle"
    cull(kernels, "k")
    assert ended == ["k"]


def test_a_page_that_said_hello_keeps_the_grace_of_a_slow_room(
    culled: list[str], ended: list[str]
) -> None:
    now = [HANDED_OVER + timedelta(seconds=CONNECT_GRACE_SECONDS - 1)]
    kernels = manager(now)
    kernels.hand_over("k", "192.0.2.7")
    assert kernels.hello("k")
    assert not kernels.hello("unknown")  # only a kernel handed to a page can be greeted
    cull(kernels, "k")
    assert ended == [] and culled == []


def test_the_pages_one_address_holds_are_bounded_but_not_the_machines_own() -> None:
    kernels = RoomKernelManager()
    for number in range(MAX_PAGES_PER_ADDRESS):
        assert kernels.may_open("192.0.2.7")
        kernels.hand_over(f"k{number}", "192.0.2.7")
    assert not kernels.may_open("192.0.2.7")
    assert kernels.may_open("192.0.2.8")  # another phone of the room
    assert kernels.may_open("127.0.0.1") and kernels.may_open("::1")
    kernels._kernels["k0"] = SimpleNamespace()
    kernels.remove_kernel("k0")  # a page closed: room for one more
    assert kernels.may_open("192.0.2.7")
    assert RoomKernelManager(max_pages_per_address=0).may_open("192.0.2.7")
