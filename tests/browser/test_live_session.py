"""A facilitator and participants in their own Voilà kernels, following each other live.

Each page has its own kernel: they meet only in the store (``CODEV_STORE``), which the tests
open too, to create sessions and to check what was written.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import pytest

from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.server.serve import STARTUP_TIMEOUT, answers, free_port
from codevwidgets.store.base import Secrets
from codevwidgets.store.sqlite import SQLiteStore as SessionStore

if TYPE_CHECKING:
    from codevwidgets.server.serve import VoilaProcess

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
LOAD_TIMEOUT_MS = 60_000
FOLLOW_TIMEOUT_MS = 10_000
# Markup must stay text, and dollar signs must not turn into MathJax formulas.
HOSTILE = "<img src=x onerror=alert(1)>Why now, at $5 or $10?"
NAMES = ("Ana", "Bruno", "Chloé", "David", "Emma")
STEERING = (
    ".codev-next-step",
    ".codev-previous-step",
    ".codev-confirm",
    ".codev-timer-controls",
    ".codev-finish",
    ".codev-roles select",
    ".codev-roles .widget-dropdown",
    ".widget-dropdown",
    ".widget-select-multiple",
    ".codev-navigator",
    ".codev-note-topic",
)

pytestmark = pytest.mark.browser


# -- helpers -------------------------------------------------------------------------------


def new_session(server: VoilaProcess) -> Secrets:
    """A classic session, not started, in the store the server's kernels use."""
    session = Session(load_preset("classic"), Roles("Ana", "Bruno", ("Chloé", "David", "Emma")))
    with SessionStore(Path(server.env["CODEV_STORE"])) as store:
        return store.create(session, "classic", "en")


def open_page(context: Any, url: str, dialogs: list[str] | None = None) -> Any:
    page = context.new_page()
    if dialogs is not None:
        seen = dialogs

        def on_dialog(dialog: Any) -> None:
            # An alert() means some HTML a person typed ran as code.
            seen.append(str(dialog.message))
            dialog.dismiss()

        page.on("dialog", on_dialog)
    page.goto(url)
    page.wait_for_selector(".codev-timer", timeout=LOAD_TIMEOUT_MS)
    return page


def facilitator(context: Any, server: VoilaProcess, secrets: Secrets) -> Any:
    url = server.url("facilitator.ipynb", session=secrets.session_id, key=secrets.facilitator_key)
    page = open_page(context, url)
    page.wait_for_selector(".codev-navigator", timeout=LOAD_TIMEOUT_MS)
    return page


def participant(
    context: Any, server: VoilaProcess, secrets: Secrets, dialogs: list[str], **query: str
) -> Any:
    url = server.url(
        "participant.ipynb", session=secrets.session_id, code=secrets.join_code, **query
    )
    return open_page(context, url, dialogs)


def wait_text(page: Any, selector: str, pattern: str) -> str:
    """The text of ``selector`` once it matches ``pattern`` (the console follows the store)."""
    page.wait_for_function(
        "([selector, pattern]) => new RegExp(pattern).test("
        "document.querySelector(selector)?.textContent ?? '')",
        arg=[selector, pattern],
        timeout=FOLLOW_TIMEOUT_MS,
    )
    return str(page.text_content(selector))


def title(page: Any) -> str:
    return str(page.text_content(".codev-step-title")).strip()


def wait_title(page: Any, expected: str) -> None:
    page.wait_for_function(
        "t => document.querySelector('.codev-step-title')?.textContent.trim() === t",
        arg=expected,
        timeout=FOLLOW_TIMEOUT_MS,
    )


def wait_running(page: Any) -> None:
    page.wait_for_selector(".codev-timer.codev-timer--ok", timeout=FOLLOW_TIMEOUT_MS)


def remaining(page: Any) -> int:
    return int(page.get_attribute(".codev-timer", "data-remaining"))


def wait_countdown_above(page: Any, seconds: int) -> None:
    """Wait until the countdown shows more than ``seconds``: a new step's countdown reaches a
    page in a message of its own, just after its title."""
    page.wait_for_function(
        "s => Number(document.querySelector('.codev-timer')?.dataset.remaining) > s",
        arg=seconds,
        timeout=FOLLOW_TIMEOUT_MS,
    )


