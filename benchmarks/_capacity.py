"""Capacity: many groups at the same hour on one server (issue "beyond one machine").

Each group is a classic session with its facilitator's console and its participants' pages
open, every page with a kernel of its own on the server. A few participants of the first
group are real Chromium pages; the others are ``HeadlessPage``s (the server's side of a page
without rendering: 90 Chromium pages would measure Chromium on 2 CPU, not the kit). Step
changes are written to the store in every group in turn, as the consoles would; each is timed
from the store write to the new title reaching each page.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from playwright.sync_api import Browser, Page

from benchmarks._headless import HeadlessPage, Loop
from benchmarks._pages import RECORD_TITLES, close_page, open_page, title_changes
from benchmarks._voila import cpu_seconds, rss_mib
from codevwidgets.core.commands import Command
from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.store.base import Secrets, Store

ADVISORS = ("Chloé", "David", "Emma", "Farid", "Gaëlle", "Hugo", "Inès")
OPEN_AT_ONCE = 6  # pages asked of the server together while the room fills
ROUND_SECONDS = 2.0  # one step change per group in each round, spread over the round
FOLLOW_TIMEOUT = 20.0  # seconds: a page without the new title by then missed it


@dataclass
class Room:
    """What a capacity run measured."""

    groups: int
    pages: int
    kernel_delays: dict[int, list[float]] = field(default_factory=dict)  # by group, seconds
    page_delays: list[float] = field(default_factory=list)  # Chromium pages, seconds
    missed: int = 0
    memory_mib: float = 0.0
    idle_ms_per_s: float = 0.0
    opened_in: float = 0.0

    def kernel_p(self, q: float) -> tuple[float, float]:
        """Median over groups and worst group of each group's ``q`` quantile, in seconds."""
        values = [quantile(delays, q) for delays in self.kernel_delays.values() if delays]
        return statistics.median(values), max(values)


def quantile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def new_sessions(store: Store, groups: int, participants: int) -> list[Secrets]:
    """One started classic session per group, its roles set (a client and advisors)."""
    book = load_preset("classic")
    made = []
    for _ in range(groups):
        advisors = tuple(ADVISORS[i % len(ADVISORS)] + str(i) for i in range(participants - 1))
        secrets = store.create(Session(book, Roles("Ana", "Bruno", advisors)), "classic", "en")
        store.execute(secrets.session_id, Command("start"))
        made.append(secrets)
    return made


def capacity_run(
    browser: Browser,
    page_url: Callable[..., str],
    store: Store,
    *,
    groups: int,
    participants: int,
    in_chromium: int,
    changes: int,
    idle_seconds: float,
    kernels: Callable[[], set[int]],
    servers: set[int],
) -> Room:
    """``groups`` sessions of 1 facilitator + ``participants`` pages, each opened at
    ``page_url(notebook, **query)`` (a server, or a balancer in front of several); the first
    ``in_chromium`` participants of the first group in Chromium, every other page headless.
    ``kernels()`` and ``servers`` (pids) are what the memory and idle CPU count."""
    room = Room(groups, groups * (participants + 1))
    sessions = new_sessions(store, groups, participants)
    loop = Loop()
    headless: dict[int, list[HeadlessPage]] = {g: [] for g in range(groups)}
    consoles: list[HeadlessPage] = []
    chromium: list[Page] = []
    try:
        started = time.monotonic()
        urls: list[tuple[int, str, bool]] = []  # group, url, is the console
        for g, secrets in enumerate(sessions):
            console = page_url(
                "facilitator.ipynb", session=secrets.session_id, key=secrets.facilitator_key
            )
            urls.append((g, console, True))
            for p in range(participants):
                url = page_url(
                    "participant.ipynb",
                    session=secrets.session_id,
                    code=secrets.join_code,
                    name=f"P{p}",
                )
                if g == 0 and p < in_chromium:
                    page, _ = open_page(browser, url, ".codev-timer")
                    page.evaluate(RECORD_TITLES)
                    chromium.append(page)
                else:
                    urls.append((g, url, False))
        opened = loop.run(_open_all([u for _, u, _ in urls]))
        for (g, _, is_console), page in zip(urls, opened, strict=True):
            (consoles if is_console else headless[g]).append(page)
        room.opened_in = time.monotonic() - started
        time.sleep(3.0)

        pids = kernels()
        room.memory_mib = sum(rss_mib(pid) for pid in pids)
        watched = pids | servers
        before, since = cpu_seconds(watched), time.monotonic()
        time.sleep(idle_seconds)
        after, wall = cpu_seconds(watched), time.monotonic() - since
        used = sum(after[p] - before[p] for p in watched if p in after and p in before)
        room.idle_ms_per_s = used / wall * 1000

        writes = _step_changes(store, sessions, changes)
        time.sleep(3.0)
        for g, at, _left in writes:
            console = consoles[g]
            title_at = console.first_title_any(at)
            if title_at is None:
                room.missed += 1 + len(headless[g])
                continue
            title = title_at[1]
            for page in headless[g]:
                reached = page.first_title(title, at)
                if reached is None or reached - at > FOLLOW_TIMEOUT:
                    room.missed += 1
                else:
                    room.kernel_delays.setdefault(g, []).append(reached - at)
            if g == 0 and chromium:
                for change in title_changes(chromium, at * 1000, FOLLOW_TIMEOUT):
                    if change is None or change[1] != title:
                        room.missed += 1
                    else:
                        room.page_delays.append(change[0] / 1000 - at)
    finally:
        for page in chromium:
            close_page(page)
        loop.run(_close_all([*consoles, *(p for pages in headless.values() for p in pages)]))
        loop.close()
    return room


async def _open_all(urls: list[str]) -> list[HeadlessPage]:
    gate = asyncio.Semaphore(OPEN_AT_ONCE)

    async def one(url: str) -> HeadlessPage:
        async with gate:
            return await HeadlessPage(url).open()

    return list(await asyncio.gather(*(one(url) for url in urls)))


async def _close_all(pages: list[HeadlessPage]) -> None:
    await asyncio.gather(*(page.close() for page in pages))


def _step_changes(
    store: Store, sessions: list[Secrets], changes: int
) -> list[tuple[int, float, str]]:
    """``changes`` step changes in every group, the groups in turn within each round, as
    their consoles would send them; ``(group, epoch seconds written, step left)`` each."""
    steps = [s.id for s in load_preset("classic").steps]
    index, forward = [0] * len(sessions), [True] * len(sessions)
    writes = []
    for _ in range(changes):
        for g, secrets in enumerate(sessions):
            # To the last step and back, as the steps benchmark does.
            if index[g] in (0, len(steps) - 1):
                forward[g] = index[g] == 0
            name = "next" if forward[g] else "previous"
            at = time.time()
            store.execute(secrets.session_id, Command(name, {"step": steps[index[g]]}))
            writes.append((g, at, steps[index[g]]))
            index[g] += 1 if forward[g] else -1
            time.sleep(ROUND_SECONDS / len(sessions))
    return writes
