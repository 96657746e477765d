"""A day's one room link in a real room: three groups of four (classic), three people on
their own devices open the same link, each picks their name and lands on their group's page;
a reload lands there straight; the lead moves one of them and their page follows. axe-core
on the join page, light and dark.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from test_accessibility import Audited, audit, axe_source, check  # noqa: F401 — a fixture
from test_live_session import LOAD_TIMEOUT_MS, NOTEBOOKS, contexts, wait_text

from codevwidgets.core.day import Day, move_person
from codevwidgets.store.base import DaySecrets
from codevwidgets.store.sqlite import SQLiteStore
from tests.days import new_day

if TYPE_CHECKING:
    from codevwidgets.server.serve import VoilaProcess

pytestmark = pytest.mark.browser

MOVE_TIMEOUT_MS = 30_000


def day_of_three_groups(server: VoilaProcess) -> tuple[Day, DaySecrets]:
    with SQLiteStore(Path(server.env["CODEV_STORE"])) as store:
        return new_day(store)


def choose(page: Any, name: str) -> None:
    """Answer the room's "who are you?" with ``name``; wait for the group's page under it."""
    page.locator(".codev-who-name", has_text=name).click()
    page.wait_for_selector(".codev-timer", timeout=LOAD_TIMEOUT_MS)
    wait_text(page, ".codev-who-you", name)


def roles(page: Any) -> str:
    return str(page.text_content(".codev-roles"))


def test_one_room_link_for_every_group_a_reload_and_a_move(
    chromium: Any, voila_server: Callable[..., VoilaProcess]
) -> None:
    server = voila_server(NOTEBOOKS)
    day, secrets = day_of_three_groups(server)
    link = server.url("join.ipynb", day=day.id, code=secrets.code)
    # One person of each group: the first group's client, the others' first advisor.
    chosen = [day.members(group.number)[1] for group in day.groups]
    with contexts(chromium, {}, {}, {"viewport": {"width": 390, "height": 844}}) as devices:
        pages = [device.new_page() for device in devices]
        for page in pages:
            page.goto(link)
        for page, name in zip(pages, chosen, strict=True):
            page.wait_for_selector(".codev-who-name", timeout=LOAD_TIMEOUT_MS)
            # The day's names, all of them, and a box for a latecomer.
            assert page.locator(".codev-who-name").count() == len(day.people)
            assert page.locator(".codev-who-input").count() == 1
            choose(page, name)
        for page, group in zip(pages, day.groups, strict=True):
            members = day.members(group.number)
            wait_text(page, ".codev-roles", members[-1])
            shown = roles(page)
            assert all(member in shown for member in members), shown
            others = [p.name for p in day.people if p.group != group.number]
            assert not any(other in shown for other in others), shown

        # A reload of the room's link goes straight to the group's page.
        first = pages[0]
        first.add_init_script(
            "window.__asked = false; new MutationObserver(() => {"
            " if (document.querySelector('.codev-who')) window.__asked = true;"
            "}).observe(document, {childList: true, subtree: true});"
        )
        first.reload()
        first.wait_for_selector(".codev-timer", timeout=LOAD_TIMEOUT_MS)
        wait_text(first, ".codev-who-you", chosen[0])
        wait_text(first, ".codev-roles", day.members(1)[-1])
        assert first.evaluate("window.__asked") is False

        # The lead moves the third person to the first group: their page follows.
        mover = pages[2]
        with SQLiteStore(Path(server.env["CODEV_STORE"])) as store:
            store.change_day(day.id, lambda d: move_person(d, chosen[2], 1))
        mover.wait_for_function(
            "([who, other]) => (document.querySelector('.codev-roles')?.textContent ?? '')"
            ".includes(other) && (document.querySelector('.codev-who-you')?.textContent ?? '')"
            ".includes(who)",
            arg=[chosen[2], day.members(1)[0]],
            timeout=MOVE_TIMEOUT_MS,
        )

        # "Not you?" comes back to the day's names.
        mover.locator(".codev-change-name").click()
        mover.wait_for_selector(".codev-who-name", timeout=LOAD_TIMEOUT_MS)
        assert mover.locator(".codev-who-name").count() == len(day.people)


def test_the_join_page_passes_wcag_21_aa(
    chromium: Any,
    voila_server: Callable[..., VoilaProcess],
    axe_source: str,  # noqa: F811
) -> None:
    server = voila_server(NOTEBOOKS)
    day, secrets = day_of_three_groups(server)
    results: list[Audited] = []
    for theme in ("light", "dark"):
        extra = {"theme": theme} if theme == "dark" else {}
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        try:
            page = context.new_page()
            page.goto(server.url("join.ipynb", day=day.id, code=secrets.code, **extra))
            page.wait_for_selector(".codev-who-name", timeout=LOAD_TIMEOUT_MS)
            results.append(Audited(f"room, {theme}", audit(page, axe_source)))
            choose(page, day.members(2)[1])
            results.append(Audited(f"room's group page, {theme}", audit(page, axe_source)))
        finally:
            for opened in context.pages:
                opened.close(run_before_unload=True)
            context.close()
    check(results)
