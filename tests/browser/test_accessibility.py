"""WCAG 2.1 AA, checked by Deque's axe-core injected into the kit's pages in Chromium.

The console and the participant page, light and dark (``&theme=dark`` on the link, and
``theme: dark`` in the runbook), before the session starts and during a step that collects
contributions; the cycle page, the runbook editor and the pages refusing a wrong link, light
and ``&theme=dark``; the session record's HTML file (paper: light): no violation of impact
serious or critical. axe-core comes from npm
(``tests/browser/package.json``, installed by ``.ci/run`` with ``npm ci``); without it these
tests skip locally with a message and fail on CI.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from codevwidgets.core.commands import Command
from codevwidgets.core.roles import Roles
from codevwidgets.core.roster import load_roster
from codevwidgets.core.runbook import load_preset, load_runbook
from codevwidgets.core.session import Session
from codevwidgets.demo import DEMO_ROSTER
from codevwidgets.demo.cycle import seed_demo_cycle
from codevwidgets.record.export import render
from codevwidgets.record.model import build_record
from codevwidgets.store.base import Secrets
from codevwidgets.store.sqlite import SQLiteStore
from tests.browser.conftest import unavailable

if TYPE_CHECKING:
    from codevwidgets.server.serve import VoilaProcess

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
AXE = Path(__file__).with_name("node_modules") / "axe-core" / "axe.min.js"
LOAD_TIMEOUT_MS = 60_000
FOLLOW_TIMEOUT_MS = 10_000
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING = ("serious", "critical")
# A 1×1 PNG: the logo a branded runbook names, beside it.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
# Brand colours a designer might pick with no thought for contrast: a pale yellow and a
# mid blue, unreadable as text on white and on black respectively.
RUNBOOK = """\
extends: classic
client: Acme
theme: {theme}
branding:
  title: Acme Codevelopment
  logo: acme.png
  colours: {{primary: "#f2c200", accent: "#2050a0"}}
"""

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        unavailable(f"axe-core is not installed at {AXE} (cd tests/browser && npm ci)")
    return AXE.read_text(encoding="utf-8")


def branded_session(server: VoilaProcess, folder: Path, theme: str) -> Secrets:
    """A session of a branded client runbook (``theme``), roles set, not started."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "acme.png").write_bytes(PNG)
    path = folder / "acme.yaml"
    path.write_text(RUNBOOK.format(theme=theme), encoding="utf-8")
    session = Session(load_runbook(path), Roles("Ana", "Bruno", ("Chloé", "David", "Emma")))
    with SQLiteStore(Path(server.env["CODEV_STORE"])) as store:
        return store.create(session, str(path), "en")


def to_questions(server: VoilaProcess, secrets: Secrets) -> None:
    """Start the session and move to the clarification step (questions), with one question."""
    with SQLiteStore(Path(server.env["CODEV_STORE"])) as store:
        store.execute(secrets.session_id, Command("start"))
        store.execute(secrets.session_id, Command("next", {"step": "presentation"}))
        store.add_contribution(
            secrets.session_id, "clarification", "Chloé", "What did you try first?", None, "t"
        )


