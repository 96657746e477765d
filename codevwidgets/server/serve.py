"""``codev serve``: Voilà on the kit's notebooks, with settings safe for a room."""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import IO

from codevwidgets.authoring.client_notebook import ClientNotebook, served_pages
from codevwidgets.core import environment
from codevwidgets.core.address import ROOM_COMMAND, loopback_host
from codevwidgets.core.environment import NOTEBOOK_DIR, REFUSED_DIR
from codevwidgets.core.i18n import Translator
from codevwidgets.core.roster import load_roster
from codevwidgets.demo import DEMO_ROSTER
from codevwidgets.server.pool import PERSONAL_PAGE as PERSONAL
from codevwidgets.server.pool import ROOM_PAGE, Pools, auto_pools, expected
from codevwidgets.server.sessions import links, new_session
from codevwidgets.store.location import data_dir, is_url, page_link, store_location
from codevwidgets.store.open import open_store

# Installed wheels carry the notebooks inside the package; a source checkout has them beside it.
_CANDIDATES = (Path(__file__).parents[1] / "notebooks", Path(__file__).parents[2] / "notebooks")
# Voilà's own unload beacon is refused by its server (403: the beacon carries no _xsrf value,
# voila-dashboards/voila#1458), and phones drop pages without one: the culler ends kernels
# idle this long with no page connected. A participant kernel stops
# following the store once its page is gone (pages.PAGE_GONE_AFTER), so it does fall idle.
CULL_IDLE_SECONDS = 60
# Voilà waits this long for a cell's output once the kernel has run it (nbclient's default,
# 4 s, left pages blank when a room of 25 joined at once on 2 cores: see the benchmarks).
IOPUB_TIMEOUT_SECONDS = 60
# Participant kernels kept started, imports done, waiting for a visitor (Voilà's preheated
# pool): a group of up to 8 joins without waiting for kernels to start. Voilà refills the
# pool as they are taken and never culls the kernels waiting in it.
POOL_SIZE = 8
MAX_POOL = 64  # each waiting kernel holds about 65 MiB
POOL_FILLED = "Kernel pool of "  # … participant.ipynb is filled with 8 kernel(s)
AUTO = "auto"  # --pool auto: sized from the days and sessions the store expects
STARTUP_TIMEOUT = 60.0
# Voilà shuts its kernels down on SIGTERM; what is left of its group this long after gets SIGKILL.
STOP_GRACE_SECONDS = 10.0
# SIGHUP too: Voilà runs in a session of its own, so a closed terminal reaches it only through us.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
LOG_NAME = "voila.log"
# The address people in the room use, when it is not this server's own (a load balancer's).
PUBLIC_URL = environment.PUBLIC_URL


def notebooks_dir() -> Path:
    """The folder of the notebooks Voilà serves (``FileNotFoundError`` if neither has them)."""
    for path in _CANDIDATES:
        if (path / "facilitator.ipynb").is_file():
            return path
    where = " nor ".join(str(path) for path in _CANDIDATES)
    raise FileNotFoundError(f"the kit's notebooks are in neither {where}: reinstall codevwidgets")


# Kernels talk to Voilà over Unix sockets, not TCP: jupyter_client picks a kernel's five TCP
# ports by binding and releasing them, and the kernel binds them seconds later, after its
# imports; meanwhile another starting kernel's own random-port socket may take one
# (`ZMQError: Address already in use` when a room joins at once). Socket files are named
# after each kernel's id: no race. (Windows has no Unix sockets: TCP there.)
IPC_TRANSPORT = ("--KernelManager.transport=ipc",) if os.name == "posix" else ()
# Nothing leaves the machine: Voilà's own templates link Font Awesome from a CDN (requests
# that stall or fail in a room without internet); the kit's template asks only the server
# (Font Awesome is among Voilà's static files). Voilà finds templates only on Jupyter's data
# path: the Voilà config file in VOILA_CONFIG_DIR puts KIT_DATA_DIR on it, in Voilà's process.
KIT_DATA_DIR = Path(__file__).parent / "jupyter"
VOILA_CONFIG_DIR = KIT_DATA_DIR / "config"
TEMPLATE = "codev"


