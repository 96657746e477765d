"""From JupyterLab to the room: "Open to participants" serves the store's sessions on the
room's network with ``codev serve --no-session``; the Jupyter server and its token stay out."""

from __future__ import annotations

import os
import urllib.request
from pathlib import Path

import pytest

from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.server.room_server import RoomServer, RoomServerError, open_room, room_links
from codevwidgets.store.sqlite import SQLiteStore
from codevwidgets.widgets._view import Texts
from codevwidgets.widgets.join import JoinPanel

TOKEN = "jupyter-secret-token-1234"


def _gone(pid: int) -> bool:
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_the_room_server_serves_the_store_and_stops_with_its_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JUPYTER_TOKEN", TOKEN)
    monkeypatch.setenv("JUPYTER_SERVER_URL", f"http://127.0.0.1:8888/lab?token={TOKEN}")
    path = tmp_path / "store.db"
    secrets = SQLiteStore(path).create(Session(load_preset("flash")), "flash", "en")
    server = open_room(path, ip="127.0.0.1")
    try:
        assert server.running and server.base_url.startswith("http://127.0.0.1:")
        assert open_room(path, ip="127.0.0.1") is server  # a second click: the same server
        participants, projector = room_links(server, secrets)
        assert participants.startswith(f"{server.base_url}/voila/render/participant.ipynb?")
        assert projector.startswith(f"{server.base_url}/voila/render/projector.ipynb?")
        for url in (participants, projector):
            assert TOKEN not in url and "8888" not in url and "key=" not in url
            assert f"code={secrets.join_code}" in url
        with urllib.request.urlopen(participants, timeout=30) as answer:
            assert answer.status == 200
    finally:
        server.stop()
    assert server.process is not None
    assert server.process.poll() is not None
    assert _gone(server.process.pid)
    server.stop()  # idempotent


def test_a_busy_port_is_one_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        server = RoomServer(tmp_path / "s.db", ip="127.0.0.1", port=port)
        with pytest.raises(RoomServerError, match=f"port {port} is busy"):
            server.start()
    assert server.process is None


def test_the_default_is_the_rooms_network() -> None:
    server = RoomServer(Path("s.db"), port=8999)
    assert server.ip == "0.0.0.0"
    assert not server.base_url.startswith("http://0.0.0.0")


def texts() -> Texts:
    return Texts(load_preset("classic"), "en")


def test_the_button_swaps_the_relative_links_for_the_rooms() -> None:
    room = ("http://10.0.0.5:8866/voila/render/participant.ipynb?session=S&code=C",)
    room += ("http://10.0.0.5:8866/voila/render/projector.ipynb?session=S&code=C",)
    panel = JoinPanel(
        texts(),
        "participant.ipynb?session=S&code=C",
        "facilitator.ipynb?session=S&key=K",
        "projector.ipynb?session=S&code=C",
        [("Chloé", "participant.ipynb?session=S&code=C&name=Chlo%C3%A9")],
        open_room=lambda: room,
        run=lambda job: job(),
    )
    assert "codev-open-room" in panel.room._dom_classes
    assert panel.room.description == "Open to participants"
    panel.room.click()
    assert panel.participant_url == room[0]
    assert room[0].replace("&", "&amp;") in panel.join.value
    assert panel.join_box.children == (panel.join,)
    assert room[1].replace("&", "&amp;") in panel.projector.value
    assert panel.people is not None  # each member's own link is the room's server's too
    assert f"{room[0]}&name=Chlo%C3%A9".replace("&", "&amp;") in panel.people.value
    assert 'href="participant.ipynb' not in panel.people.value
    assert panel.room.layout.display == "none"


def test_a_server_that_cannot_start_is_one_line() -> None:
    def fail() -> tuple[str, str]:
        raise RoomServerError("port 8866 is busy (Address already in use)\nmore")

    panel = JoinPanel(texts(), "p", "f", "j", open_room=fail, run=lambda job: job())
    panel.click_open_room()
    assert panel.room_status.value == (
        "The room's server could not start: port 8866 is busy (Address already in use)"
    )
    assert "codev-error" in panel.room_status._dom_classes
    assert not panel.room.disabled and panel.participant_url == "p"


def test_without_open_room_there_is_no_button() -> None:
    panel = JoinPanel(texts(), "http://h/p", "http://h/f", "http://h/j")
    assert not hasattr(panel, "room")


def join_panel(page: object) -> JoinPanel:
    todo = [page]
    while todo:
        widget = todo.pop()
        if isinstance(widget, JoinPanel):
            return widget
        todo.extend(getattr(widget, "children", ()))
    raise AssertionError("no join panel")


def test_the_lab_console_offers_it_and_the_served_one_does_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from codevwidgets.pages.session import facilitator_page
    from codevwidgets.widgets.console import FacilitatorConsole

    monkeypatch.setenv("CODEV_STORE", str(tmp_path / "store.db"))
    monkeypatch.delenv("VOILA_BASE_URL", raising=False)
    monkeypatch.delenv("QUERY_STRING", raising=False)
    page = facilitator_page()
    assert isinstance(page, FacilitatorConsole)
    assert join_panel(page).open_room is not None
    store = SQLiteStore(tmp_path / "store.db")
    secrets = store.create(Session(load_preset("classic")), "classic", "en")
    query = f"session={secrets.session_id}&key={secrets.facilitator_key}"
    monkeypatch.setenv("QUERY_STRING", query)
    monkeypatch.setenv("VOILA_BASE_URL", "/")
    served = facilitator_page()
    assert isinstance(served, FacilitatorConsole)
    assert join_panel(served).open_room is None
