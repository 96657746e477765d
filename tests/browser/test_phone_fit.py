"""A branded room on a phone: every page fits its viewport, and the free name joins on Enter.

A runbook with a long title and a wide logo (1200×300), a roster with a long name and a long
unbroken word, a contribution with a 200-character word: "who are you?" (the roster's names,
and a free name), the participant page and the projector at 320, 390 and 768 px, the console
at 1024 px, in French and in English. A page fits when the document cannot scroll sideways
and no visible element's box passes the viewport's right edge (a page that clips its content
cannot scroll either: the second check is the one that sees a cut title).

One Voilà server for the module; each language's pages are opened once and resized.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from matplotlib import pyplot as plt

from codevwidgets.core.commands import Command
from codevwidgets.core.roles import Roles
from codevwidgets.core.roster import Member, Roster
from codevwidgets.core.runbook import load_runbook
from codevwidgets.core.session import Session
from codevwidgets.store.sqlite import SQLiteStore
from tests.browser.conftest import VOILA, unavailable

if TYPE_CHECKING:
    from codevwidgets.server.serve import VoilaProcess

pytestmark = pytest.mark.browser

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
LOAD_TIMEOUT_MS = 60_000
FOLLOW_TIMEOUT_MS = 10_000
PHONES = (320, 390, 768)
CONSOLE_WIDTH = 1024
LANGUAGES = ("fr", "en")
TITLE = "Codéveloppement Acme — Direction des ressources humaines et de la transformation"
LONG_NAME = "Marie-Hélène Bouchard-Lefebvre de la Villardière-Saint-Jean"
LONG_WORD = "Anticonstitutionnellementextraordinairementinterminable"
CONTRIBUTION = "Pourquoi " + "x" * 200 + " ?"
RUNBOOK = f"""\
extends: classic
client: Acme
branding:
  title: "{TITLE}"
  logo: acme.png
  colours: {{primary: "#7a1f5c"}}
"""
# What passes the viewport's right edge, as "classes right" (empty when the page fits).
OVERFLOW = """() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  const found = root.scrollWidth > width ? [`document ${root.scrollWidth} > ${width}`] : [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width <= 1 && box.height <= 1) continue;  // nothing to see (a 1 px pixel, hidden text)
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    if (box.right > width + 0.5) {
      const name = String(el.className.baseVal ?? el.className).replace(/\\s+/g, '.');
      found.push(`${el.tagName.toLowerCase()}.${name} ${Math.round(box.right)}`);
    }
  }
  return found;
}"""


def logo_png() -> bytes:
    """A 1200×300 PNG, a logo as a designer hands it over: far wider than a phone."""
    ramp = np.linspace(0.0, 1.0, 1200)
    image = np.stack(
        [np.tile(ramp, (300, 1)), np.full((300, 1200), 0.3), np.tile(ramp[::-1], (300, 1))], axis=-1
    )
    out = io.BytesIO()
    plt.imsave(out, image, format="png")
    return out.getvalue()


@dataclass(frozen=True)
class Links:
    """One language's pages of the branded session (and of one without a roster)."""

    who_free: str
    who_roster: str
    participant: str
    projector: str
    console: str
    enter: str  # a session without roster of its own, for the Enter test


@pytest.fixture(scope="module")
def room(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[VoilaProcess, dict[str, Links]]]:
    """One Voilà, and per language: the branded session running its clarifying questions, with
    a contribution; a session without roster (a free name)."""
    from codevwidgets.server.serve import VoilaProcess

    if not VOILA.is_file():
        unavailable(f"voila is not installed next to {VOILA.parent}")
    folder = tmp_path_factory.mktemp("branded")
    (folder / "acme.png").write_bytes(logo_png())
    (folder / "acme.yaml").write_text(RUNBOOK, encoding="utf-8")
    runbook = load_runbook(folder / "acme.yaml")
    roster = Roster(
        group="Équipe",
        facilitator="Ana",
        members=[Member(name=n) for n in ("Ana", LONG_NAME, LONG_WORD, "David")],
    )
    try:
        server = VoilaProcess(folder / "voila", folder / "store.db", NOTEBOOKS)
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    links: dict[str, Links] = {}
    try:
        with SQLiteStore(Path(server.env["CODEV_STORE"])) as store:
            for language in LANGUAGES:
                branded = Session(runbook, Roles("Ana", LONG_NAME, (LONG_WORD, "David")))
                secrets = store.create(branded, str(folder / "acme.yaml"), language, roster)
                store.execute(secrets.session_id, Command("start"))
                store.execute(secrets.session_id, Command("next", {"step": "presentation"}))
                store.add_contribution(
                    secrets.session_id, "clarification", LONG_WORD, CONTRIBUTION, None, "phone"
                )
                free, enter = (
                    store.create(
                        Session(runbook, Roles("Ana", "Bruno", ("Chloé", "Emma"))), "", language
                    )
                    for _ in range(2)
                )
                session, code = secrets.session_id, secrets.join_code
                links[language] = Links(
                    who_free=server.url(
                        "participant.ipynb",
                        session=free.session_id,
                        code=free.join_code,
                        lang=language,
                    ),
                    who_roster=server.url(
                        "participant.ipynb", session=session, code=code, lang=language
                    ),
                    participant=server.url(
                        "participant.ipynb",
                        session=session,
                        code=code,
                        name=LONG_WORD,
                        lang=language,
                    ),
                    projector=server.url("projector.ipynb", session=session, code=code),
                    console=server.url(
                        "facilitator.ipynb", session=session, key=secrets.facilitator_key
                    ),
                    enter=server.url(
                        "participant.ipynb",
                        session=enter.session_id,
                        code=enter.join_code,
                        lang=language,
                    ),
                )
        yield server, links
    finally:
        server.stop()