# Each kernel holds about 65 MiB (more once a session has run a while): a budget of 100 MiB
# each, keeping 1 GiB for the system and Voilà, tells how many kernels the machine holds.
KERNEL_BUDGET_MIB = 100
MAX_KERNELS = 10_000


def default_max_kernels(pool: int = POOL_SIZE) -> int:
    """Kernels this machine holds (its memory, 100 MiB each, 1 GiB kept), and more than the pool."""
    try:
        total_mib = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2**20
    except (AttributeError, ValueError, OSError):  # no sysconf (Windows): a modest machine
        total_mib = 4096
    return max(pool + 4, (total_mib - 1024) // KERNEL_BUDGET_MIB)


# Voilà's own server with the kit's health endpoint (codevwidgets/voila_app.py), in this
# Python; the folder of pages comes next on the command line.
VOILA_APP = (sys.executable, "-m", "codevwidgets.server.voila_app")
PAGES_ARG = len(VOILA_APP)


def voila_command(
    port: int,
    ip: str,
    pool: int = POOL_SIZE,
    max_kernels: int = 0,
    *,
    pages: Path | None = None,
    facilitator: str | None = None,
    room_pool: int = 0,
) -> list[str]:
    """Voilà's command line, on the kit's notebooks or on the folder ``pages`` (the kit's and
    a client's notebook, ``facilitator``: a page opened now and then, never preheated).

    ``pool`` kernels wait for the participants' page; ``room_pool`` for a day's room page
    (``join.ipynb``), which without one is not preheated (``codev serve --pool auto`` sizes
    it from the days in the store)."""
    from jupyter_core.paths import jupyter_config_path

    # Voilà's own config folders still count (where it runs, then Jupyter's), the kit's last.
    config_dirs = [".", *jupyter_config_path(), str(VOILA_CONFIG_DIR)]
    # Only participant pages come in numbers; a facilitator, projector or cycle kernel starts
    # when one is opened (a repeated option adds to Voilà's list). Voilà keeps a pool of
    # `pool` kernels for each notebook not listed: a pooled projector would double the
    # kernels waiting, for one page per session. Voilà looks for a pattern anywhere in a
    # notebook's whole path: "/NAME.ipynb" is that file alone, whatever folder holds the kit
    # (a plain "facilitator" would also match a checkout in ~/facilitator-tools/ and turn
    # the participants' pool off).
    # A day's overview is one page per day, like a console. A day's room page (join.ipynb)
    # waits in a pool of its own only when days are expected: else every server would keep a
    # second pool, as large as the participants', for rooms that never come.
    unheated = ["facilitator.ipynb", "projector.ipynb", "cycle.ipynb", "customise.ipynb"]
    unheated += ["day.ipynb", *([] if room_pool else [ROOM_PAGE])]
    # Voilà's pools per notebook ("default": each one not named), read as JSON from here.
    sizes = {"default": {"pool_size": pool}, ROOM_PAGE: {"pool_size": room_pool}}
    preheat = [
        "--preheat_kernel=True",
        f"--pool_size={pool}",
        *[f"--VoilaKernelManager.preheat_denylist=/{name}" for name in unheated],
        *([f"--VoilaKernelManager.preheat_denylist=/{facilitator}"] if facilitator else []),
        *([f"--VoilaKernelManager.kernel_pools_config={json.dumps(sizes)}"] if room_pool else []),
    ]
    return [
        *VOILA_APP,
        str(pages or notebooks_dir()),
        "--no-browser",
        f"--port={port}",
        f"--Voila.ip={ip}",
        "--Voila.port_retries=0",
        # Participants must never see code or a traceback.
        "--VoilaConfiguration.strip_sources=True",
        "--VoilaConfiguration.show_tracebacks=False",
        f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_SECONDS}",
        # Every 2 s: a kernel whose page never said hello (curl) ends within seconds of its
        # grace (server.kernels), and a pool a full server left empty is refilled as soon as
        # room returns.
        "--MappingKernelManager.cull_interval=2",
        "--MappingKernelManager.cull_connected=False",
        f"--VoilaExecutor.iopub_timeout={IOPUB_TIMEOUT_SECONDS}",
        # A kernel handed to a page is not culled before the page connects (codevwidgets/
        # kernels.py): a room joining at once left pages showing widget reprs without it.
        "--VoilaConfiguration.multi_kernel_manager_class=codevwidgets.server.kernels.RoomKernelManager",
        *IPC_TRANSPORT,
        f"--VoilaConfiguration.template={TEMPLATE}",
        # Nor may a page's URL (?template=…) or notebook pick one of Voilà's, which use CDNs.
        "--VoilaConfiguration.allow_template_override=NO",
        *(f"--Voila.config_file_paths={folder}" for folder in config_dirs),
        *(preheat if pool > 0 or room_pool > 0 else []),
        # Beyond this many kernels a visitor is told the server is full (kernels.ServerFull).
        *([f"--RoomKernelManager.max_kernels={max_kernels}"] if max_kernels else []),
    ]