def shown_texts(page: Any) -> list[str]:
    """The contribution texts the page shows (not hidden by the facilitator)."""
    texts: list[str] = page.eval_on_selector_all(
        ".codev-contributions .codev-contribution:not(.codev-contribution--hidden)"
        " .codev-contribution-text",
        "nodes => nodes.filter(n => n.offsetParent !== null).map(n => n.textContent)",
    )
    return texts


def wait_contribution(page: Any, text: str, present: bool = True) -> None:
    page.wait_for_function(
        "([t, present]) => present === [...document.querySelectorAll("
        "'.codev-contributions .codev-contribution:not(.codev-contribution--hidden)"
        " .codev-contribution-text')].some(n => n.textContent === t && n.offsetParent !== null)",
        arg=[text, present],
        timeout=FOLLOW_TIMEOUT_MS,
    )


def start(page: Any) -> None:
    button = page.locator(".codev-navigator button", has_text="Start the session").first
    button.click()
    wait_running(page)


def next_step(page: Any) -> None:
    page.click(".codev-next-step")
    confirm = page.locator(".codev-confirm")
    confirm.wait_for(state="visible")
    confirm.click()


def submit(page: Any, text: str) -> None:
    page.fill(".codev-contribution-input textarea", text)
    page.click(".codev-contribution-submit")


def close(*pages: Any) -> None:
    from playwright.sync_api import Error

    for page in pages:
        if page is not None and not page.is_closed():
            try:
                page.close(run_before_unload=True)
            except Error as exc:
                # A close that runs ``beforeunload`` does not wait: a page a test closed is
                # still listed, and closed again by ``contexts``, may go in between.
                if "has been closed" not in exc.message:
                    raise


@contextmanager
def contexts(chromium: Any, *options: dict[str, Any]) -> Iterator[list[Any]]:
    opened = [chromium.new_context(**o) for o in options]
    try:
        yield opened
    finally:
        for context in opened:
            for page in context.pages:
                close(page)
            context.close()