def audit(page: Any, axe_source: str) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    found: list[dict[str, Any]] = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {
                runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
            });
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({
                    target: n.target.join(' '), html: n.html.slice(0, 120),
                    summary: (n.failureSummary || '').split('\\n').slice(0, 2).join(' '),
                })),
            }));
        }""",
        WCAG_TAGS,
    )
    return found


def readable(where: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{where}:"]
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} nodes)")
        lines.extend(f"      {n['target']}  {n['summary']}" for n in v["nodes"][:6])
    return "\n".join(lines)


@dataclass
class Audited:
    where: str
    violations: list[dict[str, Any]]

    @property
    def failing(self) -> list[dict[str, Any]]:
        return [v for v in self.violations if v["impact"] in FAILING]

    @property
    def nodes(self) -> int:
        return sum(len(v["nodes"]) for v in self.failing)


@pytest.fixture
def server(voila_server: Any) -> VoilaProcess:
    server: VoilaProcess = voila_server(NOTEBOOKS)
    return server


# (how the theme is chosen: the runbook's theme, the link's &theme=)
THEMES = {
    "light": ("light", None),
    "dark-link": ("light", "dark"),
    "dark-runbook": ("dark", None),
}


@pytest.mark.parametrize("case", list(THEMES))
def test_pages_pass_wcag_21_aa(
    chromium: Any, server: VoilaProcess, axe_source: str, tmp_path: Path, case: str
) -> None:
    runbook_theme, link_theme = THEMES[case]
    secrets = branded_session(server, tmp_path / case, runbook_theme)
    extra = {"theme": link_theme} if link_theme else {}
    urls = {
        "console": server.url(
            "facilitator.ipynb",
            session=secrets.session_id,
            key=secrets.facilitator_key,
            **extra,
        ),
        "participant": server.url(
            "participant.ipynb",
            session=secrets.session_id,
            code=secrets.join_code,
            name="Chloé",
            **extra,
        ),
    }
    results: list[Audited] = []
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        pages = {}
        for name, url in urls.items():
            page = context.new_page()
            page.goto(url)
            page.wait_for_selector(".codev-timer", timeout=LOAD_TIMEOUT_MS)
            pages[name] = page
        for name, page in pages.items():
            results.append(Audited(f"{name}, {case}, before the start", audit(page, axe_source)))
        to_questions(server, secrets)
        for name, page in pages.items():
            page.wait_for_selector(".codev-contribution-text", timeout=FOLLOW_TIMEOUT_MS)
            page.wait_for_selector(".codev-timer--ok", timeout=FOLLOW_TIMEOUT_MS)
            results.append(Audited(f"{name}, {case}, questions", audit(page, axe_source)))
    finally:
        for page in context.pages:
            page.close(run_before_unload=True)
        context.close()
    check(results)


def check(results: list[Audited]) -> None:
    """Print the figures of every page (seen with ``-s``); fail with the serious/critical."""
    for r in results:
        counts = ", ".join(f"{v['id']} ×{len(v['nodes'])}" for v in r.failing) or "none"
        others = ", ".join(
            f"{v['id']} ({v['impact']}) ×{len(v['nodes'])}"
            for v in r.violations
            if v["impact"] not in FAILING
        )
        print(f"axe: {r.where}: {r.nodes} serious/critical nodes ({counts}); others: {others}")
    failing = [r for r in results if r.failing]
    assert not failing, "\n".join(readable(r.where, r.failing) for r in failing)


def held_cycle(server: VoilaProcess) -> tuple[Secrets, str]:
    """Two sessions of the demo group held (the cycle page's tables and chart), and a third
    not started: its secrets (the cycle page's link), and the first session's id."""
    with SQLiteStore(Path(server.env["CODEV_STORE"])) as store:
        held = seed_demo_cycle(store, 2)
        roster = load_roster(DEMO_ROSTER)
        session = Session(load_preset("classic"), Roles("Chloé", "Ana", ("Bruno", "David")))
        return store.create(session, "classic", "en", roster), held[0]


BACKGROUNDS = {"light": "rgb(255, 255, 255)", "dark": "rgb(0, 0, 0)"}
# The pages beyond the console and the participant's, and what shows each is drawn.
OTHER_PAGES = {
    "cycle": ".codev-cycle-suggested",
    "editor": ".codev-editor-preview .codev-timer",
    "facilitator error": ".codev-page-error",
    "participant error": ".codev-page-error",
    "cycle error": ".codev-page-error",
    "who are you": ".codev-who-name",  # a participant link without a name: the group's names
}


def test_other_pages_pass_wcag_21_aa(chromium: Any, voila_server: Any, axe_source: str) -> None:
    """The cycle page, the runbook editor and the pages refusing a wrong link, light and
    ``&theme=dark``: one server (the editor opted in), every page open at once per theme."""
    server: VoilaProcess = voila_server(NOTEBOOKS, env={"CODEV_EDITOR": "1"})
    secrets, _held = held_cycle(server)
    results: list[Audited] = []
    for theme in ("light", "dark"):
        extra = {"theme": theme} if theme == "dark" else {}
        sid = secrets.session_id
        urls = {
            "cycle": server.url("cycle.ipynb", session=sid, key=secrets.facilitator_key, **extra),
            "editor": server.url("customise.ipynb", **extra),
            "facilitator error": server.url("facilitator.ipynb", session=sid, key="x", **extra),
            "participant error": server.url("participant.ipynb", session=sid, code="x", **extra),
            "cycle error": server.url("cycle.ipynb", **extra),
            "who are you": server.url(
                "participant.ipynb", session=sid, code=secrets.join_code, **extra
            ),
        }
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        try:
            pages = {}
            for name, url in urls.items():
                pages[name] = page = context.new_page()
                page.goto(url)
            for name, page in pages.items():
                page.wait_for_selector(OTHER_PAGES[name], timeout=LOAD_TIMEOUT_MS)
                results.append(Audited(f"{name}, {theme}", audit(page, axe_source)))
                # Dark to its edges: the page takes the theme's palette, not Voilà's grey.
                background = page.evaluate("getComputedStyle(document.body).backgroundColor")
                assert background == BACKGROUNDS[theme], (name, theme, background)
        finally:
            for page in context.pages:
                page.close(run_before_unload=True)
            context.close()
    check(results)


def test_record_passes_wcag_21_aa(chromium: Any, axe_source: str, tmp_path: Path) -> None:
    """The session record as a client opens it from disk (paper: light only)."""
    with SQLiteStore(tmp_path / "store.db") as store:
        held = seed_demo_cycle(store, 1)
        record = build_record(store, held[0])
    path = tmp_path / "record.html"
    path.write_bytes(render(record, "html"))
    page = chromium.new_page()
    try:
        page.goto(path.as_uri())
        results = [Audited("record (html)", audit(page, axe_source))]
    finally:
        page.close(run_before_unload=True)
    check(results)


def test_projector_passes_wcag_21_aa(
    chromium: Any, server: VoilaProcess, axe_source: str, tmp_path: Path
) -> None:
    """The projector (dark by default, and ``&theme=light``) of a branded session, at the
    room screen's 1920×1080, before the start and during the questions."""
    secrets = branded_session(server, tmp_path / "projector", "light")
    query = {"session": secrets.session_id, "code": secrets.join_code}
    urls = {
        "dark": server.url("projector.ipynb", **query),
        "light": server.url("projector.ipynb", **query, theme="light"),
    }
    results: list[Audited] = []
    context = chromium.new_context(viewport={"width": 1920, "height": 1080})
    try:
        pages = {}
        for theme, url in urls.items():
            pages[theme] = page = context.new_page()
            page.goto(url)
        for theme, page in pages.items():
            page.wait_for_selector(".codev-projector .codev-timer", timeout=LOAD_TIMEOUT_MS)
            background = page.evaluate("getComputedStyle(document.body).backgroundColor")
            assert background == BACKGROUNDS[theme], (theme, background)
            results.append(
                Audited(f"projector, {theme}, before the start", audit(page, axe_source))
            )
        to_questions(server, secrets)
        for theme, page in pages.items():
            page.wait_for_selector(".codev-timer--ok", timeout=FOLLOW_TIMEOUT_MS)
            results.append(Audited(f"projector, {theme}, questions", audit(page, axe_source)))
    finally:
        for page in context.pages:
            page.close(run_before_unload=True)
        context.close()
    check(results)