def local_address(ip: str) -> str:
    """Where this machine reaches a Voilà listening on ``ip``."""
    return "127.0.0.1" if ip in {"0.0.0.0", "::"} else ip  # noqa: S104 — comparing


def voila_environment(store: Path | str, ip: str = "127.0.0.1", **extra: str) -> dict[str, str]:
    """The environment Voilà runs in: the store its kernels share (a file, or a database's
    URL), and ``extra``."""
    # A preheated kernel asks Voilà for its visitor's request at this address (Voilà's
    # default, 127.0.0.1, is not listening when --ip names one interface).
    local = local_address(ip)
    # Where a page's kernel leaves a mark when its visitor had no valid secret, so that the
    # kernel manager ends it (codevwidgets.server.kernels): beside the store file (else in the
    # user's data directory), its owner's only.
    where = store if isinstance(store, str) and is_url(store) else Path(store).resolve()
    refused = (where.parent if isinstance(where, Path) else data_dir()) / "refused"
    refused.mkdir(mode=0o700, parents=True, exist_ok=True)
    # The runbook editor writes files: never opened up to a room's visitors (editor_page).
    inherited = {k: v for k, v in os.environ.items() if k != environment.EDITOR}
    return {
        **inherited,
        environment.STORE: str(where),
        "VOILA_APP_IP": local,
        REFUSED_DIR: str(refused),
        **extra,
    }


def port_in_use(ip: str, port: int) -> str | None:
    """Why Voilà could not listen on ``ip``:``port`` now (None: it can), e.g. a server left over."""
    family = socket.AF_INET6 if ":" in ip else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Voilà's server does
        try:
            sock.bind((ip, port))
        except OSError as exc:
            return exc.strerror or str(exc)
    return None


def port_holder(port: int) -> str | None:
    """Who listens on ``port``, said for a person, with how to end it when it is a Voilà left
    running by a ``codev serve`` (None when no process of this user is found)."""
    import psutil

    try:
        found = [
            c.pid
            for c in psutil.net_connections("tcp")
            if c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port and c.pid
        ]
        if not found:
            return None
        process = psutil.Process(found[0])
        command = " ".join(process.cmdline())
    except (psutil.Error, OSError):
        return None  # another user's process: the system does not say whose
    pid = process.pid
    if "codevwidgets.server.voila_app" in command or "codevwidgets.cli serve" in command:
        return f"process {pid} holds it, a codev serve's Voilà left running: end it with kill {pid}"
    return f"process {pid} ({process.name()}) holds it"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def answers(url: str) -> bool:
    """Whether a server answers at ``url``, whatever the HTTP status."""
    try:
        with urllib.request.urlopen(url, timeout=1):  # noqa: S310 — our own local server
            return True
    except urllib.error.HTTPError:
        return True  # any HTTP answer means the server is up
    except OSError:
        return False


def start_voila(
    command: Sequence[str],
    env: Mapping[str, str],
    output: IO[bytes] | None,
    cwd: str | None = None,
) -> subprocess.Popen[bytes]:
    """Voilà in a process group of its own, which its kernels join: ``stop_voila`` ends all.

    Its stdout and stderr go to ``output``, or with ``None`` to this process's own. On Linux
    Voilà gets SIGTERM when this process ends, however it ends (``kill -9`` included): it
    then shuts its kernels down as on any stop.
    """
    return subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdout=output,
        stderr=None if output is None else subprocess.STDOUT,
        start_new_session=True,
        # Two system calls between fork and exec, no lock taken: safe even with threads.
        preexec_fn=die_with_parent(),
    )


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent(signum: int = signal.SIGTERM) -> Callable[[], None] | None:
    """What a child runs before its command so that ``signum`` reaches it when this process
    ends (None where Linux's ``prctl`` is missing).

    A session of its own keeps Voilà from a Ctrl+C meant for ``codev serve`` alone, and so
    from the terminal's hang-up: without this, a ``kill -9`` of ``codev serve`` (the one
    signal it cannot catch, sent by an OOM killer or an impatient operator) left Voilà and
    its kernels serving, holding the port. Linux sends it when the *thread* that started
    the child ends: start Voilà from a thread that lives as long as it should (the main one).
    """
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def child() -> None:
        prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0)
        if os.getppid() != parent:  # the parent ended before the death signal was set
            os.kill(os.getpid(), signum)

    return child


