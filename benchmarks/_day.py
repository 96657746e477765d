"""A day of many groups on one server: the room joining through one link, and "next step for
all" from the lead's overview reaching every page (issue 23).

The day is made as ``codev day new --roster ROOM.yaml --groups 6 --runbook classic
--facilitators lead`` makes it (``pages.day_making.make_day``). Everyone opens the room's ONE
link at once, as ``HeadlessPage``s (the server's side of a page, without rendering: 48
Chromium pages would measure Chromium on 2 CPU), each answering "who are you?" with their own
name; a person is ready once their group's page has sent its step title. The room's page
(``join.ipynb``) is served from a pool of preheated kernels sized as ``codev serve --pool
auto`` sizes it (``server.pool.auto_pools`` when the kit has it, else the day's people and a
margin), against the pool of ``--pool 8``, in the same run.

Then the six consoles and the overview open too (headless), and each round applies what the
overview's button applies (``core.day_overview.next_for_all``, each group's command written to
the store in turn, as ``DayOverview._send_all`` does); timed from the first write to the new
title on each page's websocket, the overview counted once all its tiles show it.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from tornado.httpclient import AsyncHTTPClient

from benchmarks._capacity import quantile
from benchmarks._headless import HeadlessPage, Loop
from benchmarks._voila import Voila, rss_mib
from codevwidgets.core.commands import Command
from codevwidgets.core.day import Day
from codevwidgets.core.day_overview import next_for_all
from codevwidgets.core.roster import load_roster
from codevwidgets.core.session import Session
from codevwidgets.pages.day_making import day_links, make_day
from codevwidgets.server.pool import auto_pools, expected
from codevwidgets.server.serve import default_max_kernels
from codevwidgets.store.base import DaySecrets, Store, group_key_for
from codevwidgets.store.sqlite import SQLiteStore

ROOM_PAGE = "join.ipynb"
MARGIN = 2  # as server.pool's: a reload, a second device, someone not on the list
FILLED = "join.ipynb is filled with"  # Voilà's log once the room's pool is full
POOL_READY = 600.0  # seconds for Voilà to start a pool of 50 kernels on a busy 2-core machine
FOLLOW_TIMEOUT = 20.0  # seconds: a page without the new title by then missed it
BETWEEN_ROUNDS = 1.0  # seconds
FIRST = "Ana Bruno Chloé David Emma Farid Gaëlle Hugo Inès Jules Karim Léa".split()  # noqa: SIM905
LAST = "Martin Bernard Dubois Thomas Robert Richard Petit Durand".split()  # noqa: SIM905


@dataclass
class Joined:
    """One room joining through its one link: each person's time from the first request to
    their group's page ready (seconds), and how many never got there."""

    pool: int
    ready: list[float] = field(default_factory=list)
    missed: int = 0
    why: str = ""  # how the pool was sized


@dataclass
class Rounds:
    """ "Next step for all" rounds: each page's delay (seconds) by kind, and misses."""

    participants: list[float] = field(default_factory=list)
    consoles: list[float] = field(default_factory=list)
    overview: list[float] = field(default_factory=list)
    missed: int = 0
    memory_mib: float = 0.0
    kernels: int = 0

    @property
    def everyone(self) -> list[float]:
        return [*self.participants, *self.consoles, *self.overview]


def room_roster(path: Path, people: int) -> Path:
    """A day's roster file of ``people`` names (and an outside lead, who leads every group)."""
    names = [f"{FIRST[i % len(FIRST)]} {LAST[i // len(FIRST) % len(LAST)]}" for i in range(people)]
    roster = {
        "group": "Launch day",
        "facilitator": "Morgane Lead",
        "members": [{"name": n} for n in names],
    }
    path.write_text(yaml.safe_dump(roster, allow_unicode=True), encoding="utf-8")
    return path


