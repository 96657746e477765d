"""A real Voilà server started with ``codev serve``'s flags, and its kernels read from /proc."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlencode

from codevwidgets.serve import voila_command

STARTUP_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except urllib.error.HTTPError:
        return True  # any HTTP answer means the server is up
    except OSError:
        return False


class Voila:
    """``voila_command(port, "127.0.0.1")``, optionally on another notebook directory.

    The flags (stripped sources, culling…) stay those of ``codev serve``; only the notebook
    directory is swapped for the bare baseline page.
    """

    def __init__(self, workdir: Path, store: Path, notebook_dir: Path | None = None) -> None:
        self.port = free_port()
        command = voila_command(self.port, "127.0.0.1")
        if notebook_dir is not None:
            command[1] = str(notebook_dir)
        workdir.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "CODEV_STORE": str(store),
            "JUPYTER_RUNTIME_DIR": str(workdir / "runtime"),
            "PYTHONUNBUFFERED": "1",
        }
        self.log = workdir / "voila.log"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                command,
                cwd=command[1],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not _answers(f"http://127.0.0.1:{self.port}/"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"voila did not start:\n{self.log.read_text()[-2000:]}")
            time.sleep(0.2)

    def url(self, notebook: str, **query: str) -> str:
        path = f"http://127.0.0.1:{self.port}/voila/render/{quote(notebook)}"
        return f"{path}?{urlencode(query)}" if query else path

    def kernels(self) -> set[int]:
        """Pids of the live (not zombie) ``ipykernel_launcher`` children of this server."""
        return {
            pid
            for pid, ppid, state, cmdline in _processes()
            if ppid == self.process.pid and state != "Z" and b"ipykernel_launcher" in cmdline
        }

    def stop(self) -> None:
        # Voilà runs in its own process group with its kernels: end the whole group.
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)


def _processes() -> list[tuple[int, int, str, bytes]]:
    """(pid, ppid, state, cmdline) of every process, from /proc (no psutil needed)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:  # gone meanwhile
            continue
        # The command name (in parentheses) may contain spaces: split after its last ")".
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        found.append((int(entry.name), int(ppid), state, cmdline))
    return found


def descendants(root: int) -> set[int]:
    """Every process below ``root`` (children, their children…)."""
    children: dict[int, list[int]] = {}
    for pid, ppid, _, _ in _processes():
        children.setdefault(ppid, []).append(pid)
    found, todo = set(), [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def cpu_seconds(pids: set[int]) -> dict[int, float]:
    """User + system CPU time used so far by each of ``pids`` still running."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return used


def rss_mib(pid: int) -> float:
    """Resident memory of a process (VmRSS), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise ValueError(f"no VmRSS for process {pid}")