def stop_voila(process: subprocess.Popen[bytes], grace: float = STOP_GRACE_SECONDS) -> None:
    """End a ``start_voila`` process, its process group and every kernel it started.

    SIGTERM to Voilà's group: Voilà shuts its kernels down, and a kernel whose Voilà is gone
    ends by itself (ipykernel watches its parent). Whatever is left after ``grace`` seconds
    gets SIGKILL.
    """
    # jupyter_client starts each kernel in a session of its own (so that interrupting a
    # kernel reaches its subprocesses): Voilà's group does not hold them, its tree does.
    kernels = _descendants(process.pid)
    _signal_group(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        process.poll()  # reaps Voilà: unreaped, it would still count as one of its group
        if not _signal_group(process.pid, 0) and not any(map(_running, kernels)):
            break
        time.sleep(0.1)
    else:
        _signal_group(process.pid, signal.SIGKILL)
        for kernel in filter(_running, kernels):
            os.kill(kernel[0], signal.SIGKILL)
    process.wait()


def _signal_group(group: int, signum: int) -> bool:
    """Send ``signum`` to every process of ``group``; False when none is left."""
    try:
        os.killpg(group, signum)
    except ProcessLookupError:
        return False
    return True


_Process = tuple[int, int]  # pid, start time: a pid alone may be reused once it has ended


def _descendants(root: int) -> set[_Process]:
    """Every process below ``root`` (from /proc: none found where there is no /proc)."""
    children: dict[int, list[_Process]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        if (fields := _stat(int(entry.name))) is not None:
            children.setdefault(int(fields[1]), []).append((int(entry.name), int(fields[19])))
    found: set[_Process] = set()
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child[0])
    return found


def _running(process: _Process) -> bool:
    fields = _stat(process[0])
    return fields is not None and int(fields[19]) == process[1] and fields[0] != "Z"


def _stat(pid: int) -> list[str] | None:
    """/proc/PID/stat from its third field on (state, ppid, …), or None once it has ended."""
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    # The command name (in parentheses) may contain spaces: split after its last ")".
    return stat_line.rsplit(")", 1)[1].split()


class VoilaProcess:
    """``codev serve``'s Voilà, in the background on a free port of 127.0.0.1.

    For the browser tests and the benchmarks: same flags as ``codev serve``, optionally on
    another notebook directory, with no preheated kernel unless ``pool`` says how many;
    ``url()`` gives a page; ``stop()`` ends Voilà and its kernels.
    Raises ``RuntimeError`` (with the end of Voilà's log) if it does not start.
    """

    def __init__(
        self,
        workdir: Path,
        store: Path | str,
        notebook_dir: Path | None = None,
        env: Mapping[str, str] | None = None,
        args: Sequence[str] = (),
        pool: int = 0,
    ) -> None:
        self.port = free_port()
        command = [*voila_command(self.port, "127.0.0.1", pool), *args]
        if notebook_dir is not None:
            command[PAGES_ARG] = str(notebook_dir)
        workdir.mkdir(parents=True, exist_ok=True)
        self.env = voila_environment(
            store,
            JUPYTER_RUNTIME_DIR=str(workdir / "runtime"),  # never the user's own
            PYTHONUNBUFFERED="1",
            **(env or {}),
        )
        self.log = workdir / "voila.log"
        with self.log.open("wb") as out:
            self.process = start_voila(command, self.env, out, cwd=command[PAGES_ARG])
        deadline = time.monotonic() + STARTUP_TIMEOUT
        # Ready when it answers and, with a pool, when the pool is full (Voilà logs it).
        while not answers(self.base_url + "/") or (pool and POOL_FILLED not in self.log_text()):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"voila did not start:\n{self.log_tail()}")
            time.sleep(0.2)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, notebook: str, **query: str) -> str:
        return page_link(self.base_url, notebook, query)

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def stop(self) -> None:
        stop_voila(self.process)