def new_day(store: Store, roster: Path, groups: int) -> tuple[Day, DaySecrets]:
    """``codev day new --roster ROSTER --groups N --runbook classic --facilitators lead``
    (each group's first roles: its first member the client, the lead facilitating)."""
    day, secrets = make_day(
        store,
        "classic",
        roster=load_roster(roster, most=10_000),
        groups=groups,
        facilitators="lead",
        source=str(roster),
    )
    return day, secrets


def auto_pool(store: Store) -> tuple[int, str]:
    """The room's pool as ``codev serve --pool auto`` sizes it, and how it was sized."""
    pools = auto_pools(expected(store, time.time()), default_max_kernels())
    return pools.room, "`--pool auto` (server.pool.auto_pools)"


def room_server(workdir: Path, store: Path, room_pool: int) -> Voila:
    """``codev serve``'s Voilà with ``room_pool`` kernels preheated for the room's page only
    (the flags ``--pool auto`` gives it), once that pool is full."""
    sizes = {"default": {"pool_size": 0}, ROOM_PAGE: {"pool_size": room_pool}}
    server = Voila(
        workdir,
        store,
        args=[
            "--preheat_kernel=True",
            "--pool_size=0",
            f"--VoilaKernelManager.kernel_pools_config={json.dumps(sizes)}",
        ],
    )
    deadline = time.monotonic() + POOL_READY
    while FILLED not in server.log_text():
        if time.monotonic() > deadline or server.process.poll() is not None:
            server.stop()
            raise RuntimeError(f"the room's pool of {room_pool} was not filled in time")
        time.sleep(1.0)
    return server


async def _open_at_once(pages: list[HeadlessPage]) -> list[BaseException | HeadlessPage]:
    # Tornado's client queues beyond 10 requests at a time: a room asks all at once.
    AsyncHTTPClient.configure(None, max_clients=len(pages) + 16)
    return list(await asyncio.gather(*(p.open() for p in pages), return_exceptions=True))


async def _close_all(pages: list[HeadlessPage]) -> None:
    await asyncio.gather(*(page.close() for page in pages))


def join_room(
    loop: Loop, server: Voila, day: Day, secrets: DaySecrets, pool: int
) -> tuple[Joined, list[HeadlessPage]]:
    """Everyone opens the room's one link at once and picks their own name."""
    room = day_links(day, secrets, server.base_url).room
    people = [HeadlessPage(room, name=person.name) for person in day.people]
    joined = Joined(pool)
    first = time.time()
    opened = loop.run(_open_at_once(people))
    for page in opened:
        if isinstance(page, HeadlessPage) and page.ready_at is not None:
            joined.ready.append(page.ready_at - first)
        else:
            joined.missed += 1
    return joined, [p for p in opened if isinstance(p, HeadlessPage)]


def _sessions(store: Store, day: Day) -> dict[int, Session]:
    found = {}
    for group in day.groups:
        stored = store.load(group.session_id, private=True)
        assert stored is not None
        found[group.number] = stored.session()
    return found


def next_step_for_all(store: Store, day: Day) -> float:
    """What the overview's "next step for all" writes (epoch seconds of the first write)."""
    commands = next_for_all(_sessions(store, day))
    ids = {g.number: g.session_id for g in day.groups}
    at = time.time()
    for number, command in commands.items():
        store.execute(ids[number], command)
    return at


def back_for_all(store: Store, day: Day) -> float:
    """Every group's console's "previous step" (to stay within the runbook's six steps)."""
    sessions = _sessions(store, day)
    at = time.time()
    for group in day.groups:
        step = sessions[group.number].current_step.id
        store.execute(group.session_id, Command("previous", {"step": step}))
    return at


def _wait_title(pages: list[HeadlessPage], overview: HeadlessPage, title: str, at: float) -> None:
    deadline = time.monotonic() + FOLLOW_TIMEOUT
    while time.monotonic() < deadline:
        if overview.all_show(title, at) is not None and all(
            p.first_title(title, at) is not None for p in pages
        ):
            return
        time.sleep(0.05)