def open_page(context: Any, url: str, ready: str) -> Any:
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector(ready, timeout=LOAD_TIMEOUT_MS)
    # The logo drawn: its size is what the page has to fit.
    page.wait_for_function(
        "() => [...document.querySelectorAll('img.codev-logo')]"
        ".every(image => image.complete && image.naturalWidth > 0)",
        timeout=FOLLOW_TIMEOUT_MS,
    )
    return page


@pytest.fixture(scope="module", params=LANGUAGES)
def phone_pages(
    request: pytest.FixtureRequest, chromium: Any, room: tuple[VoilaProcess, dict[str, Links]]
) -> Iterator[dict[str, Any]]:
    """One language's phone pages, opened once (each its own kernel) and resized by the tests."""
    links = room[1][request.param]
    context = chromium.new_context(viewport={"width": PHONES[0], "height": 800})
    try:
        pages = {
            "who (free name)": open_page(context, links.who_free, ".codev-who-input input"),
            "who (roster)": open_page(context, links.who_roster, ".codev-who-name"),
            "participant": open_page(context, links.participant, ".codev-timer"),
            "projector": open_page(context, links.projector, ".codev-timer"),
        }
        pages["participant"].wait_for_selector(
            ".codev-contribution-text", timeout=FOLLOW_TIMEOUT_MS
        )
        yield pages
    finally:
        for page in context.pages:
            page.close(run_before_unload=True)
        context.close()


def overflow(page: Any) -> list[str]:
    """What passes the right edge once the page has laid itself out at its size (Voilà's frame
    follows a resize on its next frame): empty when it fits."""
    try:
        page.wait_for_function(f"() => ({OVERFLOW})().length === 0", timeout=FOLLOW_TIMEOUT_MS)
    except Exception:  # Playwright's timeout: say what does not fit
        return list(page.evaluate(OVERFLOW))
    return []


@pytest.mark.parametrize("width", PHONES)
def test_every_branded_page_fits_a_phone(phone_pages: dict[str, Any], width: int) -> None:
    found = {}
    for name, page in phone_pages.items():
        page.set_viewport_size({"width": width, "height": 800})
        if problems := overflow(page):
            found[name] = problems[:8]
    assert found == {}
    # The logo scaled down to the page, the title and the long word in full.
    participant = phone_pages["participant"]
    assert participant.locator("img.codev-logo").bounding_box()["width"] <= width
    assert participant.text_content(".codev-brand").strip() == TITLE
    assert CONTRIBUTION in str(participant.text_content(".codev-contributions"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_branded_console_fits_1024_px(
    chromium: Any, room: tuple[VoilaProcess, dict[str, Links]], language: str
) -> None:
    context = chromium.new_context(viewport={"width": CONSOLE_WIDTH, "height": 800})
    try:
        page = open_page(context, room[1][language].console, ".codev-navigator")
        page.wait_for_selector(".codev-contribution-text", timeout=FOLLOW_TIMEOUT_MS)
        assert overflow(page) == []
    finally:
        for page in context.pages:
            page.close(run_before_unload=True)
        context.close()


def test_a_free_name_joins_with_enter_on_a_phone(
    chromium: Any, room: tuple[VoilaProcess, dict[str, Links]]
) -> None:
    context = chromium.new_context(
        viewport={"width": 320, "height": 640}, is_mobile=True, has_touch=True
    )
    try:
        page = open_page(context, room[1]["fr"].enter, ".codev-who-input input")
        # The box and its button, both whole on the screen.
        for part in (".codev-who-input input", ".codev-who-join"):
            box = page.locator(part).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 320, part
        box = page.locator(".codev-who-input input")
        box.fill("Zo")
        box.press("Tab")  # leaving the box (a tap elsewhere) does not join under half a name
        box.fill("Zoé")  # the box is still there to type in
        box.press("Enter")
        page.wait_for_selector(".codev-timer", timeout=FOLLOW_TIMEOUT_MS)
        assert str(page.text_content(".codev-who-you")).count("Zoé") == 1
        assert page.locator(".codev-who").count() == 0
    finally:
        for page in context.pages:
            page.close(run_before_unload=True)
        context.close()
