"""Page parameters: the query string Voilà hands to each page's kernel, read safely."""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import parse_qs

from codevwidgets.core.environment import PUBLIC_URL, REFUSED_DIR
from codevwidgets.core.i18n import languages
from codevwidgets.core.runbook import preset_names
from codevwidgets.store.location import link_beside, page_link

PAGE_KEYS = (
    "session", "key", "code", "name", "person", "lang", "runbook", "theme", "day", "screen",
)  # fmt: skip


def query_parameters(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The known parameters of the page's URL (Voilà sets ``QUERY_STRING``); first value wins."""
    parsed = parse_qs(environ.get("QUERY_STRING", ""), max_num_fields=20)
    return {key: values[0] for key, values in parsed.items() if key in PAGE_KEYS and values}


def await_visitor(environ: Mapping[str, str] = os.environ, patience: float = 120.0) -> None:
    """In a kernel from Voilà's preheated pool, wait until a visitor opens the page.

    ``codev serve`` keeps participant kernels started, imports done, before anyone joins;
    such a kernel learns its visitor's ``QUERY_STRING`` only now, from Voilà, which puts it
    in ``os.environ``. Elsewhere (a kernel started for its page, JupyterLab) it returns.
    """
    if environ.get("VOILA_PREHEAT") != "True":
        return
    # Voilà's own helper (voila.utils.wait_for_request) imports Voilà's server side, 45 MiB
    # more in every participant kernel; this is its protocol on the client Voilà itself uses.
    from websockets.exceptions import WebSocketException
    from websockets.sync.client import connect

    host = f"{environ.get('VOILA_APP_IP', '127.0.0.1')}:{environ.get('VOILA_APP_PORT', '8866')}"
    base = environ.get("VOILA_WS_BASE_URL") or environ.get("VOILA_SERVER_URL", "/")
    url = f"ws://{host}{base}voila/query/{environ.get('VOILA_KERNEL_ID', '')}"
    # A server busy with a room joining at once may take more than the 5 s of one attempt to
    # answer: try again for ``patience`` seconds before giving up on the visitor.
    deadline = time.monotonic() + patience
    while True:
        try:
            with connect(url, open_timeout=5) as socket:  # then waits as long as no one comes
                request = json.loads(socket.recv())
            break
        except (OSError, WebSocketException, ValueError):
            if time.monotonic() >= deadline:
                return  # no query then: the page says its link is not valid, no traceback
            time.sleep(0.5)
    os.environ.update({str(name): str(value) for name, value in request.items()})


def refuse_visitor(environ: Mapping[str, str] = os.environ) -> None:
    """Ask the server to end this page's kernel: its link was not valid, it serves nothing.

    A page with a wrong key or code keeps its websocket open, and Voilà's culler spares
    connected kernels: ``codev serve``'s kernel manager ends the kernels that leave a mark
    named after their id in ``CODEV_REFUSED_DIR`` (see ``codevwidgets.server.kernels``).
    """
    folder, kernel = environ.get(REFUSED_DIR), environ.get("VOILA_KERNEL_ID", "")
    if folder and kernel and kernel.replace("-", "").isalnum():
        with contextlib.suppress(OSError):  # no mark: the kernel ends when its page closes
            (Path(folder) / kernel).touch()


def runbook_from_query(value: str, base: Path) -> str:
    """A runbook named in a URL: a preset, or a YAML file inside ``base`` (never elsewhere)."""
    if value in preset_names():
        return value
    path = (base / value).resolve()
    if path.suffix in {".yaml", ".yml"} and path.is_relative_to(base.resolve()):
        return str(path)
    raise ValueError(f"runbook '{value}' is neither a preset nor a runbook file of this folder")


def page_url(
    notebook: str, query: Mapping[str, str], environ: Mapping[str, str] = os.environ
) -> str:
    """The address of another of the kit's pages, as the people in the room can reach it.

    ``CODEV_PUBLIC_URL`` (set by ``codev serve``, e.g. the machine's address on the room's
    network) wins; else the address this page was opened at (Voilà's ``VOILA_REQUEST_URL``);
    else a relative link, as in JupyterLab.
    """
    from urllib.parse import urlsplit

    public = environ.get(PUBLIC_URL, "").rstrip("/")
    if public:
        return page_link(public, notebook, query)
    request = environ.get("VOILA_REQUEST_URL", "")
    if request:
        parts = urlsplit(request)
        folder = parts.path.rsplit("/", 1)[0]
        return link_beside(f"{parts.scheme}://{parts.netloc}{folder}", notebook, query)
    return link_beside("", notebook, query)


def page_language(query: dict[str, str], default: str) -> str:
    """The page's ``&lang=`` if the kit has it, else ``default``."""
    language = query.get("lang", default)
    return language if language in languages() else default
