"""``make bench``: live-session figures, each against a baseline measured in the same run.

1. step change on the facilitator page → all N participant pages and the projector updated
   (N = 1, 8, 16);
   baseline: the facilitator page's own title update;
2. participant page ready vs a bare Voilà page showing one label, with `codev serve`'s pool
   of preheated kernels and without (the pool used up);
3. memory of a participant kernel vs a bare ipywidgets kernel;
4. kernels still running after participant pages were closed (Voilà's culling);
5. a room joining at once: participant pages vs bare pages opened together;
6. commands per second the SQLite store applies with 16 writer processes vs 1 writer;
7. exporting a classic session's record (60 contributions) as md, html and pdf vs building
   the record alone;
8. CPU per second of an idle room whose pages beat (presence, every 60 s) over 150 s: 16
   participant pages vs 1, the console and the projector open;
9. capacity: 10 groups (a console and 8 participants each) on one server, step changes in
   every group: delay to the pages (headless, and a few in Chromium), kernels' memory, idle
   CPU; vs 1 group in the same run.
10. recovery: PostgreSQL stopped for 3, 7 and 11 s, a command tried meanwhile: time from
    the server's return to a command applied and to a follower's change feed hearing it; vs
    the same store with psycopg's default reconnection backoff.
11. the door: kernels and PostgreSQL connections a server holds 15 s after 100 page requests
    with a wrong code, and after 100 with the right code but no browser (curl); vs what it
    held before them (its pool).
12. flood: step change to N participant pages while one more page floods sends, hands and
    name changes (a click loop in the page); vs the same N without the flood, same run.
13. phone: a participant page ready on a 390 px phone with a branded runbook (a long title and
    a 1200×300 logo) vs the same page without branding, same server, alternating.
14. day: a room of 48 (6 groups of 8) opening a day's one room link at once (headless pages,
    each picking its name): time until every person's group page is ready, with the room's
    pool as ``--pool auto`` sizes it vs ``--pool 8``; then "next step for all" from the
    overview reaching the 48 pages, the 6 consoles and the overview, and kernels' memory.

Prints a Markdown table and writes it to ``benchmarks/results.md``. ``--quick``: a smoke run
with fewer pages, fewer samples and a 30 s wait.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import nbformat
from playwright.sync_api import Browser, Page, sync_playwright

from benchmarks._capacity import Room, capacity_run, quantile
from benchmarks._cluster import Cluster
from benchmarks._commands import commands_per_second
from benchmarks._day import day_run, spread
from benchmarks._door import AFTER, MAX_KERNELS, REQUESTS, door_run
from benchmarks._export import CONTRIBUTIONS, export_times
from benchmarks._flood import start_flood, stop_flood
from benchmarks._pages import (
    CHROMIUM,
    CHROMIUM_ARGS,
    COMMS,
    RECORD_TITLES,
    STAMPED_CLICK,
    close_page,
    open_burst,
    open_page,
    title_changes,
)
from benchmarks._recovery import recoveries
from benchmarks._voila import Voila, browser_groups, cpu_seconds, descendants, rss_mib
from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import load_preset, load_runbook
from codevwidgets.core.session import Session
from codevwidgets.server.serve import POOL_SIZE, voila_command
from codevwidgets.store.base import Secrets, Store
from codevwidgets.store.open import open_store
from codevwidgets.store.sqlite import SQLiteStore as SessionStore

RESULTS = Path(__file__).with_name("results.md")
ADVISORS = ("Chloé", "David", "Emma")
BARE_SOURCE = 'import ipywidgets as w\nl = w.Label("ready")\nl.add_class("codev-bare")\nl'
SETTLE = 3.0  # seconds for kernels and pages to quieten after opening pages
UPDATE_TIMEOUT = 20.0  # seconds
JOIN_BATCH = 5
BURST_TIMEOUT = 120.0  # seconds for a page opened in a burst to show its widget
XSRF_REFUSED = "(127.0.0.1): '_xsrf' argument missing from POST"  # Voilà's log, once per beacon


@dataclass
class Plan:
    participants: tuple[int, ...] = (1, 8, 16)
    step_changes: int = 30
    ready_runs: int = 7
    memory_pages: int = 3
    closed_pages: int = 20
    dropped_pages: int = 5
    wait_after_close: float = 120.0
    observe_until: float = 240.0  # beyond the deadline: when did the culler get there?
    burst_pages: int = 25
    pool: int = POOL_SIZE  # `codev serve`'s preheated participant kernels

    writers: int = 16
    commands: int = 300  # per writer, per run
    command_runs: int = 3
    export_runs: int = 5
    idle_pages: int = 16
    idle_window: float = 150.0  # seconds: each page beats two or three times
    groups: int = 10
    group_participants: int = 8
    group_in_chromium: int = 4  # of the first group; every other page headless
    group_changes: int = 10  # step changes per group
    group_idle: float = 60.0  # seconds of idle CPU measured
    recovery_runs: int = 3  # each outage, with the kit's pool and psycopg's default
    flood_participants: int = 16  # 30 wanted: on the shared 2-core machine a page did not open
    flood_changes: int = 20  # step changes measured with the flood, and as many without
    day_people: int = 48  # a room joining through a day's one link
    day_groups: int = 6
    day_rounds: int = 10  # step changes for all groups


QUICK = Plan(
    (1, 4),
    5,
    3,
    2,
    5,
    2,
    30.0,
    30.0,
    6,
    2,
    16,
    50,
    1,
    2,
    4,
    30.0,
    2,
    3,
    1,
    3,
    10.0,
    1,
    4,
    5,
    8,
    2,
    3,
)


@dataclass
class Row:
    measure: str
    value: str
    baseline: str
    ratio: str
    target: str


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    cpu: list[str] = field(default_factory=list)  # diagnostic table lines: CPU time
    comms: list[str] = field(default_factory=list)  # table lines: widget messages per change


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def new_session(store: Path) -> tuple[Secrets, int]:
    """A classic session with its roles set, stored; and its number of steps."""
    book = load_preset("classic")
    session = Session(book, Roles("Ana", "Bruno", ADVISORS))
    with SessionStore(store) as sessions:
        return sessions.create(session, "classic", "en"), len(book.steps)


# -- 1. step change → every participant page --------------------------------------------------


def step_change(
    facilitator: Page, participants: list[Page], index: int, forward: bool
) -> tuple[float, float | None, int]:
    """One step change; seconds to the facilitator's own title, to the last participant's.

    Returns (facilitator's, slowest participant's or None if one never updated, new index).
    """
    if forward:
        facilitator.click(".codev-next-step")
        facilitator.locator(".codev-confirm").wait_for(state="visible")
        at = facilitator.evaluate(STAMPED_CLICK, ".codev-confirm")
        index += 1
    else:
        at = facilitator.evaluate(STAMPED_CLICK, ".codev-previous-step")
        index -= 1
    own, *theirs = title_changes([facilitator, *participants], at, UPDATE_TIMEOUT)
    if own is None:
        raise RuntimeError(f"the facilitator's title did not change within {UPDATE_TIMEOUT} s")
    # A page that never changed, or changed to another step than the facilitator's, missed it.
    reached = [c[0] for c in theirs if c is not None and c[1] == own[1]]
    slowest = (max(reached) - at) / 1000 if len(reached) == len(theirs) else None
    return (own[0] - at) / 1000, slowest, index


def cpu_groups(
    server: Voila, facilitator: Page, participants: list[Page], projector: Page
) -> dict[str, set[int]]:
    """The processes whose CPU time is accounted for during the step changes."""
    voila = {server.process.pid, *descendants(server.process.pid)}
    return {
        "facilitator kernel": {server.kernel_of(facilitator)},
        "projector kernel": {server.kernel_of(projector)},
        # Not the pool's kernels waiting for a visitor (they sleep on a socket).
        "participant kernels": {server.kernel_of(page) for page in participants},
        "Voilà server": {server.process.pid},
        **browser_groups(descendants(os.getpid()) - voila),
    }


class CpuMeter:
    """CPU time (user + system) spent by groups of processes since the meter was made."""

    def __init__(self, groups: dict[str, set[int]]) -> None:
        self.groups = groups
        self.start, self.since = cpu_seconds(set().union(*groups.values())), time.monotonic()

    def read(self) -> tuple[dict[str, float], float]:
        """Seconds of CPU by group, and seconds of wall time, so far."""
        now = cpu_seconds(set().union(*self.groups.values()))
        spent = {
            name: sum(
                now[pid] - self.start[pid] for pid in pids if pid in now and pid in self.start
            )
            for name, pids in self.groups.items()
        }
        return spent, time.monotonic() - self.since


Spent = tuple[dict[str, float], float]


def cpu_line(n: int, idle: Spent, changes: Spent, count: int) -> str:
    (idle_cpu, idle_wall), (cpu, wall) = idle, changes
    by_group = ", ".join(f"{name} {ms(used / count)}" for name, used in cpu.items())
    idle_by_group = ", ".join(
        f"{name} {used / idle_wall * 1000:.0f}" for name, used in idle_cpu.items()
    )
    return (
        f"| {n} | {sum(idle_cpu.values()) / idle_wall * 1000:.0f} ms/s ({idle_by_group}) "
        f"| {by_group} "
        f"| {ms(sum(cpu.values()) / count)} | {ms(wall / count)} |"
    )


def bench_step_changes(browser: Browser, work: Path, plan: Plan, report: Report) -> None:
    store = work / "step.db"
    secrets, steps = new_session(store)
    server = Voila(work / "step", store, pool=plan.pool)
    try:
        key = secrets.facilitator_key
        url = server.url("facilitator.ipynb", session=secrets.session_id, key=key)
        facilitator, _ = open_page(browser, url, ".codev-timer")
        facilitator.get_by_role("button", name="Start the session").click()
        facilitator.locator(".codev-next-step").wait_for(state="visible")
        facilitator.evaluate(RECORD_TITLES)
        # The room's screen follows too: counted among the pages a step change must reach.
        joining = {"session": secrets.session_id, "code": secrets.join_code}
        projector, _ = open_page(browser, server.url("projector.ipynb", **joining), ".codev-timer")
        projector.evaluate(RECORD_TITLES)
        participants: list[Page] = []
        index, forward = 0, True
        for n in plan.participants:
            while len(participants) < n:
                name = ADVISORS[len(participants) % len(ADVISORS)]
                query = {"session": secrets.session_id, "code": secrets.join_code, "name": name}
                page, _ = open_page(
                    browser, server.url("participant.ipynb", **query), ".codev-timer"
                )
                page.evaluate(RECORD_TITLES)
                participants.append(page)
            time.sleep(SETTLE)
            groups = cpu_groups(server, facilitator, participants, projector)
            meter = CpuMeter(groups)
            time.sleep(SETTLE)
            idle = meter.read()  # pages open, nothing happening
            meter = CpuMeter(groups)
            own, everyone, missed = [], [], 0
            kinds = {
                "console": [facilitator],
                "projector": [projector],
                "participant": participants,
            }
            before = {kind: [COMMS[p].received for p in pages] for kind, pages in kinds.items()}
            for _ in range(plan.step_changes):
                forward = (forward or index == 0) and index < steps - 1
                followers = [projector, *participants]
                mine, slowest, index = step_change(facilitator, followers, index, forward)
                own.append(mine)
                if slowest is None:
                    missed += 1
                else:
                    everyone.append(slowest)
                time.sleep(0.5)
            report.rows.append(step_row(n, everyone, own, missed))
            report.comms.append(comm_line(n, kinds, before, plan.step_changes))
            report.cpu.append(cpu_line(n, idle, meter.read(), plan.step_changes))
        for page in [facilitator, projector, *participants]:
            close_page(page)
    finally:
        server.stop()


def comm_line(
    n: int, kinds: dict[str, list[Page]], before: dict[str, list[int]], changes: int
) -> str:
    """Widget messages per step change, per page, by kind of page (one row of the table)."""
    per_page = {
        kind: statistics.mean(
            (COMMS[page].received - start) / changes
            for page, start in zip(pages, before[kind], strict=True)
        )
        for kind, pages in kinds.items()
    }
    return f"| {n} | " + " | ".join(f"{per_page[kind]:.1f}" for kind in kinds) + " |"


def step_row(n: int, everyone: list[float], own: list[float], missed: int) -> Row:
    p50, p95 = quantile(everyone, 0.5), quantile(everyone, 0.95)
    b50, b95 = quantile(own, 0.5), quantile(own, 0.95)
    note = f" ({missed} of {len(own)} changes never reached every page)" if missed else ""
    return Row(
        f"step change → all {n} participant page(s) and the projector updated, p50 / p95 "
        f"({len(everyone)} changes){note}",
        f"{ms(p50)} / {ms(p95)}",
        f"facilitator's own title: {ms(b50)} / {ms(b95)}",
        f"{p50 / b50:.1f} / {p95 / b95:.1f}",
        "p95 ≤ 250 ms at N = 16" if n == 16 else "",
    )


# -- 2 and 3. participant page and kernel vs a bare Voilà page ----------------------------------


def write_bare_notebook(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(BARE_SOURCE)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, directory / "bare.ipynb")


def bench_bare(browser: Browser, work: Path, plan: Plan, report: Report) -> None:
    store = work / "bare.db"
    secrets, _ = new_session(store)
    write_bare_notebook(work / "bare-notebooks")
    query = {"session": secrets.session_id, "code": secrets.join_code, "name": "Emma"}
    # As `codev serve` runs (a kernel from the pool), then as with the pool used up.
    for pool in (plan.pool, 0):
        kit = Voila(work / f"kit-{pool}", store, pool=pool)
        bare = Voila(work / f"bare-{pool}", store, notebook_dir=work / "bare-notebooks", pool=pool)
        participant = (kit, kit.url("participant.ipynb", **query), ".codev-timer")
        baseline = (bare, bare.url("bare.ipynb"), ".codev-bare")
        try:
            ready = ready_times(browser, participant, baseline, plan.ready_runs)
            if pool == plan.pool:  # the kernels `codev serve` gives
                memory = kernel_memory(browser, participant, baseline, plan.memory_pages)
        finally:
            kit.stop()
            bare.stop()
        kit_ready, bare_ready = statistics.median(ready["kit"]), statistics.median(ready["bare"])
        how = f"a kernel from the pool of {pool}" if pool else "no pool: the kernel starts"
        report.rows.append(
            Row(
                f"participant page ready (goto → `.codev-timer` visible; {how}), median of "
                f"{plan.ready_runs}, alternating",
                ms(kit_ready),
                f"bare Voilà label page, same server settings: {ms(bare_ready)}",
                f"{kit_ready / bare_ready:.2f}",
                "≤ 1.3",
            )
        )
    kit_rss, bare_rss = statistics.median(memory["kit"]), statistics.median(memory["bare"])
    report.rows += [
        Row(
            f"participant kernel memory (VmRSS, {SETTLE:.0f} s after ready), median of "
            f"{plan.memory_pages}",
            f"{kit_rss:.0f} MiB",
            f"bare ipywidgets kernel: {bare_rss:.0f} MiB",
            f"{kit_rss / bare_rss:.2f}",
            "≤ 1.3",
        ),
    ]


Served = tuple[Voila, str, str]  # server, page address, selector shown when ready


def ready_times(
    browser: Browser, participant: Served, baseline: Served, runs: int, width: int | None = None
) -> dict[str, list[float]]:
    """Seconds from goto to ready, participant and bare pages alternating (``width``: in a
    phone's viewport)."""
    # A first load of each, not counted: Voilà's templates, Python's imports, disk caches.
    for _, url, selector in (participant, baseline):
        close_page(open_page(browser, url, selector, width)[0])
    ready: dict[str, list[float]] = {"kit": [], "bare": []}
    for _ in range(runs):
        for label, (_, url, selector) in (("kit", participant), ("bare", baseline)):
            page, seconds = open_page(browser, url, selector, width)
            ready[label].append(seconds)
            close_page(page)
    return ready


def kernel_memory(
    browser: Browser, participant: Served, baseline: Served, pages: int
) -> dict[str, list[float]]:
    """MiB resident in the kernel behind each page, ``SETTLE`` seconds after it is ready."""
    time.sleep(SETTLE)
    memory: dict[str, list[float]] = {"kit": [], "bare": []}
    opened = []
    for _ in range(pages):
        for label, (server, url, selector) in (("kit", participant), ("bare", baseline)):
            page, _ = open_page(browser, url, selector)
            time.sleep(SETTLE)
            memory[label].append(rss_mib(server.kernel_of(page)))
            opened.append(page)
    for page in opened:
        close_page(page)
    return memory


# -- 5. a room joining at once ------------------------------------------------------------------


def burst(
    browser: Browser, work: Path, store: Path, pages: int, pool: int, bare: bool
) -> list[float | None]:
    """Seconds to ready of ``pages`` pages opened at once, on a server of their own."""
    secrets, _ = new_session(store)
    if bare:
        write_bare_notebook(work / "bare-notebooks")
        server = Voila(work / "burst-bare", store, notebook_dir=work / "bare-notebooks", pool=pool)
        url, selector = server.url("bare.ipynb"), ".codev-bare"
    else:
        server = Voila(work / "burst", store, pool=pool)
        query = {"session": secrets.session_id, "code": secrets.join_code, "name": "Chloé"}
        url, selector = server.url("participant.ipynb", **query), ".codev-timer"
    try:
        opened, ready = open_burst(browser, [url] * pages, selector, BURST_TIMEOUT)
        for page in opened:
            close_page(page)
    finally:
        server.stop()  # its kernels with it: the next burst starts on a quiet machine
    return ready


def bench_burst(browser: Browser, work: Path, plan: Plan, report: Report) -> None:
    kit = burst(browser, work, work / "burst.db", plan.burst_pages, plan.pool, bare=False)
    bare = burst(browser, work, work / "burst.db", plan.burst_pages, plan.pool, bare=True)

    def summary(ready: list[float | None]) -> str:
        shown = sorted(t for t in ready if t is not None)
        last = f", median {ms(statistics.median(shown))}, last {ms(shown[-1])}" if shown else ""
        return f"{len(shown)} of {len(ready)} showed their widget{last}"

    report.rows.append(
        Row(
            f"{plan.burst_pages} participant pages opened at once (a room joining; pool of "
            f"{plan.pool} for each server; Voilà "
            f"logs 'Timeout waiting for IOPub output' for a page left blank), "
            f"within {BURST_TIMEOUT:.0f} s",
            summary(kit),
            f"{plan.burst_pages} bare label pages at once: {summary(bare)}",
            "",
            "(no target in the issue)",
        )
    )


# -- 4. kernels of closed pages -----------------------------------------------------------------


def bench_culling(browser: Browser, work: Path, plan: Plan, report: Report) -> None:
    store = work / "cull.db"
    secrets, _ = new_session(store)
    server = Voila(work / "cull", store, pool=plan.pool)  # exactly `codev serve`'s command
    query = {"session": secrets.session_id, "code": secrets.join_code, "name": "David"}
    url = server.url("participant.ipynb", **query)
    try:
        before = len(server.kernels())
        # Joining five at a time (all at once leaves blank pages on 2 cores: see "burst").
        pages, ready = [], 0
        for batch in range(0, plan.closed_pages + plan.dropped_pages, JOIN_BATCH):
            size = min(JOIN_BATCH, plan.closed_pages + plan.dropped_pages - batch)
            opened_now, times = open_burst(browser, [url] * size, ".codev-timer", BURST_TIMEOUT)
            pages += opened_now
            ready += sum(t is not None for t in times)
        opened = len(server.kernels())
        for number, page in enumerate(pages):
            close_page(page, unload=number < plan.closed_pages)
        closed_at = time.monotonic()
        time.sleep(1)
        right_after = len(server.kernels())
        # The count at the deadline, and (watching a while longer) when the culler got there.
        after, back_at, count, elapsed = None, None, right_after, 0.0
        while after is None or (back_at is None and elapsed < plan.observe_until):
            time.sleep(1)
            elapsed, count = time.monotonic() - closed_at, len(server.kernels())
            if back_at is None and count <= before:
                back_at = elapsed
            if after is None and elapsed >= plan.wait_after_close:
                after = count
        log = server.log.read_text(errors="replace")
    finally:
        server.stop()
    back = (
        f"back to {before} after {back_at:.0f} s"
        if back_at is not None
        else f"still {count} after {elapsed:.0f} s"
    )
    report.rows.append(
        Row(
            f"kernels running after {plan.closed_pages} participant pages (joined {JOIN_BATCH} "
            "at a time, all open together) "
            f"closed with unload + {plan.dropped_pages} dropped (context closed, no unload); "
            f"{culler()}",
            f"all open: {opened} ({ready} pages ready); 1 s after closing: {right_after}; "
            f"{plan.wait_after_close:.0f} s after: {after}; {back}; "
            f"kernels started: {log.count('Kernel started:')}, shutdown beacons refused "
            f"(403 _xsrf missing): {log.count(XSRF_REFUSED)}, kernels shut down: "
            f"{log.count('Kernel shutdown:')}",
            f"before opening: {before}",
            "",
            f"{before} (the preheated pool) {plan.wait_after_close:.0f} s after",
        )
    )


def culler() -> str:
    """The culling settings of `codev serve`, as its command gives them."""
    flags = dict(
        arg.removeprefix("--MappingKernelManager.").split("=", 1)
        for arg in voila_command(0, "127.0.0.1")
        if arg.startswith("--MappingKernelManager.cull")
    )
    return ", ".join(f"{name}={value}" for name, value in flags.items())


# -- report -------------------------------------------------------------------------------------


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} CPU ({cpu}), Python {platform.python_version()}, voila "
        f"{version('voila')}, ipykernel {version('ipykernel')}, Chromium headless; "
        f"load average at the end: {load}"
    )


