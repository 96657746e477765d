"""An installed kit works: the built wheel, alone in a fresh venv, serves both pages.

Slow for a unit test (about 30 s: a wheel build, a venv, Voilà rendering two pages), and
the only one that sees the kit as users get it rather than as the source checkout.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import sysconfig
import threading
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from codevwidgets.server.serve import free_port

ROOT = Path(__file__).resolve().parents[2]
STARTED = 90.0  # a cold Voilà in a fresh venv (nothing compiled yet) on a busy 2-core machine
OUTPUT = re.compile(
    r'<script type="application/vnd\.voila\.cell-output\+json">\s*(.*?)\s*</script>', re.S
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    # pip builds it as any installer would (hatchling in an isolated build environment).
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
        check=True,
        timeout=300,
    )
    (built,) = dist.glob("codevwidgets-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding the wheel; the dependencies are this venv's, seen through a .pth."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "-q", wheel],
        check=True,
        timeout=300,
    )
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # Added as a plain path, so this venv's own .pth files (the editable install of the
    # checkout among them) are not run: codevwidgets can come only from the wheel.
    Path(site, "_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    # What installing the dependencies would have put in the venv: Voilà's command and the
    # Jupyter data files (Voilà's and nbconvert's templates, the widgets' front end).
    voila = venv / "bin" / "voila"
    voila.write_text(f"#!{python}\nimport sys\nfrom voila.app import main\nsys.exit(main())\n")
    voila.chmod(0o755)
    (venv / "share").mkdir()
    (venv / "share" / "jupyter").symlink_to(Path(sys.prefix, "share", "jupyter"))
    return venv


@pytest.fixture
def environment(venv: Path, tmp_path: Path) -> dict[str, str]:
    """The fresh venv's commands and nothing of this checkout: no PYTHONPATH, no .venv/bin."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"PYTHONPATH", "VIRTUAL_ENV", "CODEV_STORE", "CODEV_ROSTER"}
    }
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}/usr/bin{os.pathsep}/bin"
    env["JUPYTER_RUNTIME_DIR"] = str(tmp_path / "runtime")  # never the user's own
    return env


def test_the_wheel_carries_the_notebooks_and_every_file_of_the_package(wheel: Path) -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "codevwidgets", "notebooks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    wanted = {
        name if name.startswith("codevwidgets/") else f"codevwidgets/{name}" for name in tracked
    }
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert {
        "codevwidgets/notebooks/facilitator.ipynb",
        "codevwidgets/notebooks/participant.ipynb",
        "codevwidgets/notebooks/projector.ipynb",
        "codevwidgets/store/migrations/postgres/001_schema.sql",  # PostgresStore's schema
    } <= names
    assert wanted - names == set()
    assert not [name for name in names if ".ipynb_checkpoints" in name or "__pycache__" in name]


def test_the_installed_kit_serves_both_pages(
    venv: Path, environment: dict[str, str], tmp_path: Path
) -> None:
    work = tmp_path / "elsewhere"  # not the checkout: nothing found by accident
    work.mkdir()
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import codevwidgets; print(codevwidgets.__file__)"],
        cwd=work,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(venv), where

    port = free_port()
    process = subprocess.Popen(
        [
            *(venv / "bin" / "codev", "serve", "--demo", "--pool", "0", "--port", str(port)),
            *("--store", work / "s.db"),
        ],
        cwd=work,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = list(_lines_until(process, "Serving on "))
        facilitator = _link(lines, "Facilitator")
        participants = _link(lines, "Participants")
        session = parse_qs(urlsplit(facilitator).query)["session"][0]
        assert _shown(facilitator) == f"FacilitatorConsole(session={session!r})"
        # The page first asks who (the demo group's names) before the participant's view.
        assert _shown(participants).startswith(f"ParticipantPage(session={session!r}")
        below = _below(process.pid)
        # Voilà's server with the kit's health endpoint, in the venv's Python.
        (voila,) = (c for c in below.values() if c[1:3] == ["-m", "codevwidgets.server.voila_app"])
        assert voila[0] == str(venv / "bin" / "python")
        assert voila[3] == str(Path(where).parent / "notebooks")  # the wheel's own
        kernels = {pid for pid, cmdline in below.items() if "ipykernel_launcher" in cmdline}
        assert kernels, "no kernel served the pages"
        assert {below[pid][0] for pid in kernels} == {str(venv / "bin" / "python")}
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
    assert code == 0
    assert not [pid for pid in kernels if Path(f"/proc/{pid}").exists()]


def _lines_until(process: subprocess.Popen[str], prefix: str) -> Iterator[str]:
    """The output lines of ``process`` up to the first one starting with ``prefix``.

    Fails, with the output, if the process ends first; ``STARTED`` bounds the wait.
    """
    assert process.stdout is not None
    timer = threading.Timer(STARTED, process.kill)
    timer.start()
    seen = []
    try:
        for line in process.stdout:
            seen.append(line.rstrip("\n"))
            yield seen[-1]
            if line.startswith(prefix):
                return
    finally:
        timer.cancel()
    raise AssertionError(f"no {prefix!r} line; output:\n" + "\n".join(seen))


def _link(lines: list[str], role: str) -> str:
    (line,) = (line for line in lines if line.startswith(f"{role}: "))
    return line.split(" ", 1)[1]


def _shown(url: str) -> str:
    """What the page's one result is (its plain-text form), with no error among its outputs.

    Voilà runs the notebook before it answers, and puts each cell's output in the page.
    """
    with urllib.request.urlopen(url, timeout=STARTED) as response:
        html = response.read().decode("utf-8")
    outputs: list[dict[str, Any]] = [json.loads(found) for found in OUTPUT.findall(html)]
    assert outputs, html[-2000:]
    assert [o for o in outputs if o.get("output_type") == "error"] == []
    assert "There was an error when executing cell" not in html
    (result,) = (o for o in outputs if o.get("output_type") == "execute_result")
    assert "application/vnd.jupyter.widget-view+json" in result["data"]
    return str(result["data"]["text/plain"])


def _below(root: int) -> dict[int, list[str]]:
    """pid -> command line of every process below ``root``, from /proc."""
    parents: dict[int, int] = {}
    commands: dict[int, list[str]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat_line = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().decode().split("\0")[:-1]
        except OSError:
            continue
        parents[int(entry.name)] = int(stat_line.rsplit(")", 1)[1].split()[1])
        commands[int(entry.name)] = cmdline
    below, todo = set(), [root]
    while todo:
        parent = todo.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        below.update(children)
        todo.extend(children)
    return {pid: commands[pid] for pid in below}
