"""``codev sessions delete`` while a participant's page, the room's screen and the console are
open: every page says so in one line, in its own words, and nothing on it writes any more."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from codevwidgets.core.i18n import Translator
from tests.browser import test_live_session as live
from tests.browser.test_projector_served import projector

if TYPE_CHECKING:
    from codevwidgets.server.serve import VoilaProcess

pytestmark = pytest.mark.browser
EN = Translator("en")


def wait_ended(page: Any, text: str) -> None:
    """Wait until the page shows its one line about the deleted session, saying ``text``."""
    page.wait_for_function(
        "t => [...document.querySelectorAll('.codev-ended')]"
        ".some(n => n.offsetParent !== null && n.textContent.trim() === t)",
        arg=text,
        timeout=live.FOLLOW_TIMEOUT_MS,
    )


def shown(page: Any, selector: str) -> int:
    """How many ``selector`` elements the page shows (laid out, not hidden)."""
    return int(
        page.eval_on_selector_all(selector, "nodes => nodes.filter(n => n.offsetParent).length")
    )


def test_deleting_a_served_session_tells_its_pages_it_has_ended(
    chromium: Any, voila_server: Callable[..., VoilaProcess]
) -> None:
    server = voila_server(live.NOTEBOOKS)
    secrets = live.new_session(server)
    with live.contexts(chromium, {}, {}, {}) as (desk, laptop, room):
        boss = live.facilitator(desk, server, secrets)
        chloe = live.participant(laptop, server, secrets, [], name="Chloé")
        screen = projector(room, server, secrets)
        live.start(boss)
        for page in (chloe, screen):
            live.wait_running(page)
        store = server.env["CODEV_STORE"]
        delete = ["sessions", "delete", secrets.session_id, "--store", store]
        done = subprocess.run(
            [sys.executable, "-m", "codevwidgets.cli", *delete],
            capture_output=True,
            text=True,
            env=server.env,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        wait_ended(chloe, EN("live.session_ended"))
        wait_ended(screen, EN("live.session_ended"))
        wait_ended(boss, EN("live.session_deleted"))
        for page in (chloe, screen, boss):
            # Nothing left that writes, no step or timer running on, no store's path.
            assert shown(page, "button, textarea, input, select") == 0
            assert shown(page, ".codev-timer") == 0
            assert store not in str(page.text_content("body"))
        live.close(chloe, screen, boss)
