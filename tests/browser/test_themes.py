"""The branding and the dark theme reach the participant page in Chromium: the client's title
and logo, a brand colour in the computed style, and a dark page to its edges — whether the
link says ``&theme=dark`` or the runbook says ``theme: dark``."""

from __future__ import annotations

import base64
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import load_runbook
from codevwidgets.core.session import Session
from codevwidgets.core.theme import palette
from codevwidgets.store.sqlite import SQLiteStore

if TYPE_CHECKING:
    from codevwidgets.server.serve import VoilaProcess

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
LOAD_TIMEOUT_MS = 60_000
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
# A logo that tries to run script: shown as an <img>, it never does.
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40" onload="alert(1)">'
    b'<script>alert(2)</script><rect width="40" height="40" fill="#f2c200"/></svg>'
)
YELLOW = "#f2c200"

pytestmark = pytest.mark.browser


def rgb(colour: str) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def session_of(server: VoilaProcess, folder: Path, logo: str, theme: str) -> tuple[str, str]:
    folder.mkdir()
    (folder / "acme.png").write_bytes(PNG)
    (folder / "acme.svg").write_bytes(SVG)
    path = folder / "acme.yaml"
    path.write_text(
        "extends: classic\nclient: Acme\n"
        f"theme: {theme}\n"
        f"branding: {{title: Acme Codevelopment, logo: {logo},"
        f" colours: {{primary: '{YELLOW}'}}}}\n",
        encoding="utf-8",
    )
    session = Session(load_runbook(path), Roles("Ana", "Bruno", ("Chloé", "David", "Emma")))
    with SQLiteStore(Path(server.env["CODEV_STORE"])) as store:
        secrets = store.create(session, str(path), "en")
    return secrets.session_id, secrets.join_code


@pytest.mark.parametrize(
    ("case", "logo", "runbook_theme", "link_theme", "theme"),
    [
        ("light", "acme.png", "light", None, "light"),
        ("dark-link", "acme.png", "light", "dark", "dark"),
        ("dark-runbook", "acme.svg", "dark", None, "dark"),
    ],
)
def test_branding_and_theme_reach_the_participant_page(
    chromium: Any,
    voila_server: Any,
    tmp_path: Path,
    case: str,
    logo: str,
    runbook_theme: str,
    link_theme: str | None,
    theme: str,
) -> None:
    server = voila_server(NOTEBOOKS)
    session_id, code = session_of(server, tmp_path / case, logo, runbook_theme)
    (tmp_path / case / logo).unlink()  # the session carries its logo: the file may go
    query = {"session": session_id, "code": code, "name": "Chloé"}
    if link_theme:
        query["theme"] = link_theme
    page = chromium.new_page(viewport={"width": 390, "height": 844})
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        page.goto(server.url("participant.ipynb", **query))
        page.wait_for_selector(".codev-timer", timeout=LOAD_TIMEOUT_MS)
        assert page.text_content(".codev-brand").strip() == "Acme Codevelopment"
        image = page.locator("img.codev-logo")
        assert image.count() == 1
        kind = "svg+xml" if logo.endswith(".svg") else "png"
        assert image.get_attribute("src").startswith(f"data:image/{kind};base64,")
        page.wait_for_function("() => document.querySelector('img.codev-logo').naturalWidth > 0")
        assert page.locator(f".codev-participant.codev-theme-{theme}").count() == 1
        style = page.evaluate(
            """() => {
                const get = (selector, property) =>
                    getComputedStyle(document.querySelector(selector))[property];
                return {
                    title: get('.codev-step-title', 'color'),
                    brand: get('.codev-brand', 'color'),
                    body: get('body', 'backgroundColor'),
                    page: get('.codev-participant', 'backgroundColor'),
                    text: get('.codev-rules', 'color'),
                };
            }"""
        )
        chosen = palette(theme, YELLOW)  # type: ignore[arg-type]
        # The brand's yellow as given on black; darkened on white, where it would not read.
        assert style["title"] == style["brand"] == rgb(chosen.primary)
        assert (chosen.primary == YELLOW) == (theme == "dark")
        background = rgb("#000000" if theme == "dark" else "#ffffff")
        assert style["body"] == style["page"] == background
        assert style["text"] == rgb(chosen.text)
        assert dialogs == []
    finally:
        page.close(run_before_unload=True)


def test_a_theme_in_the_link_carries_no_markup_into_the_page(voila_server: Any) -> None:
    """Voilà writes ``?theme=`` into the page's body tag unescaped; the kit's template lets
    only light or dark through (found while adding ``&theme=dark``)."""
    from tests.browser import test_live_session as live

    server = voila_server(NOTEBOOKS)
    secrets = live.new_session(server)
    payload = '"><img src=x onerror=alert(1)>'
    sid = secrets.session_id
    links = {
        "participant.ipynb": {"session": sid, "code": secrets.join_code, "name": "Chloé"},
        "facilitator.ipynb": {"session": sid, "key": secrets.facilitator_key},
    }
    for notebook, query in links.items():
        url = server.url(notebook, **query, theme=payload)
        with urllib.request.urlopen(url, timeout=120) as answer:
            page = answer.read().decode("utf-8")
        # (Voilà's page config also holds it, as JSON: escaped, "\u003cimg …", harmless.)
        assert "<img src=x" not in page
        assert 'data-jp-theme-name="JupyterLab Light"' in page
        # A link refused at the server's door: its own page carries none either.
        refused = server.url(notebook, session="x", code="y", key="z", theme=payload)
        with pytest.raises(urllib.error.HTTPError) as door:
            urllib.request.urlopen(refused, timeout=120)
        assert "<img src=x" not in door.value.read().decode("utf-8")
