"""A day of many groups on PostgreSQL behind HAProxy (issue 23): the lead's overview on one
server, the groups' pages on the other, as a hall's laptops and phones may land.

Two ``codev serve`` as their systemd unit runs them (``test_haproxy.deployment``) share one
PostgreSQL database; the day is made with ``codev day new``. Each browser carries the sticky
cookie of the server it is meant for (HAProxy honours a cookie naming one of its servers): the
lead's on ``codev1``, the room's people on ``codev2``. One "next step for all" on the overview
reaches the pages on the other server through the store alone. HAProxy, PostgreSQL, Chromium or
root missing: skipped locally with the reason, failed on CI (the fixtures' ``unavailable``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from test_haproxy import SERVERS, deployment, haproxy, server_of  # noqa: F401 (a fixture)
from test_live_session import FOLLOW_TIMEOUT_MS, LOAD_TIMEOUT_MS, wait_title

from codevwidgets.core.commands import Command
from codevwidgets.core.day import Day
from codevwidgets.core.roles import Roles
from codevwidgets.store.open import open_store

pytestmark = pytest.mark.browser

# Two groups of four (classic), the lead outside them steering both from the overview.
ROSTER = """\
group: Launch day
facilitator: Morgane
members:
  - {name: Ana}
  - {name: Bruno}
  - {name: Chloé}
  - {name: David}
  - {name: Emma}
  - {name: Farid}
  - {name: Gabi}
  - {name: Hugo}
"""


RUNNING = ".codev-timer.codev-timer--ok:not(.codev-timer--ready)"


def day_new(store: str, roster: Path, url: str) -> tuple[str, str]:
    """``codev day new`` for the servers behind ``url``: the lead's and the room's links."""
    made = subprocess.run(
        [
            str(Path(sys.executable).with_name("codev")),
            *("day", "new", "--roster", str(roster), "--groups", "2", "--runbook", "classic"),
            *("--facilitators", "lead", "--store", store, "--url", url),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    links = dict(line.split(": ", 1) for line in made.stdout.splitlines() if ": " in line)
    return links["Lead"], links["Room"]


def set_roles(store: str, day_id: str) -> Day:
    """Each group's roles, as its console sets them (its first member the client)."""
    opened = open_store(store)
    try:
        stored = opened.load_day(day_id)
        assert stored is not None
        day = stored.day
        for group in day.groups:
            client, *advisors = day.members(group.number)
            roles = Roles(client=client, facilitator=day.lead, advisors=tuple(advisors))
            opened.execute(group.session_id, Command("set_roles", {"roles": roles.to_dict()}))
    finally:
        opened.close()
    return day


def pinned(chromium: Any, url: str, server: str) -> Any:
    """A browser whose sticky cookie already names ``server``."""
    context = chromium.new_context()
    context.add_cookies([{"name": "CODEV_SERVER", "value": server, "url": url}])
    return context


def test_next_step_for_all_on_one_server_reaches_the_groups_pages_on_the_other(
    chromium: Any,
    haproxy: str,  # noqa: F811 (the fixture imported above)
    tmp_path: Path,
    postgres_url: str,
) -> None:
    roster = tmp_path / "day.yaml"
    roster.write_text(ROSTER, encoding="utf-8")
    room = ["--max-kernels", "10", "--pool", "0"]  # no pool: a server's kernels are its pages
    with deployment(haproxy, tmp_path, postgres_url, room, room) as (front, servers):
        front.wait_states(dict.fromkeys(SERVERS, "UP"))
        lead_link, room_link = day_new(postgres_url, roster, front.url)
        assert lead_link.startswith(front.url) and room_link.startswith(front.url)
        day = set_roles(postgres_url, parse_qs(urlsplit(lead_link).query)["day"][0])
        lead_server, room_server = SERVERS
        desk = pinned(chromium, front.url, lead_server)
        devices = [pinned(chromium, front.url, room_server) for _ in range(2)]
        try:
            overview = desk.new_page()
            overview.goto(lead_link)
            overview.wait_for_selector(".codev-day-group .codev-timer", timeout=LOAD_TIMEOUT_MS)
            assert overview.locator(".codev-day-group").count() == 2
            # One person of each group, both through the room's one link.
            people = []
            first, second = (day.members(g.number) for g in day.groups)
            for device, name in zip(devices, (first[0], second[0]), strict=True):
                page = device.new_page()
                page.goto(room_link)
                page.locator(".codev-who-name", has_text=name).click()
                page.wait_for_selector(".codev-timer", timeout=LOAD_TIMEOUT_MS)
                people.append(page)
            roles = [str(p.text_content(".codev-roles")) for p in people]
            # Each on their own group's page: two groups, not one.
            assert first[1] in roles[0] and first[1] not in roles[1]
            assert second[1] in roles[1] and second[1] not in roles[0]
            # The overview's kernel on one server, the room's pages' on the other.
            assert server_of(desk) == lead_server
            assert [server_of(d) for d in devices] == [room_server] * 2
            assert [s.kernels() for s in servers] == [1, 2]

            # Not started: "next step for all" starts every group without asking.
            overview.click(".codev-day-next-all")
            for page in people:
                page.wait_for_selector(RUNNING, timeout=FOLLOW_TIMEOUT_MS)
                wait_title(page, "Presentation of the problem")
            # Time remains: the overview asks first, then moves both groups on.
            overview.click(".codev-day-next-all")
            overview.locator(".codev-confirm").wait_for(state="visible", timeout=FOLLOW_TIMEOUT_MS)
            overview.click(".codev-confirm")
            for page in people:
                wait_title(page, "Clarifying questions")
            for page in (overview, *people):
                assert page.url.startswith(front.url)
                assert "Traceback" not in page.content()
        finally:
            for context in (desk, *devices):
                context.close()
