"""Kernel hygiene for the pages: errors to the server's log, never to the page; whether Voilà
serves this kernel; the heap given back once a page is built; a client notebook's folder."""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import sys
from collections.abc import Mapping

from codevwidgets.core.environment import NOTEBOOK_DIR


def keep_errors_on_the_server() -> None:
    """Errors of this kernel go to the server's log, never to the page.

    A crafted widget message from a page makes ipykernel log a traceback; with no handler,
    Python's last-resort handler writes it to ``sys.stderr``, which a kernel sends to the
    page — server paths and all. Send those loggers to the process's own stderr instead
    (Voilà's log), once.
    """
    handler = logging.StreamHandler(sys.__stderr__)
    handler.set_name("codev-server-log")
    handler.setFormatter(logging.Formatter("[codev kernel] %(levelname)s %(name)s: %(message)s"))
    for name in ("ipykernel", "Comm", "comm", "traitlets", "codevwidgets"):
        logger = logging.getLogger(name)
        if not any(h.get_name() == handler.get_name() for h in logger.handlers):
            logger.addHandler(handler)
        logger.propagate = False


def served_by_voila(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether this kernel serves a Voilà page (Voilà sets these for every page's kernel)."""
    return "VOILA_BASE_URL" in environ or environ.get("SERVER_SOFTWARE", "").startswith("voila")


def give_back_memory() -> None:
    """Hand the heap's free pages back to the system once a page is built.

    Building a page parses the locale files and the runbook snapshot and drops those
    temporary objects; glibc's malloc keeps their memory, about 1 MiB, for later use, which
    a participant's kernel never has. A room holds one kernel per person: that megabyte is
    worth a call. Elsewhere than glibc (macOS, musl) nothing happens.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    with contextlib.suppress(AttributeError):
        libc.malloc_trim(0)


def work_in_notebook_folder(environ: Mapping[str, str] = os.environ) -> None:
    """Served by ``codev serve --notebook``, a keyed console's kernel works in the client
    notebook's own folder (Voilà starts it in the folder of the copy it serves): its cells
    open files beside the notebook (a roster, an image) as in JupyterLab. That folder itself
    is never served."""
    folder = environ.get(NOTEBOOK_DIR)
    if folder and served_by_voila(environ):
        with contextlib.suppress(OSError):  # gone since: relative files are not found, as said
            os.chdir(folder)