def revision() -> str:
    """The commit measured, and whether files of the package differed from it."""

    def git(*args: str) -> str:
        run = subprocess.run(["git", *args], capture_output=True, text=True, cwd=RESULTS.parent)
        return run.stdout.strip()

    dirty = git("status", "--porcelain", "--", "codevwidgets", "notebooks")
    return f"codevwidgets at {git('rev-parse', '--short', 'HEAD') or '?'}" + (
        " + uncommitted changes" if dirty else ""
    )


def markdown(report: Report, quick: bool, seconds: float, measured: str) -> str:
    lines = [
        f"# Benchmarks{' (quick smoke run: not the figures)' if quick else ''}",
        "",
        f"{dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, {measured}, {machine()}; "
        f"run took {seconds / 60:.1f} min.",
        "",
        "| measure | value | baseline (same run) | ratio | target |",
        "|---|---|---|---|---|",
        *(
            f"| {r.measure} | {r.value} | {r.baseline} | {r.ratio} | {r.target} |"
            for r in report.rows
        ),
    ]
    if report.cpu:
        lines += [
            "",
            "Diagnostic: CPU time (user + system) by process group, with N participant pages",
            "open: idle (CPU ms per second, all groups, nothing happening), then per step",
            "change while the changes above were measured (a 0.5 s pause after each, and",
            f"Playwright reading the pages' records, included). {os.cpu_count()} CPU give at most "
            f"{os.cpu_count() or 1}000 ms of CPU per second.",
            "",
            "| N | idle | per step change, by group | per change, total | wall per change |",
            "|---|---|---|---|---|",
            *report.cpu,
        ]
    if report.comms:
        lines += [
            "",
            "Widget messages (comm_msg, comm_open, comm_close, clock syncs included) a page",
            "received per step change, mean per page of each kind, with N participant pages open:",
            "",
            "| N | console | projector | participant |",
            "|---|---|---|---|",
            *report.comms,
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run: small N, 30 s wait")
    parser.add_argument("--only", nargs="+", choices=list(BENCHES))
    parser.add_argument(
        "--flood-pages", type=int, metavar="N", help="participant pages of the flood benchmark"
    )
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else Plan()
    if args.flood_pages:
        plan = dataclasses.replace(plan, flood_participants=args.flood_pages)
    start, measured = time.monotonic(), revision()
    report, failed, text = Report(), False, ""
    with (
        tempfile.TemporaryDirectory(prefix="codev-bench-") as tmp,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for name in args.only or list(BENCHES):
                print(f"… {name}", file=sys.stderr, flush=True)
                try:
                    BENCHES[name](browser, Path(tmp) / name, plan, report)
                except Exception as exc:  # one failing benchmark must not lose the others
                    first = str(exc).splitlines()[0] if str(exc) else ""
                    failure = f"failed: {type(exc).__name__}: {first}"
                    report.rows.append(Row(f"benchmark `{name}`", failure, "", "", ""))
                    failed = True
                # Written after each benchmark: a long run interrupted keeps what it measured.
                text = markdown(report, args.quick, time.monotonic() - start, measured)
                RESULTS.write_text(text, encoding="utf-8")
        finally:
            browser.close()
    print(text)
    return 1 if failed else 0


# -- 6. commands per second with many writers ----------------------------------------------


def bench_commands(browser: Browser, work: Path, plan: Plan, report: Report) -> None:
    many, one = [], []
    for _ in range(plan.command_runs):  # alternating, so both see the same machine
        one.append(commands_per_second(work, 1, plan.commands))
        many.append(commands_per_second(work, plan.writers, plan.commands))
    rate, base = statistics.median(many), statistics.median(one)
    report.rows.append(
        Row(
            f"commands applied by the SQLite store, {plan.writers} writer processes on one "
            f"session ({plan.commands} each: +1 min and a note, alternating), median of "
            f"{plan.command_runs}",
            f"{rate:.0f} commands/s",
            f"1 writer: {base:.0f} commands/s",
            f"{rate / base:.2f}",
            "(report)",
        )
    )


# -- 7. exporting a session's record ---------------------------------------------------------


def bench_export(browser: Browser, work: Path, plan: Plan, report: Report) -> None:
    times = export_times(work, plan.export_runs)
    base = times["record"]
    for fmt, name in (("md", "Markdown"), ("html", "HTML"), ("pdf", "PDF")):
        report.rows.append(
            Row(
                f"export a classic session's record with {CONTRIBUTIONS} contributions as "
                f"{name}, median of {plan.export_runs}: in a running kernel (the console's "
                "button) / as a whole `codev export` command",
                f"{ms(times[fmt])} / {ms(times['cli-' + fmt])}",
                f"record built from the store alone: {ms(base)}",
                f"{times[fmt] / base:.0f}",
                "PDF command < 5 s" if fmt == "pdf" else "(report)",
            )
        )


# -- 8. an idle room, beating --------------------------------------------------------------


def idle_room(browser: Browser, work: Path, plan: Plan, pages: int) -> tuple[Spent, int]:
    """CPU by group over ``plan.idle_window`` with ``pages`` participant pages, the console
    (session started) and the projector open; and how many revisions the store moved."""
    store = work / f"idle-{pages}.db"
    secrets, _ = new_session(store)
    server = Voila(work / f"idle-{pages}", store, pool=0)
    try:
        url = server.url(
            "facilitator.ipynb", session=secrets.session_id, key=secrets.facilitator_key
        )
        facilitator, _ = open_page(browser, url, ".codev-timer")
        facilitator.get_by_role("button", name="Start the session").click()
        facilitator.locator(".codev-next-step").wait_for(state="visible")
        joining = {"session": secrets.session_id, "code": secrets.join_code}
        projector, _ = open_page(browser, server.url("projector.ipynb", **joining), ".codev-timer")
        participants = [
            open_page(
                browser,
                server.url("participant.ipynb", **joining, name=f"{ADVISORS[i % 3]} {i}"),
                ".codev-timer",
            )[0]
            for i in range(pages)
        ]
        time.sleep(SETTLE)
        with SessionStore(store) as sessions:
            before = sessions.revision(secrets.session_id)
            meter = CpuMeter(cpu_groups(server, facilitator, participants, projector))
            time.sleep(plan.idle_window)
            spent = meter.read()
            moved = sessions.revision(secrets.session_id) - before
        for page in [facilitator, projector, *participants]:
            close_page(page)
    finally:
        server.stop()
    return spent, moved


def bench_idle(browser: Browser, work: Path, plan: Plan, report: Report) -> None:
    (many, wall), moved = idle_room(browser, work, plan, plan.idle_pages)
    (one, one_wall), _ = idle_room(browser, work, plan, 1)

    def per_second(cpu: dict[str, float], seconds: float) -> float:
        return sum(cpu.values()) / seconds * 1000

    kernels = many["participant kernels"] / wall * 1000
    by_group = ", ".join(f"{name} {used / wall * 1000:.0f}" for name, used in many.items())
    report.rows.append(
        Row(
            f"CPU of an idle room over {plan.idle_window:.0f} s, pages beating every 60 s "
            f"(presence): {plan.idle_pages} participant pages, the console and the projector",
            f"{per_second(many, wall):.0f} ms/s (participant kernels {kernels:.0f} ms/s; "
            f"{by_group}); revisions moved: {moved}",
            f"1 participant page: {per_second(one, one_wall):.0f} ms/s",
            f"{per_second(many, wall) / per_second(one, one_wall):.2f}",
            "(report; before beats: 160 ms/s, participant kernels 57 ms/s)",
        )
    )


# -- 9. capacity: many groups on one server ---------------------------------------------------


def room(
    browser: Browser,
    plan: Plan,
    groups: int,
    page_url: Callable[..., str],
    store: Store,
    kernels: Callable[[], set[int]],
    servers: set[int],
) -> Room:
    """The plan's capacity run of ``groups`` groups on the server(s) behind ``page_url``."""
    return capacity_run(
        browser,
        page_url,
        store,
        groups=groups,
        participants=plan.group_participants,
        in_chromium=plan.group_in_chromium,
        changes=plan.group_changes,
        idle_seconds=plan.group_idle,
        kernels=kernels,
        servers=servers,
    )


def one_server_room(browser: Browser, work: Path, plan: Plan, groups: int) -> Room:
    """``groups`` groups on one ``codev serve``'s Voilà and one SQLite store."""
    server = Voila(work / f"one-{groups}", work / f"one-{groups}.db", pool=0)
    try:
        with SessionStore(work / f"one-{groups}.db") as store:
            return room(
                browser, plan, groups, server.url, store, server.kernels, {server.process.pid}
            )
    finally:
        server.stop()


def two_server_room(browser: Browser, work: Path, plan: Plan, groups: int) -> Room:
    """``groups`` groups on two Voilà servers behind HAProxy (deploy/haproxy.cfg) sharing a
    PostgreSQL database."""
    with Cluster(work / f"two-{groups}") as cluster:
        store = open_store(cluster.store)
        try:
            return room(
                browser, plan, groups, cluster.url, store, cluster.kernels, cluster.server_pids()
            )
        finally:
            store.close()


def bench_capacity(browser: Browser, work: Path, plan: Plan, report: Report) -> None:
    one = one_server_room(browser, work, plan, 1)
    many = one_server_room(browser, work, plan, plan.groups)
    people = f"a console and {plan.group_participants} participants each"
    for q, name in ((0.5, "p50"), (0.95, "p95")):
        (typical, worst), (base, _) = many.kernel_p(q), one.kernel_p(q)
        report.rows.append(
            Row(
                f"{plan.groups} groups on one server ({people}, {many.pages} pages, SQLite): "
                f"step change {name} per group, store write → new title on each headless "
                f"page's websocket, {plan.group_changes} changes per group",
                f"median group {ms(typical)}, worst group {ms(worst)}; missed: {many.missed}",
                f"1 group: {ms(base)}; missed: {one.missed}",
                f"{worst / base:.2f} (worst)",
                "≤ 250 ms (p95)" if q > 0.5 else "(report)",
            )
        )
    if many.page_delays and one.page_delays:
        report.rows.append(
            Row(
                f"… the same, {plan.group_in_chromium} participants of the first group in "
                "Chromium (title drawn), p95",
                ms(quantile(many.page_delays, 0.95)),
                f"1 group: {ms(quantile(one.page_delays, 0.95))}",
                f"{quantile(many.page_delays, 0.95) / quantile(one.page_delays, 0.95):.2f}",
                "(report)",
            )
        )
    report.rows.append(
        Row(
            f"{plan.groups} groups on one server: kernels' memory in total ({many.pages} "
            f"kernels), idle CPU over {plan.group_idle:.0f} s (kernels and Voilà), time to "
            "open every page",
            f"{many.memory_mib / 1024:.2f} GiB; idle {many.idle_ms_per_s:.0f} ms/s; "
            f"opened in {many.opened_in:.0f} s",
            f"1 group: {one.memory_mib:.0f} MiB; idle {one.idle_ms_per_s:.0f} ms/s; "
            f"{one.opened_in:.0f} s",
            f"{many.memory_mib / one.memory_mib:.1f} (memory)",
            "≤ 8 GiB",
        )
    )
    two = two_server_room(browser, work, plan, plan.groups)
    (_, worst), (_, sqlite_worst) = two.kernel_p(0.95), many.kernel_p(0.95)
    (typical, _), (sqlite_typical, _) = two.kernel_p(0.5), many.kernel_p(0.5)
    report.rows.append(
        Row(
            f"{plan.groups} groups on two servers behind HAProxy (deploy/haproxy.cfg) sharing "
            f"PostgreSQL {Cluster.postgres_version()}: step change p50 / p95 per group, as "
            "above",
            f"median group p50 {ms(typical)}, worst group p95 {ms(worst)}; missed: "
            f"{two.missed}; kernels' memory {two.memory_mib / 1024:.2f} GiB; idle "
            f"{two.idle_ms_per_s:.0f} ms/s (kernels and both Voilà)",
            f"one server on SQLite: p50 {ms(sqlite_typical)}, p95 {ms(sqlite_worst)}",
            f"{worst / sqlite_worst:.2f} (p95)",
            "p95 ≤ 1.5 × SQLite on one server",
        )
    )


# -- 10. a PostgreSQL restart ------------------------------------------------------------------

OUTAGES = (3.0, 7.0, 11.0)  # seconds the server is away


def bench_recovery(browser: Browser, work: Path, plan: Plan, report: Report) -> None:
    kit, default = recoveries(plan.recovery_runs, OUTAGES)
    for name, of in (("a command applied", "command"), ("a follower's feed hears it", "feed")):
        ours = statistics.median(getattr(r, of) for r in kit)
        theirs = statistics.median(getattr(r, of) for r in default)
        report.rows.append(
            Row(
                f"PostgreSQL stopped {', '.join(f'{s:.0f}' for s in OUTAGES)} s "
                f"({plan.recovery_runs}× each), a command tried meanwhile: server back → "
                f"{name}, median",
                f"{ours:.2f} s (max {max(getattr(r, of) for r in kit):.2f} s)",
                f"psycopg's default backoff: {theirs:.2f} s",
                f"{ours / theirs:.3f}",
                "(report)",
            )
        )


# -- 11. the door: requests that bring no browser -------------------------------------------


def bench_door(browser: Browser, work: Path, plan: Plan, report: Report) -> None:
    run = door_run(work)
    kernels, connected = run.before.kernels, run.before.connections
    before = f"before: {kernels} kernels (the pool), {connected} connections"
    for what, held in (
        (f"{REQUESTS} requests with a wrong code", run.wrong_code),
        (
            f"{REQUESTS} requests with the right code, no browser (answers: "
            + ", ".join(f"{n}× {status}" for status, n in run.answers.items())
            + ")",
            run.no_browser,
        ),
    ):
        report.rows.append(
            Row(
                f"kernels / PostgreSQL connections held {AFTER:.0f} s after {what}, "
                f"--max-kernels {MAX_KERNELS}",
                f"{held.kernels} / {held.connections}",
                before,
                f"{held.kernels / run.before.kernels:.2f}",
                "none beyond the pool",
            )
        )


# -- 12. one page flooding the room -----------------------------------------------------------


def timed_changes(
    facilitator: Page, followers: list[Page], index: int, steps: int, count: int
) -> tuple[list[float], list[float], int, int]:
    """``count`` step changes, back and forth: (slowest follower's seconds for each change that
    reached every page, the facilitator's own, changes missed, the step index after)."""
    own, everyone, missed, forward = [], [], 0, True
    for _ in range(count):
        forward = (forward or index == 0) and index < steps - 1
        mine, slowest, index = step_change(facilitator, followers, index, forward)
        own.append(mine)
        if slowest is None:
            missed += 1
        else:
            everyone.append(slowest)
        time.sleep(0.5)
    return everyone, own, missed, index


def bench_flood(browser: Browser, work: Path, plan: Plan, report: Report) -> None:
    n = plan.flood_participants
    store = work / "flood.db"
    secrets, steps = new_session(store)
    server = Voila(work / "flood", store, pool=plan.pool)
    try:
        url = server.url(
            "facilitator.ipynb", session=secrets.session_id, key=secrets.facilitator_key
        )
        facilitator, _ = open_page(browser, url, ".codev-timer")
        facilitator.get_by_role("button", name="Start the session").click()
        facilitator.locator(".codev-next-step").wait_for(state="visible")
        facilitator.evaluate(RECORD_TITLES)
        joining = {"session": secrets.session_id, "code": secrets.join_code}
        projector, _ = open_page(browser, server.url("projector.ipynb", **joining), ".codev-timer")
        projector.evaluate(RECORD_TITLES)
        participants = []
        for i in range(n):
            query = {**joining, "name": ADVISORS[i % len(ADVISORS)]}
            page, _ = open_page(browser, server.url("participant.ipynb", **query), ".codev-timer")
            page.evaluate(RECORD_TITLES)
            participants.append(page)
        # The flooding page's link names nobody: it asks "who are you?", as a script would.
        flooder, _ = open_page(browser, server.url("participant.ipynb", **joining), ".codev-who")
        time.sleep(SETTLE)
        groups = {
            "Voilà server": {server.process.pid},
            "flooding page's kernel": {server.kernel_of(flooder)},
            "other kernels": {server.kernel_of(p) for p in [facilitator, projector, *participants]},
        }
        followers = [projector, *participants]
        meter = CpuMeter(groups)
        quiet, _, quiet_missed, index = timed_changes(
            facilitator, followers, 0, steps, plan.flood_changes
        )
        quiet_cpu = meter.read()
        start_flood(flooder)
        time.sleep(SETTLE)  # the flood under way: the page's budgets spent
        meter = CpuMeter(groups)
        flooded, _, flood_missed, index = timed_changes(
            facilitator, followers, index, steps, plan.flood_changes
        )
        flood_cpu = meter.read()
        clicks = stop_flood(flooder)
        with SessionStore(store) as sessions:
            stored = len(sessions.contributions(secrets.session_id, include_hidden=True))
        for page in [facilitator, projector, *participants, flooder]:
            close_page(page)
    finally:
        server.stop()
    q50, q95 = quantile(quiet, 0.5), quantile(quiet, 0.95)
    f50, f95 = quantile(flooded, 0.5), quantile(flooded, 0.95)
    missed = f" ({flood_missed} + {quiet_missed} missed)" if flood_missed or quiet_missed else ""
    report.rows.append(
        Row(
            f"step change → all {n} participant pages and the projector, p50 / p95, while one "
            f"more page floods ({clicks} clicks: sends, hands, name changes; {stored} "
            f"contributions stored){missed}",
            f"{ms(f50)} / {ms(f95)}",
            f"the same {n} pages, no flood: {ms(q50)} / {ms(q95)}",
            f"{f50 / q50:.2f} / {f95 / q95:.2f}",
            "p50 within 1.5×",
        )
    )

    def cpu(spent: Spent) -> str:
        used, wall = spent
        return ", ".join(f"{name} {value / wall * 1000:.0f}" for name, value in used.items())

    report.cpu.append(
        f"| flood, {n} pages | CPU ms per second without the flood: {cpu(quiet_cpu)}; "
        f"with it: {cpu(flood_cpu)} | | | |"
    )


# -- 13. a branded page on a phone ---------------------------------------------------------------

PHONE_WIDTH = 390
BRANDED_RUNBOOK = """\
extends: classic
client: Acme
branding:
  title: "Codéveloppement Acme — Direction des ressources humaines et de la transformation"
  logo: acme.png
"""


def logo_png(width: int = 1200, height: int = 300) -> bytes:
    """A logo as a designer hands it over, far wider than a phone: a colour ramp with a grainy
    band (a photograph's weight: about 220 KB of PNG, under the 512 KiB a logo may be)."""
    # Imported here: only this benchmark draws, and pyplot takes a second to import.
    import io

    import numpy as np
    from matplotlib import pyplot as plt

    ramp = np.tile(np.linspace(0.0, 1.0, width), (height, 1))
    image = np.stack([ramp, np.full((height, width), 0.3), ramp[:, ::-1]], axis=-1)
    band = slice(height // 3, 2 * height // 3)
    grain = np.random.default_rng(22).uniform(-0.02, 0.02, image[band].shape)
    image[band] = np.clip(image[band] + grain, 0.0, 1.0)
    out = io.BytesIO()
    plt.imsave(out, image, format="png")
    return out.getvalue()


def bench_phone(browser: Browser, work: Path, plan: Plan, report: Report) -> None:
    work.mkdir(parents=True, exist_ok=True)
    logo = logo_png()
    (work / "acme.png").write_bytes(logo)
    (work / "acme.yaml").write_text(BRANDED_RUNBOOK, encoding="utf-8")
    store = work / "phone.db"
    roles = Roles("Ana", "Bruno", ADVISORS)
    with SessionStore(store) as sessions:
        branded = sessions.create(Session(load_runbook(work / "acme.yaml"), roles), "acme", "fr")
        plain = sessions.create(Session(load_preset("classic"), roles), "classic", "fr")
    server = Voila(work / "kit", store, pool=plan.pool)  # as `codev serve` runs

    def page(secrets: Secrets) -> Served:
        query = {"session": secrets.session_id, "code": secrets.join_code, "name": "Emma"}
        return server, server.url("participant.ipynb", **query), ".codev-timer"

    try:
        ready = ready_times(browser, page(branded), page(plain), plan.ready_runs, PHONE_WIDTH)
    finally:
        server.stop()
    with_brand, without = statistics.median(ready["kit"]), statistics.median(ready["bare"])
    report.rows.append(
        Row(
            f"participant page ready on a {PHONE_WIDTH} px phone, branded runbook (long title, "
            f"1200×300 logo of {len(logo) // 1000} KB; goto → `.codev-timer` visible), median "
            f"of {plan.ready_runs}, alternating",
            ms(with_brand),
            f"same page, runbook without branding, same server: {ms(without)}",
            f"{with_brand / without:.2f}",
            "≤ 1.1",
        )
    )


# -- 14. a day of many groups: one room link, "next step for all" ----------------------------


def bench_day(browser: Browser, work: Path, plan: Plan, report: Report) -> None:
    work.mkdir(parents=True, exist_ok=True)
    people, groups = plan.day_people, plan.day_groups
    auto, eight, rounds = day_run(work, people, groups, plan.day_rounds)
    room = f"{people} people ({groups} groups of {people // groups}, classic, one SQLite store)"
    if auto.ready and eight.ready:
        (p50, p95, most), (b50, b95, bmost) = spread(auto.ready), spread(eight.ready)
        report.rows.append(
            Row(
                f"A day: {room} open the room's one link at once (headless pages, each picks "
                "its name): first request → each person's group page ready (its step title "
                f"on the websocket); room's pool of {auto.pool}, sized by {auto.why}",
                f"p50 {p50:.1f} s, p95 {p95:.1f} s, max {most:.1f} s; missed: {auto.missed}",
                f"`--pool 8`: p50 {b50:.1f} s, p95 {b95:.1f} s, max {bmost:.1f} s; missed: "
                f"{eight.missed}",
                f"{most / bmost:.2f} (max)",
                "all ready ≤ 10 s (max)",
            )
        )
    else:
        report.rows.append(Row(f"A day: {room} open the room's link", "no page ready", "", "", ""))
    if rounds.everyone:
        p50, p95, most = spread(rounds.everyone)
        by_kind = ", ".join(
            f"{name} p95 {ms(spread(values)[1])}"
            for name, values in (
                ("pages", rounds.participants),
                ("consoles", rounds.consoles),
                ("overview (all tiles)", rounds.overview),
            )
            if values
        )
        report.rows.append(
            Row(
                f'A day: "next step for all" (core.day_overview.next_for_all, every group\'s '
                f"command written in turn; every other round back) → the new title on the "
                f"{people} pages, {groups} consoles and the overview (all {groups} tiles), "
                f"{plan.day_rounds} rounds",
                f"p50 {ms(p50)}, p95 {ms(p95)}, max {ms(most)}; {by_kind}; missed: {rounds.missed}",
                "",
                "",
                "≤ 250 ms (p95)",
            )
        )
    report.rows.append(
        Row(
            f"A day: kernels' memory in total ({rounds.kernels} kernels: the room's pages, "
            "the consoles, the overview and the room's pool refilled)",
            f"{rounds.memory_mib / 1024:.2f} GiB",
            "",
            "",
            "(report)",
        )
    )


BENCHES = {
    "steps": bench_step_changes,
    "bare": bench_bare,
    "burst": bench_burst,
    "culling": bench_culling,
    "commands": bench_commands,
    "export": bench_export,
    "idle": bench_idle,
    "capacity": bench_capacity,
    "recovery": bench_recovery,
    "door": bench_door,
    "flood": bench_flood,
    "phone": bench_phone,
    "day": bench_day,
}

if __name__ == "__main__":
    sys.exit(main())
