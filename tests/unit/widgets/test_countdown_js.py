"""countdown.js's pure functions, run by Node: what a page shows of the time left.

The browser tests see these on real pages; here each rule is checked on its own, exactly, with
no clock and no server. Without Node (``apt install nodejs``) they skip locally and fail with
``CI=true``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

import codevwidgets.widgets.countdown as countdown_module

SCRIPT = Path(countdown_module.__file__).with_name("countdown.js")


def node_eval(tmp_path: Path, expression: str) -> Any:
    """``expression`` evaluated in Node with countdown.js's exports in scope, as JSON."""
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Node is not installed (CI=true: countdown.js must be tested)")
        pytest.skip("Node is not installed (apt install nodejs)")
    module = tmp_path / "countdown.mjs"  # .mjs: Node reads it as the ES module it is
    module.write_text(SCRIPT.read_text(encoding="utf-8"), encoding="utf-8")
    code = (
        f"import * as c from {json.dumps(module.as_uri())};\n"
        f"console.log(JSON.stringify({expression}));\n"
    )
    done = subprocess.run(
        [node, "--input-type=module", "-e", code], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


STEP_MS = 600_000  # a 10-minute step
START = 1_800_000_000_000


@pytest.mark.parametrize("late_ms", [0, 1, 400, 999, 1000, 2500, 60_000])
def test_a_running_step_never_shows_more_than_the_kernel_counted(
    tmp_path: Path, late_ms: int
) -> None:
    """The page's estimate of the kernel's clock may be late before its first sync (the state
    message's transit): the countdown still shows 10:00 at most, never 10:01."""
    shown = node_eval(
        tmp_path,
        f"(() => {{ const ms = c.remainingShown('running', {START + STEP_MS}, {STEP_MS},"
        f" {START - late_ms}); return [ms, c.clockText(c.wholeSeconds(ms))]; }})()",
    )
    assert shown == [STEP_MS, "10:00"]


def test_a_running_step_counts_down_from_the_deadline(tmp_path: Path) -> None:
    shown = node_eval(
        tmp_path,
        f"[1, 1000, 60_000, {STEP_MS}, {STEP_MS + 83_000}].map((gone) =>"
        f" c.clockText(c.wholeSeconds(c.remainingShown('running', {START + STEP_MS},"
        f" {STEP_MS}, {START} + gone))))",
    )
    assert shown == ["10:00", "9:59", "9:00", "0:00", "+1:23"]


def test_a_page_whose_clock_runs_early_counts_from_the_deadline(tmp_path: Path) -> None:
    """An estimate early by 7 s (a clock that drifted) shows 9:53, the deadline's truth for
    that estimate, not the count the kernel sent."""
    ms = node_eval(
        tmp_path, f"c.remainingShown('running', {START + STEP_MS}, {STEP_MS}, {START + 7000})"
    )
    assert ms == STEP_MS - 7000


@pytest.mark.parametrize("status", ["ready", "paused", "finished"])
def test_a_step_not_running_shows_what_the_kernel_counted(tmp_path: Path, status: str) -> None:
    ms = node_eval(tmp_path, f"c.remainingShown({json.dumps(status)}, null, 421_000, {START})")
    assert ms == 421_000


def test_the_colours_and_the_clock_text(tmp_path: Path) -> None:
    shown = node_eval(
        tmp_path,
        "[[c.level(200_000, 600_000), c.level(120_000, 600_000), c.level(30_000, 600_000),"
        " c.level(0, 600_000)], [c.clockText(605), c.clockText(4205), c.clockText(-83)]]",
    )
    assert shown == [["ok", "amber", "red", "overtime"], ["10:05", "1:10:05", "+1:23"]]


def test_a_call_of_time_is_shown_until_its_end_in_the_kernels_time(tmp_path: Path) -> None:
    until, text = 1_800_000_060_000, "'5 minutes left'"
    shown = node_eval(
        tmp_path,
        f"[c.callShown({text}, {until}, {until - 1}), c.callShown({text}, {until}, {until}),"
        f" c.callShown({text}, null, 0), c.callShown('', {until}, 0)]",
    )
    assert shown == ["5 minutes left", "", "", ""]