def public_host(ip: str) -> str:
    """The address to print for a server listening on ``ip``: for every interface (0.0.0.0,
    ``::``) the machine's address on the room's network, never 0.0.0.0 (no phone reaches it).

    That is the address of the interface the machine's traffic leaves by: a UDP socket
    "connected" to a TEST-NET address (no packet is sent) says which. Without a route out,
    the host name's address; else 127.0.0.1, which the console and ``codev serve`` then say
    phones cannot reach.
    """
    if ip not in {"0.0.0.0", "::"}:  # noqa: S104 — comparing, not binding
        return ip
    found = ""
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 80))
        found = str(probe.getsockname()[0])
    if not found or ipaddress.ip_address(found).is_unspecified:
        with contextlib.suppress(OSError):  # socket.gaierror included
            found = socket.gethostbyname(socket.gethostname())
    if not found or ipaddress.ip_address(found).is_unspecified:
        return "127.0.0.1"
    return found


def url_host(host: str) -> str:
    """``host`` as a URL writes it: an IPv6 address in brackets."""
    return f"[{host}]" if ":" in host else host


def serve(
    runbook: str,
    store_path: Path | str | None,
    port: int,
    ip: str,
    *,
    demo: bool = False,
    roster: Path | None = None,
    pool: int | str = POOL_SIZE,
    max_kernels: int = 0,
    log: Path | None = None,
    verbose: bool = False,
    notebook: ClientNotebook | None = None,
    no_session: bool = False,
) -> int:
    """Create a session, print its two links, then run Voilà until SIGTERM, SIGINT or SIGHUP.

    Voilà's output goes to ``log`` (default: ``voila.log`` beside the store), or to the
    terminal when ``verbose``. Returns 0 once stopped by a signal, non-zero if Voilà ends
    by itself. With a client ``notebook``, its runbook and roster (unless ``roster``) make
    the session, and the facilitator's page is that notebook. ``no_session``: creates none and
    prints no links; the server serves the pages of the sessions already in the store (made
    by ``codev sessions new``, or by an earlier run). ``pool``: a number of kernels kept ready
    for the participants' page, or ``"auto"``: pools for the participants' and the room's
    pages sized from the days and sessions in the store (``server.pool``), within
    ``max_kernels``, said in one line.
    """
    if notebook is not None:
        runbook, roster = notebook.runbook, roster or notebook.roster
    roster_path = roster or (DEMO_ROSTER if demo else None)
    # A bad runbook or roster fails here, with its located lines, before anything is stored.
    if no_session and roster_path:  # the server's group, for sessions stored without one
        load_roster(roster_path)
    with open_store(store_path) as store:
        secrets = (
            None if no_session else new_session(store, runbook, roster_path, planned_roles=demo)
        )
        location = store.location
        # After the session just created: it is expected too.
        pools = auto_pools(expected(store, time.time()), max_kernels) if pool == AUTO else None
    base = f"http://{url_host(public_host(ip))}:{port}"
    # Behind a load balancer (deploy/haproxy.cfg) the room's address is the balancer's: the
    # operator gives it in CODEV_PUBLIC_URL, and the consoles' join links and QR codes use it.
    public = os.environ.get(PUBLIC_URL, "").strip().rstrip("/") or base
    # The kernels open it again from CODEV_STORE (a URL's password goes to them, never out).
    env = voila_environment(location, ip, CODEV_PUBLIC_URL=public)
    if roster_path:  # the group of sessions created later without one (codev sessions new)
        env[environment.ROSTER] = str(roster_path.resolve())
    facilitator, client = "facilitator.ipynb", None
    pages = None
    if notebook is not None:
        # Served from a private copy beside the kit's notebooks, never from its own folder
        # (other clients' files); its console's kernel works in that folder (NOTEBOOK_DIR).
        pages = served_pages(notebook, notebooks_dir())
        facilitator = client = notebook.served_name
        env[NOTEBOOK_DIR] = str(notebook.path.parent)
        env[environment.CONSOLE_NOTEBOOK] = client  # the server's door asks its key
    try:
        sizes = (pools.personal, pools.room) if pools is not None else (int(pool), 0)
        command = voila_command(
            port, ip, sizes[0], max_kernels, pages=pages, facilitator=client, room_pool=sizes[1]
        )  # before the links: a broken install prints none
        log_path = None if verbose else log or default_log_path(store_path)
        try:
            output = None if log_path is None else open_log(log_path)
        except OSError as exc:
            print(f"codev: --log {log_path}: {exc.strerror}", file=sys.stderr)
            return 2
        local = local_address(ip)
        local_url = f"http://{url_host(local)}:{port}/"
        # From the links on, a stop signal ends `codev serve` with status 0, Voilà with it.
        with StopSignals() as stop, output if output is not None else contextlib.nullcontext():
            if secrets is not None:
                print(links(public, secrets, facilitator).lines(), flush=True)
            if pools is not None:
                print(pool_line(pools), flush=True)
            if (host := loopback_host(public)) is not None:  # `make run`: this machine alone
                hint = Translator("en")("live.loopback", host=host, command=ROOM_COMMAND)
                print(hint, flush=True)
            return run_voila(command, env, output, base, local_url, log_path, stop)
    finally:
        if pages is not None:
            shutil.rmtree(pages, ignore_errors=True)


