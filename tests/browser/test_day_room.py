"""Issue 23's day in real browsers: nine people in three Troika trios steered by the day's lead.
Three people open the ONE room link, each picks a name from another trio and lands on their
trio's page; the lead's overview starts every trio and moves them all to the next step, calls
time (every page shows it) and moves a person (their page follows to the new trio); the room's
screen, opened from the overview, fits a projector and passes axe-core, light and dark.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from test_accessibility import Audited, audit, axe_source, check  # noqa: F401 — a fixture
from test_live_session import LOAD_TIMEOUT_MS, NOTEBOOKS, contexts

from codevwidgets.core.day import Day
from codevwidgets.store.base import DaySecrets
from codevwidgets.store.sqlite import SQLiteStore
from tests.days import LEAD, new_day

if TYPE_CHECKING:
    from codevwidgets.server.serve import VoilaProcess

pytestmark = pytest.mark.browser

NINE = ("Ana", "Bo", "Cy", "Di", "Ed", "Flo", "Gus", "Hal", "Ivy")
LATE = "Zoé"  # not on the list: types their name
# Six pages and the overview open at once, each a kernel: on a busy 2-core machine they may
# take longer to load than one page does.
LOAD_MS = 2 * LOAD_TIMEOUT_MS
# A page follows the store well within a second; the machine may be busy with other kernels.
FOLLOW_MS = 30_000
# The projector's screens the room's screen must fit without scrolling.
SCREENS = ((1920, 1080, "dark"), (1280, 720, "light"))


def trios(server: VoilaProcess) -> tuple[Day, DaySecrets]:
    with SQLiteStore(Path(server.env["CODEV_STORE"])) as store:
        return new_day(store, NINE, 3, "troika", "lead", LEAD)


def names_in(text: str) -> set[str]:
    return {name for name in NINE if re.search(rf"\b{name}\b", text)}


def wait_roles(page: Any, members: list[str]) -> None:
    """Until the page's roles name ``members``, and no one else of the day (as the page
    shows them, a word each: its text content runs a name into the next role's word)."""
    page.wait_for_function(
        "([members, others]) => { const t = document.querySelector('.codev-roles')?.innerText"
        " ?? ''; const words = t.split(/[\\s,—·]+/); const has = n => words.includes(n);"
        " return members.every(has) && !others.some(has); }",
        arg=[members, [n for n in NINE if n not in members]],
        timeout=FOLLOW_MS,
    )


def wait_titles(page: Any, title: str) -> None:
    """Until every step title on the page reads ``title``."""
    page.wait_for_function(
        "(title) => { const t = [...document.querySelectorAll('.codev-step-title')];"
        " return t.length > 0 && t.every(e => e.textContent.trim() === title); }",
        arg=title,
        timeout=FOLLOW_MS,
    )


def move(overview: Any, name: str, number: int, to: int) -> None:
    """The overview's move panel: ``name`` (in group ``number``) to group ``to``."""
    overview.locator(".codev-day-move-person select").select_option(
        label=f"{name} (group {number})"
    )
    overview.locator(".codev-day-move-group select").select_option(label=f"Group {to}")
    overview.click(".codev-day-move")


def step_title(page: Any) -> str:
    return str(page.text_content(".codev-step-title")).strip()


