"""Commands per second the SQLite store applies, with one or many writer processes.

In a module of its own: the writers are started with ``spawn``, which imports their function
by module name (``python -m benchmarks`` runs ``__main__``, which a child cannot import).
"""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

from codevwidgets.core.commands import Command
from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.store.sqlite import SQLiteStore

ADVISORS = ("Chloé", "David", "Emma")


def _write_commands(path: str, writer: int, count: int, start: object, out: object) -> None:
    """One writer process (a console's kernel): ``count`` commands, as fast as it can."""
    store = SQLiteStore(Path(path))
    commands = [
        Command("extend", {"minutes": 1}),
        Command("set_note", {"step": "presentation", "field": "topic", "text": f"w{writer}"}),
    ]
    start.wait(timeout=120)  # type: ignore[attr-defined]
    began = time.perf_counter()
    for i in range(count):
        store.execute("bench", commands[i % 2])
    out.put((began, time.perf_counter()))  # type: ignore[attr-defined]


def commands_per_second(work: Path, writers: int, count: int) -> float:
    """Commands applied per second by ``writers`` processes on one session of one store."""
    work.mkdir(parents=True, exist_ok=True)
    path = work / f"commands-{writers}-{time.monotonic_ns()}.db"
    book = load_preset("classic")
    with SQLiteStore(path) as store:
        store.create(
            Session(book, Roles("Ana", "Bruno", ADVISORS), session_id="bench"), "classic", "en"
        )
        store.execute("bench", Command("start"))
    context = multiprocessing.get_context("spawn")
    start, out = context.Barrier(writers), context.Queue()
    processes = [
        context.Process(target=_write_commands, args=(str(path), n, count, start, out))
        for n in range(writers)
    ]
    for process in processes:
        process.start()
    spans = [out.get(timeout=600) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    with SQLiteStore(path) as store:
        applied = store.revision("bench") - 2  # created (1), started (2)
    if applied != writers * count:
        raise RuntimeError(f"{applied} commands applied of {writers * count} sent")
    return applied / (max(end for _, end in spans) - min(began for began, _ in spans))