def pool_line(pools: Pools) -> str:
    """What ``codev serve --pool auto`` says of the kernels it keeps ready, and why."""
    where = f"{pools.personal} for {PERSONAL}"
    if pools.room:
        where += f", {pools.room} for {ROOM_PAGE}"
    return f"Pool: {pools.total} kernel(s) ({where}; auto: {pools.why})"


def default_log_path(store_path: Path | str | None) -> Path:
    """``voila.log`` in the store file's folder; for a database, in the user's data directory."""
    where = store_location(store_path)
    if isinstance(where, Path):
        return where.parent / LOG_NAME
    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder / LOG_NAME


def open_log(path: Path) -> IO[bytes]:
    """``path`` opened for appending, readable by its owner only.

    Appending keeps the log of a run that failed when a service manager restarts the server.
    Owner only: Voilà logs refused requests with their query, which can hold a page's key.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    if stat.S_ISREG(os.fstat(fd).st_mode):  # not /dev/stdout or a pipe
        os.fchmod(fd, 0o600)  # an older log may have been readable by others
    return os.fdopen(fd, "ab")


class StopSignals:
    """While in use, SIGTERM, SIGINT and SIGHUP are noted in ``signal`` rather than fatal.

    So that ``run_voila`` ends Voilà and its kernels before this process ends.
    """

    def __init__(self) -> None:
        self.signal: int | None = None
        self._previous = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}

    def __enter__(self) -> StopSignals:
        for signum in STOP_SIGNALS:
            signal.signal(signum, self._note)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    def _note(self, signum: int, frame: FrameType | None) -> None:
        self.signal = self.signal or signum


def run_voila(
    command: Sequence[str],
    env: Mapping[str, str],
    output: IO[bytes] | None,
    public_url: str,
    local_url: str,
    log_path: Path | None,
    stop: StopSignals,
) -> int:
    """Run Voilà until ``stop`` notes a signal (returns 0) or until Voilà ends by itself
    (non-zero), then end Voilà and every kernel.

    Prints one status line once Voilà answers at ``local_url``, or one line on stderr if it
    ends by itself.
    """
    if stop.signal is not None:
        return 0
    where = f"its log, {log_path}" if log_path is not None else "its log above"
    process = start_voila(command, env, output)
    try:
        answered = False
        while stop.signal is None:
            code = process.poll()
            if code is not None:
                when = "while serving" if answered else "before answering"
                print(
                    f"codev: Voilà stopped {when} (exit status {code}): see {where}",
                    file=sys.stderr,
                    flush=True,
                )
                return code if code > 0 else 1
            if not answered and answers(local_url):
                answered = True
                logged = f" — Voilà's log: {log_path}" if log_path is not None else ""
                print(f"Serving on {public_url}{logged} — Ctrl+C to stop", flush=True)
            time.sleep(0.2)
        return 0
    finally:
        stop_voila(process)