def kernels_of(pid: int) -> set[int]:
    """The ``ipykernel_launcher`` processes Voilà (``pid``) started, from ``/proc``."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        # The command may hold spaces and parentheses: the ppid follows the last ")".
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid and b"ipykernel_launcher" in cmdline:
            found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


# -- tests ---------------------------------------------------------------------------------


def test_facilitator_and_two_participants_follow_each_other(
    chromium: Any, voila_server: Callable[..., VoilaProcess]
) -> None:
    server = voila_server(NOTEBOOKS)
    secrets = new_session(server)
    dialogs: list[str] = []
    phone = {"viewport": {"width": 390, "height": 844}}
    with contexts(chromium, {}, {}, phone) as (desk, laptop, mobile):
        boss = facilitator(desk, server, secrets)
        chloe = participant(laptop, server, secrets, dialogs, name="Chloé")
        david = participant(mobile, server, secrets, dialogs, name="David", lang="fr")
        assert title(chloe) == "Presentation of the problem"
        assert title(david) == "Exposé de la problématique"

        # Nothing on a participant's page can steer the step, the timer or the roles.
        for page in (chloe, david):
            for selector in STEERING:
                assert page.locator(selector).count() == 0, selector
            # The only buttons: send, the 1-5 evaluation (both hidden until their step), send
            # anyway or rephrase a question that reads as advice, the page's own signals (its
            # hand, "ready", more time), "not you? change" (the page asks its own person
            # again), the reload offered if the page's kernel is lost (it reloads this page
            # only), and, before the start, the person's own topic form (its checklist's yes
            # and no, save, edit, withdraw: the topic of the page's own name).
            allowed = (
                "button.codev-contribution-submit, .codev-evaluation button,"
                " button.codev-advice-send, button.codev-advice-rephrase,"
                " button.codev-hand, button.codev-ready, button.codev-more-time,"
                " button.codev-change-name, button.codev-lost__reload,"
                " .codev-topic-form button"
            )
            assert page.locator("button.codev-contribution-submit").count() == 1
            assert page.locator(".codev-topic-form button").count() > 0
            assert page.locator("button").count() == page.locator(allowed).count()

        # Start: both participants count down with the facilitator's deadline.
        start(boss)
        for page in (chloe, david):
            wait_running(page)
            # The presentation: nothing to type, nothing to rate; the page says so.
            page.wait_for_selector(".codev-listen", state="visible", timeout=FOLLOW_TIMEOUT_MS)
            assert page.locator(".codev-writing").is_hidden()
            assert page.locator(".codev-rating").is_hidden()
        marks = [remaining(boss), remaining(chloe), remaining(david)]
        # Never more than the step's 10 minutes on any page, before its first clock sync too.
        assert all(540 < mark <= 600 for mark in marks), marks
        assert max(marks) - min(marks) <= 3, marks

        # The next step reaches both, each in their language.
        next_step(boss)
        wait_title(boss, "Clarifying questions")
        wait_title(chloe, "Clarifying questions")
        wait_title(david, "Questions de clarification")
        for page in (boss, chloe, david):
            wait_countdown_above(page, 840)  # 15 minutes now, 10 before
        marks = [remaining(boss), remaining(chloe), remaining(david)]
        assert all(840 < mark <= 900 for mark in marks), marks
        assert max(marks) - min(marks) <= 3, marks

        # A question typed with HTML in it arrives everywhere as text.
        chloe.wait_for_selector(".codev-contribution-input textarea", state="visible")
        # The box shows what this step takes (console.css follows the box's classes).
        for page in (chloe, david):
            assert page.locator(".codev-writing").is_visible()
            assert page.locator(".codev-rating").is_hidden()
            assert page.locator(".codev-listen").is_hidden()
        submit(chloe, HOSTILE)
        for page in (boss, chloe, david):
            wait_contribution(page, HOSTILE)
            assert page.locator(".codev-contributions img").count() == 0
            assert page.get_by_text(HOSTILE, exact=True).first.is_visible()
        assert chloe.locator(".codev-contribution-input textarea").input_value() == ""
        assert "Chloé:" in str(boss.text_content(".codev-contributions"))

        # The facilitator hides it: gone from participants, kept (marked) on the console.
        boss.click(".codev-hide-contribution")
        for page in (chloe, david):
            wait_contribution(page, HOSTILE, present=False)
        boss.wait_for_selector(".codev-contribution--hidden", timeout=FOLLOW_TIMEOUT_MS)
        assert HOSTILE in str(boss.text_content(".codev-contributions"))

        for page in (chloe, david):
            for selector in STEERING:
                assert page.locator(selector).count() == 0, selector
            assert "Traceback" not in page.content()
        assert dialogs == []


@contextmanager
def codev_serve_demo(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """``codev serve --demo``, as ``make run`` starts it: its two printed links, once it answers."""
    port = free_port()
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    command = [sys.executable, "-m", "codevwidgets.cli", "serve", "--demo", "--port", str(port)]
    with (tmp_path / "voila.log").open("wb") as log:
        process = subprocess.Popen(
            [*command, "--store", str(tmp_path / "store.db")],
            stdout=subprocess.PIPE,
            stderr=log,
            env=env,
            text=True,
            start_new_session=True,  # Voilà and its kernels end together
        )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline().strip() for _ in range(2)]
        assert lines[0].startswith("Facilitator: "), lines
        assert lines[1].startswith("Participants: "), lines
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not answers(f"http://127.0.0.1:{port}/"):
            assert process.poll() is None and time.monotonic() < deadline, "voila did not start"
            time.sleep(0.2)
        yield lines[0].split(" ", 1)[1], lines[1].split(" ", 1)[1]
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_make_run_brings_a_facilitator_and_two_participants_together(
    chromium: Any, tmp_path: Path
) -> None:
    """The issue's "done": three browsers run a session through ``make run``'s own command."""
    dialogs: list[str] = []
    phone = {"viewport": {"width": 390, "height": 844}}
    with (
        codev_serve_demo(tmp_path) as (facilitator_link, participants_link),
        contexts(chromium, {}, {}, phone) as (desk, laptop, mobile),
    ):
        boss = open_page(desk, facilitator_link)
        boss.wait_for_selector(".codev-navigator", timeout=LOAD_TIMEOUT_MS)
        # The console shows the participants' link, and never the key in it.
        assert participants_link in str(boss.text_content(".codev-join"))
        chloe = open_page(laptop, participants_link + "&" + urlencode({"name": "Chloé"}), dialogs)
        farid = open_page(
            mobile, participants_link + "&" + urlencode({"name": "Farid", "lang": "fr"}), dialogs
        )
        # The demo group of six: Ana is the client, the others see their own role.
        assert "Ana" in str(chloe.text_content(".codev-roles"))
        assert "advisor" in str(chloe.text_content(".codev-you"))
        assert "consultant" in str(farid.text_content(".codev-you"))
        start(boss)
        next_step(boss)
        wait_title(chloe, "Clarifying questions")
        wait_title(farid, "Questions de clarification")
        chloe.wait_for_selector(".codev-contribution-input textarea", state="visible")
        submit(chloe, "Since when has this been a problem?")
        wait_contribution(boss, "Since when has this been a problem?")
        wait_contribution(farid, "Since when has this been a problem?")
        assert dialogs == []
    # Both participants were served by kernels of the preheated pool, each with its own link.
    log = (tmp_path / "voila.log").read_text(errors="replace")
    assert log.count("Using pre-heated kernel") == 2, log[-3000:]


def test_reload_lands_on_the_current_state(
    chromium: Any, voila_server: Callable[..., VoilaProcess]
) -> None:
    server = voila_server(NOTEBOOKS)
    secrets = new_session(server)
    dialogs: list[str] = []
    with contexts(chromium, {}, {"viewport": {"width": 390, "height": 844}}) as (desk, mobile):
        boss = facilitator(desk, server, secrets)
        start(boss)
        next_step(boss)
        wait_title(boss, "Clarifying questions")
        emma = participant(mobile, server, secrets, dialogs, name="Emma", lang="fr")
        wait_title(emma, "Questions de clarification")
        wait_running(emma)
        before, at = remaining(emma), time.monotonic()
        assert abs(before - remaining(boss)) <= 3

        emma.reload()
        emma.wait_for_selector(".codev-timer", timeout=LOAD_TIMEOUT_MS)
        wait_title(emma, "Questions de clarification")
        wait_running(emma)
        after, elapsed = remaining(emma), time.monotonic() - at
        assert abs(after - (before - elapsed)) <= 3, (before, after, elapsed)
        assert abs(after - remaining(boss)) <= 3
        assert dialogs == []


def test_facilitator_kernel_killed_mid_step(
    chromium: Any, voila_server: Callable[..., VoilaProcess]
) -> None:
    server = voila_server(NOTEBOOKS)
    secrets = new_session(server)
    db = Path(server.env["CODEV_STORE"])
    dialogs: list[str] = []
    with contexts(chromium, {}, {}) as (desk, laptop):
        before = kernels_of(server.process.pid)
        boss = facilitator(desk, server, secrets)
        started = kernels_of(server.process.pid) - before
        assert started, "no kernel was started for the facilitator page"

        start(boss)
        boss.fill(".codev-note-topic textarea", "Reorganising my team")
        next_step(boss)
        wait_title(boss, "Clarifying questions")
        chloe = participant(laptop, server, secrets, dialogs, name="Chloé")
        wait_title(chloe, "Clarifying questions")
        submit(chloe, "How big is the team?")
        wait_contribution(boss, "How big is the team?")

        # The crash comes once the note is stored (each keystroke is): what the store holds
        # then is what the restarted page must show.
        end = time.monotonic() + 30
        while True:
            with SessionStore(db) as store:
                stored = store.load(secrets.session_id, private=True)
            assert stored is not None
            if stored.state["notes"].get("presentation", {}).get("topic") == "Reorganising my team":
                break
            assert time.monotonic() < end, "the note was never stored"
            time.sleep(0.1)
        deadline = stored.state["deadline"]
        assert stored.state["notes"]["presentation"]["topic"] == "Reorganising my team"

        for pid in started:
            os.kill(pid, signal.SIGKILL)
        end = time.monotonic() + 10
        while any(alive(pid) for pid in started) and time.monotonic() < end:
            time.sleep(0.1)
        assert not any(alive(pid) for pid in started)

        # The open tab now talks to a kernel Voilà restarted empty: tried, it says so and
        # offers a reload (instead of buttons that silently do nothing).
        banner = boss.locator(".codev-lost")
        end = time.monotonic() + 60
        while not banner.is_visible():
            assert time.monotonic() < end, "the page never said it lost its kernel"
            boss.click(".codev-timer-controls button >> nth=2")  # +1 min: goes nowhere now
            boss.wait_for_timeout(3000)
        assert "Reload the page" in str(banner.text_content())
        boss.click(".codev-lost__reload")
        wait_title(boss, "Clarifying questions")
        assert not boss.locator(".codev-lost").is_visible()
        close(boss)

        # Everything was in the store: a new page picks the session up where it was.
        again = facilitator(desk, server, secrets)
        wait_title(again, "Clarifying questions")
        wait_running(again)
        expected = deadline - time.time()
        assert abs(remaining(again) - expected) <= 3, (remaining(again), expected)
        assert abs(remaining(again) - remaining(chloe)) <= 3
        wait_contribution(again, "How big is the team?")
        assert "Chloé:" in str(again.text_content(".codev-contributions"))

        with SessionStore(db) as store:
            stored = store.load(secrets.session_id, private=True)
            contributions = store.contributions(secrets.session_id)
        assert stored is not None
        assert stored.state["index"] == 1
        assert stored.state["deadline"] == deadline
        assert stored.state["notes"]["presentation"]["topic"] == "Reorganising my team"
        assert [(c.step_id, c.author, c.text, c.kind) for c in contributions] == [
            ("clarification", "Chloé", "How big is the team?", "questions")
        ]

        # Going back shows the note typed before the crash.
        again.click(".codev-previous-step")
        wait_title(again, "Presentation of the problem")
        again.wait_for_function(
            "document.querySelector('.codev-note-topic textarea')?.value"
            " === 'Reorganising my team'",
            timeout=FOLLOW_TIMEOUT_MS,
        )
        wait_title(chloe, "Presentation of the problem")
        assert dialogs == []


def test_wrong_or_missing_key_or_code_shows_no_session_data(
    chromium: Any, voila_server: Callable[..., VoilaProcess]
) -> None:
    server = voila_server(NOTEBOOKS)
    secrets = new_session(server)
    sid = secrets.session_id
    urls = [
        server.url("facilitator.ipynb", session=sid, key="wrong"),
        server.url("facilitator.ipynb", session=sid),
        server.url("participant.ipynb", session=sid, code="wrong"),
        server.url("participant.ipynb", session=sid, code=secrets.facilitator_key),
        server.url("participant.ipynb"),
    ]
    page = chromium.new_page()
    try:
        for url in urls:
            page.goto(url)
            error = page.wait_for_selector(".codev-error", timeout=LOAD_TIMEOUT_MS)
            assert str(error.text_content()).strip(), url
            assert page.locator(".codev-timer").count() == 0, url
            assert page.locator(".codev-step-title").count() == 0, url
            body = page.inner_text("body")
            assert "Traceback" not in page.content(), url
            assert "Presentation of the problem" not in body, url
            for name in NAMES:
                assert not re.search(rf"\b{name}\b", body), (url, name)
        # Each refused at the server's door: no kernel started for any of them (issue 21),
        # and the page shows its message, whole, with no widget left loading.
        assert server.log_text().count("403 GET /voila/render/") >= len(urls), server.log_tail()
        assert "not valid" in page.inner_text(".codev-error")
        assert "Loading widget" not in page.inner_text("body")
    finally:
        page.close(run_before_unload=True)
