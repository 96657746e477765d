"""A real Voilà server started with ``codev serve``'s flags, and its kernels read from /proc."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page

from codevwidgets.server.serve import VoilaProcess


class Voila(VoilaProcess):
    """``codev serve``'s Voilà (optionally on the bare baseline's notebooks), and its kernels."""

    def kernels(self) -> set[int]:
        """Pids of the live (not zombie) ``ipykernel_launcher`` children of this server."""
        return {
            pid
            for pid, ppid, state, cmdline in _processes()
            if ppid == self.process.pid and state != "Z" and b"ipykernel_launcher" in cmdline
        }

    def kernel_of(self, page: Page) -> int:
        """Pid of the kernel behind a page (Voilà puts its id in the page's config)."""
        kernel_id = page.evaluate(KERNEL_ID)
        connection_file = f"kernel-{kernel_id}.json".encode()
        (pid,) = (
            pid
            for pid, ppid, _, cmdline in _processes()
            if ppid == self.process.pid and connection_file in cmdline
        )
        return pid


KERNEL_ID = "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"


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


def browser_groups(pids: set[int]) -> dict[str, set[int]]:
    """``pids`` (Playwright's driver and Chromium) by kind: pages' renderers, and the rest."""
    kinds: dict[str, set[int]] = {
        "Chromium renderers": set(),
        "Chromium + Playwright, other": set(),
    }
    for pid, _, _, cmdline in _processes():
        if pid in pids:
            kind = "renderers" if b"--type=renderer" in cmdline else "+ Playwright, other"
            kinds[f"Chromium {kind}"].add(pid)
    return kinds


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
