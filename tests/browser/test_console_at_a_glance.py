"""The console on a laptop (1440×900, 1280×720): what the facilitator runs the consultation
with is seen without scrolling, the countdown stays in view, the join links fold once people
have joined, and the role pickers are not cut."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from codevwidgets.core.commands import Command
from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.store.base import Secrets
from codevwidgets.store.sqlite import SQLiteStore

if TYPE_CHECKING:
    from codevwidgets.server.serve import VoilaProcess

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
LOAD_TIMEOUT_MS = 60_000
FOLLOW_TIMEOUT_MS = 20_000
LAPTOPS = [(1440, 900), (1280, 720)]
# What the facilitator runs the consultation with: the countdown, the step's rules, what
# arrives now (contributions, hands, who is ready) and the step's notes.
AT_A_GLANCE = (
    ".codev-timer",
    ".codev-rules",
    ".codev-contributions",
    ".codev-hand-queue",
    ".codev-ready-count",
    ".codev-notes",
)
IDEAS = (
    ("Chloé", "Have you tried asking the team directly what they need?"),
    ("David", "What if the deadline moved by a week, would it change anything?"),
    ("Emma", "Could a short weekly check-in help the team speak up earlier?"),
)

pytestmark = pytest.mark.browser


def new_session(server: VoilaProcess, consultation: bool) -> Secrets:
    """A classic session; with ``consultation``: at that step, three advisors' pages
    connected, their three ideas, a hand raised and one advisor ready."""
    session = Session(load_preset("classic"), Roles("Ana", "Bruno", ("Chloé", "David", "Emma")))
    with SQLiteStore(Path(server.env["CODEV_STORE"])) as store:
        secrets = store.create(session, "classic", "en")
        sid = secrets.session_id
        if consultation:
            store.execute(sid, Command("start"))
            for step in ("presentation", "clarification", "contract"):
                store.execute(sid, Command("next", {"step": step}))
            for page, (name, text) in enumerate(IDEAS):
                store.seen(sid, f"page-{page}", name)  # the advisors' pages are connected
                store.add_contribution(sid, "consultation", name, text, None, f"page-{page}")
            store.signal(sid, "page-1", "David", "hand", True)
            store.signal(sid, "page-2", "Emma", "ready", True)
            note = Command("set_note", {"step": "consultation", "field": "ideas", "text": "x"})
            store.execute(sid, note)
        return secrets


def console(chromium: Any, server: VoilaProcess, secrets: Secrets, size: tuple[int, int]) -> Any:
    page = chromium.new_page(viewport={"width": size[0], "height": size[1]})
    page.goto(
        server.url("facilitator.ipynb", session=secrets.session_id, key=secrets.facilitator_key)
    )
    page.wait_for_selector(".codev-navigator", timeout=LOAD_TIMEOUT_MS)
    return page


def in_view(page: Any, selector: str) -> bool:
    return bool(
        page.evaluate(
            "s => { const r = document.querySelector(s).getBoundingClientRect();"
            " return r.top < innerHeight && r.bottom > 0 && r.height > 0; }",
            selector,
        )
    )


@pytest.mark.parametrize("size", LAPTOPS, ids=[f"{w}x{h}" for w, h in LAPTOPS])
def test_the_consultation_at_a_glance(
    chromium: Any, voila_server: Any, size: tuple[int, int]
) -> None:
    server = voila_server(NOTEBOOKS)
    page = console(chromium, server, new_session(server, consultation=True), size)
    page.wait_for_selector(".codev-hand-queue li", timeout=FOLLOW_TIMEOUT_MS)
    page.wait_for_selector(".codev-contribution", timeout=FOLLOW_TIMEOUT_MS)
    assert [s for s in AT_A_GLANCE if not in_view(page, s)] == []
    # Scrolled to the very bottom (Voilà scrolls the page's box, not the window): the
    # countdown is still in view.
    page.evaluate(
        "() => { for (const e of [document.scrollingElement, ...document.querySelectorAll("
        "'.lm-BoxPanel-child')]) e.scrollTop = e.scrollHeight; }"
    )
    page.wait_for_function(
        "() => document.querySelector('.codev-roles').getBoundingClientRect().bottom <= innerHeight"
    )
    assert not in_view(page, ".codev-step-title")  # the page did scroll
    assert in_view(page, ".codev-timer")
    # The role pickers fit their column: no box cut at its edge, no name cut in its box.
    cut = page.evaluate(
        """() => {
            const roles = document.querySelector('.codev-roles').getBoundingClientRect();
            return [...document.querySelectorAll(
                '.codev-roles .widget-inline-hbox, .codev-roles select, .codev-roles input')]
              .filter(e => e.getBoundingClientRect().right > roles.right + 0.5
                        || e.scrollWidth > e.clientWidth + 0.5)
              .map(e => e.className || e.tagName);
        }"""
    )
    assert cut == []
    page.close(run_before_unload=True)


def test_the_join_links_fold_once_someone_joins(chromium: Any, voila_server: Any) -> None:
    server = voila_server(NOTEBOOKS)
    secrets = new_session(server, consultation=False)
    page = console(chromium, server, secrets, LAPTOPS[0])
    assert page.is_visible(".codev-join-links .codev-join")  # before anyone joins: open
    visitor = chromium.new_page()
    visitor.goto(
        server.url(
            "participant.ipynb", session=secrets.session_id, code=secrets.join_code, name="Chloé"
        )
    )
    visitor.wait_for_selector(".codev-timer", timeout=LOAD_TIMEOUT_MS)
    page.wait_for_selector(
        ".codev-join-links .codev-join", state="hidden", timeout=FOLLOW_TIMEOUT_MS
    )
    page.click(".codev-join-links .jupyter-widget-Collapse-header")  # one click: open again
    page.wait_for_selector(".codev-join-links .codev-join", state="visible")
    visitor.close(run_before_unload=True)
    page.close(run_before_unload=True)


def test_a_note_box_grows_with_its_text(chromium: Any, voila_server: Any) -> None:
    """An action plan's objective (a one-line field) is read in full, however long."""
    server = voila_server(NOTEBOOKS)
    page = console(chromium, server, new_session(server, consultation=False), LAPTOPS[1])
    box = ".codev-note-headline textarea"  # one line, as the objective
    before = page.evaluate("s => document.querySelector(s).offsetHeight", box)
    page.fill(box, "Keep the team engaged until the new roles are announced, " * 6)
    grown = page.evaluate(
        "s => { const e = document.querySelector(s);"
        " return e.scrollHeight <= e.clientHeight + 1 ? e.offsetHeight : 0; }",
        box,
    )
    assert grown > 2 * before  # all its lines shown, none behind a scroll bar
    page.close(run_before_unload=True)