def test_one_room_link_three_trios_and_the_leads_overview(
    chromium: Any,
    voila_server: Callable[..., VoilaProcess],
    axe_source: str,  # noqa: F811
) -> None:
    server = voila_server(NOTEBOOKS)
    day, secrets = trios(server)
    assert [len(day.members(g.number)) for g in day.groups] == [3, 3, 3]
    room = server.url("join.ipynb", day=day.id, code=secrets.code)
    lead = server.url("day.ipynb", day=day.id, key=secrets.key)
    # One person of each trio: an advisor (the lead facilitates every trio, its first
    # member is its client).
    chosen = [day.members(group.number)[1] for group in day.groups]
    phone = {"viewport": {"width": 390, "height": 844}}
    laptop = {"viewport": {"width": 1440, "height": 900}}
    with contexts(chromium, phone, phone, phone, phone, laptop) as (
        *devices,
        latecomer,
        lead_laptop,
    ):
        people = [device.new_page() for device in devices]
        for page in people:
            page.goto(room, wait_until="commit")  # the same link for all

        # (a) Each picks their name among the day's and lands on their trio's page.
        for page, name in zip(people, chosen, strict=True):
            page.wait_for_selector(".codev-who-name", timeout=LOAD_MS)
            assert page.locator(".codev-who-name").count() == len(NINE)
            page.locator(".codev-who-name", has_text=re.compile(rf"^\s*{name}\s*$")).click()
        for page, name, group in zip(people, chosen, day.groups, strict=True):
            page.wait_for_selector(".codev-timer", timeout=LOAD_MS)
            page.locator(".codev-who-you", has_text=name).wait_for(timeout=FOLLOW_MS)
            wait_roles(page, day.members(group.number))

        overview = lead_laptop.new_page()
        overview.goto(lead, wait_until="commit")
        overview.wait_for_selector(".codev-day-group .codev-timer", timeout=LOAD_MS)
        assert overview.locator(".codev-day-group").count() == 3

        # (b) "Next step for all" starts every trio; once they run, it asks first (time
        # remains) and then moves every trio, and every person's page, to the next step.
        overview.click(".codev-day-next-all")
        for page in people:
            page.wait_for_function(
                "() => { const t = document.querySelector('.codev-timer');"
                " return t && !t.classList.contains('codev-timer--ready'); }",
                timeout=FOLLOW_MS,
            )
        first = step_title(people[0])
        wait_titles(overview, first)
        overview.click(".codev-day-next-all")
        overview.locator(".codev-confirm").wait_for(state="visible", timeout=FOLLOW_MS)
        overview.click(".codev-confirm")
        overview.wait_for_function(
            "(before) => [...document.querySelectorAll('.codev-day-group .codev-step-title')]"
            ".every(t => t.textContent.trim() !== before)",
            arg=first,
            timeout=FOLLOW_MS,
        )
        second = step_title(overview)
        assert second != first
        for page in people:
            wait_titles(page, second)

        # (c) "Call time": every person's page shows it.
        overview.click(".codev-day-call-time")
        for page in people:
            called = page.locator(".codev-call-time", has_text="5 minutes left")
            called.wait_for(state="visible", timeout=FOLLOW_MS)

        # (d) A trio cannot lose a member (two people cannot run Troika): the overview says
        # so in a line. A latecomer typing their name joins the trio with room (the first, of
        # equals); the lead then moves the first person from that four to the second trio,
        # and their page follows.
        move(overview, chosen[2], 3, 2)
        refused = overview.locator(".codev-day-moved.codev-error", has_text="group 3")
        refused.wait_for(timeout=FOLLOW_MS)
        late = latecomer.new_page()
        late.goto(room, wait_until="commit")
        late.wait_for_selector(".codev-who-input input", timeout=LOAD_MS)
        late.fill(".codev-who-input input", LATE)
        late.click(".codev-who-join")
        late.wait_for_selector(".codev-timer", timeout=LOAD_MS)
        wait_roles(late, [*day.members(1), LATE])
        wait_titles(late, second)
        move(overview, chosen[0], 1, 2)
        moved = overview.locator(".codev-day-moved", has_text=f"{chosen[0]} is now in group 2.")
        moved.wait_for(timeout=FOLLOW_MS)
        wait_roles(people[0], [*day.members(2), chosen[0]])
        people[0].locator(".codev-who-you", has_text=chosen[0]).wait_for(timeout=FOLLOW_MS)
        # The trio they left names the others and the latecomer, no longer them.
        wait_roles(late, [*(n for n in day.members(1) if n != chosen[0]), LATE])
        wait_roles(people[2], day.members(3))
        late.close(run_before_unload=True)

        # (e) The room's screen, opened from the overview's link: the title and the room's
        # link as a QR code, nothing of the people; it fits a projector; axe-core passes.
        href = overview.locator("a.codev-day-screen").get_attribute("href")
        assert href is not None and "screen=1" in href
        assert overview.locator("a.codev-day-screen").get_attribute("target") == "_blank"
        results: list[Audited] = []
        for width, height, theme in SCREENS:
            screen = lead_laptop.new_page()
            screen.set_viewport_size({"width": width, "height": height})
            light = "&theme=light" if theme == "light" else ""
            screen.goto(href + light, wait_until="commit")
            screen.wait_for_selector(".codev-room-screen .codev-qr svg", timeout=LOAD_MS)
            assert f"codev-theme-{theme}" in str(
                screen.get_attribute(".codev-room-screen", "class")
            )
            shown = str(screen.text_content(".codev-room-screen-body"))
            assert room in shown  # the link people open, without &screen=1
            assert "Launch day" in str(screen.text_content(".codev-room-screen-title"))
            body = str(screen.evaluate("document.body.innerText"))
            assert names_in(body) == set(), body
            assert screen.locator(".codev-who, .codev-roles, .codev-timer").count() == 0
            # No scrolling, and the code as large as a projector's screen allows.
            fits = screen.evaluate(
                "() => { const e = document.documentElement; return [e.scrollWidth,"
                " e.scrollHeight, innerWidth, innerHeight]; }"
            )
            assert fits[0] <= fits[2] and fits[1] <= fits[3], (width, height, fits)
            box = screen.locator(".codev-room-screen .codev-qr svg").bounding_box()
            assert box is not None and box["height"] >= 0.6 * height, box
            assert box["y"] + box["height"] <= height, box
            results.append(Audited(f"room screen, {theme}", audit(screen, axe_source)))
            screen.close(run_before_unload=True)
        check(results)
