"""Nothing typed is lost when a page's kernel dies (issue 21, part 5).

A page's kernel killed (``SIGKILL``) under it: the page says so at once where the person
types, keeps what is typed after in the browser (the tab's ``sessionStorage``), and after a
reload gives every line back to the kernel, which stores it: a console's note is saved, a
participant's unsent question is back in its box, to send.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from codevwidgets.core.commands import Command
from codevwidgets.server.serve import VoilaProcess
from codevwidgets.store.sqlite import SQLiteStore
from tests.browser import test_live_session as live
from tests.browser.conftest import VOILA, unavailable

if TYPE_CHECKING:
    from codevwidgets.store.base import Secrets

# The page says its kernel is gone within this long of the kill (the server notices a dead
# kernel within seconds); the clock sync alone took up to a minute.
LOST_TIMEOUT_MS = 10_000
STORED_TIMEOUT_S = 20.0
LINES = [f"line {n}: what the group said" for n in range(1, 9)]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VoilaProcess]:
    """One Voilà for the module: each test kills only the kernels of the pages it opened."""
    if not VOILA.is_file():
        unavailable(f"voila is not installed next to {VOILA.parent}")
    tmp = tmp_path_factory.mktemp("voila")
    try:
        process = VoilaProcess(tmp, tmp / "store.db", live.NOTEBOOKS)
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield process
    process.stop()


def kill_kernels_of_page(server: VoilaProcess, open_page: Any) -> Any:
    """Open a page (``open_page()``), then SIGKILL the kernels Voilà started for it."""
    before = live.kernels_of(server.process.pid)
    page = open_page()
    started = live.kernels_of(server.process.pid) - before
    assert started, "no kernel was started for the page"
    return page, started


def kill(pids: set[int]) -> None:
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    end = time.monotonic() + 10
    while any(live.alive(pid) for pid in pids):
        assert time.monotonic() < end, "the killed kernels are still there"
        time.sleep(0.1)


def stored_state(server: VoilaProcess, secrets: Secrets) -> dict[str, Any]:
    with SQLiteStore(Path(server.env["CODEV_STORE"])) as store:
        stored = store.load(secrets.session_id, private=True)
    assert stored is not None
    return stored.state


def wait_stored(check: Any, what: str) -> None:
    """Wait until ``check()`` is true (the store is written by the page's kernel)."""
    end = time.monotonic() + STORED_TIMEOUT_S
    while not check():
        assert time.monotonic() < end, f"never stored: {what}"
        time.sleep(0.1)


def wait_lost(page: Any) -> str:
    """Wait (not a minute: ``LOST_TIMEOUT_MS``) for the line under the box that says the page
    lost its kernel; its text."""
    line = page.wait_for_selector(".codev-kept-lost", state="visible", timeout=LOST_TIMEOUT_MS)
    return str(line.text_content())


def type_lines(page: Any, selector: str, lines: list[str]) -> None:
    """Type ``lines`` at the end of the box, each on its own line, key by key."""
    box = page.locator(selector)
    box.click()
    box.press("Control+End")
    for line in lines:
        box.press_sequentially(f"\n{line}" if box.input_value() else line)


def test_a_note_typed_after_the_console_kernel_died_is_kept_and_stored(
    chromium: Any, server: VoilaProcess
) -> None:
    secrets = live.new_session(server)
    topic = ".codev-note-topic textarea"
    with live.contexts(chromium, {}) as (desk,):
        boss, kernels = kill_kernels_of_page(
            server, lambda: live.facilitator(desk, server, secrets)
        )
        live.start(boss)
        type_lines(boss, topic, LINES[:2])
        wait_stored(
            lambda: (
                stored_state(server, secrets)["notes"].get("presentation", {}).get("topic")
                == "\n".join(LINES[:2])
            ),
            "the lines typed before the kill",
        )

        kill(kernels)
        type_lines(boss, topic, LINES[2:3])
        # Said where the person types, at once: not on the next clock sync, a minute later.
        said = wait_lost(boss)
        assert "kept in this browser" in said
        type_lines(boss, topic, LINES[3:])

        boss.reload()
        boss.wait_for_selector(topic, timeout=live.LOAD_TIMEOUT_MS)
        everything = "\n".join(LINES)
        boss.wait_for_function(
            "([selector, text]) => document.querySelector(selector)?.value === text",
            arg=[topic, everything],
            timeout=live.FOLLOW_TIMEOUT_MS,
        )
        wait_stored(
            lambda: stored_state(server, secrets)["notes"]["presentation"]["topic"] == everything,
            "the lines typed after the kill",
        )
        assert not boss.locator(".codev-kept-lost").is_visible()


def test_an_unsent_question_is_back_in_its_box_after_the_kernel_died(
    chromium: Any, server: VoilaProcess
) -> None:
    secrets = live.new_session(server)
    with SQLiteStore(Path(server.env["CODEV_STORE"])) as store:
        store.execute(secrets.session_id, Command("start"))
        store.execute(secrets.session_id, Command("next", {"step": "presentation"}))
    box = ".codev-contribution-input textarea"
    dialogs: list[str] = []
    with live.contexts(chromium, {}) as (laptop,):
        chloe, kernels = kill_kernels_of_page(
            server, lambda: live.participant(laptop, server, secrets, dialogs, name="Chloé")
        )
        live.wait_title(chloe, "Clarifying questions")
        chloe.wait_for_selector(box, state="visible", timeout=live.FOLLOW_TIMEOUT_MS)
        question = "Since when has the team been this size?"
        type_lines(chloe, box, [question[:10]])

        kill(kernels)
        type_lines(chloe, box, [question[10:]])
        said = wait_lost(chloe)
        assert "kept in this browser" in said

        chloe.reload()
        chloe.wait_for_selector(box, state="visible", timeout=live.LOAD_TIMEOUT_MS)
        # Typed as one line: the two parts typed before and after the kill, back together.
        chloe.wait_for_function(
            "([selector, text]) => document.querySelector(selector)?.value === text",
            arg=[box, f"{question[:10]}\n{question[10:]}"],
            timeout=live.FOLLOW_TIMEOUT_MS,
        )
        chloe.click(".codev-contribution-submit")
        chloe.wait_for_function(
            "s => document.querySelector(s)?.value === ''", arg=box, timeout=10_000
        )

        def sent() -> bool:
            with SQLiteStore(Path(server.env["CODEV_STORE"])) as store:
                texts = [c.text for c in store.contributions(secrets.session_id)]
            return texts == [f"{question[:10]}\n{question[10:]}"]

        wait_stored(sent, "the question typed around the kill")
        # Sent: the browser forgets it, and a reload brings back an empty box.
        chloe.reload()
        chloe.wait_for_selector(box, state="visible", timeout=live.LOAD_TIMEOUT_MS)
        live.wait_title(chloe, "Clarifying questions")
        chloe.wait_for_function(
            "() => !Object.keys(sessionStorage).some(k => k.startsWith('codev-kept:'))",
            timeout=10_000,
        )
        assert chloe.input_value(box) == ""
        assert dialogs == []
