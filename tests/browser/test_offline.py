"""Nothing leaves the machine: a page asks only the server it came from, icons included.

A room may have no internet, and "everything stays on this machine" is a promise: every
request a facilitator or participant page makes (stylesheets, fonts, scripts, websockets)
goes to the Voilà server, and the buttons' Font Awesome icons still draw. Fonts a page
declares but has not fetched yet (MathJax's, say) must be on the server too.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.store.sqlite import SQLiteStore as SessionStore

if TYPE_CHECKING:
    from codevwidgets.server.serve import VoilaProcess
    from codevwidgets.store.base import Secrets

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
LOAD_TIMEOUT_MS = 60_000
LOCAL_SCHEMES = {"data", "blob", "about"}  # never leave the browser

pytestmark = pytest.mark.browser


def new_session(server: VoilaProcess) -> Secrets:
    session = Session(load_preset("classic"), Roles("Ana", "Bruno", ("Chloé", "David", "Emma")))
    with SessionStore(Path(server.env["CODEV_STORE"])) as store:
        return store.create(session, "classic", "en")


def foreign(urls: list[str], server: VoilaProcess) -> list[str]:
    """The ``urls`` that name a host other than the server's own 127.0.0.1:PORT."""
    own = f"127.0.0.1:{server.port}"
    return [
        u for u in urls if urlsplit(u).scheme not in LOCAL_SCHEMES and urlsplit(u).netloc != own
    ]


def watch(context: Any, urls: list[str], fonts: list[tuple[str, int | None]]) -> None:
    """Note every URL ``context``'s pages ask for, and each font's URL and status."""
    context.on("request", lambda request: urls.append(request.url))
    context.on("page", lambda page: page.on("websocket", lambda ws: urls.append(ws.url)))

    def on_finished(request: Any) -> None:
        if request.resource_type == "font":
            response = request.response()
            fonts.append((request.url, response.status if response else None))

    def on_failed(request: Any) -> None:
        if request.resource_type == "font":
            fonts.append((request.url, None))

    context.on("requestfinished", on_finished)
    context.on("requestfailed", on_failed)


def declared_fonts(page: Any) -> list[str]:
    """Every URL the page's stylesheets name for a font, fetched yet or not (math, brands…).

    A stylesheet from another host cannot be read: its own URL stands for its fonts.
    """
    found: list[str] = page.evaluate(
        """() => [...document.styleSheets].flatMap(sheet => {
            let rules;
            try { rules = [...sheet.cssRules]; } catch (error) { return [sheet.href]; }
            return rules.filter(rule => rule instanceof CSSFontFaceRule).flatMap(rule =>
                [...rule.style.getPropertyValue('src').matchAll(/url\\(\\s*["']?([^"')]+)/g)]
                    .map(match => new URL(match[1], sheet.href || document.baseURI).href));
        })"""
    )
    return found


def icon(page: Any, selector: str) -> dict[str, str]:
    """The computed font family, weight and ``::before`` content of the first ``selector``."""
    found: dict[str, str] = page.eval_on_selector(
        selector,
        """node => {
            const before = getComputedStyle(node, '::before');
            return {family: before.fontFamily, weight: before.fontWeight,
                    content: before.content};
        }""",
    )
    return found


def icon_font_drawn(page: Any) -> bool:
    """Whether Font Awesome's solid face, as the page declares it, loads (no fallback font).

    ``document.fonts.load`` fetches the face even when no icon is on screen yet.
    """
    drawn: bool = page.evaluate(
        """async () => {
            const spec = '900 16px "Font Awesome 5 Free"';
            try {
                const faces = await document.fonts.load(spec, '\\uf00c');
                return faces.length > 0 && document.fonts.check(spec, '\\uf00c');
            } catch (error) {
                return false;
            }
        }"""
    )
    return drawn


def check_page(chromium: Any, server: VoilaProcess, name: str, url: str) -> None:
    """Open ``url`` in a fresh context: it asks only ``server``, and its icons draw."""
    context = chromium.new_context()
    urls: list[str] = []
    fonts: list[tuple[str, int | None]] = []
    watch(context, urls, fonts)
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector(".codev-timer", timeout=LOAD_TIMEOUT_MS)
        page.wait_for_selector("button .fa", state="attached", timeout=LOAD_TIMEOUT_MS)
        page.wait_for_load_state("networkidle")
        asked_others = foreign(urls, server)
        assert not asked_others, f"{name} page asked other hosts: {asked_others}"
        declared = declared_fonts(page)
        assert declared, f"{name}: the page declares no font"
        assert not foreign(declared, server), f"{name}: fonts {foreign(declared, server)}"
        assert icon_font_drawn(page), f"{name}: Font Awesome did not load; fonts: {fonts}"
        shown = icon(page, "button .fa")
        assert "Font Awesome" in shown["family"], f"{name}: {shown}"
        assert shown["content"] not in {"", "none", "normal", '""'}, f"{name}: {shown}"
        assert fonts, f"{name}: no font file was asked for"
        assert all(status in {200, 304} for _, status in fonts), f"{name}: fonts {fonts}"
        # Loading the icon font asked nothing of another host either.
        assert not foreign(urls, server), f"{name} page asked other hosts: {foreign(urls, server)}"
        page.close(run_before_unload=True)
    finally:
        context.close()


def test_pages_ask_only_their_own_server_and_draw_their_icons(
    chromium: Any, voila_server: Any
) -> None:
    server = voila_server(NOTEBOOKS)
    secrets = new_session(server)
    facilitator = server.url(
        "facilitator.ipynb", session=secrets.session_id, key=secrets.facilitator_key
    )
    # A visitor may not ask for one of Voilà's own templates (they link CDNs) either.
    participant = server.url(
        "participant.ipynb",
        session=secrets.session_id,
        code=secrets.join_code,
        name="Chloé",
        template="lab",
    )
    check_page(chromium, server, "facilitator", facilitator)
    check_page(chromium, server, "participant", participant)
