"""The lead's overview served by Voilà: a day of three groups, a tile each; "next step for all"
moves every group and their consoles follow; pause all; a person moved; axe-core on the
overview, light and dark."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_accessibility import Audited, audit, axe_source, check  # noqa: F401 (a fixture)
from test_live_session import FOLLOW_TIMEOUT_MS, LOAD_TIMEOUT_MS, NOTEBOOKS

from codevwidgets.core.day import Day
from codevwidgets.server.serve import VoilaProcess
from codevwidgets.store.base import DaySecrets, group_key_for
from codevwidgets.store.sqlite import SQLiteStore
from tests.days import start_group, troika_day

pytestmark = pytest.mark.browser


@pytest.fixture
def served(voila_server: Any) -> tuple[VoilaProcess, Day, DaySecrets]:
    server = voila_server(NOTEBOOKS)
    with SQLiteStore(Path(server.env["CODEV_STORE"])) as store:
        day, secrets = troika_day(store)
    return server, day, secrets


def overview_url(server: VoilaProcess, secrets: DaySecrets, **query: str) -> str:
    return server.url("day.ipynb", day=secrets.day_id, key=secrets.key, **query)


def tile_titles(page: Any) -> list[str]:
    return [
        str(t).strip()
        for t in page.locator(".codev-day-group .codev-step-title").all_text_contents()
    ]


def test_next_for_all_pause_all_and_a_move_from_the_overview(
    chromium: Any, served: tuple[VoilaProcess, Day, DaySecrets]
) -> None:
    server, day, secrets = served
    context = chromium.new_context()
    page = context.new_page()
    page.goto(overview_url(server, secrets))
    page.wait_for_selector(".codev-day-group .codev-timer", timeout=LOAD_TIMEOUT_MS)
    assert page.locator(".codev-day-group").count() == 3
    # Each tile links to its group's console, opened by the group's own key.
    group = day.groups[0]
    href = page.locator(".codev-day-group a.codev-day-console").first.get_attribute("href")
    assert href is not None and "facilitator.ipynb" in href
    console = context.new_page()
    console.goto(
        server.url(
            "facilitator.ipynb",
            session=group.session_id,
            key=group_key_for(secrets.key, group.session_id),
        )
    )
    console.wait_for_selector(".codev-console .codev-step-title", timeout=LOAD_TIMEOUT_MS)

    with SQLiteStore(Path(server.env["CODEV_STORE"])) as store:
        for number in (1, 2, 3):
            start_group(store, day, number)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.codev-day-group .codev-timer')]"
        ".every(t => !t.classList.contains('codev-timer--ready'))",
        timeout=FOLLOW_TIMEOUT_MS,
    )
    first = tile_titles(page)
    assert len(set(first)) == 1

    page.click(".codev-day-next-all")
    page.locator(".codev-confirm").wait_for(state="visible", timeout=FOLLOW_TIMEOUT_MS)
    page.click(".codev-confirm")
    page.wait_for_function(
        "(before) => [...document.querySelectorAll('.codev-day-group .codev-step-title')]"
        ".every(t => t.textContent.trim() !== before)",
        arg=first[0],
        timeout=FOLLOW_TIMEOUT_MS,
    )
    moved = tile_titles(page)
    assert len(set(moved)) == 1 and moved[0] != first[0]
    # The group's console follows.
    console.wait_for_function(
        "(title) => document.querySelector('.codev-console .codev-step-title')"
        "?.textContent.trim() === title",
        arg=moved[0],
        timeout=FOLLOW_TIMEOUT_MS,
    )

    page.click(".codev-day-pause-all")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.codev-day-group .codev-timer')]"
        ".every(t => t.classList.contains('codev-timer--paused'))",
        timeout=FOLLOW_TIMEOUT_MS,
    )
    page.locator(".codev-day-pause-all", has_text="Resume all").wait_for(timeout=FOLLOW_TIMEOUT_MS)

    mover = day.members(1)[-1]
    page.locator(".codev-day-move-person select").select_option(label=f"{mover} (group 1)")
    page.locator(".codev-day-move-group select").select_option(label="Group 2")
    page.click(".codev-day-move")
    page.locator(".codev-day-moved", has_text=f"{mover} is now in group 2.").wait_for(
        timeout=FOLLOW_TIMEOUT_MS
    )
    with SQLiteStore(Path(server.env["CODEV_STORE"])) as store:
        stored = store.load_day(day.id)
    assert stored is not None and stored.day.person(mover).group == 2  # type: ignore[union-attr]
    for opened in (page, console):
        opened.close(run_before_unload=True)
    context.close()


def test_a_wrong_key_shows_one_message_and_nothing_of_the_day(
    chromium: Any, served: tuple[VoilaProcess, Day, DaySecrets]
) -> None:
    server, day, secrets = served
    page = chromium.new_page()
    page.goto(server.url("day.ipynb", day=secrets.day_id, key="wrong"))
    page.wait_for_selector(".codev-error", timeout=LOAD_TIMEOUT_MS)
    assert page.locator(".codev-day-group").count() == 0
    body = page.text_content("body") or ""
    assert day.members(1)[0] not in body.split("not valid")[-1]
    page.close(run_before_unload=True)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_overview_passes_wcag_21_aa(
    chromium: Any,
    served: tuple[VoilaProcess, Day, DaySecrets],
    axe_source: str,  # noqa: F811 (the fixture)
    theme: str,
) -> None:
    server, day, secrets = served
    with SQLiteStore(Path(server.env["CODEV_STORE"])) as store:
        start_group(store, day, 1)
    page = chromium.new_page(viewport={"width": 1440, "height": 900})
    page.goto(overview_url(server, secrets, theme=theme))
    page.wait_for_selector(".codev-day-group .codev-timer", timeout=LOAD_TIMEOUT_MS)
    check([Audited(f"day overview, {theme}", audit(page, axe_source))])
    page.close(run_before_unload=True)
