"""Time to export a classic session's record with 60 contributions: md, html and pdf.

Two figures per format, each a median: in a running kernel (record built from the store,
rendered, written: what the console's button costs) and as a whole ``codev export`` command
(a new process: imports included, what a facilitator waits for at the terminal). The
baseline, measured in the same run, is building the record alone from the store.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from codevwidgets.core.roles import Roles
from codevwidgets.core.roster import load_roster
from codevwidgets.core.runbook import load_preset
from codevwidgets.demo import DEMO_ROSTER
from codevwidgets.demo.cycle import hold_session
from codevwidgets.record.export import FORMATS, render, write_private
from codevwidgets.record.model import build_record
from codevwidgets.store.sqlite import SQLiteStore

CONTRIBUTIONS = 60


def held_session(work: Path) -> tuple[Path, str]:
    """A store holding one finished classic session with 60 contributions and evaluations."""
    work.mkdir(parents=True, exist_ok=True)
    path = work / f"export-{time.monotonic_ns()}.db"
    store = SQLiteStore(path)
    try:
        roster = load_roster(DEMO_ROSTER)
        roles = Roles("Ana", "Bruno", tuple(roster.names[2:]))
        sid = hold_session(
            store,
            load_preset("classic").with_language("en"),
            roster,
            roles,
            start=time.time() - 7200,
            contributions=CONTRIBUTIONS,
        )
    finally:
        store.close()
    return path, sid


def export_times(work: Path, runs: int) -> dict[str, float]:
    """Median seconds: ``record`` (baseline), ``md``/``html``/``pdf`` in a kernel, and
    ``cli-md``/``cli-html``/``cli-pdf`` as whole commands."""
    path, sid = held_session(work)
    store = SQLiteStore(path)
    times: dict[str, list[float]] = {}
    try:
        render(build_record(store, sid), "pdf")  # first imports (matplotlib, WeasyPrint) apart
        for _ in range(runs):
            began = time.perf_counter()
            build_record(store, sid)
            times.setdefault("record", []).append(time.perf_counter() - began)
            for fmt in FORMATS:
                began = time.perf_counter()
                write_private(work / f"record.{fmt}", render(build_record(store, sid), fmt))
                times.setdefault(fmt, []).append(time.perf_counter() - began)
    finally:
        store.close()
    codev = [sys.executable, "-m", "codevwidgets.cli", "export", sid, "--store", str(path)]
    for _ in range(runs):
        for fmt in FORMATS:
            began = time.perf_counter()
            subprocess.run(
                [*codev, "--format", fmt, "-o", str(work / f"cli.{fmt}")],
                check=True,
                capture_output=True,
            )
            times.setdefault(f"cli-{fmt}", []).append(time.perf_counter() - began)
    return {name: statistics.median(values) for name, values in times.items()}


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        print(export_times(Path(tmp), 5))
