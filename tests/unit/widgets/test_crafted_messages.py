"""A crafted widget message from a page gets no traceback back: errors stay on the server."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from jupyter_client.manager import start_new_kernel

CRAFTED = [
    # A widget the page asks the kernel to create, with a made-up protocol and state.
    {
        "msg_type": "comm_open",
        "content": {
            "comm_id": "crafted-1",
            "target_name": "jupyter.widget",
            "data": {"state": {"_model_name": "ParticipantView", "children": ["IPY_MODEL_x"]}},
        },
    },
    # A message to a comm that does not exist, and to a target that does not exist.
    {"msg_type": "comm_msg", "content": {"comm_id": "nope", "data": {"method": "update"}}},
    {"msg_type": "comm_open", "content": {"comm_id": "c2", "target_name": "evil", "data": {}}},
]


@pytest.fixture(scope="module")
def kernel() -> Iterator[Any]:
    manager, client = start_new_kernel(kernel_name="python3", startup_timeout=60)
    try:
        yield client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def page_gets(client: Any, setup: str) -> list[str]:
    """What the page would receive on iopub after the crafted messages: stream and errors."""
    client.execute_interactive(setup, timeout=60)
    for crafted in CRAFTED:
        client.shell_channel.send(client.session.msg(crafted["msg_type"], crafted["content"]))
    received: list[str] = []
    end = time.monotonic() + 3
    while time.monotonic() < end:
        try:
            message = client.get_iopub_msg(timeout=0.5)
        except Exception:
            continue
        if message["msg_type"] in {"stream", "error"}:
            received.append(str(message["content"]))
    return received


def test_without_the_kit_a_crafted_message_gets_a_traceback(kernel: Any) -> None:
    # What the probe saw: the test below is about something real.
    received = page_gets(kernel, "import ipywidgets")
    assert any("Traceback" in text for text in received)


def test_a_page_kernel_keeps_its_errors_on_the_server(kernel: Any) -> None:
    setup = (
        "import ipywidgets\n"
        "from codevwidgets.pages.kernel import keep_errors_on_the_server\n"
        "keep_errors_on_the_server()"
    )
    received = page_gets(kernel, setup)
    assert received == []
