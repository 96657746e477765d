"""The console says in one line when phones cannot reach its join link (issue 22, item 4)."""

from __future__ import annotations

from pathlib import Path

import ipywidgets as widgets
import pytest

from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.store.sqlite import SQLiteStore
from codevwidgets.widgets._view import Texts
from codevwidgets.widgets.join import JoinPanel

LOCAL = "http://127.0.0.1:8866/voila/render/participant.ipynb?session=S&code=C"
ROOM = "http://10.0.0.5:8866/voila/render/participant.ipynb?session=S&code=C"


def panel(participants: str, language: str = "en", **kwargs: object) -> JoinPanel:
    own = participants.replace("participant", "facilitator")
    return JoinPanel(Texts(load_preset("classic"), language), participants, own, **kwargs)  # type: ignore[arg-type]


def shown(widget: widgets.DOMWidget) -> bool:
    return widget.layout.display != "none"


def test_a_loopback_link_says_phones_cannot_reach_it_and_how_to_serve_the_room() -> None:
    hint = panel(LOCAL).hint
    assert shown(hint) and "codev-join-hint" in hint._dom_classes
    assert hint.value == (
        "Phones cannot reach 127.0.0.1: serve the room with <code>codev serve --ip 0.0.0.0</code>"
    )


def test_the_hint_is_french_on_a_french_console() -> None:
    assert panel(LOCAL, "fr").hint.value.startswith(
        "Les téléphones ne peuvent pas joindre 127.0.0.1 : servez la salle avec <code>"
    )


@pytest.mark.parametrize("url", [ROOM, "participant.ipynb?session=S&code=C"])
def test_a_link_phones_can_open_has_no_hint(url: str) -> None:
    assert not shown(panel(url).hint)


def test_the_rooms_server_takes_the_hint_away() -> None:
    room = (ROOM, ROOM.replace("participant", "projector"))
    join = panel(LOCAL, open_room=lambda: room, run=lambda job: job())
    join.click_open_room()
    assert not shown(join.hint)


def join_panel(page: object) -> JoinPanel:
    todo = [page]
    while todo:
        widget = todo.pop()
        if isinstance(widget, JoinPanel):
            return widget
        todo.extend(getattr(widget, "children", ()))
    raise AssertionError("no join panel")


@pytest.mark.parametrize(
    ("public", "hinted"), [("http://127.0.0.1:8866", True), (ROOM[:21], False)]
)
def test_the_served_console_shows_the_hint_when_codev_serve_listens_on_loopback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, public: str, hinted: bool
) -> None:
    from codevwidgets.pages.session import facilitator_page

    store = tmp_path / "store.db"
    secrets = SQLiteStore(store).create(Session(load_preset("classic")), "classic", "en")
    monkeypatch.setenv("CODEV_STORE", str(store))
    monkeypatch.setenv("CODEV_PUBLIC_URL", public)  # as codev serve sets it for its kernels
    monkeypatch.setenv("VOILA_BASE_URL", "/")
    monkeypatch.setenv(
        "QUERY_STRING", f"session={secrets.session_id}&key={secrets.facilitator_key}"
    )
    page = facilitator_page()
    join = join_panel(page)
    assert join.participant_url.startswith(public)
    assert shown(join.hint) is hinted
    assert join.hint in join.children