def step_rounds(
    loop: Loop,
    server: Voila,
    store: Store,
    day: Day,
    secrets: DaySecrets,
    people: list[HeadlessPage],
    rounds: int,
) -> Rounds:
    """The consoles and the overview open; then ``rounds`` step changes for all groups, every
    other one "next step for all" (the overview's) and back (the consoles')."""
    key = secrets.key
    consoles = [
        HeadlessPage(
            server.url(
                "facilitator.ipynb",
                session=g.session_id,
                key=group_key_for(key, g.session_id),
            )
        )
        for g in day.groups
    ]
    overview = HeadlessPage(server.url("day.ipynb", day=day.id, key=key), titles=len(day.groups))
    opened = loop.run(_open_at_once([*consoles, overview]))
    failed = [p for p in opened if not isinstance(p, HeadlessPage)]
    if failed:
        loop.run(_close_all([*consoles, overview]))
        raise RuntimeError(f"a console or the overview did not open: {failed[0]!r}")
    result = Rounds()
    book = _sessions(store, day)[day.groups[0].number].runbook
    try:
        time.sleep(2.0)
        for n in range(rounds):
            # Forward through the steps, then back, as the other step benchmarks do.
            forward = (n // (len(book.steps) - 1)) % 2 == 0
            at = next_step_for_all(store, day) if forward else back_for_all(store, day)
            title = consoles[0].first_title_any(at)
            deadline = time.monotonic() + FOLLOW_TIMEOUT
            while title is None and time.monotonic() < deadline:
                time.sleep(0.05)
                title = consoles[0].first_title_any(at)
            if title is None:
                result.missed += len(people) + len(consoles) + 1
                continue
            _wait_title([*people, *consoles], overview, title[1], at)
            for kind, pages in (("participants", people), ("consoles", consoles)):
                for page in pages:
                    reached = page.first_title(title[1], at)
                    if reached is None:
                        result.missed += 1
                    else:
                        getattr(result, kind).append(reached - at)
            whole = overview.all_show(title[1], at)
            if whole is None:
                result.missed += 1
            else:
                result.overview.append(whole - at)
            time.sleep(BETWEEN_ROUNDS)
        pids = server.kernels()
        result.kernels = len(pids)
        result.memory_mib = sum(rss_mib(pid) for pid in pids)
    finally:
        loop.run(_close_all([*consoles, overview]))
    return result


def day_run(work: Path, people: int, groups: int, rounds: int) -> tuple[Joined, Joined, Rounds]:
    """The room joining with the pool ``--pool auto`` gives, then with ``--pool 8`` (each on a
    fresh server and day), and the step rounds on the first."""
    roster = room_roster(work / "room.yaml", people)
    loop = Loop()
    try:
        with SQLiteStore(work / "auto.db") as store:
            day, secrets = new_day(store, roster, groups)
            size, why = auto_pool(store)
            server = room_server(work / "auto", work / "auto.db", size)
            try:
                auto, pages = join_room(loop, server, day, secrets, size)
                auto.why = why
                try:
                    next_step_for_all(store, day)  # every group starts
                    changes = step_rounds(loop, server, store, day, secrets, pages, rounds)
                finally:
                    loop.run(_close_all(pages))
            finally:
                server.stop()
        with SQLiteStore(work / "eight.db") as store:
            day, secrets = new_day(store, roster, groups)
            server = room_server(work / "eight", work / "eight.db", 8)
            try:
                eight, pages = join_room(loop, server, day, secrets, 8)
                loop.run(_close_all(pages))
            finally:
                server.stop()
    finally:
        loop.close()
    return auto, eight, changes


def spread(values: list[float]) -> tuple[float, float, float]:
    """p50, p95, max."""
    return quantile(values, 0.5), quantile(values, 0.95), max(values)
