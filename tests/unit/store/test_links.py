"""The one link builder: every page address of the kit is ``page_link``'s (or, relative to
the page, ``link_beside``'s), and no other module spells ``voila/render``."""

from __future__ import annotations

from pathlib import Path

import pytest

from codevwidgets.pages.params import page_url
from codevwidgets.server.room_server import room_links
from codevwidgets.server.sessions import links
from codevwidgets.store.base import Secrets
from codevwidgets.store.location import link_beside, page_link

PACKAGE = Path(__file__).resolve().parents[3] / "codevwidgets"
SECRETS = Secrets("s1", "key/+=", "code&1")


def test_a_page_on_a_server() -> None:
    assert page_link("http://room:8866", "participant.ipynb", {"session": "s1", "code": "a b"}) == (
        "http://room:8866/voila/render/participant.ipynb?session=s1&code=a+b"
    )
    assert page_link("http://room:8866/", "Acme session.ipynb") == (
        "http://room:8866/voila/render/Acme%20session.ipynb"  # no query: no "?"
    )


@pytest.mark.parametrize(
    ("folder", "expected"),
    [
        ("http://h/voila/render/sub/", "http://h/voila/render/sub/projector.ipynb?session=s1"),
        ("", "projector.ipynb?session=s1"),  # relative to the page, as in JupyterLab
    ],
)
def test_a_page_beside_this_one(folder: str, expected: str) -> None:
    assert link_beside(folder, "projector.ipynb", {"session": "s1"}) == expected


def test_every_builder_of_links_gives_the_same_address() -> None:
    base = "http://room:8866"
    given = links(base + "/", SECRETS)
    code = {"session": "s1", "code": "code&1"}
    assert given.participants == page_link(base, "participant.ipynb", code)
    assert given.facilitator == page_link(
        base, "facilitator.ipynb", {"session": "s1", "key": "key/+="}
    )
    public = {"CODEV_PUBLIC_URL": base + "/"}
    assert page_url("participant.ipynb", code, public) == given.participants

    class Room:
        base_url = base

    assert room_links(Room(), SECRETS) == (  # type: ignore[arg-type]
        given.participants,
        page_link(base, "projector.ipynb", code),
    )


def test_no_other_module_spells_the_render_path() -> None:
    found = sorted(
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if path.name != "location.py" and "voila/render" in path.read_text(encoding="utf-8")
    )
    assert found == []
