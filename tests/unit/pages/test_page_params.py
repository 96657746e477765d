"""Page parameters from Voilà's QUERY_STRING, read safely."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from pathlib import Path

import pytest

from codevwidgets.pages.params import await_visitor, query_parameters, runbook_from_query
from codevwidgets.server.serve import free_port


def test_known_keys_only_first_value_wins() -> None:
    environ = {"QUERY_STRING": "session=abc&key=K1&key=K2&evil=1&lang=fr&name=Ana%20B"}
    assert query_parameters(environ) == {
        "session": "abc",
        "key": "K1",
        "lang": "fr",
        "name": "Ana B",
    }
    assert query_parameters({}) == {}


def test_runbook_from_query_stays_inside_the_folder(tmp_path: Path) -> None:
    (tmp_path / "acme.yaml").write_text("extends: classic\n", encoding="utf-8")
    assert runbook_from_query("flash", tmp_path) == "flash"
    assert runbook_from_query("acme.yaml", tmp_path) == str((tmp_path / "acme.yaml").resolve())
    for bad in ("../outside.yaml", "/etc/passwd", "acme.txt"):
        with pytest.raises(ValueError, match="neither a preset nor a runbook file"):
            runbook_from_query(bad, tmp_path)


def test_a_preheated_kernel_that_cannot_reach_voila_has_no_query(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("QUERY_STRING", "")
    environ = {"VOILA_PREHEAT": "True", "VOILA_APP_PORT": str(free_port())}  # nobody there
    started = time.monotonic()
    await_visitor(environ, patience=1.0)  # no exception: the page says its link is not valid
    assert query_parameters() == {}
    assert time.monotonic() - started >= 1.0  # it tried again before giving up


def test_a_preheated_kernel_waits_for_its_visitor_from_voila(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Voilà's own request-info socket hands the visitor's query to a waiting kernel."""
    from tornado.web import Application
    from voila.request_info_handler import RequestInfoSocketHandler

    port = free_port()
    loop = asyncio.new_event_loop()
    started = threading.Event()

    def run_voila_socket() -> None:
        asyncio.set_event_loop(loop)
        app = Application([(r"/voila/query/(.*)", RequestInfoSocketHandler)])
        app.listen(port, "127.0.0.1")
        loop.call_soon(started.set)
        loop.run_forever()

    threading.Thread(target=run_voila_socket, daemon=True).start()
    assert started.wait(10)
    for name, value in {
        "VOILA_PREHEAT": "True",
        "VOILA_APP_IP": "127.0.0.1",
        "VOILA_APP_PORT": str(port),
        "VOILA_SERVER_URL": "/",
        "VOILA_KERNEL_ID": "k-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("QUERY_STRING", "")  # so that what Voilà sets is undone after
    # The visitor arrives before the kernel asks: Voilà keeps the request for it.
    visitor = {"kernel_id": "k-1", "payload": {"QUERY_STRING": "session=abc&code=C&name=Ana"}}
    loop.call_soon_threadsafe(RequestInfoSocketHandler.send_updates, visitor)
    try:
        # A kernel started for its page (or JupyterLab) has its query already: it never asks.
        await_visitor({**os.environ, "VOILA_PREHEAT": "False"})
        await_visitor({name: v for name, v in os.environ.items() if name != "VOILA_PREHEAT"})
        assert query_parameters() == {}
        await_visitor()
        assert query_parameters() == {"session": "abc", "code": "C", "name": "Ana"}
    finally:
        loop.call_soon_threadsafe(loop.stop)
