"""The session record, exported from the console of a session driven through the browser.

One Voilà server, one facilitator page and one participant page: the facilitator assigns the
roles, starts, keeps the contract and the action plan in the note boxes; the participant asks
a question and gives an idea; after the finish, the console's buttons give the record as a
Markdown, PDF and HTML download, each in one click (the file is made, "Making the PDF…" shown
meanwhile, then the browser's download starts). The PDF's text (pypdf) holds the plan and the
idea; the HTML opens in Chromium with no console error.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from codevwidgets.server.sessions import new_session
from codevwidgets.store.sqlite import SQLiteStore

if TYPE_CHECKING:
    from codevwidgets.server.serve import VoilaProcess

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
LOAD_TIMEOUT_MS = 60_000
FOLLOW_TIMEOUT_MS = 10_000
# Making a PDF loads WeasyPrint and matplotlib in the console's kernel: seconds on 2 cores.
EXPORT_TIMEOUT_MS = 60_000

CONTRACT = "Help me see how to share the work between my two team leads."
OBJECTIVE = "Agree a new split of the work with both team leads by June."
QUESTION = "How long have the two leads worked together?"
IDEA = "Ask each lead to draw the split they would choose."

pytestmark = pytest.mark.browser


def wait_title(page: Any, expected: str) -> None:
    page.wait_for_function(
        "t => document.querySelector('.codev-step-title')?.textContent.trim() === t",
        arg=expected,
        timeout=FOLLOW_TIMEOUT_MS,
    )


def next_step(page: Any, title: str) -> None:
    page.click(".codev-next-step")
    page.locator(".codev-confirm").click()
    wait_title(page, title)


def note(page: Any, field: str, text: str) -> None:
    box = page.locator(f".codev-note-{field} textarea")
    box.fill(text)
    box.blur()  # the last keystroke's change is sent before the step moves on


def contribute(page: Any, boss: Any, text: str) -> None:
    page.locator(".codev-contribution-input textarea").fill(text)
    page.click(".codev-contribution-submit")
    boss.wait_for_function(
        "t => [...document.querySelectorAll('.codev-contributions .codev-contribution-text')]"
        ".some(n => n.textContent === t)",
        arg=text,
        timeout=FOLLOW_TIMEOUT_MS,
    )


# Every text the export's status line shows, in order (a MutationObserver misses none, however
# quickly the record is made).
WATCH_STATUS = """() => {
  const status = document.querySelector('.codev-export-status');
  window.codevStatuses = [];
  new MutationObserver(() => window.codevStatuses.push(status.textContent.trim()))
    .observe(status, {childList: true, characterData: true, subtree: true});
}"""


def export(page: Any, fmt: str, folder: Path, client: str) -> Path:
    """Click the console's ``fmt`` button once; the file whose download that starts, as saved
    (named after the session's ``client``)."""
    page.evaluate(WATCH_STATUS)
    with page.expect_download(timeout=EXPORT_TIMEOUT_MS) as caught:
        page.click(f".codev-export-{fmt}")
    download = caught.value
    page.wait_for_function(
        "() => /^Ready/.test(document.querySelector('.codev-export-status').textContent)",
        timeout=FOLLOW_TIMEOUT_MS,
    )
    statuses = page.evaluate("window.codevStatuses")
    label = {"md": "Markdown", "pdf": "PDF", "html": "HTML"}[fmt]
    # Said while the file was made, then how big it is.
    assert statuses[0] == f"Making the {label}…", statuses
    assert re.fullmatch(r"Ready \(\d+ [KM]?B\)\.", statuses[-1]), statuses
    # The link stays, for another copy.
    assert page.locator(f".codev-export-link a[download$='.{fmt}']").count() == 1
    assert download.failure() is None
    name = download.suggested_filename
    assert re.fullmatch(rf"codev-\d{{4}}-\d\d-\d\d-{client}-[\w-]+\.{fmt}", name), name
    target = folder / name
    download.save_as(target)
    return target


def flat(text: str) -> str:
    """Text with every run of white space made one space (a PDF breaks lines anywhere)."""
    return " ".join(text.split())


def test_a_session_driven_in_the_browser_exports_its_record(
    chromium: Any, voila_server: Callable[..., VoilaProcess], tmp_path: Path
) -> None:
    from pypdf import PdfReader

    server = voila_server(NOTEBOOKS)
    with SQLiteStore(Path(server.env["CODEV_STORE"])) as store:
        secrets = new_session(store, "classic")
    facilitator_url = server.url(
        "facilitator.ipynb", session=secrets.session_id, key=secrets.facilitator_key
    )
    participant_url = server.url(
        "participant.ipynb", session=secrets.session_id, code=secrets.join_code, name="Chloé"
    )
    # A context each (a window each): a second page of one context would be a background
    # tab, whose animation frames Chromium throttles, and every click waits for two of them.
    context = chromium.new_context(accept_downloads=True)
    laptop = chromium.new_context()
    errors: list[str] = []
    try:
        boss = context.new_page()
        boss.goto(facilitator_url)
        boss.wait_for_selector(".codev-navigator", timeout=LOAD_TIMEOUT_MS)
        chloe = laptop.new_page()
        chloe.goto(participant_url)
        chloe.wait_for_selector(".codev-timer", timeout=LOAD_TIMEOUT_MS)

        # Before the start, the record can be had already (Ana, the roster's first, is the
        # client by default).
        markdown = export(boss, "md", tmp_path, "ana").read_text(encoding="utf-8")
        assert "Session record" in markdown

        # David brings the problem; the advisors follow (Chloé among them).
        boss.locator(".codev-roles select").first.select_option("David")
        boss.wait_for_function(
            "document.querySelector('.codev-roles-summary')?.textContent"
            ".includes('Client — David')",
            timeout=FOLLOW_TIMEOUT_MS,
        )
        boss.click(".codev-start")
        boss.wait_for_selector(".codev-timer.codev-timer--ok", timeout=FOLLOW_TIMEOUT_MS)

        next_step(boss, "Clarifying questions")
        wait_title(chloe, "Clarifying questions")
        contribute(chloe, boss, QUESTION)
        next_step(boss, "Consultation contract")
        note(boss, "contract", CONTRACT)
        next_step(boss, "Consultation")
        wait_title(chloe, "Consultation")
        contribute(chloe, boss, IDEA)
        next_step(boss, "Synthesis and action plan")
        note(boss, "objective", OBJECTIVE)
        next_step(boss, "Learnings and evaluation")
        boss.click(".codev-finish")
        boss.locator(".codev-confirm").click()
        boss.wait_for_function(
            "document.querySelector('.codev-finish')?.offsetParent === null",
            timeout=FOLLOW_TIMEOUT_MS,
        )

        pdf = export(boss, "pdf", tmp_path, "david")
        assert pdf.read_bytes().startswith(b"%PDF")
        text = flat(
            " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
        )
        for expected in (OBJECTIVE, IDEA, CONTRACT, QUESTION, "Chloé"):
            assert flat(expected) in text, (expected, text[:2000])

        page = export(boss, "html", tmp_path, "david")
        viewer = context.new_page()
        viewer.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        viewer.on("pageerror", lambda e: errors.append(str(e)))
        viewer.goto(page.as_uri())
        viewer.wait_for_load_state("load")
        body = flat(viewer.inner_text("body"))
        assert OBJECTIVE in body and IDEA in body
        # The chart is an image that loaded (an inline SVG), not a broken one.
        assert viewer.eval_on_selector("img", "i => i.complete && i.naturalWidth > 0")
        assert errors == []
        assert "Traceback" not in boss.content()
    finally:
        for opened in (context, laptop):
            for page in opened.pages:
                page.close(run_before_unload=True)
            opened.close()
